"""Re-planning during an episode: the rest of every shipment from where it is, under known events.

``state_at(plan, t)`` derives the state of a plan executed as planned until ``t``;
``sunk_objective`` the part of its objective already incurred, so that a policy's realised cost
is ``sunk_objective(...) + replan(...).objective``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import replace
from typing import Any

from mmroute import validate as v
from mmroute._compat import fold_deprecated, pop_renamed
from mmroute.errors import InputError
from mmroute.routing.plan.incremental import Replanner
from mmroute.routing.plan.params import PlanParams
from mmroute.routing.plan.progress import Progress
from mmroute.routing.plan.solve import solve_plan
from mmroute.scenarios import Scenario
from mmroute.world.conditions import Conditions
from mmroute.world.events import KnownEvents
from mmroute.world.plan import Leg, Plan
from mmroute.world.state import PlanState, Position
from mmroute.world.tables import Tables

__all__ = ["replan", "state_at", "sunk_objective", "executed_plan"]

#: deprecated keyword of replan -> PlanParams field
_OLD_KEYWORDS = {name: name for name in ("solver", "co2_price", "splittable")}


def replan(
    scenario: Scenario,
    state: PlanState,
    known_events: KnownEvents | None = None,
    *,
    time_limit_s: float,
    seed: int,
    params: PlanParams | None = None,
    initial: Plan | None = None,
    tables: Tables | None = None,
    replanner: Replanner | None = None,
    progress: Progress | None = None,
    **deprecated: Any,
) -> Plan:
    """Re-optimise what remains after ``state`` under ``known_events``.

    ``initial`` (the plan being executed) warm-starts the solve: where it is still feasible
    it is the incumbent that bounds arc elimination and the fallback plan, and with
    ``PlanParams(solver="scip")`` it is also passed as a solution hint (MathOpt's HiGHS takes
    none). The objective counts only what is still to come: legs and handling from the state
    on, lateness and value of time of the undelivered shipments. Other arguments as in
    :func:`solve_plan` (``tables``: kept by a caller that re-plans often); the keywords ``previous`` (now ``initial``), ``solver``, ``co2_price``
    and ``splittable`` of earlier versions still work, with a :class:`DeprecationWarning`.
    ``replanner``: a :class:`~mmroute.routing.plan.incremental.Replanner` kept by a caller
    that re-plans often — the same optimum, found faster (its tables are used; it reports no
    ``progress``). ``progress``: as in :func:`solve_plan`.
    """
    v.instance_of(state, PlanState, "state")
    initial = pop_renamed("replan", deprecated, "previous", "initial", initial)
    params = fold_deprecated("replan", params or PlanParams(), deprecated, _OLD_KEYWORDS)
    if replanner is not None:
        v.instance_of(replanner, Replanner, "replanner")
        return replanner.solve(scenario, state, known_events, time_limit_s=time_limit_s,
                               seed=seed, params=params, initial=initial)
    return solve_plan(scenario, time_limit_s=time_limit_s, seed=seed, params=params,
                      initial=initial, events=known_events, state=state, tables=tables,
                      progress=progress)


def _committed(scenario: Scenario, leg: Leg, time_h: float, cond: Conditions) -> bool:
    """A leg is under way, or its cargo was handed over at the cut-off, before ``time_h`` —
    unless the events in ``cond`` cancel that departure (then the cargo stays at the node)."""
    if leg.departure_h < time_h:
        return True
    if leg.timetable_h is None:
        return False
    link = scenario.link(leg.link)
    if leg.timetable_h - link.timetable.cutoff_h >= time_h:
        return False
    runs = cond.departures(link, leg.timetable_h - 1e-6, leg.timetable_h + 1e-6)
    return bool(runs)


def _arrival_h(scenario: Scenario, leg: Leg, time_h: float, cond: Conditions) -> float:
    """When a committed leg arrives: as planned once departed, else after the departure as
    the events in ``cond`` now have it (a delayed sailing arrives later)."""
    if leg.departure_h < time_h or leg.timetable_h is None:
        return leg.arrival_h
    link = scenario.link(leg.link)
    ((_, actual),) = cond.departures(link, leg.timetable_h - 1e-6, leg.timetable_h + 1e-6)
    return actual + cond.travel_time_h(link, actual)


def state_at(
    scenario: Scenario, plan: Plan, time_h: float, events: KnownEvents | None = None
) -> PlanState:
    """The state at ``time_h`` of ``plan`` executed as planned (unsplittable plans) in a world
    with ``events`` (default: the events the plan knew). Cargo handed over for a departure that
    ``events`` cancel is still at the node; one on a delayed departure arrives later.

    A shipment on a leg (or handed over to a scheduled departure whose cut-off has passed)
    is at the leg's end node at its arrival (``last_link`` the leg, its
    handling there still to come); one waiting at a node whose handling has started is ready
    at the end of it; a shipment whose last leg arrived by ``time_h`` is delivered. Handling
    and road capacity used earlier today go into ``handled_teu`` / ``road_teu``.
    """
    _check_args(scenario, plan, time_h, events)
    if plan.splittable:
        raise InputError("state_at needs an unsplittable plan")
    cond = Conditions(scenario, plan.events if events is None else events)
    positions = []
    for it in plan.itineraries:
        if it.dropped or not it.legs:
            continue
        started = []
        for lg in it.legs:
            if not _committed(scenario, lg, time_h, cond):
                break
            started.append(lg)
        if not started:
            continue
        last = started[-1]
        arrival = _arrival_h(scenario, last, time_h, cond)
        if len(started) == len(it.legs) and arrival <= time_h:
            positions.append(Position(it.shipment, delivered=True))
            continue
        if arrival > time_h:
            positions.append(Position(it.shipment, last.to_node, arrival, last.link))
            continue
        handled = [h for h in it.handling if h.node == last.to_node
                   and abs(h.at_h - last.arrival_h) < 1e-6]
        if handled and handled[0].at_h < time_h:
            # handling under way: ready when it ends
            node, arr = last.to_node, last.arrival_h
            ready = arr + scenario.node(node).handling_time_h + cond.node_delay_h(node, arr)
            positions.append(Position(it.shipment, last.to_node, ready, None))
        else:
            positions.append(Position(it.shipment, last.to_node, last.arrival_h, last.link))
    today = math.floor(time_h / 24 + 1e-9)
    handled: dict[tuple[str, int], float] = defaultdict(float)
    road: dict[tuple[str, int], float] = defaultdict(float)
    for it in plan.itineraries:
        for h in it.handling:
            if h.at_h < time_h and math.floor(h.at_h / 24 + 1e-9) == today:
                handled[(h.node, today)] += it.teu
        for lg in it.legs:
            if (lg.timetable_h is None and lg.departure_h < time_h
                    and math.floor(lg.departure_h / 24 + 1e-9) == today):
                road[(lg.link, today)] += it.teu
    return PlanState(time_h, tuple(positions),
                     tuple((n, d, t) for (n, d), t in sorted(handled.items())),
                     tuple((lk, d, t) for (lk, d), t in sorted(road.items())))


def sunk_objective(
    scenario: Scenario, plan: Plan, time_h: float, events: KnownEvents | None = None
) -> float:
    """Objective (CNY) of what ``plan`` has done by ``time_h`` in a world with ``events``
    (as in :func:`state_at`): legs committed (departed, or past their cut-off and not
    cancelled) and handling started before it, plus the whole share of shipments delivered by
    then."""
    _check_args(scenario, plan, time_h, events)
    obj = scenario.objective
    price = plan.co2_price_cny_per_t
    cond = Conditions(scenario, plan.events if events is None else events)
    state = state_at(scenario, plan, time_h, events)
    delivered = {p.shipment for p in state.positions if p.delivered}
    total = 0.0
    for it in plan.itineraries:
        if it.shipment in delivered:
            total += it.objective_cny
            continue
        done = [lg for lg in it.legs if _committed(scenario, lg, time_h, cond)]
        cost = sum(lg.cost_cny for lg in done)
        co2 = sum(lg.co2_kg for lg in done)
        pos = state.position(it.shipment)
        cost += sum(h.cost_cny for h in it.handling
                    if h.at_h < time_h and not (pos is not None and pos.last_link is not None
                                                and abs(h.at_h - pos.since_h) < 1e-6))
        total += obj.cost_weight * cost + price * co2 / 1000.0
    return total


def executed_plan(old: Plan, new: Plan, time_h: float) -> Plan:
    """The plan as carried out through a re-plan at ``time_h`` (h): each re-planned shipment's
    legs departed before ``time_h`` and handling started before it (the one its new itinerary
    starts with excepted), then its new itinerary; shipments ``new`` leaves out keep ``old``'s
    itinerary. Its ``from_h`` is ``old``'s (a plan-and-re-plan loop's record of what ran)."""
    by = {it.shipment: it for it in new.itineraries}
    its = []
    for it in old.itineraries:
        nw = by.get(it.shipment)
        if nw is None:
            its.append(it)
            continue
        done = tuple(lg for lg in it.legs if lg.departure_h < time_h)
        hand = tuple(h for h in it.handling if h.at_h < time_h and not (
            nw.handling and abs(nw.handling[0].at_h - h.at_h) < 1e-6))
        its.append(replace(nw, legs=done + nw.legs, handling=hand + nw.handling))
    return replace(new, itineraries=tuple(its), from_h=old.from_h)


def _check_args(scenario, plan, time_h, events) -> None:
    v.instance_of(scenario, Scenario, "scenario")
    v.instance_of(plan, Plan, "plan")
    v.number(time_h, "time_h", lo=0.0)
    if events is not None:
        v.instance_of(events, KnownEvents, "events")
