"""Hours from a scenario's ``start`` <-> ISO 8601 timestamps.

A scenario counts time in hours from ``start`` (hour 0). ``start`` is an ISO 8601 date-time,
best with a UTC offset (``2026-03-02T08:00:00+08:00``); it may also name an IANA time zone
after the offset, as in RFC 9557 (``2026-03-28T08:00:00+01:00[Europe/Berlin]``): timestamps
are then given in that zone's local time, with the offset of each instant (it changes at a
daylight-saving change). A ``start`` without an offset (``2026-03-02T00:00``, the older form)
gives local timestamps without one.

Nodes may have their own IANA zone (a node's ``time_zone``): a clock built with them
(:meth:`Clock.with_node_zones`, as :meth:`Scenario.clock <mmroute.scenarios.Scenario.clock>`
builds it) shows an instant that happens at a node in that node's local time, with its UTC
offset, so timestamps stay unambiguous; other instants (and nodes without a zone) stay in the
start's zone. :func:`with_timestamps` finds the node of each instant of plain data beside it
(:data:`NODE_KEYS`: a leg departs at its ``from_node`` and arrives at its ``to_node``...).

Hours are elapsed time: hour 24 is 24 h after hour 0, whatever the wall clock did. Timestamps
are given to the second (:meth:`Clock.iso`); :meth:`Clock.hours` reads any ISO 8601
date-time with an offset (``Z`` for UTC) back into hours.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["Clock", "parse_start", "parse_zone", "label_h", "INSTANT_KEYS", "NODE_KEYS", "node_of",
           "iso_key", "with_timestamps", "without_timestamps"]

#: Keys of plan / shipment records that hold an instant in hours from the start (the ISO
#: field beside each is the key with ``_h`` replaced by ``_iso``); durations such as
#: ``lateness_h`` or ``time_h`` are not instants.
INSTANT_KEYS = ("release_h", "due_h", "departure_h", "arrival_h", "timetable_h", "at_h",
                "drop_h", "from_h")

#: For each instant key, the keys beside it that may name the node where it happens (the
#: first present wins): a leg departs from its ``from_node`` and arrives at its ``to_node``,
#: a shipment is released at its ``origin`` and due at its ``destination``, a handling or a
#: node event happens at its ``node``, a carrier leaves its ``depot``. An itinerary's
#: ``arrival_h`` is at the ``to_node`` of its last leg (:func:`node_of`).
NODE_KEYS: Mapping[str, tuple[str, ...]] = {
    "release_h": ("origin",), "due_h": ("destination",),
    "departure_h": ("from_node", "origin", "depot"), "timetable_h": ("from_node",),
    "arrival_h": ("to_node", "destination", "depot"), "at_h": ("node",),
    "drop_h": ("drop_node",), "from_h": ("node",)}

_ZONE = re.compile(r"^(?P<dt>[^\[\]]+)\[(?P<zone>[A-Za-z0-9_+\-/]{1,64})\]$")


@dataclass(frozen=True)
class Clock:
    """Converts hours from ``start`` to timestamps and back.

    ``start`` is hour 0 (aware, or naive for a ``start`` without offset); ``zone`` the IANA
    zone timestamps are shown in (``None``: ``start``'s fixed offset); ``node_zones`` the
    zones of the nodes that have their own, as (node id, zone) pairs (an IANA zone, or a
    fixed offset as a ``datetime.timezone``): an instant at such a node is shown in its zone
    (``node=`` of :meth:`at`, :meth:`iso`, :meth:`label`).
    """

    start: datetime
    zone: ZoneInfo | None = None
    node_zones: tuple[tuple[str, tzinfo], ...] = ()

    def __post_init__(self) -> None:
        if self.node_zones and self.start.tzinfo is None:
            raise ValueError("node time zones need a start with a UTC offset")
        object.__setattr__(self, "_by_node", dict(self.node_zones))

    def with_node_zones(self, zones: Mapping[str, str | tzinfo]) -> Clock:
        """This clock with the zones of nodes (node id -> IANA name or tzinfo), added to those
        it has (a node given again takes the new zone); ValueError for an unknown zone or a
        start without offset."""
        if not zones:
            return self
        new = {n: z if isinstance(z, tzinfo) else parse_zone(z) for n, z in zones.items()}
        return replace(self, node_zones=tuple({**dict(self.node_zones), **new}.items()))

    def zone_of(self, node: str | None) -> tzinfo | None:
        """The zone an instant at ``node`` is shown in (the start's zone or offset for
        ``None`` or a node without its own; ``None`` for a start without offset)."""
        if not self.aware:
            return None
        z = self._by_node.get(node) if node is not None else None  # type: ignore[attr-defined]
        return z if z is not None else (self.zone if self.zone is not None else self.start.tzinfo)

    @property
    def has_node_zones(self) -> bool:
        """True if some node has its own zone (timestamps may then differ in offset)."""
        return bool(self.node_zones)

    @property
    def aware(self) -> bool:
        """True if the start has a UTC offset (timestamps carry one)."""
        return self.start.tzinfo is not None

    def at(self, time_h: float, node: str | None = None) -> datetime:
        """The date-time of hour ``time_h`` (in ``node``'s zone if it has one, else in the
        start's zone if any, else the start's offset)."""
        return self._local(self._instant(time_h), node)

    def iso(self, time_h: float | None, timespec: str = "seconds", node: str | None = None
            ) -> str | None:
        """ISO 8601 timestamp of hour ``time_h``, to the second (``timespec="minutes"``: to
        the nearest minute), local to ``node`` (:meth:`at`); ``None`` for ``None``."""
        if time_h is None:
            return None
        t = self._instant(time_h)  # rounded as elapsed time, before any offset change
        if timespec == "minutes":
            up = t.second + t.microsecond / 1e6 >= 30
            t = t.replace(second=0, microsecond=0) + timedelta(minutes=1 if up else 0)
        elif timespec == "seconds":
            t = t.replace(microsecond=0) + timedelta(seconds=round(t.microsecond / 1e6))
        else:
            raise ValueError(f"timespec must be 'seconds' or 'minutes', not {timespec!r}")
        return self._local(t, node).isoformat(timespec=timespec)

    def label(self, time_h: float, spec: str = "g", node: str | None = None) -> str:
        """Hours and the timestamp to the minute (local to ``node``), for text meant to be
        read: ``36.5 h (2026-03-03T20:30+08:00)``."""
        return f"{time_h:{spec}} h ({self.iso(time_h, 'minutes', node)})"

    def _instant(self, time_h: float) -> datetime:
        """Hour ``time_h`` as elapsed time: in UTC for an aware start (wall-clock arithmetic
        in a zone would skip or repeat the hour of a DST change), else naive."""
        base = self.start.astimezone(UTC) if self.aware else self.start
        return base + timedelta(hours=float(time_h))

    def _local(self, t: datetime, node: str | None = None) -> datetime:
        if not self.aware:
            return t
        return t.astimezone(self.zone_of(node))

    def hours(self, value: str | datetime) -> float:
        """Hours from the start of an ISO 8601 date-time (or a datetime); ValueError if it
        is not one, or if it lacks an offset while the start has one (and vice versa)."""
        t = value if isinstance(value, datetime) else _fromiso(value)
        if (t.tzinfo is None) != (self.start.tzinfo is None):
            need = "with" if self.aware else "without"
            raise ValueError(f"{_text(value)!r} must be a date-time {need} a UTC offset")
        return (t - self.start).total_seconds() / 3600.0

    def to_text(self) -> str:
        """The ``start`` text this clock reads from (:func:`parse_start` gives it back)."""
        text = self.start.isoformat()
        return text if self.zone is None else f"{text}[{self.zone.key}]"


def parse_start(value: str | datetime | date) -> Clock:
    """The clock of a ``start`` value (see the module doc); ValueError saying what is wrong.

    A zone in brackets needs the offset of that zone at the start (so that the text alone
    says which instant it is)."""
    if isinstance(value, datetime):  # a datetime in an IANA zone keeps it
        zone = value.tzinfo if isinstance(value.tzinfo, ZoneInfo) else None
        return Clock(start=value, zone=zone)
    if isinstance(value, date):
        return Clock(start=datetime(value.year, value.month, value.day))
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO date-time text, got {type(value).__name__}")
    m = _ZONE.match(value.strip())
    if m is None:
        return Clock(start=_fromiso(value.strip()))
    start = _fromiso(m["dt"])
    zone = parse_zone(m["zone"])
    if start.tzinfo is None:
        raise ValueError(f"{value!r} needs the UTC offset before the zone, "
                         f"e.g. {start.replace(tzinfo=zone).isoformat()}[{zone.key}]")
    local = start.astimezone(zone)
    if local.utcoffset() != start.utcoffset() or local.replace(tzinfo=None) != start.replace(
            tzinfo=None):
        raise ValueError(f"offset {_offset(start)} is not the offset of {zone.key} at that "
                         f"time ({_offset(local)})")
    return Clock(start=start, zone=zone)


def parse_zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (``Asia/Shanghai``, ``Europe/Berlin``); ValueError saying
    so if there is none of that name."""
    try:
        if not isinstance(name, str) or not name or name != name.strip() or ".." in name:
            raise ValueError
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone {_text(name)!r} (an IANA name, e.g. Asia/Shanghai)"
                         ) from None


def node_of(record: Mapping[str, Any], key: str,
            node_keys: Mapping[str, tuple[str, ...]] | None = None) -> str | None:
    """The node where the instant ``record[key]`` happens, named beside it (``node_keys``,
    default :data:`NODE_KEYS`); ``None`` if none is."""
    for k in (NODE_KEYS if node_keys is None else node_keys).get(key, ()):
        v = record.get(k)
        if isinstance(v, str):
            return v
    legs = record.get("legs") if key == "arrival_h" else None
    if isinstance(legs, list) and legs and isinstance(legs[-1], Mapping):
        last = legs[-1].get("to_node")  # an itinerary arrives where its last leg ends
        return last if isinstance(last, str) else None
    return None


def label_h(time_h: float, clock: Clock | None, spec: str = "g", node: str | None = None) -> str:
    """``36.5 h``, and with a clock its timestamp beside it, local to ``node``
    (:meth:`Clock.label`)."""
    return f"{time_h:{spec}} h" if clock is None else clock.label(time_h, spec, node)


def iso_key(key: str) -> str:
    """The key of the timestamp beside the hours of ``key``: ``departure_h`` ->
    ``departure_iso``."""
    return key.removesuffix("_h") + "_iso"


def with_timestamps(data: Any, clock: Clock | None,
                    node_keys: Mapping[str, tuple[str, ...]] | None = None) -> Any:
    """A copy of plain data (dicts / lists, e.g. a plan's JSON) with an ISO 8601 timestamp
    beside every instant in hours (:data:`INSTANT_KEYS`: ``departure_h`` gets
    ``departure_iso`` right after it; ``None`` stays ``None``), local to the node named beside
    it (:func:`node_of`; ``node_keys`` in place of :data:`NODE_KEYS`) when that node has its
    own zone; ``data`` itself without a clock."""
    if clock is None:
        return data
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for k, v in data.items():
            out[k] = with_timestamps(v, clock, node_keys)
            if k in INSTANT_KEYS and (v is None or isinstance(v, (int, float))):
                node = node_of(data, k, node_keys) if clock.node_zones else None
                out[iso_key(k)] = clock.iso(v, node=node)
        return out
    if isinstance(data, list):
        return [with_timestamps(v, clock, node_keys) for v in data]
    return data


def without_timestamps(data: Any) -> Any:
    """A copy of ``data`` without the timestamps :func:`with_timestamps` added (what readers
    of the hours-only form take)."""
    if isinstance(data, dict):
        iso = {iso_key(k) for k in INSTANT_KEYS}
        return {k: without_timestamps(v) for k, v in data.items() if k not in iso}
    if isinstance(data, list):
        return [without_timestamps(v) for v in data]
    return data


def _fromiso(text: str) -> datetime:
    """``datetime.fromisoformat`` with one clear ValueError."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{_text(text)!r} is not an ISO 8601 date-time "
                         "(e.g. 2026-03-02T08:00:00+08:00)") from None


def _offset(t: datetime) -> str:
    """The UTC offset of an aware date-time as ``+HH:MM``."""
    minutes = round(t.utcoffset().total_seconds() / 60)  # type: ignore[union-attr]
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _text(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."
