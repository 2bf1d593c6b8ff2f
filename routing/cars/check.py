"""Independent checkers (no solver imported): one carrier's load, and a whole plan.

:func:`check_load` verifies the rules of :mod:`.load` from the carrier and model data;
:func:`check_cars_plan` verifies a :class:`.result.CarsPlan` against its problem: every vehicle
delivered once, at its own dealer, on time (driving the carrier type's own legs); carrier
counts; each route's load; recomputes the cost (fixed cost + cost per km x route length on
the carrier type's own legs, per carrier used) and compares the plan's claims with it
(objective within :data:`OBJECTIVE_TOL_CNY`, a bound at most the cost, status ``optimal``
only with the bound equal to the cost). Malformed values (a NaN position, a stop
that is not an integer, ids that are not text) are violations; at most
:data:`mmroute.report.MAX_LISTED` violations are kept, all are counted.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from mmroute import validate
from mmroute.report import CheckReport, Violation, ViolationList, claim_violations
from mmroute.routing.cars.load import DeckPlacement, LoadItem, blocks, length_utilisation
from mmroute.routing.cars.problem import CarsProblem
from mmroute.scenarios.cars_model import CarrierType, VehicleModel

__all__ = ["check_load", "check_cars_plan", "load_arguments", "route_times_h", "PLAN_STATUSES", "OBJECTIVE_TOL_CNY"]

_TOL = 1e-6
#: The statuses a plan may claim (``optimal`` only with a bound equal to the objective).
PLAN_STATUSES = ("optimal", "feasible", "infeasible", "timeout")
#: How far a claimed plan objective may be from the recomputed cost (CNY; plan JSON keeps 2 decimals).
OBJECTIVE_TOL_CNY = 0.01


def _finite(x: Any) -> bool:
    return validate.is_number(x) and math.isfinite(x)


def _malformed(pl: DeckPlacement) -> str | None:
    """What is wrong with a placement's values, or ``None``."""
    if not all(isinstance(x, str) for x in (pl.vehicle, pl.model, pl.platform)):
        return f"vehicle, model and platform must be text, got {pl.vehicle!r}, {pl.model!r}, {pl.platform!r}"
    if not validate.is_integer(pl.stop):
        return f"stop {pl.stop!r} is not an integer"
    if not _finite(pl.x_m):
        return f"position x_m {pl.x_m!r} is not a finite number"
    return None


def load_arguments(carrier: Any, models: Any, items: Any, placements: Any) -> tuple[tuple, tuple]:
    """Validated arguments of a load (:class:`InputError` naming the argument): the items and placements."""
    validate.instance_of(carrier, CarrierType, "carrier")
    validate.instance_of(models, Mapping, "models")
    for k, m in models.items():
        validate.instance_of(m, VehicleModel, f"models[{k!r}]")
    return (validate.sequence_of(items, LoadItem, "items"),
            validate.sequence_of(placements, DeckPlacement, "placements"))


def check_load(
    carrier: CarrierType,
    models: Mapping[str, VehicleModel],
    items: Sequence[LoadItem],
    placements: Sequence[DeckPlacement],
) -> CheckReport:
    """Check that ``placements`` load exactly ``items`` on ``carrier`` (rules of :mod:`.load`).

    ``objective`` is the number of vehicles loaded; details: ``length_utilisation``,
    ``weight_kg``. Raises :class:`mmroute.errors.InputError` for arguments of the wrong type.
    """
    items, placements = load_arguments(carrier, models, items, placements)
    bad = ViolationList()
    plats = {p.id: p for p in carrier.platforms}
    want = {it.id: it for it in items}
    seen: Counter[str] = Counter(pl.vehicle for pl in placements if isinstance(pl.vehicle, str))
    for vid, k in seen.items():
        if k > 1:
            bad.append(Violation(f"vehicle {vid}", f"placed {k} times"))
    for vid in want:
        if vid not in seen:
            bad.append(Violation(f"vehicle {vid}", "not loaded"))
    ok: list[DeckPlacement] = []
    for pl in placements:
        w = f"vehicle {pl.vehicle}"
        why = _malformed(pl)
        if why:
            bad.append(Violation(w, why))
            continue
        it = want.get(pl.vehicle)
        if it is None:
            bad.append(Violation(w, "is not a vehicle of this load"))
            continue
        if pl.model != it.model or pl.stop != it.stop:
            bad.append(Violation(w, f"is a {it.model} for stop {it.stop}, placed as a {pl.model} for stop {pl.stop}"))
            continue
        m = models.get(pl.model)
        p = plats.get(pl.platform)
        if m is None or p is None:
            bad.append(Violation(w, f"unknown model {pl.model} or platform {pl.platform}"))
            continue
        if pl.x_m < -_TOL or pl.x_m + m.length_m > p.length_m + _TOL:
            bad.append(Violation(w, f"spans [{pl.x_m:.3f}, {pl.x_m + m.length_m:.3f}] m, beyond platform "
                                    f"{p.id} of {p.length_m:g} m"))
        if m.height_m > p.max_vehicle_height_m + _TOL:
            bad.append(Violation(w, f"{m.height_m:g} m tall, platform {p.id} clears {p.max_vehicle_height_m:g} m"))
        if p.floor_height_m + m.height_m > carrier.envelope.max_height_m + _TOL:
            bad.append(Violation(w, f"top at {p.floor_height_m + m.height_m:.3f} m, above the envelope's "
                                    f"{carrier.envelope.max_height_m:g} m"))
        if m.width_m > carrier.width_m + _TOL:
            bad.append(Violation(w, f"{m.width_m:g} m wide, carrier is {carrier.width_m:g} m"))
        ok.append(pl)
    total = 0.0
    for p in carrier.platforms:
        on = sorted((pl for pl in ok if pl.platform == p.id), key=lambda q: q.x_m)
        kg = sum(models[pl.model].weight_kg for pl in on)
        total += kg
        if kg > p.max_weight_kg + _TOL:
            bad.append(Violation(f"platform {p.id}", f"carries {kg:g} kg > {p.max_weight_kg:g} kg"))
        for a, b in zip(on, on[1:]):
            end = a.x_m + models[a.model].length_m
            if b.x_m < end + carrier.gap_m - _TOL:
                bad.append(Violation(f"platform {p.id}", f"{a.vehicle} and {b.vehicle} are "
                                     f"{b.x_m - end:.3f} m apart (< gap {carrier.gap_m:g} m)"))
    if total > carrier.payload_kg + _TOL:
        bad.append(Violation("carrier", f"carries {total:g} kg > payload {carrier.payload_kg:g} kg"))
    for v in ok:
        for u in ok:
            if u.stop > v.stop and blocks(carrier, u, v):
                bad.append(Violation(f"vehicle {v.vehicle}", f"unloading at stop {v.stop} is blocked by "
                                     f"{u.vehicle} (stop {u.stop}) on {u.platform}"))
    util = length_utilisation(carrier, dict(models), ok) if ok else 0.0
    return CheckReport.of(bad, float(len(ok)), length_utilisation=util, weight_kg=total)  # type: ignore[arg-type]


def route_times_h(problem: CarsProblem, carrier: CarrierType, stops: Sequence[str],
                  unloads: Sequence[int], opens: Sequence[float]) -> list[float]:
    """Start of unloading (h) at each stop: leave the depot at 0, drive the carrier type's
    legs (:meth:`CarsProblem.km <.problem.CarsProblem.km>`) at its speed,
    wait until the stop opens (``opens``: the latest window opening of the orders delivered
    there), unload ``problem.unload_h_per_vehicle`` per vehicle (``unloads``)."""
    t, here, out = 0.0, carrier.depot, []
    for s, n, o in zip(stops, unloads, opens):
        t += problem.km(here, s, carrier.id) / carrier.speed_kmh
        t = max(t, o)
        out.append(t)
        t += problem.unload_h_per_vehicle * n
        here = s
    return out


def plan_times(problem: CarsProblem, plan: Any) -> dict[str, Any]:
    """When each carrier reaches its stops, for the plan's JSON: ``{"start": ...,
    "schedule": [...]}``, one entry per route with ``departure_h`` (leaving the depot, hour
    0) and ``stops`` (``id`` and ``at_h``, the start of unloading, as the checker times it:
    :func:`route_times_h`), in hours from the scenario start, each with its ISO 8601
    timestamp (``departure_iso``, ``at_iso``) when the scenario has a ``start``, local to
    the ``depot`` or the stop when that node has its own ``time_zone``."""

    routes = _plan_arguments(problem, plan)
    vehicles = {v.id: v for v in problem.vehicles()}
    carriers = {c.id: c for c in problem.carrier_types}
    out = []
    for route in routes:
        ks = range(1, len(route.stops) + 1)
        n_at: Counter[int] = Counter(pl.stop for pl in route.placements)
        opens: dict[int, float] = {}
        for pl in route.placements:
            o = problem.order(vehicles[pl.vehicle].order)
            opens[pl.stop] = max(opens.get(pl.stop, o.open_h), o.open_h)
        times = route_times_h(problem, carriers[route.carrier_type], route.stops,
                              [n_at[k] for k in ks], [opens.get(k, 0.0) for k in ks])
        out.append({"carrier_type": route.carrier_type,
                    "depot": carriers[route.carrier_type].depot, "departure_h": 0.0,
                    "stops": [{"id": s, "at_h": t} for s, t in zip(route.stops, times)]})
    from mmroute.scenarios.clock import NODE_KEYS, with_timestamps

    start = problem.meta.get("start")
    clock = cars_clock(problem)
    return {"start": start,  # a stop's ``id`` is its node
            "schedule": with_timestamps(out, clock, {**NODE_KEYS, "at_h": ("id",)})}


def cars_clock(problem: CarsProblem) -> Any:
    """The :class:`~mmroute.scenarios.clock.Clock` of the problem's scenario (its ``start``
    and the places' own zones; ``None`` without a start)."""
    from mmroute.scenarios.clock import parse_start

    start = problem.meta.get("start")
    if not start:
        return None
    return parse_start(start).with_node_zones(problem.meta.get("time_zones") or {})


def _plan_arguments(problem: Any, plan: Any) -> tuple:
    from mmroute.routing.cars.result import CarrierRoute, CarsPlan  # result.py is plain data

    validate.instance_of(problem, CarsProblem, "problem", hint="build it with CarsProblem.from_scenario(load(path))")
    validate.instance_of(plan, CarsPlan, "plan", hint="read it first with read_plan(path)")
    return validate.sequence_of(plan.routes, CarrierRoute, "plan.routes")


def check_cars_plan(problem: CarsProblem, plan: Any) -> CheckReport:
    """Check a :class:`.result.CarsPlan` against ``problem``; ``objective`` is the recomputed cost (CNY).

    Details: ``carriers_used``, ``vehicles_delivered``, ``distance_km``. Raises
    :class:`mmroute.errors.InputError` for arguments of the wrong type.
    """
    routes = _plan_arguments(problem, plan)
    bad = ViolationList()
    models = problem.model_map()
    vehicles = {v.id: v for v in problem.vehicles()}
    places = set(problem.places)
    types = {c.id: c for c in problem.carrier_types}
    delivered: Counter[str] = Counter()
    used: Counter[str] = Counter()
    cost = 0.0
    km_total = 0.0
    for r, route in enumerate(routes):
        w = f"route {r + 1}"
        carrier = types.get(route.carrier_type) if isinstance(route.carrier_type, str) else None
        if carrier is None:
            bad.append(Violation(w, f"unknown carrier type {route.carrier_type!r}"))
            continue
        used[carrier.id] += 1
        if not isinstance(route.stops, list | tuple) or not isinstance(route.placements, list | tuple):
            bad.append(Violation(w, "stops and placements must be lists"))
            continue
        stops = list(route.stops)
        if not stops:
            bad.append(Violation(w, "visits no dealer"))
            continue
        unknown = [s for s in stops if not isinstance(s, str) or s not in places]
        if unknown:
            bad.append(Violation(w, f"visits unknown place(s) {', '.join(map(repr, unknown))}"))
            continue
        for name in ("distance_km", "cost_cny"):
            if not _finite(getattr(route, name)):
                bad.append(Violation(w, f"claimed {name} {getattr(route, name)!r} is not a finite number"))
        items = []
        due: dict[int, float] = {}
        opens: dict[int, float] = {}
        n_at: Counter[int] = Counter()
        for pl in route.placements:
            if not isinstance(pl, DeckPlacement) or _malformed(pl):
                continue  # listed by check_load below
            v = vehicles.get(pl.vehicle)
            if v is None:
                bad.append(Violation(w, f"carries unknown vehicle {pl.vehicle}"))
                continue
            delivered[v.id] += 1
            if not 1 <= pl.stop <= len(stops) or stops[pl.stop - 1] != v.dealer:
                bad.append(Violation(w, f"{v.id} is for dealer {v.dealer}, dropped at stop {pl.stop}"))
                continue
            items.append(LoadItem(id=v.id, model=v.model, stop=pl.stop))
            o = problem.order(v.order)
            due[pl.stop] = min(due.get(pl.stop, o.due_h), o.due_h)
            opens[pl.stop] = max(opens.get(pl.stop, o.open_h), o.open_h)
            n_at[pl.stop] += 1
        if all(isinstance(pl, DeckPlacement) for pl in route.placements):
            bad.add_report(check_load(carrier, models, items, route.placements), w)
        else:
            bad.append(Violation(w, "placements must be DeckPlacement objects"))
        ks = range(1, len(stops) + 1)
        times = route_times_h(problem, carrier, stops, [n_at[k] for k in ks], [opens.get(k, 0.0) for k in ks])
        for k, t in enumerate(times):
            if k + 1 in due and t > due[k + 1] + _TOL:
                bad.append(Violation(w, f"reaches {stops[k]} at {t:.2f} h, after its due time {due[k + 1]:g} h"))
        km = problem.route_km(carrier.depot, stops, carrier.id)
        km_total += km
        cost += carrier.fixed_cost_cny + carrier.cost_per_km_cny * km
    for c in problem.carrier_types:
        if used[c.id] > c.count:
            bad.append(Violation(f"carrier type {c.id}", f"{used[c.id]} used, {c.count} available"))
    for vid in vehicles:
        if delivered[vid] != 1:
            bad.append(Violation(f"vehicle {vid}", f"delivered {delivered[vid]} times"))
    bad.extend(claim_violations(cost, objective=plan.objective, bound=plan.bound, status=plan.status,
                                statuses=PLAN_STATUSES, tol=OBJECTIVE_TOL_CNY, time_s=plan.time_s))
    return CheckReport.of(bad, cost, carriers_used=sum(used.values()),  # type: ignore[arg-type]
                          vehicles_delivered=sum(1 for v in vehicles if delivered[v] == 1),
                          distance_km=km_total)
