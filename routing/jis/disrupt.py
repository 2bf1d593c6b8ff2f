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

:func:`execute_practice` runs the practice rule itself (:func:`.baseline.practice_trips`) on the
realised roads: it needs no forecast, so the drawn day decides its departures, its waits at the
dock and its line stops.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from mmroute import validate
from mmroute.routing.jis.problem import JisProblem
from mmroute.routing.jis.result import JisPlan, JisTrip

__all__ = ["Execution", "execute", "execute_practice", "POLICIES"]

POLICIES = ("static", "resequence", "early")


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

    def to_dict(self) -> dict[str, Any]:
        return {"line_stops": self.line_stops, "line_stop_min": self.line_stop_min,
                "worst_late_s": self.worst_late_s, "inventory_rack_h": self.inventory_rack_h,
                "trips": [t.to_dict() for t in self.trips]}


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
        return start, int(math.ceil((legs[-1][1] - legs[0][0]) * 3600 - 1e-6))

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
            policy: str = "static") -> Execution:
    """Run ``plan`` on the day drawn by ``realization`` of ``scenario`` under ``policy``."""
    validate.instance_of(problem, JisProblem, "problem")
    validate.instance_of(plan, JisPlan, "plan")
    if policy not in POLICIES:
        from mmroute.errors import InputError

        raise InputError(f"policy must be one of {', '.join(POLICIES)}, got {policy!r}", field="policy")
    roads = _Roads(problem, scenario, realization)
    unload = problem.jis.line.unload_s
    done: list[JisTrip] = []
    for s in problem.suppliers:
        racks = problem.racks(s.id)
        free = [0] * s.fleet
        for t in sorted((t for t in plan.trips if t.supplier == s.id), key=lambda t: t.racks[0]):
            if policy == "static":
                truck = t.truck
                load = max(t.load_s, free[truck])
                depart, drive = roads.out(s.id, load + s.loading_s)
            else:
                if policy == "early":  # the truck back first: in sequence order, every trip leaves earliest
                    truck = min(range(s.fleet), key=lambda k: free[k])
                else:
                    truck = min(range(s.fleet), key=lambda k: (free[k] > t.load_s, -free[k] if free[k] <= t.load_s else free[k]))
                first = max(0, racks[t.racks[-1]].ready_s, free[truck])
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
                arrive = _room_from(problem, s.station, done, depart + drive, len(t.racks), t.arrive_s)
            back_start, back = roads.back(s.id, arrive + unload)
            ret = back_start + back
            free[truck] = ret
            done.append(JisTrip(supplier=s.id, truck=truck, load_s=load, depart_s=depart, arrive_s=arrive,
                                return_s=ret, racks=t.racks))
    return _counted(problem, done)


def execute_practice(problem: JisProblem, scenario: Any, realization: Any, *,
                     interval_min: float | None = None) -> Execution:
    """The practice rule (:mod:`.baseline`) on the day drawn by ``realization``: trucks leave
    when full or ``interval_min`` after their first rack (``None``: the scenario's), drive the realised roads
    (waiting for a closed road to reopen) and wait at the dock for room."""
    from mmroute.routing.jis.baseline import practice_trips

    validate.instance_of(problem, JisProblem, "problem")
    interval = problem.jis.practice_interval_min if interval_min is None else validate.number(
        interval_min, "interval_min", lo=1e-3)
    roads = _Roads(problem, scenario, realization)
    return _counted(problem, practice_trips(problem, interval, drive_out=roads.out, drive_back=roads.back))


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
