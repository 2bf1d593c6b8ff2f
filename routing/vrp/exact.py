"""Exact CVRP solver with a proven bound: two-index formulation, rounded capacity cuts.

Method (OR-Tools' solvers only: GLOP for the root LP, SCIP through MathOpt for the tree):

1. Upper bound and warm start from the heuristic (:func:`solve_vrp`, PyVRP).
2. Root: solve the LP relaxation (GLOP), separate violated rounded capacity inequalities
   (connected components, greedy growth, exact fractional capacity cuts by max-flow; when
   these find none, exact RCI separation by small MIPs, one per right-hand side, within a
   share of the time limit), add them, repeat until none is found.
3. Integer phase (``method="callback"``, default): one SCIP branch-and-bound tree through
   OR-Tools MathOpt with every root cut, objective cutoff at the upper bound, and a lazy-
   constraint callback that checks each integer solution (components of its support: subtours
   and overloaded routes) and adds the violated RCIs. ``method="loop"`` instead re-solves the
   MIP (pywraplp) after adding the cuts an integer solution violates, until it has none.

Every MIP bound is a valid lower bound (the MIP is a relaxation of the CVRP). The status is
``"optimal"`` only when the bound reaches the objective; otherwise ``"timeout"`` with the gap.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from dataclasses import dataclass, field

from mmroute import validate
from mmroute.errors import InfeasibleError, InputError, SolverError
from mmroute.interrupt import SCIP_NO_CTRLC, stoppable
from mmroute.routing.vrp.arguments import solver_arguments
from mmroute.routing.vrp.check import check_vrp
from mmroute.routing.vrp.exact_tw import ExactTWParams, solve_vrptw_exact, vrptw_unsupported
from mmroute.routing.vrp.problem import VRPProblem
from mmroute.routing.vrp.separation import Edge, exact_rci_sets, violated_rcis
from mmroute.routing.vrp.solution import VRPRoute, VRPSolution
from mmroute.routing.vrp.solve import VRPParams, presolve_infeasibility, solve_vrp

__all__ = ["ExactParams", "solve_vrp_exact"]


@dataclass(frozen=True)
class ExactParams:
    """Settings of :func:`solve_vrp_exact`: heuristic_time_s for the upper bound;
    max_root_rounds of LP cut separation; mip_solver: the pywraplp backend of the ``"loop"``
    method (``"SCIP"`` or ``"CBC"``); tw: the settings used when the problem goes to
    :func:`solve_vrptw_exact` (time windows, asymmetric distances, fixed costs)."""

    heuristic_time_s: float | None = None  # None: 0.05 s per customer, between 0.2 and 2 s
    max_root_rounds: int = 200
    mip_solver: str = "SCIP"
    exact_separation: bool = True  # exact RCI separation by MIP when the heuristics find none
    exact_separation_share: float = 0.25  # of the time limit, at most, spent on the root loop
    # below this size the tree closes the gap faster than the separation MIPs (E-n13-k4: 1.4 s
    # without, 8 s with; A-n34-k5: timeout at 120 s without, 48 s with)
    exact_separation_min_clients: int = 20
    # tailing off: stop the root loop when the last ``tail_rounds`` rounds raised the LP bound by
    # less than ``tail_rel`` (relative) in total
    tail_rounds: int = 6
    tail_rel: float = 0.001
    method: str = "callback"  # "callback": one SCIP tree with lazy RCIs (MathOpt); "loop": re-solve
    tw: ExactTWParams = field(default_factory=ExactTWParams)


class _Model:
    """The two-index model over one pywraplp solver (LP or MIP)."""

    def __init__(self, backend: str, problem: VRPProblem, integer: bool, max_routes: int, min_routes: int):
        from ortools.linear_solver import pywraplp

        self.solver = pywraplp.Solver.CreateSolver(backend)
        if self.solver is None:
            raise InputError(f"OR-Tools MIP backend {backend!r} is not available", field="mip_solver")
        if backend.upper() == "SCIP":
            self.solver.SetSolverSpecificParametersAsString(SCIP_NO_CTRLC)  # SIGINT stays with Python
        depot = problem.depots[0]
        n = problem.num_nodes
        dist = problem.distance
        self.x: dict[Edge, object] = {}
        for i in range(n):
            for j in range(i + 1, n):
                ub = 2 if depot in (i, j) else 1
                name = f"x_{i}_{j}"
                var = self.solver.IntVar(0, ub, name) if integer else self.solver.NumVar(0, ub, name)
                self.x[(i, j)] = var
        obj = self.solver.Objective()
        for (i, j), var in self.x.items():
            obj.SetCoefficient(var, float(dist[i, j]))
        obj.SetMinimization()
        for i in range(n):
            terms = [v for (a, b), v in self.x.items() if i in (a, b)]
            if i == depot:
                self.solver.Add(sum(terms) >= 2 * min_routes)
                self.solver.Add(sum(terms) <= 2 * max_routes)
            else:
                self.solver.Add(sum(terms) == 2)

    def add_rci(self, S: frozenset[int], demand, capacity: int) -> None:
        k = max(1, math.ceil(sum(demand[i] for i in S) / capacity))
        inside = [v for (i, j), v in self.x.items() if i in S and j in S]
        self.solver.Add(sum(inside) <= len(S) - k)

    def values(self) -> dict[Edge, float]:
        return {e: v.solution_value() for e, v in self.x.items() if v.solution_value() > 1e-9}


def _routes_from_edges(x: dict[Edge, float], depot: int) -> list[tuple[int, ...]]:
    adj: dict[int, list[int]] = {}
    for (i, j), v in x.items():
        for _ in range(int(round(v))):
            adj.setdefault(i, []).append(j)
            adj.setdefault(j, []).append(i)
    routes = []
    while adj.get(depot):
        cur = adj[depot].pop()
        adj[cur].remove(depot)
        route = []
        while cur != depot:
            route.append(cur)
            nxt = adj[cur].pop()
            adj[nxt].remove(cur)
            cur = nxt
        routes.append(tuple(route))
    return routes


def solve_vrp_exact(
    problem: VRPProblem,
    *,
    time_limit_s: float,
    seed: int,
    params: ExactParams | None = None,
    initial: VRPSolution | None = None,
) -> VRPSolution:
    """Solve a CVRP or VRPTW to proven optimality, or return the best solution with a valid bound.

    Plain CVRP (one depot, one vehicle type, symmetric distances, no time constraints) runs the
    branch-and-cut below; other single-depot, single-vehicle-type problems (time windows,
    service times, shifts, asymmetric distances, fixed costs) go to :func:`solve_vrptw_exact`
    (CP-SAT, with ``params.tw``); the rest raise :class:`InputError`. ``bound`` is a proven lower bound in
    reported units; ``status`` is ``"optimal"`` when bound == objective, else ``"timeout"``.

    CVRP phases: upper bound (:func:`_cvrp_upper_bound`), root cut loop on the LP
    (:func:`_root_cut_loop`), integer phase (:func:`_branch_and_cut` or :func:`_mip_loop`),
    certified extraction (:func:`certified_solution`).
    """
    params = validate.params_of(params, ExactParams)
    time_limit_s, seed = solver_arguments(problem, time_limit_s, seed, initial)
    validate.instance_of(params.tw, ExactTWParams, "params.tw")
    validate.number(params.heuristic_time_s, "params.heuristic_time_s", lo=0.0, lo_open=True, nullable=True)
    if params.method not in ("callback", "loop"):
        raise InputError(f"method must be callback or loop, got {params.method!r}", field="params.method")
    if not problem.is_cvrp:
        why = vrptw_unsupported(problem)
        if why is None:  # time windows, asymmetric distances or fixed costs: the directed model
            return solve_vrptw_exact(problem, time_limit_s=time_limit_s, seed=seed, params=params.tw, initial=initial)
        raise InputError(f"the exact solver handles plain CVRP and single-depot VRPTW only, not {why}")
    reason = presolve_infeasibility(problem)
    if reason:
        raise InfeasibleError(f"{problem.name or 'problem'}: {reason}")
    start = time.perf_counter()
    deadline = start + time_limit_s
    vt = problem.vehicle_types[0]
    min_routes = max(1, math.ceil(sum(problem.demand) / vt.capacity))
    max_routes = min(vt.count, len(problem.clients))
    if min_routes > max_routes:
        raise InfeasibleError(f"{problem.name}: needs at least {min_routes} vehicles, {max_routes} available")
    # 1. upper bound
    ub, best_routes = _cvrp_upper_bound(problem, initial, params, time_limit_s, seed)
    # 2. root cut loop on the LP relaxation
    lower, cuts, rounds = _root_cut_loop(problem, params, ub, start, deadline, time_limit_s, min_routes, max_routes)
    root_bound = lower
    root_time_s = time.perf_counter() - start
    # 3. integer phase
    mip_rounds = 0
    if params.method == "callback" and math.ceil(lower - 1e-6) < ub:
        lower, ub, best_routes, mip_rounds = _branch_and_cut(problem, cuts, ub, best_routes, lower, deadline, min_routes, max_routes)
    if params.method == "loop":
        lower, ub, best_routes, mip_rounds = _mip_loop(problem, params, cuts, ub, best_routes, lower, deadline, min_routes, max_routes)
    return certified_solution(
        problem,
        best_routes,
        min(ub, math.ceil(lower - 1e-6)),
        time.perf_counter() - start,
        solver="mmroute-exact(scip-callback)" if params.method == "callback" else f"mmroute-exact({params.mip_solver}-loop)",
        seed=seed,
        info={"root_bound": round(root_bound / problem.scale, 4), "root_time_s": round(root_time_s, 2), "root_rounds": rounds, "cuts": len(cuts), "mip_rounds_or_lazy_cuts": mip_rounds},
    )


def _cvrp_upper_bound(problem: VRPProblem, initial: VRPSolution | None, params: ExactParams,
                      time_limit_s: float, seed: int) -> tuple[int, tuple[VRPRoute, ...]]:
    """The checked warm start, else PyVRP's solution: (cost in problem units, routes)."""
    best = initial
    if best is None:
        h_time = params.heuristic_time_s
        if h_time is None:
            h_time = min(2.0, max(0.2, 0.05 * len(problem.clients)))
        h_time = min(h_time, max(0.1, 0.2 * time_limit_s))
        best = solve_vrp(problem, time_limit_s=h_time, seed=seed, params=VRPParams(engine="pyvrp"))
    report0 = check_vrp(problem, VRPSolution(routes=tuple(best.routes), objective=None))
    if not report0.feasible:
        raise InputError(f"the initial solution is infeasible: {report0.reason}", field="initial")
    return report0.details["cost"], tuple(best.routes)


def _root_cut_loop(problem: VRPProblem, params: ExactParams, ub: int, start: float, deadline: float,
                   time_limit_s: float, min_routes: int, max_routes: int) -> tuple[float, list[frozenset[int]], int]:
    """Separate rounded capacity inequalities on the LP relaxation until the bound tails off;
    returns (LP bound, cuts in the order found, rounds)."""
    depot = problem.depots[0]
    Q = problem.vehicle_types[0].capacity
    demand = problem.demand
    n = problem.num_nodes
    lp = _Model("GLOP", problem, integer=False, max_routes=max_routes, min_routes=min_routes)
    cuts: list[frozenset[int]] = []
    cut_set: set[frozenset[int]] = set()
    lower = 0.0
    rounds = 0
    root_deadline = start + params.exact_separation_share * time_limit_s
    history: list[float] = []
    while rounds < params.max_root_rounds:
        rounds += 1
        if time.perf_counter() > deadline:
            break
        with stoppable(lp.solver.InterruptSolve):
            lp_status = lp.solver.Solve()
        if lp_status != lp.solver.OPTIMAL:
            break
        lower = max(lower, lp.solver.Objective().Value())
        history.append(lower)
        if math.ceil(lower - 1e-6) >= ub:  # the root already proves the incumbent optimal
            break
        if len(history) > params.tail_rounds and history[-1] - history[-1 - params.tail_rounds] < params.tail_rel * history[-1]:
            break
        xv = lp.values()
        new = [S for S in violated_rcis(n, xv, demand, Q, exact=True, depot=depot) if S not in cut_set]
        use_exact = params.exact_separation and len(problem.clients) >= params.exact_separation_min_clients
        if not new and use_exact and time.perf_counter() < root_deadline:
            budget = min(1.0, max(0.05, root_deadline - time.perf_counter()))
            new = [frozenset(S) for S in exact_rci_sets(n, xv, demand, Q, depot, time_limit_s=budget)]
            new = [S for S in new if S not in cut_set]
        if not new:
            break
        for S in new:
            cut_set.add(S)
            cuts.append(S)
            lp.add_rci(S, demand, Q)
    return lower, cuts, rounds


def _mip_loop(problem: VRPProblem, params: ExactParams, cuts: list[frozenset[int]], ub: int, best_routes,
              lower: float, deadline: float, min_routes: int, max_routes: int):
    """The ``"loop"`` method: re-solve the MIP with the cuts found so far, adding the cuts its
    integer solutions violate. Returns (lower bound, upper bound, best routes, MIP rounds)."""
    depot = problem.depots[0]
    Q = problem.vehicle_types[0].capacity
    demand = problem.demand
    n = problem.num_nodes
    cut_set = set(cuts)
    mip_rounds = 0
    while time.perf_counter() < deadline - 0.05:
        if math.ceil(lower - 1e-6) >= ub:
            break
        mip_rounds += 1
        mip = _Model(params.mip_solver, problem, integer=True, max_routes=max_routes, min_routes=min_routes)
        for S in cuts:
            mip.add_rci(S, demand, Q)
        mip.solver.Add(sum(v * float(problem.distance[i, j]) for (i, j), v in mip.x.items()) <= ub)
        hint_vars, hint_vals = _hint(mip, best_routes, depot)
        mip.solver.SetHint(hint_vars, hint_vals)
        mip.solver.SetTimeLimit(max(1, int((deadline - time.perf_counter()) * 1000)))
        with stoppable(mip.solver.InterruptSolve):
            st = mip.solver.Solve()
        if st == mip.solver.INFEASIBLE:
            lower = float(ub)  # nothing at or below the incumbent cost other than the incumbent
            break
        if st in (mip.solver.OPTIMAL, mip.solver.FEASIBLE):
            xs = mip.values()
            if st == mip.solver.OPTIMAL:
                lower = max(lower, mip.solver.Objective().Value())
            else:
                lower = max(lower, mip.solver.Objective().BestBound())
            new = [S for S in violated_rcis(n, xs, demand, Q, exact=False, depot=depot) if S not in cut_set]
            if not new:
                cost = int(round(mip.solver.Objective().Value()))
                if cost <= ub:
                    routes = _routes_from_edges(xs, depot)
                    cand = VRPSolution(routes=tuple(VRPRoute(visits=r) for r in routes), objective=None)
                    rep = check_vrp(problem, cand)
                    if rep.feasible and rep.details["cost"] <= ub:
                        ub, best_routes = rep.details["cost"], cand.routes
                if st == mip.solver.OPTIMAL:
                    lower = max(lower, float(ub))
                    break
            for S in new:
                cut_set.add(S)
                cuts.append(S)
        else:  # time out without a solution: keep the best bound SCIP proved
            try:
                lower = max(lower, mip.solver.Objective().BestBound())
            except Exception:  # noqa: BLE001 - some backends cannot report a bound here
                pass
            break
    return lower, ub, best_routes, mip_rounds


def certified_solution(problem: VRPProblem, routes, bound_int: int, time_s: float, solver: str, seed: int, info: dict) -> VRPSolution:
    """The exact solvers' result: ``routes`` re-checked by :func:`check_vrp`, ``bound_int`` a
    proven lower bound in internal (scaled integer) units; status ``"optimal"`` exactly when the
    bound reaches the checked cost, ``"timeout"`` otherwise."""
    report = check_vrp(problem, VRPSolution(routes=tuple(routes), objective=None))
    if not report.feasible:  # cannot happen: every stored solution was checked
        raise SolverError(f"internal error: exact solution infeasible: {report.reason}")
    bound_int = min(bound_int, report.details["cost"])
    return VRPSolution(
        routes=tuple(routes),
        objective=report.objective,
        status="optimal" if bound_int >= report.details["cost"] else "timeout",
        bound=bound_int / problem.scale,
        time_s=time_s,
        solver=solver,
        seed=seed,
        instance=problem.name,
        info=info,
    )


def _branch_and_cut(problem: VRPProblem, cuts, ub: int, best_routes, lower: float, deadline: float, min_routes: int, max_routes: int):
    """One SCIP branch-and-bound tree (MathOpt) with RCIs added lazily at integer solutions.

    Returns (lower bound, upper bound, best routes, number of lazy cuts added).
    """
    import datetime

    from ortools.math_opt.python import mathopt

    depot = problem.depots[0]
    n = problem.num_nodes
    Q = problem.vehicle_types[0].capacity
    demand = problem.demand
    model = mathopt.Model(name=problem.name or "cvrp")
    x: dict[Edge, object] = {}
    for i in range(n):
        for j in range(i + 1, n):
            ub_e = 2 if depot in (i, j) else 1
            x[(i, j)] = model.add_integer_variable(lb=0, ub=ub_e, name=f"x_{i}_{j}")
    model.minimize(mathopt.fast_sum(float(problem.distance[i, j]) * v for (i, j), v in x.items()))
    for i in range(n):
        terms = mathopt.fast_sum(v for (a, b), v in x.items() if i in (a, b))
        if i == depot:
            model.add_linear_constraint(terms >= 2 * min_routes)
            model.add_linear_constraint(terms <= 2 * max_routes)
        else:
            model.add_linear_constraint(terms == 2)

    def rci(S):
        k = max(1, math.ceil(sum(demand[i] for i in S) / Q))
        return mathopt.fast_sum(v for (i, j), v in x.items() if i in S and j in S) <= len(S) - k

    for S in cuts:
        model.add_linear_constraint(rci(S))
    added = [0]

    def callback(data):
        result = mathopt.CallbackResult()
        if data.event != mathopt.Event.MIP_SOLUTION or data.solution is None:
            return result
        xs = {e: data.solution[v] for e, v in x.items() if data.solution[v] > 0.5}
        for S in violated_rcis(n, xs, demand, Q, exact=False, depot=depot):
            result.add_lazy_constraint(rci(S))
            added[0] += 1
        return result

    remaining = max(0.1, deadline - time.perf_counter())
    params = mathopt.SolveParameters(time_limit=datetime.timedelta(seconds=remaining), cutoff_limit=ub + 0.5, threads=1)
    reg = mathopt.CallbackRegistration(events={mathopt.Event.MIP_SOLUTION}, add_lazy_constraints=True)
    from ortools.util.python.solve_interrupter import SolveInterrupter

    interrupter = SolveInterrupter()
    with _quiet_stderr(), stoppable(interrupter.interrupt):  # gSCIP prints a harmless event-handler message on every solve
        res = mathopt.solve(model, mathopt.SolverType.GSCIP, params=params, callback_reg=reg, cb=callback,
                            interrupter=interrupter)
    TR = mathopt.TerminationReason
    reason = res.termination.reason
    clean = True  # the returned solution satisfies every RCI
    if res.has_primal_feasible_solution():
        xs = {e: res.variable_values(v) for e, v in x.items() if res.variable_values(v) > 0.5}
        clean = not violated_rcis(n, xs, demand, Q, exact=False, depot=depot)
        if clean:
            routes = tuple(VRPRoute(visits=r) for r in _routes_from_edges(xs, depot))
            rep = check_vrp(problem, VRPSolution(routes=routes, objective=None))
            if rep.feasible and rep.details["cost"] < ub:
                ub, best_routes = rep.details["cost"], routes
    # cutoff reached without a better solution: MathOpt reports NO_SOLUTION_FOUND, limit OBJECTIVE
    exhausted = reason == TR.INFEASIBLE or (reason == TR.NO_SOLUTION_FOUND and res.termination.limit == mathopt.Limit.OBJECTIVE)
    if exhausted or (reason == TR.OPTIMAL and clean):
        lower = max(lower, float(ub))  # nothing cheaper than the incumbent exists
    elif reason == TR.OPTIMAL:  # optimum of a relaxation (a lazy cut was missed): still a bound
        lower = max(lower, min(float(ub), res.objective_value()))
    else:
        bound = res.termination.objective_bounds.dual_bound
        if math.isfinite(bound):
            lower = max(lower, min(float(ub), bound))
    return lower, ub, best_routes, added[0]


@contextlib.contextmanager
def _quiet_stderr():
    """Silence the C-level stderr (file descriptor 2) for the duration of a solver call."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _hint(mip: _Model, routes, depot: int) -> tuple[list, list]:
    vals: dict[Edge, int] = {}
    for r in routes:
        path = [depot, *r.visits, depot]
        for a, b in zip(path, path[1:]):
            e = (min(a, b), max(a, b))
            vals[e] = vals.get(e, 0) + 1
    keys = list(mip.x)
    return [mip.x[e] for e in keys], [float(vals.get(e, 0)) for e in keys]
