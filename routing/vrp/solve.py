"""``solve_vrp``: one entry point for the heuristic engines, with presolve and checking."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from mmroute import validate
from mmroute._compat import fold_deprecated
from mmroute.errors import InfeasibleError, InputError, SolverError
from mmroute.routing.vrp.arguments import solver_arguments
from mmroute.routing.vrp.check import check_vrp
from mmroute.routing.vrp.engine_ortools import OrtoolsParams, solve_ortools
from mmroute.routing.vrp.engine_pyvrp import pyvrp_supports, solve_pyvrp
from mmroute.routing.vrp.problem import VRPProblem
from mmroute.routing.vrp.solution import VRPRoute, VRPSolution

__all__ = ["Engine", "VRPParams", "presolve_infeasibility", "solve_vrp"]

Engine = Literal["auto", "ortools", "pyvrp"]


@dataclass(frozen=True)
class VRPParams:
    """Settings of :func:`solve_vrp` (the defaults live here).

    engine: ``"pyvrp"`` (iterated local search), ``"ortools"`` (routing library, tuned) or
    ``"auto"`` (PyVRP when it can express the problem, OR-Tools otherwise, e.g. for
    pickup-and-delivery pairs); max_iterations: also stop after this many iterations (PyVRP)
    or accepted solutions (OR-Tools) — runs that end on this limit are reproducible, runs that
    end on the time limit depend on machine speed; ortools: the OR-Tools engine's search.
    """

    engine: Engine = "auto"
    max_iterations: int | None = None
    ortools: OrtoolsParams = field(default_factory=OrtoolsParams)


#: deprecated keyword of solve_vrp -> VRPParams field
_OLD_KEYWORDS = {"engine": "engine", "max_iterations": "max_iterations", "ortools_params": "ortools"}


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
    *,
    time_limit_s: float,
    seed: int,
    params: VRPParams | None = None,
    initial: VRPSolution | Sequence[VRPRoute] | None = None,
    **deprecated: Any,
) -> VRPSolution:
    """Solve ``problem`` heuristically and return a checked solution.

    time_limit_s: wall-clock seconds for the search. seed: drives PyVRP's search and the
    OR-Tools engine's ruin-and-recreate. params: engine, iteration limit, OR-Tools search
    (:class:`VRPParams`; ``None`` for the defaults). initial: a warm start (solution or
    routes). The keywords ``engine``, ``max_iterations`` and ``ortools_params`` of earlier
    versions still work, with a :class:`DeprecationWarning`.

    Raises :class:`InfeasibleError` when presolve finds the problem infeasible,
    :class:`SolverError` when no feasible solution is found in time.
    """
    params = fold_deprecated("solve_vrp", validate.params_of(params, VRPParams), deprecated, _OLD_KEYWORDS)
    time_limit_s, seed = solver_arguments(problem, time_limit_s, seed, initial)
    engine, max_iterations, ortools_params = params.engine, params.max_iterations, params.ortools
    if engine not in ("auto", "ortools", "pyvrp"):
        raise InputError(f"engine must be auto, ortools or pyvrp, got {engine!r}", field="params.engine")
    validate.integer(max_iterations, "params.max_iterations", lo=1, nullable=True)
    validate.instance_of(ortools_params, OrtoolsParams, "params.ortools")
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
    engine_args = {"time_limit_s": time_limit_s, "seed": seed, "initial": routes0, "max_iterations": max_iterations}
    start = time.perf_counter()
    if not problem.clients:
        routes, info = (), {}
    elif chosen == "pyvrp":
        routes, info = solve_pyvrp(problem, **engine_args)
    else:
        routes, info = solve_ortools(problem, **engine_args, params=ortools_params)
    elapsed = time.perf_counter() - start
    report = check_vrp(problem, VRPSolution(routes=routes, objective=None))
    if not report.feasible:
        if engine == "auto" and chosen == "pyvrp":  # PyVRP may end infeasible on tight instances
            routes, info = solve_ortools(problem, **engine_args, params=ortools_params)
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
        dropped=report.details["dropped"],
        instance=problem.name,
        info=info,
    )
