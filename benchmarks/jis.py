"""Just-in-sequence supply: mmroute's plan against the practice baseline (a truck leaves when a
truckload is ready or every N minutes), at several takts and line-side buffer sizes, on the
bundled ``liuzhou-jis`` shift (480 cars, 4 suppliers); then every plan on the same drawn days
(road noise and the Liujiang road closure of the scenario's uncertainty, ``mmroute.world.realize``,
seeds paired across methods), with departures static or re-planned from the current state.

    .venv/bin/python benchmarks/jis.py --takts 60,72 --buffers 0,3 --seeds 0-29 \
        --time-limit 60 --out benchmarks/results/jis.csv

A takt other than 60 s stretches the shift to fit the 480 cars; ``--buffers`` adds racks to
every station's buffer. Columns: planned trips, km, line-side rack-hours, planned line stops
and buffer overflows (practice racks go line-side on arrival), cost, solve time and gap (CP-SAT
bound); over the drawn days: days with a line stop, mean line stops per day, for the static
plan, the re-planned departures (mmroute only) and practice.
"""

from __future__ import annotations

import argparse
import sys
import time

import yaml
from common import write_csv

from mmroute.routing.jis import JisProblem, check_jis_plan, execute, solve_jis, solve_practice
from mmroute.scenarios import Scenario, bundled_path
from mmroute.world import realize

COLUMNS = ["takt_s", "buffer_add", "method", "trips", "km", "inventory_rack_h", "plan_line_stops",
           "buffer_overflows", "cost_cny", "time_s", "gap", "status", "days", "days_with_stops",
           "stops_per_day", "trips_ratio", "inventory_ratio"]


def scenario(takt_s: int, buffer_add: int) -> Scenario:
    d = yaml.safe_load(bundled_path("liuzhou-jis").read_text())
    line = d["jis"]["line"]
    line["takt_s"] = takt_s
    start = line["shifts"][0]["start_h"]
    line["shifts"] = [{"start_h": start, "end_h": start + 480 * takt_s / 3600}]
    for st in line["stations"]:
        st["buffer_racks"] += buffer_add
    return Scenario.from_dict(d, file=f"liuzhou-jis-takt{takt_s}-buf+{buffer_add}.yaml")


def seeds(text: str) -> list[int]:
    if "-" in text:
        a, b = text.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(x) for x in text.split(",") if x]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--takts", default="60,72")
    ap.add_argument("--buffers", default="0,3")
    ap.add_argument("--seeds", default="0-29")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--out", default="benchmarks/results/jis.csv")
    args = ap.parse_args(argv)
    rows = []
    days = seeds(args.seeds)
    for takt in [int(x) for x in args.takts.split(",")]:
        for add in [int(x) for x in args.buffers.split(",")]:
            sc = scenario(takt, add)
            p = JisProblem.from_scenario(sc)
            t0 = time.perf_counter()
            plan = solve_jis(p, time_limit_s=args.time_limit, seed=0)
            plan_s = time.perf_counter() - t0
            base = solve_practice(p)
            assert check_jis_plan(p, plan).feasible
            real = [realize(sc, s) for s in days]
            runs = {"mmroute": [execute(p, plan, sc, r, policy="static") for r in real],
                    "mmroute-replan": [execute(p, plan, sc, r, policy="resequence") for r in real],
                    "practice": [execute(p, base, sc, r, policy="static") for r in real]}
            for method, pl, secs in (("mmroute", plan, plan_s), ("mmroute-replan", plan, plan_s),
                                     ("practice", base, base.time_s)):
                i = pl.info
                ex = runs[method]
                rows.append({
                    "takt_s": takt, "buffer_add": add, "method": method, "trips": i["trips"],
                    "km": round(i["km"], 1), "inventory_rack_h": round(i["inventory_rack_h"], 2),
                    "plan_line_stops": i["line_stops"], "buffer_overflows": i["buffer_overflows"],
                    "cost_cny": round(pl.objective, 2), "time_s": round(secs, 2),
                    "gap": "" if pl.gap is None else round(pl.gap, 5), "status": pl.status, "days": len(ex),
                    "days_with_stops": sum(e.line_stops > 0 for e in ex),
                    "stops_per_day": round(sum(e.line_stops for e in ex) / max(1, len(ex)), 3),
                    "trips_ratio": round(i["trips"] / base.info["trips"], 3),
                    "inventory_ratio": round(i["inventory_rack_h"] / base.info["inventory_rack_h"], 3)})
                print(" ".join(f"{k}={rows[-1][k]}" for k in COLUMNS), flush=True)
    write_csv(args.out, rows, COLUMNS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
