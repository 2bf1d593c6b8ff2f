"""Greedy placement of map labels: candidate offsets around each point, bounding-box tests.

Each label tries offsets around its point (north-east first, then the other corners, the
sides, then twice as far) and, failing all, its shorter texts; it takes the first place that
lies inside the axes, overlaps neither a placed label nor an obstacle (markers, titles) and
is clearly nearer its own point than any other (so that no reader pins it on a neighbour).
A label that fits nowhere is left out and reported. Needs a figure whose layout is final
(the caller draws it once and freezes the layout): boxes are measured in display pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["LabelItem", "Box", "place_labels", "overlaps", "inside", "distance"]

#: A box in display pixels: (x0, y0, x1, y1).
Box = tuple[float, float, float, float]

# (dx, dy) directions in order of preference and the text alignment that keeps the text
# on that side of the point.
_DIRECTIONS = (
    (1, 1, "left", "bottom"), (1, -1, "left", "top"), (-1, 1, "right", "bottom"),
    (-1, -1, "right", "top"), (1, 0, "left", "center"), (-1, 0, "right", "center"),
    (0, 1, "center", "bottom"), (0, -1, "center", "top"),
)
_DISTANCES_PT = (4.0, 7.0, 11.0)
_SAME_PLACE_PT = 4.0  # points closer than this to a label's own point count as the same place


@dataclass(frozen=True, kw_only=True)
class LabelItem:
    """A label to place at data point (``x``, ``y``): ``texts`` in order of preference
    (e.g. the name, then the id); ``gid`` tags the text artist (tests find labels by it)."""

    x: float
    y: float
    texts: tuple[str, ...]
    gid: str


def distance(box: Box, x: float, y: float) -> float:
    """Distance (pixels) from point (``x``, ``y``) to ``box``; 0 inside it."""
    dx = max(box[0] - x, 0.0, x - box[2])
    dy = max(box[1] - y, 0.0, y - box[3])
    return (dx * dx + dy * dy) ** 0.5


def overlaps(a: Box, b: Box, pad: float = 0.0) -> bool:
    """Whether boxes ``a`` and ``b`` (pixels) overlap, ``pad`` pixels of clearance required."""
    return a[0] < b[2] + pad and b[0] < a[2] + pad and a[1] < b[3] + pad and b[1] < a[3] + pad


def inside(a: Box, frame: Box, pad: float = 0.0) -> bool:
    """Whether box ``a`` lies within ``frame`` with ``pad`` pixels to spare."""
    return (a[0] >= frame[0] + pad and a[1] >= frame[1] + pad
            and a[2] <= frame[2] - pad and a[3] <= frame[3] - pad)


def place_labels(ax: Any, items: Sequence[LabelItem], *, obstacles: list[Box],
                 points: Sequence[tuple[float, float]] = (), renderer: Any, fontsize: float = 6.5, pad_px: float = 1.5,
                 **text_kw: Any) -> tuple[list[Any], list[LabelItem]]:
    """Annotate ``ax`` with ``items`` in order; returns (the texts placed, the items left out).

    ``obstacles`` (pixel boxes) is extended with every placed label's box. ``points``
    (pixels): every point drawn on the axes; a label must be clearly nearer its own point
    than any other (points within 4 pt of its own count as the same place).
    """
    frame = _box(ax.get_window_extent(renderer))
    placed, left_out = [], []
    for item in items:
        text = _place_one(ax, item, obstacles, points, frame, renderer, fontsize, pad_px, text_kw)
        if text is None:
            left_out.append(item)
        else:
            placed.append(text)
    return placed, left_out


def _place_one(ax, item, obstacles, points, frame, renderer, fontsize, pad_px, text_kw):
    artist = ax.annotate(item.texts[0], (item.x, item.y), xytext=(0, 0),
                         textcoords="offset points", fontsize=fontsize, annotation_clip=False,
                         gid=item.gid, **text_kw)
    own = ax.transData.transform((item.x, item.y))
    # points on top of this one (a border station pair) share its labels: not "others"
    near = renderer.points_to_pixels(_SAME_PLACE_PT)
    others = [p for p in points if abs(p[0] - own[0]) > near or abs(p[1] - own[1]) > near]
    for label in item.texts:
        artist.set_text(label)
        for dist in _DISTANCES_PT:
            for dx, dy, ha, va in _DIRECTIONS:
                scale = dist if dx and dy else dist * 1.3
                artist.xyann = (dx * scale, dy * scale)
                artist.set_horizontalalignment(ha)
                artist.set_verticalalignment(va)
                box = _box(artist.get_window_extent(renderer))
                if (inside(box, frame, pad_px)
                        and not any(overlaps(box, ob, pad_px) for ob in obstacles)
                        and _nearest_is_own(box, own, others)):
                    obstacles.append(box)
                    return artist
    artist.remove()
    return None


def _nearest_is_own(box: Box, own: Sequence[float], others: Sequence[Sequence[float]]) -> bool:
    mine = distance(box, own[0], own[1])
    return all(distance(box, p[0], p[1]) > 1.5 * mine + 3.0 for p in others)


def _box(bbox: Any) -> Box:
    return (float(bbox.x0), float(bbox.y0), float(bbox.x1), float(bbox.y1))
