"""The optional ``fleet`` section of a scenario file (milk-run depots, vehicles, customers)."""

from __future__ import annotations

from typing import Any

from mmroute.scenarios.fields import Fields
from mmroute.scenarios.model import Box, Customer, Depot, Fleet, Node, VehicleType

__all__ = ["parse_fleet"]


def parse_fleet(f: Fields, raw: Any, nodes: dict[str, Node], horizon_h: float) -> Fleet:
    """The ``fleet`` mapping: depots, vehicle types (shifts, capacities), customers."""
    f.mapping(
        raw, "fleet", required=("depots", "vehicle_types", "customers"), optional=("distances",)
    )
    depots = []
    for i, d in enumerate(f.sequence(raw["depots"], "fleet.depots", min_len=1)):
        p = f"fleet.depots[{i}]"
        f.mapping(d, p, required=("id", "node"))
        depots.append(
            Depot(
                id=f.identifier(d["id"], f"{p}.id"),
                node=f.reference(d["node"], f"{p}.node", nodes, "node"),
            )
        )
    f.unique([d.id for d in depots], "fleet.depots", "depot")
    depot_ids = {d.id for d in depots}
    vtypes = []
    for i, v in enumerate(f.sequence(raw["vehicle_types"], "fleet.vehicle_types", min_len=1)):
        p = f"fleet.vehicle_types[{i}]"
        f.mapping(
            v,
            p,
            required=("id", "depot", "count", "capacity_kg"),
            optional=(
                "capacity_m3",
                "inner_dims_m",
                "fixed_cost_cny",
                "cost_per_km_cny",
                "cost_per_h_cny",
                "speed_kmh",
                "shift_start_h",
                "shift_end_h",
                "max_duration_h",
            ),
        )
        start = f.number(v.get("shift_start_h", 0.0), f"{p}.shift_start_h", ge=0)
        end = f.number(v.get("shift_end_h", horizon_h), f"{p}.shift_end_h")
        if end <= start:
            raise f.error(
                f"{p}.shift_end_h", f"shift ends at {end:g} h, not after its start {start:g} h"
            )
        dims = None
        if v.get("inner_dims_m") is not None:
            seq = f.sequence(v["inner_dims_m"], f"{p}.inner_dims_m", min_len=3, max_len=3)
            dims = tuple(
                f.number(x, f"{p}.inner_dims_m[{j}]", gt=0, le=100) for j, x in enumerate(seq)
            )
        vtypes.append(
            VehicleType(
                id=f.identifier(v["id"], f"{p}.id"),
                depot=f.reference(v["depot"], f"{p}.depot", depot_ids, "depot"),
                count=f.integer(v["count"], f"{p}.count", ge=1, le=10_000),
                capacity_kg=f.number(v["capacity_kg"], f"{p}.capacity_kg", gt=0),
                capacity_m3=None
                if v.get("capacity_m3") is None
                else f.number(v["capacity_m3"], f"{p}.capacity_m3", gt=0),
                inner_dims_m=dims,  # type: ignore[arg-type]
                fixed_cost_cny=f.number(
                    v.get("fixed_cost_cny", 0.0), f"{p}.fixed_cost_cny", ge=0
                ),
                cost_per_km_cny=f.number(
                    v.get("cost_per_km_cny", 0.0), f"{p}.cost_per_km_cny", ge=0
                ),
                cost_per_h_cny=f.number(
                    v.get("cost_per_h_cny", 0.0), f"{p}.cost_per_h_cny", ge=0
                ),
                speed_kmh=f.number(v.get("speed_kmh", 45.0), f"{p}.speed_kmh", gt=0, le=200),
                shift_start_h=start,
                shift_end_h=end,
                max_duration_h=None
                if v.get("max_duration_h") is None
                else f.number(v["max_duration_h"], f"{p}.max_duration_h", gt=0),
            )
        )
    f.unique([v.id for v in vtypes], "fleet.vehicle_types", "vehicle type")
    customers = []
    for i, c in enumerate(f.sequence(raw["customers"], "fleet.customers", min_len=1)):
        customers.append(_customer(f, c, f"fleet.customers[{i}]", nodes))
    f.unique([c.id for c in customers], "fleet.customers", "customer")
    distances = f.choice(
        raw.get("distances", "road-network"), "fleet.distances", ("road-network", "geodesic")
    )
    return Fleet(depots=tuple(depots), vehicle_types=tuple(vtypes), customers=tuple(customers),
                 distances=distances)


def _customer(f: Fields, c: Any, p: str, nodes: dict[str, Node]) -> Customer:
    """One customer: demand (given, or from its boxes), window, service, drop penalty."""
    f.mapping(
        c,
        p,
        required=("id", "node"),
        optional=(
            "demand_kg",
            "demand_m3",
            "window_h",
            "service_h",
            "required",
            "drop_penalty_cny",
            "deliver_to",
            "boxes",
        ),
    )
    boxes = []
    for j, b in enumerate(f.sequence(c.get("boxes", []), f"{p}.boxes", max_len=10_000)):
        q = f"{p}.boxes[{j}]"
        f.mapping(
            b,
            q,
            required=("type", "dims_m", "weight_kg", "quantity"),
            optional=("upright_only", "stackable"),
        )
        seq = f.sequence(b["dims_m"], f"{q}.dims_m", min_len=3, max_len=3)
        boxes.append(
            Box(
                type=f.identifier(b["type"], f"{q}.type"),
                dims_m=tuple(
                    f.number(x, f"{q}.dims_m[{k}]", gt=0, le=100) for k, x in enumerate(seq)
                ),  # type: ignore[arg-type]
                weight_kg=f.number(b["weight_kg"], f"{q}.weight_kg", gt=0),
                quantity=f.integer(b["quantity"], f"{q}.quantity", ge=1, le=100_000),
                upright_only=f.boolean(b.get("upright_only", True), f"{q}.upright_only"),
                stackable=f.boolean(b.get("stackable", True), f"{q}.stackable"),
            )
        )
    box_kg = sum(b.weight_kg * b.quantity for b in boxes)
    box_m3 = sum(b.volume_m3 * b.quantity for b in boxes)
    if "demand_kg" not in c and not boxes:
        raise f.error(f"{p}.demand_kg", "required field is missing (or give boxes)")
    window = (
        None if c.get("window_h") is None else f.interval(c["window_h"], f"{p}.window_h", ge=0)
    )
    required = f.boolean(c.get("required", True), f"{p}.required")
    penalty = c.get("drop_penalty_cny")
    if not required and penalty is None:
        raise f.error(
            f"{p}.drop_penalty_cny", "required for an optional customer (required: false)"
        )
    return Customer(
        id=f.identifier(c["id"], f"{p}.id"),
        node=f.reference(c["node"], f"{p}.node", nodes, "node"),
        demand_kg=f.number(c.get("demand_kg", box_kg), f"{p}.demand_kg", ge=0),
        demand_m3=f.number(c.get("demand_m3", box_m3), f"{p}.demand_m3", ge=0),
        service_h=f.number(c.get("service_h", 0.0), f"{p}.service_h", ge=0),
        window_h=window,
        required=required,
        drop_penalty_cny=None
        if penalty is None
        else f.number(penalty, f"{p}.drop_penalty_cny", ge=0),
        deliver_to=None
        if c.get("deliver_to") is None
        else f.reference(c["deliver_to"], f"{p}.deliver_to", nodes, "node"),
        boxes=tuple(boxes),
    )
