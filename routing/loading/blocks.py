"""Blocks as numpy arrays: simple blocks and general (two-part) blocks.

A simple block is ``nx × ny × nz`` boxes of one type in one orientation. It has no gaps, and
every box in it rests fully on the box below (or on the block's base), so a block placed on a
fully supported surface keeps full support. Non-stackable types only form blocks with
``nz = 1``.

A general block joins two simple blocks side by side along x or y (both on the same base) or
one on top of the other (the upper footprint inside the lower one's top), when the parts fill
at least ``min_fill`` of their bounding box (Fanslau & Bortfeldt 2010). Each part keeps full
support; the gaps of the bounding box stay free for the heuristic's surface bookkeeping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mmroute.routing.loading.model import BoxType, Container

__all__ = ["BlockTable", "build_blocks", "add_general_blocks"]

# one part of a block: type index, nx, ny, nz, box dims as placed (bx, by, bz), offset (ox, oy, oz)
Part = tuple[int, int, int, int, int, int, int, int, int, int]


@dataclass(frozen=True)
class BlockTable:
    """Candidate blocks, one entry per row (arrays of equal length)."""

    dx: np.ndarray  # block size along x (length units)
    dy: np.ndarray
    dz: np.ndarray
    volume: np.ndarray  # packed volume = n * box volume
    type_idx: np.ndarray  # index into the box type list
    n: np.ndarray  # boxes in the block
    nx: np.ndarray
    ny: np.ndarray
    nz: np.ndarray
    bx: np.ndarray  # one box as placed inside the block
    by: np.ndarray
    bz: np.ndarray
    weight_kg: np.ndarray
    type2: np.ndarray | None = None  # second type of a general block (-1: none)
    n2: np.ndarray | None = None  # boxes of the second type
    parts: tuple[tuple[Part, ...], ...] | None = None  # None: every block is simple

    def __len__(self) -> int:
        return len(self.dx)

    def block_parts(self, k: int) -> tuple[Part, ...]:
        """The simple parts of block ``k`` with their offsets inside the block."""
        if self.parts is not None:
            return self.parts[k]
        return ((int(self.type_idx[k]), int(self.nx[k]), int(self.ny[k]), int(self.nz[k]),
                 int(self.bx[k]), int(self.by[k]), int(self.bz[k]), 0, 0, 0),)


def build_blocks(
    container: Container, box_types: Sequence[BoxType], max_per_orientation: int = 2000
) -> BlockTable:
    """All simple blocks that fit the empty container with counts within availability.

    ``max_per_orientation`` keeps the largest-volume blocks per (type, orientation) when there
    are more (only very small boxes in large numbers reach it).
    """
    L, W, H = container.dims
    rows: list[tuple[int, ...]] = []
    for ti, t in enumerate(box_types):
        q = t.quantity
        if q <= 0:
            continue
        for ox, oy, oz in t.orientations():
            if ox > L or oy > W or oz > H:
                continue
            mz = min(H // oz, q) if t.stackable else 1
            these: list[tuple[int, ...]] = []
            for nz in range(1, mz + 1):
                for ny in range(1, min(W // oy, q // nz) + 1):
                    for nx in range(1, min(L // ox, q // (nz * ny)) + 1):
                        these.append((nx * ox, ny * oy, nz * oz, ti, nx * ny * nz, nx, ny, nz, ox, oy, oz))
            if len(these) > max_per_orientation:
                these.sort(key=lambda r: -r[0] * r[1] * r[2])
                these = these[:max_per_orientation]
            rows.extend(these)
    if not rows:
        a = np.zeros(0, dtype=np.int64)
        return BlockTable(a, a, a, a, a, a, a, a, a, a, a, a, np.zeros(0))
    arr = np.array(rows, dtype=np.int64)
    vol = arr[:, 0] * arr[:, 1] * arr[:, 2]
    order = np.lexsort((arr[:, 2], -vol))  # big volume first; then lower blocks first
    arr, vol = arr[order], vol[order]
    w = np.array([box_types[i].weight_kg for i in arr[:, 3]], dtype=float) * arr[:, 4]
    return BlockTable(
        dx=arr[:, 0], dy=arr[:, 1], dz=arr[:, 2], volume=vol, type_idx=arr[:, 3], n=arr[:, 4],
        nx=arr[:, 5], ny=arr[:, 6], nz=arr[:, 7], bx=arr[:, 8], by=arr[:, 9], bz=arr[:, 10],
        weight_kg=w,
    )


def add_general_blocks(
    table: BlockTable,
    container: Container,
    box_types: Sequence[BoxType],
    *,
    min_fill: float = 0.98,
    directions: tuple[int, ...] = (0, 1, 2),
    base: int = 500,
    max_new: int = 4000,
) -> BlockTable:
    """``table`` plus general blocks made of two of its ``base`` largest simple blocks, joined
    along ``directions`` (0: x, 1: y, 2: on top)."""
    L, W, H = container.dims
    m = min(len(table), base)
    if m < 2:
        return table
    q = np.array([t.quantity for t in box_types])
    stack = np.array([t.stackable for t in box_types])
    stop = np.array([-1 if t.stop is None else t.stop for t in box_types])
    i, j = np.meshgrid(np.arange(m), np.arange(m), indexing="ij")
    i, j = i.ravel(), j.ravel()
    ti, tj = table.type_idx[i], table.type_idx[j]
    same = ti == tj
    ok = (stop[ti] == stop[tj]) & np.where(same, table.n[i] + table.n[j] <= q[ti], True)
    vol = table.volume[i] + table.volume[j]
    dxi, dyi, dzi = table.dx[i], table.dy[i], table.dz[i]
    dxj, dyj, dzj = table.dx[j], table.dy[j], table.dz[j]
    cand = []
    # (direction, bounding box, extra condition)
    for d, (bx, by, bz), cond in (
        (0, (dxi + dxj, np.maximum(dyi, dyj), np.maximum(dzi, dzj)), i < j),
        (1, (np.maximum(dxi, dxj), dyi + dyj, np.maximum(dzi, dzj)), i < j),
        (2, (dxi, dyi, dzi + dzj), (dxj <= dxi) & (dyj <= dyi) & stack[ti]),
    ):
        fill = vol / (bx * by * bz)
        if d not in directions:
            continue
        keep = ok & cond & (fill >= min_fill) & (bx <= L) & (by <= W) & (bz <= H)
        for a in np.flatnonzero(keep):
            cand.append((int(vol[a]), d, int(i[a]), int(j[a]), int(bx[a]), int(by[a]), int(bz[a])))
    cand.sort(key=lambda c: -c[0])
    seen: set[tuple[int, ...]] = set()
    rows = []
    for v, d, a, b, bx, by, bz in cand:
        ta, tb = int(table.type_idx[a]), int(table.type_idx[b])
        key = (bx, by, bz, ta, int(table.n[a]), tb, int(table.n[b]))
        if key in seen:
            continue
        seen.add(key)
        rows.append((v, d, a, b, bx, by, bz))
        if len(rows) >= max_new:
            break
    if not rows:
        return table

    def part(k: int, ox: int, oy: int, oz: int) -> Part:
        return (int(table.type_idx[k]), int(table.nx[k]), int(table.ny[k]), int(table.nz[k]),
                int(table.bx[k]), int(table.by[k]), int(table.bz[k]), ox, oy, oz)

    parts = [table.block_parts(k) for k in range(len(table))]
    dx, dy, dz, vols, t1, n1, t2, n2, w = [], [], [], [], [], [], [], [], []
    for v, d, a, b, bx, by, bz in rows:
        off = (int(table.dx[a]), 0, 0) if d == 0 else (0, int(table.dy[a]), 0) if d == 1 else (0, 0, int(table.dz[a]))
        parts.append((part(a, 0, 0, 0), part(b, *off)))
        ta, tb = int(table.type_idx[a]), int(table.type_idx[b])
        dx.append(bx)
        dy.append(by)
        dz.append(bz)
        vols.append(v)
        t1.append(ta)
        if ta == tb:
            n1.append(int(table.n[a] + table.n[b]))
            t2.append(-1)
            n2.append(0)
        else:
            n1.append(int(table.n[a]))
            t2.append(tb)
            n2.append(int(table.n[b]))
        w.append(float(table.weight_kg[a] + table.weight_kg[b]))
    k = len(rows)
    zeros = np.zeros(k, dtype=np.int64)
    cat = np.concatenate
    t2_old = table.type2 if table.type2 is not None else np.full(len(table), -1)
    n2_old = table.n2 if table.n2 is not None else np.zeros(len(table), dtype=np.int64)
    merged = BlockTable(
        dx=cat([table.dx, dx]), dy=cat([table.dy, dy]), dz=cat([table.dz, dz]),
        volume=cat([table.volume, vols]), type_idx=cat([table.type_idx, t1]), n=cat([table.n, n1]),
        nx=cat([table.nx, zeros]), ny=cat([table.ny, zeros]), nz=cat([table.nz, zeros]),
        bx=cat([table.bx, zeros]), by=cat([table.by, zeros]), bz=cat([table.bz, zeros]),
        weight_kg=cat([table.weight_kg, w]), type2=cat([t2_old, t2]), n2=cat([n2_old, n2]),
        parts=tuple(parts),
    )
    order = np.lexsort((merged.dz, -merged.volume))
    return BlockTable(
        dx=merged.dx[order], dy=merged.dy[order], dz=merged.dz[order], volume=merged.volume[order],
        type_idx=merged.type_idx[order], n=merged.n[order], nx=merged.nx[order], ny=merged.ny[order],
        nz=merged.nz[order], bx=merged.bx[order], by=merged.by[order], bz=merged.bz[order],
        weight_kg=merged.weight_kg[order], type2=merged.type2[order], n2=merged.n2[order],
        parts=tuple(merged.parts[int(o)] for o in order),
    )
