"""Scoped re-plans: re-optimise only the shipments the news can affect, the rest as followed.

A re-plan during an episode follows news — a release, an event, a departure that did not
run — and at a month's volume most consignments are untouched by it: their followed
itineraries still run exactly as planned. :func:`replan_scoped` keeps those and re-plans the
others:

1. every shipment still to move whose followed itinerary (``initial``, from its position in
   ``state`` on) still passes the checker's route checks under the known events — same
   departures, same times, same arrival, same quantity — is **kept**: its itinerary is
   carried over (trimmed to what remains) and its departures, road-link days and node-days
   are taken off the capacities;
2. the others — newly released (or whose quantity is now known), without an itinerary,
   dropped, touched by an event (a closed link, a delayed or cancelled departure, a slower
   link, a later arrival), and those named in ``also`` (e.g. the one whose next move the
   simulator no longer allows) — are re-planned exactly (:func:`~mmroute.routing.plan.
   incremental.optimise`: sweeps, incumbent, arc elimination, MIP) on the network built for
   them alone, with the capacities that are left;
3. the union is checked against the full scenario and state
   (:func:`~mmroute.world.check.check_update`: the kept itineraries' routes were checked in
   step 1 under the same events and from the same starts, so they are not routed again; the
   re-planned ones are checked in full, the capacities and the objective over the whole
   union — the verdict of :func:`~mmroute.world.check.check_plan`). If it fails (kept
   itineraries that no longer fit together, e.g. after moves that left the plan), the full
   re-plan is returned instead.

Kept between calls in the episode's :class:`~mmroute.routing.plan.incremental.Replanner`:
the kept itineraries' checks (``kept_memo``, valid while the events are the same; stored as
they are made, so a re-plan abandoned by its decision budget leaves them to the next) and
what the scope's networks share whatever the scope (``net_cache``: road trips, service legs,
transshipments; :class:`~mmroute.routing.plan.incremental.NetworkCache`).

The result is optimal for the re-planned shipments given the kept ones, not proven optimal
for all: its status is ``feasible`` with no bound when any itinerary was kept (the MIP's
``timeout`` is kept as it is). The gap to a full re-plan (:func:`~mmroute.routing.plan.
incremental.solve_fast`) is measured on mid-episode states in ``docs/agents.md``.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import replace

from mmroute.errors import SolverError
from mmroute.routing.plan.expand import Demand, demands_of
from mmroute.routing.plan.incremental import (
    Replanner,
    fast_path_applies,
    network,
    optimise,
    solve_fast,
)
from mmroute.routing.plan.params import PlanParams
from mmroute.routing.plan.prepared import prepare
from mmroute.scenarios import Scenario
from mmroute.world.check import RouteCheck, check_route, recheck_totals
from mmroute.world.conditions import Conditions
from mmroute.world.events import KnownEvents
from mmroute.world.plan import Itinerary, Plan
from mmroute.world.state import PlanState, Start
from mmroute.world.tables import Tables

__all__ = ["replan_scoped"]

#: time tolerance (h) of a leg that remains to be travelled (as the warm start's)
_TOL_H = 1e-6


def replan_scoped(scenario: Scenario, state: PlanState, known_events: KnownEvents | None = None,
                  *, time_limit_s: float, seed: int, initial: Plan | None,
                  params: PlanParams | None = None, tables: Tables | None = None,
                  also: frozenset[str] | set[str] = frozenset(),
                  stats: Replanner | None = None) -> Plan:
    """Re-plan from ``state`` the shipments the news can affect, keep the rest of ``initial``
    (module doc); a plan that has passed :func:`~mmroute.world.check.check_plan`. Without
    ``initial`` (or with settings outside the fast path) the full re-plan. When nothing is to
    re-plan (every itinerary still runs as planned, ``also`` empty) ``initial`` itself is
    returned (test ``plan is initial``): the plan being followed needs no change.

    ``stats``: the episode's :class:`~mmroute.routing.plan.incremental.Replanner`, which
    counts the calls and keeps the kept itineraries' checks for the next call."""
    params = params or PlanParams()
    full_args = dict(time_limit_s=time_limit_s, seed=seed, params=params, initial=initial,
                     events=known_events, state=state, tables=tables, stats=stats)
    if initial is None or initial.splittable or not fast_path_applies(params):
        return solve_fast(scenario, **full_args)
    run = prepare(scenario, time_limit_s=time_limit_s, seed=seed, params=params,
                  initial=initial, events=known_events, state=state, tables=tables)
    scenario, events, tables, price = run.scenario, run.events, run.tables, run.price_cny_per_t
    clock = _Clock(stats)
    demands = demands_of(scenario, state)
    kept, scope, checked = _split(scenario, demands, initial, events, tables, price, also,
                                  state.time_h, stats)
    clock.lap("split")
    if stats is not None:
        stats.scoped_calls += 1
        stats.scoped_shipments += len(scope)
        stats.kept_shipments += len(kept)
    if not kept:
        return solve_fast(scenario, **full_args)
    if not scope:  # the followed plan still runs exactly as planned
        if stats is not None:
            stats.scoped_unchanged += 1
        return initial
    itineraries: list[Itinerary] = list(kept)
    status = "feasible"
    used = _used(state, checked)
    net = network(scenario, tuple(scope), events, None, tables,
                  None if stats is None else stats.net_cache)
    for key in net.capacity:
        teu = used.get(_norm(key))
        if teu:
            net.capacity[key] = max(0.0, net.capacity[key] - teu)
    clock.lap("network")
    its, _, _, st = optimise(scenario, net, price=price, params=run.params, initial=initial,
                             deadline=run.t_start + run.time_limit_s, seed=run.seed,
                             stats=stats)
    itineraries += its
    if st != "optimal":
        status = st
    clock.lap("optimise")
    try:
        # the kept itineraries' routes were checked in _split: the rest in full, capacities
        # and the objective over the whole plan (world.check.check_update)
        plan = run.plan(itineraries, sum(it.objective_cny for it in itineraries), None, status,
                        checked=checked)
        clock.lap("check")
    except SolverError:
        if stats is not None:
            stats.scoped_fallbacks += 1
        left = max(1e-3, run.time_limit_s - (time.perf_counter() - run.t_start))
        return solve_fast(scenario, **{**full_args, "time_limit_s": left})
    return plan


class _Clock:
    """Seconds per stage, added to ``stats.stage_s`` (nothing without ``stats``)."""

    def __init__(self, stats: Replanner | None):
        self.stats, self.t = stats, time.perf_counter()

    def lap(self, stage: str) -> None:
        if self.stats is not None:
            now = time.perf_counter()
            self.stats.stage_s[stage] = self.stats.stage_s.get(stage, 0.0) + now - self.t
            self.t = now


def _split(scenario: Scenario, demands: tuple[Demand, ...], initial: Plan,
           events: KnownEvents, tables: Tables, price: float, also, now_h: float,
           stats: Replanner | None = None
           ) -> tuple[list[Itinerary], list[Demand], dict[str, RouteCheck]]:
    """``(kept itineraries, demands to re-plan, the kept itineraries' route checks by
    shipment)`` (module doc, steps 1-2). ``stats`` keeps
    each kept itinerary's check for the next call: while the known events are the same, an
    itinerary carried from the same start is the one checked before (by identity). Road
    noise is known up to the current hour (``KnownEvents.known_at``), so new noise changes
    only legs that leave by the end of the hour: those itineraries are checked again.

    The checks are kept as they are made (whole assignments, in ``stats.kept_memo`` from
    the start of the call): a re-plan abandoned by its decision budget
    (:func:`~mmroute.agents.deadline.call_within`) leaves them to the next one, which goes
    on where it stopped instead of checking every itinerary again."""
    memo_key, memo = (None, {}) if stats is None else stats.kept_memo
    core = replace(events, road_noise=())
    hour = math.floor(now_h + 1e-9)
    noise_hour = None  # a hour whose road noise is new since the memo: its legs re-checked
    same = memo_key is not None and memo_key[0] == core
    if not same:
        memo = {}
    elif memo_key[1] != events.road_noise and memo_key[2] != hour:
        noise_hour = hour  # noise is revealed up to the current hour; later legs unaffected
    elif memo_key[1] != events.road_noise:
        memo = {}
    # under the same events the checks stay valid: filled in place, else a new memo
    fresh: dict[str, tuple] = memo if same and memo_key[1] == events.road_noise else {}
    if stats is not None:
        stats.kept_memo = ((core, events.road_noise, hour), fresh)
    cond = None
    ships = {s.id: s for s in scenario.shipments}
    links = {lk.id: lk for lk in scenario.links}
    nodes = {n.id: n for n in scenario.nodes}
    by_ship: dict[str, list[Itinerary]] = defaultdict(list)
    for it in initial.itineraries:
        by_ship[it.shipment].append(it)
    kept: list[Itinerary] = []
    scope: list[Demand] = []
    checked: dict[str, RouteCheck] = {}
    for d in demands:
        its = by_ship.get(d.shipment, ())
        carried = rc = None
        if len(its) == 1 and d.shipment not in also:
            seen = memo.get(d.shipment)
            if (seen is not None and (seen[1] is its[0] or seen[2] is its[0])
                    and seen[0].ready_h == d.ready_h and seen[0].node == d.origin
                    and seen[0].last_link == d.last_link
                    and abs(seen[2].teu - d.quantity_teu) <= 1e-9
                    and (noise_hour is None or seen[4] > noise_hour)):
                carried, rc = seen[2], seen[3]
                if fresh is not memo:
                    fresh[d.shipment] = seen
            else:
                if cond is None:
                    cond = Conditions(scenario, events, tables=tables)
                start = Start(d.origin, d.ready_h, d.last_link)
                rc = _carry(scenario, ships[d.shipment], start, its[0], cond, price,
                            links, nodes)
                carried = None if rc is None else rc.itinerary
                if carried is not None:
                    fresh[d.shipment] = (start, its[0], carried, rc, _first_road_hour(carried))
        if carried is None:
            scope.append(d)
        else:
            kept.append(carried)
            checked[d.shipment] = rc
    return kept, scope, checked


def _first_road_hour(it: Itinerary) -> float:
    """The hour the first road leg of ``it`` departs in (``inf`` if none): new road noise
    of an hour before it cannot change ``it``."""
    return min((math.floor(lg.departure_h + 1e-9) for lg in it.legs if lg.timetable_h is None),
               default=math.inf)


def _carry(scenario, ship, start: Start, it: Itinerary, cond: Conditions, price: float,
           links, nodes) -> RouteCheck | None:
    """What remains of ``it`` from ``start``, if it still runs exactly as planned: its
    route check (the carried itinerary, its objective share set, is ``.itinerary``)."""
    if it.dropped or not it.legs:
        return None
    k = sum(1 for lg in it.legs if lg.departure_h < start.ready_h - _TOL_H)
    rest = it.legs[k:]
    if any(lg.departure_h < start.ready_h - _TOL_H for lg in rest):
        return None
    if not rest and start.node != ship.destination:  # its plan left without it
        return None
    handling = tuple(h for h in it.handling if h.at_h >= start.ready_h - _TOL_H)
    trimmed = Itinerary(
        shipment=it.shipment, teu=it.teu, legs=rest, handling=handling,
        arrival_h=it.arrival_h, lateness_h=it.lateness_h, dropped=False,
        cost_cny=sum(lg.cost_cny for lg in rest) + sum(h.cost_cny for h in handling),
        co2_kg=sum(lg.co2_kg for lg in rest), objective_cny=0.0)
    rc = check_route(scenario, ship, start, trimmed, cond, price, links=links, nodes=nodes)
    if rc is None or not math.isfinite(rc.share_cny):
        return None
    return recheck_totals(scenario, rc, Itinerary(**{**vars(trimmed),
                                                     "objective_cny": rc.share_cny}))


def _norm(key: tuple) -> tuple:
    """A capacity key with its departure time rounded (the checker's rounding)."""
    return ("dep", key[1], round(key[2], 6)) if key[0] == "dep" else key


def _used(state: PlanState, checked: dict[str, RouteCheck]) -> dict[tuple, float]:
    """Capacity (TEU) used before ``state`` and by the kept itineraries (the loads their
    checks recorded), by normalised key."""
    used: dict[tuple, float] = defaultdict(float)
    for key, teu in state.used().items():
        used[key] += teu
    for rc in checked.values():
        for kind, rid, when, teu in rc.loads:
            used[(kind, rid, when)] += teu
    return used
