"""Loading-aware routing: solve the VRP, find routes that do not pack, repair them.

A route "packs" when a packing of all its boxes passes the loading checker and the route-order
rule (:mod:`.check`); ``no`` and ``unknown`` routes are both repaired. Steps (the best
solution whose routes all pack is kept, by the original objective):

1. **Repair** the failing routes, the cheaper of: *split* — cut each failing route, in
   visiting order, into the longest runs of customers (a pickup-and-delivery pair stays
   together) that keep their windows and pack, each run on the route's type or another type
   with a spare vehicle; and *peel* — remove customers from each failing route until it packs,
   then insert them, largest load first, at the cheapest position of a route that still packs
   or on a new route (:func:`.improve.peel_units`). An optional customer whose boxes fit no
   truck alone is dropped (its penalty is paid); a required one whose boxes provably fit no
   vehicle type raises :class:`InfeasibleError`.
2. **Re-solve with a tightened effective volume**: each vehicle type with a failing route gets
   its volume capacity (weight if the fleet has no volumes) cut to ``tighten`` x that route's
   load; the VRP is solved again, warm-started from the best all-packing solution when that is
   feasible for the tighter capacities, then checked and repaired. Stops when a re-solve packs
   everywhere, after ``max_rounds``, or when only ``search_share`` of the time is left.
3. **Local search** (:mod:`.improve`) on the best all-packing solution with the time left.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from mmroute import validate
from mmroute._compat import fold_deprecated
from mmroute.errors import InfeasibleError, InputError, SolverError
from mmroute.routing.loadroute.check import (
    LoadingCheckParams,
    RouteLoading,
    RouteLoadingReport,
    check_route,
)
from mmroute.routing.loadroute.improve import improve_routes, peel_units
from mmroute.routing.vrp import (
    VRPParams,
    VRPProblem,
    VRPRoute,
    VRPSolution,
    check_vrp,
    from_scenario_fleet,
    solve_vrp,
)
from mmroute.routing.vrp.check import route_schedule

__all__ = ["LoadingAwareParams", "LoadingAwareResult", "solve_loading_aware"]


@dataclass(frozen=True)
class LoadingAwareParams:
    """Settings of :func:`solve_loading_aware`.

    engine: VRP engine (see :func:`mmroute.routing.vrp.solve_vrp`); min_support: the share of a
    box's base that must rest on boxes below (0..1); vrp_time_share: share of
    ``time_limit_s`` for each VRP solve; search_share: share kept for the local search (no
    re-solve starts after ``1 - search_share`` of the time); vrp_max_iterations: also stop each VRP solve after
    this many iterations (reproducible runs); loading_time_limit_s: seconds of the block
    heuristic per route; max_rounds: re-solves with tightened capacity; tighten: factor (0..1)
    applied to a failing route's load to get its type's new effective capacity; local_search:
    improve the best all-packing solution (:mod:`.improve`) with the time left.
    """

    engine: str = "auto"
    min_support: float = 1.0
    vrp_time_share: float = 0.1
    search_share: float = 0.3
    vrp_max_iterations: int | None = None
    loading_time_limit_s: float = 1.0
    check: LoadingCheckParams = field(default_factory=LoadingCheckParams)
    max_rounds: int = 4
    tighten: float = 0.9
    local_search: bool = True

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["check"] = self.check.to_dict()
        return out


@dataclass(frozen=True)
class LoadingAwareResult:
    """Outcome of :func:`solve_loading_aware`.

    solution: final VRP solution (passes ``check_vrp`` on the original problem); report: its
    routes, each with a verified packing; initial_*: the plain capacity-model solution and its
    loading report; objective_before/after in CNY; n_capacity_wrong: initial routes within
    weight/volume whose boxes provably do not fit; n_unknown_initial: initial routes with
    neither packing nor proof (repaired too); rounds: one record per repair step; time_s:
    wall-clock seconds.
    """

    problem: VRPProblem = field(compare=False)
    solution: VRPSolution
    report: RouteLoadingReport
    initial_solution: VRPSolution
    initial_report: RouteLoadingReport
    objective_before: float
    objective_after: float
    rounds: tuple[dict[str, Any], ...]
    time_s: float = field(compare=False)
    seed: int = 0

    @property
    def n_capacity_wrong(self) -> int:
        return self.initial_report.n_capacity_wrong

    @property
    def n_unknown_initial(self) -> int:
        return self.initial_report.n_unknown

    @property
    def n_repaired(self) -> int:
        """Initial routes without a verified packing."""
        return len(self.initial_report.failing)

    def routes_by_id(self) -> list[list[str]]:
        """Final routes as lists of customer / delivery ids (``C@place`` for a delivery)."""
        ids = self.problem.meta["node_ids"]
        return [[ids[v] for v in r.visits] for r in self.solution.routes]

    def summary(self) -> str:
        """One line: cost before and after, routes the capacity model got wrong, time."""
        return (f"objective {self.objective_before:,.2f} -> {self.objective_after:,.2f}; "
                f"{self.n_repaired} of {len(self.initial_report.routes)} initial routes without a "
                f"verified packing ({self.n_capacity_wrong} proved not to fit), all "
                f"{len(self.report.routes)} final routes packed; {self.time_s:.1f} s")

    def to_dict(self, with_packing: bool = True) -> dict[str, Any]:
        return {
            "objective_before": self.objective_before,
            "objective_after": self.objective_after,
            "n_capacity_wrong": self.n_capacity_wrong,
            "n_unknown_initial": self.n_unknown_initial,
            "n_repaired": self.n_repaired,
            "time_s": round(self.time_s, 3),
            "seed": self.seed,
            "solution": self.solution.to_dict(),
            "routes_by_id": self.routes_by_id(),
            "report": self.report.to_dict(with_packing),
            "initial_solution": self.initial_solution.to_dict(),
            "initial_report": self.initial_report.to_dict(with_packing=False),
            "rounds": [dict(r) for r in self.rounds],
        }


class _Checker:
    """check_route with a cache keyed by (vehicle type, visits)."""

    def __init__(self, scenario: Any, problem: VRPProblem, time_limit_s: float, min_support: float,
                 seed: int, params: LoadingCheckParams):
        self.scenario, self.problem = scenario, problem
        self.kw = dict(time_limit_s=time_limit_s, min_support=min_support, seed=seed, params=params)
        self.min_support = min_support
        self.cache: dict[tuple[int, tuple[int, ...]], RouteLoading] = {}
        self.misses: set[tuple[int, tuple[int, ...]]] = set()

    def route(self, visits: Sequence[int], k: int, index: int = 0) -> RouteLoading:
        key = (k, tuple(visits))
        if key not in self.cache:
            self.cache[key] = check_route(self.scenario, self.problem, key[1], k, **self.kw)
        return replace(self.cache[key], route=index)

    def packs(self, visits: Sequence[int], k: int) -> bool:
        """True when the route has a verified packing; a miss is not proved (no CP-SAT)."""
        key = (k, tuple(visits))
        if key in self.cache:
            return self.cache[key].fits_3d == "yes"
        if key not in self.misses:
            fast = dict(self.kw, params=replace(self.kw["params"], exact_max_boxes=0))
            rl = check_route(self.scenario, self.problem, key[1], k, **fast)
            if rl.fits_3d == "yes":
                self.cache[key] = rl
                return True
            self.misses.add(key)
        return False

    def report(self, routes: Sequence[VRPRoute]) -> RouteLoadingReport:
        start = time.monotonic()
        out = tuple(self.route(r.visits, r.vehicle_type, i) for i, r in enumerate(r for r in routes if r.visits))
        return RouteLoadingReport.of_routes(out, self.min_support, time.monotonic() - start)


def _time_ok(problem: VRPProblem, visits: Sequence[int], k: int) -> bool:
    """The route keeps windows, shift, duration and capacity (as ``check_vrp`` does)."""
    vt = problem.vehicle_types[k]
    s = route_schedule(problem, tuple(visits), k)
    return (
        not s.late_nodes
        and s.arrival <= min(problem.tw_late[vt.end_depot], vt.shift_end)
        and s.duration <= vt.max_duration
        and all(m <= c for m, c in zip(s.max_load, problem.capacities(vt)))
        and min(s.min_load, default=0) >= 0
    )


def _split(problem: VRPProblem, solution: VRPSolution, report: RouteLoadingReport,
           checker: _Checker) -> VRPSolution | None:
    """Cut every failing route into packing runs (module docstring); ``None`` if vehicles run out."""
    failing = {r.visits: r for r in report.failing}
    keep = [r for r in solution.routes if r.visits and r.visits not in failing]
    spare = Counter({k: vt.count for k, vt in enumerate(problem.vehicle_types)})
    spare.subtract(Counter(r.vehicle_type for r in keep))
    deliv = dict(problem.pickup_delivery)
    dropped: list[int] = []
    new: list[VRPRoute] = []

    def ok(visits: list[int], k: int) -> bool:
        return _time_ok(problem, visits, k) and checker.packs(visits, k)

    for rl in report.failing:
        order = {v: i for i, v in enumerate(rl.visits)}
        units = [[v, *([deliv[v]] if v in deliv else [])] for v in rl.visits if v not in deliv.values()]

        def seq(group: list[list[int]], order: dict[int, int] = order) -> list[int]:
            return sorted((v for u in group for v in u), key=order.__getitem__)

        groups: list[list[list[int]]] = []
        cur: list[list[int]] = []
        for u in units:
            if cur and ok(seq([*cur, u]), rl.vehicle_type):
                cur.append(u)
                continue
            if cur:
                groups.append(cur)
            cur = [u]
        groups.append(cur)
        pending = list(groups)
        while pending:
            g = pending.pop(0)
            visits = seq(g)
            types = sorted(range(len(problem.vehicle_types)),
                           key=lambda k: (k != rl.vehicle_type, problem.vehicle_types[k].fixed_cost, k))
            k = next((k for k in types if spare[k] > 0 and ok(visits, k)), None)
            if k is not None:
                new.append(VRPRoute(visits=tuple(visits), vehicle_type=k))
                spare[k] -= 1
            elif len(g) > 1:
                pending[:0] = [[u] for u in g]  # no truck takes the run: one customer each
            elif any(ok(visits, k) for k in types):
                return None  # it fits a type whose vehicles are all in use
            elif all(problem.drop_penalty[v] is not None for v in visits):
                dropped.extend(visits)
            elif all(checker.route(visits, k).fits_3d == "no" for k in types):
                name = problem.meta["node_ids"][visits[0]]
                raise InfeasibleError(f"the boxes of {name} fit no vehicle type on their own "
                                      f"({checker.route(visits, rl.vehicle_type).reason})")
            else:
                return None  # no packing found, but none is proved impossible either
    routes = tuple(keep + new)
    chk = check_vrp(problem, VRPSolution(routes=routes, objective=None))
    if not chk.feasible:
        return None
    return replace(solution, routes=routes, objective=chk.objective, dropped=chk.details["dropped"],
                   solver=f"{solution.solver}+split", bound=None, status="feasible")


def _repair(problem: VRPProblem, sol: VRPSolution, rep: RouteLoadingReport, checker: _Checker,
            deadline: float) -> VRPSolution | None:
    """The cheaper of :func:`_split` and :func:`.improve.peel_units`."""
    cands = [_split(problem, sol, rep, checker)]
    for move in (peel_units,):
        if time.monotonic() < deadline:
            cands.append(move(
                problem, sol, [r.visits for r in rep.failing],
                packs=checker.packs, time_ok=lambda v, k: _time_ok(problem, v, k), deadline=deadline,
            ))
    found = [c for c in cands if c is not None]
    return min(found, key=lambda c: c.objective) if found else None


def _tightened(problem: VRPProblem, base: VRPProblem, failing: Sequence[RouteLoading], tighten: float) -> VRPProblem:
    """``problem`` with each failing route's vehicle type capped at ``tighten`` x its load."""
    dim = 1 if base.demand_extra else 0
    types = list(problem.vehicle_types)
    for rl in failing:
        load = route_schedule(base, rl.visits, rl.vehicle_type).max_load[dim]
        vt = types[rl.vehicle_type]
        cap = min(problem.capacities(vt)[dim], max(0, math.floor(tighten * load)))
        if dim == 0:
            types[rl.vehicle_type] = replace(vt, capacity=cap)
        else:
            types[rl.vehicle_type] = replace(vt, capacity_extra=(cap, *vt.capacity_extra[1:]))
    return problem.with_vehicle_types(types)


def _on(problem: VRPProblem, sol: VRPSolution) -> VRPSolution:
    """``sol`` with its objective recomputed on ``problem`` (the original capacities)."""
    chk = check_vrp(problem, VRPSolution(routes=sol.routes, objective=None))
    if not chk.feasible:
        raise SolverError(f"a repaired solution breaks the original problem: {chk.reason}")
    return replace(sol, objective=chk.objective, dropped=chk.details["dropped"])


def solve_loading_aware(
    scenario: Any,
    *,
    time_limit_s: float,
    seed: int,
    params: LoadingAwareParams | None = None,
    initial: VRPSolution | None = None,
    **deprecated: Any,
) -> LoadingAwareResult:
    """Solve the fleet VRP of ``scenario`` so that every route's boxes really fit its truck.

    time_limit_s: the overall budget in seconds (each VRP solve gets ``vrp_time_share`` of
    it; the last check may run over by the per-route loading limits). seed: drives the VRP
    engines and the loading heuristic. initial: a warm start for the first VRP solve (a
    solution of ``from_scenario_fleet(scenario)``). The keyword ``min_support`` of earlier
    versions still works (now ``params.min_support``), with a :class:`DeprecationWarning`.
    Raises :class:`InfeasibleError` when a required customer's boxes fit no vehicle type and
    :class:`SolverError` when no all-packing solution is found.
    """
    params = fold_deprecated("solve_loading_aware", validate.params_of(params, LoadingAwareParams), deprecated,
                             {"min_support": "min_support"})
    time_limit_s, seed, params = _arguments(scenario, time_limit_s, seed, params, initial)
    min_support = params.min_support
    start = time.monotonic()
    deadline = start + time_limit_s
    problem = from_scenario_fleet(scenario)
    checker = _Checker(scenario, problem, params.loading_time_limit_s, min_support, seed, params.check)

    def vrp(prob: VRPProblem, initial: VRPSolution | None) -> VRPSolution:
        left = max(0.1, min(params.vrp_time_share * time_limit_s, deadline - time.monotonic()))
        vrp_params = VRPParams(engine=params.engine, max_iterations=params.vrp_max_iterations)  # type: ignore[arg-type]
        return solve_vrp(prob, time_limit_s=left, seed=seed, params=vrp_params, initial=initial)

    sol0 = vrp(problem, initial)
    rep0 = checker.report(sol0.routes)
    rounds: list[dict[str, Any]] = [{"step": "solve", "objective": sol0.objective, "failing": len(rep0.failing)}]
    best: VRPSolution | None = sol0 if rep0.all_fit else _repair(problem, sol0, rep0, checker, deadline)
    if not rep0.all_fit:
        rounds.append({"step": "repair", "objective": None if best is None else best.objective})
    current, failing = problem, rep0.failing
    for r in range(params.max_rounds):
        if not failing or time.monotonic() >= deadline - params.search_share * time_limit_s:
            break
        current = _tightened(current, problem, failing, params.tighten)
        warm = best if best is not None and check_vrp(current, VRPSolution(routes=best.routes, objective=None)).feasible else None
        try:
            sol = _on(problem, vrp(current, warm))
        except (InfeasibleError, SolverError) as exc:
            rounds.append({"step": f"resolve {r + 1}", "stopped": str(exc)})
            break
        rep = checker.report(sol.routes)
        failing = rep.failing
        cand = sol if rep.all_fit else _repair(problem, sol, rep, checker, deadline)
        rounds.append({
            "step": f"resolve {r + 1}",
            "objective": sol.objective,
            "failing": len(failing),
            "repaired_objective": None if cand is None else cand.objective,
            "caps": [list(problem.capacities(vt)) for vt in current.vehicle_types],
        })
        if cand is not None and (best is None or cand.objective < best.objective - 1e-9):
            best = cand
    if best is None:
        raise SolverError("no solution whose routes all pack was found; raise the time limit or the fleet")
    if params.local_search and time.monotonic() < deadline:
        best = improve_routes(
            problem, best,
            packs=checker.packs,
            time_ok=lambda v, k: _time_ok(problem, v, k),
            deadline=deadline,
        )
        rounds.append({"step": "local search", "objective": best.objective})
    final = checker.report(best.routes)
    if not final.all_fit:
        raise SolverError(f"route {final.failing[0].route + 1} lost its packing")
    chk = check_vrp(problem, best)
    if not chk.feasible:
        raise SolverError(f"the loading-aware solution fails check_vrp: {chk.reason}")
    best = replace(best, time_s=time.monotonic() - start, seed=seed)
    return LoadingAwareResult(
        problem=problem,
        solution=best,
        report=final,
        initial_solution=sol0,
        initial_report=rep0,
        objective_before=float(sol0.objective or 0.0),
        objective_after=float(best.objective or 0.0),
        rounds=tuple(rounds),
        time_s=time.monotonic() - start,
        seed=seed,
    )


def _arguments(scenario: Any, time_limit_s: Any, seed: Any, params: LoadingAwareParams,
               initial: Any) -> tuple[float, int, LoadingAwareParams]:
    """Validated arguments of :func:`solve_loading_aware` (:class:`InputError` naming the argument)."""
    from mmroute.scenarios import Scenario  # scenarios never import routing: no cycle

    validate.instance_of(scenario, Scenario, "scenario", hint="load it first with mmroute.scenarios.load(path)")
    validate.instance_of(initial, (VRPSolution, type(None)), "initial")
    validate.share(params.min_support, "params.min_support")
    for name in ("vrp_time_share", "search_share"):
        validate.number(getattr(params, name), f"params.{name}", lo=0.0, hi=1.0)
    if not validate.number(params.tighten, "params.tighten", lo=0.0, hi=1.0) < 1 or params.tighten == 0:
        raise InputError(f"must be in (0, 1), got {params.tighten}", field="tighten")
    validate.time_limit_s(params.loading_time_limit_s, "params.loading_time_limit_s")
    validate.integer(params.max_rounds, "params.max_rounds", lo=0)
    validate.integer(params.vrp_max_iterations, "params.vrp_max_iterations", lo=1, nullable=True)
    validate.instance_of(params.check, LoadingCheckParams, "params.check")
    if params.engine not in ("auto", "ortools", "pyvrp"):
        raise InputError(f"engine must be auto, ortools or pyvrp, got {params.engine!r}", field="params.engine")
    return validate.time_limit_s(time_limit_s), validate.seed(seed), params
