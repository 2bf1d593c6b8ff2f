"""Independent packing checker: recomputes everything from the instance, trusts no solver.

Checks: known box types, integer geometry, orientation allowed, inside the container, counts
within what is available, no overlap, support share (a box on the floor, or with at least
``min_support`` of its base area on tops of boxes at exactly its base height), stackability,
payload, unloading order (see :mod:`mmroute.routing.loading.model`), and the claims of a
:class:`Packing`: its objective (the packed volume), its bound (an upper bound: not below the
packed volume) and its status (``optimal`` only with the bound equal to the objective).

Memory is linear in the number of boxes and time near-linear for real packings: pairs of boxes
are only formed where their x-intervals overlap (a sweep along the container's length, in
chunks of bounded size); the unloading rule "not in front of" compares every box with the
boxes of later stops, in row blocks. At most 20 violations of each kind are listed (the
first in box order); the counts are complete.
"""

from __future__ import annotations

import numbers
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from mmroute import validate
from mmroute.errors import InputError
from mmroute.report import MAX_LISTED, CheckReport, Violation, claim_violations
from mmroute.routing.loading.model import (
    MAX_JSON_INT,
    PACKING_STATUSES,
    BoxType,
    Container,
    Packing,
    Placement,
)

__all__ = ["check_packing"]

_MAX_LISTED = 20  # violations listed per kind; the counts are always complete
_CHUNK = 1 << 18  # box pairs evaluated at once (bounded memory)


def _int(v: Any) -> int | None:
    """``v`` as an integer within the packing-file limit (integral floats too), else ``None``."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, numbers.Integral) and not isinstance(v, bool) and abs(int(v)) <= MAX_JSON_INT:
        return int(v)
    return None


def _triple(v: Any) -> tuple[int, int, int] | None:
    if not isinstance(v, tuple | list) or len(v) != 3:
        return None
    out = tuple(_int(x) for x in v)
    return None if None in out else out  # type: ignore[return-value]


class _Kinds:
    """Violations by kind: complete counts, the first :data:`_MAX_LISTED` of each kind listed."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.listed: list[Violation] = []

    def add(self, kind: str, msgs: Sequence[Violation], count: int | None = None) -> None:
        n = len(msgs) if count is None else count
        if n:
            self.counts[kind] = self.counts.get(kind, 0) + n
        self.listed.extend(msgs[:_MAX_LISTED])


class _First:
    """The smallest :data:`_MAX_LISTED` pair keys ``i * n + j`` seen over many chunks, and the count."""

    def __init__(self) -> None:
        self.keys = np.empty(0, dtype=np.int64)
        self.count = 0

    def add(self, keys: np.ndarray) -> None:
        self.count += int(keys.size)
        if keys.size:
            both = np.concatenate([self.keys, keys])
            self.keys = np.sort(both)[:_MAX_LISTED] if both.size > _MAX_LISTED else np.sort(both)


def _x_pairs(pos: np.ndarray, end: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Every unordered pair (i, j) of boxes whose x-intervals overlap with positive length, in
    chunks of at most about :data:`_CHUNK` pairs: sort by x start; the partners of a box are
    the boxes after it in that order that start before it ends."""
    order = np.argsort(pos[:, 0], kind="stable")
    xs = pos[order, 0]
    hi = np.searchsorted(xs, end[order, 0], side="left")
    counts = np.maximum(hi - np.arange(len(xs)) - 1, 0)
    cum = np.cumsum(counts)
    start = 0
    while start < len(xs):
        base = cum[start - 1] if start else 0
        stop = int(np.searchsorted(cum, base + _CHUNK, side="right"))
        stop = max(stop, start + 1)
        c = counts[start:stop]
        total = int(c.sum())
        if total:
            p = np.repeat(np.arange(start, stop), c)
            offs = np.arange(total) - np.repeat(np.cumsum(c) - c, c)
            q = p + 1 + offs
            yield order[p], order[q]
        start = stop


def _overlap(pos: np.ndarray, end: np.ndarray, i: np.ndarray, j: np.ndarray, k: int) -> np.ndarray:
    """Overlap lengths of boxes i and j along axis k (0 if apart)."""
    return np.clip(np.minimum(end[i, k], end[j, k]) - np.maximum(pos[i, k], pos[j, k]), 0, None)


def _arguments(container: Any, box_types: Any, packing: Any, min_support: Any) -> tuple[dict, tuple, float]:
    validate.instance_of(container, Container, "container", hint="read an instance first with read_loading_instance(path)")
    types = validate.sequence_of(box_types, BoxType, "box_types")
    ids = [t.id for t in types]
    if len(set(ids)) != len(ids):
        raise InputError(f"box type ids must be unique, got {ids}", field="box_types")
    min_support = validate.share(min_support, "min_support")
    if isinstance(packing, Packing):
        placements = validate.sequence_of(packing.placements, Placement, "packing.placements")
    else:
        placements = validate.sequence_of(packing, Placement, "packing")
    return {t.id: t for t in types}, placements, float(min_support)


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
    violations of each kind are listed; ``n_violations`` counts them all. Raises
    :class:`mmroute.errors.InputError` for arguments of the wrong type, box type ids used
    twice, or ``min_support`` outside [0, 1].
    """
    types, placements, min_support = _arguments(container, box_types, packing, min_support)
    out = _Kinds()

    if isinstance(packing, Packing) and packing.container != container:
        out.add("container", [Violation("container", f"packing is for {packing.container.dims}, instance has {container.dims}")])

    # values, types, orientations, inside
    msgs_value, msgs_type, msgs_orient, msgs_inside = [], [], [], []
    geo: list[int] = []  # boxes with integer geometry (the others are listed as "value")
    rows: list[tuple[int, int, int, int, int, int]] = []
    for i, p in enumerate(placements):
        pos, dims = _triple(p.position), _triple(p.dims)
        if pos is None or dims is None:
            msgs_value.append(Violation(f"box {i}", f"position {p.position!r} and dims {p.dims!r} must be 3 integers "
                                                    f"each (|x| <= {MAX_JSON_INT:g})"))
            continue
        geo.append(i)
        rows.append((*pos, *dims))
        t = types.get(p.type_id) if isinstance(p.type_id, numbers.Integral | str) else None
        if t is None:
            msgs_type.append(Violation(f"box {i}", f"unknown type {p.type_id!r}"))
            continue
        if dims not in t.orientations():
            msgs_orient.append(Violation(f"box {i} (type {p.type_id})", f"dims {list(dims)} are not an allowed orientation of {list(t.dims)}"))
        if any(c < 0 for c in pos) or any(a + d > c for a, d, c in zip(pos, dims, container.dims)):
            msgs_inside.append(Violation(f"box {i} (type {p.type_id})", f"at {list(pos)} dims {list(dims)} is not inside {list(container.dims)}"))
    out.add("value", msgs_value)
    out.add("type", msgs_type)
    out.add("orientation", msgs_orient)
    out.add("inside", msgs_inside)

    # counts
    known = [i for i in geo if isinstance(placements[i].type_id, numbers.Integral | str) and placements[i].type_id in types]
    used = Counter(placements[i].type_id for i in known)
    out.add("count", [Violation(f"type {tid}", f"{n} placed but only {types[tid].quantity} available")
                      for tid, n in sorted(used.items()) if n > types[tid].quantity])

    weight = sum(types[placements[i].type_id].weight_kg for i in known)
    if container.payload_kg is not None and weight > container.payload_kg + 1e-9:
        out.add("payload", [Violation("", f"payload exceeded: {weight:g} kg loaded, {container.payload_kg:g} kg allowed")])

    if geo:
        _geometry(out, [placements[i] for i in geo], np.array(geo), np.array(rows, dtype=np.int64), types, min_support)

    packed = sum(int(np.prod(r[3:], dtype=object)) for r in rows)
    if isinstance(packing, Packing):
        claims = claim_violations(float(packed), objective=packing.objective, bound=packing.bound,
                                  status=packing.status, statuses=PACKING_STATUSES, tol=0.5, sense="max",
                                  time_s=packing.time_s)
        out.add("objective", [v for v in claims if v.where in ("", "objective")])
        out.add("bound", [v for v in claims if v.where in ("bound", "status", "time_s")])
    n_violations = sum(out.counts.values())
    return CheckReport(
        feasible=n_violations == 0,
        violations=tuple(out.listed[:MAX_LISTED]),
        objective=float(packed),
        n_violations=n_violations,
        details={"counts": out.counts, "n_boxes": len(placements), "packed_volume": packed,
                 "utilisation": packed / container.volume, "weight_kg": float(weight)},
    )


def _geometry(out: _Kinds, placements: list[Placement], index: np.ndarray, rows: np.ndarray,
              types: dict, min_support: float) -> None:
    """Overlap, support, stackability and unloading order of the boxes with integer geometry
    (``index``: their numbers in the packing; ``rows``: x, y, z, dx, dy, dz)."""
    n = len(placements)
    pos, dim = rows[:, :3], rows[:, 3:]
    end = pos + dim
    kinds = [types.get(p.type_id) if isinstance(p.type_id, numbers.Integral | str) else None for p in placements]
    stack_ok = np.array([t is None or bool(t.stackable) for t in kinds])  # unknown types: listed already
    stop = np.array([-1 if t is None or t.stop is None else int(t.stop) for t in kinds], dtype=np.int64)
    has_stops = bool((stop >= 0).any())
    support = np.zeros(n)
    overlaps, stacked, above = _First(), _First(), _First()
    for i, j in _x_pairs(pos, end):
        ox = _overlap(pos, end, i, j, 0)
        oy = _overlap(pos, end, i, j, 1)
        oz = _overlap(pos, end, i, j, 2)
        hit = (ox > 0) & (oy > 0) & (oz > 0)
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        overlaps.add(lo[hit] * n + hi[hit])
        area = ox.astype(float) * oy.astype(float)
        for a, b in ((i, j), (j, i)):  # b's top at a's base height: b carries a
            on = (end[b, 2] == pos[a, 2]) & (area > 0)
            support += np.bincount(a[on], weights=area[on], minlength=n)
            bad = on & ~stack_ok[b]
            stacked.add(a[bad] * n + b[bad])
            if has_stops:  # b of a later stop above a: pulled out from under b
                up = (stop[a] >= 0) & (stop[b] > stop[a]) & (pos[b, 2] >= end[a, 2]) & (ox > 0) & (oy > 0)
                above.add(a[up] * n + b[up])

    def box(k: int) -> int:
        return int(index[k])

    def vol(a: int, b: int) -> int:
        return int(np.prod([min(end[a, k], end[b, k]) - max(pos[a, k], pos[b, k]) for k in range(3)], dtype=object))

    out.add("overlap", [Violation(f"boxes {box(a)} and {box(b)}", f"overlap ({vol(a, b)} cubic units)")
                        for a, b in (divmod(int(key), n) for key in overlaps.keys)], overlaps.count)
    base = dim[:, 0].astype(float) * dim[:, 1].astype(float)
    unsup = np.nonzero((pos[:, 2] > 0) & (support < min_support * base - 1e-9))[0]
    out.add("support", [Violation(f"box {box(i)} (type {placements[i].type_id})",
                                  f"at z={pos[i, 2]}, {support[i] / base[i]:.1%} of its base supported, {min_support:.0%} required")
                        for i in unsup[:_MAX_LISTED]], len(unsup))
    out.add("stackable", [Violation(f"box {box(a)}", f"rests on box {box(b)} of type {placements[b].type_id}, which is not stackable")
                          for a, b in (divmod(int(key), n) for key in stacked.keys)], stacked.count)
    if has_stops:
        front = _front_pairs(pos, end, stop)
        out.add("unloading", [Violation(f"box {box(b)} (stop {stop[b]})", f"unloading order: in front of box {box(a)} (stop {stop[a]}) towards the door")
                              for a, b in (divmod(int(key), n) for key in front.keys)], front.count)
        out.add("unloading", [Violation(f"box {box(b)} (stop {stop[b]})", f"unloading order: above box {box(a)} (stop {stop[a]})")
                              for a, b in (divmod(int(key), n) for key in above.keys)], above.count)


def _front_pairs(pos: np.ndarray, end: np.ndarray, stop: np.ndarray) -> _First:
    """Pairs (a, b): b of a later stop lies in front of a towards the door (b.x >= a's end)
    while their y-z projections overlap. Row blocks keep memory linear in the number of boxes."""
    n = len(stop)
    found = _First()
    rows = max(1, _CHUNK // max(n, 1))
    cols = np.arange(n)
    for s in range(0, n, rows):
        a = np.arange(s, min(n, s + rows))[:, None]
        later = (stop[a] >= 0) & (stop[None, :] > stop[a])
        oy = np.minimum(end[a, 1], end[None, :, 1]) - np.maximum(pos[a, 1], pos[None, :, 1]) > 0
        oz = np.minimum(end[a, 2], end[None, :, 2]) - np.maximum(pos[a, 2], pos[None, :, 2]) > 0
        hit = later & (pos[None, :, 0] >= end[a, 0]) & oy & oz
        ai, bj = np.nonzero(hit)
        found.add((a[ai, 0] * n + cols[bj]).astype(np.int64))
    return found
