"""``solve_jis``: the JIS planner — the heuristic, then CP-SAT per station with a bound.

The heuristic (:mod:`.heuristic`) plans every supplier in well under a second and is the
CP-SAT hint. The segmentation bound (:mod:`.bound`, a relaxation solved by dynamic
programming) is a lower bound per supplier; a station whose heuristic plan meets it is proven
optimal without CP-SAT. The exact model (:mod:`.exact`) runs on the other stations
(suppliers of one station share its buffer; stations are independent) with a share of the time
limit proportional to its racks left and of the time left (a station proven early leaves its
time to the others); a station's bound is the higher of CP-SAT's and the segmentation bound.
Long horizons (more than ``max_exact_racks`` racks) use the heuristic alone.

Robust plans: ``JisParams.drive_factor`` (> 1) multiplies every driving time and
``JisParams.gate_lead_s`` adds a wait at the plant gate per supplier to its driving time out,
for the planners only: trucks leave earlier and wait at the gate when the roads are as
planned, so a slow drive or a short road closure is absorbed by racks already at the plant
(line-side stock and cost stay the same while the fleet allows it). The plan is checked on the
problem's own roads; its bound is the segmentation bound of those roads (CP-SAT's bound holds
only for the planners' times, and is kept in ``info["robust_bound"]``). Choose them on training
days (:func:`.robust.choose_gate_leads`). Every returned plan passes
:func:`.check.check_jis_plan`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from mmroute import validate
from mmroute.errors import InfeasibleError, InputError, SolverError
from mmroute.routing.jis.bound import segment_bound
from mmroute.routing.jis.check import check_jis_plan
from mmroute.routing.jis.exact import UNITS_PER_CNY, ExactJis, solve_station
from mmroute.routing.jis.heuristic import heuristic_trips, station_buffer_ok, supplier_cost_cny
from mmroute.routing.jis.problem import JisProblem
from mmroute.routing.jis.result import JisPlan, JisTrip

__all__ = ["JisParams", "solve_jis"]


@dataclass(frozen=True)
class JisParams:
    """Settings of :func:`solve_jis`: ``exact`` (``None``: CP-SAT when the problem has at most
    ``max_exact_racks`` racks), CP-SAT ``workers``; for robust plans (see the module docstring)
    ``drive_factor`` (>= 1): plan with every driving time (out and back) multiplied by it,
    rounded up to whole seconds, and ``gate_lead_s``: per supplier id, plan each of its trips
    to reach the plant gate at least this many seconds before it unloads (default 0).
    ``lead_short_cny_per_min``: in a re-plan (:func:`.replan.replan_jis`) whose gate leads leave
    no plan, the leads are kept where they can be: each rack-minute a trip comes short of its
    supplier's lead costs this much. ``hedge_lead_s``: re-plans want every supplier's trips to
    reach the gate at least this long before they unload (a soft lead at the same price, on top
    of nothing: the larger of it and ``gate_lead_s``): racks loaded ahead ride out a short
    outage at their supplier or a slow road, where the fleet has the time.
    ``gate_wait_cny_per_min``: in a re-plan, each rack-minute a trip of a supplier with a lead
    (gate or hedge) waits at the gate beyond that lead costs this (a tie-break, far below the
    lead's price): its trips load as late as the lead allows, so racks not needed yet stay at the
    supplier, free to be regrouped at the next report (a rush rack beside them) rather than
    committed to a truck hours ahead. (A supplier without a lead keeps CP-SAT's choice: an
    early loading there is the only hedge against its own outage.)"""

    exact: bool | None = None
    max_exact_racks: int = 2000
    workers: int = 1
    drive_factor: float = 1.0
    gate_lead_s: Mapping[str, int] = field(default_factory=dict)
    lead_short_cny_per_min: float = 2.0
    hedge_lead_s: int = 0
    gate_wait_cny_per_min: float = 0.1


def inflated(problem: JisProblem, factor: float = 1.0, gate_lead_s: Mapping[str, int] | None = None) -> JisProblem:
    """``problem`` as the planners see it: every hourly driving time multiplied by ``factor``
    (rounded up), and ``gate_lead_s[supplier]`` added to the drive out."""
    leads = dict(gate_lead_s or {})
    if factor == 1.0 and not any(leads.values()):
        return problem
    roads = {sid: replace(r, out_s=tuple(int(math.ceil(x * factor - 1e-9)) + int(leads.get(sid, 0)) for x in r.out_s),
                          back_s=tuple(int(math.ceil(x * factor - 1e-9)) for x in r.back_s))
             for sid, r in problem.roads.items()}
    return replace(problem, roads=roads)


def solve_jis(problem: JisProblem, *, time_limit_s: float, seed: int, params: JisParams | None = None,
              initial: JisPlan | None = None) -> JisPlan:
    """Plan the shuttles of ``problem``: no line stop, racks in sequence, buffers and fleets
    respected, least trip + line-side inventory cost. ``initial``: a plan whose trips hint
    CP-SAT (else the heuristic's); ``params``: :class:`JisParams` (robust plans: gate leads,
    drive factor). Raises :class:`InfeasibleError` when the segmentation bound or CP-SAT proves
    that a station cannot be supplied without a line stop, or no plan is found in time."""
    validate.instance_of(problem, JisProblem, "problem")
    limit = validate.time_limit_s(time_limit_s)
    seed = validate.seed(seed)
    params = validate.params_of(params, JisParams)
    validate.number(params.drive_factor, "params.drive_factor", lo=1.0, hi=10.0)
    for sid, lead in dict(params.gate_lead_s).items():
        if sid not in {s.id for s in problem.suppliers}:
            raise InputError(f"unknown supplier {sid!r}", field="params.gate_lead_s")
        validate.integer(lead, f"params.gate_lead_s.{sid}", lo=0)
    if initial is not None:
        validate.instance_of(initial, JisPlan, "initial")
    t0 = time.perf_counter()
    given, problem = problem, inflated(problem, params.drive_factor, params.gate_lead_s)
    robust = problem is not given
    seg = {s.id: segment_bound(given, s.id) for s in problem.suppliers}
    for s in problem.suppliers:
        if seg[s.id] is None:
            raise InfeasibleError(f"station {s.station} ({s.id}): no plan without a line stop within the buffer "
                                  "(proven by the segmentation bound: no split of the racks into trucks "
                                  "arrives in time and in sequence)")
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
    proven = set()
    for group in groups:  # a heuristic plan that meets the segmentation bound is optimal
        mine = [t for sid in group for t in heur[sid] or ()]
        if all(heur[sid] for sid in group) and station_buffer_ok(
                problem, problem.supplier(group[0]).station, mine):
            cost = sum(supplier_cost_cny(problem, sid, heur[sid] or []) for sid in group)
            if cost <= _lower(seg, group) + 0.005:
                proven.add(group)
    groups = [g for g in groups if g not in proven]
    if exact:
        # the time left, shared by the racks left (small stations first: a station proven early
        # gives its time on); then a second round for the stations not proven, from their best
        for rnd in range(2):
            todo = [g for g in groups if rnd == 0 or (g in results and results[g].status == "FEASIBLE"
                                                      and (results[g].objective or 0) > _lower(seg, g) + 0.005)]
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
    robust_bound: float | None = 0.0
    for group in problem.station_groups():
        station = problem.supplier(group[0]).station
        res = results.get(group)
        lower = _lower(seg, group)
        if group in proven:
            trips.extend(t for s in group for t in heur[s] or ())
            statuses[station] = "optimal"
            bound = None if bound is None else bound + lower
            robust_bound = None if robust_bound is None else robust_bound + lower
        elif res is not None and res.trips is not None:
            trips.extend(res.trips)
            best = [x for x in (lower, None if robust else res.bound) if x is not None]
            bound = None if bound is None else bound + max(best)
            robust_bound = None if robust_bound is None or res.bound is None else robust_bound + res.bound
            statuses[station] = "optimal" if res.status == "OPTIMAL" or (
                res.objective is not None and res.objective <= lower + 0.005) else res.status.lower()
        elif all(heur[s] for s in group) and station_buffer_ok(
                problem, station, [t for s in group for t in heur[s] or ()]):  # suppliers sharing a buffer
            trips.extend(t for s in group for t in heur[s] or ())
            statuses[station] = "heuristic"
            bound = None if bound is None else bound + lower
            robust_bound = None
        else:
            raise InfeasibleError(f"station {station} ({', '.join(group)}): no plan without a line stop found "
                                  f"in {limit:g} s" + ("" if exact else " by the heuristic (try the exact model)"))
    elapsed = time.perf_counter() - t0
    extra: dict = {"drive_factor": params.drive_factor, "gate_lead_s": dict(params.gate_lead_s)}
    if robust:
        extra["robust_bound"] = None if robust_bound is None else round(robust_bound, 2)
    return _checked(given, trips, bound, statuses, seed, elapsed, bool(results), extra)


def _checked(problem: JisProblem, trips: list[JisTrip], bound: float | None, statuses: dict[str, str],
             seed: int, elapsed: float, cp_sat: bool, extra: dict) -> JisPlan:
    draft = JisPlan(trips=tuple(trips), objective=0.0, status="infeasible", instance=problem.name)
    rep = check_jis_plan(problem, draft)
    if not rep.feasible:
        raise SolverError(f"{problem.name}: the planned trips fail the checker: {rep.reason}")
    obj = float(rep.objective or 0.0)
    if bound is not None:
        if bound > obj + 0.01:
            raise SolverError(f"{problem.name}: the bound {bound:.2f} exceeds the plan's cost {obj:.2f}")
        bound = round(min(bound, obj), 2)
    optimal = bound is not None and obj - bound <= 0.01
    status = "optimal" if optimal else "feasible"
    solver = ("cp-sat per station (heuristic hint)" if cp_sat else "heuristic (latest full trucks)") + \
        " + segmentation bound"
    plan = JisPlan(trips=tuple(trips), objective=obj, status=status, bound=bound, time_s=elapsed, solver=solver,
                   seed=seed, instance=problem.name, info={**rep.details, "stations": statuses, **extra})
    final = check_jis_plan(problem, plan)
    if not final.feasible:
        raise SolverError(f"{problem.name}: the plan's claims fail the checker: {final.reason}")
    return plan


def _lower(seg: dict, group: tuple[str, ...]) -> float:
    """The segmentation bound (CNY) of a station's suppliers."""
    return sum(seg[sid].units for sid in group) / UNITS_PER_CNY


def _better(a: ExactJis, b: ExactJis) -> ExactJis:
    """The better plan of two runs on one station, with the higher of their (valid) bounds."""
    best = a if b.trips is None or (a.trips is not None and (a.objective or 0) <= (b.objective or 0)) else b
    bounds = [x.bound for x in (a, b) if x.bound is not None]
    bound = max(bounds) if bounds else None
    status = "OPTIMAL" if "OPTIMAL" in (a.status, b.status) else best.status
    return ExactJis(best.trips, status, best.objective, bound, a.time_s + b.time_s)
