"""Free supported surfaces as maximal rectangles per height level.

The heuristic keeps, for every height ``z``, the region of the x–y plane where the top of the
load (or the floor) is exactly at ``z`` and nothing lies above: a box placed there, inside the
region, is fully supported and collides with nothing. The region is stored as its maximal
rectangles ``(x0, y0, x1, y1)`` (they may overlap each other).
"""

from __future__ import annotations

Rect = tuple[int, int, int, int]

__all__ = ["Rect", "subtract_rect", "union_maximal", "prune_contained"]


def prune_contained(rects: list[Rect]) -> list[Rect]:
    """Drop rectangles contained in another one (and duplicates)."""
    rects = sorted(set(rects), key=lambda r: (r[0] - r[2]) * (r[3] - r[1]))  # large first
    out: list[Rect] = []
    for r in rects:
        if not any(o[0] <= r[0] and o[1] <= r[1] and o[2] >= r[2] and o[3] >= r[3] for o in out):
            out.append(r)
    return out


def subtract_rect(rects: list[Rect], cut: Rect) -> list[Rect]:
    """Maximal rectangles of ``union(rects) - cut`` (MaxRects split, then pruning)."""
    cx0, cy0, cx1, cy1 = cut
    out: list[Rect] = []
    changed = False
    for r in rects:
        x0, y0, x1, y1 = r
        if cx0 >= x1 or cx1 <= x0 or cy0 >= y1 or cy1 <= y0:
            out.append(r)
            continue
        changed = True
        if cx0 > x0:
            out.append((x0, y0, cx0, y1))
        if cx1 < x1:
            out.append((cx1, y0, x1, y1))
        if cy0 > y0:
            out.append((x0, y0, x1, cy0))
        if cy1 < y1:
            out.append((x0, cy1, x1, y1))
    return prune_contained(out) if changed else out


def union_maximal(rects: list[Rect]) -> list[Rect]:
    """All maximal rectangles of the union of ``rects`` (grid compression + row bitmasks)."""
    if len(rects) <= 1:
        return list(rects)
    xs = sorted({v for r in rects for v in (r[0], r[2])})
    ys = sorted({v for r in rects for v in (r[1], r[3])})
    xi = {v: i for i, v in enumerate(xs)}
    yi = {v: i for i, v in enumerate(ys)}
    nrow = len(ys) - 1
    rows = [0] * nrow
    for x0, y0, x1, y1 in rects:
        bits = ((1 << (xi[x1] - xi[x0])) - 1) << xi[x0]
        for j in range(yi[y0], yi[y1]):
            rows[j] |= bits
    out: list[Rect] = []
    for r0 in range(nrow):
        mask = rows[r0]
        for r1 in range(r0, nrow):
            if r1 > r0:
                mask &= rows[r1]
            if not mask:
                break
            m = mask
            while m:
                low = m & -m
                start = low.bit_length() - 1
                run = m >> start
                length = ((run + 1) & ~run).bit_length() - 1  # count of trailing ones
                bits = ((1 << length) - 1) << start
                m &= ~bits
                if r0 > 0 and rows[r0 - 1] & bits == bits:
                    continue  # extends downwards: not maximal
                if r1 + 1 < nrow and rows[r1 + 1] & bits == bits:
                    continue  # extends upwards
                out.append((xs[start], ys[r0], xs[start + length], ys[r1 + 1]))
    return out
