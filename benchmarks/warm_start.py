"""The incremental re-plan's warm start (``routing/plan/follow.py``) against the DFS it had
before, side by side in one process on the same states: CPU time (``time.process_time``) of
each :func:`~mmroute.routing.plan.incremental.solve_fast` call, how many consignments the warm
start followed (of those it searched), whether the MIP was skipped (the incumbent met the
bound), and the objective (must agree).

The "before" search is read from git revision ``--before`` (``routing/plan/incremental.py``'s
``_follow``, which cut road legs into later nodes) and patched in for its calls; the states
are ``plan_scaling.mid_horizon_events`` on ``mmroute scenarios scale liuzhou-asean
--consignments N --seed 1``, each re-planned from the plan followed so far.

    python benchmarks/warm_start.py --consignments 300 --states 10 \
        --out benchmarks/results/warm_start_follow_x300.csv
"""

from __future__ import annotations

import argparse
import ast
import csv
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plan_scaling import mid_horizon_events  # noqa: E402

from mmroute.routing.plan import executed_plan, solve_plan, state_at  # noqa: E402
from mmroute.routing.plan import follow as F  # noqa: E402
from mmroute.routing.plan.incremental import Replanner, solve_fast  # noqa: E402
from mmroute.scenarios import load, scale  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def follow_of(rev: str):
    """``_follow`` of ``routing/plan/incremental.py`` at git revision ``rev``."""
    src = subprocess.run(["git", "-C", str(REPO), "show", f"{rev}:routing/plan/incremental.py"],
                         check=True, capture_output=True, text=True).stdout
    fn = next(n for n in ast.parse(src).body
              if isinstance(n, ast.FunctionDef) and n.name == "_follow")
    ns = {"math": math, "np": np}
    exec(compile(ast.Module(body=[fn], type_ignores=[]), rev, "exec"), ns)  # noqa: S102
    return ns["_follow"]


def counted(search, counts: dict[str, int]):
    """``search`` that counts its calls (``searched``) and the paths it found (``followed``)."""
    def run(*args):
        path = search(*args)
        counts["searched"] += 1
        counts["followed"] += path is not None
        return path
    return run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", default="76baed2", help="git revision of the former DFS")
    ap.add_argument("--consignments", type=int, default=300)
    ap.add_argument("--states", type=int, default=10)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    fixed, before = F._follow, follow_of(args.before)
    sc = scale(load("liuzhou-asean"), consignments=args.consignments, seed=1)
    current = solve_plan(sc, time_limit_s=args.time_limit, seed=0)
    rp = {"before": Replanner(sc), "after": Replanner(sc)}
    rows = []
    for k, (t, ev) in enumerate(mid_horizon_events(sc, args.states, np.random.default_rng(0))):
        state = state_at(sc, current, t, ev)
        out = {}
        for how in (("before", "after") if k % 2 == 0 else ("after", "before")):
            counts = {"searched": 0, "followed": 0}
            F._follow = counted(before if how == "before" else fixed, counts)
            r, skipped = rp[how], rp[how].mip_skipped
            c0 = time.process_time()
            out[how] = solve_fast(sc, time_limit_s=args.time_limit, seed=0, initial=current,
                                  events=ev, state=state, tables=r.tables, stats=r)
            rows.append({"state": k, "time_h": t, "code": how,
                         "cpu_s": round(time.process_time() - c0, 3), **counts,
                         "mip_skipped": r.mip_skipped - skipped,
                         "objective": round(out[how].objective, 4), "status": out[how].status})
        F._follow = fixed
        a, b = out["after"].objective, out["before"].objective
        if abs(a - b) > 1e-6 * max(1.0, abs(b)):
            raise AssertionError(f"state {k}: after {a} != before {b}")
        current = executed_plan(current, out["after"], t)
    with open(args.out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    for how in ("before", "after"):
        cpu = [r["cpu_s"] for r in rows if r["code"] == how]
        print(f"{how}: CPU {sum(cpu):.2f} s over {len(cpu)} re-plans (median "
              f"{float(np.median(cpu)):.3f} s), followed "
              f"{sum(r['followed'] for r in rows if r['code'] == how)} of "
              f"{sum(r['searched'] for r in rows if r['code'] == how)}, MIP skipped "
              f"{sum(r['mip_skipped'] for r in rows if r['code'] == how)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
