"""Benchmark mmroute's VRP engines against OR-Tools defaults and PyVRP on public instances.

Runs, at the same time limit and seed, on each instance:

- ``auto``            mmroute ``solve_vrp(engine="auto")``
- ``ortools``         mmroute ``solve_vrp(engine="ortools")`` (tuned configuration)
- ``ortools-ils``     mmroute's OR-Tools model, iterated local search (ruin-and-recreate), one start
- ``ortools-gls``     mmroute's OR-Tools model, guided local search from one start (savings)
- ``ortools-default`` the same OR-Tools model with ``DefaultRoutingSearchParameters()``
                      and only the time limit set (the peer baseline)
- ``pyvrp``           PyVRP's ``solve`` called directly (``pyvrp.read`` for VRPLIB files)

Writes one CSV row per (instance, method) and prints a table of gaps (%) to the BKS.
Example (what the closing note of issue 5 used)::

    python benchmarks/vrp.py --set x --max-n 200 --limit 3 --time-limit 10 --seed 0 --out x.csv

Instance sets come from ../shared/data (``--data`` or $MMROUTE_SHARED_DATA): ``x`` (CVRPLIB X,
n <= --max-n, rounded distances, BKS from X-bks.csv), ``solomon`` (DIMACS convention to match
solomon/bks.csv), ``hfvrp`` (BKS = the checker's cost of each .sol, see :func:`hfvrp_bks`), ``abep`` (A, B, E, P).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from common import data_dir

from mmroute.routing.vrp.check import check_vrp
from mmroute.routing.vrp.engine_ortools import OrtoolsParams
from mmroute.routing.vrp.problem import VRPProblem
from mmroute.routing.vrp.readers import read_instance
from mmroute.routing.vrp.solve import VRPParams, solve_vrp

METHODS = ("auto", "ortools", "ortools-default", "pyvrp")
ALL_METHODS = ("auto", "ortools", "ortools-ils", "ortools-gls", "ortools-default", "pyvrp")


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def instances(data: Path, which: str, max_n: int) -> list[tuple[Path, float]]:
    """(instance file, BKS) pairs of a set, sorted by name."""
    out: list[tuple[Path, float]] = []
    if which == "x":
        for row in _read_csv(data / "cvrplib" / "X-bks.csv"):
            if int(row["n_customers"]) <= max_n:
                out.append((data / "cvrplib" / "X" / f"{row['instance']}.vrp", float(row["bks"])))
    elif which == "abep":
        for row in _read_csv(data / "cvrplib" / "bks.csv"):
            if row["set"] in "ABEP" and int(row["n_customers"]) <= max_n:
                out.append((data / "cvrplib" / row["set"] / f"{row['instance']}.vrp", float(row["bks"])))
    elif which == "solomon":
        for row in _read_csv(data / "solomon" / "bks.csv"):
            out.append((data / "solomon" / f"{row['instance']}.txt", float(row["bks_distance"])))
    elif which == "hfvrp":
        for sol in sorted((data / "hfvrp").glob("*.sol")):
            out.append((sol.with_suffix(".vrp"), hfvrp_bks(sol)))
    else:
        raise SystemExit(f"unknown set {which!r}")
    return sorted(out, key=lambda t: (_size(t[0].stem), t[0].stem))


def hfvrp_bks(sol: Path) -> float:
    """Cost of an HFVRP best-known solution, recomputed by :func:`check_vrp` from its routes
    (``Route #k`` runs on vehicle k of the instance). The files' own ``Cost`` lines are not
    used: on 8 of the 24 they are 10^5 times the cost in the stated units."""
    import numpy as np
    import vrplib

    from mmroute.routing.vrp.solution import VRPRoute, VRPSolution

    problem = read_instance(sol.with_suffix(".vrp"))
    data = vrplib.read_instance(str(sol.with_suffix(".vrp")))
    caps = np.atleast_1d(data["capacity"])
    fixed = np.atleast_1d(data.get("vehicles_fixed_cost", np.zeros(caps.size)))
    unit = np.atleast_1d(data.get("vehicles_unit_distance_cost", np.ones(caps.size)))
    type_of = {(vt.capacity, vt.fixed_cost, vt.cost_per_distance): k for k, vt in enumerate(problem.vehicle_types)}
    routes = []
    for line in sol.read_text(encoding="utf-8").splitlines():
        head, _, tail = line.partition(":")
        if head.strip().lower().startswith("route") and tail.split():
            k = int(head.split("#")[1]) - 1
            key = (int(caps[k]), int(round(fixed[k])) * 100, int(round(unit[k])))
            routes.append(VRPRoute(tuple(int(x) for x in tail.split()), type_of[key]))
    report = check_vrp(problem, VRPSolution(routes=tuple(routes), objective=None))
    if not report.feasible:
        raise SystemExit(f"{sol}: the best-known solution fails the checker: {report.reason}")
    return float(report.objective)


def _size(name: str) -> int:
    digits = "".join(ch if ch.isdigit() else " " for ch in name).split()
    return int(digits[0]) if digits else 0


def run_pyvrp_direct(path: Path, problem: VRPProblem, time_limit_s: float, seed: int) -> float:
    """PyVRP with default parameters on its own reading of the file (VRPLIB: ``pyvrp.read`` with
    ``round`` for CVRPLIB, ``exact`` for HFVRP) or on our conversion (Solomon). The routes
    found are priced by mmroute's checker, so every column uses the same cost convention."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    from mmroute.routing.vrp.engine_pyvrp import to_pyvrp_data
    from mmroute.routing.vrp.solution import VRPRoute, VRPSolution

    cap_factor = 1  # PyVRP's "exact" rounding multiplies every data value (capacities too) by 1000
    if path.suffix == ".vrp":
        data = pyvrp.read(str(path), round_func="round" if problem.scale == 1 else "exact")
        cap_factor = 1 if problem.scale == 1 else 1000
    else:
        data = to_pyvrp_data(problem)
    res = pyvrp.solve(data, MaxRuntime(time_limit_s), seed=seed, display=False, collect_stats=False)
    if not res.is_feasible():
        return float("nan")
    client_nodes = problem.clients  # both readers keep the file's order, depots first
    routes = []
    for route in res.best.routes():
        vt = data.vehicle_type(route.vehicle_type())
        matches = [
            k for k, ours in enumerate(problem.vehicle_types)
            if ours.capacity * cap_factor == vt.capacity[0] and ours.cost_per_distance == vt.unit_distance_cost
        ]
        if not matches:
            return float("nan")
        routes.append(VRPRoute(tuple(client_nodes[a.idx] for a in route if a.is_client()), matches[0]))
    report = check_vrp(problem, VRPSolution(routes=tuple(routes), objective=None))
    return report.objective if report.feasible else float("nan")


def run_method(method: str, path: Path, problem: VRPProblem, time_limit_s: float, seed: int) -> float:
    """Objective (reported units) of one method on one instance."""
    runners: dict[str, Callable[[], float]] = {
        "auto": lambda: solve_vrp(problem, time_limit_s=time_limit_s, seed=seed, params=VRPParams(engine="auto")).objective,
        "ortools": lambda: solve_vrp(problem, time_limit_s=time_limit_s, seed=seed, params=VRPParams(engine="ortools")).objective,
        "ortools-ils": lambda: solve_vrp(problem, time_limit_s=time_limit_s, seed=seed, params=VRPParams(engine="ortools", ortools=OrtoolsParams(metaheuristic="ils", first_solution="auto"))).objective,
        "ortools-gls": lambda: solve_vrp(problem, time_limit_s=time_limit_s, seed=seed, params=VRPParams(engine="ortools", ortools=OrtoolsParams(metaheuristic="gls", first_solution="auto"))).objective,
        "ortools-default": lambda: _ortools_default(problem, time_limit_s),
        "pyvrp": lambda: run_pyvrp_direct(path, problem, time_limit_s, seed),
    }
    return float(runners[method]())


def _ortools_default(problem: VRPProblem, time_limit_s: float) -> float:
    """OR-Tools with its own defaults (the peer baseline; the seed plays no part in it)."""
    from mmroute.routing.vrp.engine_ortools import solve_ortools
    from mmroute.routing.vrp.solution import VRPSolution

    routes, _ = solve_ortools(problem, time_limit_s=time_limit_s, seed=0, params=OrtoolsParams(metaheuristic="default"))
    report = check_vrp(problem, VRPSolution(routes=routes, objective=None))
    return report.objective if report.feasible else float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", dest="which", default="x", choices=("x", "solomon", "hfvrp", "abep"))
    ap.add_argument("--instances", help="comma-separated names (default: all of the set)")
    ap.add_argument("--max-n", type=int, default=200, help="largest number of customers (x, abep)")
    ap.add_argument("--limit", type=int, help="only the first N instances (smallest first)")
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance and method")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--methods", default=",".join(METHODS), help=f"comma-separated, from {ALL_METHODS}")
    ap.add_argument("--data", help="shared data folder (default ../shared/data)")
    ap.add_argument("--out", default="benchmarks/results/vrp.csv", help="CSV output (written atomically)")
    args = ap.parse_args(argv)

    from mmroute.io import write_text_atomic

    methods = [m for m in args.methods.split(",") if m]
    for m in methods:
        if m not in ALL_METHODS:
            ap.error(f"unknown method {m!r}")
    todo = instances(data_dir(args.data), args.which, args.max_n)
    if args.instances:
        wanted = set(args.instances.split(","))
        todo = [t for t in todo if t[0].stem in wanted]
    if args.limit:
        todo = todo[: args.limit]
    rounding = "dimacs" if args.which == "solomon" else "exact"
    rows = []
    for path, bks in todo:
        problem = read_instance(path, rounding=rounding)
        for m in methods:
            t0 = time.perf_counter()
            try:
                obj = run_method(m, path, problem, args.time_limit, args.seed)
            except Exception as exc:  # noqa: BLE001 - a failed run is a row, not a crash
                print(f"{path.stem} {m}: {type(exc).__name__}: {exc}", file=sys.stderr)
                obj = float("nan")
            dt = time.perf_counter() - t0
            gap = 100 * (obj - bks) / bks
            rows.append({"instance": path.stem, "n": problem.num_nodes - len(problem.depots), "bks": bks, "method": m,
                         "objective": round(obj, 4), "gap_pct": round(gap, 3), "time_s": round(dt, 2),
                         "time_limit_s": args.time_limit, "seed": args.seed})
            print(f"{path.stem:14s} {m:16s} {obj:12.2f} gap {gap:7.3f} %  {dt:6.1f} s", flush=True)
    header = list(rows[0]) if rows else ["instance"]
    lines = [",".join(header)] + [",".join(str(r[h]) for h in header) for r in rows]
    write_text_atomic(args.out, "\n".join(lines) + "\n")
    print_table(rows, methods)
    return 0


def print_table(rows: list[dict], methods: list[str]) -> None:
    """Markdown table: instance, BKS, gap % per method; mean gap and mean time last."""
    by_inst: dict[str, dict] = {}
    for r in rows:
        by_inst.setdefault(r["instance"], {"bks": r["bks"]})[r["method"]] = r
    print("\n| instance | BKS | " + " | ".join(f"{m} gap %" for m in methods) + " |")
    print("|---|---:|" + "---:|" * len(methods))
    for name, d in by_inst.items():
        print(f"| {name} | {d['bks']:g} | " + " | ".join(f"{d[m]['gap_pct']:.2f}" for m in methods) + " |")
    means = []
    times = []
    for m in methods:
        gaps = [r["gap_pct"] for r in rows if r["method"] == m and r["gap_pct"] == r["gap_pct"]]
        means.append(f"{statistics.mean(gaps):.2f}" if gaps else "n/a")
        times.append(f"{statistics.mean(r['time_s'] for r in rows if r['method'] == m):.1f}")
    print("| **mean** | | " + " | ".join(means) + " |")
    print("| mean time s | | " + " | ".join(times) + " |")


if __name__ == "__main__":
    sys.exit(main())
