"""Simple blocks: ``nx × ny × nz`` boxes of one type in one orientation, as numpy arrays.

A simple block has no gaps, and every box in it rests fully on the box below (or on the
block's base), so a block placed on a fully supported surface keeps full support. Non-stackable
types only form blocks with ``nz = 1``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mmroute.routing.loading.model import BoxType, Container

__all__ = ["BlockTable", "build_blocks"]


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

    def __len__(self) -> int:
        return len(self.dx)


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
