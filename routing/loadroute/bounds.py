"""Quick proofs that a set of boxes cannot be loaded into a body (in any order).

Each test is a relaxation of the loading problem, so a positive answer is a proof:

- a box fits the body in none of its allowed orientations;
- the total weight exceeds the payload, or the total volume the body's volume;
- floor area: a box that can neither stand on another box nor carry one (the two heights add
  up to more than the body's height; with full support, a non-stackable box carries nothing
  and only stackable boxes carry) occupies its own floor footprint; the smallest such
  footprints must fit the floor area.
- column height: every vertical line meets boxes whose heights add up to at most the body's
  height, so the box volume is at most the floor area times the tallest stack the boxes can
  form within that height (a subset sum of their heights; with full support a stack holds at
  most one non-stackable box, on top). Heights such as 1.2 + 1.2 m in a 2.5 m body leave 4 %
  of its volume unusable, which the plain volume test misses.
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
    column = tallest_stack(types, fitting, H, one_non_stackable=min_support >= 1.0)
    if instance.box_volume > L * W * column:
        return (f"box volume {instance.box_volume / 1e6:.2f} m3 exceeds floor area x tallest stack "
                f"({column} of {H} cm): {L * W * column / 1e6:.2f} m3")
    return None


def tallest_stack(types, fitting: dict, height: int, one_non_stackable: bool) -> int:
    """The greatest total height, at most ``height``, of a stack of distinct box copies (each
    copy in one of its allowed orientations ``fitting[type id]``); with ``one_non_stackable``
    at most one non-stackable copy (the top one)."""
    plain = [True] + [False] * height  # reachable sums with no non-stackable copy
    topped = [False] * (height + 1)  # ... with one non-stackable copy
    for t in types:
        heights = sorted({o[2] for o in fitting[t.id]})
        copies = min(t.quantity, height // heights[0]) if t.stackable or not one_non_stackable else 1
        for _ in range(copies):
            new_plain, new_topped = plain[:], topped[:]
            for h in heights:
                for s in range(height - h, -1, -1):
                    if t.stackable or not one_non_stackable:
                        new_plain[s + h] |= plain[s]
                        new_topped[s + h] |= topped[s]
                    else:
                        new_topped[s + h] |= plain[s]
            plain, topped = new_plain, new_topped
    return max(s for s in range(height + 1) if plain[s] or topped[s])
