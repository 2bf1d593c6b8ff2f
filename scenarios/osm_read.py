"""Stream an OpenStreetMap extract (``.osm.pbf``, ``.osm``, ``.osm.bz2``) into the raw road
graph, in memory bounded by the road network (not by the extract).

:func:`read_road_graph` reads the file twice with pyosmium (the ``[osm]`` extra), one entity
at a time: first the ways, keeping only the drivable ones (a ``highway`` class of
``DRIVABLE``, see :func:`is_drivable`) with their node ids and the tags osmnx keeps; then the
nodes, keeping only the locations (and osmnx's node tags) of nodes those ways use (looked up
in C++ by libosmium's id filter, whose bitmap is capped at 256 MB a pass). Ways without a
``highway`` tag (buildings, land use, ...) and nodes no road uses are dropped by libosmium
before they reach Python, so memory is the drivable network plus that bitmap, and the
extract is never held whole. Progress (highway ways read, node locations found) goes to
``progress``.

The graph is the one osmnx builds from the same ways (``graph_from_xml`` /
``_create_graph``: nodes with ``x``, ``y`` in degrees, one edge per pair of consecutive way
nodes, both directions unless ``oneway`` / roundabout, ``oneway`` and ``reversed`` set, the
way's tags as edge attributes, ``length`` in metres great-circle), before simplification.
Both formats go through the same reader, so a PBF extract and the XML extract of the same
data give the same graph.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import groupby, pairwise
from pathlib import Path
from typing import Any

from mmroute.errors import InputError

__all__ = ["DRIVABLE", "EXTRACT_SUFFIXES", "ReadStats", "is_drivable", "read_road_graph"]

#: ``highway`` classes kept (motor roads; osmnx's 'drive' network).
DRIVABLE = frozenset({"motorway", "motorway_link", "trunk", "trunk_link", "primary",
                      "primary_link", "secondary", "secondary_link", "tertiary",
                      "tertiary_link", "unclassified", "residential", "living_street",
                      "service", "road"})
#: Extract files :func:`read_road_graph` reads (libosmium picks the format from the name).
EXTRACT_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".xml")
#: Way tags read beyond osmnx's ``useful_tags_way`` (truck restrictions).
TRUCK_TAGS = ("maxheight", "maxweight", "hgv")
#: Entities between two progress reports.
PROGRESS_EVERY = 1_000_000
#: Blocks of 2**25 node ids (a 4 MB chunk of libosmium's id bitmap each) looked up in one
#: pass over the nodes: 64 blocks, 256 MB (OSM's 1.4e10 node ids make about 400 blocks).
ID_BLOCKS_PER_PASS = 64
_ID_BLOCK_BITS = 25
#: osmnx's ``oneway`` values that mean one way, and those that also mean reversed.
_ONEWAY = frozenset({"yes", "true", "1", "-1", "reverse", "T", "F"})
_REVERSED = frozenset({"-1", "reverse", "T"})
_NOT_FOR_TRUCKS_SERVICE = frozenset({"parking", "parking_aisle", "driveway", "private",
                                     "emergency_access"})


@dataclass(frozen=True)
class ReadStats:
    """What a read saw: ``highway_ways`` the ways with a ``highway`` tag, ``roads`` the
    drivable ones kept, ``nodes`` the node locations kept, ``missing_nodes`` the nodes those
    ways use that the extract lacks (their edges are left out)."""

    highway_ways: int
    roads: int
    nodes: int
    missing_nodes: int


def is_drivable(tags: Mapping[str, Any]) -> bool:
    """A way (or an edge's attributes) a truck may drive on: a motor road class, no parking
    aisle or driveway, no ``access=no/private``. A list (a merged edge) counts if any of its
    classes does."""
    kinds = tags.get("highway")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if not any(k in DRIVABLE for k in kinds):
        return False
    if tags.get("service") in _NOT_FOR_TRUCKS_SERVICE:
        return False
    return tags.get("access") not in ("no", "private")


def read_road_graph(extract: str | Path, *, way_tags: Iterable[str], node_tags: Iterable[str],
                    progress: Callable[[str], None] | None = None) -> tuple[Any, ReadStats]:
    """The raw (unsimplified) drivable graph of ``extract`` and what was read (see the module
    doc). ``way_tags`` / ``node_tags``: the tags kept as edge / node attributes.
    :class:`InputError` naming the file if it is missing or cannot be read."""
    path = Path(extract)
    name = path.name.lower()
    if not any(name.endswith(s) for s in EXTRACT_SUFFIXES):
        raise InputError(f"expected an OSM extract ({', '.join(EXTRACT_SUFFIXES)})", file=path)
    if not path.is_file():
        raise InputError("no such file", file=path)
    osmium = _osmium()
    say = progress or (lambda _msg: None)
    say(f"reading {path.name}")
    keep_way = tuple(dict.fromkeys([*way_tags, *TRUCK_TAGS, "highway", "service", "access"]))
    keep_node = tuple(node_tags)
    try:
        ways, highway = _read_ways(osmium, path, keep_way, say)
        needed = {n for _, refs, _ in ways for n in refs}
        say(f"{len(ways):,} drivable ways of {highway:,} highway ways; locating their "
            f"{len(needed):,} nodes")
        nodes = _read_nodes(osmium, path, needed, keep_node, say)
    except InputError:
        raise
    except Exception as exc:  # libosmium raises RuntimeError kinds on a bad file
        raise InputError(f"cannot read the OSM extract ({type(exc).__name__}: {exc})",
                         file=path) from None
    graph, missing = _build(ways, nodes)
    stats = ReadStats(highway_ways=highway, roads=len(ways), nodes=len(nodes),
                      missing_nodes=missing)
    return graph, stats


def _read_ways(osmium: Any, path: Path, keep: tuple[str, ...], say: Callable[[str], None]
               ) -> tuple[list[tuple[int, array, dict[str, str]]], int]:
    """Pass 1: the drivable ways as (id, node ids, kept tags) and the number of ways with a
    ``highway`` tag (the others are skipped by libosmium, never reaching Python)."""
    ways: list[tuple[int, array, dict[str, str]]] = []
    read = 0
    fp = osmium.FileProcessor(str(path), osmium.osm.WAY)
    for way in fp.with_filter(osmium.filter.KeyFilter("highway")):
        read += 1
        if read % PROGRESS_EVERY == 0:
            say(f"ways: {read:,} highway ways read, {len(ways):,} drivable")
        tags = {k: way.tags[k] for k in keep if k in way.tags}
        if not is_drivable(tags):
            continue
        refs = array("q", (k for k, _ in groupby(n.ref for n in way.nodes)))
        if len(refs) >= 2:
            ways.append((int(way.id), refs, tags))
    return ways, read


def _read_nodes(osmium: Any, path: Path, needed: set[int], keep: tuple[str, ...],
                say: Callable[[str], None]) -> dict[int, dict[str, Any]]:
    """Pass 2: the location (and kept tags) of each needed node. libosmium's id filter
    passes only those to Python; it is a bitmap of 4 MB per block of 2**25 ids it holds, so
    the needed ids are looked up in groups of at most :data:`ID_BLOCKS_PER_PASS` blocks, one
    pass over the nodes each (a small extract needs one)."""
    nodes: dict[int, dict[str, Any]] = {}
    total = len(needed)
    groups = _id_groups(needed)
    for i, ids in enumerate(groups, 1):
        fp = osmium.FileProcessor(str(path), osmium.osm.NODE)
        for node in fp.with_filter(osmium.filter.IdFilter(ids)):
            loc = node.location
            if not loc.valid():
                continue
            attrs: dict[str, Any] = {"y": loc.lat, "x": loc.lon}
            for k in keep:
                if k in node.tags:
                    attrs[k] = node.tags[k]
            nodes[int(node.id)] = attrs
            if len(nodes) % PROGRESS_EVERY == 0:
                say(f"nodes: {len(nodes):,} of {total:,} located")
        if len(groups) > 1 or total >= PROGRESS_EVERY:
            say(f"nodes: pass {i} of {len(groups)}, {len(nodes):,} of {total:,} located "
                f"({100 * len(nodes) / max(total, 1):.0f} %)")
    return nodes


def _id_groups(ids: set[int]) -> list[list[int]]:
    """``ids`` in groups that each touch at most :data:`ID_BLOCKS_PER_PASS` blocks of
    2**25 ids (the unit of libosmium's id bitmap)."""
    by_block: dict[int, list[int]] = {}
    for n in ids:
        by_block.setdefault(abs(n) >> _ID_BLOCK_BITS, []).append(n)
    blocks = sorted(by_block)
    return [[n for b in blocks[i:i + ID_BLOCKS_PER_PASS] for n in by_block[b]]
            for i in range(0, len(blocks), ID_BLOCKS_PER_PASS)] or [[]]


def _build(ways: list[tuple[int, array, dict[str, str]]],
           nodes: dict[int, dict[str, Any]]) -> tuple[Any, int]:
    """osmnx's graph of these ways (see the module doc) and the count of missing nodes."""
    import networkx as nx
    import osmnx as ox

    graph = nx.MultiDiGraph(crs=ox.settings.default_crs,
                            created_with=f"mmroute osm_read (osmnx {ox.__version__})")
    graph.add_nodes_from(nodes.items())
    missing: set[int] = set()
    for osmid, refs, tags in ways:
        attrs: dict[str, Any] = {"osmid": osmid, **tags}
        seq = list(refs)
        one_way = tags.get("oneway") in _ONEWAY or tags.get("junction") == "roundabout"
        if one_way and tags.get("oneway") in _REVERSED:
            seq.reverse()
        attrs["oneway"] = one_way
        edges = []
        for u, v in pairwise(seq):
            if u in nodes and v in nodes:
                edges.append((u, v))
            else:
                missing.update(n for n in (u, v) if n not in nodes)
        graph.add_edges_from(edges, **attrs, reversed=False)
        if not one_way:
            graph.add_edges_from([(v, u) for u, v in edges], **attrs, reversed=True)
    if graph.number_of_edges():
        graph = ox.distance.add_edge_lengths(graph)
    return graph, len(missing)


def _osmium() -> Any:
    try:
        import osmium
    except ImportError:
        raise InputError("OpenStreetMap extracts are read with pyosmium: "
                         "pip install 'mmroute[osm]'") from None
    return osmium
