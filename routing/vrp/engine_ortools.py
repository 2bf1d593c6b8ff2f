"""OR-Tools routing engine for every variant of :class:`VRPProblem`.

Phase order as in the OR-Tools samples: data -> index manager -> routing model -> transit
callbacks -> dimensions -> search parameters -> solve -> extract. Solver indices never leave
this module.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from mmroute.errors import InfeasibleError, SolverError
from mmroute.routing.vrp.problem import HORIZON_MAX, VRPProblem
from mmroute.routing.vrp.ruin_recreate import RuinRecreate, SisrParams, VehicleView
from mmroute.routing.vrp.solution import VRPRoute

__all__ = ["OrtoolsParams", "solve_ortools"]

Metaheuristic = Literal["lns", "gls", "ils", "default"]


# The defaults below were chosen by measurement on X instances (benchmarks/vrp.py). LNS against GLS alone at 20 s:
# X-n157-k13 4.24 -> 0.96 %, X-n176-k26 6.7 -> 3.5 %, X-n195-k51 5.30 -> 1.88 % (GLS stalls
# after a few seconds; the ruin-and-recreate keeps improving). GLS itself: portfolio of
# a savings (or parallel cheapest insertion) start and OR-Tools' automatic start. With OR-Tools 9.15 the routing library's iterated local search
# (``use_iterated_local_search`` with ruin-and-recreate, SISR or random-walk ruin) stopped at
# the first local optimum after 0.2-1 s and ended 0.02-1.2 points behind GLS; GLS opens the "lns" search.
# Switching off the insertion-based LNS operators lets GLS make several times more moves per
# second on single-type problems (6 X instances at 20 s: mean gap 4.81 % -> 3.91 %; 4 Solomon
# instances at 10 s: 2.29 % -> 1.69 %).
@dataclass(frozen=True)
class OrtoolsParams:
    """Search configuration.

    metaheuristic: ``"lns"`` (default) a short guided local search, then mmroute's large
    neighbourhood search — SISR ruin and blink insertion (:mod:`.ruin_recreate`) followed by
    OR-Tools' local search on the same model, simulated-annealing acceptance; ``"gls"`` guided
    local search for the whole time; ``"ils"`` the routing library's own iterated local search
    with ruin-and-recreate; ``"default"`` OR-Tools' own defaults (automatic first solution,
    greedy descent — the peer baseline of the benchmark). Pickup-and-delivery problems use
    ``"gls"`` in place of ``"lns"``.
    first_solution: a ``FirstSolutionStrategy`` name, ``"auto"`` (savings for CVRP-like
    problems, parallel cheapest insertion with pairs or windows) or ``"portfolio"``: two GLS
    runs of half the time each, from the ``"auto"`` start and from OR-Tools' ``AUTOMATIC``
    start, keeping the cheaper (GLS tends to stall in the basin of its start, and neither start
    wins everywhere).
    """

    metaheuristic: Metaheuristic = "lns"
    first_solution: str = "portfolio"
    use_full_propagation: bool = False
    # OR-Tools' insertion-based LNS operators: slow per move (see below); always kept for
    # problems with optional clients or pairs (they insert unperformed visits) and for mixed
    # fleets (measured: 3 HFVRP instances at 10 s, 3.3 % with them, 4.0 % without)
    insertion_lns: bool = False
    neighbors_ratio: float | None = None  # ls_operator_neighbors_ratio (None: OR-Tools default 1)
    min_neighbors: int | None = None  # ls_operator_min_neighbors
    # "lns": guided local search for this share of the time, then ruin-and-recreate
    lns_gls_share: float = 0.05
    lns_t0: float = 0.5  # annealing temperature at the start, times the mean cost per client
    lns_t1: float = 0.01  # ... and at the end
    sisr: SisrParams = SisrParams()




def _search_parameters(problem: VRPProblem, params: OrtoolsParams, time_limit_s: float, solution_limit: int | None):
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    sp = pywrapcp.DefaultRoutingSearchParameters()
    fss = routing_enums_pb2.FirstSolutionStrategy
    if params.metaheuristic != "default":
        name = params.first_solution
        if name == "auto":
            if problem.pickup_delivery or problem.has_time_windows:
                name = "PARALLEL_CHEAPEST_INSERTION"
            else:
                name = "SAVINGS"
        sp.first_solution_strategy = getattr(fss, name)
        if params.metaheuristic in ("gls", "lns"):
            sp.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        else:
            sp.use_iterated_local_search = True
            ils = sp.iterated_local_search_parameters
            ils.perturbation_strategy = ils.DESCRIPTOR.fields_by_name["perturbation_strategy"].enum_type.values_by_name["RUIN_AND_RECREATE"].number
            rr = ils.ruin_recreate_parameters
            del rr.ruin_strategies[:]
            sisr = rr.ruin_strategies.add().sisr  # slack induction by string removals
            sisr.max_removed_sequence_size = 10
            sisr.avg_num_removed_visits = 10
            sisr.bypass_factor = 0.01
    sp.use_full_propagation = params.use_full_propagation
    plain = (
        not problem.pickup_delivery
        and all(p is None for p in problem.drop_penalty)
        and len(problem.vehicle_types) == 1
    )
    if params.metaheuristic != "default" and not params.insertion_lns and plain:
        from ortools.util import optional_boolean_pb2

        ops = sp.local_search_operators
        for f in ops.DESCRIPTOR.fields:
            if "lns" in f.name or "cheapest_insertion" in f.name:
                setattr(ops, f.name, optional_boolean_pb2.BOOL_FALSE)
    if params.neighbors_ratio is not None:
        sp.ls_operator_neighbors_ratio = params.neighbors_ratio
    if params.min_neighbors is not None:
        sp.ls_operator_min_neighbors = params.min_neighbors
    ms = max(10, int(round(time_limit_s * 1000)))
    sp.time_limit.FromMilliseconds(ms)
    if solution_limit is not None:
        sp.solution_limit = int(solution_limit)
    return sp


def solve_ortools(
    problem: VRPProblem,
    *,
    time_limit_s: float,
    seed: int,
    initial: Sequence[VRPRoute] | None = None,
    max_iterations: int | None = None,
    params: OrtoolsParams | None = None,
) -> tuple[tuple[VRPRoute, ...], dict]:
    """Solve with OR-Tools routing; return routes (node ids) and run info.

    Same argument order as :func:`mmroute.routing.vrp.engine_pyvrp.solve_pyvrp`;
    ``params=None`` means ``OrtoolsParams()``.

    ``max_iterations`` caps the number of solutions the search accepts (OR-Tools'
    ``solution_limit``) and the ruin-and-recreate iterations: with it, a run that ends before
    the time limit is reproducible. ``seed`` drives the ruin-and-recreate choices only.

    ``metaheuristic="lns"``: guided local search (with the first-solution portfolio) for
    ``lns_gls_share`` of the time, or the warm start, then ruin-and-recreate with OR-Tools'
    local search for the rest (problems with pickup-and-delivery pairs keep guided local search).

    With a large or unlimited fleet, OR-Tools is given only as many vehicles per type as the
    total demand needs plus a margin (see :func:`_vehicle_counts`); if that finds nothing, the
    full fleet.
    """
    params = params or OrtoolsParams()
    if params.metaheuristic == "lns" and problem.pickup_delivery:
        params = replace(params, metaheuristic="gls")
    if params.metaheuristic == "lns":
        start = time.perf_counter()
        gls_info: dict = {}
        if not initial:
            initial, gls_info = solve_ortools(problem, time_limit_s=time_limit_s * params.lns_gls_share, seed=seed,
                                              max_iterations=max_iterations, params=replace(params, metaheuristic="gls"))
        remaining = max(0.1, time_limit_s - (time.perf_counter() - start))
        routes, info = _solve_capped_then_full(problem, remaining, replace(params, first_solution="auto"), initial, max_iterations, seed)
        return routes, {**info, "gls_objective": gls_info.get("engine_objective")}
    if params.first_solution == "portfolio" and params.metaheuristic != "default" and not initial:
        from mmroute.routing.vrp.check import check_vrp
        from mmroute.routing.vrp.solution import VRPSolution

        best = None
        for start in ("auto", "AUTOMATIC"):
            part = time_limit_s / 2
            try:
                routes, info = _solve_capped_then_full(problem, part, replace(params, first_solution=start), None, max_iterations, seed)
            except SolverError:
                continue
            cost = check_vrp(problem, VRPSolution(routes=routes, objective=None)).details["cost"]
            if best is None or cost < best[0]:
                best = (cost, routes, {**info, "first_solution": start})
        if best is None:
            raise SolverError(f"OR-Tools found no solution within {time_limit_s:g} s")
        return best[1], best[2]
    if params.first_solution == "portfolio":  # a warm start replaces the first solutions
        params = replace(params, first_solution="auto")
    return _solve_capped_then_full(problem, time_limit_s, params, initial, max_iterations, seed)


def _solve_capped_then_full(problem, time_limit_s, params, initial, max_iterations, seed):
    start = time.perf_counter()
    try:
        return _solve_ortools(problem, time_limit_s, params, initial, max_iterations, capped=True, seed=seed)
    except SolverError:
        if _vehicle_counts(problem, capped=True) == _vehicle_counts(problem, capped=False):
            raise
        remaining = max(0.1, time_limit_s - (time.perf_counter() - start))
        return _solve_ortools(problem, remaining, params, initial, max_iterations, capped=False, seed=seed)


def _vehicle_counts(problem: VRPProblem, capped: bool) -> list[int]:
    """Vehicles per type given to OR-Tools: at most one per client, and when ``capped`` (and
    the problem has no time constraints or pairs, where load says little about fleet size) at
    most ``ceil(1.3 * d / Q) + 2`` (``d / Q``: total positive demand over the type's capacity,
    the largest over load dimensions)."""
    n_clients = max(1, len(problem.clients))
    totals = [sum(q for q in row if q > 0) for row in problem.loads]
    counts = []
    for vt in problem.vehicle_types:
        c = min(vt.count, n_clients)
        caps = problem.capacities(vt)
        if capped and all(caps) and not problem.pickup_delivery and not problem.has_time_constraints:
            need = max(t / q for t, q in zip(totals, caps))
            c = min(c, math.ceil(1.3 * need) + 2)
        counts.append(c)
    return counts


@dataclass
class _Built:
    """An OR-Tools routing model built for one problem, and how its vehicles map back."""

    routing: object
    manager: object
    vehicle_type_of: list[int]
    vehicles: list[VehicleView]

    def routes_of(self, assignment) -> list[list[int]]:
        """Client node ids per OR-Tools vehicle in ``assignment``."""
        routing, manager = self.routing, self.manager
        out = []
        for v in range(len(self.vehicle_type_of)):
            index = assignment.Value(routing.NextVar(routing.Start(v)))
            visits = []
            while not routing.IsEnd(index):
                visits.append(manager.IndexToNode(index))
                index = assignment.Value(routing.NextVar(index))
            out.append(visits)
        return out

    def read(self, per_vehicle: Sequence[Sequence[int]]):
        """An assignment of the closed model from client node ids per vehicle, or None."""
        to_index = self.manager.NodeToIndex
        return self.routing.ReadAssignmentFromRoutes([[to_index(c) for c in r] for r in per_vehicle], True)

    def routes_out(self, per_vehicle: Sequence[Sequence[int]]) -> tuple[VRPRoute, ...]:
        return tuple(VRPRoute(visits=tuple(r), vehicle_type=self.vehicle_type_of[v]) for v, r in enumerate(per_vehicle) if r)


def _build(problem: VRPProblem, counts: list[int]) -> _Built:
    """Data -> index manager -> routing model -> callbacks -> dimensions (not yet closed)."""
    from ortools.constraint_solver import pywrapcp

    # ---- data: one OR-Tools vehicle per available vehicle
    vehicle_type_of: list[int] = []
    for k, c in enumerate(counts):
        vehicle_type_of += [k] * c
    if not vehicle_type_of:
        raise InfeasibleError("no vehicles available")
    vtypes = [problem.vehicle_types[k] for k in vehicle_type_of]
    starts = [vt.start_depot for vt in vtypes]
    ends = [vt.end_depot for vt in vtypes]
    n = problem.num_nodes

    # ---- index manager and model
    manager = pywrapcp.RoutingIndexManager(n, len(vtypes), starts, ends)
    routing = pywrapcp.RoutingModel(manager)

    # ---- transit callbacks: arc costs per distinct cost per distance unit
    dist = problem.distance.tolist()
    cost_cb: dict[int, int] = {}
    for v, vt in enumerate(vtypes):
        c = vt.cost_per_distance
        if c not in cost_cb:
            matrix = dist if c == 1 else [[c * x for x in row] for row in dist]
            cost_cb[c] = routing.RegisterTransitMatrix(matrix)
        routing.SetArcCostEvaluatorOfVehicle(cost_cb[c], v)
        if vt.fixed_cost:
            routing.SetFixedCostOfVehicle(vt.fixed_cost, v)

    # ---- load dimensions: cumulative load from 0, within [0, capacity]
    for dim, row in enumerate(problem.loads):
        demand_cb = routing.RegisterUnaryTransitVector(list(row))
        caps = [problem.capacities(vt)[dim] for vt in vtypes]
        routing.AddDimensionWithVehicleCapacity(demand_cb, 0, caps, True, f"load{dim}")

    # ---- time dimension: transit = service at the origin + travel time
    time_dim = None
    horizon = min(HORIZON_MAX, max([*problem.tw_late, *(vt.shift_end for vt in vtypes)]))
    views = []
    for v, vt in enumerate(vtypes):
        s, e = vt.start_depot, vt.end_depot
        lo = max(vt.shift_start, problem.tw_early[s])
        hi = min(problem.tw_late[s], horizon)
        if lo > hi:
            raise InfeasibleError(f"vehicle type {vehicle_type_of[v]}: its shift starts after depot {s} closes")
        end_hi = min(problem.tw_late[e], vt.shift_end, horizon)
        views.append(VehicleView(s, e, problem.capacities(vt), vt.cost_per_distance, vt.fixed_cost, lo, hi, end_hi, vt.max_duration))
    if problem.has_time_constraints or problem.pickup_delivery:
        svc = problem.service
        dur = problem.duration.tolist()
        tmatrix = [[svc[i] + dur[i][j] for j in range(n)] for i in range(n)]
        time_cb = routing.RegisterTransitMatrix(tmatrix)
        routing.AddDimension(time_cb, horizon, horizon, False, "time")
        time_dim = routing.GetDimensionOrDie("time")
        for node in problem.clients:
            time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(problem.tw_early[node], min(problem.tw_late[node], horizon))
        for v, vt in enumerate(vtypes):
            view = views[v]
            time_dim.CumulVar(routing.Start(v)).SetRange(view.start_lo, view.start_hi)
            time_dim.CumulVar(routing.End(v)).SetRange(view.start_lo, view.end_hi)
            if vt.max_duration < HORIZON_MAX:
                time_dim.SetSpanUpperBoundForVehicle(vt.max_duration, v)
            if vt.cost_per_time:
                time_dim.SetSpanCostCoefficientForVehicle(vt.cost_per_time, v)
            routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))
            routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(v)))

    # ---- pickup and delivery: same vehicle, pickup first
    solver = routing.solver()
    for p, d in problem.pickup_delivery:
        pi, di = manager.NodeToIndex(p), manager.NodeToIndex(d)
        routing.AddPickupAndDelivery(pi, di)
        solver.Add(routing.VehicleVar(pi) == routing.VehicleVar(di))
        solver.Add(time_dim.CumulVar(pi) <= time_dim.CumulVar(di))

    # ---- optional clients
    for node in problem.clients:
        pen = problem.drop_penalty[node]
        if pen is not None:
            routing.AddDisjunction([manager.NodeToIndex(node)], int(pen))
    return _Built(routing, manager, vehicle_type_of, views)


def _solve_ortools(problem, time_limit_s, params, initial, max_iterations, capped, seed):
    from ortools.constraint_solver import routing_enums_pb2

    counts = _vehicle_counts(problem, capped)
    if initial:  # the warm start's routes must fit
        for k in range(len(counts)):
            used = sum(1 for r in initial if r.visits and r.vehicle_type == k)
            counts[k] = max(counts[k], min(used, problem.vehicle_types[k].count))
    built = _build(problem, counts)
    routing = built.routing

    # ---- search
    start = time.perf_counter()
    lns = params.metaheuristic == "lns" and bool(initial)
    sp = _search_parameters(problem, params, time_limit_s, max_iterations)
    if lns:  # local search only (after a guided search the model refused every route read)
        sp.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
        # operators are fixed when the model is closed, i.e. here
        _switch_off(sp, _LNS_OFF if any(p is not None for p in problem.drop_penalty) else _LNS_OFF + _INACTIVE_OPS)
    if initial:
        routing.CloseModelWithParameters(sp)
        assignment0 = built.read(_assign_routes_to_vehicles(initial, built.vehicle_type_of))
        if assignment0 is None:
            raise SolverError("the initial solution is not accepted by the OR-Tools model (infeasible?)")
        assignment = routing.SolveFromAssignmentWithParameters(assignment0, sp)
    else:
        assignment = routing.SolveWithParameters(sp)
    status = routing.status()
    if assignment is None:
        if status == routing_enums_pb2.RoutingSearchStatus.ROUTING_INFEASIBLE:
            raise InfeasibleError("OR-Tools proved the problem infeasible")
        raise SolverError(f"OR-Tools found no solution within {time_limit_s:g} s (status {status})")
    per_vehicle = built.routes_of(assignment)
    objective = assignment.ObjectiveValue()
    info: dict = {}
    if lns:
        deadline = start + time_limit_s

        def rebuild() -> _Built:
            fresh = _build(problem, counts)
            fresh.routing.CloseModelWithParameters(sp)
            return fresh

        per_vehicle, objective, info = _ruin_recreate_search(problem, built, rebuild, params, per_vehicle, objective, deadline, seed, max_iterations)
    elapsed = time.perf_counter() - start
    info = {"engine_objective": objective, "engine_time_s": round(elapsed, 3), "ortools_status": int(status), **info}
    return built.routes_out(per_vehicle), info


#: Operators switched off in the local search after each recreate. relocate_expensive_chain
#: measured on X-n195-k51 (20 perturbations): 204 -> 73 ms per descent for 13 % less gain.
_LNS_OFF = ("use_relocate_expensive_chain",)
#: Operators that only move unperformed (optional) visits: no use without optional clients.
_INACTIVE_OPS = (
    "use_make_active",
    "use_make_inactive",
    "use_make_chain_inactive",
    "use_swap_active",
    "use_swap_active_chain",
    "use_shortest_path_swap_active",
    "use_shortest_path_two_opt",
)


def _switch_off(sp, names) -> None:
    from ortools.util import optional_boolean_pb2

    for name in names:
        setattr(sp.local_search_operators, name, optional_boolean_pb2.BOOL_FALSE)


def _ruin_recreate_search(problem, built: _Built, rebuild, params, per_vehicle, objective, deadline, seed, max_iterations):
    """Large neighbourhood search: SISR ruin + blink insertion (Python), then OR-Tools' local
    search (greedy descent) on the same closed model; simulated-annealing acceptance with a
    temperature that falls from ``params.lns_t0`` to ``params.lns_t1`` times the mean cost per
    client (over ``max_iterations`` iterations when given, else over the time left). ``rebuild()`` returns a fresh closed model of the same problem. Returns the best routes
    per vehicle, their objective and run counters."""
    import random

    from ortools.constraint_solver import routing_enums_pb2

    rng = random.Random(seed)
    rr = RuinRecreate(problem, built.vehicles, rng, params.sisr)
    sp = _search_parameters(problem, params, 1.0, None)
    sp.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    current, cur_obj = per_vehicle, objective
    best, best_obj = per_vehicle, objective
    per_client = objective / max(1, len(problem.clients))
    t_first, t_last = params.lns_t0 * per_client, params.lns_t1 * per_client
    begin = time.perf_counter()
    span = max(1e-9, deadline - begin)
    iterations = accepted = improved = failed = rebuilds = 0
    while True:
        now = time.perf_counter()
        if now >= deadline or (max_iterations is not None and iterations >= max_iterations):
            break
        iterations += 1
        cand = rr.perturb(current)
        if cand is None:
            failed += 1
            continue
        sp.time_limit.FromMilliseconds(max(10, int(1000 * (deadline - now))))
        a = _descend(built, cand, sp)
        if a is None:
            # a model that has already searched may refuse routes that are feasible (seen with
            # mixed fleets: complete, checked routes rejected); a fresh model accepts them
            built = rebuild()
            rebuilds += 1
            a = _descend(built, cand, sp)
            if a is None:
                failed += 1
                continue
        obj = a.ObjectiveValue()
        # cooling by iterations when they are capped (same seed -> same run, whatever the
        # machine's load), else by elapsed wall time
        done = (iterations / max_iterations if max_iterations is not None
                else (now - begin) / span)
        temp = t_first * (t_last / t_first) ** min(1.0, done)
        if obj < cur_obj or rng.random() < math.exp(-(obj - cur_obj) / max(temp, 1e-9)):
            current, cur_obj = built.routes_of(a), obj
            accepted += 1
            if obj < best_obj:
                best, best_obj = current, obj
                improved += 1
    return best, best_obj, {"lns_iterations": iterations, "lns_accepted": accepted, "lns_improved": improved, "lns_failed": failed, "lns_rebuilds": rebuilds}


def _descend(built: _Built, per_vehicle, sp):
    """OR-Tools' local search from the given routes on ``built``; the assignment or None."""
    a0 = built.read(per_vehicle)
    return None if a0 is None else built.routing.SolveFromAssignmentWithParameters(a0, sp)


def _assign_routes_to_vehicles(initial: Sequence[VRPRoute], vehicle_type_of: list[int]) -> list[list[int]]:
    """Client node ids per OR-Tools vehicle: each route on the next free vehicle of its type."""
    free: dict[int, list[int]] = {}
    for v, k in enumerate(vehicle_type_of):
        free.setdefault(k, []).append(v)
    per_vehicle: list[list[int]] = [[] for _ in vehicle_type_of]
    for r in initial:
        if not r.visits:
            continue
        if not free.get(r.vehicle_type):
            raise SolverError(f"the initial solution uses more vehicles of type {r.vehicle_type} than available")
        per_vehicle[free[r.vehicle_type].pop(0)] = list(r.visits)
    return per_vehicle
