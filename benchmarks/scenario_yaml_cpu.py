"""CPU seconds of reading each bundled scenario's YAML: PyYAML's pure-Python loader (what
``read_document`` ran before) against ``read_document`` (libyaml's parse and composition, the
same safe constructor, aliases refused by a walk of the composed graph).

One row per scenario and way, the best of ``--repeats`` reads in this process; ``equal``: both
give the same data.

    python benchmarks/scenario_yaml_cpu.py --repeats 3
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.common import REPO, write_csv  # noqa: E402

COLUMNS = ["scenario", "bytes", "pure_python_cpu_s", "read_document_cpu_s", "equal", "python"]


def _row(path: Path, repeats: int) -> dict:
    """The row of one scenario file: the best of ``repeats`` reads each way."""
    import yaml

    from mmroute.scenarios.loader import _NoAliasLoader, read_document

    text = path.read_text(encoding="utf-8")
    best = {"pure": float("inf"), "read": float("inf")}
    for _ in range(repeats):
        t = time.process_time()
        pure = yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
        best["pure"] = min(best["pure"], time.process_time() - t)
        t = time.process_time()
        ours = read_document(path)
        best["read"] = min(best["read"], time.process_time() - t)
    return {"scenario": path.stem, "bytes": len(text.encode()),
            "pure_python_cpu_s": round(best["pure"], 4),
            "read_document_cpu_s": round(best["read"], 4), "equal": pure == ours,
            "python": platform.python_version()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "scenario_yaml_cpu.csv"))
    args = ap.parse_args(argv)
    rows = [_row(path, args.repeats) for path in sorted((REPO / "scenarios" / "data").glob("*.yaml"))]
    write_csv(args.out, rows, COLUMNS)
    total = {k: sum(r[k] for r in rows) for k in ("pure_python_cpu_s", "read_document_cpu_s")}
    print(f"all {len(rows)} scenarios: {total['pure_python_cpu_s']:.3f} s -> "
          f"{total['read_document_cpu_s']:.3f} s of CPU; same data: {all(r['equal'] for r in rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
