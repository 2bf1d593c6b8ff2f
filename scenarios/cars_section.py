"""Read and validate the finished-vehicle keys of a scenario file.

``vehicle_models``, ``carrier_types`` and ``vehicle_orders`` come together (all three or
none). Besides each field's type and range this checks what makes a section unusable:
an order for an unknown model or dealer, an order whose model no carrier type can carry
(too long, tall, wide or heavy for every platform), and impossible envelopes (a deck above
the legal height, platforms longer than the rig, a rig longer or wider than its envelope,
``exit_via`` loops). Every error names the file and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mmroute.scenarios.cars_model import (
    CarrierType,
    Cars,
    Envelope,
    Platform,
    VehicleModel,
    VehicleOrder,
)
from mmroute.scenarios.fields import Fields

__all__ = ["CARS_KEYS", "parse_cars"]

#: The top-level scenario keys this module reads.
CARS_KEYS = ("vehicle_models", "carrier_types", "vehicle_orders")
_UNITS = ("tractor", "trailer")
_LEVELS = ("lower", "upper")
_EPS = 1e-9


def parse_cars(f: Fields, data: Mapping[str, Any], nodes: Mapping[str, Any], horizon_h: float) -> Cars | None:
    """The :class:`Cars` of a scenario's top-level mapping ``data`` (``None`` if it has none)."""
    present = [k for k in CARS_KEYS if data.get(k) is not None]
    if not present:
        return None
    for k in CARS_KEYS:
        if k not in present:
            raise f.error(k, f"required with {present[0]} (give vehicle_models, carrier_types and vehicle_orders)")
    models = tuple(_model(f, m, f"vehicle_models[{i}]")
                   for i, m in enumerate(f.sequence(data["vehicle_models"], "vehicle_models", min_len=1)))
    f.unique([m.id for m in models], "vehicle_models", "vehicle model")
    carriers = tuple(_carrier(f, c, f"carrier_types[{i}]", nodes)
                     for i, c in enumerate(f.sequence(data["carrier_types"], "carrier_types", min_len=1)))
    f.unique([c.id for c in carriers], "carrier_types", "carrier type")
    by_model = {m.id: m for m in models}
    depots = {c.depot for c in carriers}
    orders = []
    for i, o in enumerate(f.sequence(data["vehicle_orders"], "vehicle_orders", min_len=1, max_len=100_000)):
        orders.append(_order(f, o, f"vehicle_orders[{i}]", nodes, by_model, depots, carriers, horizon_h))
    f.unique([o.id for o in orders], "vehicle_orders", "order")
    return Cars(models=models, carrier_types=carriers, orders=tuple(orders))


def _model(f: Fields, raw: Any, p: str) -> VehicleModel:
    f.mapping(raw, p, required=("id", "length_m", "width_m", "height_m", "weight_kg"),
              optional=("name", "source"))
    ident = f.identifier(raw["id"], f"{p}.id")
    return VehicleModel(
        id=ident,
        name=f.string(raw.get("name", ident), f"{p}.name", max_len=200),
        length_m=f.number(raw["length_m"], f"{p}.length_m", gt=0, le=20),
        width_m=f.number(raw["width_m"], f"{p}.width_m", gt=0, le=5),
        height_m=f.number(raw["height_m"], f"{p}.height_m", gt=0, le=5),
        weight_kg=f.number(raw["weight_kg"], f"{p}.weight_kg", gt=0, le=40_000),
        source=f.string(raw.get("source", ""), f"{p}.source", max_len=1000),
    )


def _envelope(f: Fields, raw: Any, p: str) -> Envelope:
    f.mapping(raw, p, required=("max_length_m", "max_width_m", "max_height_m"), optional=("source",))
    return Envelope(
        max_length_m=f.number(raw["max_length_m"], f"{p}.max_length_m", gt=0, le=60),
        max_width_m=f.number(raw["max_width_m"], f"{p}.max_width_m", gt=0, le=6),
        max_height_m=f.number(raw["max_height_m"], f"{p}.max_height_m", gt=0, le=6),
        source=f.string(raw.get("source", ""), f"{p}.source", max_len=1000),
    )


def _platform(f: Fields, raw: Any, p: str, env: Envelope) -> Platform:
    f.mapping(raw, p, required=("id", "unit", "level", "length_m", "max_vehicle_height_m", "max_weight_kg"),
              optional=("floor_height_m", "exit_via"))
    floor = f.number(raw.get("floor_height_m", 0.0), f"{p}.floor_height_m", ge=0, le=6)
    if floor >= env.max_height_m:
        raise f.error(f"{p}.floor_height_m",
                      f"deck at {floor:g} m is not below the envelope's height {env.max_height_m:g} m")
    return Platform(
        id=f.identifier(raw["id"], f"{p}.id"),
        unit=f.choice(raw["unit"], f"{p}.unit", _UNITS),
        level=f.choice(raw["level"], f"{p}.level", _LEVELS),
        length_m=f.number(raw["length_m"], f"{p}.length_m", gt=0, le=30),
        floor_height_m=floor,
        max_vehicle_height_m=f.number(raw["max_vehicle_height_m"], f"{p}.max_vehicle_height_m", gt=0, le=6),
        max_weight_kg=f.number(raw["max_weight_kg"], f"{p}.max_weight_kg", gt=0, le=100_000),
        exit_via=None if raw.get("exit_via") is None else f.identifier(raw["exit_via"], f"{p}.exit_via"),
    )


def _carrier(f: Fields, raw: Any, p: str, nodes: Mapping[str, Any]) -> CarrierType:
    f.mapping(raw, p, required=("id", "depot", "count", "platforms", "envelope", "overall_length_m",
                                "payload_kg", "cost_per_km_cny"),
              optional=("name", "width_m", "gap_m", "fixed_cost_cny", "speed_kmh", "tare_kg"))
    env = _envelope(f, raw["envelope"], f"{p}.envelope")
    plats = tuple(_platform(f, x, f"{p}.platforms[{j}]", env)
                  for j, x in enumerate(f.sequence(raw["platforms"], f"{p}.platforms", min_len=1, max_len=20)))
    f.unique([x.id for x in plats], f"{p}.platforms", "platform")
    ids = {x.id for x in plats}
    for j, x in enumerate(plats):
        if x.exit_via is not None:
            f.reference(x.exit_via, f"{p}.platforms[{j}].exit_via", ids, "platform")
            if x.exit_via == x.id:
                raise f.error(f"{p}.platforms[{j}].exit_via", "a platform cannot exit via itself")
    overall = f.number(raw["overall_length_m"], f"{p}.overall_length_m", gt=0, le=60)
    if overall > env.max_length_m + _EPS:
        raise f.error(f"{p}.overall_length_m",
                      f"{overall:g} m is longer than the envelope's {env.max_length_m:g} m")
    width = f.number(raw.get("width_m", env.max_width_m), f"{p}.width_m", gt=0, le=6)
    if width > env.max_width_m + _EPS:
        raise f.error(f"{p}.width_m", f"{width:g} m is wider than the envelope's {env.max_width_m:g} m")
    for level in _LEVELS:
        deck = sum(x.length_m for x in plats if x.level == level)
        if deck > overall + _EPS:
            raise f.error(f"{p}.platforms", f"{level} platforms total {deck:g} m, longer than the rig ({overall:g} m)")
    carrier = CarrierType(
        id=f.identifier(raw["id"], f"{p}.id"),
        name=f.string(raw.get("name", raw["id"]), f"{p}.name", max_len=200),
        depot=f.reference(raw["depot"], f"{p}.depot", nodes, "node"),
        count=f.integer(raw["count"], f"{p}.count", ge=1, le=10_000),
        platforms=plats,
        envelope=env,
        overall_length_m=overall,
        width_m=width,
        payload_kg=f.number(raw["payload_kg"], f"{p}.payload_kg", gt=0, le=100_000),
        fixed_cost_cny=f.number(raw.get("fixed_cost_cny", 0.0), f"{p}.fixed_cost_cny", ge=0),
        cost_per_km_cny=f.number(raw["cost_per_km_cny"], f"{p}.cost_per_km_cny", ge=0),
        speed_kmh=f.number(raw.get("speed_kmh", 60.0), f"{p}.speed_kmh", gt=0, le=150),
        gap_m=f.number(raw.get("gap_m", 0.2), f"{p}.gap_m", ge=0, le=5),
        tare_kg=None if raw.get("tare_kg") is None else f.number(
            raw["tare_kg"], f"{p}.tare_kg", gt=0, le=100_000),
    )
    exits = {x.id: x.exit_via for x in plats}
    for j, x in enumerate(plats):
        seen, nxt = {x.id}, x.exit_via
        while nxt is not None:
            if nxt in seen:
                raise f.error(f"{p}.platforms[{j}].exit_via", "exit_via forms a loop")
            seen.add(nxt)
            nxt = exits[nxt]
    return carrier


def _order(
    f: Fields,
    raw: Any,
    p: str,
    nodes: Mapping[str, Any],
    models: Mapping[str, VehicleModel],
    depots: set[str],
    carriers: tuple[CarrierType, ...],
    horizon_h: float,
) -> VehicleOrder:
    f.mapping(raw, p, required=("id", "dealer", "model", "quantity"), optional=("due_h", "window_h"))
    dealer = f.reference(raw["dealer"], f"{p}.dealer", nodes, "node")
    if dealer in depots:
        raise f.error(f"{p}.dealer", f"'{dealer}' is a carrier depot, not a dealer")
    model = models[f.reference(raw["model"], f"{p}.model", models, "vehicle model")]
    if not any(c.can_carry(model) for c in carriers):
        raise f.error(f"{p}.model", f"no carrier type can carry a {model.id} ({model.length_m:g} x "
                      f"{model.width_m:g} x {model.height_m:g} m, {model.weight_kg:g} kg): too long, "
                      "wide, tall or heavy for every platform")
    if ("due_h" in raw) and ("window_h" in raw):
        raise f.error(f"{p}.due_h", "give either due_h or window_h ([open, due]), not both")
    open_h, due_h = 0.0, horizon_h
    if raw.get("window_h") is not None:
        open_h, due_h = f.interval(raw["window_h"], f"{p}.window_h", ge=0)
        if due_h <= open_h:
            raise f.error(f"{p}.window_h", f"empty window [{open_h:g}, {due_h:g}]")
    elif raw.get("due_h") is not None:
        due_h = f.number(raw["due_h"], f"{p}.due_h", gt=0)
    return VehicleOrder(
        id=f.identifier(raw["id"], f"{p}.id"),
        dealer=dealer,
        model=model.id,
        quantity=f.integer(raw["quantity"], f"{p}.quantity", ge=1, le=10_000),
        due_h=due_h,
        open_h=open_h,
    )
