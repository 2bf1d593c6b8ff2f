"""The ``shipments`` section of a scenario file, and the check that each can reach its
destination over the links."""

from __future__ import annotations

from collections import deque
from typing import Any

from mmroute.scenarios.fields import Fields
from mmroute.scenarios.model import Link, Node, Objective, Shipment
from mmroute.validate import MAX_SHIPMENTS  # other lists stop at fields.MAX_ITEMS

__all__ = ["MAX_SHIPMENTS", "parse_shipments", "check_paths"]


def parse_shipments(
    f: Fields, value: Any, nodes: dict[str, Node], objective: Objective, horizon_h: float
) -> tuple[Shipment, ...]:
    """The ``shipments`` list; lateness penalties default to the objective's."""
    items = f.sequence(value, "shipments", min_len=1, max_len=MAX_SHIPMENTS)
    out = []
    for i, raw in enumerate(items):
        p = f.item_of("shipments", i, raw)
        f.mapping(
            raw,
            p,
            required=("id", "origin", "destination", "quantity_teu", "due_h"),
            optional=("release_h", "lateness_penalty_cny_per_teu_h", "cargo"),
        )
        origin = f.reference(raw["origin"], f"{p}.origin", nodes, "node")
        dest = f.reference(raw["destination"], f"{p}.destination", nodes, "node")
        if origin == dest:
            raise f.error(f"{p}.destination", f"same as the origin '{origin}'")
        release = f.number(raw.get("release_h", 0.0), f"{p}.release_h", ge=0, lt=horizon_h)
        due = f.number(raw["due_h"], f"{p}.due_h")
        if due <= release:
            raise f.error(f"{p}.due_h", f"due {due:g} h is not after release {release:g} h")
        out.append(
            Shipment(
                id=f.identifier(raw["id"], f"{p}.id"),
                origin=origin,
                destination=dest,
                quantity_teu=f.number(raw["quantity_teu"], f"{p}.quantity_teu", gt=0, le=1e6),
                release_h=release,
                due_h=due,
                lateness_penalty_cny_per_teu_h=f.number(
                    raw.get("lateness_penalty_cny_per_teu_h", objective.lateness_cny_per_teu_h),
                    f"{p}.lateness_penalty_cny_per_teu_h",
                    ge=0,
                ),
                cargo=None
                if raw.get("cargo") is None
                else f.string(raw["cargo"], f"{p}.cargo", max_len=100),
            )
        )
    f.unique([s.id for s in out], "shipments", "shipment")
    return tuple(out)


def check_paths(f: Fields, shipments: tuple[Shipment, ...], links: tuple[Link, ...]) -> None:
    """Every shipment's destination is reachable from its origin over ``links``."""
    succ: dict[str, set[str]] = {}
    for lk in links:
        succ.setdefault(lk.from_node, set()).add(lk.to_node)
    reach: dict[str, set[str]] = {}
    for i, s in enumerate(shipments):
        if s.origin not in reach:
            seen = {s.origin}
            queue = deque([s.origin])
            while queue:
                for nxt in succ.get(queue.popleft(), ()):
                    if nxt not in seen:
                        seen.add(nxt)
                        queue.append(nxt)
            reach[s.origin] = seen
        if s.destination not in reach[s.origin]:
            raise f.error(
                f.item("shipments", i, s.id),
                f"no path of links from '{s.origin}' to '{s.destination}'",
            )
