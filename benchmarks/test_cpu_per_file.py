"""CPU seconds of the test suite per test file, before and after, from two CSVs of the opt-in
CPU plugin (``MMROUTE_TEST_CPU=path.csv pytest``, tests/conftest.py).

One row per test file: its tests and CPU seconds in each run (pytest's process and the
children it waited for), the difference, and the wall seconds of each run; a last row
``(all)`` sums them. Files are sorted by their CPU in the first run, heaviest first. Compare
CPU, not wall: a shared machine stretches wall time, and time-limited tests use less CPU
when they are starved (they stop at their limit).

    python benchmarks/test_cpu_per_file.py before.csv after.csv --out per_file.csv
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.common import write_csv  # noqa: E402

COLUMNS = ["file", "tests_before", "tests_after", "cpu_before_s", "cpu_after_s", "cpu_diff_s",
           "wall_before_s", "wall_after_s"]


def per_file(path: Path) -> dict[str, dict[str, float]]:
    """``{file: {"tests": n, "cpu_s": s, "wall_s": s}}`` of one plugin CSV."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: {"tests": 0, "cpu_s": 0.0, "wall_s": 0.0})
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            f = out[row["nodeid"].split("::")[0]]
            f["tests"] += 1
            f["cpu_s"] += float(row["cpu_s"])
            f["wall_s"] += float(row["wall_s"])
    return dict(out)


def compare(before: dict[str, dict[str, float]], after: dict[str, dict[str, float]]) -> list[dict]:
    """The rows of :data:`COLUMNS`, heaviest file (before) first, then the ``(all)`` totals."""
    empty = {"tests": 0, "cpu_s": 0.0, "wall_s": 0.0}
    files = sorted(set(before) | set(after), key=lambda f: (-before.get(f, empty)["cpu_s"], f))
    rows = []
    for f in [*files, "(all)"]:
        if f == "(all)":
            b = {k: sum(v[k] for v in before.values()) for k in empty}
            a = {k: sum(v[k] for v in after.values()) for k in empty}
        else:
            b, a = before.get(f, empty), after.get(f, empty)
        rows.append({"file": f, "tests_before": int(b["tests"]), "tests_after": int(a["tests"]),
                     "cpu_before_s": round(b["cpu_s"], 2), "cpu_after_s": round(a["cpu_s"], 2),
                     "cpu_diff_s": round(a["cpu_s"] - b["cpu_s"], 2),
                     "wall_before_s": round(b["wall_s"], 2), "wall_after_s": round(a["wall_s"], 2)})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", type=Path, help="plugin CSV of the first run")
    ap.add_argument("after", type=Path, help="plugin CSV of the second run")
    ap.add_argument("--out", type=Path, required=True, help="CSV to write")
    ap.add_argument("--top", type=int, default=25, help="files to print (the CSV has all)")
    args = ap.parse_args(argv)
    rows = compare(per_file(args.before), per_file(args.after))
    write_csv(args.out, rows, COLUMNS)
    for r in [*rows[:args.top], rows[-1]]:
        print(f"{r['cpu_before_s']:8.1f} {r['cpu_after_s']:8.1f} {r['cpu_diff_s']:+8.1f}  {r['file']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
