"""Loading instances from a scenario's fleet: a vehicle type's body and customers' boxes.

Scenario dimensions are in metres; loading geometry is integer, so they are converted to
centimetres (rounded). ``upright_only`` boxes keep their third dimension (height) vertical.
"""

from __future__ import annotations

from collections.abc import Sequence

from mmroute.errors import InputError
from mmroute.routing.loading.model import BoxType, Container, LoadingInstance

__all__ = ["scenario_instance", "CM_PER_M"]

CM_PER_M = 100


def _cm(v: float) -> int:
    return max(1, round(v * CM_PER_M))


def scenario_instance(
    scenario,
    *,
    vehicle_type: str | None = None,
    customers: Sequence[str] | None = None,
    multi_drop: bool = False,
) -> LoadingInstance:
    """The body of ``vehicle_type`` (default: the first with inner dimensions) and the boxes of
    ``customers`` (default: every customer with boxes, in file order).

    ``multi_drop=True`` gives the boxes of the k-th listed customer stop k (unloaded k-th, so
    the unloading order of :mod:`mmroute.routing.loading.model` applies); otherwise no order.
    """
    fleet = getattr(scenario, "fleet", None)
    if fleet is None:
        raise InputError("the scenario has no fleet (vehicles and customers with boxes)", field="fleet")
    vts = [v for v in fleet.vehicle_types if v.inner_dims_m is not None]
    if vehicle_type is not None:
        vts = [v for v in fleet.vehicle_types if v.id == vehicle_type]
        if not vts:
            ids = ", ".join(v.id for v in fleet.vehicle_types)
            raise InputError(f"no vehicle type {vehicle_type!r} (have {ids})", field="--vehicle")
        if vts[0].inner_dims_m is None:
            raise InputError(f"vehicle type {vehicle_type!r} has no inner_dims_m", field="--vehicle")
    if not vts:
        raise InputError("no vehicle type has inner_dims_m", field="fleet.vehicle_types")
    vt = vts[0]
    by_id = {c.id: c for c in fleet.customers}
    if customers is None:
        chosen = [c for c in fleet.customers if c.boxes]
    else:
        missing = [c for c in customers if c not in by_id]
        if missing:
            raise InputError(f"unknown customers {missing}", field="--customers")
        chosen = [by_id[c] for c in customers]
    types: list[BoxType] = []
    for stop, c in enumerate(chosen):
        for b in c.boxes:
            types.append(
                BoxType(
                    id=len(types) + 1,
                    dims=(_cm(b.dims_m[0]), _cm(b.dims_m[1]), _cm(b.dims_m[2])),
                    quantity=int(b.quantity),
                    weight_kg=float(b.weight_kg),
                    vertical=(False, False, True) if b.upright_only else (True, True, True),
                    stackable=bool(b.stackable),
                    stop=stop if multi_drop else None,
                )
            )
    if not types:
        raise InputError("the chosen customers have no boxes", field="--customers")
    L, W, H = (_cm(v) for v in vt.inner_dims_m)
    container = Container(L, W, H, payload_kg=float(vt.capacity_kg))
    name = f"{vt.id}:{'+'.join(c.id for c in chosen)}"
    return LoadingInstance(name, container, tuple(types))
