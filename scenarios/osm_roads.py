"""Road networks from OpenStreetMap: import an extract, route road legs on it.

:func:`import_roads` reads an OSM extract (``.osm.pbf``, ``.osm`` or ``.osm.bz2``) streaming
with pyosmium (:mod:`~mmroute.scenarios.osm_read`: memory bounded by the drivable network)
and builds with osmnx (both the ``[osm]`` extra) a drivable directed graph: the drivable ways
only, simplified (osmnx), edge lengths in metres, speeds and travel times from the tags with
osmnx's defaults (``maxspeed`` where tagged, else the mean of the
same ``highway`` class, else :data:`FALLBACK_KPH`), the truck restrictions ``maxheight`` (m), ``maxweight`` (t) and
``hgv`` kept; the largest strongly connected part, so every node reaches every other. It is
written as GraphML.

:func:`road_legs` routes between points (lon, lat): each is snapped to the nearest graph
node (the snap distance is reported), the leg is the fastest path (``weight="travel_time"``)
or the shortest (``"length"``) of networkx on that graph, avoiding the edges a vehicle of
``height_m`` / ``weight_t`` may not use (lower ``maxheight``, lower ``maxweight``,
``hgv=no``). Its distance is the path's length plus the two snap distances (driven at the
path's average speed), so a leg is never shorter than the great circle between its points.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from mmroute.errors import InputError
from mmroute.scenarios.osm_read import DRIVABLE, EXTRACT_SUFFIXES, TRUCK_TAGS

__all__ = ["RoadLeg", "DRIVABLE", "import_roads", "load_roads", "road_legs", "TRUCK_TAGS",
           "parse_height_m", "parse_weight_t", "EXTRACT_SUFFIXES"]

#: Speed (km/h) of a road class none of whose ways in the extract tags ``maxspeed``
#: (osmnx's ``fallback``; classes with tagged ways take their mean).
FALLBACK_KPH = 40.0
_EARTH_M = 6_371_008.8
_FEET_INCHES = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*'\s*(?:(\d+(?:\.\d+)?)\s*\")?\s*$")
_NUMBER_UNIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


@dataclass(frozen=True)
class RoadLeg:
    """A road leg on the graph: ``distance_km`` and ``time_h`` (path + snaps), the
    ``snap_m`` of its two ends to their graph nodes, and the ``path`` of graph node ids."""

    distance_km: float
    time_h: float
    snap_m: tuple[float, float]
    path: tuple[int, ...]


def import_roads(extract: str | Path, out: str | Path, *,
                 progress: Callable[[str], None] | None = None) -> Any:
    """Read ``extract`` into a drivable graph (see the module doc), write it to ``out``
    (GraphML) atomically and return it. :class:`InputError` naming the file if it cannot be
    read."""
    ox = _osmnx()
    from mmroute.io import write_with
    from mmroute.scenarios.osm_read import read_road_graph

    path = Path(extract)
    say = progress or (lambda _msg: None)
    graph, stats = read_road_graph(
        path, way_tags=ox.settings.useful_tags_way, node_tags=ox.settings.useful_tags_node,
        progress=say)
    if stats.missing_nodes:
        say(f"{stats.missing_nodes:,} nodes of drivable ways are not in the extract; "
            "their edges are left out")
    if graph.number_of_edges() == 0:
        raise InputError("no drivable roads in the extract", file=path)
    say(f"{len(graph):,} nodes, {graph.number_of_edges():,} edges; simplifying, keeping the "
        "strongly connected part")
    graph = ox.simplification.simplify_graph(graph)
    graph = ox.truncate.largest_component(graph, strongly=True)
    if len(graph) < 2:
        raise InputError("no drivable roads in the extract", file=path)
    graph = ox.routing.add_edge_speeds(graph, fallback=FALLBACK_KPH)
    graph = ox.routing.add_edge_travel_times(graph)
    say(f"{len(graph):,} nodes, {graph.number_of_edges():,} edges; writing GraphML")
    write_with(out, lambda tmp: ox.io.save_graphml(graph, tmp))
    return graph


def load_roads(path: str | Path) -> Any:
    """The graph of a GraphML file written by :func:`import_roads` (cached by path, size
    and modification time). :class:`InputError` naming the file if it cannot be read."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        raise InputError("no such road graph file", file=p) from None
    return _load(str(p.resolve()), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=4)
def _load(path: str, _size: int, _mtime: int) -> Any:
    ox = _osmnx()
    try:
        graph = ox.io.load_graphml(path)
    except Exception as exc:
        raise InputError(f"not a road graph ({type(exc).__name__}: {exc})",
                         file=path) from None
    if len(graph) < 2 or not all("travel_time" in d for _, _, d in graph.edges(data=True)):
        raise InputError("not a road graph from 'mmroute roads import' (edges need "
                         "travel_time)", file=path)
    return graph


def road_legs(graph: Any, points: Mapping[str, tuple[float, float]],
              pairs: Iterable[tuple[str, str]], *, weight: str = "travel_time",
              height_m: float | None = None, weight_t: float | None = None
              ) -> dict[tuple[str, str], RoadLeg | None]:
    """The road leg of each pair of named points (lon, lat) on ``graph`` (``None`` where
    no allowed path joins them). See the module doc."""
    import networkx as nx
    import numpy as np

    if weight not in ("travel_time", "length"):
        raise InputError(f"weight must be travel_time or length, got {weight!r}",
                         field="weight")
    ids = list(graph.nodes)
    lon = np.array([float(graph.nodes[n]["x"]) for n in ids])
    lat = np.array([float(graph.nodes[n]["y"]) for n in ids])
    snap: dict[str, tuple[int, float]] = {}
    for name, (x, y) in points.items():
        d = _haversine_m(x, y, lon, lat)
        k = int(np.argmin(d))
        snap[name] = (ids[k], float(d[k]))
    allowed = _allowed(graph, height_m, weight_t)
    view = graph if allowed is None else nx.subgraph_view(graph, filter_edge=allowed)
    out: dict[tuple[str, str], RoadLeg | None] = {}
    sources: dict[int, tuple[dict, dict]] = {}
    for a, b in pairs:
        (u, su), (v, sv) = snap[a], snap[b]
        if u not in sources:
            sources[u] = nx.single_source_dijkstra(view, u, weight=_edge_weight(weight))
        dist, paths = sources[u]
        if v not in dist:
            out[(a, b)] = None
            continue
        path = paths[v]
        length_m = time_s = 0.0
        for p, q in zip(path, path[1:], strict=False):
            e = _best_edge(view, p, q, weight)
            length_m += float(e["length"])
            time_s += float(e["travel_time"])
        speed = length_m / time_s if time_s > 0 else 30 / 3.6  # m/s on the path
        extra = su + sv
        out[(a, b)] = RoadLeg(distance_km=(length_m + extra) / 1000,
                              time_h=(time_s + extra / speed) / 3600,
                              snap_m=(su, sv), path=tuple(path))
    return out


def _edge_weight(weight: str) -> Callable[[Any, Any, dict], float]:
    """The weight of the best parallel edge between two nodes (a MultiDiGraph's edges)."""
    return lambda _u, _v, edges: min(float(e[weight]) for e in edges.values())


def _best_edge(graph: Any, u: Any, v: Any, weight: str) -> Mapping[str, Any]:
    return min(graph[u][v].values(), key=lambda e: float(e[weight]))


def _allowed(graph: Any, height_m: float | None, weight_t: float | None):
    """An edge filter for a vehicle (``None``: every edge allowed)."""
    if height_m is None and weight_t is None:
        return None

    def ok(u: Any, v: Any, k: Any) -> bool:
        e = graph[u][v][k]
        if str(e.get("hgv", "")).strip().lower() == "no":
            return False
        if height_m is not None:
            h = parse_height_m(e.get("maxheight"))
            if h is not None and h < height_m:
                return False
        if weight_t is not None:
            w = parse_weight_t(e.get("maxweight"))
            if w is not None and w < weight_t:
                return False
        return True

    return ok


def parse_height_m(value: Any) -> float | None:
    """A ``maxheight`` tag in metres (``4.2``, ``4.2 m``, ``14'6"``); ``None`` if absent or
    not a measure (``default``, ``none``, ``below_default``). A list (a merged edge) gives
    its lowest."""
    return _lowest(value, _height)


def parse_weight_t(value: Any) -> float | None:
    """A ``maxweight`` tag in tonnes (``7.5``, ``7.5 t``, ``12000 kg``, ``20 st``); ``None``
    if absent or not a measure. A list gives its lowest."""
    return _lowest(value, _weight)


def _lowest(value: Any, one: Callable[[str], float | None]) -> float | None:
    if value is None:
        return None
    items = value if isinstance(value, list) else _as_list(str(value))
    got = [x for x in (one(str(v)) for v in items) if x is not None]
    return min(got) if got else None


def _as_list(text: str) -> list[str]:
    """A tag as osmnx writes a merged edge's values in GraphML (``"['4.2', '3.9']"``)."""
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        return [t.strip().strip("'\"") for t in text[1:-1].split(",")]
    return [text]


def _height(text: str) -> float | None:
    m = _FEET_INCHES.match(text)
    if m:
        return float(m[1]) * 0.3048 + float(m[2] or 0) * 0.0254
    m = _NUMBER_UNIT.match(text)
    if not m or m[2].lower() not in ("", "m"):
        return None
    return float(m[1])


def _weight(text: str) -> float | None:
    m = _NUMBER_UNIT.match(text)
    if not m:
        return None
    unit = m[2].lower()
    factor = {"": 1.0, "t": 1.0, "kg": 0.001, "st": 0.90718474, "lbs": 0.00045359237}.get(unit)
    return None if factor is None else float(m[1]) * factor


def _haversine_m(lon0: float, lat0: float, lon, lat):
    """Great-circle distances (m) from one point to arrays of points."""
    import numpy as np

    p0, p1 = math.radians(lat0), np.radians(lat)
    dp, dl = p1 - p0, np.radians(lon) - math.radians(lon0)
    h = np.sin(dp / 2) ** 2 + math.cos(p0) * np.cos(p1) * np.sin(dl / 2) ** 2
    return 2 * _EARTH_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def _osmnx():
    try:
        import osmnx
    except ImportError:
        raise InputError("OpenStreetMap roads need osmnx: pip install 'mmroute[osm]'"
                         ) from None
    return osmnx
