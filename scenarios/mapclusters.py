"""Dense clusters of map nodes: groups much smaller than the map, drawn again in an inset.

Pure geometry on (lon, lat) degrees (no matplotlib): single-linkage grouping with a distance
threshold that is a fraction of the map's extent, then the groups that are both crowded (at
least ``min_nodes``) and small against the map (their own extent at most ``max_share`` of it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Cluster", "dense_clusters"]


@dataclass(frozen=True, kw_only=True)
class Cluster:
    """Indices of the nodes of one dense group and the extent (degrees) an inset shows:
    ``(lon_min, lon_max, lat_min, lat_max)``, the nodes' box plus a margin."""

    members: tuple[int, ...]
    extent: tuple[float, float, float, float]


def dense_clusters(
    points: Sequence[tuple[float, float]],
    extent: tuple[float, float, float, float],
    *,
    link_share: float = 0.08,
    max_share: float = 0.2,
    min_nodes: int = 3,
    max_clusters: int = 3,
    min_map_span_deg: float = 3.0,
) -> list[Cluster]:
    """The dense groups of ``points`` ((lon, lat) degrees) on a map of ``extent``, largest first.

    Two points are neighbours when they are closer than ``link_share`` of the map's span (the
    larger of its width and height in degrees, longitudes scaled by the cosine of the mean
    latitude); a group is dense when it has ``min_nodes`` or more points and its own span is
    at most ``max_share`` of the map's. At most ``max_clusters`` groups are returned; none on
    a map under ``min_map_span_deg`` (a city's milk run is drawn at its own scale: its
    labels are placed there, an inset would repeat the map).
    """
    x0, x1, y0, y1 = extent
    kx = math.cos(math.radians(max(min(abs(y0 + y1) / 2, 80.0), 0.0)))  # degrees of lon -> km-ish
    span = max((x1 - x0) * kx, y1 - y0)
    if span < min_map_span_deg or len(points) < min_nodes:
        return []
    parent = list(range(len(points)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    limit = link_share * span
    for i, (ax, ay) in enumerate(points):
        for j in range(i + 1, len(points)):
            bx, by = points[j]
            if math.hypot((ax - bx) * kx, ay - by) < limit:
                parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(points)):
        groups.setdefault(root(i), []).append(i)
    out = []
    for members in groups.values():
        if len(members) < min_nodes:
            continue
        lons = [points[i][0] for i in members]
        lats = [points[i][1] for i in members]
        w, h = (max(lons) - min(lons)) * kx, max(lats) - min(lats)
        if max(w, h) > max_share * span:
            continue
        out.append(Cluster(members=tuple(members), extent=_inset_extent(lons, lats, kx, 0.015 * span)))
    out.sort(key=lambda c: (-len(c.members), c.members))
    return out[:max_clusters]


def _inset_extent(lons: list[float], lats: list[float], kx: float,
                  least: float) -> tuple[float, float, float, float]:
    """The box of the points plus 25 % each side, at least ``least`` degrees wide and high,
    widened so that it is no flatter or taller than 2:1 (an inset panel stays readable)."""
    cx, cy = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2
    w = max((max(lons) - min(lons)) * kx * 1.5, least)
    h = max((max(lats) - min(lats)) * 1.5, least)
    w, h = max(w, h / 2), max(h, w / 2)
    half_x, half_y = w / 2 / max(kx, 1e-6), h / 2
    return (max(cx - half_x, -180.0), min(cx + half_x, 180.0),
            max(cy - half_y, -80.0), min(cy + half_y, 84.0))
