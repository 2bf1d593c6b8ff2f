"""Rolling JIS re-plans with a soft hedge lead for every supplier (``JisParams.hedge_lead_s``),
on TRAINING days only (seeds 1000-...; the reported days are 0-29): line stops, trips,
line-side rack-hours and re-plan CPU per day, beside practice. Drawn changes as in
``benchmarks/jis.py --changes 60:0`` (``draw_changes(problem, seed, outage_probability=0.2)``),
the robust plan with the gate leads FEM 600 s, WHEEL 1800 s, 4 s of CP-SAT per re-plan.

    .venv/bin/python benchmarks/jis_hedge.py --hedge-lead 1800 --seeds 1000-1008
"""

from __future__ import annotations

import argparse

from jis import scenario, seeds

from mmroute.routing.jis import (
    JisParams,
    JisProblem,
    draw_changes,
    execute,
    execute_practice,
    solve_jis,
)
from mmroute.world import realize


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hedge-lead", type=int, default=0, help="s wanted at the gate for every supplier (soft)")
    ap.add_argument("--seeds", default="1000-1008")
    ap.add_argument("--replan-limit", type=float, default=4.0)
    args = ap.parse_args(argv)
    days = seeds(args.seeds)
    if min(days) < 1000:
        ap.error("training days only: seeds >= 1000")
    sc = scenario(60, 0)
    p = JisProblem.from_scenario(sc)
    gate = {s.id: 0 for s in p.suppliers} | {"FEM": 600, "WHEEL": 1800}
    robust = solve_jis(p, time_limit_s=60, seed=0, params=JisParams(gate_lead_s=gate))
    params = JisParams(gate_lead_s=gate, hedge_lead_s=args.hedge_lead)
    stops = trips = cpu = 0.0
    for k in days:
        r, ev = realize(sc, k), draw_changes(p, k, outage_probability=0.2)
        ex = execute(p, robust, sc, r, policy="replan", params=params, time_limit_s=args.replan_limit, seed=0,
                     jis_events=ev)
        pr = execute_practice(p, sc, r, jis_events=ev)
        stops, trips, cpu = stops + ex.line_stops, trips + len(ex.trips), cpu + ex.replan_s
        print(f"hedge={args.hedge_lead} seed={k} stops={ex.line_stops} practice={pr.line_stops} trips={len(ex.trips)} "
              f"rackh={ex.inventory_rack_h:.1f} cpu={ex.replan_s:.1f} outages={len(ev.outages)}", flush=True)
    print(f"hedge={args.hedge_lead} days={len(days)} stops={stops:.0f} trips_per_day={trips / len(days):.2f} "
          f"cpu_s={cpu:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
