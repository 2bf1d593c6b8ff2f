"""Per-network tables of one scenario: what :class:`~mmroute.world.conditions.Conditions`
and the road paths compute once and read many times (nominal travel times, dwell, the links
touching each node, timetable departure tables, nominal road paths).

A :class:`Tables` belongs to whoever builds it — a plan solve, a simulator, an environment
across its episodes — never to the (frozen) scenario. It is valid for every scenario with the
same network: a realised scenario (``dataclasses.replace`` of its shipments) shares the
``nodes`` and ``links`` tuples of its base, and so its tables. Everything is computed lazily.
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

from mmroute.errors import InputError
from mmroute.scenarios import Link, Scenario
from mmroute.world.weather import WeatherMemo

T = TypeVar("T")

__all__ = ["Tables", "tables_for", "checked_tables"]


class Tables:
    """The per-network tables of ``scenario`` (see the module doc), built lazily.

    ``static``: nominal travel time per link, dwell per node, the links touching each node,
    the hour of day at time 0 (``None`` without a start), the hourly road multipliers as
    floats and ``[road noise events, their table]`` of the conditions built last.
    :meth:`timetable_table` and :meth:`nominal_road_paths` are kept per timetable / once.
    """

    def __init__(self, scenario: Scenario):
        self.nodes = scenario.nodes
        self.links = scenario.links
        self.horizon_h = scenario.horizon_h
        self._scenario = scenario
        self._static: tuple | None = None
        self._timetables: dict[int, tuple[Any, tuple | None]] = {}  # id -> (timetable, table)
        self._nominal_paths: dict | None = None
        self.weather = WeatherMemo(self.links)  # where weather cells cross these links

    def check(self, scenario: Scenario) -> None:
        """:class:`InputError` unless ``scenario`` has the network these tables were built
        for: the same ``nodes``, ``links`` and road-traffic objects, horizon and start (a
        realised scenario shares its base's)."""
        sc = self._scenario
        if scenario is not sc and (
                scenario.links is not self.links or scenario.nodes is not self.nodes
                or scenario.horizon_h != self.horizon_h or scenario.start != sc.start
                or scenario.uncertainty.road_traffic is not sc.uncertainty.road_traffic):
            raise InputError(
                f"tables of scenario {self._scenario.name!r} given for another network "
                f"({scenario.name!r}): build Tables(scenario) for it", field="tables")

    @property
    def static(self) -> tuple:
        """See the class doc (read only, but for the last-noise slot)."""
        if self._static is None:
            sc = self._scenario
            touching: dict[str, list[str]] = {}
            for lk in sc.links:
                touching.setdefault(lk.from_node, []).append(lk.id)
                touching.setdefault(lk.to_node, []).append(lk.id)
            hour0 = None
            if sc.start is not None:
                st = sc.clock().at(0.0)  # local wall clock of hour 0
                hour0 = st.hour + st.minute / 60.0
            self._static = (
                {lk.id: lk.travel_time_h for lk in sc.links},
                {n.id: n.dwell_h for n in sc.nodes}, touching, hour0,
                tuple(float(m) for m in sc.uncertainty.road_traffic.hourly_multipliers), [])
        return self._static

    def timetable_table(self, tt) -> tuple[float, float, list[float], dict] | None:
        """``(lo_h, hi_h, times, memo)``: every departure time of timetable ``tt`` in
        ``[lo_h, hi_h]`` (covering the horizon and two periods beyond), exactly as
        :meth:`Timetable.departures` computes them — so that a slice of it is that method's
        answer for any window inside — and the memo of
        :meth:`Conditions.next_departures` on a link without closures or delays. ``None``
        when the offsets are outside ``[0, period_h)`` or the table would be too long."""
        hit = self._timetables.get(id(tt))
        if hit is not None and hit[0] is tt:
            return hit[1]
        table = _timetable_table(tt, self.horizon_h)
        self._timetables[id(tt)] = (tt, table)  # the timetable kept: its id stays its own
        return table

    def nominal_road_paths(self) -> dict[str, list[tuple[str, tuple[Link, ...]]]]:
        """:func:`~mmroute.world.roads.road_paths` without events (computed once)."""
        if self._nominal_paths is None:
            from mmroute.world.roads import road_paths

            self._nominal_paths = road_paths(self._scenario, None)
        return self._nominal_paths


def tables_for(scenario: Scenario, tables: Tables | None) -> Tables:
    """``tables`` after checking they are ``scenario``'s network's, or fresh ones."""
    return checked_tables(Tables, scenario, tables)


def checked_tables(cls: type[T], scenario: Scenario, tables: T | None) -> T:
    """``tables`` (a ``cls``: a layer's tables with a ``check(scenario)``) after checking they
    are ``scenario``'s, or fresh ``cls(scenario)``; :class:`InputError` otherwise."""
    if tables is None:
        return cls(scenario)
    if not isinstance(tables, cls):
        raise InputError(f"tables must be {cls.__module__}.{cls.__name__}, not "
                         f"{type(tables).__name__}", field="tables")
    tables.check(scenario)
    return tables


def _timetable_table(tt, horizon_h: float) -> tuple[float, float, list[float], dict] | None:
    """:meth:`Tables.timetable_table`, computed."""
    if not all(0 <= off < tt.period_h for off in tt.departures_h) or not math.isfinite(tt.first_h):
        return None
    lo = max(tt.first_h, -tt.period_h)
    hi = max(horizon_h, lo) + 2 * tt.period_h
    if not math.isfinite(hi) or (hi - lo) / tt.period_h * len(tt.departures_h) > 200_000:
        return None
    return (lo, hi, tt.departures(lo, hi), {})
