"""Known events: what changes the network for a time window, as plain data.

An event changes the network for a time window: a closed link or node, a delayed departure, a
slower (or, with a factor above 1, faster) link, an extra dwell at a node, a weather cell that
drifts across links and closes or slows those it crosses, and the realised road-traffic noise.
:class:`~mmroute.world.conditions.Conditions` turns a scenario plus events into the numbers the
MIP, the independent checker and the simulator all use.

Every event has an *onset* (``from_h``; the hour itself for a road-noise factor): a policy
knows an event once its onset has passed, see :meth:`KnownEvents.known_at`.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from mmroute.errors import InputError
from mmroute.scenarios import Scenario

__all__ = [
    "LinkClosure",
    "NodeClosure",
    "DepartureDelay",
    "LinkSlowdown",
    "NodeDelay",
    "WeatherEvent",
    "RoadNoise",
    "CheckedFactors",
    "KnownEvents",
]


@dataclass(frozen=True)
class LinkClosure:
    """No departure on ``link`` in ``[from_h, to_h)`` (scheduled departures are cancelled)."""

    link: str
    from_h: float
    to_h: float


@dataclass(frozen=True)
class NodeClosure:
    """``node`` is closed in ``[from_h, to_h)``: no departure on any link leaving or entering it
    (scheduled departures are cancelled, road trips through it cannot start)."""

    node: str
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


@dataclass(frozen=True)
class WeatherEvent:
    """A weather cell of the scenario's ``cell`` that is active in ``[from_h, to_h)``.

    During its ``j``-th hour, ``[from_h + j, from_h + j + 1)``, its polygon is ``area`` (lon,
    lat at onset) moved by ``velocity_kmh`` (east, north) x ``j`` hours. Links of ``modes``
    whose geometry (sea lanes included) the polygon crosses are closed (``effect="close"``) or
    run at ``speed_factor`` x speed (``effect="slow"``) for departures in that hour.
    """

    cell: str
    from_h: float
    to_h: float
    area: tuple[tuple[float, float], ...]
    velocity_kmh: tuple[float, float]
    effect: str
    modes: tuple[str, ...]
    speed_factor: float | None = None

    def hours(self) -> int:
        """Number of hour steps (the last one may be cut short by ``to_h``)."""
        return max(0, math.ceil(self.to_h - self.from_h - 1e-9))

    def to_dict(self) -> dict[str, Any]:
        d = dict(vars(self))
        d["area"] = [list(p) for p in self.area]
        d["velocity_kmh"] = list(self.velocity_kmh)
        d["modes"] = list(self.modes)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> WeatherEvent:
        d = dict(d)
        d["area"] = tuple((float(x), float(y)) for x, y in d["area"])
        d["velocity_kmh"] = tuple(float(v) for v in d.get("velocity_kmh", (0.0, 0.0)))
        d["modes"] = tuple(d["modes"])
        return cls(**d)


@dataclass(frozen=True)
class RoadNoise:
    """Realised lognormal traffic noise of road ``link``: a departure in hour
    ``from_hour + k`` takes ``factors[k]`` x its time-of-day travel time (1 outside).
    ``factors``: a tuple of floats, or drawn by :func:`~mmroute.world.realization.realize`
    :class:`CheckedFactors` (equal to the tuple of the same floats)."""

    link: str
    from_hour: int
    factors: Sequence[float]

    def to_dict(self) -> dict[str, Any]:
        return {"link": self.link, "from_hour": self.from_hour, "factors": list(self.factors)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RoadNoise:
        return cls(link=d["link"], from_hour=int(d["from_hour"]),
                   factors=tuple(float(f) for f in d["factors"]))


class CheckedFactors(Sequence):
    """Road-noise factors known to be finite and > 0, packed in an ``array('d')``: checked at
    once, as an array, where they were drawn (:func:`~mmroute.world.realization.realize`), so
    that :meth:`KnownEvents.validate` need not run over every factor again at each reset; and
    copied from the draw's array as 8 bytes each, not made into a Python float per factor (a
    reset draws ~21,000 on ``liuzhou-asean``; making, keeping and freeing them as tuples was
    a quarter of a reset's instructions). A tuple of floats in every other respect: indexing
    gives the same floats, equal to, hashed and shown as the tuple of its values; a slice,
    or a concatenation with a tuple, is a plain tuple. :attr:`values` is the array (read only), what
    :class:`~mmroute.world.conditions.Conditions` indexes."""

    __slots__ = ("values",)

    def __init__(self, values: array):
        if not isinstance(values, array) or values.typecode != "d":
            raise TypeError("CheckedFactors packs an array('d')")
        self.values = values

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return tuple(self.values[k])
        return self.values[k]

    def __add__(self, other):
        return tuple(self.values) + other if isinstance(other, tuple) else NotImplemented

    def __radd__(self, other):
        return other + tuple(self.values) if isinstance(other, tuple) else NotImplemented

    def __iter__(self):
        return iter(self.values)

    def __eq__(self, other) -> bool:
        if type(other) is CheckedFactors:
            return self.values == other.values
        if isinstance(other, tuple):
            return tuple(self.values) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self.values))

    def __repr__(self) -> str:
        return repr(tuple(self.values))


_KINDS: dict[str, type] = {
    "closures": LinkClosure,
    "delays": DepartureDelay,
    "slowdowns": LinkSlowdown,
    "node_delays": NodeDelay,
    "node_closures": NodeClosure,
    "weather": WeatherEvent,
    "road_noise": RoadNoise,
}
_NESTED = ("weather", "road_noise")  # kinds with their own to_dict / from_dict


@dataclass(frozen=True)
class KnownEvents:
    """Disruptions known to the planner (all of them, for a hindsight solve)."""

    closures: tuple[LinkClosure, ...] = ()
    delays: tuple[DepartureDelay, ...] = ()
    slowdowns: tuple[LinkSlowdown, ...] = ()
    node_delays: tuple[NodeDelay, ...] = ()
    node_closures: tuple[NodeClosure, ...] = ()
    weather: tuple[WeatherEvent, ...] = ()
    road_noise: tuple[RoadNoise, ...] = ()

    def __bool__(self) -> bool:
        return any(getattr(self, k) for k in _KINDS)

    def known_at(self, time_h: float, *, cut_noise: bool = True,
                 announced_h: float | None = None) -> KnownEvents:
        """What a policy knows at ``time_h``: events whose onset is at or before it (a
        disruption with its announced end); weather cells only up to the end of the current
        hour step (their future track is forecast, not known); road noise of departure hours
        up to the current one (``cut_noise=False`` keeps all of it, for a caller that caps it
        with :meth:`Conditions.with_noise_until`). From ``announced_h`` on (if given) every
        event is known in full, onsets to come and weather tracks included — what a
        re-planning MIP is given when the events are posted at that time (a live plan) —
        road noise still hour by hour."""
        t = time_h + 1e-9
        if announced_h is not None and announced_h <= t:
            whole = self.known_at(time_h, cut_noise=cut_noise)
            return replace(self, road_noise=whole.road_noise)

        def onset(ev) -> float:
            return ev.departure_h if isinstance(ev, DepartureDelay) else ev.from_h

        kw: dict[str, tuple] = {}
        for kind in _KINDS:
            if kind in _NESTED:
                continue
            kw[kind] = tuple(ev for ev in getattr(self, kind) if onset(ev) <= t)
        weather = []
        for w in self.weather:
            if w.from_h <= t:
                seen = w.from_h + math.floor(time_h - w.from_h + 1e-9) + 1.0
                weather.append(w if seen >= w.to_h else replace(w, to_h=seen))
        if not cut_noise:
            return KnownEvents(**kw, weather=tuple(weather), road_noise=self.road_noise)
        noise = []
        hour = math.floor(t)
        for rn in self.road_noise:
            n = min(len(rn.factors), hour - rn.from_hour + 1)
            if n > 0:
                noise.append(rn if n == len(rn.factors) else replace(rn, factors=rn.factors[:n]))
        return KnownEvents(**kw, weather=tuple(weather), road_noise=tuple(noise))

    def validate(self, scenario: Scenario) -> None:
        """Raise :class:`InputError` if an event names an unknown link / node or is malformed."""
        links = {lk.id for lk in scenario.links}
        nodes = {n.id for n in scenario.nodes}
        for kind in _KINDS:
            for i, ev in enumerate(getattr(self, kind)):
                where = f"events.{kind}[{i}]"
                if isinstance(ev, WeatherEvent):
                    _validate_weather(ev, where)
                    continue
                if isinstance(ev, RoadNoise):
                    if ev.link not in links or scenario.link(ev.link).mode != "road":
                        raise InputError(f"{ev.link!r} is not a road link", field=where)
                    if type(ev.factors) is not CheckedFactors and not _finite_positive(
                            ev.factors):
                        f = np.asarray(ev.factors, dtype=float)
                        if f.size and not (np.isfinite(f).all() and f.min() > 0):
                            raise InputError("factors must be finite and > 0", field=where)
                    continue
                if isinstance(ev, NodeDelay | NodeClosure):
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
        """Plain data; kinds without events are left out (older readers stay compatible)."""
        out: dict[str, Any] = {}
        for k in _KINDS:
            evs = getattr(self, k)
            if evs or k in ("closures", "delays", "slowdowns", "node_delays"):
                out[k] = [ev.to_dict() if k in _NESTED else dict(vars(ev)) for ev in evs]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KnownEvents:
        unknown = set(data) - set(_KINDS)
        if unknown:
            raise InputError(f"unknown event kinds {sorted(unknown)}", field="events")
        try:
            return cls(**{k: tuple(t.from_dict(d) if k in _NESTED else t(**d)
                                   for d in data.get(k, ())) for k, t in _KINDS.items()})
        except (TypeError, KeyError, ValueError) as exc:
            raise InputError(f"bad event: {exc!r}", field="events") from None


def _finite_positive(factors) -> bool:
    """True if ``factors`` are numbers, all finite and > 0, as far as a sum and a minimum
    tell (a nan or an infinity makes the sum so): the check of :meth:`KnownEvents.validate`
    without an array per realization's road link; False where it cannot tell (then the
    array's check decides)."""
    try:
        return bool(factors) and math.isfinite(sum(factors)) and min(factors) > 0
    except (TypeError, OverflowError):
        return False


def _validate_weather(ev: WeatherEvent, where: str) -> None:
    if not ev.to_h >= ev.from_h:
        raise InputError("to_h must be >= from_h", field=where)
    if ev.effect not in ("close", "slow"):
        raise InputError(f"effect must be 'close' or 'slow', not {ev.effect!r}", field=where)
    if ev.effect == "slow" and not (ev.speed_factor is not None and ev.speed_factor > 0):
        raise InputError("a slowing cell needs speed_factor > 0", field=where)
    if len(ev.area) < 3:
        raise InputError("area needs at least 3 points", field=where)
