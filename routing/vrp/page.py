"""The interactive page of a VRP solution (:func:`vrp_page`): one layer per route (straight
lines between its stops), a marker per node, tooltips with the load on board, times, distance
and cost, and a timeline per vehicle: driving, waiting (the gap) and service at each stop.

The schedule is the checker's (:func:`mmroute.routing.vrp.check.route_schedule`): leave the
depot as late as is useful, serve each stop at its arrival or its window's opening. A
problem built from a scenario's fleet (:func:`mmroute.routing.vrp.scenario.from_scenario_fleet`)
is drawn on the map (lon/lat, the offline basemap), its times in hours as dates from the
scenario's ``start``, its loads in kg; a benchmark instance (VRPLIB, Solomon) is drawn on its
own plane, times and distances in the instance's units (problem units / ``scale``).
"""

from __future__ import annotations

import html
from typing import Any

from mmroute.errors import InputError
from mmroute.routing.vrp.check import route_schedule
from mmroute.routing.vrp.problem import VRPProblem
from mmroute.routing.vrp.solution import VRPSolution
from mmroute.scenarios.clock import parse_start
from mmroute.world.page import Page, render, vehicle_page_data, when_text, zoned_text

__all__ = ["vrp_page", "vrp_page_data"]


def vrp_page(problem: VRPProblem, solution: VRPSolution, *, title: str | None = None,
             basemap: bool = True) -> Page:
    """The page of ``solution`` (``basemap=False``: no coastlines, a smaller page)."""
    return render(vrp_page_data(problem, solution, title=title, basemap=basemap))


def vrp_page_data(problem: VRPProblem, solution: VRPSolution, *, title: str | None = None,
                  basemap: bool = True) -> dict[str, Any]:
    """The page data (:func:`mmroute.world.page.vehicle_page_data`) of ``solution``.

    Raises :class:`InputError` (field ``coords``) for an instance without coordinates
    (an explicit distance matrix): there is nothing to draw it on."""
    e = html.escape
    meta = problem.meta
    geo = meta.get("format") == "scenario" and "lonlat" in meta
    if geo:
        xy = [tuple(p) for p in meta["lonlat"]]
        names = [str(x) for x in meta["node_ids"]]
        kinds = list(meta["kinds"])
        start, prefix = meta.get("start"), "h"
        per_h, per_km, load_unit = 3600.0, 1000.0, "kg"
    else:
        if problem.coords is None:
            raise InputError(f"instance {problem.name or '?'} has no node coordinates: no page to draw",
                             field="coords")
        xy = [(float(x), float(y)) for x, y in problem.coords]
        names = [str(i) for i in range(problem.num_nodes)]
        kinds = ["depot" if i in problem.depots else "customer" for i in range(problem.num_nodes)]
        start, prefix = None, "t"
        per_h, per_km, load_unit = float(problem.scale), float(problem.scale), "units"
    scale = problem.scale

    places = meta.get("places") if geo else None
    zones = meta.get("time_zones") if geo else None
    clock = parse_start(start).with_node_zones(zones) if zones and start else None

    def when(t: int, i: int | None = None) -> str:
        """Time ``t`` (problem units) as text, local to problem node ``i`` when the
        scenario's nodes have their own zones."""
        if clock is not None:
            return zoned_text(clock, t / per_h, None if i is None or not places else places[i])
        return when_text(start, t / per_h, prefix=prefix)

    dist_unit = "km" if geo else "distance units"
    served: dict[int, list[str]] = {}
    routes = []
    for k, r in enumerate(solution.routes):
        vt = problem.vehicle_types[r.vehicle_type]
        label = f"{k + 1}" + (f": {vt.name}" if vt.name else "")
        sched = route_schedule(problem, r.visits, r.vehicle_type)
        t, prev, load = sched.departure, vt.start_depot, 0
        legs, stops = [], []
        path = [*r.visits, vt.end_depot]
        late_h = 0.0
        for j, v in enumerate(path):
            dep = t + problem.service[prev]
            arr = dep + int(problem.duration[prev, v])
            d = int(problem.distance[prev, v])
            legs.append({"from": names[prev], "to": names[v],
                         "dep_h": dep / per_h, "arr_h": arr / per_h, "tip": "<br>".join([
                             f"<b>vehicle {e(label)}</b> leg {j + 1}/{len(path)}: "
                             f"{e(names[prev])} &rarr; {e(names[v])}",
                             f"departs {when(dep, prev)}", f"arrives {when(arr, v)}",
                             f"{d / per_km:,.1f} {dist_unit}, "
                             f"{d * vt.cost_per_distance / scale:,.2f}{' CNY' if geo else ''}",
                             f"on board {load:,} {load_unit}"])})
            if j == len(r.visits):
                break
            begin = max(arr, problem.tw_early[v])
            if begin > problem.tw_late[v]:
                late_h = max(late_h, (begin - problem.tw_late[v]) / per_h)
            load += problem.demand[v]
            q = problem.demand[v]
            what = f"picks up {q:,}" if q >= 0 else f"delivers {-q:,}"
            stops.append({"node": names[v], "at_h": begin / per_h,
                          "end_h": (begin + problem.service[v]) / per_h, "tip": "<br>".join([
                              f"<b>vehicle {e(label)}</b> stop {j + 1}: {e(names[v])} {what} {load_unit}",
                              f"service {when(begin, v)} to {when(begin + problem.service[v], v)}"
                              + (f" (waits {(begin - arr) / per_h:,.1f} {prefix})" if begin > arr else ""),
                              f"window {when(problem.tw_early[v], v)} to {when(problem.tw_late[v], v)}",
                              f"on board after: {load:,} {load_unit}"])})
            served.setdefault(v, []).append(f"vehicle {e(label)}: {when(begin, v)}, {what} {load_unit}")
            t, prev = begin, v
        cost = (vt.fixed_cost + vt.cost_per_distance * sched.distance + vt.cost_per_time * sched.duration) / scale
        routes.append({
            "label": label, "load": sched.max_load[0], "lateness_h": late_h,
            "legs": legs, "stops": stops, "tip": "<br>".join([
                f"<b>vehicle {e(label)}</b>: {len(r.visits)} stops, at most {sched.max_load[0]:,} of "
                f"{vt.capacity:,} {load_unit} on board",
                f"leaves {when(sched.departure, vt.start_depot)}, back {when(sched.arrival, vt.end_depot)}",
                f"{sched.distance / per_km:,.1f} {dist_unit}, cost {cost:,.2f}{' CNY' if geo else ''}"])})
    nodes = []
    for i, (x, y) in enumerate(xy):
        lines = [f"<b>{e(names[i])}</b>" + (f" (node {i})" if geo else "") + f", {e(kinds[i])}"]
        if i not in problem.depots:
            lines.append(f"demand {problem.demand[i]:,} {load_unit}, window {when(problem.tw_early[i], i)} "
                         f"to {when(problem.tw_late[i], i)}, service {problem.service[i] / per_h:,.2f} {prefix}")
            if i in solution.dropped:
                lines.append("dropped (optional; its penalty paid)")
        lines += served.get(i, [])
        nodes.append({"id": names[i], "kind": kinds[i], "x": x, "y": y,
                      "tip": "<br>".join(lines)})
    return vehicle_page_data(
        title=title if title is not None else f"{problem.name or 'VRP'}: routes",
        summary=(f"{problem.name}: " if problem.name else "") + solution.summary(), start=start,
        nodes=nodes, routes=routes, unit=load_unit, entity="vehicle", time_prefix=prefix,
        planar=not geo, basemap=basemap)
