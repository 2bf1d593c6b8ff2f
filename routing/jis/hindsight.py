"""Which line stops of a disrupted JIS day could any plan have avoided: the day in hindsight.

:func:`classify_day` asks whether a plan without a line stop exists for the day as it turned
out, knowing everything from hour 0 (a clairvoyant plan: stronger than any re-plan from a
disruption's reveal time, so a stop it cannot avoid is **unavoidable** for every policy):

- the sequence with every change applied (:func:`.sequence.apply_changes`; a part is still
  built only after its car is called off, and a rack a supplier had started when a change was
  reported keeps its composition), each supplier's outages as windows in which nothing loads;
- the realised roads as hourly tables (:func:`hindsight_roads`): for each departure hour, the
  least (optimistic table) and the greatest (pessimistic table) realised trip time of any
  departure in that hour (sampled every minute; waiting for a closed road to reopen included);
- a rack is late only after its first car's need (the safety time set to 0: a rack inside the
  safety time is not a line stop).

Then, in order: on the optimistic table (a relaxation), a rack that cannot reach its car even
loaded the moment it is ready (:func:`.replan.unavoidable_stops`) or a supplier with no split
of its racks into trucks that arrives in time (:func:`.bound.segment_bound`) proves a stop; on
the pessimistic table, an earliest or latest dispatch (:func:`.replan.forward_trips`, the
heuristic) or a CP-SAT plan without a line stop, passing the checker and driven trip by trip
on the realised roads, proves that a stop-free plan existed; else CP-SAT proving the no-late
model of the optimistic table infeasible proves a stop; otherwise the day is ``unknown``.

:func:`classify_from_news` is the same question for a policy that learns of each disruption
when it is reported (a rolling re-plan): an outage or a road event is known from its report
with its whole window (:attr:`.sequence.SupplierOutage.at_h`, the world's ``known_at``), never
before, so a clairvoyant re-plan from the day's first news may not use a window reported
later. The day is classified from its first news and again from each later report of such a
window; a stop proven from that report that the same state without that window would have
avoided is charged to the news (``unavoidable``), not to the policy.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

from mmroute import validate
from mmroute.routing.jis.problem import JisProblem, SupplierRoad, ceil_s

__all__ = ["DayClass", "classify_day", "classify_from_news", "hindsight_problem", "hindsight_roads"]


@dataclass(frozen=True)
class DayClass:
    """Whether a plan without a line stop existed for a day in hindsight: ``stop_free`` (``True``
    avoidable, ``False`` unavoidable, ``None`` unknown in the time), ``proof`` (how it is known),
    ``rack_stops`` (racks that miss their car even loaded at once), per station the
    deciding method, and the time (s)."""

    stop_free: bool | None
    proof: str
    rack_stops: int = 0
    stations: dict[str, str] = field(default_factory=dict)
    time_s: float = 0.0

    @property
    def label(self) -> str:
        return {True: "avoidable", False: "unavoidable", None: "unknown"}[self.stop_free]

    def summary(self) -> str:
        return f"{self.label} ({self.proof}; {self.rack_stops} racks late even at once; {self.time_s:.1f} s)"

    def to_dict(self) -> dict[str, Any]:
        return {"stop_free": self.stop_free, "label": self.label, "proof": self.proof, "rack_stops": self.rack_stops,
                "stations": dict(self.stations), "time_s": round(self.time_s, 3)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DayClass:
        return cls(stop_free=d["stop_free"], proof=str(d["proof"]), rack_stops=int(d.get("rack_stops", 0)),
                   stations=dict(d.get("stations", {})), time_s=float(d.get("time_s", 0.0)))


def hindsight_roads(problem: JisProblem, scenario: Any, realization: Any, *, worst: bool = False,
                    step_s: int = 60, roads: Any = None) -> dict[str, SupplierRoad]:
    """Per supplier, the problem's road with hourly tables of the realised day (``realization``
    of ``scenario``, through :class:`mmroute.world.Conditions`): the least (``worst``: the
    greatest) trip time (s) out and back of any departure in each hour, sampled every
    ``step_s``, waiting for a closed road included."""
    from mmroute.routing.jis.disrupt import _Roads

    real = roads if roads is not None else _Roads(problem, scenario, realization)
    pick = max if worst else min
    out: dict[str, SupplierRoad] = {}
    for s in problem.suppliers:
        r = problem.roads[s.id]

        def table(trip, hours: int, sid: str = s.id) -> tuple[int, ...]:
            return tuple(int(pick(start - t + drive for t in range(h * 3600, h * 3600 + 3600, step_s)
                                  for start, drive in [trip(sid, t)])) for h in range(hours))

        out[s.id] = replace(r, out_s=table(real.out, len(r.out_s)), back_s=table(real.back, len(r.back_s)))
    return out


def hindsight_problem(problem: JisProblem, scenario: Any, realization: Any, events: Any, *,
                      worst: bool = False, roads: Any = None) -> JisProblem:
    """The day as it turned out (see the module docstring): every change of ``events`` applied,
    the realised roads' optimistic (``worst``: pessimistic) hourly tables, no safety time."""
    from mmroute.routing.jis.sequence import apply_changes

    final = apply_changes(problem, events)
    line = replace(final.jis.line, safety_s=0)
    return replace(final, jis=replace(final.jis, line=line),
                   roads=hindsight_roads(final, scenario, realization, worst=worst, roads=roads))


def classify_day(problem: JisProblem, scenario: Any, realization: Any, events: Any, *, time_limit_s: float,
                 seed: int, state: Any = None) -> DayClass:
    """Whether a plan without a line stop existed for the day (``problem``: the published day;
    ``events``: its :class:`.sequence.JisEvents`), as the module docstring says; CP-SAT gets
    ``time_limit_s`` of deterministic time per station and model. ``state``
    (:class:`.replan.JisState`): a clairvoyant re-plan from there instead of from hour 0 (e.g.
    from a disruption's reveal time, with the trips loaded by then as driven; rack numbers of
    the day with every change applied)."""
    from mmroute.routing.jis.bound import segment_bound
    from mmroute.routing.jis.disrupt import _Roads
    from mmroute.routing.jis.exact import solve_station
    from mmroute.routing.jis.replan import JisState, _latest_from, forward_trips, state_starts
    from mmroute.routing.jis.sequence import JisEvents

    validate.instance_of(problem, JisProblem, "problem")
    validate.instance_of(events, JisEvents, "events")
    limit = validate.time_limit_s(time_limit_s)
    seed = validate.seed(seed)
    t0 = time.perf_counter()
    real = _Roads(problem, scenario, realization)
    best = hindsight_problem(problem, scenario, realization, events, roads=real)
    worst = hindsight_problem(problem, scenario, realization, events, worst=True, roads=real)
    blocked = events.blocked_s()
    state = state if state is not None else JisState(time_s=0)
    state = replace(state, blocked_s={**blocked, **dict(state.blocked_s)})
    starts, standing = state_starts(best, state)
    rack_stops = _hopeless(best, state, starts)
    if rack_stops:
        return DayClass(False, "a rack misses its car even loaded the moment it is ready", rack_stops,
                        time_s=time.perf_counter() - t0)
    fixed = len(state.trips)
    stations: dict[str, str] = {}
    unknown = False
    for group in best.station_groups():
        station = best.supplier(group[0]).station
        here = tuple(standing.get(station, ()))
        if not state.trips and any(segment_bound(best, sid) is None for sid in group):
            return DayClass(False, f"{station}: no split of the racks into trucks arrives in time (segmentation bound)",
                            0, {**stations, station: "bound"}, time.perf_counter() - t0)
        # a plan on the slowest road times of each hour, checked, and checked again trip by trip
        # on the realised roads, proves that a stop-free plan existed
        cands = {"earliest dispatch": forward_trips(worst, group, starts, here)}
        latest = _latest_from(worst, group, starts, here)
        if latest is not None:
            cands["latest dispatch"] = latest
        hint = {sid: [t for t in (latest or cands["earliest dispatch"]) if t.supplier == sid] for sid in group}
        ok = next((k for k, trips in cands.items()
                   if _stop_free(worst, station, list(state.trips) + trips, fixed, real, state.blocked_s)), None)
        if ok is None:
            res = solve_station(worst, group, time_limit_s=limit, seed=seed, start=starts, standing=here,
                                deterministic=True, hint=hint)
            if res.trips is not None and _stop_free(worst, station, list(state.trips) + list(res.trips), fixed, real,
                                                          state.blocked_s):
                ok = f"cp-sat {res.status.lower()}"
        if ok is not None:
            stations[station] = ok
            continue
        # no plan found: the fastest road times of each hour (a relaxation) may prove a stop
        res = solve_station(best, group, time_limit_s=limit, seed=seed, start=starts, standing=here,
                            deterministic=True, hint=hint)
        if res.status == "INFEASIBLE":
            return DayClass(False, f"{station}: CP-SAT proves no plan without a line stop", 0,
                            {**stations, station: "cp-sat infeasible"}, time.perf_counter() - t0)
        stations[station] = "unknown"
        unknown = True
    if unknown:
        return DayClass(None, "no stop-free plan found and none proven impossible in the time", 0, stations,
                        time.perf_counter() - t0)
    return DayClass(True, "a plan without a line stop exists (checked on the realised roads)", 0, stations,
                    time.perf_counter() - t0)


def classify_from_news(problem: JisProblem, scenario: Any, realization: Any, events: Any, trips: Any, *,
                       time_limit_s: float, seed: int) -> tuple[float, DayClass] | None:
    """The day in hindsight for a policy that drove ``trips`` (on the day with every change of
    ``events`` applied) and learns of each disruption at its report (module docstring):
    ``(reveal_h, class)``, ``None`` for a day without news. First :func:`classify_day` from the
    day's first news (:func:`.disrupt.news_s`) keeping the ``trips`` loaded by then; unless that
    proves a stop, from each later report of an outage or of a road event on a supplier's road,
    keeping the trips loaded by then: a stop proven there, where the same state without the
    windows reported then has a stop-free plan, makes the day ``unavoidable`` from that report
    (its window was not known before it)."""
    from mmroute.routing.jis.disrupt import _road_news_s, _Roads, news_s
    from mmroute.routing.jis.replan import JisState, split_loaded
    from mmroute.routing.jis.sequence import JisEvents, apply_changes

    validate.instance_of(events, JisEvents, "events")
    t0 = time.perf_counter()
    final = apply_changes(problem, events)
    roads = _Roads(problem, scenario, realization)
    news = news_s(problem, roads, realization, events)
    if not news:
        return None

    def at(tau: int, ev: Any, real: Any) -> DayClass:
        stay, _ = split_loaded(final, tuple(trips), tau)
        return classify_day(problem, scenario, real, ev, time_limit_s=time_limit_s, seed=seed,
                            state=JisState(time_s=tau, trips=stay))

    first = at(news[0], events, realization)
    if first.stop_free is False:
        return news[0] / 3600, first
    windows = {ceil_s(o.reported_h) for o in events.outages} | _road_news_s(problem, roads, realization)
    for tau in sorted(x for x in windows if x > news[0]):
        c = at(tau, events, realization)
        if c.stop_free is not False:
            continue
        without = replace(events, outages=tuple(o for o in events.outages if ceil_s(o.reported_h) != tau))
        if at(tau, without, _without_road_news(realization, tau)).stop_free is True:
            hh = f"{tau // 3600:02d}:{tau % 3600 // 60:02d}"
            return tau / 3600, DayClass(False, f"from the report at {hh} (its window unknown before): {c.proof}",
                                        c.rack_stops, c.stations, time.perf_counter() - t0)
    return news[0] / 3600, first


def _without_road_news(realization: Any, tau: int) -> Any:
    """``realization`` without the road events on the suppliers' roads that begin at ``tau`` (s,
    :func:`.problem.ceil_s`, as :func:`.disrupt.news_s` rounds them)."""
    e = realization.events
    kept = {kind: tuple(x for x in getattr(e, kind) if ceil_s(x.from_h) != tau)
            for kind in ("closures", "slowdowns", "node_closures", "weather")}
    return replace(realization, events=replace(e, **kept))


def _hopeless(problem: JisProblem, state: Any, starts: dict) -> int:
    """Racks that reach their station after their first car's need: shipped so (in ``state``),
    or left and late even if loaded the moment they are ready (and the supplier may load) and
    driven at once on the fastest hour."""
    from mmroute.routing.jis.bound import earliest_arrival_s
    from mmroute.routing.jis.sequence import load_after

    n = sum(t.arrive_s > problem.racks(t.supplier)[r].need_s for t in state.trips for r in t.racks)
    for s in problem.suppliers:
        st = starts[s.id]
        racks = problem.racks(s.id)
        for g in st.left_racks(len(racks)):
            load = load_after(st.blocked_s, max(0, racks[g].ready_s, st.earliest_load_s))
            n += earliest_arrival_s(problem.roads[s.id], load + s.loading_s) > racks[g].need_s
    return n


def _stop_free(problem: JisProblem, station: str, trips: list, fixed: int, real: Any,
               blocked: Any = None) -> bool:
    """Whether ``trips`` (the first ``fixed`` of them loaded before, as driven; then a plan for
    every rack left of ``station``'s suppliers) pass the checker on ``problem`` (no line stop,
    buffer, fleet, sequence; the other stations' racks aside), load outside the supplier's
    windows without loading and can drive as timed on the realised roads ``real`` (waits for a
    closed road included)."""
    from mmroute.routing.jis.check import check_jis_plan
    from mmroute.routing.jis.result import JisPlan

    group = tuple(s.id for s in problem.suppliers if s.station == station)
    unload = problem.jis.line.unload_s
    mine = [k for k, t in enumerate(trips) if t.supplier in group]
    for t in trips[fixed:]:
        if any(a <= t.load_s < b for a, b in (blocked or {}).get(t.supplier, ())):
            return False
        start, drive = real.out(t.supplier, t.depart_s)
        back_start, back = real.back(t.supplier, t.arrive_s + unload)
        if start + drive > t.arrive_s or back_start + back > t.return_s:
            return False
    plan = JisPlan(trips=tuple(trips[k] for k in mine), objective=0.0, status="infeasible", instance=problem.name)
    old = {f"trip {i} " for i, k in enumerate(mine) if k < fixed}  # as driven: the tables are hourly bounds
    rep = check_jis_plan(problem, plan)
    return not [v for v in rep.violations if v.where.startswith(("trip ", f"station {station}", *(f"{sid} " for sid in group)))
                and not any(v.where.startswith(x) for x in old)]
