"""Packing checker: the x-sweep of ``check_packing`` against the former pairwise matrices.

Two kinds of packings of n unit-cube boxes (10 cm): ``tight`` — a feasible wall-to-wall
packing (a 20 x 20 grid of columns); ``stacked`` — every box on one spot (every pair overlaps,
the forged 472 KB file of issue 12). For each n: wall-clock seconds and peak Python memory
(tracemalloc) of :func:`mmroute.routing.loading.check_packing` and, up to ``--max-old`` boxes
(its n x n matrices need > 3 GB at 8,000), of the former pairwise checker kept as the test
oracle ``tests/routing/packing_reference.py``; both must give the same violation counts.

    python benchmarks/check_packing.py --sizes 500,1000,2000,4000,8000 --max-old 2000
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from common import write_csv  # noqa: E402

from mmroute.routing.loading.check import check_packing  # noqa: E402
from mmroute.routing.loading.model import BoxType, Container, Placement  # noqa: E402
from tests.routing.packing_reference import reference_check  # noqa: E402

TYPES = (BoxType(1, (10, 10, 10), 10**6),)


def packing(kind: str, n: int) -> tuple[Container, list[Placement]]:
    if kind == "stacked":
        return Container(1000, 1000, 1000), [Placement(1, (0, 0, 0), (10, 10, 10))] * n
    layers = -(-n // 400)
    boxes = [Placement(1, (10 * (k % 20), 10 * (k // 20 % 20), 10 * (k // 400)), (10, 10, 10)) for k in range(n)]
    return Container(200, 200, 10 * layers), boxes


def measure(run, *args) -> tuple[object, float, float]:
    """``run(*args)``, its wall-clock seconds and the peak of Python memory meanwhile (MB)."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        out = run(*args)
        return out, time.perf_counter() - t0, tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="500,1000,2000,4000,8000")
    ap.add_argument("--max-old", type=int, default=2000, help="largest n for the pairwise checker")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "check_packing.csv"))
    args = ap.parse_args(argv)
    rows = []
    for kind in ("tight", "stacked"):
        for n in (int(s) for s in args.sizes.split(",")):
            container, boxes = packing(kind, n)
            rep, t_new, m_new = measure(check_packing, container, TYPES, boxes)
            row = {"packing": kind, "boxes": n, "violations": rep.n_violations,
                   "sweep_s": round(t_new, 3), "sweep_peak_mb": round(m_new, 1),
                   "pairwise_s": "", "pairwise_peak_mb": "", "speedup": "", "memory_ratio": ""}
            if n <= args.max_old:
                counts, t_old, m_old = measure(reference_check, container, TYPES, boxes)
                assert counts == rep.details["counts"], (counts, rep.details["counts"])
                row.update(pairwise_s=round(t_old, 3), pairwise_peak_mb=round(m_old, 1),
                           speedup=round(t_old / t_new, 2), memory_ratio=round(m_old / m_new, 1))
            rows.append(row)
            print(" ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    write_csv(args.out, rows, list(rows[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
