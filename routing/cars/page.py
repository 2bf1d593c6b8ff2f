"""The interactive page of a cars plan (:func:`cars_page`): one layer per carrier route
(depot -> dealers -> depot, straight lines between places), a marker per place, tooltips with
the vehicles on board, times (dates from the scenario's ``start``), km and CNY, and a timeline
per carrier: driving bars and unloading at each dealer. The schedule is the checker's
(:func:`mmroute.routing.cars.check.route_times_h`): leave the depot at h 0, drive at the
carrier's speed, wait for the dealer's window, unload ``unload_h_per_vehicle`` per vehicle.
"""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

from mmroute.routing.cars.check import cars_clock, route_times_h
from mmroute.routing.cars.problem import CarsProblem
from mmroute.routing.cars.result import CarrierRoute, CarsPlan
from mmroute.world.page import Page, render, vehicle_page_data, when_text, zoned_text

__all__ = ["cars_page", "cars_page_data"]


def cars_page(problem: CarsProblem, plan: CarsPlan, *, title: str | None = None,
              basemap: bool = True) -> Page:
    """The page of ``plan`` (``basemap=False``: no coastlines, a smaller page)."""
    return render(cars_page_data(problem, plan, title=title, basemap=basemap))


def _models(route: CarrierRoute, stop: int | None = None) -> str:
    """``3 x M1, 2 x M2`` of the vehicles unloaded at ``stop`` (every stop if ``None``)."""
    n = Counter(p.model for p in route.placements if stop is None or p.stop == stop)
    return ", ".join(f"{c} x {m}" for m, c in sorted(n.items()))


def cars_page_data(problem: CarsProblem, plan: CarsPlan, *, title: str | None = None,
                   basemap: bool = True) -> dict[str, Any]:
    """The page data (:func:`mmroute.world.page.vehicle_page_data`) of ``plan``."""
    e = html.escape
    start = problem.meta.get("start")
    names = problem.meta.get("names", {})
    kinds = problem.meta.get("kinds", {})
    depots = {c.depot for c in problem.carrier_types}

    clock = cars_clock(problem)

    def when(t: float, node: str | None = None) -> str:
        if clock is not None and clock.has_node_zones:
            return zoned_text(clock, t, node)
        return when_text(start, t)

    order_of = {v.id: problem.order(v.order) for v in problem.vehicles()}
    visits: dict[str, list[str]] = {}
    routes = []
    for k, r in enumerate(plan.routes):
        carrier = problem.carrier(r.carrier_type)
        label = f"{k + 1}: {r.carrier_type}"
        stops = list(r.stops)
        n_at = [sum(p.stop == j + 1 for p in r.placements) for j in range(len(stops))]
        orders = [[order_of[p.vehicle] for p in r.placements
                   if p.stop == j + 1 and p.vehicle in order_of] for j in range(len(stops))]
        opens = [max([o.open_h for o in at] or [0.0]) for at in orders]
        times = route_times_h(problem, carrier, stops, n_at, opens)
        legs, stop_rows = [], []
        on_board = r.n_vehicles
        here, t = carrier.depot, 0.0
        path = [*stops, carrier.depot]
        late = 0.0
        for j, nxt in enumerate(path):
            km = problem.km(here, nxt, carrier.id)
            arr = t + km / carrier.speed_kmh
            legs.append({"from": here, "to": nxt, "dep_h": t, "arr_h": arr, "tip": "<br>".join([
                f"<b>carrier {e(label)}</b> leg {j + 1}/{len(path)}: {e(here)} &rarr; {e(nxt)}",
                f"departs {when(t, here)}", f"arrives {when(arr, nxt)}",
                f"{km:,.0f} km, {km * carrier.cost_per_km_cny:,.0f} CNY",
                f"on board {on_board} vehicles" + (f" ({e(_models(r))})" if j == 0 else "")])})
            if j == len(stops):
                break
            at = times[j]
            end = at + problem.unload_h_per_vehicle * n_at[j]
            due = min((o.due_h for o in orders[j]), default=None)
            if due is not None:
                late = max(late, at - due)
            stop_rows.append({"node": nxt, "at_h": at, "end_h": end, "tip": "<br>".join([
                f"<b>carrier {e(label)}</b> unloads {n_at[j]} vehicles at {e(nxt)}: "
                f"{e(_models(r, j + 1))}",
                f"from {when(at, nxt)} to {when(end, nxt)}",
                f"window opens {when(opens[j], nxt)}"
                + ("" if due is None else f", due {when(due, nxt)}")])})
            visits.setdefault(nxt, []).append(f"carrier {e(label)}: {n_at[j]} vehicles, {when(at, nxt)}")
            on_board -= n_at[j]
            here, t = nxt, end
        routes.append({
            "label": label, "load": r.n_vehicles, "lateness_h": max(late, 0.0), "legs": legs,
            "stops": stop_rows, "tip": "<br>".join([
                f"<b>carrier {e(label)}</b> ({e(carrier.name or carrier.id)}): {r.n_vehicles} vehicles, "
                f"{len(stops)} dealers",
                f"{r.distance_km:,.0f} km, {r.cost_cny:,.0f} CNY "
                f"(fixed {carrier.fixed_cost_cny:,.0f} CNY + {carrier.cost_per_km_cny:g} CNY/km)",
                f"back at {e(carrier.depot)} {when(legs[-1]['arr_h'], carrier.depot)}",
                f"load {e(_models(r))}"])})
    nodes = []
    for place, (lon, lat) in zip(problem.places, problem.coords):
        kind = kinds.get(place, "depot" if place in depots else "dealer")
        ordered = [o for o in problem.orders if o.dealer == place]
        lines = [f"<b>{e(names.get(place, place))}</b> ({e(place)}), {e(kind)}"]
        if ordered:
            lines.append(f"orders: {sum(o.quantity for o in ordered)} vehicles, window "
                         f"{when(max(o.open_h for o in ordered), place)} to "
                         f"{when(min(o.due_h for o in ordered), place)}")
        lines += visits.get(place, [])
        nodes.append({"id": place, "kind": kind, "x": lon, "y": lat, "tip": "<br>".join(lines)})
    return vehicle_page_data(
        title=title if title is not None else f"{problem.name}: cars plan",
        summary=plan.summary(), start=start, nodes=nodes, routes=routes, unit="vehicles",
        entity="carrier", basemap=basemap)
