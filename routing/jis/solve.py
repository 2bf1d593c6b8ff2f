"""``solve_jis``: the JIS planner — the heuristic, then CP-SAT per station with a bound.

The heuristic (:mod:`.heuristic`) plans every supplier in well under a second and is the
CP-SAT hint; the exact model (:mod:`.exact`) runs per station (suppliers of one station share
its buffer; stations are independent) with a share of the time limit proportional to its
racks left and of the time left (a station proven early leaves its time to the others), and
returns its best plan and bound. Long horizons (more than ``max_exact_racks``
racks) use the heuristic alone. Every returned plan passes :func:`.check.check_jis_plan`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from mmroute import validate
from mmroute.errors import InfeasibleError, SolverError
from mmroute.routing.jis.check import check_jis_plan
from mmroute.routing.jis.exact import ExactJis, solve_station
from mmroute.routing.jis.heuristic import heuristic_trips
from mmroute.routing.jis.problem import JisProblem
from mmroute.routing.jis.result import JisPlan, JisTrip

__all__ = ["JisParams", "solve_jis"]


@dataclass(frozen=True)
class JisParams:
    """Settings of :func:`solve_jis`: ``exact`` (``None``: CP-SAT when the problem has at most
    ``max_exact_racks`` racks), CP-SAT ``workers``."""

    exact: bool | None = None
    max_exact_racks: int = 2000
    workers: int = 1


def solve_jis(problem: JisProblem, *, time_limit_s: float, seed: int, params: JisParams | None = None,
              initial: JisPlan | None = None) -> JisPlan:
    """Plan the shuttles of ``problem``: no line stop, racks in sequence, buffers and fleets
    respected, least trip + line-side inventory cost. ``initial``: a plan whose trips hint
    CP-SAT (else the heuristic's). Raises :class:`InfeasibleError` when CP-SAT proves that a
    station cannot be supplied without a line stop, or no plan is found in time."""
    validate.instance_of(problem, JisProblem, "problem")
    limit = validate.time_limit_s(time_limit_s)
    seed = validate.seed(seed)
    params = validate.params_of(params, JisParams)
    if initial is not None:
        validate.instance_of(initial, JisPlan, "initial")
    t0 = time.perf_counter()
    heur: dict[str, list[JisTrip] | None] = {s.id: heuristic_trips(problem, s.id) for s in problem.suppliers}
    n_racks = sum(len(problem.racks(s.id)) for s in problem.suppliers)
    exact = params.exact if params.exact is not None else n_racks <= params.max_exact_racks
    hint: dict[str, list[JisTrip]] = {k: v for k, v in heur.items() if v}
    if initial is not None:
        for s in problem.suppliers:
            mine = [t for t in initial.trips if t.supplier == s.id]
            if mine:
                hint[s.id] = mine
    trips: list[JisTrip] = []
    bound: float | None = 0.0
    statuses: dict[str, str] = {}
    groups = sorted(problem.station_groups(), key=lambda g: sum(len(problem.racks(s)) for s in g))
    results: dict[tuple[str, ...], ExactJis] = {}
    if exact:
        # the time left, shared by the racks left (small stations first: a station proven early
        # gives its time on); then a second round for the stations not proven, from their best
        for rnd in range(2):
            todo = [g for g in groups if rnd == 0 or (g in results and results[g].status == "FEASIBLE")]
            racks_left = sum(len(problem.racks(s)) for g in todo for s in g)
            for group in todo:
                mine = sum(len(problem.racks(s)) for s in group)
                remaining = limit - (time.perf_counter() - t0)
                if rnd == 1 and remaining < 1.0:
                    break
                prev = results.get(group)
                h = hint if prev is None or prev.trips is None else {
                    **hint, **{s: [t for t in prev.trips if t.supplier == s] for s in group}}
                res = solve_station(problem, group, time_limit_s=max(0.1, remaining * mine / max(1, racks_left)),
                                    seed=seed, hint=h, workers=params.workers)
                racks_left -= mine
                if res.status == "INFEASIBLE":
                    station = problem.supplier(group[0]).station
                    raise InfeasibleError(f"station {station} ({', '.join(group)}): no plan without a line stop "
                                          "within the buffer and the fleets (proven by CP-SAT)")
                results[group] = res if prev is None else _better(prev, res)
    for group in problem.station_groups():
        station = problem.supplier(group[0]).station
        res = results.get(group)
        if res is not None and res.trips is not None:
            trips.extend(res.trips)
            statuses[station] = res.status.lower()
            bound = None if bound is None or res.bound is None else bound + res.bound
        elif all(heur[s] for s in group):
            trips.extend(t for s in group for t in heur[s] or ())
            statuses[station] = "heuristic"
            bound = None
        else:
            raise InfeasibleError(f"station {station} ({', '.join(group)}): no plan without a line stop found "
                                  f"in {limit:g} s" + ("" if exact else " by the heuristic (try the exact model)"))
    elapsed = time.perf_counter() - t0
    plan = _checked(problem, trips, bound, statuses, seed, elapsed, exact)
    return plan


def _checked(problem: JisProblem, trips: list[JisTrip], bound: float | None, statuses: dict[str, str],
             seed: int, elapsed: float, exact: bool) -> JisPlan:
    draft = JisPlan(trips=tuple(trips), objective=0.0, status="infeasible", instance=problem.name)
    rep = check_jis_plan(problem, draft)
    if not rep.feasible:
        raise SolverError(f"{problem.name}: the planned trips fail the checker: {rep.reason}")
    obj = float(rep.objective or 0.0)
    if bound is not None:
        bound = round(min(bound, obj), 2)
    optimal = bound is not None and all(v == "optimal" for v in statuses.values()) and obj - bound <= 0.01
    status = "optimal" if optimal else "feasible"
    solver = "cp-sat per station (heuristic hint)" if exact else "heuristic (latest full trucks)"
    plan = JisPlan(trips=tuple(trips), objective=obj, status=status, bound=bound, time_s=elapsed, solver=solver,
                   seed=seed, instance=problem.name, info={**rep.details, "stations": statuses})
    final = check_jis_plan(problem, plan)
    if not final.feasible:
        raise SolverError(f"{problem.name}: the plan's claims fail the checker: {final.reason}")
    return plan


def _better(a: ExactJis, b: ExactJis) -> ExactJis:
    """The better plan of two runs on one station, with the higher of their (valid) bounds."""
    best = a if b.trips is None or (a.trips is not None and (a.objective or 0) <= (b.objective or 0)) else b
    bounds = [x.bound for x in (a, b) if x.bound is not None]
    bound = max(bounds) if bounds else None
    status = "OPTIMAL" if "OPTIMAL" in (a.status, b.status) else best.status
    return ExactJis(best.trips, status, best.objective, bound, a.time_s + b.time_s)
