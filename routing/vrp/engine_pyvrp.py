"""PyVRP engine: translate a :class:`VRPProblem` to ``pyvrp.ProblemData`` and back.

Covers CVRP, VRPTW, multi-depot, mixed fleet (fixed, distance and time costs), shift
windows, maximum route duration and optional clients. Pickup-and-delivery pairs are left to
the OR-Tools engine (see :func:`pyvrp_supports`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from mmroute.errors import InputError
from mmroute.routing.vrp.problem import HORIZON_MAX, VRPProblem
from mmroute.routing.vrp.solution import VRPRoute

__all__ = ["pyvrp_supports", "solve_pyvrp", "to_pyvrp_data"]


def pyvrp_supports(problem: VRPProblem) -> str | None:
    """``None`` when PyVRP can express ``problem``, else the reason it cannot."""
    if problem.pickup_delivery:
        return "pickup-and-delivery pairs"
    return None


def to_pyvrp_data(problem: VRPProblem):  # -> pyvrp.ProblemData
    """Build PyVRP's problem data: one location per node, depots first in PyVRP's lists."""
    import pyvrp

    reason = pyvrp_supports(problem)
    if reason:
        raise InputError(f"the pyvrp engine does not support {reason}; use engine='ortools'")
    n = problem.num_nodes
    xy = problem.coords if problem.coords is not None else np.zeros((n, 2))
    locations = [pyvrp.Location(float(x), float(y)) for x, y in xy]
    depot_pos = {d: k for k, d in enumerate(problem.depots)}
    depots = [
        pyvrp.Depot(d, tw_early=problem.tw_early[d], tw_late=problem.tw_late[d], service_duration=problem.service[d])
        for d in problem.depots
    ]
    clients = []
    for i in problem.clients:
        pen = problem.drop_penalty[i]
        clients.append(
            pyvrp.Client(
                i,
                pickup=[row[i] for row in problem.loads],
                service_duration=problem.service[i],
                tw_early=problem.tw_early[i],
                tw_late=problem.tw_late[i],
                prize=0 if pen is None else pen,
                required=pen is None,
            )
        )
    vtypes = []
    for vt in problem.vehicle_types:
        start, end = vt.start_depot, vt.end_depot
        vtypes.append(
            pyvrp.VehicleType(
                num_available=max(1, min(vt.count, len(problem.clients))) if vt.count else 0,
                capacity=list(problem.capacities(vt)),
                start_depot=depot_pos[start],
                end_depot=depot_pos[end],
                fixed_cost=vt.fixed_cost,
                tw_early=max(vt.shift_start, problem.tw_early[start]),
                tw_late=min(vt.shift_end, problem.tw_late[end], HORIZON_MAX),
                shift_duration=min(vt.max_duration, HORIZON_MAX),
                unit_distance_cost=vt.cost_per_distance,
                unit_duration_cost=vt.cost_per_time,
            )
        )
    vtypes = [v for v in vtypes if v.num_available > 0] if any(v.num_available for v in vtypes) else vtypes
    dist = np.ascontiguousarray(problem.distance, dtype=np.int64)
    dur = np.ascontiguousarray(problem.duration, dtype=np.int64)
    return pyvrp.ProblemData(locations, clients, depots, vtypes, [dist], [dur])


def solve_pyvrp(
    problem: VRPProblem,
    *,
    time_limit_s: float,
    seed: int,
    initial: Sequence[VRPRoute] | None = None,
    max_iterations: int | None = None,
) -> tuple[tuple[VRPRoute, ...], dict]:
    """Run PyVRP's iterated local search; return routes (node ids) and run info.

    Same argument order as :func:`mmroute.routing.vrp.engine_ortools.solve_ortools` (which
    also takes ``params``).

    Stops at ``time_limit_s`` seconds or after ``max_iterations`` iterations, whichever
    comes first; only an iteration limit makes a run reproducible across machine loads.
    """
    import pyvrp
    from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

    if any(vt.count == 0 for vt in problem.vehicle_types):
        # keep type numbering stable: PyVRP rejects zero-sized types, so drop them and map back
        kept = [k for k, vt in enumerate(problem.vehicle_types) if vt.count > 0]
    else:
        kept = list(range(len(problem.vehicle_types)))
    data = to_pyvrp_data(problem)
    client_nodes = problem.clients
    client_index = {node: k for k, node in enumerate(client_nodes)}
    stops = [MaxRuntime(max(0.01, float(time_limit_s)))]
    if max_iterations is not None:
        stops.append(MaxIterations(int(max_iterations)))
    stop = stops[0] if len(stops) == 1 else MultipleCriteria(stops)
    init = None
    if initial:
        type_pos = {k: j for j, k in enumerate(kept)}
        routes = [
            pyvrp.Route(data, [client_index[v] for v in r.visits], type_pos[r.vehicle_type])
            for r in initial
            if r.visits
        ]
        init = pyvrp.Solution(data, routes)
    # PyVRP caps its penalty per unit of excess load / time warp at 1e5 by default; with large
    # cost scales (HFVRP x 10^4, scenarios in 1e-5 CNY) a unit of excess must still cost more
    # than any arc, or the search settles on infeasible solutions.
    max_cost = max(vt.cost_per_distance for vt in problem.vehicle_types) * int(problem.distance.max()) + max(
        vt.fixed_cost for vt in problem.vehicle_types
    )
    params = pyvrp.SolveParams(penalty=pyvrp.PenaltyParams(max_penalty=max(1e5, 10.0 * max_cost)))
    start = time.perf_counter()
    result = pyvrp.solve(data, stop, seed=int(seed), collect_stats=False, display=False, params=params, initial_solution=init)
    elapsed = time.perf_counter() - start
    best = result.best
    routes_out = []
    for route in best.routes():
        visits = tuple(client_nodes[a.idx] for a in route if a.is_client())
        if visits:
            routes_out.append(VRPRoute(visits=visits, vehicle_type=kept[route.vehicle_type()]))
    info = {
        "engine_feasible": bool(best.is_feasible()),
        "iterations": int(result.num_iterations),
        "engine_time_s": round(elapsed, 3),
    }
    return tuple(routes_out), info
