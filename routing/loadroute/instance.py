"""The loading instance of one route: a vehicle type's body and its customers' boxes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from mmroute.errors import InputError
from mmroute.routing.loading import LoadingInstance, scenario_instance
from mmroute.routing.loadroute.sequence import RouteEvents

__all__ = ["route_instance"]


def route_instance(
    scenario: Any,
    vehicle_type: str,
    events: RouteEvents,
    customers: Sequence[int] | None = None,
    *,
    ordered: bool = True,
) -> tuple[LoadingInstance, dict[int, int]] | None:
    """The loading instance of ``customers`` (indices into ``events``, default all) in the
    body of ``vehicle_type``, and a map box type id -> customer index.

    ordered: give each box type its customer's ``events.key`` as ``stop`` (the route's order
    rule); otherwise no order (a relaxation). ``None`` when these customers carry no boxes.
    Box dimensions and the body come from :func:`mmroute.routing.loading.scenario_instance`
    (metres to centimetres).
    """
    chosen = list(range(len(events.customers))) if customers is None else list(customers)
    by_id = {c.id: c for c in scenario.fleet.customers}
    with_boxes = [i for i in chosen if by_id[events.customers[i]].boxes]
    if not with_boxes:
        return None
    inst = scenario_instance(
        scenario, vehicle_type=vehicle_type, customers=[events.customers[i] for i in with_boxes]
    )
    owners = [i for i in with_boxes for _ in by_id[events.customers[i]].boxes]
    if len(owners) != len(inst.box_types):
        raise InputError(
            f"{inst.name}: {len(inst.box_types)} box types for {len(owners)} scenario boxes",
            field="fleet.customers",
        )
    types = tuple(
        replace(t, stop=events.key[i] if ordered else None) for t, i in zip(inst.box_types, owners)
    )
    customer_of = {t.id: i for t, i in zip(types, owners)}
    return replace(inst, box_types=types), customer_of
