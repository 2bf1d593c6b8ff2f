"""Exact VRPTW solver with a proven bound: CP-SAT over a directed arc model with time windows.

Scope: one depot, one vehicle type (homogeneous fleet of ``count`` vehicles that start and
end at the depot), time windows, service times, capacity (every load dimension), asymmetric
distances and travel times. Costs: ``fixed_cost`` per used vehicle + ``cost_per_distance`` per
distance unit. Not handled (refused with :class:`InputError`): several depots or vehicle types,
time-dependent costs, route-duration limits, pickup-and-delivery pairs, optional clients.

Method (OR-Tools' CP-SAT only):

1. Pre-processing (all integer, problem units; no triangle inequality assumed, so truncated
   or asymmetric matrices are safe): the depot's window is its first departure and latest
   return (shift included); an arc ``i -> j`` is removed when ``e_i + s_i + t_ij > l_j`` or
   when ``q_i + q_j`` exceeds the capacity; the windows are then tightened over the remaining
   arcs (``e_j >= min over predecessors i of e_i + s_i + t_ij``, ``l_j <= max over successors
   k of l_k - s_j - t_jk``), repeatedly until nothing changes. A client left with an empty
   window or without an incoming or outgoing arc proves the problem infeasible.
2. Upper bound and warm start from the heuristic (:func:`solve_vrp`, PyVRP).
3. CP-SAT model: a Boolean ``x_ij`` per remaining arc inside ``AddMultipleCircuit`` (every
   client on exactly one depot circuit), service-start times ``T_j >= T_i + s_i + t_ij`` and
   loads ``L_j >= L_i + q_j`` enforced by ``x_ij``, at most ``count`` arcs out of the depot and
   at least ``ceil(q(N) / Q)``, objective ``sum c_ij x_ij <= UB``, hint = the incumbent.
   CP-SAT's LP relaxation adds its routing cuts (subtour / capacity-like cuts on the circuit);
   the search proves optimality or ends with its best objective bound.

The objective is an integer in problem units, so ``status == "optimal"`` exactly when the
proven bound equals the objective. ``bound`` is CP-SAT's best objective bound, rounded up to
an integer (valid: every solution has an integer cost), never above the objective.

Measured on the Solomon 25-customer instances (DIMACS distances, one CP-SAT thread on a
loaded 2-core machine; ``benchmarks/vrptw_exact.py``, ``benchmarks/results/vrptw_exact_*.csv``):
46 of 56 certified within 60 s (all of C1, C2 and RC1, R1 but R110 and R112; most in under
2 s); with 120 s, R112 and R207 are certified too. The published optima (C101 191.3, R101 617.1, RC101 461.1,
...) are reproduced exactly. Wide windows (R2, RC2) leave the largest gaps.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from mmroute import validate
from mmroute.errors import InfeasibleError, InputError, SolverError
from mmroute.interrupt import stoppable
from mmroute.routing.vrp.arguments import solver_arguments
from mmroute.routing.vrp.check import check_vrp
from mmroute.routing.vrp.problem import HORIZON_MAX, VRPProblem
from mmroute.routing.vrp.solution import VRPRoute, VRPSolution

__all__ = ["ExactTWParams", "TWPreprocess", "preprocess_time_windows", "solve_vrptw_exact", "vrptw_unsupported"]


@dataclass(frozen=True)
class ExactTWParams:
    """Settings of :func:`solve_vrptw_exact`.

    heuristic_time_s: seconds of PyVRP for the upper bound (None: 0.05 s per client, between
    0.2 and 2 s, at most a fifth of the limit); num_workers: CP-SAT threads; linearization_level:
    CP-SAT's LP (2: the enforced time and load constraints enter the LP, tightened by the
    pre-processed windows); subsolvers: CP-SAT worker names; max_prop_rounds: window
    propagation rounds; log_search: CP-SAT's log on stdout; sat_parameters: further CP-SAT
    settings as (name, value) pairs (a wrong name raises :class:`InputError`). CP-SAT's own
    infeasible-path cuts did not close wide-window gaps: RC202 at 45 s, bound 296.9 by default,
    299.1 with ``routing_cut_max_infeasible_path_length=12``, 296.9 with ``routing_cut_dp_effort=1e8``.

    Defaults measured on Solomon 25-customer instances (seconds to proof, or bound at the limit):
    one worker beats two on 2 cores (R103: 20.8 s vs bound 347.9 at 30 s); level 2 beats
    level 1 on wide windows (C204: 2.6 s vs bound 164.5 at 40 s) and loses a little on tight
    ones (R103: 31.8 s vs 19.5 s); at level 1, R104 ends at bound 338.5 after 45 s (level 2:
    certified in 55 s). Larger routing-cut subsets (``routing_cut_subset_size_for_*``) did
    not help (R104, R203 at 45 s).
    """

    heuristic_time_s: float | None = None
    num_workers: int = 1
    linearization_level: int = 2
    subsolvers: tuple[str, ...] = ()  # CP-SAT full-solve workers by name; () = CP-SAT's choice
    max_prop_rounds: int = 50
    log_search: bool = False
    sat_parameters: tuple[tuple[str, float | int | bool], ...] = ()  # further (name, value) CP-SAT settings


@dataclass(frozen=True)
class TWPreprocess:
    """Result of :func:`preprocess_time_windows`, in problem time units.

    early/late: tightened service-start windows per node (the depot's are its departure
    window and the latest return); arcs: the arcs ``(i, j)`` that can be on a feasible route.
    """

    early: tuple[int, ...]
    late: tuple[int, ...]
    arcs: tuple[tuple[int, int], ...]


def vrptw_unsupported(problem: VRPProblem) -> str | None:
    """Why :func:`solve_vrptw_exact` cannot take ``problem``, or ``None`` if it can."""
    if len(problem.depots) != 1:
        return "several depots"
    if len(problem.vehicle_types) != 1:
        return "several vehicle types"
    vt = problem.vehicle_types[0]
    depot = problem.depots[0]
    if vt.start_depot != depot or vt.end_depot != depot:
        return "vehicles that do not start and end at the depot"
    if vt.cost_per_time != 0:
        return "time-dependent costs (cost_per_time)"
    if vt.max_duration < HORIZON_MAX:
        return "a maximum route duration"
    if problem.pickup_delivery:
        return "pickup-and-delivery pairs"
    if any(p is not None for p in problem.drop_penalty):
        return "optional clients"
    return None


def preprocess_time_windows(problem: VRPProblem, max_rounds: int = 50) -> TWPreprocess:
    """Tighten the windows and drop arcs no feasible route can use (see the module docstring).

    Raises :class:`InfeasibleError` when a client cannot be served at all.
    """
    depot = problem.depots[0]
    vt = problem.vehicle_types[0]
    n = problem.num_nodes
    t, s = problem.duration, problem.service
    caps = problem.capacities(vt)
    loads = problem.loads
    early = list(problem.tw_early)
    late = list(problem.tw_late)
    early[depot] = max(early[depot], vt.shift_start)
    late[depot] = min(late[depot], vt.shift_end)  # latest return
    clients = [i for i in range(n) if i != depot]
    name = problem.name or "problem"
    for j in clients:
        if early[j] > late[j]:
            raise InfeasibleError(f"{name}: client {j} has an empty time window [{early[j]}, {late[j]}]")
        if any(row[j] > c for row, c in zip(loads, caps)):
            raise InfeasibleError(f"{name}: client {j} demand exceeds the vehicle capacity")
    succ: dict[int, set[int]] = {i: set() for i in range(n)}
    for i in clients:
        succ[depot].add(i)
        succ[i].add(depot)
        for j in clients:
            if i != j and all(row[i] + row[j] <= c for row, c in zip(loads, caps)):
                succ[i].add(j)
    for _ in range(max_rounds):
        changed = False
        for i in range(n):  # drop arcs that cannot respect the windows (the depot's: from its opening)
            for j in list(succ[i]):
                if j != depot and early[i] + s[i] + int(t[i, j]) > late[j]:
                    succ[i].discard(j)
                    changed = True
        pred: dict[int, list[int]] = {j: [] for j in range(n)}
        for i, js in succ.items():
            for j in js:
                pred[j].append(i)
        for j in clients:
            if not pred[j] or not succ[j]:
                raise InfeasibleError(f"{name}: client {j} has no feasible predecessor or successor within the time windows")
            # earliest service: at least the earliest arrival from any predecessor (the depot's
            # early value is the first departure); no triangle inequality is assumed
            e_new = max(early[j], min(early[i] + s[i] + int(t[i, j]) for i in pred[j]))
            # latest service: late enough to reach some successor in its window
            l_new = min(late[j], max(late[k] - s[j] - int(t[j, k]) for k in succ[j]))
            if (e_new, l_new) != (early[j], late[j]):
                early[j], late[j] = e_new, l_new
                changed = True
            if early[j] > late[j]:
                raise InfeasibleError(f"{name}: client {j} cannot be served within its time window (after propagation)")
        if not changed:
            break
    arcs = tuple((i, j) for i in range(n) for j in sorted(succ[i]))
    return TWPreprocess(early=tuple(early), late=tuple(late), arcs=arcs)


def _routes_from_succ(succ: dict[int, list[int]], depot: int) -> tuple[VRPRoute, ...]:
    routes = []
    for first in succ.get(depot, []):
        visits = []
        cur = first
        while cur != depot:
            visits.append(cur)
            cur = succ[cur][0]
        routes.append(VRPRoute(visits=tuple(visits)))
    return tuple(routes)


def solve_vrptw_exact(
    problem: VRPProblem,
    *,
    time_limit_s: float,
    seed: int,
    params: ExactTWParams | None = None,
    initial: VRPSolution | Sequence[VRPRoute] | None = None,
) -> VRPSolution:
    """Solve a single-depot VRPTW to proven optimality, or return the best solution and a bound.

    time_limit_s: wall-clock seconds for the whole run (heuristic + proof). Returns a checked
    :class:`VRPSolution`: ``objective`` and ``bound`` in reported units (cost / ``scale``),
    ``status`` ``"optimal"`` when bound == objective, else ``"timeout"`` (``gap`` > 0).
    Raises :class:`InputError` for unsupported problems or an infeasible warm start,
    :class:`InfeasibleError` when the windows, capacity and fleet admit no solution, and
    :class:`SolverError` when no solution is found within the time limit.

    Phases: upper bound (:func:`_tw_upper_bound`), build (:func:`_build_tw_model`), solve
    (:func:`_solve_tw_model`), extract (:func:`_extract_tw`).
    """
    params = validate.params_of(params, ExactTWParams)
    time_limit_s, seed = solver_arguments(problem, time_limit_s, seed, initial)
    validate.number(params.heuristic_time_s, "params.heuristic_time_s", lo=0.0, lo_open=True, nullable=True)
    why = vrptw_unsupported(problem)
    if why:
        raise InputError(f"the exact VRPTW solver does not handle {why}")
    start_clock = time.perf_counter()
    deadline = start_clock + time_limit_s
    name = problem.name or "problem"
    depot = problem.depots[0]
    vt = problem.vehicle_types[0]
    clients = [i for i in range(problem.num_nodes) if i != depot]
    if not clients:
        return VRPSolution(routes=(), objective=0.0, status="optimal", bound=0.0, solver="mmroute-exact-tw(cp-sat)", seed=seed, instance=problem.name)
    caps = problem.capacities(vt)
    min_routes = max(1, max(math.ceil(sum(row[i] for i in clients) / c) if c > 0 else 1 for row, c in zip(problem.loads, caps)))
    max_routes = min(vt.count, len(clients))
    if min_routes > max_routes:
        raise InfeasibleError(f"{name}: needs at least {min_routes} vehicles, {max_routes} available")
    pre = preprocess_time_windows(problem, params.max_prop_rounds)
    best_routes, ub = _tw_upper_bound(problem, initial, params, time_limit_s, seed)
    m, x = _build_tw_model(problem, pre, min_routes, max_routes, best_routes, ub)
    solver, status = _solve_tw_model(m, params, deadline, seed)
    return _extract_tw(problem, pre, x, solver, status, best_routes, ub, max_routes, time_limit_s, start_clock, seed)


def _tw_upper_bound(problem: VRPProblem, initial: VRPSolution | Sequence[VRPRoute] | None, params: ExactTWParams,
                    time_limit_s: float, seed: int) -> tuple[tuple[VRPRoute, ...] | None, int | None]:
    """The checked warm start, else the heuristic's solution: (routes, cost in problem units),
    or ``(None, None)`` when the heuristic finds nothing (CP-SAT alone decides)."""
    if initial is not None:
        routes0 = tuple(initial.routes) if isinstance(initial, VRPSolution) else tuple(initial)
        rep0 = check_vrp(problem, VRPSolution(routes=routes0, objective=None))
        if not rep0.feasible:
            raise InputError(f"the initial solution is infeasible: {rep0.reason}", field="initial")
        return routes0, rep0.details["cost"]
    # local import: solve.py imports the heuristic engines
    from mmroute.routing.vrp.solve import solve_vrp

    h_time = params.heuristic_time_s
    if h_time is None:
        h_time = min(2.0, max(0.2, 0.05 * len(problem.clients)))
    h_time = min(h_time, max(0.1, 0.2 * time_limit_s))
    try:
        heur = solve_vrp(problem, time_limit_s=h_time, seed=seed)
    except SolverError:
        return None, None
    rep0 = check_vrp(problem, VRPSolution(routes=tuple(heur.routes), objective=None))
    if not rep0.feasible:
        return None, None
    return tuple(heur.routes), rep0.details["cost"]


def _build_tw_model(problem: VRPProblem, pre: TWPreprocess, min_routes: int, max_routes: int,
                    best_routes: tuple[VRPRoute, ...] | None, ub: int | None):
    """The CP-SAT arc model (module docstring), hinted with and bounded by the incumbent;
    returns (model, arc literals)."""
    from ortools.sat.python import cp_model

    depot = problem.depots[0]
    vt = problem.vehicle_types[0]
    clients = [i for i in range(problem.num_nodes) if i != depot]
    caps, loads = problem.capacities(vt), problem.loads
    t, s = problem.duration, problem.service
    cost = {(i, j): vt.cost_per_distance * int(problem.distance[i, j]) + (vt.fixed_cost if i == depot else 0) for i, j in pre.arcs}
    m = cp_model.CpModel()
    x = {(i, j): m.new_bool_var(f"x_{i}_{j}") for i, j in pre.arcs}
    m.add_multiple_circuit([(i, j, v) for (i, j), v in x.items()])
    T = {i: m.new_int_var(pre.early[i], pre.late[i], f"T_{i}") for i in clients}
    L = [{i: m.new_int_var(row[i], c, f"L{k}_{i}") for i in clients} for k, (row, c) in enumerate(zip(loads, caps))]
    for (i, j), v in x.items():
        if i == depot:
            m.add(T[j] >= pre.early[depot] + s[depot] + int(t[depot, j])).only_enforce_if(v)
            continue
        if j == depot:
            m.add(T[i] + s[i] + int(t[i, depot]) <= pre.late[depot]).only_enforce_if(v)
            continue
        m.add(T[j] >= T[i] + s[i] + int(t[i, j])).only_enforce_if(v)
        for k, row in enumerate(loads):
            if any(r > 0 for r in row):
                m.add(L[k][j] >= L[k][i] + row[j]).only_enforce_if(v)
    out_depot = [v for (i, _), v in x.items() if i == depot]
    m.add(sum(out_depot) <= max_routes)
    m.add(sum(out_depot) >= min_routes)
    objective = sum(c * x[a] for a, c in cost.items())
    m.minimize(objective)
    if ub is not None and best_routes is not None:
        m.add(objective <= ub)
        used = {(a, b) for r in best_routes for a, b in zip((depot, *r.visits), (*r.visits, depot))}
        for a, v in x.items():
            m.add_hint(v, a in used)
        for r in best_routes:
            tt = pre.early[depot]
            prev = depot
            for v_ in r.visits:
                tt = max(tt + s[prev] + int(t[prev, v_]), pre.early[v_])
                m.add_hint(T[v_], min(tt, pre.late[v_]))
                prev = v_
    return m, x


def _solve_tw_model(m, params: ExactTWParams, deadline: float, seed: int):
    """Run CP-SAT until ``deadline`` (perf_counter seconds); returns (solver, status)."""
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    remaining = deadline - time.perf_counter()
    solver.parameters.max_time_in_seconds = max(0.1, remaining)
    solver.parameters.num_workers = params.num_workers
    solver.parameters.linearization_level = params.linearization_level
    solver.parameters.random_seed = seed
    solver.parameters.log_search_progress = params.log_search
    for key, value in params.sat_parameters:
        try:
            setattr(solver.parameters, key, value)
        except (AttributeError, TypeError, ValueError) as exc:
            raise InputError(f"not a CP-SAT parameter or not a valid value: {key}={value!r} ({exc})", field="sat_parameters") from exc
    if params.subsolvers:
        solver.parameters.subsolvers.extend(params.subsolvers)
    solver.parameters.catch_sigint_signal = False  # SIGINT stays with Python (mmroute.interrupt)
    with stoppable(solver.stop_search):
        status = solver.solve(m)
    return solver, status


def _extract_tw(problem: VRPProblem, pre: TWPreprocess, x, solver, status, best_routes: tuple[VRPRoute, ...] | None,
                ub: int | None, max_routes: int, time_limit_s: float, start_clock: float, seed: int) -> VRPSolution:
    """The better of CP-SAT's routes and the incumbent, with CP-SAT's bound, certified."""
    from ortools.sat.python import cp_model as st

    from mmroute.routing.vrp.exact import certified_solution

    name = problem.name or "problem"
    depot = problem.depots[0]
    heuristic_ub = ub
    if status == st.INFEASIBLE:
        if ub is None:
            raise InfeasibleError(f"{name}: no set of at most {max_routes} routes respects the time windows and capacities")
        raise SolverError(f"internal error: the exact VRPTW model rejects a checked solution of cost {ub}")
    if status in (st.OPTIMAL, st.FEASIBLE):
        succ: dict[int, list[int]] = {}
        for (i, j), v in x.items():
            if solver.boolean_value(v):
                succ.setdefault(i, []).append(j)
        routes = _routes_from_succ(succ, depot)
        rep = check_vrp(problem, VRPSolution(routes=routes, objective=None))
        if rep.feasible and (ub is None or rep.details["cost"] < ub):
            best_routes, ub = routes, rep.details["cost"]
    if best_routes is None or ub is None:
        raise SolverError(f"{name}: no feasible solution found in {time_limit_s:g} s")
    # every solution costs an integer, so the bound rounds up; OPTIMAL gives bound == objective
    lb = solver.best_objective_bound
    bound_int = min(ub, max(0, math.ceil(lb - 1e-6))) if math.isfinite(lb) else 0  # costs are >= 0
    return certified_solution(
        problem,
        best_routes,
        bound_int,
        time.perf_counter() - start_clock,
        solver="mmroute-exact-tw(cp-sat)",
        seed=seed,
        info={
            "arcs": len(pre.arcs),
            "cp_sat_status": solver.status_name(status),
            "cp_sat_wall_s": round(solver.wall_time, 2),
            "heuristic_ub": None if heuristic_ub is None else heuristic_ub / problem.scale,
            "routes": len(best_routes),
        },
    )

