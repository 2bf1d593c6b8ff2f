"""Independent packing checker: recomputes everything from the instance, trusts no solver.

Checks: known box types, orientation allowed, inside the container, counts within what is
available, no overlap, support share (a box on the floor, or with at least ``min_support``
of its base area on tops of boxes at exactly its base height), stackability, payload,
unloading order (see :mod:`mmroute.routing.loading.model`), and the reported objective.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from mmroute.errors import InputError
from mmroute.report import MAX_LISTED, CheckReport, Violation
from mmroute.routing.loading.model import BoxType, Container, Packing, Placement

__all__ = ["check_packing"]

_MAX_LISTED = 20  # violations listed per kind; the counts are always complete


def _overlap_len(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Pairwise overlap lengths of intervals [lo_i, hi_i) and [lo_j, hi_j)."""
    return np.clip(np.minimum(hi[:, None], hi[None, :]) - np.maximum(lo[:, None], lo[None, :]), 0, None)


def check_packing(
    container: Container,
    box_types: Sequence[BoxType],
    packing: Packing | Sequence[Placement],
    *,
    min_support: float = 1.0,
) -> CheckReport:
    """Check a packing (or a list of placements) against the container and box types.

    Returns a :class:`mmroute.report.CheckReport`: ``objective`` is the packed volume
    (length units cubed); ``details``: ``counts`` (violations per kind, complete),
    ``n_boxes``, ``packed_volume``, ``utilisation`` (0..1) and ``weight_kg``. At most 20
    violations of each kind are listed; ``n_violations`` counts them all.
    """
    if not 0.0 <= min_support <= 1.0:  # NaN or out of range would pass floating boxes
        raise InputError(f"must be in [0, 1], got {min_support!r}", field="min_support")
    placements = tuple(packing.placements if isinstance(packing, Packing) else packing)
    types = {t.id: t for t in box_types}
    bad: list[Violation] = []
    counts: dict[str, int] = {}

    def add(kind_msgs: list[Violation], kind: str) -> None:
        if kind_msgs:
            counts[kind] = counts.get(kind, 0) + len(kind_msgs)
        bad.extend(kind_msgs[:_MAX_LISTED])

    if isinstance(packing, Packing) and packing.container != container:
        add([Violation("container", f"packing is for {packing.container.dims}, instance has {container.dims}")], "container")

    # types, orientations, inside
    msgs_type, msgs_orient, msgs_inside = [], [], []
    for i, p in enumerate(placements):
        t = types.get(p.type_id)
        if t is None:
            msgs_type.append(Violation(f"box {i}", f"unknown type {p.type_id}"))
            continue
        if tuple(p.dims) not in t.orientations():
            msgs_orient.append(Violation(f"box {i} (type {p.type_id})", f"dims {list(p.dims)} are not an allowed orientation of {list(t.dims)}"))
        if any(c < 0 for c in p.position) or any(e > d for e, d in zip(p.end, container.dims)):
            msgs_inside.append(Violation(f"box {i} (type {p.type_id})", f"at {list(p.position)} dims {list(p.dims)} is not inside {list(container.dims)}"))
    add(msgs_type, "type")
    add(msgs_orient, "orientation")
    add(msgs_inside, "inside")

    # counts
    used = Counter(p.type_id for p in placements)
    add([Violation(f"type {tid}", f"{n} placed but only {types[tid].quantity} available")
         for tid, n in sorted(used.items()) if tid in types and n > types[tid].quantity], "count")

    n = len(placements)
    weight = sum(types[p.type_id].weight_kg for p in placements if p.type_id in types)
    if container.payload_kg is not None and weight > container.payload_kg + 1e-9:
        add([Violation("", f"payload exceeded: {weight:g} kg loaded, {container.payload_kg:g} kg allowed")], "payload")

    if n:
        pos = np.array([p.position for p in placements], dtype=np.int64)
        dim = np.array([p.dims for p in placements], dtype=np.int64)
        end = pos + dim
        ox = _overlap_len(pos[:, 0], end[:, 0])
        oy = _overlap_len(pos[:, 1], end[:, 1])
        oz = _overlap_len(pos[:, 2], end[:, 2])
        np.fill_diagonal(ox, 0)
        vol = ox * oy * oz
        ii, jj = np.nonzero(np.triu(vol > 0, 1))
        add([Violation(f"boxes {i} and {j}", f"overlap ({vol[i, j]} cubic units)") for i, j in zip(ii, jj)], "overlap")

        # support: tops of j at exactly the base height of i
        area_xy = ox * oy
        touching = end[None, :, 2] == pos[:, None, 2]  # [i, j]: j's top is i's base height
        support = (area_xy * touching).sum(axis=1)
        base = dim[:, 0] * dim[:, 1]
        need = min_support * base
        unsup = [i for i in range(n) if pos[i, 2] > 0 and support[i] < need[i] - 1e-9]
        add([Violation(f"box {i} (type {placements[i].type_id})", f"at z={pos[i, 2]}, {support[i] / base[i]:.1%} of its base supported, {min_support:.0%} required") for i in unsup], "support")

        stack_ok = np.array([types[p.type_id].stackable if p.type_id in types else True for p in placements])
        ri, rj = np.nonzero(touching & (area_xy > 0) & ~stack_ok[None, :])
        add([Violation(f"box {i}", f"rests on box {j} of type {placements[j].type_id}, which is not stackable") for i, j in zip(ri, rj)], "stackable")

        # unloading order: b (later stop) must not be in front of or above a (earlier stop)
        stop = np.array([
            -1 if p.type_id not in types or types[p.type_id].stop is None else types[p.type_id].stop
            for p in placements
        ])
        if (stop >= 0).any():
            later = (stop[:, None] >= 0) & (stop[None, :] > stop[:, None])  # [a, b]: b later than a
            front = later & (pos[None, :, 0] >= end[:, None, 0]) & (oy > 0) & (oz > 0)
            above = later & (pos[None, :, 2] >= end[:, None, 2]) & (ox > 0) & (oy > 0)
            fa, fb = np.nonzero(front)
            add([Violation(f"box {b} (stop {stop[b]})", f"unloading order: in front of box {a} (stop {stop[a]}) towards the door") for a, b in zip(fa, fb)], "unloading")
            aa, ab = np.nonzero(above)
            add([Violation(f"box {b} (stop {stop[b]})", f"unloading order: above box {a} (stop {stop[a]})") for a, b in zip(aa, ab)], "unloading")

    packed = int(sum(p.volume for p in placements))
    if isinstance(packing, Packing) and packing.objective != packed:
        add([Violation("", f"reported objective {packing.objective} differs from the packed volume {packed}")], "objective")
    n_violations = sum(counts.values())
    return CheckReport(
        feasible=n_violations == 0,
        violations=tuple(bad[:MAX_LISTED]),
        objective=float(packed),
        n_violations=n_violations,
        details={"counts": counts, "n_boxes": n, "packed_volume": packed,
                 "utilisation": packed / container.volume, "weight_kg": float(weight)},
    )
