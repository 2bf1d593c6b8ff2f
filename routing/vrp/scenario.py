"""Build a :class:`VRPProblem` from a scenario's ``fleet`` section (milk-runs).

Conventions of the conversion (all documented in the problem's ``meta``):

- Nodes: the fleet's depots first (in file order), then one node per customer (its pickup
  node), then one extra node per pickup-and-delivery customer (its ``deliver_to`` drop).
  ``meta["node_ids"]`` maps each problem node to its customer / depot id.
- Distances: shortest paths over the scenario's road links (``distances: road-network``) or
  geodesic x road circuity (``distances: geodesic``); stored in metres.
- Travel times: distance / the slowest vehicle type's speed, in seconds (one time matrix for
  the whole fleet, so schedules hold for every vehicle; conservative for faster trucks).
- Loads: ``demand_kg`` (rounded up to whole kg) against ``capacity_kg`` (rounded down); when
  any customer has a volume, ``demand_m3`` in litres against ``capacity_m3`` (unlimited for a
  type without one) as a second load dimension.
- Costs: 1e-5 CNY units (``scale = 10**5``, so the objective is in CNY); cost per km becomes
  per metre, cost per hour per second, rounded to the nearest unit.
- A ``deliver_to`` customer is a pickup-and-delivery pair; the drop has no window beyond the
  horizon and the same service time.
- ``meta["start"]``: the scenario's ``start`` (hour 0), so that :func:`solution_times` can
  put timestamps beside a solution's hours.
"""

from __future__ import annotations

import heapq
import math
from typing import Any

import numpy as np

from mmroute import validate
from mmroute.errors import InputError
from mmroute.routing.vrp.problem import VRPProblem, VRPVehicleType

__all__ = ["from_scenario_fleet", "COST_SCALE"]

#: Problem cost units per CNY.
COST_SCALE = 10**5
_UNLIMITED = 10**12


def _road_km(scenario: Any, sources: list[str], targets: set[str]) -> dict[tuple[str, str], float]:
    """Shortest road distances (km) from each source to every reachable node (Dijkstra)."""
    adj: dict[str, list[tuple[str, float]]] = {}
    for link in scenario.links:
        if link.mode == "road":
            adj.setdefault(link.from_node, []).append((link.to_node, link.distance_km))
    out: dict[tuple[str, str], float] = {}
    for s in sources:
        dist = {s: 0.0}
        heap = [(0.0, s)]
        while heap:
            d, u = heapq.heappop(heap)
            if d > dist.get(u, math.inf):
                continue
            for v, w in adj.get(u, ()):
                nd = d + w
                if nd < dist.get(v, math.inf):
                    dist[v] = nd
                    heapq.heappush(heap, (nd, v))
        for t in targets:
            if t in dist:
                out[(s, t)] = dist[t]
    return out


def from_scenario_fleet(scenario: Any) -> VRPProblem:
    """The VRP of ``scenario.fleet`` (see the module docstring for every convention).

    Raises :class:`InputError` when the scenario has no fleet or a stop cannot be reached by road.
    """
    from mmroute.scenarios import Scenario  # scenarios never import routing: no cycle

    validate.instance_of(scenario, Scenario, "scenario", hint="load it first with mmroute.scenarios.load(path)")
    fleet = scenario.fleet
    if fleet is None:
        raise InputError(
            f"scenario '{scenario.name}' has no fleet section (vehicles and customers)",
            file=getattr(scenario, "source_file", None),
            field="fleet",
        )
    from mmroute.scenarios.defaults import CIRCUITY
    from mmroute.scenarios.distances import geodesic_km

    depot_index = {d.id: k for k, d in enumerate(fleet.depots)}
    places: list[str] = [d.node for d in fleet.depots]
    ids: list[str] = [d.id for d in fleet.depots]
    customers = list(fleet.customers)
    for c in customers:
        places.append(c.node)
        ids.append(c.id)
    pairs: list[tuple[int, int]] = []
    for k, c in enumerate(customers):
        if c.deliver_to:
            pairs.append((len(fleet.depots) + k, len(places)))
            places.append(c.deliver_to)
            ids.append(f"{c.id}@{c.deliver_to}")
    n = len(places)
    uniq = sorted(set(places))
    if fleet.distances == "geodesic":
        km = {}
        for a in uniq:
            na = scenario.node(a)
            for b in uniq:
                nb = scenario.node(b)
                km[(a, b)] = geodesic_km(na.lon, na.lat, nb.lon, nb.lat) * CIRCUITY["road"]
    else:
        km = _road_km(scenario, uniq, set(uniq))
    dist_m = np.zeros((n, n), dtype=np.int64)
    for i, a in enumerate(places):
        for j, b in enumerate(places):
            if a == b:
                continue
            if (a, b) not in km:
                raise InputError(f"no road path from {a} to {b}", field="fleet.distances")
            dist_m[i, j] = int(round(km[(a, b)] * 1000))
    speed = min(v.speed_kmh for v in fleet.vehicle_types)
    time_s = np.rint(dist_m / 1000 / speed * 3600).astype(np.int64)

    def sec(h: float) -> int:
        return int(round(h * 3600))

    horizon = sec(scenario.horizon_h)
    tw_early = [0] * n
    tw_late = [horizon] * n
    service = [0] * n
    demand = [0] * n
    volume = [0] * n
    penalty: list[int | None] = [None] * n
    for k, c in enumerate(customers):
        i = len(fleet.depots) + k
        if c.window_h is not None:
            tw_early[i], tw_late[i] = sec(c.window_h[0]), sec(c.window_h[1])
        service[i] = sec(c.service_h)
        demand[i] = int(math.ceil(c.demand_kg - 1e-9))
        volume[i] = int(math.ceil(c.demand_m3 * 1000 - 1e-6))
        if not c.required:
            penalty[i] = int(round((c.drop_penalty_cny or 0.0) * COST_SCALE))
    for p, d in pairs:
        demand[d], volume[d], service[d], penalty[d] = -demand[p], -volume[p], service[p], penalty[p]
    use_volume = any(volume) and any(v.capacity_m3 is not None for v in fleet.vehicle_types)
    types = []
    for v in fleet.vehicle_types:
        if v.depot not in depot_index:
            raise InputError(f"vehicle type {v.id}: unknown depot {v.depot}", field="fleet.vehicle_types")
        d = depot_index[v.depot]
        cap_l = _UNLIMITED if v.capacity_m3 is None else int(math.floor(v.capacity_m3 * 1000 + 1e-6))
        types.append(
            VRPVehicleType(
                capacity=int(math.floor(v.capacity_kg + 1e-9)),
                capacity_extra=(cap_l,) if use_volume else (),
                count=v.count,
                start_depot=d,
                end_depot=d,
                fixed_cost=int(round(v.fixed_cost_cny * COST_SCALE)),
                cost_per_distance=int(round(v.cost_per_km_cny * COST_SCALE / 1000)),
                cost_per_time=int(round(v.cost_per_h_cny * COST_SCALE / 3600)),
                shift_start=sec(v.shift_start_h),
                shift_end=sec(v.shift_end_h),
                max_duration=sec(v.max_duration_h) if v.max_duration_h is not None else 2**40,
                name=v.id,
            )
        )
    return VRPProblem(
        distance=dist_m,
        duration=time_s,
        demand=demand,
        demand_extra=(tuple(volume),) if use_volume else (),
        vehicle_types=tuple(types),
        depots=tuple(range(len(fleet.depots))),
        tw_early=tw_early,
        tw_late=tw_late,
        service=service,
        pickup_delivery=tuple(pairs),
        drop_penalty=penalty,
        scale=COST_SCALE,
        name=getattr(scenario, "name", "") or "scenario-fleet",
        meta={
            "format": "scenario",
            "node_ids": ids,
            "places": places,
            "units": {"distance": "m", "time": "s", "load": "kg", "load_extra": ["l"] if use_volume else [], "cost": "1e-5 CNY"},
            "speed_kmh": speed,
            # for the solution's page: where each node is, its kind, the clock's start
            "lonlat": [[scenario.node(p).lon, scenario.node(p).lat] for p in places],
            "kinds": [scenario.node(p).kind for p in places],
            "start": scenario.start,
            "time_zones": {p: scenario.node(p).time_zone for p in places
                           if scenario.node(p).time_zone is not None},
        },
    )


def solution_times(problem: Any, solution: Any) -> dict[str, Any]:
    """When each route of a solution to a scenario's fleet problem runs, for its JSON:
    ``{"start": ..., "schedule": [...]}``, one entry per route with ``departure_h`` (leaving
    the depot, as late as useful), ``visits`` (``id`` of the customer or depot, its ``node``
    and ``at_h``, the start of service there) and ``arrival_h`` (back at the depot), in hours
    from the scenario start, each with its ISO 8601 timestamp (``departure_iso``, ...) when
    the scenario has a ``start``, local to the depot's or the visit's node when that node has
    its own ``time_zone``. Empty for problems not built from a scenario."""
    from mmroute.routing.vrp.check import route_schedule
    from mmroute.scenarios.clock import parse_start, with_timestamps

    meta = problem.meta
    if meta.get("format") != "scenario":
        return {}
    ids, places = meta["node_ids"], meta.get("places")
    dur, early, service = problem.duration, problem.tw_early, problem.service
    out = []
    for route in solution.routes:
        sched = route_schedule(problem, route.visits, route.vehicle_type)
        vt = problem.vehicle_types[route.vehicle_type]
        t, prev, visits = sched.departure, vt.start_depot, []
        for v in route.visits:  # forward from the chosen departure
            t = max(t + service[prev] + int(dur[prev, v]), early[v])
            visits.append({"id": ids[v], **({"node": places[v]} if places else {}),
                           "at_h": t / 3600})
            prev = v
        depot = {"depot": places[vt.start_depot]} if places else {}
        out.append({"vehicle_type": vt.name, **depot, "departure_h": sched.departure / 3600,
                    "visits": visits, "arrival_h": sched.arrival / 3600})
    start = meta.get("start")
    clock = parse_start(start).with_node_zones(meta.get("time_zones") or {}) if start else None
    return {"start": start, "schedule": with_timestamps(out, clock)}
