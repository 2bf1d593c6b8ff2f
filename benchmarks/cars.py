"""Finished-vehicle distribution: mmroute (routing + loading with repair) against the practice
baseline (nearest-neighbour routes, first-fit loading in dealer order), side by side.

Instance generator (seeded, ``numpy.random.Generator(seed)``): the plant, the six vehicle models
and the three carrier types of the bundled ``liuzhou-cars`` scenario (real dimensions, GB
1589-2016 envelopes); ``n_dealers = clip(n_vehicles / 7, 10, 90)`` dealers uniform in the box
lon 105.5-112.5, lat 21.3-27.8 (Guangxi and its neighbours); each dealer orders 1-3 models drawn
with the bundled mix (Mini EV 30 %, Bingo 20 %, Starlight 14 %, Yep / Jiachen / T5 EVO 12 % each),
quantities 1-5, topped up or trimmed at random dealers to exactly ``n_vehicles``; window
[8, 48] h within 450 km road of the plant, else [8, 72] h; carrier counts scaled to
``ceil(n_vehicles / 6)``, ``ceil(n_vehicles / 30)``, ``ceil(n_vehicles / 25)``.

    .venv/bin/python benchmarks/cars.py --sizes 50,100,200,400,600 --seeds 0,1 \
        --time-limit 30 --out benchmarks/results/cars.csv

Columns: cost (CNY), carriers used, loading rate (vehicles / carrier capacity for the load's model
mix, mean over carriers), deck-length utilisation, time; for mmroute also the routes that fit by
count but not on the platforms (detected, repaired) and the share of the loads it solved that
were proven (optimal or infeasible) rather than left unknown. Every plan passes ``check_cars_plan``.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import replace

import numpy as np
from common import write_csv

from mmroute.routing.cars import CarsProblem, check_cars_plan, solve_cars, solve_practice
from mmroute.routing.cars.problem import ROAD_CIRCUITY, geodesic_matrix_km
from mmroute.scenarios import load
from mmroute.scenarios.cars_model import VehicleOrder

COLUMNS = ["instance", "vehicles", "dealers", "method", "cost_cny", "carriers", "vehicle_rate",
           "length_utilisation", "time_s", "detected", "repaired", "loads_checked", "proven_share",
           "cost_ratio"]
MIX = {"HG-MINI-EV": 0.30, "WULING-BINGO": 0.20, "STARLIGHT": 0.14, "BAOJUN-YEP": 0.12, "JIACHEN": 0.12,
       "T5-EVO": 0.12}


def generate(n_vehicles: int, seed: int) -> CarsProblem:
    """A seeded instance of ``n_vehicles`` vehicles (see the module docstring)."""
    base = load("liuzhou-cars")
    rng = np.random.default_rng(seed)
    plant = base.node("PLANT")
    n_dealers = int(np.clip(round(n_vehicles / 7), 10, 90))
    lons = rng.uniform(105.5, 112.5, n_dealers)
    lats = rng.uniform(21.3, 27.8, n_dealers)
    names = [f"G{k + 1:02d}" for k in range(n_dealers)]
    coords = [(plant.lon, plant.lat), *zip(lons.tolist(), lats.tolist())]
    dist = geodesic_matrix_km(coords)
    models = list(MIX)
    p = np.array(list(MIX.values()))
    lines: list[list] = []
    for k, d in enumerate(names):
        due = 48.0 if dist[0, k + 1] <= 450 else 72.0
        for mi in rng.choice(len(models), size=int(rng.integers(1, 4)), replace=False, p=p):
            lines.append([d, models[mi], int(rng.integers(1, 6)), due])
    total = sum(q for _, _, q, _ in lines)
    while total != n_vehicles:
        i = int(rng.integers(len(lines)))
        if total < n_vehicles:
            lines[i][2] += 1
            total += 1
        elif lines[i][2] > 1:
            lines[i][2] -= 1
            total -= 1
    orders = tuple(VehicleOrder(id=f"O{k + 1:04d}", dealer=d, model=m, quantity=q, open_h=8.0, due_h=due)
                   for k, (d, m, q, due) in enumerate(lines))
    counts = {"CENTRE-AXLE-22M": math.ceil(n_vehicles / 6), "SEMI-17M": math.ceil(n_vehicles / 30),
              "RIGID-12M": math.ceil(n_vehicles / 25)}
    carriers = tuple(replace(c, count=counts.get(c.id, c.count)) for c in base.cars.carrier_types)
    return CarsProblem(name=f"cars-{n_vehicles}-s{seed}", models=base.cars.models, carrier_types=carriers,
                       orders=orders, places=("PLANT", *names), coords=tuple(coords), distance_km=dist,
                       meta={"generator": "benchmarks/cars.py", "seed": seed, "circuity": ROAD_CIRCUITY})


def run(problem: CarsProblem, time_limit_s: float, seed: int) -> list[dict]:
    rows = []
    base = solve_practice(problem, seed=seed)
    plan = solve_cars(problem, time_limit_s=time_limit_s, seed=seed)
    for method, pl in (("practice", base), ("mmroute", plan)):
        rep = check_cars_plan(problem, pl)
        if not rep.feasible:
            raise SystemExit(f"{problem.name} {method}: checker rejects the plan: {rep.reason}")
        info = pl.info
        checked = info.get("loads_checked")
        rows.append({
            "instance": problem.name, "vehicles": problem.n_vehicles, "dealers": len(problem.dealers),
            "method": method, "cost_cny": round(rep.objective, 2), "carriers": pl.carriers_used,
            "vehicle_rate": round(info["vehicle_rate"], 4), "length_utilisation": round(info["length_utilisation"], 4),
            "time_s": round(pl.time_s, 2), "detected": info.get("routes_not_loading_detected", ""),
            "repaired": info.get("routes_repaired", ""), "loads_checked": checked if checked is not None else "",
            "proven_share": "" if not checked else round(1 - info["loads_unknown"] / checked, 4),
            "cost_ratio": round(rep.objective / base.objective, 4),
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="50,100,200,400,600")
    ap.add_argument("--seeds", default="0,1")
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--out", default="benchmarks/results/cars.csv")
    args = ap.parse_args(argv)
    rows: list[dict] = []
    for n in (int(x) for x in args.sizes.split(",")):
        for seed in (int(x) for x in args.seeds.split(",")):
            t = time.perf_counter()
            new = run(generate(n, seed), args.time_limit, seed)
            rows += new
            m, b = new[1], new[0]
            print(f"{m['instance']}: mmroute {m['cost_cny']:,.0f} CNY / {m['carriers']} carriers / rate "
                  f"{m['vehicle_rate']:.3f} / deck {m['length_utilisation']:.3f}; practice {b['cost_cny']:,.0f} / "
                  f"{b['carriers']} / {b['vehicle_rate']:.3f} / {b['length_utilisation']:.3f}; ratio "
                  f"{m['cost_ratio']:.3f}; detected {m['detected']}; proven {m['proven_share']}; "
                  f"{time.perf_counter() - t:.0f} s", flush=True)
    write_csv(args.out, rows, COLUMNS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
