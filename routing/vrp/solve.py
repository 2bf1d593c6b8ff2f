"""``solve_vrp``: one entry point for the heuristic engines, with presolve and checking."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Literal

from mmroute.errors import InfeasibleError, InputError, SolverError

from .check import check_vrp
from .engine_ortools import DEFAULT_ORTOOLS_PARAMS, OrtoolsParams, solve_ortools
from .engine_pyvrp import pyvrp_supports, solve_pyvrp
from .problem import VRPProblem
from .solution import Route, VRPSolution

__all__ = ["solve_vrp", "presolve_infeasibility", "Engine"]

Engine = Literal["auto", "ortools", "pyvrp"]


def presolve_infeasibility(problem: VRPProblem) -> str | None:
    """A reason the problem is plainly infeasible, or ``None``.

    Catches in microseconds what a search would take its whole time limit to give up on:
    a required client above every capacity, an empty or unreachable time window, no vehicles.
    """
    types = [vt for vt in problem.vehicle_types if vt.count > 0]
    required = [i for i in problem.clients if problem.drop_penalty[i] is None]
    if required and not types:
        return "no vehicles are available"
    d, e, late, svc = problem.duration, problem.tw_early, problem.tw_late, problem.service
    for i in required:
        if e[i] > late[i]:
            return f"client {i} has an empty time window [{e[i]}, {late[i]}]"
        q = tuple(abs(row[i]) for row in problem.loads)
        if all(any(a > c for a, c in zip(q, problem.capacities(vt))) for vt in types):
            shown = q[0] if len(q) == 1 else q
            return f"client {i} demand {shown} exceeds every vehicle capacity"
        ok = False
        for vt in types:
            s, t = vt.start_depot, vt.end_depot
            begin = max(max(vt.shift_start, e[s]) + svc[s] + int(d[s, i]), e[i])
            back = begin + svc[i] + int(d[i, t])
            shortest = svc[s] + int(d[s, i]) + svc[i] + int(d[i, t])  # no waiting: leave late
            if begin <= late[i] and back <= min(late[t], vt.shift_end) and shortest <= vt.max_duration:
                ok = True
                break
        if not ok:
            return f"client {i} cannot be reached within its time window and back within any vehicle's shift"
    if not problem.pickup_delivery and all(vt.count < len(problem.clients) for vt in types):
        for dim, row in enumerate(problem.loads):
            total = sum(row[i] for i in required)
            cap = sum(problem.capacities(vt)[dim] * vt.count for vt in types)
            if total > cap:
                return f"total demand {total} exceeds the fleet's total capacity {cap}"
    return None


def solve_vrp(
    problem: VRPProblem,
    engine: Engine = "auto",
    time_limit_s: float = 10.0,
    seed: int = 0,
    initial: VRPSolution | Sequence[Route] | None = None,
    max_iterations: int | None = None,
    ortools_params: OrtoolsParams = DEFAULT_ORTOOLS_PARAMS,
) -> VRPSolution:
    """Solve ``problem`` heuristically and return a checked solution.

    engine: ``"pyvrp"`` (iterated local search), ``"ortools"`` (routing library, tuned) or
    ``"auto"`` (PyVRP when it can express the problem, OR-Tools otherwise, e.g. for
    pickup-and-delivery pairs). time_limit_s: wall-clock seconds for the search. seed: drives
    PyVRP's search and the OR-Tools engine's ruin-and-recreate. initial: a warm start
    (solution or routes). max_iterations: also stop after this many iterations (PyVRP) or
    accepted solutions (OR-Tools) — runs that end on this limit are reproducible; runs that
    end on the time limit depend on machine speed.

    Raises :class:`InfeasibleError` when presolve finds the problem infeasible,
    :class:`SolverError` when no feasible solution is found in time.
    """
    if engine not in ("auto", "ortools", "pyvrp"):
        raise InputError(f"engine must be auto, ortools or pyvrp, got {engine!r}", field="engine")
    if time_limit_s <= 0:
        raise InputError("must be a positive number of seconds", field="time_limit_s")
    reason = presolve_infeasibility(problem)
    if reason:
        raise InfeasibleError(f"{problem.name or 'problem'}: {reason}")
    routes0 = None
    if initial is not None:
        routes0 = tuple(initial.routes) if isinstance(initial, VRPSolution) else tuple(initial)
        report0 = check_vrp(problem, VRPSolution(routes=routes0, objective=None))
        if not report0.feasible:
            raise InputError(f"the initial solution is infeasible: {report0.reason}", field="initial")
    chosen = engine
    if engine == "auto":
        chosen = "pyvrp" if pyvrp_supports(problem) is None else "ortools"
    elif engine == "pyvrp" and pyvrp_supports(problem):
        raise InputError(f"the pyvrp engine does not support {pyvrp_supports(problem)}; use engine='ortools'")
    start = time.perf_counter()
    if not problem.clients:
        routes, info = (), {}
    elif chosen == "pyvrp":
        routes, info = solve_pyvrp(problem, time_limit_s, seed, routes0, max_iterations)
    else:
        routes, info = solve_ortools(problem, time_limit_s, ortools_params, routes0, max_iterations, seed)
    elapsed = time.perf_counter() - start
    report = check_vrp(problem, VRPSolution(routes=routes, objective=None))
    if not report.feasible:
        if engine == "auto" and chosen == "pyvrp":  # PyVRP may end infeasible on tight instances
            routes, info = solve_ortools(problem, time_limit_s, ortools_params, routes0, max_iterations, seed)
            chosen = "ortools"
            elapsed = time.perf_counter() - start
            report = check_vrp(problem, VRPSolution(routes=routes, objective=None))
        if not report.feasible:
            raise SolverError(f"{chosen} found no feasible solution in {time_limit_s:g} s: {report.reason}")
    return VRPSolution(
        routes=routes,
        objective=report.objective,
        status="feasible",
        bound=None,
        time_s=elapsed,
        solver=f"mmroute-{chosen}" if engine != "auto" else f"mmroute-auto({chosen})",
        seed=seed,
        dropped=report.dropped,
        instance=problem.name,
        info=info,
    )
