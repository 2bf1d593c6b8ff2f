"""Certify Solomon 25-customer VRPTW instances with the exact solver (:func:`solve_vrp_exact`).

The 25-customer instances are the depot and the first 25 customers of each 100-customer file
in ``../shared/data/solomon`` (``--data`` or $MMROUTE_SHARED_DATA), read with the DIMACS
convention (distances and times truncated to one decimal, ``scale = 10``) under which the
classic optimal values (Kohl et al.; Solomon's web page) are stated.

Writes one CSV row per instance (instance, objective, bound, gap_pct, status, time_s) to
``benchmarks/results/`` and prints the table. Run one process at a time: the solver is CPU bound.
Example::

    python benchmarks/vrptw_exact.py --instances C1,R1,RC1 --time-limit 60
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

from common import REPO, data_dir

from mmroute.errors import MMRouteError
from mmroute.routing.vrp.check import check_vrp
from mmroute.routing.vrp.exact import solve_vrp_exact
from mmroute.routing.vrp.readers import read_solomon

FIELDS = ("instance", "objective", "bound", "gap_pct", "status", "time_s")


def _order(stem: str) -> tuple[int, str]:
    """C1, R1, RC1 first (tight windows, short routes), then C2, R2, RC2."""
    groups = ("C1", "R1", "RC1", "C2", "R2", "RC2")
    for k, g in enumerate(groups):
        if stem.startswith(g) and stem[len(g):].isdigit():
            return k, stem
    return len(groups), stem


def select(files: list[Path], pattern: str | None) -> list[Path]:
    """Files whose stem equals or starts with one of the comma-separated ``pattern`` entries
    (``C1`` matches C101..C109 but not C2xx; ``RC1`` is not matched by ``R1``)."""
    if not pattern:
        return files
    keys = [p.strip().upper() for p in pattern.split(",") if p.strip()]
    out = []
    for f in files:
        stem = f.stem.upper()
        for k in keys:
            if stem == k or (stem.startswith(k) and stem[len(k):].isdigit()):
                out.append(f)
                break
    return out


def run(files: list[Path], n_customers: int, time_limit_s: float, seed: int) -> list[dict[str, object]]:
    """Solve each instance; returns one row per instance (objective/bound in reported units)."""
    rows: list[dict[str, object]] = []
    for f in files:
        problem = read_solomon(f, rounding="dimacs", n_customers=n_customers)
        t0 = time.perf_counter()
        try:
            sol = solve_vrp_exact(problem, time_limit_s=time_limit_s, seed=seed)
        except MMRouteError as exc:
            row: dict[str, object] = {"instance": problem.name, "objective": "", "bound": "", "gap_pct": "", "status": f"error: {exc}", "time_s": round(time.perf_counter() - t0, 1)}
        else:
            if not check_vrp(problem, sol).feasible:
                raise SystemExit(f"{problem.name}: the checker rejects the solution")
            gap = sol.gap
            row = {
                "instance": problem.name,
                "objective": round(sol.objective, 1),
                "bound": round(sol.bound, 1),
                "gap_pct": "" if gap is None else round(100 * gap, 2),
                "status": sol.status,
                "time_s": round(sol.time_s, 1),
            }
        rows.append(row)
        print(" ".join(f"{row[k]!s:>10}" for k in FIELDS), flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", help="comma-separated names or prefixes (C1, R101, RC2, ...); default all 56")
    ap.add_argument("--time-limit", type=float, default=120.0, metavar="S", help="seconds per instance (default 120)")
    ap.add_argument("--customers", type=int, default=25, metavar="N", help="first N customers (default 25)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", help="the shared data folder (default ../shared/data)")
    ap.add_argument("--out", help="CSV path (default benchmarks/results/vrptw_exact_<N>c_<S>s.csv)")
    args = ap.parse_args(argv)
    folder = data_dir(args.data) / "solomon"
    files = sorted(folder.glob("*.txt"), key=lambda f: _order(f.stem))
    files = select(files, args.instances)
    if not files:
        print(f"no Solomon instances found in {folder}", file=sys.stderr)
        return 2
    print(" ".join(f"{k:>10}" for k in FIELDS))
    rows = run(files, args.customers, args.time_limit, args.seed)
    out = Path(args.out) if args.out else REPO / "benchmarks" / "results" / f"vrptw_exact_{args.customers}c_{args.time_limit:g}s.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    certified = sum(1 for r in rows if r["status"] == "optimal")
    print(f"{certified}/{len(rows)} certified optimal; wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
