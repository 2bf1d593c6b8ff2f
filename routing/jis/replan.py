"""Re-planning JIS dispatches from the current state: a delayed truck, a slowed or closed road,
a supplier's outage.

:func:`replan_jis` keeps the trips already loaded (``state.trips``: as driven so far, or as
expected), and plans the racks still at the suppliers with the exact model of
:mod:`.exact` from where things stand: each truck is free when it is back, nothing loads before
``state.time_s`` (or before a supplier's outage ends), racks already at a station hold its
buffer, racks stay in sequence. Road times come from the problem it is given — build it with
the conditions known now (``JisProblem.from_scenario(scenario, Conditions(scenario,
events.known_at(now_h)))``), so the re-plan uses what is known at that time and nothing later.
Where no plan without a line stop exists any more, racks may be late at
``late_cny_per_min`` per minute (minimising the damage); the checker's ``line_stops`` says how
many are.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from mmroute import validate
from mmroute.routing.jis.check import check_jis_plan
from mmroute.routing.jis.exact import SupplierStart, solve_station
from mmroute.routing.jis.problem import JisProblem
from mmroute.routing.jis.result import JisPlan, JisTrip

__all__ = ["JisState", "replan_jis"]


@dataclass(frozen=True)
class JisState:
    """Where the day stands at ``time_s``: the trips loaded so far (their racks are shipped;
    times as driven or expected) and, per supplier, when its loading resumes after an outage."""

    time_s: int
    trips: tuple[JisTrip, ...] = ()
    resume_s: Mapping[str, int] = field(default_factory=dict)


def replan_jis(problem: JisProblem, state: JisState, *, time_limit_s: float, seed: int,
               late_cny_per_min: float = 1000.0) -> JisPlan:
    """The trips of ``state`` plus a new plan for the racks not yet shipped (checked)."""
    validate.instance_of(problem, JisProblem, "problem")
    validate.instance_of(state, JisState, "state")
    limit = validate.time_limit_s(time_limit_s)
    seed = validate.seed(seed)
    now = validate.integer(state.time_s, "state.time_s", lo=0)
    t0 = time.perf_counter()
    starts: dict[str, SupplierStart] = {}
    standing: dict[str, list[tuple[int, int]]] = {}
    for s in problem.suppliers:
        mine = [t for t in state.trips if t.supplier == s.id]
        shipped = sorted(r for t in mine for r in t.racks)
        if shipped != list(range(len(shipped))):
            from mmroute.errors import InputError

            raise InputError(f"{s.id}: the racks shipped must be the first ones in sequence, got {shipped[:8]}",
                             field="state.trips")
        free = [0] * s.fleet
        for t in mine:
            free[t.truck] = max(free[t.truck], t.return_s)
        starts[s.id] = SupplierStart(first_rack=len(shipped), earliest_load_s=max(now, state.resume_s.get(s.id, 0)),
                                     truck_free_s=tuple(free),
                                     last_arrival_s=max((t.arrive_s for t in mine), default=0))
        racks = problem.racks(s.id)
        standing.setdefault(s.station, []).extend(
            (t.arrive_s, racks[r].release_s) for t in mine for r in t.racks if racks[r].release_s > now)
    new: list[JisTrip] = []
    statuses: dict[str, str] = {}
    total = sum(len(problem.racks(s.id)) - starts[s.id].first_rack for s in problem.suppliers) or 1
    for group in problem.station_groups():
        station = problem.supplier(group[0]).station
        left = [sid for sid in group if starts[sid].first_rack < len(problem.racks(sid))]
        if not left:
            statuses[station] = "done"
            continue
        share = sum(len(problem.racks(sid)) - starts[sid].first_rack for sid in left) / total
        res = solve_station(problem, tuple(left), time_limit_s=max(0.1, limit * share), seed=seed,
                            start=starts, standing=tuple(standing.get(station, ())),
                            late_cny_per_min=late_cny_per_min)
        statuses[station] = res.status.lower()
        if res.trips is None:
            from mmroute.errors import InfeasibleError

            raise InfeasibleError(f"station {station}: no re-plan found in {limit:g} s ({res.status})")
        new.extend(res.trips)
    trips = tuple(state.trips) + tuple(new)
    draft = JisPlan(trips=trips, objective=0.0, status="infeasible", instance=problem.name)
    rep = check_jis_plan(problem, draft)
    late_only = all("line stop" in v.why or "safety time" in v.why for v in rep.violations)
    if not (rep.feasible or late_only) or rep.n_violations > len(rep.violations) and not late_only:
        from mmroute.errors import SolverError

        raise SolverError(f"{problem.name}: the re-plan fails the checker: {rep.reason}")
    return JisPlan(trips=trips, objective=float(rep.objective or 0.0), status="feasible" if rep.feasible else "infeasible",
                   time_s=time.perf_counter() - t0, solver="cp-sat re-plan from state", seed=seed,
                   instance=problem.name, info={**rep.details, "stations": statuses, "replanned_trips": len(new)})
