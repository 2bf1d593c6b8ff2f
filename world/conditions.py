"""Travel conditions of a scenario under known events: the one source of travel times.

:class:`Conditions` turns a scenario plus :class:`~mmroute.world.events.KnownEvents` into the
numbers the plan MIP, the independent checker and the simulator (``mmroute.envs``) all use:
which departures run and when, how long a leg takes, how long cargo dwells at a node. Nothing
else defines travel times.
"""

from __future__ import annotations

import bisect
import functools
import math

from mmroute.scenarios import Link, Scenario
from mmroute.world.events import CheckedFactors, KnownEvents, NodeDelay
from mmroute.world.tables import Tables, tables_for

__all__ = ["Conditions", "round_h"]


def _in(t: float, lo: float, hi: float) -> bool:
    return lo <= t < hi


class Conditions:
    """Travel conditions of a scenario under known events.

    Road travel time = nominal x the time-of-day multiplier of the departure hour (when the
    scenario has a ``start``) x the realised noise factor of that link and hour (if known) /
    the speed factor of any slowdown (weather included) active at departure. A link is closed
    at ``t`` if a closure of it, of one of its end nodes, or a closing weather cell covers
    ``t``. A road trip (:meth:`road_trip`) starts only if every link of it is open at its
    start: closures are checked when a truck is dispatched.

    ``tables``: the scenario network's :class:`~mmroute.world.tables.Tables` to read (and
    fill), e.g. shared by every conditions of an episode; ``None`` builds fresh ones
    (:attr:`tables`). :class:`InputError` if they are another network's.
    """

    def __init__(self, scenario: Scenario, events: KnownEvents | None = None, *,
                 validate: bool = True, tables: Tables | None = None):
        self.scenario = scenario
        self.tables = tables_for(scenario, tables)
        self.events = events or KnownEvents()
        if validate:  # off only for events derived from validated ones (known_at)
            self.events.validate(scenario)
        static = self.tables.static
        self._tt, self._dwell, touching, self._hour0, self._profile_f, last_noise = static
        self._profile = scenario.uncertainty.road_traffic.hourly_multipliers
        ev = self.events
        # closures and slowdowns as windows per link: (from_h, to_h) / (from_h, to_h, factor)
        self._closed: dict[str, list[tuple[float, float]]] = {}
        for c in ev.closures:
            self._closed.setdefault(c.link, []).append((c.from_h, c.to_h))
        if ev.node_closures:
            for nc in ev.node_closures:
                for lid in touching.get(nc.node, ()):
                    self._closed.setdefault(lid, []).append((nc.from_h, nc.to_h))
        self._slow: dict[str, list[tuple[float, float, float]]] = {}
        for s in ev.slowdowns:
            self._slow.setdefault(s.link, []).append((s.from_h, s.to_h, s.speed_factor))
        # hour steps of weather closures per link (closure_ends)
        self._steps: dict[str, list[float]] = {}
        if ev.weather:
            from mmroute.world.weather import weather_windows

            for w in ev.weather:
                for lid, windows in weather_windows(w, scenario.links,
                                                    memo=self.tables.weather).items():
                    if w.effect == "close":
                        self._closed.setdefault(lid, []).extend(windows)
                        # every hour step of a cell may end a closure as far as a policy knows
                        steps = self._steps.setdefault(lid, [])
                        for a, b in windows:
                            steps.extend(_steps(a, b))
                    else:
                        self._slow.setdefault(lid, []).extend(
                            (a, b, w.speed_factor) for a, b in windows)
        self._delays = {(d.link, round_h(d.departure_h)): d.delay_h for d in ev.delays}
        self._delayed = {d.link for d in ev.delays}
        self._node_delays: dict[str, list[NodeDelay]] = {}
        for nd in ev.node_delays:
            self._node_delays.setdefault(nd.node, []).append(nd)
        if last_noise and last_noise[0] is ev.road_noise:  # the same noise as last built
            self._noise = last_noise[1]
        else:
            # packed factors (CheckedFactors) indexed in their array: the same floats
            self._noise = {rn.link: (rn.from_hour, rn.factors.values
                                     if type(rn.factors) is CheckedFactors else rn.factors)
                           for rn in ev.road_noise}
            last_noise[:] = [ev.road_noise, self._noise]
        self._noise_until: int | None = None
        self._next: dict[tuple, tuple] = {}  # next_departures per (link, first index, hi, n)
        #: ``(link id, departure_h) -> departure_h + travel_time_h(link, departure_h)`` of
        #: scheduled links, filled by the callers that read it (the simulator's options, the
        #: environment's candidates) for the departures they ask: a scheduled link's time
        #: does not depend on road noise, so copies by :meth:`with_noise_until` share it
        self.service_arrivals: dict[tuple[str, float], float] = {}
        # road_trips' legs of the last start time asked: (start_h, prefix tree)
        self._legs: tuple[float, dict] | None = None

    def with_noise_until(self, hour: int) -> Conditions:
        """These conditions with road noise known only for departure hours <= ``hour`` (a
        cheap copy: what ``Conditions(scenario, events.known_at(t))`` gives for ``hour =
        floor(t)``, without rebuilding)."""
        c = object.__new__(type(self))
        c.__dict__.update(self.__dict__)  # tables, windows and departures shared
        c._noise_until = hour
        c._legs = None  # road legs computed under other noise
        return c

    def is_open(self, link_id: str, departure_h: float) -> bool:
        """True unless a closure of the link, of one of its ends or a closing weather cell
        covers ``departure_h``."""
        return not any(_in(departure_h, a, b) for a, b in self._closed.get(link_id, ()))

    def affected_links(self) -> set[str]:
        """Ids of the links with a closure or a slowdown window (their own, an end node's, or a
        weather cell's): where events can make a trip slower than nominal."""
        return set(self._closed) | set(self._slow)

    def closure_ends(self, link_id: str) -> list[float]:
        """Ends (h) of the link's closures, and the hour steps of weather closures (where a
        policy that sees a cell hour by hour may expect it to end): times worth waiting for."""
        ends = [b for _, b in self._closed.get(link_id, ())]
        return ends + self._steps.get(link_id, [])

    def road_multiplier(self, departure_h: float) -> float:
        """Time-of-day multiplier of road travel times for a departure at ``departure_h``."""
        if self._hour0 is None:
            return 1.0
        hour = int(math.floor(self._hour0 + departure_h + 1e-9)) % 24
        return float(self._profile[hour])

    def noise_factor(self, link_id: str, departure_h: float) -> float:
        """Realised traffic-noise factor of a road departure (1 where none is known)."""
        rn = self._noise.get(link_id)
        if rn is None:
            return 1.0
        hour = int(math.floor(departure_h + 1e-9))
        if self._noise_until is not None and hour > self._noise_until:
            return 1.0
        k = hour - rn[0]
        return rn[1][k] if 0 <= k < len(rn[1]) else 1.0

    def travel_time_h(self, link: Link, departure_h: float) -> float:
        """Travel time (h) of ``link`` for a departure (actual time) at ``departure_h``."""
        t = self._tt.get(link.id)
        if t is None:  # a link not of this scenario (never in the project's own calls)
            t = link.travel_time_h
        if link.timetable is None:
            t *= self.road_multiplier(departure_h)
            if self._noise:
                t *= self.noise_factor(link.id, departure_h)
        for a, b, f in self._slow.get(link.id, ()):
            if _in(departure_h, a, b):
                t /= f
        return t

    def node_delay_h(self, node_id: str, arrival_h: float) -> float:
        """Dwell (h) of cargo passing ``node_id`` on arrival at ``arrival_h``: the node's own
        ``dwell_h`` (e.g. customs clearance) plus the delays known for that time."""
        dwell = self._dwell.get(node_id)
        if dwell is None:
            dwell = self.scenario.node(node_id).dwell_h
        delays = self._node_delays.get(node_id)
        if not delays:
            return dwell
        return dwell + sum(d.delay_h for d in delays if d.from_h <= arrival_h < d.to_h)

    def road_trip(self, path: tuple[Link, ...] | list[Link], start_h: float, *,
                  check_open: bool = True) -> list[tuple[float, float]] | None:
        """``(departure_h, arrival_h)`` of each link of a road trip leaving at ``start_h``
        (dwell at the nodes passed), or ``None`` if a link of it is closed at ``start_h``
        (``check_open=False``: the times of a trip already under way)."""
        return self.road_trips((path,), start_h, check_open=check_open)[0]

    def road_trips(self, paths, start_h: float, *, check_open: bool = True
                   ) -> list[list[tuple[float, float]] | None]:
        """:meth:`road_trip` of each of ``paths``, all leaving at ``start_h``.

        A leg's times depend only on its link and when it starts, so the legs of a common
        prefix are computed once; the legs of the last start time asked are kept for the
        next call (these conditions never change; :meth:`with_noise_until` starts afresh).

        Hot-path twin of :meth:`road_trip` computed leg by leg with :meth:`is_open`,
        :meth:`node_delay_h` and :meth:`travel_time_h` (inlined here, the same operations in
        the same order; tests/envs/test_speed_caches.py checks they agree)."""
        memo = self._legs
        if memo is None or memo[0] != start_h:
            memo = self._legs = (start_h, {})
        root = memo[1]
        closed = self._closed if check_open else None
        tts, dwells, node_delays, slows = self._tt, self._dwell, self._node_delays, self._slow
        hour0, profile, noise, until = self._hour0, self._profile_f, self._noise, self._noise_until
        floor = math.floor
        t0 = round_h(start_h)
        out: list[list[tuple[float, float]] | None] = []
        for path in paths:
            if closed and self._closed_at(path, start_h):
                out.append(None)
                continue
            node, t, legs, first = root, t0, [], True
            for lk in path:
                lid = lk.id
                hit = node.get(lid)
                if hit is None or hit[2] is not lk:
                    # the leg of lk reached at t: dwell at its start (node_delay_h) unless
                    # first, then travel_time_h; a factor 1 leaves the time as it is
                    dep = t
                    if not first:
                        v = lk.from_node
                        dwell = dwells.get(v)
                        if dwell is None:
                            dwell = self.scenario.node(v).dwell_h
                        delays = node_delays.get(v)
                        if delays:
                            dwell = dwell + sum(x.delay_h for x in delays if x.from_h <= t < x.to_h)
                        # t is rounded already (round_h(round_h(x)) is round_h(x)): only a
                        # dwell needs the rounding
                        dep = round_h(t + dwell) if dwell else t + dwell
                    x = tts.get(lid)
                    if x is None:
                        x = lk.travel_time_h
                    if lk.timetable is None:
                        if hour0 is not None:
                            x *= profile[int(floor(hour0 + dep + 1e-9)) % 24]
                        rn = noise.get(lid)
                        if rn is not None:
                            hour = int(floor(dep + 1e-9))
                            if until is None or hour <= until:
                                k = hour - rn[0]
                                if 0 <= k < len(rn[1]):
                                    x *= rn[1][k]
                    slow = slows.get(lid)
                    if slow:
                        for a, b, f in slow:
                            if a <= dep < b:
                                x /= f
                    hit = ((dep, round_h(dep + x)), {}, lk)
                    node[lid] = hit
                leg = hit[0]
                legs.append(leg)
                t, node, first = leg[1], hit[1], False
            out.append(legs)
        return out

    def _closed_at(self, path, t: float) -> bool:
        """True if a link of ``path`` is closed at ``t``."""
        closed = self._closed
        for lk in path:
            windows = closed.get(lk.id)
            if windows:
                for a, b in windows:
                    if a <= t < b:
                        return True
        return False

    def trip_reopens_h(self, path: tuple[Link, ...] | list[Link], start_h: float) -> float | None:
        """Earliest time >= ``start_h`` at which every link of ``path`` is open (``None`` if
        never, i.e. a closure without end)."""
        t = start_h
        for _ in range(1000):
            ends = [b for lk in path for a, b in self._closed.get(lk.id, ()) if _in(t, a, b)]
            if not ends:
                return t
            t = max(ends)
            if not math.isfinite(t):
                return None
        return None

    def departure_delay_h(self, link_id: str, timetable_h: float) -> float:
        """Delay (h) of the scheduled departure at timetable time ``timetable_h``."""
        return self._delays.get((link_id, round_h(timetable_h)), 0.0)

    def departures(self, link: Link, lo_h: float, hi_h: float) -> list[tuple[float, float]]:
        """Running departures of a scheduled link with timetable time in ``[lo_h, hi_h]``:
        pairs (timetable time, actual departure time), closed ones left out."""
        if link.timetable is None:
            return []
        return self._running(link, self.timetable_times(link, lo_h, hi_h), None)

    def next_departures(self, link: Link, lo_h: float, hi_h: float, n: int
                        ) -> list[tuple[float, float]]:
        """The first ``n`` of :meth:`departures` ``(link, lo_h, hi_h)``, read from the
        timetable's departure times (:meth:`Tables.timetable_table
        <mmroute.world.tables.Tables.timetable_table>`) up to the ``n``-th running one. The
        hot-path twin of :meth:`departures` (tests/envs/test_speed_caches.py checks they agree)."""
        return list(self.next_departures_view(link, lo_h, hi_h, n))

    def next_departures_view(self, link: Link, lo_h: float, hi_h: float, n: int
                             ) -> tuple[tuple[float, float], ...] | list[tuple[float, float]]:
        """:meth:`next_departures` without the copy: the kept tuple itself (read only; for
        the simulator's and the environment's hot paths, which only iterate it)."""
        tt = link.timetable
        if tt is None:
            return ()
        # self._table(tt, lo_h, hi_h), inlined (max(lo_h, first_h) without the call)
        table = self.tables.timetable_table(tt)
        lo = tt.first_h if tt.first_h > lo_h else lo_h
        if table is None or lo < table[0] or hi_h > table[1]:
            window = tt.period_h  # outside the table: a period at a time
            while True:
                end = min(hi_h, lo_h + window)
                deps = self.departures(link, lo_h, end)
                if len(deps) >= n or end >= hi_h:
                    return deps[:n]
                window *= 2
        times = table[2]
        i = bisect.bisect_left(times, lo)
        # a function of the first timetable index: kept per conditions (the departures do
        # not depend on road noise, so copies by with_noise_until share it)
        # (on a link without known closures or delays every departure runs on time: then it
        # is kept with the timetable's table, for every conditions sharing these tables)
        lid = link.id
        if lid in self._closed or lid in self._delayed:
            memo, key = self._next, (lid, i, hi_h, n)
        else:
            memo, key = table[3], (i, hi_h, n)
        hit = memo.get(key)
        if hit is None or hit[0] is not tt:
            if len(memo) > 10_000:
                memo.clear()
            j = bisect.bisect_right(times, hi_h, lo=i)
            hit = (tt, tuple(self._running(link, times[i:j] if j - i <= n else _islice(times, i, j),
                                           n)))
            memo[key] = hit
        return hit[1]

    def timetable_times(self, link: Link, lo_h: float, hi_h: float) -> list[float]:
        """``link.timetable.departures(lo_h, hi_h)`` (timetable times, running or not), read
        from the timetable's table when it covers them (a scheduled ``link``)."""
        tt = link.timetable
        table, lo = self._table(tt, lo_h, hi_h)
        if table is None:
            return tt.departures(lo_h, hi_h)
        if hi_h < lo:
            return []
        times = table[2]
        return times[bisect.bisect_left(times, lo):bisect.bisect_right(times, hi_h)]

    def _table(self, tt, lo_h: float, hi_h: float) -> tuple[tuple | None, float]:
        """The timetable's table (:meth:`Tables.timetable_table`) if it covers ``[lo_h, hi_h]``
        (else ``None``), and where the window starts (not before the first departure)."""
        table = self.tables.timetable_table(tt)
        lo = max(lo_h, tt.first_h)
        if table is None or lo < table[0] or hi_h > table[1]:
            return None, lo
        return table, lo

    def _running(self, link: Link, times, n: int | None) -> list[tuple[float, float]]:
        """(timetable time, actual departure) of the ``times`` that run, the first ``n``."""
        out = []
        lid = link.id
        delays, closed = self._delays, self._closed.get(lid)
        for d in times:
            d = round_h(d)
            actual = d + delays.get((lid, d), 0.0)
            if closed and any(a <= actual < b for a, b in closed):
                continue
            out.append((d, actual))
            if n is not None and len(out) >= n:
                break
        return out


def _islice(times: list[float], i: int, j: int):
    for k in range(i, j):
        yield times[k]


@functools.lru_cache(maxsize=4096)
def _steps(a: float, b: float) -> tuple[float, ...]:
    """Hour boundaries after ``a`` up to ``b`` of a weather window."""
    out, t = [], a + 1.0
    while t < b - 1e-9:
        out.append(round_h(t))
        t += 1.0
    return tuple(out)


def round_h(t: float) -> float:
    """Times are kept to 1e-6 h so that equal times compare equal: ``round(t, 6)``, bit for
    bit, without its decimal string conversion where the answer is certain.

    ``y = t * 1e6`` is within 2**-11 of the exact product for ``|y| < 4e12`` (its rounding
    error is at most half an ulp, <= 2**-11 there). Unless ``y`` is within that of a half, the
    exact product rounds to the integer ``k`` nearest ``y``, so ``round(t, 6)`` is the double
    nearest ``k / 10**6``: ``k / 1e6`` (IEEE division rounds correctly; ``k < 2**53`` is
    exact). Near a half, for ``k == 0`` (the sign of a zero) and beyond that range:
    ``round(t, 6)`` itself (tests/world/test_conditions_round.py checks it against
    ``round``)."""
    y = t * 1e6
    if -4e12 < y < 4e12:
        k = round(y)
        if k and -0.499 < y - k < 0.499:
            return k / 1e6
    return round(t, 6)
