"""The former pairwise packing checker (an n x n matrix per relation), kept as a test oracle.

Quadratic in memory, so only for small packings: the fuzz suite and the equivalence test
compare :func:`mmroute.routing.loading.check_packing` with it on random packings. Takes
placements with integer geometry only; returns the violation counts per kind (``{}`` when
feasible) and the listed messages.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

_LISTED = 20


def _overlap_len(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return np.clip(np.minimum(hi[:, None], hi[None, :]) - np.maximum(lo[:, None], lo[None, :]), 0, None)


def reference_check(container, box_types, placements, min_support: float = 1.0, *, messages: bool = False):
    """Counts of violations per kind (and, with ``messages``, the listed lines)."""
    types = {t.id: t for t in box_types}
    counts: Counter[str] = Counter()
    listed: list[str] = []

    def add(kind: str, msgs: list[str]) -> None:
        if msgs:
            counts[kind] += len(msgs)
        listed.extend(msgs[:_LISTED])

    mt, mo, mi = [], [], []
    for i, p in enumerate(placements):
        t = types.get(p.type_id)
        if t is None:
            mt.append(f"box {i}: unknown type {p.type_id!r}")
            continue
        if tuple(p.dims) not in t.orientations():
            mo.append(f"box {i} (type {p.type_id}): dims {list(p.dims)} are not an allowed orientation of {list(t.dims)}")
        if any(c < 0 for c in p.position) or any(e > d for e, d in zip(p.end, container.dims)):
            mi.append(f"box {i} (type {p.type_id}): at {list(p.position)} dims {list(p.dims)} is not inside {list(container.dims)}")
    add("type", mt)
    add("orientation", mo)
    add("inside", mi)
    used = Counter(p.type_id for p in placements if p.type_id in types)
    add("count", [f"type {tid}: {n} placed but only {types[tid].quantity} available"
                  for tid, n in sorted(used.items()) if n > types[tid].quantity])
    weight = sum(types[p.type_id].weight_kg for p in placements if p.type_id in types)
    if container.payload_kg is not None and weight > container.payload_kg + 1e-9:
        add("payload", [f"payload exceeded: {weight:g} kg loaded, {container.payload_kg:g} kg allowed"])
    n = len(placements)
    if n:
        pos = np.array([p.position for p in placements], dtype=np.int64)
        dim = np.array([p.dims for p in placements], dtype=np.int64)
        end = pos + dim
        ox, oy, oz = (_overlap_len(pos[:, k], end[:, k]) for k in range(3))
        np.fill_diagonal(ox, 0)
        vol = ox * oy * oz
        ii, jj = np.nonzero(np.triu(vol > 0, 1))
        add("overlap", [f"boxes {i} and {j}: overlap ({vol[i, j]} cubic units)" for i, j in zip(ii, jj)])
        area = ox * oy
        touching = end[None, :, 2] == pos[:, None, 2]
        support = (area * touching).sum(axis=1)
        base = dim[:, 0] * dim[:, 1]
        unsup = [i for i in range(n) if pos[i, 2] > 0 and support[i] < min_support * base[i] - 1e-9]
        add("support", [f"box {i} (type {placements[i].type_id}): at z={pos[i, 2]}, {support[i] / base[i]:.1%} of its "
                        f"base supported, {min_support:.0%} required" for i in unsup])
        stack_ok = np.array([types[p.type_id].stackable if p.type_id in types else True for p in placements])
        ri, rj = np.nonzero(touching & (area > 0) & ~stack_ok[None, :])
        add("stackable", [f"box {i}: rests on box {j} of type {placements[j].type_id}, which is not stackable"
                          for i, j in zip(ri, rj)])
        stop = np.array([-1 if p.type_id not in types or types[p.type_id].stop is None else types[p.type_id].stop
                         for p in placements])
        if (stop >= 0).any():
            later = (stop[:, None] >= 0) & (stop[None, :] > stop[:, None])
            front = later & (pos[None, :, 0] >= end[:, None, 0]) & (oy > 0) & (oz > 0)
            above = later & (pos[None, :, 2] >= end[:, None, 2]) & (ox > 0) & (oy > 0)
            fa, fb = np.nonzero(front)
            add("unloading", [f"box {b} (stop {stop[b]}): unloading order: in front of box {a} (stop {stop[a]}) "
                              "towards the door" for a, b in zip(fa, fb)])
            aa, ab = np.nonzero(above)
            add("unloading", [f"box {b} (stop {stop[b]}): unloading order: above box {a} (stop {stop[a]})"
                              for a, b in zip(aa, ab)])
    return (dict(counts), listed) if messages else dict(counts)
