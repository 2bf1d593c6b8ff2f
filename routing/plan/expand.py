"""The time-expanded network of a scenario: event nodes, timed arcs, capacity resources.

Discretisation (event-based, no time grid):

* ``D(v, t)`` — the *yard* of node ``v`` at time ``t``, one point per ``departure - cut-off`` of
  every scheduled service leaving ``v``; waiting arcs join consecutive points. Cargo that
  becomes ready at ``v`` is moved to the first yard point at or after its ready time; this loses
  nothing, since the yard is only left by those departures.
* ``A(l, d)`` — the arrival of departure ``d`` (timetable time, h) of scheduled link ``l``, at
  ``actual departure + travel time``.
* ``R(v, t)`` — cargo ready to leave ``v`` by road at ``t``: release times at origins and
  ``arrival + handling (+ node delay)`` after scheduled arrivals, plus the ends of road
  closures; waiting arcs join consecutive points. Road legs leave only at these points: with
  nominal travel times leaving as soon as ready dominates leaving later (wait at the far end
  instead); with a time-of-day profile a later start could occasionally be faster — not modelled.
* Road trips are composite arcs along Pareto-optimal (cost, CO2, nominal time) road paths
  between every pair of nodes, so a truck passing through nodes is one arc with exact times
  (road to road at a node is not a transshipment); each link's travel time uses the profile
  multiplier of its own departure hour. A trip ends at a yard (with handling there) or at a
  shipment's destination (exact arrival, for lateness).
* ``T(w)`` — delivered at ``w``; arcs into it carry the exact arrival time.

Handling (time and cost at a node) is paid on transshipment at intermediate nodes: a change of
mode or between two scheduled services. It uses the node's capacity on the day it starts
(the arrival day). Capacities: per departure (``("dep", link, timetable_h)``), per node-day
(``("node", node, day)``), per road link-day (``("road", link, day)``, by departure day).
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mmroute.routing.plan.sweep import Sweeps
from mmroute.scenarios import Link, Scenario
from mmroute.world.conditions import Conditions, round_h
from mmroute.world.events import KnownEvents
from mmroute.world.roads import nominal_road_paths, road_paths, trip_paths
from mmroute.world.state import PlanState, Start
from mmroute.world.tables import Tables

__all__ = ["Demand", "LegSpec", "HandlingSpec", "Arc", "TimeExpandedNetwork", "expand",
           "demands_of", "road_paths", "nominal_road_paths", "trip_paths"]



@dataclass(frozen=True)
class Demand:
    """What remains to move for one shipment: ``quantity_teu`` ready at ``origin`` at
    ``ready_h``. ``last_link`` is the link it arrived by (``None`` at its origin): the first leg
    from ``origin`` is then a transshipment if it changes mode or service."""

    shipment: str
    origin: str
    destination: str
    quantity_teu: float
    ready_h: float
    release_h: float
    due_h: float
    lateness_cny_per_teu_h: float
    last_link: str | None = None


def demands_of(scenario: Scenario, state: PlanState | None = None) -> tuple[Demand, ...]:
    """What remains of every shipment: from its origin at release, or from ``state``."""
    out = []
    for s in scenario.shipments:
        if state is None:
            st = Start(s.origin, s.release_h, None)
        else:
            st = state.start_of(s)
            if st is None:
                continue
        out.append(Demand(shipment=s.id, origin=st.node, destination=s.destination,
                          quantity_teu=s.quantity_teu, ready_h=st.ready_h, release_h=s.release_h,
                          due_h=s.due_h, lateness_cny_per_teu_h=s.lateness_penalty_cny_per_teu_h,
                          last_link=st.last_link))
    return tuple(out)


@dataclass(frozen=True)
class LegSpec:
    """One link traversal; cost (CNY) and CO2 (kg) per TEU."""

    link: str
    mode: str
    from_node: str
    to_node: str
    departure_h: float
    arrival_h: float
    timetable_h: float | None
    cost_per_teu_cny: float
    co2_per_teu_kg: float


@dataclass(frozen=True)
class HandlingSpec:
    """A transshipment at ``node`` starting at ``at_h``; cost (CNY) per TEU."""

    node: str
    at_h: float
    cost_per_teu_cny: float


@dataclass(frozen=True)
class Arc:
    """An arc of the time-expanded network.

    ``kind``: wait, service, road, transfer, source, sink, drop. ``shipment`` restricts source
    and drop arcs to one shipment; ``arrival_h`` is set on arcs into ``T(w)``.
    """

    tail: int
    head: int
    kind: str
    legs: tuple[LegSpec, ...] = ()
    handling: tuple[HandlingSpec, ...] = ()
    resources: tuple[tuple, ...] = ()
    shipment: str | None = None
    arrival_h: float | None = None
    cost_per_teu_cny: float = 0.0  # transport + handling (set by the builder)
    co2_per_teu_kg: float = 0.0
    #: shaping cost the MIP adds (``PlanParams.premiums``); never part of a plan's cost
    premium_cny_per_teu: float = 0.0


@dataclass
class TimeExpandedNetwork:
    """The expanded network; ``usable[s]`` holds the arcs shipment ``s`` may use (ids, ascending)."""

    nodes: list[tuple]
    arcs: list[Arc]
    capacity: dict[tuple, float]
    demands: tuple[Demand, ...]
    source: dict[str, int]
    sink: dict[str, int]
    usable: dict[str, np.ndarray] = field(default_factory=dict)

    def summary(self) -> str:
        n_var = sum(len(v) for v in self.usable.values())
        return (f"{len(self.nodes)} event nodes, {len(self.arcs)} arcs, "
                f"{len(self.capacity)} capacity rows, {n_var} shipment-arc variables")


class _Builder:
    """Adds event nodes, arcs and capacities phase by phase (see :func:`expand`)."""

    def __init__(self, scenario: Scenario, cond: Conditions, demands: tuple[Demand, ...]):
        self.sc = scenario
        self.cond = cond
        self.nodes: list[tuple] = []
        self.index: dict[tuple, int] = {}
        self.arcs: list[Arc] = []
        self.capacity: dict[tuple, float] = {}
        self.node_of = {n.id: n for n in scenario.nodes}
        self.dests = {d.destination for d in demands}
        self.has_road = {lk.from_node for lk in scenario.links if lk.mode == "road"}
        self.yard_times: dict[str, list[float]] = {}
        self.road_points: dict[str, set[float]] = defaultdict(set)
        #: road trips, service legs and handling kept between builds under the same
        #: conditions (``None``: none kept; :class:`mmroute.routing.plan.incremental.
        #: NetworkCache`)
        self.cache = None

    def node(self, key: tuple) -> int:
        i = self.index.get(key)
        if i is None:
            i = self.index[key] = len(self.nodes)
            self.nodes.append(key)
        return i

    def arc(self, tail: tuple, head: tuple, kind: str, **kw) -> None:
        legs, hand = kw.get("legs", ()), kw.get("handling", ())
        cost = sum(lg.cost_per_teu_cny for lg in legs) + sum(h.cost_per_teu_cny for h in hand)
        co2 = sum(lg.co2_per_teu_kg for lg in legs)
        self.arcs.append(Arc(tail=self.node(tail), head=self.node(head), kind=kind, **kw,
                             cost_per_teu_cny=cost, co2_per_teu_kg=co2))

    def yard_after(self, v: str, ready: float) -> float | None:
        """The first yard point of ``v`` at or after ``ready`` (``None`` if none)."""
        ts = self.yard_times.get(v)
        if not ts:
            return None
        i = bisect.bisect_left(ts, ready - 1e-9)
        return ts[i] if i < len(ts) else None

    def handling(self, v: str, at: float) -> tuple[float, HandlingSpec, tuple]:
        """A transshipment at ``v`` starting at ``at``: when the cargo is ready, the handling,
        the node-day capacity it uses."""
        if self.cache is not None:
            return self.cache.handling(self, v, at)
        return self.new_handling(v, at)

    def new_handling(self, v: str, at: float) -> tuple[float, HandlingSpec, tuple]:
        """:meth:`handling`, computed."""
        node = self.node_of[v]
        ready = round_h(at + node.handling_time_h + self.cond.node_delay_h(v, at))
        res: tuple = ()
        if node.capacity_teu_per_day is not None:
            key = ("node", v, int(math.floor(at / 24.0 + 1e-9)))
            self.capacity[key] = node.capacity_teu_per_day
            res = (key,)
        return ready, HandlingSpec(node=v, at_h=round_h(at), cost_per_teu_cny=node.handling_cost_cny), res

    def add_services(self, t0: float) -> None:
        """Scheduled services from ``t0`` on: yard points and their waiting arcs, service arcs,
        arrivals (to the destination, to the next yard point, ready for road)."""
        cond, horizon = self.cond, self.sc.horizon_h
        yard: dict[str, set[float]] = defaultdict(set)
        services: list[tuple[Link, float, float]] = []
        for lk in self.sc.links:
            if lk.timetable is None:
                continue
            cut = lk.timetable.cutoff_h
            for tt, actual in cond.departures(lk, t0 + cut, horizon):
                yard[lk.from_node].add(round_h(tt - cut))
                services.append((lk, tt, actual))
        self.yard_times = {v: sorted(ts) for v, ts in yard.items()}
        for v, ts in self.yard_times.items():
            for a, c in zip(ts, ts[1:]):
                self.arc(("D", v, a), ("D", v, c), "wait")
        for lk, tt, actual in services:
            leg = _leg(cond, lk, actual, tt) if self.cache is None else \
                self.cache.leg(cond, lk, actual, tt)
            res: tuple = ()
            if lk.capacity_teu is not None:
                res = (("dep", lk.id, tt),)
                self.capacity[res[0]] = lk.capacity_teu
            a_key = ("A", lk.id, tt)
            self.arc(("D", lk.from_node, round_h(tt - lk.timetable.cutoff_h)), a_key, "service",
                     legs=(leg,), resources=res)
            v, arr = lk.to_node, leg.arrival_h
            if v in self.dests:
                self.arc(a_key, ("T", v), "sink", arrival_h=arr)
            ready, hs, hres = self.handling(v, arr)
            nxt = self.yard_after(v, ready)
            if nxt is not None:
                self.arc(a_key, ("D", v, nxt), "transfer", handling=(hs,), resources=hres)
            if v in self.has_road:
                self.road_points[v].add(ready)
                self.arc(a_key, ("R", v, ready), "transfer", handling=(hs,), resources=hres)

    def add_source(self, d: Demand) -> int:
        """``d``'s source node, its drop arc and its way into the yard or onto the road
        (after handling if it arrived by a scheduled service)."""
        s_key = ("S", d.shipment)
        source = self.node(s_key)
        self.arc(s_key, ("T", d.destination), "drop", shipment=d.shipment)
        o, r = d.origin, round_h(d.ready_h)
        if o == d.destination:
            self.arc(s_key, ("T", o), "sink", shipment=d.shipment, arrival_h=r)
            return source
        last = None if d.last_link is None else self.sc.link(d.last_link)
        if last is None:
            nxt = self.yard_after(o, r)
            if nxt is not None:
                self.arc(s_key, ("D", o, nxt), "source", shipment=d.shipment)
            if o in self.has_road:
                self.road_points[o].add(r)
                self.arc(s_key, ("R", o, r), "source", shipment=d.shipment)
            return source
        ready, hs, hres = self.handling(o, r)
        nxt = self.yard_after(o, ready)
        if nxt is not None:
            self.arc(s_key, ("D", o, nxt), "source", shipment=d.shipment, handling=(hs,),
                     resources=hres)
        if o in self.has_road:
            if last.scheduled:
                self.road_points[o].add(ready)
                self.arc(s_key, ("R", o, ready), "source", shipment=d.shipment, handling=(hs,),
                         resources=hres)
            else:
                rr = round_h(r + self.cond.node_delay_h(o, r))
                self.road_points[o].add(rr)
                self.arc(s_key, ("R", o, rr), "source", shipment=d.shipment)
        return source

    def add_road(self) -> None:
        """Road points (plus the reopening of every link a trip from there uses), their waiting
        arcs, and composite road trips to destinations and to yards."""
        cond, horizon = self.cond, self.sc.horizon_h
        paths = trip_paths(self.sc, cond)
        targets = self.dests | set(self.yard_times)
        for v, pts in self.road_points.items():
            first = min(pts)
            for p in paths.get(v, ()):
                for lk in p[1]:  # a trip waits for every link of it to reopen
                    pts.update(_not_before(e) for e in cond.closure_ends(lk.id)
                               if first < e <= horizon)
        for v, pts in self.road_points.items():
            ts = sorted(pts)
            for a, c in zip(ts, ts[1:]):
                self.arc(("R", v, a), ("R", v, c), "wait")
            ps = [(w, path, None if self.cache is None else tuple(lk.id for lk in path))
                  for w, path in paths.get(v, ()) if w in targets]
            for t in ts:
                for w, path, key in ps:
                    self.add_trip(v, t, w, path, key)

    def add_trip(self, v: str, t: float, w: str, path: tuple[Link, ...],
                 key: tuple | None = None) -> None:
        """The road trip along ``path`` leaving ``v`` at ``t`` (if open): into ``w``'s sink if a
        destination, into its yard (after handling) if it has one. ``key``: the path's link
        ids, under which :attr:`cache` keeps the trip's legs."""
        if self.cache is None:
            trip = _road_trip(self, self.cond, path, t)
        else:
            trip = self.cache.trip(self, path, key, t)
        if trip is None:
            return
        legs, res = trip
        arr = legs[-1].arrival_h
        if w in self.dests:
            self.arc(("R", v, t), ("T", w), "sink", legs=legs, resources=res, arrival_h=arr)
        if w in self.yard_times:
            ready, hs, hres = self.handling(w, arr)
            nxt = self.yard_after(w, ready)
            if nxt is not None:
                self.arc(("R", v, t), ("D", w, nxt), "road", legs=legs, handling=(hs,),
                         resources=res + hres)


def _not_before(t: float) -> float:
    """``t`` kept to 1e-6 h (:func:`round_h`) but not before it: a trip waiting for a closure
    that ends at ``t`` leaves at this point (rounded down, its legs would start while the
    link is still closed, and the checker refuses them)."""
    r = round_h(t)
    return r if r >= t else round_h(t + 5e-7)


def _leg(cond: Conditions, link: Link, dep: float, timetable_h: float | None) -> LegSpec:
    arr = round_h(dep + cond.travel_time_h(link, dep))
    return LegSpec(link=link.id, mode=link.mode, from_node=link.from_node, to_node=link.to_node,
                   departure_h=round_h(dep), arrival_h=arr, timetable_h=timetable_h,
                   cost_per_teu_cny=link.cost_per_teu_cny, co2_per_teu_kg=link.co2_kg_per_teu)


def expand(
    scenario: Scenario,
    demands: tuple[Demand, ...] | None = None,
    events: KnownEvents | None = None,
    *,
    splittable: bool = False,
    used: dict[tuple, float] | None = None,
    tables: Tables | None = None,
) -> TimeExpandedNetwork:
    """Build the time-expanded network for ``demands`` (default: every shipment).

    ``used`` capacity (TEU, keyed like the resources) is taken off the capacities;
    ``tables``: the scenario network's :class:`~mmroute.world.tables.Tables` (``None``:
    fresh ones)."""
    demands = demands_of(scenario) if demands is None else tuple(demands)
    net = build(scenario, demands, events, used, tables)
    net.usable = _usable(net, splittable)
    return net


def build(scenario: Scenario, demands: tuple[Demand, ...], events: KnownEvents | None,
          used: dict[tuple, float] | None, tables: Tables | None,
          cache: Any = None) -> TimeExpandedNetwork:
    """:func:`expand`'s network without its per-shipment ``usable``. ``cache``: a
    :class:`~mmroute.routing.plan.incremental.NetworkCache` of earlier builds of the same
    scenario (synced to ``events`` here), whose road trips, service legs and transshipments
    this build takes instead of making them again."""
    cond = Conditions(scenario, events, tables=tables)
    b = _Builder(scenario, cond, demands)
    if cache is not None:
        cache.sync(scenario, events)
        b.cache = cache
    b.add_services(min((d.ready_h for d in demands), default=0.0))
    source = {d.shipment: b.add_source(d) for d in demands}
    b.add_road()
    for key, teu in (used or {}).items():
        if key in b.capacity:
            b.capacity[key] = max(0.0, b.capacity[key] - teu)
    sink = {w: b.index[("T", w)] for w in b.dests}
    return TimeExpandedNetwork(nodes=b.nodes, arcs=b.arcs, capacity=b.capacity,
                               demands=demands, source=source, sink=sink)


def _road_trip(b: _Builder, cond: Conditions, path: tuple[Link, ...], t: float):
    times = cond.road_trip(path, t)
    if times is None:
        return None
    legs: list[LegSpec] = []
    res: list[tuple] = []
    for lk, (dep, arr) in zip(path, times):
        legs.append(LegSpec(link=lk.id, mode=lk.mode, from_node=lk.from_node, to_node=lk.to_node,
                            departure_h=dep, arrival_h=arr, timetable_h=None,
                            cost_per_teu_cny=lk.cost_per_teu_cny, co2_per_teu_kg=lk.co2_kg_per_teu))
        if lk.capacity_teu is not None:
            key = ("road", lk.id, int(math.floor(dep / 24.0 + 1e-9)))
            b.capacity[key] = lk.capacity_teu
            res.append(key)
    return tuple(legs), tuple(res)


def _usable(net: TimeExpandedNetwork, splittable: bool) -> dict[str, np.ndarray]:
    """Arcs on some source-to-sink path of each shipment (unsplittable: within capacities),
    by arc id (:meth:`Sweeps.usable`: all shipments at once)."""
    sets = Sweeps.of(net).usable(splittable)
    return {d.shipment: sets[k] for k, d in enumerate(net.demands)}
