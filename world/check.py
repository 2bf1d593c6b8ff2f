"""Independent checker of plans: recomputes feasibility and the objective from the scenario.

Imports no solver and nothing of the model: it trusts only the scenario, the plan's events
(through :class:`Conditions`, the shared definition of travel times) and the re-planning state.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from mmroute import validate as v
from mmroute.errors import SolverError
from mmroute.report import CheckReport, Violation
from mmroute.scenarios import Scenario, Shipment, is_transshipment
from mmroute.world.conditions import Conditions
from mmroute.world.plan import STATUSES, Itinerary, Plan
from mmroute.world.state import PlanState, Start
from mmroute.world.tables import Tables

__all__ = ["RouteCheck", "assert_valid", "check_plan", "check_route", "check_update",
           "itinerary_share", "recheck_totals"]

TOL_H = 1e-5
TOL_REL = 1e-6


#: Deprecated alias: the plan checker now returns the shared :class:`mmroute.report.CheckReport`
#: (``ok`` and ``errors`` remain as deprecated properties of it).
CheckResult = CheckReport


def _close(a: float, b: float, rel: float = TOL_REL, slack: float = 0.0) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b)) + slack




@dataclass(frozen=True)
class RouteCheck:
    """One itinerary as :func:`check_plan` recomputes it from ``start`` under some known
    events (:func:`check_route`): cost (CNY, handling included), CO2 (kg) and arrival (h)
    at its last node; for ``shipment`` (the object) at a CO2 price of ``price_cny_per_t``,
    its objective share (CNY), the CNY its time tolerance is worth, and whether the
    itinerary's own cost, CO2, lateness and share agree with them; the capacity it uses.
    ``itinerary``: the object checked (compared by identity)."""

    start: Start
    itinerary: Itinerary
    shipment: Shipment
    price_cny_per_t: float
    cost_cny: float
    co2_kg: float
    arrival_h: float
    share_cny: float
    slack_cny: float
    agrees: bool
    #: the capacity it uses, in order: ``(kind, link or node, when, TEU)`` (:func:`_loads`)
    loads: tuple[tuple[str, str, float, float], ...] = ()

    def summary(self) -> str:
        """One line: shipment, start, the recomputed values and whether the totals agree
        (a record of live objects, kept in memory, never written: no ``to_dict``)."""
        return (f"{self.shipment.id} from {self.start.node} at {self.start.ready_h:g} h: "
                f"cost {self.cost_cny:,.2f} CNY, CO2 {self.co2_kg:,.1f} kg, arrival "
                f"{self.arrival_h:g} h, share {self.share_cny:,.2f} CNY"
                f"{'' if self.agrees else ' (its totals differ)'}")


def check_plan(scenario: Scenario, plan: Plan, state: PlanState | None = None, *,
               tables: Tables | None = None) -> CheckResult:
    """Check ``plan`` against ``scenario`` (and ``state`` for a re-plan); never raises on a bad
    plan. Returns a :class:`mmroute.report.CheckReport` with every violation found (``where``:
    the shipment, leg, departure or node) and the objective recomputed (CNY)."""
    return _check(scenario, plan, state, tables, {})


def check_update(scenario: Scenario, plan: Plan, state: PlanState | None,
                 checked: Mapping[str, RouteCheck], *, tables: Tables | None = None
                 ) -> CheckResult:
    """:func:`check_plan` of a plan part of which was checked before (a scoped re-plan's kept
    itineraries): ``checked`` maps a shipment id to its :class:`RouteCheck`, made by
    :func:`check_route` under ``plan.events`` (the caller's promise) from where the shipment
    starts in ``state``. An itinerary of ``plan`` that *is* the checked one (identity), of a
    shipment that starts at the checked start, is not routed again: its cost, CO2 and arrival
    are the recorded ones. Everything else is checked as :func:`check_plan` does: the other
    itineraries in full, every shipment's count and TEU, each itinerary's cost, CO2,
    lateness and objective share against the (recorded or recomputed) values, the capacities
    (departures, road-link days, node-days) over the whole plan and the objective sum — the
    same verdict and violations as :func:`check_plan` on such plans (tested)."""
    return _check(scenario, plan, state, tables, checked)


def _check(scenario: Scenario, plan: Plan, state: PlanState | None, tables: Tables | None,
           checked: Mapping[str, RouteCheck]) -> CheckResult:
    v.instance_of(scenario, Scenario, "scenario")
    v.instance_of(plan, Plan, "plan", hint="read it first with Plan.from_dict(json)")
    if state is not None:
        v.instance_of(state, PlanState, "state")
    err: list[Violation] = []
    cond = Conditions(scenario, plan.events, tables=tables)
    obj = scenario.objective
    price = plan.co2_price_cny_per_t
    ships = {s.id: s for s in scenario.shipments}
    links = {lk.id: lk for lk in scenario.links}
    nodes = {n.id: n for n in scenario.nodes}
    if plan.status not in STATUSES:
        err.append(Violation("status", f"{plan.status!r} is not one of {STATUSES}"))

    by_ship: dict[str, list[Itinerary]] = defaultdict(list)
    for it in plan.itineraries:
        if it.shipment not in ships:
            err.append(Violation(it.shipment, "unknown shipment"))
            continue
        by_ship[it.shipment].append(it)

    dep_load: dict[tuple, float] = defaultdict(float)
    road_load: dict[tuple, float] = defaultdict(float)
    node_load: dict[tuple, float] = defaultdict(float)
    load = {"dep": dep_load, "road": road_load, "node": node_load}
    prior: dict[tuple, float] = defaultdict(float)  # used before a re-plan
    if state is not None:
        for nid, day, teu in state.handled_teu:
            prior[("node", nid, int(day))] += teu
        for lid, day, teu in state.road_teu:
            prior[("road", lid, int(day))] += teu
    total = 0.0
    co2_total = 0.0
    total_slack = 0.0  # CNY the accepted time tolerance is worth, summed
    for sid, sh in ships.items():
        start = Start(sh.origin, sh.release_h, None) if state is None else state.start_of(sh)
        its = by_ship.get(sid, [])
        if start is None:
            if its:
                err.append(Violation(sid, "delivered before the re-plan but has itineraries"))
            continue
        if not its:
            err.append(Violation(sid, "neither delivered nor dropped"))
            continue
        if not plan.splittable and len(its) > 1:
            err.append(Violation(sid, f"{len(its)} itineraries but the plan is unsplittable"))
        if not _close(sum(it.teu for it in its), sh.quantity_teu):
            err.append(Violation(sid, f"itineraries carry {sum(it.teu for it in its):g} TEU, "
                       f"the shipment {sh.quantity_teu:g}"))
        for it in its:
            if it.teu <= 0:
                err.append(Violation(sid, f"itinerary with {it.teu:g} TEU"))
            if it.dropped and not it.legs:
                if it.handling:
                    err.append(Violation(sid, "dropped before any leg but has handling"))
                want = obj.drop_penalty_cny_per_teu * it.teu
                co2 = cost = slack = 0.0
            else:
                rc = checked.get(sid)
                trusted = (rc is not None and rc.itinerary is it and rc.start == start
                           and not it.dropped)
                if trusted:
                    res = (rc.cost_cny, rc.co2_kg, rc.arrival_h)
                else:
                    res = _check_route(sid, sh, start, it, cond, links, nodes, err)
                if res is None:
                    continue
                cost, co2, arrival = res
                for kind, rid, when, teu in (rc.loads if trusted
                                             else _loads(it, links, nodes)):
                    load[kind][(rid, when)] += teu
                if (trusted and rc.agrees and rc.shipment is sh
                        and rc.price_cny_per_t == price):
                    # its own totals were compared with these values when it was checked
                    want, slack = rc.share_cny, rc.slack_cny
                else:
                    want, slack = _share(sid, sh, it, cost, co2, arrival, obj, price, err)
                    _totals(sid, it, cost, co2, want, slack, err)
            if it.dropped and not it.legs:
                _totals(sid, it, cost, co2, want, slack, err)
            total += want
            total_slack += slack
            co2_total += co2

    # loads are kept for every link and node; only those with a capacity are limited
    for (lid, tt), load in dep_load.items():
        cap = links[lid].capacity_teu
        if cap is not None and load > cap + 1e-6:
            err.append(Violation(f"departure {lid} at {tt:g} h", f"carries {load:g} TEU > "
                       f"capacity {cap:g}"))
    for kind, per_day, what, verb in (("road", road_load, "road link", "carries"),
                                      ("node", node_load, "node", "handles")):
        for (rid, day), teu in per_day.items():  # with what was used before a re-plan
            cap = links[rid].capacity_teu if kind == "road" else nodes[rid].capacity_teu_per_day
            if cap is not None and teu + prior[(kind, rid, day)] > cap + 1e-6:
                teu += prior[(kind, rid, day)]
                err.append(Violation(f"{what} {rid} on day {day}", f"{verb} {teu:g} TEU > "
                           f"capacity {cap:g}"))
    if plan.co2_cap_kg is not None and co2_total > plan.co2_cap_kg * (1 + TOL_REL) + 1e-6:
        err.append(Violation("", f"CO2 {co2_total:.1f} kg above the cap {plan.co2_cap_kg:.1f} kg"))
    if plan.objective is not None and not _close(plan.objective, total, slack=total_slack):
        err.append(Violation("", f"objective {plan.objective:.4f}, recomputed {total:.4f}"))
    if plan.bound is not None and plan.objective is not None and (
            plan.bound > plan.objective + TOL_REL * max(1.0, abs(plan.objective))):
        err.append(Violation("", f"bound {plan.bound:.4f} above objective {plan.objective:.4f}"))
    if plan.status == "optimal" and (plan.gap is None or plan.gap > 1e-6):
        err.append(Violation("", f"status optimal but gap is {plan.gap}"))
    return CheckReport.of(err, total)


def _loads(it: Itinerary, links, nodes) -> tuple[tuple[str, str, float, float], ...]:
    """What ``it`` loads, in order: ``(kind, link or node, when, TEU)`` — ``"dep"`` and the
    timetable time (h), ``"road"`` or ``"node"`` and the day (the network's resource keys
    are ``(kind, id, when)``); every leg and handling, whether or not it has a capacity."""
    out = []
    for lg in it.legs:
        if links[lg.link].scheduled:
            out.append(("dep", lg.link, round(lg.timetable_h, 6), it.teu))
        else:
            out.append(("road", lg.link, math.floor(lg.departure_h / 24 + 1e-9), it.teu))
    for h in it.handling:
        out.append(("node", h.node, math.floor(h.at_h / 24 + 1e-9), it.teu))
    return tuple(out)


def _share(sid, sh, it: Itinerary, cost: float, co2: float, arrival: float, obj, price: float,
           err) -> tuple[float, float]:
    """The objective share (CNY) of an itinerary that has legs, recomputed from its route's
    cost, CO2 and arrival, and the CNY its accepted time tolerance is worth; a lateness that
    differs is listed."""
    if it.dropped:  # dropped on the way: what it travelled + the penalty
        return (obj.cost_weight * cost + price * co2 / 1000.0
                + obj.drop_penalty_cny_per_teu * it.teu), 0.0
    late = max(0.0, arrival - sh.due_h)
    if not _close(it.lateness_h, late) and abs(it.lateness_h - late) > TOL_H:
        err.append(Violation(sid, f"lateness {it.lateness_h:g} h, recomputed {late:g} h"))
    want = (obj.cost_weight * cost + price * co2 / 1000.0
            + obj.time_value_cny_per_teu_h * it.teu * (arrival - sh.release_h)
            + sh.lateness_penalty_cny_per_teu_h * it.teu * late)
    # times are accepted within TOL_H: so is what they are worth per hour
    return want, TOL_H * it.teu * (obj.time_value_cny_per_teu_h
                                   + sh.lateness_penalty_cny_per_teu_h)


def _totals(sid, it: Itinerary, cost: float, co2: float, want: float, slack: float,
            err) -> None:
    """List an itinerary's cost, CO2 and objective share that differ from the recomputed."""
    if not _close(it.cost_cny, cost):
        err.append(Violation(sid, f"cost {it.cost_cny:.2f} CNY, recomputed {cost:.2f}"))
    if not _close(it.co2_kg, co2):
        err.append(Violation(sid, f"CO2 {it.co2_kg:.2f} kg, recomputed {co2:.2f}"))
    if not _close(it.objective_cny, want, slack=slack):
        err.append(Violation(sid, f"objective share {it.objective_cny:.2f}, recomputed {want:.2f}"))


def _check_route(sid, sh, start: Start, it: Itinerary, cond: Conditions, links, nodes, err):
    """Check one delivered itinerary, or the legs of one dropped on the way; return (cost
    CNY, CO2 kg, arrival h at its last node) or None."""
    n_err = len(err)
    node, ready, prev = start.node, start.ready_h, None
    if start.last_link is not None:
        prev = links.get(start.last_link)
    pending = start.last_link is not None
    cost = co2 = 0.0
    handling = []
    trip_start = ready
    for k, lg in enumerate(it.legs):
        where = f"{sid} leg {k} ({lg.link})"
        lk = links.get(lg.link)
        if lk is None:
            err.append(Violation(where, "unknown link"))
            return None
        if lk.from_node != node:
            err.append(Violation(where, f"starts at {lk.from_node}, the cargo is at {node}"))
            return None
        if (lg.mode, lg.from_node, lg.to_node) != (lk.mode, lk.from_node, lk.to_node):
            err.append(Violation(where, "mode / ends differ from the scenario's link"))
        at = ready  # when the cargo reached this node (or became ready at its start)
        if pending:
            ready = at + cond.node_delay_h(node, at)
            if is_transshipment(prev, lk):
                ready += nodes[node].handling_time_h
                handling.append((node, at, nodes[node].handling_cost_cny * it.teu))
        if lk.scheduled:
            runs = dict(cond.departures(lk, lg.timetable_h - 1e-6, lg.timetable_h + 1e-6)
                        ) if lg.timetable_h is not None else {}
            if lg.timetable_h is None or not runs:
                err.append(Violation(where, f"no running departure at timetable time {lg.timetable_h}"))
            elif lg.timetable_h > cond.scenario.horizon_h + TOL_H:
                err.append(Violation(where, "departure after the horizon"))
            else:
                actual = next(iter(runs.values()))
                if abs(lg.departure_h - actual) > TOL_H:
                    err.append(Violation(where, f"departs {lg.departure_h:g} h, the service {actual:g} h"))
                if lg.timetable_h - lk.timetable.cutoff_h < ready - TOL_H:
                    err.append(Violation(where, f"cargo ready at {ready:g} h misses the cut-off "
                               f"{lg.timetable_h - lk.timetable.cutoff_h:g} h"))
        else:
            if lg.timetable_h is not None:
                err.append(Violation(where, "a road leg has a timetable time"))
            if lg.departure_h < ready - TOL_H:
                err.append(Violation(where, f"departs {lg.departure_h:g} h before the cargo is ready "
                           f"at {ready:g} h"))
            if prev is None or prev.scheduled or k == 0:
                trip_start = lg.departure_h  # a truck is dispatched: closures checked now
            if not cond.is_open(lk.id, trip_start):
                err.append(Violation(where, f"link closed at {trip_start:g} h (trip start)"))
        want_arr = lg.departure_h + cond.travel_time_h(lk, lg.departure_h)
        if abs(lg.arrival_h - want_arr) > TOL_H:
            err.append(Violation(where, f"arrives {lg.arrival_h:g} h, recomputed {want_arr:g} h"))
        c, e = lk.cost_per_teu_cny * it.teu, lk.co2_kg_per_teu * it.teu
        if not _close(lg.cost_cny, c):
            err.append(Violation(where, f"cost {lg.cost_cny:.2f}, recomputed {c:.2f}"))
        if not _close(lg.co2_kg, e):
            err.append(Violation(where, f"CO2 {lg.co2_kg:.2f}, recomputed {e:.2f}"))
        cost += c
        co2 += e
        node, ready, prev, pending = lk.to_node, want_arr, lk, True
    arrival = ready
    if it.dropped:  # dropped on the way at ``node``: handled there on arrival, as it waited
        if node == sh.destination:
            err.append(Violation(sid, f"dropped at its destination {node}"))
        if it.drop_node is not None and it.drop_node != node:
            err.append(Violation(sid, f"dropped at {it.drop_node}, its legs end at {node}"))
        if it.arrival_h is not None or it.lateness_h != 0.0:
            err.append(Violation(sid, "dropped but has an arrival or lateness"))
        handling.append((node, arrival, nodes[node].handling_cost_cny * it.teu))
    else:
        if node != sh.destination:
            err.append(Violation(sid, f"ends at {node}, destination {sh.destination}"))
        if it.arrival_h is None or abs(it.arrival_h - arrival) > TOL_H:
            err.append(Violation(sid, f"arrival {it.arrival_h}, recomputed {arrival:g}"))
    got = [(h.node, h.at_h, h.cost_cny) for h in it.handling]
    if len(got) != len(handling) or any(
            g[0] != w[0] or abs(g[1] - w[1]) > TOL_H or not _close(g[2], w[2])
            for g, w in zip(got, handling)):
        err.append(Violation(sid, f"handling {got}, recomputed {handling}"))
    cost += sum(h[2] for h in handling)
    return None if len(err) > n_err else (cost, co2, arrival)


def check_route(scenario: Scenario, shipment, start: Start, it: Itinerary, cond: Conditions,
                price: float, *, links: dict | None = None, nodes: dict | None = None
                ) -> RouteCheck | None:
    """The undropped itinerary ``it`` of ``shipment`` from ``start`` under ``cond`` at a CO2
    price of ``price`` (CNY/t) as :func:`check_plan` checks it, or ``None`` if its route
    fails a check there or it does not carry the whole shipment (capacities are not checked:
    they depend on the other itineraries). ``links`` / ``nodes``: the scenario's by id,
    kept by a caller that asks often."""
    if it.dropped or abs(it.teu - shipment.quantity_teu) > 1e-9:
        return None
    links = {lk.id: lk for lk in scenario.links} if links is None else links
    nodes = {n.id: n for n in scenario.nodes} if nodes is None else nodes
    err: list[Violation] = []
    res = _check_route(shipment.id, shipment, start, it, cond, links, nodes, err)
    if res is None:
        return None
    cost, co2, arrival = res
    return _route_check(scenario, shipment, start, it, price, cost, co2, arrival,
                        _loads(it, links, nodes))


def _route_check(scenario, shipment, start, it, price, cost, co2, arrival, loads
                 ) -> RouteCheck:
    err: list[Violation] = []
    share, slack = _share(shipment.id, shipment, it, cost, co2, arrival, scenario.objective,
                          price, err)
    _totals(shipment.id, it, cost, co2, share, slack, err)
    return RouteCheck(start=start, itinerary=it, shipment=shipment, price_cny_per_t=price,
                      cost_cny=cost, co2_kg=co2, arrival_h=arrival, share_cny=share,
                      slack_cny=slack, agrees=not err, loads=loads)


#: the fields of an itinerary that are totals of its route (not part of the route check)
_TOTALS = ("cost_cny", "co2_kg", "lateness_h", "objective_cny")


def recheck_totals(scenario: Scenario, rc: RouteCheck, it: Itinerary) -> RouteCheck | None:
    """The check of ``it``, which differs from the checked ``rc.itinerary`` at most in its
    totals (cost, CO2, lateness, objective share): the route check carried over, the totals
    compared again; ``None`` if anything else differs."""
    old = rc.itinerary
    if any(getattr(it, f) != getattr(old, f) for f in vars(it) if f not in _TOTALS):
        return None
    return _route_check(scenario, rc.shipment, rc.start, it, rc.price_cny_per_t, rc.cost_cny,
                        rc.co2_kg, rc.arrival_h, rc.loads)


def itinerary_share(scenario: Scenario, shipment, start: Start, it: Itinerary,
                    cond: Conditions, price: float, *, links: dict | None = None,
                    nodes: dict | None = None) -> float | None:
    """The objective share (CNY) of the undropped itinerary ``it`` of ``shipment`` from
    ``start`` under ``cond`` as :func:`check_plan` recomputes it, or ``None`` if its route
    fails a check there (:func:`check_route`)."""
    rc = check_route(scenario, shipment, start, it, cond, price, links=links, nodes=nodes)
    return None if rc is None else rc.share_cny


def assert_valid(scenario: Scenario, plan: Plan, state: PlanState | None = None, *,
                 tables: Tables | None = None,
                 checked: Mapping[str, RouteCheck] | None = None) -> None:
    """Raise :class:`SolverError` listing the violations if ``plan`` fails the checker
    (:func:`check_update` with ``checked``, else :func:`check_plan`)."""
    res = _check(scenario, plan, state, tables, checked or {})
    if not res.feasible:
        raise SolverError("plan fails the checker: " + "; ".join(str(v) for v in res.violations[:5]))
