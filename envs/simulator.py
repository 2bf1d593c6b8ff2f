"""Discrete-event simulator of one episode: consignments move through the network of a
scenario under a :class:`~mmroute.envs.Realization`, and the clock advances to the next
decision (a consignment ready at a node that is not its destination).

The dynamics are exactly those of the plan MIP (:mod:`mmroute.routing.plan`), read from one
:class:`~mmroute.routing.plan.Conditions` built from the realization's events:

* a consignment at its origin (at release), or ready after arriving by a scheduled service
  (arrival + handling + dwell), may take a scheduled departure whose cut-off it makes, or a
  road trip (a nominal Pareto road path to a terminal with scheduled departures or to its
  destination) now or when the trip's links reopen;
* after a road trip into a terminal (handling + dwell) only scheduled departures follow —
  as in the MIP, where road trips end in the terminal's yard;
* a booked departure that does not run (closed or cancelled) returns the cargo to the yard at
  the departure time, to take another departure;
* a consignment may instead hold (:meth:`Move.hold`): stay where it is, committed to nothing,
  and decide again at a later hour (at least :data:`MIN_HOLD_H` later, by the horizon) —
  waiting, as the MIP's plans may wait, so the bound below still holds;
* costs, CO2, handling, lateness, value of time and drop penalties are charged exactly as the
  plan objective counts them; capacities per departure are reserved when booked, node-days
  and road link-days are booked when used.

So every trajectory is a plan of the MIP once a consignment dropped on the way is dropped at
its origin instead (which costs less), and the hindsight optimum is a lower bound on every
policy's cost. :meth:`Simulator.trajectory` returns the episode as a
:class:`~mmroute.routing.plan.Plan` that :func:`~mmroute.routing.plan.check_plan` verifies: a
drop on the way keeps its legs (and its node), charged as the episode charged them, so the
plan's objective is the episode's cost and :func:`replay` of it costs that again.
"""

from __future__ import annotations

import bisect
import heapq
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mmroute.envs.tables import EnvTables, EpisodeMemo, env_tables_for
from mmroute.errors import InputError, MMRouteError
from mmroute.scenarios import Link, Scenario, Shipment
from mmroute.validate import is_number
from mmroute.world.conditions import Conditions, round_h
from mmroute.world.events import KnownEvents
from mmroute.world.plan import Handling, Itinerary, Leg, Plan
from mmroute.world.realization import Realization
from mmroute.world.roads import nominal_road_paths
from mmroute.world.shipments import fastest_h

__all__ = ["Move", "Option", "Decision", "Consignment", "Simulator", "EpisodeResult", "replay", "moves_of",
           "moves_of_legs", "StuckEpisode", "MAX_REPEATS", "MIN_HOLD_H"]

TOL_H = 1e-6
#: Most decisions per consignment without the clock moving (see
#: :meth:`Simulator._count_repeat`); a legitimate episode needs one or two.
MAX_REPEATS = 50
#: The shortest hold (h): a hold moves the clock forward by at least this much, so a
#: consignment holds at most ``horizon_h / MIN_HOLD_H`` times and every episode still ends.
MIN_HOLD_H = 0.5


class StuckEpisode(MMRouteError):
    """An episode whose clock stopped: a consignment decided again and again at one time."""


@dataclass(frozen=True)
class Move:
    """What a consignment does next.

    ``kind="service"``: the scheduled departure of ``link`` at timetable time
    ``timetable_h``; ``kind="road"``: a road trip along ``path`` (link ids) leaving at
    ``depart_h`` (``None``: now); ``kind="drop"``: give up (drop penalty);
    ``kind="hold"``: stay where it is, committed to nothing, and decide again at ``until_h``
    (at least :data:`MIN_HOLD_H` later, by the horizon) with whatever is known then.
    """

    kind: str
    link: str | None = None
    timetable_h: float | None = None
    path: tuple[str, ...] = ()
    depart_h: float | None = None
    until_h: float | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        # the dataclass's repr, ``until_h`` shown only for a hold (what the environment's
        # fingerprint, benchmarks/env_fingerprint.py, hashed before holds existed)
        until = "" if self.until_h is None else f", until_h={self.until_h!r}"
        return (f"Move(kind={self.kind!r}, link={self.link!r}, timetable_h={self.timetable_h!r}, "
                f"path={self.path!r}, depart_h={self.depart_h!r}{until})")

    @classmethod
    def service(cls, link: str, timetable_h: float) -> Move:
        return cls(kind="service", link=link, timetable_h=round_h(timetable_h))

    @classmethod
    def road(cls, path: tuple[str, ...], depart_h: float | None = None) -> Move:
        return cls(kind="road", path=tuple(path), depart_h=depart_h)

    @classmethod
    def drop(cls) -> Move:
        return cls(kind="drop")

    @classmethod
    def hold(cls, until_h: float) -> Move:
        if not is_number(until_h) or not math.isfinite(until_h):
            raise InputError(f"a hold needs a finite until_h, not {until_h!r}", field="move")
        return cls(kind="hold", until_h=round_h(float(until_h)))


@dataclass(frozen=True)
class Option:
    """An allowed move with its expected timing under some conditions: it leaves at
    ``depart_h`` and reaches ``end_node`` at ``arrival_h``; ``nominal_h`` its nominal travel
    time; cost (CNY) and CO2 (kg) per TEU of its legs; ``links`` it travels."""

    move: Move
    depart_h: float
    arrival_h: float
    nominal_h: float
    end_node: str
    cost_per_teu_cny: float
    co2_per_teu_kg: float
    mode: str
    links: tuple[str, ...]


@dataclass(frozen=True)
class Decision:
    """A consignment (index into :attr:`Simulator.consignments`) ready at ``node`` at
    ``time_h``; ``lock``: ``"yard"`` (only scheduled departures), ``"road"`` (only road
    trips) or ``None``."""

    consignment: int
    node: str
    time_h: float
    lock: str | None


#: The statuses of a consignment that is done (:attr:`Consignment.done`).
DONE = ("delivered", "dropped")


@dataclass
class Consignment:
    """A shipment on its way (mutable simulator state)."""

    shipment: Shipment
    node: str
    ready_h: float
    status: str = "pending"  # pending, ready, booked, moving, delivered, dropped
    lock: str | None = None
    last_link: str | None = None
    booking: tuple[str, float] | None = None  # (link, timetable_h) reserved
    road_plan: tuple[str, ...] = ()  # links of the road trip waiting to leave
    legs: list[Leg] = field(default_factory=list)
    handling: list[Handling] = field(default_factory=list)
    cost_cny: float = 0.0  # transport + handling
    co2_kg: float = 0.0
    objective_cny: float = 0.0  # everything charged to it
    arrival_h: float | None = None
    decisions: int = 0
    expected_cny: float = 0.0  # objective expected for it in all, as of its last decision
    last_move: Move | None = None  # the move of its last decision
    drop_node: str | None = None  # where it was dropped (see Simulator.drop_reason)
    drop_h: float | None = None
    drop_reason: str | None = None

    @property
    def done(self) -> bool:
        return self.status in DONE


@dataclass(frozen=True)
class EpisodeResult:
    """The score of one episode: ``cost`` (CNY, the plan objective's terms) and its parts."""

    cost: float
    transport_cny: float
    co2_kg: float
    lateness_h: float
    time_h: float
    on_time_share: float
    delivered_teu: float
    dropped_teu: float
    decisions: int

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


class Simulator:
    """One episode of ``scenario`` under ``realization``.

    Use: ``d = sim.next_decision()``; while ``d`` is not ``None``: ``sim.apply(move)``,
    ``d = sim.next_decision()``. :meth:`moves` lists the moves allowed now (what the MIP
    allows too); :meth:`known` gives the conditions a policy may use at the current time.

    :attr:`nominal_scenario` is the scenario given, :attr:`realised_scenario` the one the
    episode runs (its shipments as realised, late orders added; made once here: read it from
    the simulator). ``tables``: the :class:`~mmroute.envs.tables.EnvTables` of the nominal
    scenario to read and fill (an environment keeps them across episodes; ``None``: fresh
    ones); :class:`InputError` if they are another scenario's.
    """

    def __init__(self, scenario: Scenario, realization: Realization, *,
                 tables: EnvTables | None = None):
        realization.check_scenario(scenario)
        self.tables = env_tables_for(scenario, tables)
        self.nominal_scenario = scenario
        self.realization = realization
        self.realised_scenario = realization.scenario(scenario)
        self.truth = Conditions(self.realised_scenario, realization.events,
                                tables=self.tables.world)
        sc = self.realised_scenario
        self.horizon_h = sc.horizon_h
        self.price = sc.objective.co2_price_cny_per_t
        self.links = {lk.id: lk for lk in sc.links}
        self.nodes = {n.id: n for n in sc.nodes}
        self.out_services: dict[str, list[Link]] = {}
        for lk in sc.links:
            if lk.scheduled:
                self.out_services.setdefault(lk.from_node, []).append(lk)
        self.yards = set(self.out_services)
        self.road_paths = nominal_road_paths(scenario, self.tables.world)
        self.memo = EpisodeMemo()  # what the observation side keeps for this episode
        self.consignments = [Consignment(shipment=s, node=s.origin, ready_h=s.release_h)
                             for s in sc.shipments]
        self.now = 0.0
        self._heap: list[tuple[float, int, str, int]] = []
        self._seq = 0
        self.dep_load: dict[tuple[str, float], float] = {}
        self.node_load: dict[tuple[str, int], float] = {}
        self.road_load: dict[tuple[str, int], float] = {}
        self.overflow_teu = 0.0  # capacity exceeded on a day booked at use (see module doc)
        self.charged = 0.0  # cost charged since the last call of take_charged()
        self.total = 0.0
        self.decisions = 0
        self._pending: Decision | None = None
        self._onsets = realization.onsets_h()  # when something new becomes known
        self._event_onsets = realization.onsets_h(late_orders=False)  # ... of the events
        self._known_key: int | None = None
        self._known_base: Conditions | None = None  # known at the last onset, all noise
        self._known: Conditions | None = None
        self._known_now: float | None = None  # the time self._known was asked for
        self._nominal: Conditions | None = None  # no events (for drop_reason), made on use
        self._fastest = self.tables.fastest  # fastest_h per (node, destination): drop_reason
        # indexes kept up to date so that a decision reads counts, not scans (see
        # _set_status, _note_releases): consignment indices by release time, their times
        order = sorted(range(len(self.consignments)),
                       key=lambda i: self.consignments[i].shipment.release_h)
        self._release_order = order
        self._releases = [self.consignments[i].shipment.release_h for i in order]
        self._released_n: int | None = None
        self._noted_n = 0  # release times passed that the counts below include
        self._is_released = [False] * len(self.consignments)
        #: released and not done, by consignment index (numpy bool; read only)
        self.active = np.zeros(len(self.consignments), dtype=bool)
        #: :attr:`Consignment.objective_cny` by consignment index (CNY, numpy; read only)
        self.objective_cny = np.zeros(len(self.consignments))
        self._n_moving = 0  # released consignments moving
        self._n_done = 0  # released consignments delivered or dropped
        self._n_done_all = 0  # consignments delivered or dropped
        self._repeat_t: float | None = None  # decisions since the clock last moved
        self._repeats = 0
        self._released: list[Consignment] = []
        for i, c in enumerate(self.consignments):
            self._push(c.ready_h, "ready", i)

    # --- event queue -------------------------------------------------------------------
    def _push(self, t: float, kind: str, i: int) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (round_h(t), self._seq, kind, i))

    def next_decision(self) -> Decision | None:
        """Advance to the next decision (``None`` when every consignment is done)."""
        if self._pending is not None:
            return self._pending
        while self._heap:
            t, _, kind, i = heapq.heappop(self._heap)
            if t > self.now:
                self.now = t
            c = self.consignments[i]
            if c.status in DONE:  # c.done, without the property's call
                continue
            if kind == "ready":
                if c.status == "pending":
                    self._set_status(i, c, "ready")
                self._pending = _decision(i, c.node, c.ready_h, c.lock)
                self._count_repeat(self._pending)
                return self._pending
            if kind == "depart-service":
                self._depart_service(i)
            elif kind == "depart-road":
                self._depart_road(i)
            elif kind == "arrive":
                self._arrive(i)
        return None

    def _count_repeat(self, d: Decision) -> None:
        """:class:`StuckEpisode` when more than :data:`MAX_REPEATS` decisions per consignment
        come without the clock moving: some consignment decides again and again (a move that
        cannot be carried out, taken over and over), and the episode would never end."""
        if self.now != self._repeat_t:
            self._repeat_t, self._repeats = self.now, 0
        self._repeats += 1
        if self._repeats > MAX_REPEATS * len(self.consignments):
            c = self.consignments[d.consignment]
            raise StuckEpisode(
                f"{self._repeats} decisions at {self.now:g} h without the clock moving, the "
                f"last by {c.shipment.id} at {d.node} (its last move: {c.last_move}); the "
                "episode would never end")

    @property
    def done(self) -> bool:
        return self._n_done_all == len(self.consignments)

    # --- indexes: what a decision reads without scanning the consignments -------------------
    def _set_status(self, i: int, c: Consignment, status: str) -> None:
        """Set ``c.status`` (``c`` is consignment ``i``), keeping the counts and
        :attr:`active` up to date (every status change goes through here)."""
        old = c.status
        c.status = status
        done = (status in DONE) - (old in DONE)
        self._n_done_all += done
        if self._is_released[i]:
            self._n_moving += (status == "moving") - (old == "moving")
            if done:
                self._n_done += done
                self.active[i] = done < 0

    def _note_releases(self) -> int:
        """How many consignments are released by now (``release_h <= now + 1e-9``, as
        :meth:`released_view`); those newly released enter the counts and :attr:`active`."""
        n = bisect.bisect_right(self._releases, self.now + 1e-9)
        k = self._noted_n
        if n > k:  # the clock never goes back: each consignment is noted once
            cs, flags, active = self.consignments, self._is_released, self.active
            for i in self._release_order[k:n]:
                flags[i] = True
                st = cs[i].status
                self._n_moving += st == "moving"
                if st in DONE:
                    self._n_done += 1
                else:
                    active[i] = True
            self._noted_n = n
        return n

    def released_counts(self) -> tuple[int, int, int]:
        """``(released, moving, done)``: how many consignments are released by now and, of
        those, how many are moving and how many are delivered or dropped — what a scan of
        :meth:`released_view` counts, from counts kept as the simulator runs (the
        environment's observation reads them at every decision)."""
        n = self._note_releases()
        return n, self._n_moving, self._n_done

    @property
    def base(self) -> Scenario:
        """Deprecated name of :attr:`nominal_scenario`."""
        warnings.warn("Simulator.base is deprecated; use Simulator.nominal_scenario",
                      DeprecationWarning, stacklevel=2)
        return self.nominal_scenario

    @property
    def scenario(self) -> Scenario:
        """Deprecated name of :attr:`realised_scenario`."""
        warnings.warn("Simulator.scenario is deprecated; use Simulator.realised_scenario",
                      DeprecationWarning, stacklevel=2)
        return self.realised_scenario

    def take_charged(self) -> float:
        """Cost (CNY) charged since the last call."""
        x, self.charged = self.charged, 0.0
        return x

    # --- what a policy may know ------------------------------------------------------------
    def known(self) -> Conditions:
        """Conditions as known at the current time: ``Conditions(scenario,
        realization.known_at(now))`` — rebuilt when an event's onset passes (a late order changes
        no event), its road noise capped at the current hour otherwise."""
        if self._known_now == self.now:
            return self._known
        self._known_now = self.now
        n = bisect.bisect_right(self._event_onsets, self.now + 1e-9)
        if n != self._known_key:
            self._known_base = Conditions(
                self.realised_scenario,
                self.realization.known_at(self.now, cut_noise=False),
                validate=False, tables=self.tables.world)
            self._known_key = n
            self._known = None
        hour = math.floor(self.now + 1e-9)
        if self._known is None or self._known._noise_until != hour:
            self._known = self._known_base.with_noise_until(hour)
        return self._known

    def revealed(self) -> int:
        """How many onsets (events, weather hour steps, late-order releases) have passed."""
        return bisect.bisect_right(self._onsets, self.now + 1e-9)

    def known_events(self) -> KnownEvents:
        """The events a policy knows now (:meth:`Realization.known_at
        <mmroute.world.realization.Realization.known_at>`): what a re-planning MIP may be
        given. (:meth:`known` holds all road noise internally and caps it; never pass its
        events on.)"""
        return self.realization.known_at(self.now)

    def released(self) -> list[Consignment]:
        """Consignments released by now (what a policy may know exists), in their order."""
        return list(self.released_view())

    def released_view(self) -> list[Consignment]:
        """:meth:`released` without the copy: the simulator's own list, kept until the next
        release time passes (read only; for the environment's hot path)."""
        n = bisect.bisect_right(self._releases, self.now + 1e-9)
        if n != self._released_n:  # which ones depends only on how many release times passed
            t = self.now + 1e-9
            self._released = [c for c in self.consignments if c.shipment.release_h <= t]
            self._released_n = n
        return self._released

    # --- allowed moves ---------------------------------------------------------------------
    def options(self, decision: Decision | None = None, cond: Conditions | None = None
                ) -> list[Option]:
        """The moves the decision allows under ``cond`` (default: the known conditions), with
        when they leave and arrive under ``cond``; drop (always allowed) not included.

        Scheduled departures: the next two of each service from the node whose cut-off the
        cargo makes, that run and have capacity left (unless the cargo is on the road side).
        Road trips: nominal Pareto paths to the destination or a terminal, now if open, else
        when they reopen, not after the horizon (unless the cargo is in a terminal's yard).
        """
        return [Option(*row) for row in self.option_rows(decision, cond)]

    def option_rows(self, decision: Decision | None = None, cond: Conditions | None = None
                    ) -> list[tuple]:
        """:meth:`options` as tuples of the :class:`Option` fields, in their order (what
        the environment's candidates read, without making the objects)."""
        d = decision or self._pending
        if d is None:
            return []
        cond = cond or self.known()
        c = self.consignments[d.consignment]
        q = c.shipment.quantity_teu
        out: list[tuple] = []
        moves = self.tables.moves  # moves are immutable: one instance per move, shared
        if len(moves) > 100_000:
            moves.clear()
        if d.lock != "road":
            horizon, dep_load = self.horizon_h, self.dep_load
            arrivals = cond.service_arrivals  # dep + cond.travel_time_h(lk, dep), kept
            for lk, lid, cap, cutoff, nominal, end, cost, co2, mode, ids in self.services(d.node):
                lo, n, want = d.time_h + cutoff - TOL_H, 0, 2
                while n < 2:  # the next two running departures with capacity left
                    deps = cond.next_departures_view(lk, lo, horizon, want)
                    for tt, dep in deps:
                        lo = tt + TOL_H
                        # hot-path twin of has_room(lk, tt, q)
                        if cap is not None and dep_load.get((lid, tt), 0.0) + q > cap + 1e-9:
                            continue
                        move = moves.get((lid, tt))
                        if move is None:
                            move = moves[(lid, tt)] = Move.service(lid, tt)
                        arr = arrivals.get((lid, dep))
                        if arr is None:
                            arr = arrivals[lid, dep] = dep + cond.travel_time_h(lk, dep)
                        out.append((move, dep, arr, nominal, end, cost, co2, mode, ids))
                        n += 1
                        if n >= 2:
                            break
                    if len(deps) < want:
                        break
        if d.lock != "yard":
            trips, paths = self._trips_to(d.node, c.shipment.destination)
            now = cond.road_trips(paths, d.time_h)
            for (w, path, ids, cost, co2, nominal), times in zip(trips, now):
                t = d.time_h
                if times is None:
                    t = cond.trip_reopens_h(path, t)
                    if t is None or t > self.horizon_h:
                        continue
                    t = round_h(t)
                    times = cond.road_trip(path, t)
                    if times is None:
                        continue
                    move = Move.road(ids, t)
                else:
                    move = moves.get(ids)
                    if move is None:
                        move = moves[ids] = Move.road(ids)
                out.append((move, t, times[-1][1], nominal, w, cost, co2, "road", ids))
        return out

    def services(self, node: str) -> list[tuple]:
        """Scheduled links from ``node``, each a tuple ``(link, id, capacity, cut-off,
        nominal time, end node, cost and CO2 per TEU, mode, (id,))`` (kept in
        :attr:`tables`; read only)."""
        cache = self.tables.services
        hit = cache.get(node)
        if hit is None:
            hit = [(lk, lk.id, lk.capacity_teu, lk.timetable.cutoff_h, lk.travel_time_h,
                    lk.to_node, lk.cost_per_teu_cny, lk.co2_kg_per_teu, lk.mode, (lk.id,))
                   for lk in self.out_services.get(node, ())]
            cache[node] = hit
        return hit

    def _trips_to(self, node: str, dest: str) -> tuple[list[tuple], list[list[Link]]]:
        """:meth:`_trips` from ``node`` that end at ``dest`` or a terminal, and their paths
        (cached)."""
        cache = self.tables.trips_to
        hit = cache.get((node, dest))
        if hit is None:
            trips = [x for x in self._trips(node) if x[0] == dest or x[0] in self.yards]
            hit = cache[(node, dest)] = (trips, [x[1] for x in trips])
        return hit

    def _trips(self, node: str) -> list[tuple]:
        """Road paths from ``node`` with ids, cost and CO2 per TEU and nominal time (cached)."""
        cache = self.tables.trips
        hit = cache.get(node)
        if hit is None:
            hit = [(w, path, tuple(lk.id for lk in path), sum(lk.cost_per_teu_cny for lk in path),
                    sum(lk.co2_kg_per_teu for lk in path), sum(lk.travel_time_h for lk in path))
                   for w, path in self.road_paths.get(node, ())]
            cache[node] = hit
        return hit

    def moves(self, decision: Decision | None = None, cond: Conditions | None = None) -> list[Move]:
        """Every move the decision allows under ``cond`` (default: known), drop last."""
        if (decision or self._pending) is None:
            return []
        return [o.move for o in self.options(decision, cond)] + [Move.drop()]

    # --- applying a move -------------------------------------------------------------------
    def apply(self, move: Move, *, offered: bool = False) -> None:
        """Apply ``move`` to the pending decision; :class:`InputError` if it is not allowed.
        ``offered``: the move is one that :meth:`option_rows` gave for the pending decision
        under the known conditions (an environment's slot), so allowed: the checks of a move
        from elsewhere are skipped (tests/envs/test_simulator.py checks that every offered
        move passes them)."""
        d = self._pending
        if d is None:
            raise InputError("no decision is pending")
        i = d.consignment
        c = self.consignments[i]
        self._pending = None
        self.decisions += 1
        c.decisions += 1
        c.last_move = move
        if move.kind == "drop":
            c.drop_node, c.drop_h = d.node, d.time_h
            c.drop_reason = self.drop_reason(d)
            self._drop(i)
            return
        try:
            if move.kind == "service":
                self._book_service(i, d, move, offered)
            elif move.kind == "road":
                self._book_road(i, d, move, offered)
            elif move.kind == "hold":
                self._hold(i, d, move)
            else:
                raise InputError(f"unknown move kind {move.kind!r}", field="move")
        except InputError:
            self._pending = d
            self.decisions -= 1
            c.decisions -= 1
            raise

    def _charge(self, i: int, c: Consignment, amount: float) -> None:
        c.objective_cny += amount
        self.objective_cny[i] = c.objective_cny
        self.charged += amount
        self.total += amount

    def _drop(self, i: int) -> None:
        c = self.consignments[i]
        self._release_booking(c)
        self._set_status(i, c, "dropped")
        self._charge(i, c, self.realised_scenario.objective.drop_penalty_cny_per_teu * c.shipment.quantity_teu)

    def drop_reason(self, decision: Decision | None = None) -> str:
        """Why a drop of the decision (default: the pending one) would happen, one of
        :data:`mmroute.world.shipments.DROP_REASONS` (see there). A way on is an allowed
        move that reaches the destination by the horizon, or a node from which the fastest
        chain of links (nominal times, no waits) still could: ``policy`` if one exists under
        the known conditions; else ``capacity`` if one would if departures had unlimited
        room; else
        ``closure`` if one would on the undisturbed network (both with unlimited room); else ``released-too-late`` (a
        late order at its origin before moving) or ``no-service``. Reads the state only
        (charges and books nothing)."""
        d = decision or self._pending
        if d is None:
            raise InputError("no decision is pending")
        if self._way_on(d, None):
            return "policy"
        load, self.dep_load = self.dep_load, _Unlimited()
        try:
            if self._way_on(d, None):
                return "capacity"
            if self._nominal is None:
                self._nominal = Conditions(self.realised_scenario, KnownEvents(), validate=False,
                                           tables=self.tables.world)
            if self._way_on(d, self._nominal):
                return "closure"
        finally:
            self.dep_load = load
        c = self.consignments[d.consignment]
        late = {s.id for s in self.realization.late_orders}
        if c.shipment.id in late and not c.legs and d.node == c.shipment.origin:
            return "released-too-late"
        return "no-service"

    def _way_on(self, d: Decision, cond: Conditions | None) -> bool:
        """Whether an option of ``d`` under ``cond`` can still reach the destination by the
        horizon (see :meth:`drop_reason`)."""
        dest = self.consignments[d.consignment].shipment.destination
        for row in self.option_rows(d, cond):
            arrival, end = row[2], row[4]
            key = (end, dest)
            if key not in self._fastest:
                # the network's (the realised scenario shares the nominal one's links)
                self._fastest[key] = fastest_h(self.nominal_scenario, end, dest)
            rest = self._fastest[key]
            if rest is not None and arrival + rest <= self.horizon_h + TOL_H:
                return True
        return False

    def _release_booking(self, c: Consignment) -> None:
        if c.booking is not None:
            key = c.booking
            self.dep_load[key] = self.dep_load.get(key, 0.0) - c.shipment.quantity_teu
            c.booking = None

    def bookable(self, move: Move) -> bool:
        """Whether the pending decision may book ``move``, a scheduled departure — any later
        one whose cut-off the cargo makes, by the horizon, with room (not only the next two
        :meth:`options` offers): what a plan follower books when its plan waits longer."""
        d = self._pending
        return (d is not None and move.kind == "service"
                and self._service_error(self.consignments[d.consignment], d, move) is None)

    def _service_error(self, c: Consignment, d: Decision, move: Move) -> str | None:
        """Why ``c`` cannot book the departure ``move`` at decision ``d`` (None: it can)."""
        lk = self.links.get(move.link or "")
        if lk is None or not lk.scheduled or lk.from_node != d.node:
            return f"{move.link!r} is not a scheduled service from {d.node}"
        if d.lock == "road":
            return "only road trips can follow here"
        tt = round_h(move.timetable_h)
        if tt > self.horizon_h + TOL_H or tt - lk.timetable.cutoff_h < d.time_h - TOL_H:
            return f"departure {lk.id} at {tt:g} h: cut-off missed or after the horizon"
        known = self.known()
        if not any(abs(x - tt) < TOL_H for x in known.timetable_times(lk, tt - 1e-3, tt + 1e-3)):
            return f"no departure of {lk.id} at {tt:g} h"
        if not self.has_room(lk, tt, c.shipment.quantity_teu):
            return f"departure {lk.id} at {tt:g} h is full"
        if not known.is_open(lk.id, round_h(tt + known.departure_delay_h(lk.id, tt))):
            return f"departure {lk.id} at {tt:g} h is cancelled (known closure)"
        return None

    def has_room(self, link: Link, timetable_h: float, teu: float) -> bool:
        """Whether the departure of ``link`` at ``timetable_h`` has room for ``teu`` more
        (booked load + ``teu`` <= capacity, 1e-9 TEU slack). The rule; :meth:`option_rows`
        and the candidates' next hop (``envs/candidates._next_service``) inline it as their
        hot-path twins."""
        cap = link.capacity_teu
        return cap is None or self.dep_load.get((link.id, timetable_h), 0.0) + teu <= cap + 1e-9

    def _book_service(self, i: int, d: Decision, move: Move, offered: bool = False) -> None:
        c = self.consignments[i]
        if not offered:
            why = self._service_error(c, d, move)
            if why is not None:
                raise InputError(why, field="move")
        lk = self.links[move.link]
        tt = round_h(move.timetable_h)
        q = c.shipment.quantity_teu
        self.dep_load[(lk.id, tt)] = self.dep_load.get((lk.id, tt), 0.0) + q
        c.booking = (lk.id, tt)
        self._set_status(i, c, "booked")
        actual = tt + self.truth.departure_delay_h(lk.id, tt)
        self._push(actual, "depart-service", i)

    def _depart_service(self, i: int) -> None:
        c = self.consignments[i]
        lid, tt = c.booking
        lk = self.links[lid]
        actual = round_h(tt + self.truth.departure_delay_h(lid, tt))
        if not self.truth.is_open(lid, actual):  # cancelled: back to the yard
            self._release_booking(c)
            self._set_status(i, c, "ready")
            c.ready_h, c.lock = actual, "yard"
            self._push(actual, "ready", i)
            return
        c.booking = None
        arr = round_h(actual + self.truth.travel_time_h(lk, actual))
        self._add_leg(i, c, lk, actual, arr, tt)
        self._set_status(i, c, "moving")
        c.last_link = lid
        c.ready_h = arr
        self._push(arr, "arrive", i)

    def _book_road(self, i: int, d: Decision, move: Move, offered: bool = False) -> None:
        c = self.consignments[i]
        t = d.time_h if move.depart_h is None else round_h(move.depart_h)
        if not offered:  # an offered move is allowed (see apply)
            self._road_error(d, move, t)
        self._set_status(i, c, "booked")
        c.lock = "road"  # waiting for a truck: on the road side of the node
        c.road_plan = tuple(move.path)  # the links' ids (they continue from the node)
        c.ready_h = t
        if t <= self.now + TOL_H:
            self._depart_road(i)
        else:
            self._push(t, "depart-road", i)

    def _road_error(self, d: Decision, move: Move, t: float) -> None:
        """:class:`InputError` if the road trip ``move`` leaving at ``t`` is not allowed at
        decision ``d``."""
        if d.lock == "yard":
            raise InputError("only scheduled departures can follow here", field="move")
        path = self._path(move.path, d.node)
        end = path[-1].to_node
        if end != self.consignments[d.consignment].shipment.destination and end not in self.yards:
            raise InputError(f"a road trip must end at the destination or a terminal, not {end}",
                             field="move")
        if t < d.time_h - TOL_H:
            raise InputError("a road trip cannot leave before the cargo is ready", field="move")
        known = self.known()
        if any(not known.is_open(lk.id, t) for lk in path):  # road_trip's start rule
            raise InputError(f"road trip {'/'.join(move.path)} at {t:g} h: a link of it is "
                             "closed (known closure)", field="move")

    def hold_error(self, move: Move, decision: Decision | None = None) -> str | None:
        """Why the decision (default: the pending one) cannot hold until ``move.until_h``
        (None: it can): a hold moves the clock forward by at least :data:`MIN_HOLD_H` and ends
        by the horizon."""
        d = decision or self._pending
        t = move.until_h
        if d is None:
            return "no decision is pending"
        if not is_number(t) or not math.isfinite(t):
            return f"a hold needs a finite until_h, not {t!r}"
        if t < d.time_h + MIN_HOLD_H - TOL_H:
            return (f"a hold until {t:g} h is shorter than {MIN_HOLD_H:g} h after the "
                    f"decision at {d.time_h:g} h")
        if t > self.horizon_h + TOL_H:
            return f"a hold until {t:g} h ends after the horizon ({self.horizon_h:g} h)"
        return None

    def _hold(self, i: int, d: Decision, move: Move) -> None:
        """The consignment stays at its node, uncommitted (its lock kept: a yard stays a
        yard), and is a decision again at ``move.until_h`` (waiting costs what it costs in the
        plan MIP: value of time and lateness at the arrival, nothing else)."""
        why = self.hold_error(move, d)
        if why is not None:
            raise InputError(why, field="move")
        c = self.consignments[i]
        c.ready_h = move.until_h
        self._push(move.until_h, "ready", i)

    def _path(self, ids: tuple[str, ...], node: str) -> list[Link]:
        if not ids:
            raise InputError("a road trip needs at least one link", field="move")
        path, at = [], node
        for lid in ids:
            lk = self.links.get(lid)
            if lk is None or lk.mode != "road" or lk.from_node != at:
                raise InputError(f"road trip link {lid!r} does not continue from {at}", field="move")
            path.append(lk)
            at = lk.to_node
        return path

    def _depart_road(self, i: int) -> None:
        c = self.consignments[i]
        path = [self.links[x] for x in c.road_plan]
        t = c.ready_h
        times = self.truth.road_trip(path, t)
        if times is None:  # closed at dispatch: decide again (road side of the node)
            self._set_status(i, c, "ready")
            c.lock = "road"
            self._push(t, "ready", i)
            return
        for lk, (dep, arr) in zip(path, times):
            self._add_leg(i, c, lk, dep, arr, None)
            if lk.capacity_teu is not None:
                self._book(self.road_load, (lk.id, _day(dep)), c.shipment.quantity_teu, lk.capacity_teu)
        self._set_status(i, c, "moving")
        c.last_link = path[-1].id
        c.ready_h = times[-1][1]
        self._push(c.ready_h, "arrive", i)

    def _book(self, table: dict, key: tuple, teu: float, cap: float | None) -> None:
        table[key] = table.get(key, 0.0) + teu
        if cap is not None and table[key] > cap + 1e-9:
            self.overflow_teu += min(teu, table[key] - cap)

    def _add_leg(self, i: int, c: Consignment, lk: Link, dep: float, arr: float, tt: float | None) -> None:
        q = c.shipment.quantity_teu
        cost, co2 = lk.cost_per_teu_cny * q, lk.co2_kg_per_teu * q
        c.legs.append(_leg(lk.id, lk.mode, lk.from_node, lk.to_node, dep, arr, cost, co2, tt))
        c.cost_cny += cost
        c.co2_kg += co2
        self._charge(i, c, self.realised_scenario.objective.cost_weight * cost + self.price * co2 / 1000.0)

    def _arrive(self, i: int) -> None:
        c = self.consignments[i]
        lk = self.links[c.last_link]
        v, arr = lk.to_node, c.ready_h
        s = c.shipment
        c.node = v
        if v == s.destination:
            self._set_status(i, c, "delivered")
            c.arrival_h = arr
            obj = self.realised_scenario.objective
            self._charge(i, c, s.quantity_teu * (
                obj.time_value_cny_per_teu_h * (arr - s.release_h)
                + s.lateness_penalty_cny_per_teu_h * max(0.0, arr - s.due_h)))
            return
        node = self.nodes[v]
        ready = round_h(arr + node.handling_time_h + self.truth.node_delay_h(v, arr))
        cost = node.handling_cost_cny * s.quantity_teu
        c.handling.append(_handling(v, round_h(arr), cost))
        c.cost_cny += cost
        self._charge(i, c, self.realised_scenario.objective.cost_weight * cost)
        if node.capacity_teu_per_day is not None:
            self._book(self.node_load, (v, _day(arr)), s.quantity_teu, node.capacity_teu_per_day)
        self._set_status(i, c, "ready")
        c.ready_h = ready
        c.lock = None if lk.scheduled else "yard"  # a road trip ends in the terminal's yard
        self._push(ready, "ready", i)

    # --- results ---------------------------------------------------------------------------
    def result(self) -> EpisodeResult:
        """The score of the episode so far (complete once :attr:`done`)."""
        delivered = [c for c in self.consignments if c.status == "delivered"]
        late = [max(0.0, c.arrival_h - c.shipment.due_h) for c in delivered]
        teu = [c.shipment.quantity_teu for c in delivered]
        return EpisodeResult(
            cost=self.total,
            transport_cny=sum(c.cost_cny for c in self.consignments),
            co2_kg=sum(c.co2_kg for c in self.consignments),
            lateness_h=sum(late),
            time_h=sum(c.arrival_h - c.shipment.release_h for c in delivered),
            on_time_share=(sum(t for t, x in zip(teu, late) if x <= 1e-9) / sum(teu)) if teu else 0.0,
            delivered_teu=sum(teu),
            dropped_teu=sum(c.shipment.quantity_teu for c in self.consignments if c.status == "dropped"),
            decisions=self.decisions)

    def trajectory(self) -> Plan:
        """The episode as a plan of the realised scenario under the realization's events;
        a consignment dropped on the way keeps the legs and handling it had before the drop
        (``drop_node`` where it was dropped), charged as the episode charged them, so a
        finished episode's plan objective is its cost (a consignment not yet done appears
        dropped at its origin)."""
        obj = self.realised_scenario.objective
        its = []
        for c in self.consignments:
            q = c.shipment.quantity_teu
            if c.status == "delivered":
                late = max(0.0, c.arrival_h - c.shipment.due_h)
                its.append(Itinerary(c.shipment.id, q, tuple(c.legs), tuple(c.handling),
                                     c.arrival_h, late, False, c.cost_cny, c.co2_kg,
                                     c.objective_cny))
            elif c.status == "dropped" and c.legs:  # dropped on the way: what it travelled, then the penalty
                its.append(Itinerary(c.shipment.id, q, tuple(c.legs), tuple(c.handling), None,
                                     0.0, True, c.cost_cny, c.co2_kg, c.objective_cny,
                                     drop_node=c.drop_node))
            else:
                its.append(Itinerary(c.shipment.id, q, (), (), None, 0.0, True, 0.0, 0.0,
                                     obj.drop_penalty_cny_per_teu * q))
        total = sum(it.objective_cny for it in its)
        return Plan(scenario=self.realised_scenario.name, objective=total, bound=None,
                    status="feasible", time_s=0.0, solver="simulator", seed=self.realization.seed,
                    itineraries=tuple(its), co2_price_cny_per_t=self.price,
                    events=self.realization.events)


def replay(scenario: Scenario, realization: Realization, plan: Plan) -> Simulator:
    """Run ``plan`` (unsplittable, e.g. from :func:`solve_plan` or :func:`solve_hindsight`)
    in the simulator under ``realization``; return the finished simulator.
    :class:`InputError` if the plan takes a move the episode does not allow."""
    if plan.splittable:
        raise InputError("only unsplittable plans can be replayed", field="plan")
    queue: dict[str, list[Move]] = {}
    for it in plan.itineraries:
        queue[it.shipment] = moves_of(it)
    sim = Simulator(scenario, realization)
    while (d := sim.next_decision()) is not None:
        sid = sim.consignments[d.consignment].shipment.id
        todo = queue.get(sid)
        if not todo:
            raise InputError(f"the plan has no move for {sid} at {d.node}, {d.time_h:g} h",
                             field="plan")
        sim.apply(todo.pop(0))
    return sim


def moves_of(it: Itinerary) -> list[Move]:
    """The moves of one itinerary: scheduled legs one by one, runs of road legs as trips
    (then a drop, for a dropped one)."""
    if it.dropped:
        return [*moves_of_legs(it.legs), Move.drop()]
    return moves_of_legs(it.legs)


def moves_of_legs(legs) -> list[Move]:
    """The moves of a sequence of legs (see :func:`moves_of`)."""
    out: list[Move] = []
    k = 0
    while k < len(legs):
        if legs[k].timetable_h is not None:
            out.append(Move.service(legs[k].link, legs[k].timetable_h))
            k += 1
            continue
        j = k
        while j < len(legs) and legs[j].timetable_h is None:
            j += 1
        out.append(Move.road(tuple(lg.link for lg in legs[k:j]), legs[k].departure_h))
        k = j
    return out


class _Unlimited(dict):
    """A departure load table under which every departure has room (``get`` is -inf): what
    :meth:`Simulator.drop_reason` asks the options under."""

    def get(self, key, default=None):  # noqa: ARG002 (dict's signature)
        return -math.inf



_new = object.__new__


def _decision(consignment: int, node: str, time_h: float, lock: str | None) -> Decision:
    """Hot-path twin of ``Decision(...)``: the same instance without the frozen dataclass's
    per-field ``object.__setattr__`` (one per decision; tests/envs/test_scale.py checks they
    are equal)."""
    d = _new(Decision)
    d.__dict__.update(consignment=consignment, node=node, time_h=time_h, lock=lock)
    return d


def _leg(link, mode, from_node, to_node, departure_h, arrival_h, cost_cny, co2_kg,
         timetable_h) -> Leg:
    """Hot-path twin of ``Leg(...)`` (as :func:`_decision`; one per leg travelled)."""
    lg = _new(Leg)
    lg.__dict__.update(link=link, mode=mode, from_node=from_node, to_node=to_node,
                       departure_h=departure_h, arrival_h=arrival_h, cost_cny=cost_cny,
                       co2_kg=co2_kg, timetable_h=timetable_h)
    return lg


def _handling(node, at_h, cost_cny) -> Handling:
    """Hot-path twin of ``Handling(...)`` (as :func:`_decision`; one per transshipment)."""
    h = _new(Handling)
    h.__dict__.update(node=node, at_h=at_h, cost_cny=cost_cny)
    return h


def _day(t: float) -> int:
    return int(math.floor(t / 24.0 + 1e-9))
