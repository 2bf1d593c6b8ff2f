"""Quick proofs that a set of boxes cannot be loaded into a body (in any order).

Each test is a relaxation of the loading problem, so a positive answer is a proof:

- a box fits the body in none of its allowed orientations;
- the total weight exceeds the payload, or the total volume the body's volume;
- floor area: a box that can neither stand on another box nor carry one (the two heights add
  up to more than the body's height; with full support, a non-stackable box carries nothing
  and only stackable boxes carry) occupies its own floor footprint; the smallest such
  footprints must fit the floor area.
"""

from __future__ import annotations

from mmroute.routing.loading import LoadingInstance

__all__ = ["quick_infeasibility"]


def quick_infeasibility(instance: LoadingInstance, min_support: float = 1.0) -> str | None:
    """A reason why not every box of ``instance`` fits (a proof), or ``None``."""
    c = instance.container
    L, W, H = c.dims
    fitting = {}
    for t in instance.box_types:
        oris = [o for o in t.orientations() if o[0] <= L and o[1] <= W and o[2] <= H]
        if t.quantity and not oris:
            return f"box type {t.id} {list(t.dims)} cm fits the body {list(c.dims)} cm in no allowed orientation"
        if t.quantity:
            fitting[t.id] = oris
    weight = sum(t.weight_kg * t.quantity for t in instance.box_types)
    if c.payload_kg is not None and weight > c.payload_kg + 1e-9:
        return f"boxes weigh {weight:g} kg, payload {c.payload_kg:g} kg"
    if instance.box_volume > c.volume:
        return f"box volume {instance.box_volume / 1e6:.2f} m3 exceeds the body's {c.volume / 1e6:.2f} m3"
    types = [t for t in instance.box_types if t.quantity]
    hmin = {t.id: min(o[2] for o in fitting[t.id]) for t in types}
    full = min_support >= 1.0

    def partners(t) -> list:  # other box copies (same type too when there are two or more)
        return [u for u in types if u.id != t.id or t.quantity > 1]

    area = 0
    for t in types:
        others = partners(t)
        below = any(hmin[u.id] + hmin[t.id] <= H and (u.stackable or min_support <= 0) for u in others)
        above = (t.stackable or not full) and any(hmin[u.id] + hmin[t.id] <= H for u in others)
        if not below and not above:
            area += t.quantity * min(o[0] * o[1] for o in fitting[t.id])
    if area > L * W:
        return f"boxes that can share no column need {area / 1e4:.2f} m2 of floor, the body has {L * W / 1e4:.2f} m2"
    return None
