"""Known events and the travel conditions they imply: the problem data shared by model and checker.

An event changes the network for a time window: a closed link, a delayed departure, a slower
(or, with a factor above 1, faster) link, an extra dwell at a node. :class:`Conditions` turns a
scenario plus events into the numbers both the MIP and the independent checker use: which
departures run and when, how long a leg takes, how long cargo dwells at a node.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mmroute.errors import InputError
from mmroute.scenarios import Link, Scenario

__all__ = [
    "LinkClosure",
    "DepartureDelay",
    "LinkSlowdown",
    "NodeDelay",
    "KnownEvents",
    "Conditions",
]


@dataclass(frozen=True)
class LinkClosure:
    """No departure on ``link`` in ``[from_h, to_h)`` (scheduled departures are cancelled)."""

    link: str
    from_h: float
    to_h: float


@dataclass(frozen=True)
class DepartureDelay:
    """The scheduled departure of ``link`` at timetable time ``departure_h`` leaves ``delay_h``
    later; the cut-off stays relative to the timetable time."""

    link: str
    departure_h: float
    delay_h: float


@dataclass(frozen=True)
class LinkSlowdown:
    """Departures on ``link`` in ``[from_h, to_h)`` run at ``speed_factor`` x speed
    (travel time divided by the factor; a factor > 1 is faster)."""

    link: str
    from_h: float
    to_h: float
    speed_factor: float


@dataclass(frozen=True)
class NodeDelay:
    """Cargo reaching ``node`` in ``[from_h, to_h)`` (not at its destination) dwells ``delay_h``
    more before it can leave (port congestion, border queue)."""

    node: str
    from_h: float
    to_h: float
    delay_h: float


_KINDS: dict[str, type] = {
    "closures": LinkClosure,
    "delays": DepartureDelay,
    "slowdowns": LinkSlowdown,
    "node_delays": NodeDelay,
}


@dataclass(frozen=True)
class KnownEvents:
    """Disruptions known to the planner (all of them, for a hindsight solve)."""

    closures: tuple[LinkClosure, ...] = ()
    delays: tuple[DepartureDelay, ...] = ()
    slowdowns: tuple[LinkSlowdown, ...] = ()
    node_delays: tuple[NodeDelay, ...] = ()

    def validate(self, scenario: Scenario) -> None:
        """Raise :class:`InputError` if an event names an unknown link / node or is malformed."""
        links = {lk.id for lk in scenario.links}
        nodes = {n.id for n in scenario.nodes}
        for kind in _KINDS:
            for i, ev in enumerate(getattr(self, kind)):
                where = f"events.{kind}[{i}]"
                if isinstance(ev, NodeDelay):
                    if ev.node not in nodes:
                        raise InputError(f"unknown node {ev.node!r}", field=where)
                elif ev.link not in links:
                    raise InputError(f"unknown link {ev.link!r}", field=where)
                if not isinstance(ev, DepartureDelay) and not ev.to_h >= ev.from_h:
                    raise InputError("to_h must be >= from_h", field=where)
                if isinstance(ev, LinkSlowdown) and not ev.speed_factor > 0:
                    raise InputError("speed_factor must be > 0", field=where)
                if isinstance(ev, DepartureDelay | NodeDelay) and not ev.delay_h >= 0:
                    raise InputError("delay_h must be >= 0", field=where)

    def to_dict(self) -> dict[str, Any]:
        return {k: [dict(vars(ev)) for ev in getattr(self, k)] for k in _KINDS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KnownEvents:
        unknown = set(data) - set(_KINDS)
        if unknown:
            raise InputError(f"unknown event kinds {sorted(unknown)}", field="events")
        try:
            return cls(**{k: tuple(t(**d) for d in data.get(k, ())) for k, t in _KINDS.items()})
        except TypeError as exc:
            raise InputError(f"bad event: {exc}", field="events") from None


def _in(t: float, lo: float, hi: float) -> bool:
    return lo <= t < hi


class Conditions:
    """Travel conditions of a scenario under known events.

    Road travel time = nominal x the time-of-day multiplier of the departure hour (when the
    scenario has a ``start``) / the speed factor of any slowdown active at departure.
    """

    def __init__(self, scenario: Scenario, events: KnownEvents | None = None):
        self.scenario = scenario
        self.events = events or KnownEvents()
        self.events.validate(scenario)
        self._hour0 = None
        if scenario.start is not None:
            st = datetime.fromisoformat(scenario.start)
            self._hour0 = st.hour + st.minute / 60.0
        self._profile = scenario.uncertainty.road_traffic.hourly_multipliers
        ev = self.events
        self._closures: dict[str, list[LinkClosure]] = {}
        for c in ev.closures:
            self._closures.setdefault(c.link, []).append(c)
        self._slow: dict[str, list[LinkSlowdown]] = {}
        for s in ev.slowdowns:
            self._slow.setdefault(s.link, []).append(s)
        self._delays = {(d.link, _round(d.departure_h)): d.delay_h for d in ev.delays}
        self._node_delays: dict[str, list[NodeDelay]] = {}
        for nd in ev.node_delays:
            self._node_delays.setdefault(nd.node, []).append(nd)

    def is_open(self, link_id: str, departure_h: float) -> bool:
        """True unless a closure of the link covers ``departure_h``."""
        return not any(_in(departure_h, c.from_h, c.to_h) for c in self._closures.get(link_id, ()))

    def closure_ends(self, link_id: str) -> list[float]:
        """Ends (h) of the link's closures: times worth waiting for."""
        return [c.to_h for c in self._closures.get(link_id, ())]

    def road_multiplier(self, departure_h: float) -> float:
        """Time-of-day multiplier of road travel times for a departure at ``departure_h``."""
        if self._hour0 is None:
            return 1.0
        hour = int(math.floor(self._hour0 + departure_h + 1e-9)) % 24
        return float(self._profile[hour])

    def travel_time_h(self, link: Link, departure_h: float) -> float:
        """Travel time (h) of ``link`` for a departure (actual time) at ``departure_h``."""
        t = link.travel_time_h
        if not link.scheduled:
            t *= self.road_multiplier(departure_h)
        for s in self._slow.get(link.id, ()):
            if _in(departure_h, s.from_h, s.to_h):
                t /= s.speed_factor
        return t

    def departure_delay_h(self, link_id: str, timetable_h: float) -> float:
        """Delay (h) of the scheduled departure at timetable time ``timetable_h``."""
        return self._delays.get((link_id, _round(timetable_h)), 0.0)

    def departures(self, link: Link, lo_h: float, hi_h: float) -> list[tuple[float, float]]:
        """Running departures of a scheduled link with timetable time in ``[lo_h, hi_h]``:
        pairs (timetable time, actual departure time), closed ones left out."""
        if link.timetable is None:
            return []
        out = []
        for d in link.timetable.departures(lo_h, hi_h):
            d = _round(d)
            actual = d + self.departure_delay_h(link.id, d)
            if self.is_open(link.id, actual):
                out.append((d, actual))
        return out

    def node_delay_h(self, node_id: str, arrival_h: float) -> float:
        """Dwell (h) of cargo passing ``node_id`` on arrival at ``arrival_h``: the node's own
        ``dwell_h`` (e.g. customs clearance) plus the delays known for that time."""
        return self.scenario.node(node_id).dwell_h + sum(
            d.delay_h for d in self._node_delays.get(node_id, ()) if _in(arrival_h, d.from_h, d.to_h)
        )


def _round(t: float) -> float:
    """Times are kept to 1e-6 h so that equal times compare equal."""
    return round(t, 6)
