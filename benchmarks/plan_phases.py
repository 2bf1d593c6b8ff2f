"""Where a plan call's wall time goes: the phases of ``solve_plan`` timed one by one.

Wraps the functions ``mmroute.routing.plan.solve`` calls (network, greedy plan, extraction,
pruning, model build, HiGHS, result, check) with ``time.perf_counter`` timers and plans one
generated variant of ``benchmarks/plan_scaling.py`` (``--sizes N`` row, drawn from ``--seed``):

    .venv/bin/python benchmarks/plan_phases.py --shipments 1000 --time-limit 60

prints each phase's seconds (in call order), the time limit HiGHS got, and wall / limit.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from plan_scaling import variant  # noqa: E402

import mmroute.routing.plan.solve as S  # noqa: E402
from mmroute.scenarios import load  # noqa: E402

PHASES = ("expand", "greedy_flows", "_extract", "prune", "_build_model", "_solve_proto",
          "_read_result", "assert_valid")


def timed(times: list[tuple[str, float]], name: str) -> None:
    """Replace ``S.<name>`` with a wrapper that appends ``(name, seconds)`` to ``times``."""
    f = getattr(S, name)

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return f(*args, **kwargs)
        finally:
            times.append((name, time.perf_counter() - t))
            if name == "_solve_proto":
                times.append(("  (HiGHS limit)", args[2].time_limit.total_seconds()))

    setattr(S, name, wrapper)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="liuzhou-asean")
    ap.add_argument("--shipments", type=int, default=1000)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    base = load(args.scenario)
    sc = variant(base, args.shipments, base.horizon_h, np.random.default_rng(args.seed))
    times: list[tuple[str, float]] = []
    for name in PHASES:
        timed(times, name)
    t = time.perf_counter()
    plan = S.solve_plan(sc, time_limit_s=args.time_limit, seed=args.seed)
    wall = time.perf_counter() - t
    for name, dt in times:
        print(f"{name:16s} {dt:8.2f} s")
    print(f"{sc.name}: limit {args.time_limit} s, wall {wall:.2f} s, ratio "
          f"{wall / args.time_limit:.3f}, status {plan.status}, objective {plan.objective:.2f}, "
          f"bound {plan.bound}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
