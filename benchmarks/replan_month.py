"""Re-plans inside a month episode: how long each takes, how many hit the decision budget,
how many consignments each re-plans, and the gap of a scoped re-plan to a full one.

One episode of ``replan`` on a scenario (default the bundled month, liuzhou-asean-month) with
the decision budget of ``mmroute evaluate`` (``--decision-budget-s``, default 1 s). Every
re-plan is timed (the whole decision's re-plan: known scenario, state, network, incumbent,
MIP, checks). On ``--gap-states`` re-plans spread over the episode (every k-th that finished
within its budget) a full re-plan from the same state, with the same followed plan, is solved
after the decision (outside its budget) and the relative gap of the scoped plan to it
reported. ``--scoped no`` runs full re-plans (the policy's ``scoped=False``) for the side by
side. Writes one row per re-plan to ``--out`` (CSV: wall and CPU seconds of each re-plan;
on a loaded machine the CPU time is the steadier measure) and prints the summary.

    python benchmarks/replan_month.py --seed 0 --gap-states 20
    python benchmarks/replan_month.py --scoped no --max-replans 200
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    from mmroute.agents.policies import ReplanPolicy
    from mmroute.agents.rollout import rollout
    from mmroute.envs.known import known_scenario, plan_state
    from mmroute.envs.reroute import RerouteEnv
    from mmroute.scenarios import load
    from mmroute.world.realization import realize

    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--scenario", default="liuzhou-asean-month")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--decision-budget-s", type=_budget, default=1.0,
                    help="seconds per decision, or 'none' (default 1)")
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--scoped", choices=("yes", "no"), default="yes")
    ap.add_argument("--gap-states", type=int, default=0,
                    help="re-plans compared with a full re-plan (spread over the episode)")
    ap.add_argument("--gap-every", type=int, default=50,
                    help="compare every k-th re-plan that finished (until --gap-states)")
    ap.add_argument("--max-replans", type=int, default=0, help="stop after so many (0: none)")
    ap.add_argument("--out", default=str(RESULTS / "replan_month.csv"))
    args = ap.parse_args(argv)

    rows: list[dict] = []

    class Probe(ReplanPolicy):
        """The policy, timing its re-plans and comparing some with a full re-plan."""

        def _solve(self, env):
            if args.max_replans and len(rows) >= args.max_replans:
                raise _Enough
            before, hits = self.plan, self.budget_hits
            rp = self.replanner
            scope0 = getattr(rp, "scoped_shipments", 0)
            kept0 = getattr(rp, "kept_shipments", 0)
            t0, c0 = time.perf_counter(), time.process_time()
            super()._solve(env)
            dt, cpu = time.perf_counter() - t0, time.process_time() - c0
            hit = self.budget_hits > hits
            row = {"k": len(rows), "time_h": round(env.sim.now, 3), "replan_s": round(dt, 4),
                   "replan_cpu_s": round(cpu, 4), "hit": int(hit), "scope": getattr(rp, "scoped_shipments", 0) - scope0,
                   "kept": getattr(rp, "kept_shipments", 0) - kept0,
                   "status": None if hit or self.plan is None else self.plan.status,
                   "objective": None if hit else self.plan.objective,
                   "full_objective": None, "full_s": None, "gap": None}
            finished = [r for r in rows if not r["hit"]]
            if (args.gap_states and not hit and before is not None
                    and sum(r["gap"] is not None for r in rows) < args.gap_states
                    and len(finished) % args.gap_every == 0):
                sim = env.sim
                t1 = time.perf_counter()
                full = self.replanner.solve(known_scenario(sim), plan_state(sim),
                                            self.events(env), time_limit_s=args.time_limit,
                                            seed=self.seed, initial=before)
                row["full_s"] = round(time.perf_counter() - t1, 4)
                row["full_objective"] = full.objective
                mine = self.plan.objective
                if self.plan is before:  # nothing re-planned: the kept rest of the plan
                    todo = {it.shipment for it in full.itineraries}
                    mine = sum(e[2].objective_cny for sid, e in rp.kept_memo[1].items()
                               if sid in todo)
                    row["objective"] = mine
                row["gap"] = (mine - full.objective) / max(1.0, abs(full.objective))
            rows.append(row)
            print(f"  re-plan {row['k']} at {row['time_h']:.1f} h: {dt:.3f} s"
                  f"{' (budget hit)' if hit else ''}, scope {row['scope']}, kept {row['kept']}"
                  + ("" if row["gap"] is None else f"; full {row['full_s']:.2f} s, gap "
                     f"{row['gap']:.2e}"), flush=True)

    sc = load(args.scenario)
    env = RerouteEnv(sc)
    pol = Probe(time_limit_s=args.time_limit, decision_budget_s=args.decision_budget_s,
                scoped=args.scoped == "yes")
    t0 = time.perf_counter()
    try:
        ro = rollout(env, pol, realize(sc, args.seed))
        cost = ro.cost_cny
    except _Enough:
        cost = None
    wall = time.perf_counter() - t0
    _write(args.out, rows)
    ts = [r["replan_s"] for r in rows]
    cs = [r["replan_cpu_s"] for r in rows]
    gaps = [r["gap"] for r in rows if r["gap"] is not None]
    print(f"{args.scenario} seed {args.seed}, scoped {args.scoped}, budget "
          f"{args.decision_budget_s} s: {len(ts)} re-plans, median {statistics.median(ts):.3f} s, "
          f"p95 {np.percentile(ts, 95):.3f} s, max {max(ts):.3f} s (CPU median "
          f"{statistics.median(cs):.3f} s, p95 {np.percentile(cs, 95):.3f} s), budget hits "
          f"{sum(r['hit'] for r in rows)}; scope median "
          f"{statistics.median([r['scope'] for r in rows]):.0f}, kept median "
          f"{statistics.median([r['kept'] for r in rows]):.0f}; episode {wall:.0f} s, cost "
          f"{cost}")
    rp = pol.replanner
    print(f"scoped calls {rp.scoped_calls}, unchanged {rp.scoped_unchanged}, fallbacks "
          f"{rp.scoped_fallbacks}, MIP skipped {rp.mip_skipped}; seconds per stage "
          + ", ".join(f"{k} {v:.1f}" for k, v in rp.stage_s.items())
          + ("" if getattr(rp, "net_cache", None) is None else
             f"; road trips kept {rp.net_cache.hits}, made {rp.net_cache.made}"))
    if gaps:
        print(f"gap to a full re-plan on {len(gaps)} states: max {max(gaps):.2e}, mean "
              f"{statistics.mean(gaps):.2e}, zero (<1e-9) on {sum(g <= 1e-9 for g in gaps)}; "
              f"full re-plan median {statistics.median([r['full_s'] for r in rows if r['full_s']]):.2f} s")
    return 0


def _budget(text: str) -> float | None:
    return None if text.lower() == "none" else float(text)


class _Enough(Exception):
    """``--max-replans`` reached."""


def _write(path: str, rows: list[dict]) -> None:
    from mmroute.io import write_with

    if not rows:
        return
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)

    def put(tmp: Path) -> None:
        with tmp.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)

    write_with(p, put)


if __name__ == "__main__":
    sys.exit(main())
