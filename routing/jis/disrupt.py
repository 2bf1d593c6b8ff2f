"""A JIS plan on a drawn day: trucks delayed by road noise and closures, and re-sequencing.

:func:`execute` runs a plan's trips against the realised road conditions of one episode (a
:class:`mmroute.world.Realization`, read through one :class:`mmroute.world.Conditions`, the
same draws every policy faces) and counts the racks that reach their station after their first
car needs them (**line stops**; the line is not held back, so later needs stay as planned).

Policies:

- ``"static"``: every trip leaves at its planned departure (or when its truck is back, if
  later; when a closed road reopens, if closed); it arrives after the realised drive, or at its
  planned arrival if earlier (it waits at the gate: the buffer stays as planned).
- ``"resequence"``: the trips keep their racks and their planned arrival (the target), but each
  departure is re-planned from the current state: at every minute from when its racks are
  ready and a truck of the supplier is back, the dispatcher knows the drive time of the current
  hour (noise up to now, roads closed now: what :meth:`KnownEvents.known_at` reveals) and
  leaves as soon as waiting one more minute could miss the target, assuming a later hour's
  drive at its nominal time x ``exp(2 sigma)`` (the scenario's noise, two standard deviations).
  An early truck unloads as soon as the station's buffer has room for its racks (beside the
  racks delivered there so far), at its target at the latest, and drives back.
- ``"early"``: each trip, in sequence order, takes the supplier's truck that is back first and
  leaves as soon as its racks are ready and that truck is back (when a closed road reopens, if
  closed), then waits at the plant gate and unloads at its planned arrival (later if delayed):
  the fleet's idle time becomes racks waiting at the gate, so a slow road or a closure later in
  the day finds them already there, while the line-side stock stays as planned. Unloading at
  the planned time, a truck that left early is back no later than if it had left as planned.

- ``"replan"``: a rolling re-plan. The plan's trips run as planned (``"static"``) until news
  arrives: a road event on a supplier's road begins (a closure, a slowdown), a truck leaves
  expected more than ``delay_min`` after its planned arrival and after its racks' due time, a
  sequence change or a supplier's outage is reported (``jis_events``, :mod:`.sequence`). Then
  the trips loaded so far stay (with their times as expected from what is known then), and
  :func:`.replan.replan_jis` plans every rack left from that state on the roads known then
  (:meth:`KnownEvents.known_at`: noise up to the current hour, later hours nominal) and the
  sequence as changed by then, with the robust ``params`` of the plan (gate leads) if given;
  its trips run as planned until the next news. (Early departures between the news tie the
  fleet up at the plant gate: a rush rack then finds no truck.) ``Execution.replans`` and ``replan_s``
  count the re-plans and their CPU time (s).

Sequence changes and outages (``jis_events``): the day is counted on the changed sequence
(:func:`.sequence.apply_changes`); policies other than ``"replan"`` keep the plan's schedule
(:func:`.sequence.keep_schedule`: each trip as planned, later when its racks are not ready), and
no truck loads at a supplier during its outage.

:func:`execute_practice` runs the practice rule itself (:func:`.baseline.practice_trips`) on the
realised roads: it needs no forecast, so the drawn day decides its departures, its waits at the
dock and its line stops.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from mmroute import validate
from mmroute.routing.jis.problem import JisProblem, ceil_s
from mmroute.routing.jis.result import JisPlan, JisTrip
from mmroute.routing.jis.sequence import JisEvents, apply_changes, keep_schedule, load_after

__all__ = ["Execution", "execute", "execute_practice", "POLICIES"]

POLICIES = ("static", "resequence", "early", "replan")


@dataclass(frozen=True)
class Execution:
    """A plan run on one realised day: the trips as driven, the line stops (racks late),
    their minutes, the delay (s) of the latest rack beyond its need time, and the line-side
    stock as unloaded (rack-hours)."""

    trips: tuple[JisTrip, ...]
    line_stops: int
    line_stop_min: float
    worst_late_s: int
    inventory_rack_h: float = 0.0
    replans: int = 0
    replan_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"line_stops": self.line_stops, "line_stop_min": self.line_stop_min,
                "worst_late_s": self.worst_late_s, "inventory_rack_h": self.inventory_rack_h,
                "replans": self.replans, "replan_s": self.replan_s, "trips": [t.to_dict() for t in self.trips]}


class _Roads:
    """Realised drive times (s) of each supplier's road trips, and what is known at a time."""

    def __init__(self, problem: JisProblem, scenario: Any, realization: Any):
        from mmroute.world import Conditions

        self.cond = Conditions(scenario, realization.events)
        self.paths = {s.id: (tuple(scenario.link(x) for x in problem.roads[s.id].links_out),
                             tuple(scenario.link(x) for x in problem.roads[s.id].links_back))
                      for s in problem.suppliers}
        self.sigma = scenario.uncertainty.road_traffic.noise_sigma
        self.problem = problem

    def _trip_s(self, path, t_s: int) -> tuple[int, int]:
        """(start, duration) in s of a trip wanting to leave at ``t_s``: it waits for a closed
        road to reopen."""
        start_h = t_s / 3600
        reopen = self.cond.trip_reopens_h(path, start_h)
        start = t_s if reopen is None or reopen <= start_h else int(math.ceil(reopen * 3600))
        legs = self.cond.road_trip(path, start / 3600, check_open=False)
        return start, ceil_s(legs[-1][1] - legs[0][0])

    def out(self, sid: str, t_s: int) -> tuple[int, int]:
        return self._trip_s(self.paths[sid][0], t_s)

    def back(self, sid: str, t_s: int) -> tuple[int, int]:
        return self._trip_s(self.paths[sid][1], t_s)

    def open_now(self, sid: str, t_s: int) -> bool:
        return all(self.cond.is_open(lk.id, t_s / 3600) for lk in self.paths[sid][0])

    def pessimistic_out(self, sid: str, t_s: int, now_s: int) -> int:
        """Drive time out for a departure at ``t_s`` as known at ``now_s``."""
        if t_s // 3600 <= now_s // 3600:
            return self.out(sid, t_s)[1]
        return int(math.ceil(self.problem.roads[sid].drive_out_s(t_s) * math.exp(2 * self.sigma)))


def execute(problem: JisProblem, plan: JisPlan, scenario: Any, realization: Any, *,
            policy: str = "static", jis_events: JisEvents | None = None, time_limit_s: float = 4.0,
            seed: int = 0, params: Any = None, delay_min: float = 5.0) -> Execution:
    """Run ``plan`` on the day drawn by ``realization`` of ``scenario`` under ``policy``, with
    the sequence changes and outages of ``jis_events``; ``"replan"``: each re-plan with
    ``time_limit_s`` (CP-SAT's deterministic time), ``seed`` and ``params``
    (:class:`.solve.JisParams`), on news of a truck ``delay_min`` late or more."""
    validate.instance_of(problem, JisProblem, "problem")
    validate.instance_of(plan, JisPlan, "plan")
    if policy not in POLICIES:
        from mmroute.errors import InputError

        raise InputError(f"policy must be one of {', '.join(POLICIES)}, got {policy!r}", field="policy")
    ev = jis_events if jis_events is not None else JisEvents()
    validate.instance_of(ev, JisEvents, "jis_events")
    roads = _Roads(problem, scenario, realization)
    if policy == "replan":
        return _rolling(problem, plan, scenario, realization, roads, ev, time_limit_s=validate.time_limit_s(time_limit_s),
                        seed=validate.seed(seed), params=params, delay_s=int(validate.number(delay_min, "delay_min", lo=0) * 60))
    final = apply_changes(problem, ev)
    trips = plan.trips if final is problem else keep_schedule(final, plan)
    return _counted(final, _run(final, trips, roads, policy, ev))


def _run(problem: JisProblem, trips: Any, roads: _Roads, policy: str, ev: JisEvents,
         done: list[JisTrip] | None = None) -> list[JisTrip]:
    """``trips`` driven under ``policy`` on the realised roads, after the trips of ``done``
    (driven before: their trucks are back when they are back)."""
    unload = problem.jis.line.unload_s
    blocked = ev.blocked_s()
    done = list(done or ())
    out = list(done)
    for s in problem.suppliers:
        racks = problem.racks(s.id)
        free = [0] * s.fleet
        for t in done:
            if t.supplier == s.id:
                free[t.truck] = max(free[t.truck], t.return_s)
        # as planned: in the order the trips load (a rush rack may load before racks numbered
        # lower); otherwise in sequence order
        order = (lambda t: (t.load_s, t.racks[0])) if policy in ("static", "replan") else (lambda t: t.racks[0])
        for t in sorted((t for t in trips if t.supplier == s.id), key=order):
            if policy in ("static", "replan"):
                truck = t.truck
                load = load_after(blocked.get(s.id, ()), max(t.load_s, free[truck]))
                depart, drive = roads.out(s.id, load + s.loading_s)
            else:
                if policy == "early":  # the truck back first: in sequence order, every trip leaves earliest
                    truck = min(range(s.fleet), key=lambda k: free[k])
                else:
                    truck = min(range(s.fleet), key=lambda k: (free[k] > t.load_s, -free[k] if free[k] <= t.load_s else free[k]))
                first = load_after(blocked.get(s.id, ()), max(0, max(racks[r].ready_s for r in t.racks), free[truck]))
                tau = first + s.loading_s
                latest = tau if policy == "early" else max(tau, t.depart_s)
                while tau < latest:
                    nxt = tau + 60
                    if roads.open_now(s.id, tau) and nxt + roads.pessimistic_out(s.id, nxt, tau) > t.arrive_s:
                        break
                    tau = nxt
                depart, drive = roads.out(s.id, tau)
                load = tau - s.loading_s
            arrive = max(t.arrive_s, depart + drive)
            if policy == "resequence" and depart + drive < t.arrive_s:  # unload early if there is room
                arrive = _room_from(problem, s.station, out, depart + drive, len(t.racks), t.arrive_s)
            back_start, back = roads.back(s.id, arrive + unload)
            ret = back_start + back
            free[truck] = ret
            out.append(JisTrip(supplier=s.id, truck=truck, load_s=load, depart_s=depart, arrive_s=arrive,
                               return_s=ret, racks=t.racks))
    return out


def _road_news_s(problem: JisProblem, roads: _Roads, realization: Any) -> set[int]:
    """Onsets (s) of the realised events on the suppliers' roads (closures, slowdowns, closed
    nodes, weather cells)."""
    links = {lk.id for pair in roads.paths.values() for path in pair for lk in path}
    nodes = {problem.jis.plant} | {s.node for s in problem.suppliers}
    e = realization.events
    out = {ev.from_h for ev in (*e.closures, *e.slowdowns) if ev.link in links}
    out |= {ev.from_h for ev in e.node_closures if ev.node in nodes}
    out |= {w.from_h for w in e.weather}
    return {ceil_s(h) for h in out}


def news_s(problem: JisProblem, roads: _Roads, realization: Any, ev: JisEvents) -> list[int]:
    """When news reaches the rolling re-plan (s, in order): the onsets of road events on the
    suppliers' roads and the reports of ``ev`` (a day's reveal time is the first)."""
    return sorted(_road_news_s(problem, roads, realization) | {ceil_s(h) for h in ev.news_h()})


def _rolling(problem: JisProblem, plan: JisPlan, scenario: Any, realization: Any, roads: _Roads, ev: JisEvents, *,
             time_limit_s: float, seed: int, params: Any, delay_s: int) -> Execution:
    """Policy ``"replan"`` (see the module docstring)."""
    import time

    from mmroute.routing.jis.replan import JisState, replan_jis, split_loaded
    from mmroute.world import Conditions

    external = news_s(problem, roads, realization, ev)
    current = apply_changes(problem, ev, 0.0)
    pending: list[JisTrip] = list(plan.trips if current is problem else keep_schedule(current, plan))
    done: list[JisTrip] = []  # trips loaded (or frozen behind one loaded), as driven
    target: dict[tuple[str, tuple[int, ...]], int] = {}  # their planned arrivals
    last, replans, spent = -1, 0, 0.0
    while True:
        driven = _run(current, pending, roads, "static", ev, done)[len(done):]
        planned = {(t.supplier, t.racks): t for t in pending}
        news = [x for x in external if x > last]
        for t in driven:  # a truck that leaves with an arrival too late (its racks past their due)
            p = planned[(t.supplier, t.racks)]
            due = min(current.racks(t.supplier)[r].due_s for r in t.racks)
            if t.arrive_s > max(p.arrive_s + delay_s, due) and t.depart_s > last:
                news.append(t.depart_s)
        if not news:
            done += driven
            break
        tau = min(news)
        stay, _ = split_loaded(current, driven, tau)
        done += list(stay)
        target.update({(t.supplier, t.racks): planned[(t.supplier, t.racks)].arrive_s for t in driven})
        kept = {(t.supplier, t.racks) for t in stay}
        rest = [p for p in pending if (p.supplier, p.racks) not in kept]
        known_roads = JisProblem.from_scenario(scenario, Conditions(scenario, realization.events.known_at(tau / 3600)))
        known = apply_changes(known_roads, ev, tau / 3600)
        told = ev.known_at(tau / 3600)  # outages reported by now: their whole windows
        state = JisState(time_s=tau, trips=_expected(known, done, tau, target), resume_s=told.resume_s(tau),
                         blocked_s=told.blocked_s())
        t0 = time.process_time()  # CPU s: comparable on a loaded machine
        re = replan_jis(known, state, time_limit_s=time_limit_s, seed=seed, hint=tuple(rest), params=params)
        spent += time.process_time() - t0
        replans += 1
        current, pending, last = known, list(re.trips[len(state.trips):]), tau
    final = apply_changes(problem, ev)
    run = _counted(final, done)
    return Execution(trips=run.trips, line_stops=run.line_stops, line_stop_min=run.line_stop_min,
                     worst_late_s=run.worst_late_s, inventory_rack_h=run.inventory_rack_h, replans=replans,
                     replan_s=round(spent, 3))


def _expected(known: JisProblem, done: list[JisTrip], now_s: int,
              target: dict[tuple[str, tuple[int, ...]], int]) -> tuple[JisTrip, ...]:
    """The trips driven so far as known at ``now_s``: what has happened as it happened, the rest
    as expected on the roads known then (a trip unloads at its planned arrival ``target`` at the
    earliest, after the racks before it, and loads when its truck is back)."""
    unload = known.jis.line.unload_s
    out: list[JisTrip] = []
    for s in known.suppliers:
        road = known.roads[s.id]
        racks = known.racks(s.id)
        free: dict[int, int] = {}
        arrived: dict[int, int] = {}  # first regular rack -> arrival of the trips not rush
        for t in sorted((t for t in done if t.supplier == s.id), key=lambda t: (t.load_s, t.racks[0])):
            load = t.load_s if t.load_s <= now_s else max(t.load_s, free.get(t.truck, 0))
            depart = t.depart_s if load == t.load_s else load + s.loading_s
            plain = [r for r in t.racks if not racks[r].rush]
            rush = not plain
            last = max((a for k, a in arrived.items() if plain and k < plain[0]), default=0)
            if t.arrive_s <= now_s and load == t.load_s:  # it has happened
                arrive = t.arrive_s
            else:
                arrive = max(target[(t.supplier, t.racks)], depart + road.drive_out_s(depart), 0 if rush else last)
            if t.return_s <= now_s and arrive == t.arrive_s:
                ret = t.return_s
            else:
                ret = max(t.return_s if arrive == t.arrive_s else 0, arrive + unload + road.drive_back_s(arrive + unload))
            out.append(JisTrip(supplier=t.supplier, truck=t.truck, load_s=load, depart_s=depart, arrive_s=arrive,
                               return_s=ret, racks=t.racks))
            free[t.truck] = max(free.get(t.truck, 0), ret)
            if not rush:
                arrived[plain[0]] = arrive
    return tuple(out)


def execute_practice(problem: JisProblem, scenario: Any, realization: Any, *,
                     interval_min: float | None = None, jis_events: JisEvents | None = None) -> Execution:
    """The practice rule (:mod:`.baseline`) on the day drawn by ``realization``: trucks leave
    when full or ``interval_min`` after their first rack (``None``: the scenario's), drive the realised roads
    (waiting for a closed road to reopen) and wait at the dock for room; with ``jis_events``, on
    the changed sequence (racks ready as the changes call them off; no loading in an outage)."""
    from mmroute.routing.jis.baseline import practice_trips

    validate.instance_of(problem, JisProblem, "problem")
    interval = problem.jis.practice_interval_min if interval_min is None else validate.number(
        interval_min, "interval_min", lo=1e-3)
    ev = jis_events if jis_events is not None else JisEvents()
    validate.instance_of(ev, JisEvents, "jis_events")
    roads = _Roads(problem, scenario, realization)
    final = apply_changes(problem, ev)
    blocked = ev.blocked_s()
    return _counted(final, practice_trips(final, interval, drive_out=roads.out, drive_back=roads.back,
                                          may_load=(lambda sid, t: load_after(blocked.get(sid, ()), t)) if ev.outages else None))


def _counted(problem: JisProblem, done: list[JisTrip]) -> Execution:
    stops, late_s, worst, rack_s = 0, 0, 0, 0
    for t in done:
        for r in t.racks:
            rk = problem.racks(t.supplier)[r]
            rack_s += max(0, rk.release_s - t.arrive_s)
            if t.arrive_s > rk.need_s:
                stops += 1
                late_s += t.arrive_s - rk.need_s
                worst = max(worst, t.arrive_s - rk.need_s)
    return Execution(trips=tuple(done), line_stops=stops, line_stop_min=round(late_s / 60, 2), worst_late_s=worst,
                     inventory_rack_h=round(rack_s / 3600, 4))


def _room_from(problem: JisProblem, station: str, done: list[JisTrip], at_s: int, n: int, target_s: int) -> int:
    """Earliest time in ``[at_s, target_s]`` at which ``n`` more racks fit in ``station``'s
    buffer beside the racks already delivered there (they leave at their release times)."""
    cap = problem.station(station).buffer_racks
    releases = sorted(problem.racks(t.supplier)[r].release_s for t in done
                      if problem.supplier(t.supplier).station == station for r in t.racks)
    present = [x for x in releases if x > at_s]
    over = len(present) + n - cap
    if over <= 0:
        return at_s
    return min(target_s, present[over - 1])
