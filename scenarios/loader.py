"""Load and validate scenario files (YAML or JSON) into frozen :class:`Scenario` objects.

This module reads files and checks the top level; each section has its own module:
``network_section`` (nodes, links, timetables), ``shipments_section``, ``fleet_section``,
``uncertainty_section``, ``objective_section`` and ``cars_section``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Any

import yaml

from mmroute.errors import ScenarioError
from mmroute.io import read_text
from mmroute.scenarios import defaults as D
from mmroute.scenarios.bundled import bundled_path
from mmroute.scenarios.fields import Fields
from mmroute.scenarios.fleet_section import parse_fleet
from mmroute.scenarios.model import Roads, Scenario
from mmroute.scenarios.network_section import Geometry, parse_links, parse_nodes
from mmroute.scenarios.objective_section import parse_objective
from mmroute.scenarios.shipments_section import check_paths, parse_shipments
from mmroute.scenarios.uncertainty_section import parse_uncertainty
from mmroute.validate import instance_of

__all__ = [
    "as_scenario",
    "load",
    "parse",
    "read_document",
    "read_link_geometries",
    "resolve_path",
    "MAX_FILE_BYTES",
]

#: Largest scenario file accepted (bytes).
MAX_FILE_BYTES = 20 * 1024 * 1024
_SUFFIXES = (".yaml", ".yml", ".json")


# --- reading files ------------------------------------------------------------------------
class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML loader that refuses aliases (no 'billion laughs' expansion)."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                "YAML aliases (*name) are not allowed in scenario files",
                event.start_mark,
            )
        return super().compose_node(parent, index)


def _refuse_aliases(root: yaml.Node) -> None:
    """A :class:`~yaml.composer.ComposerError` if a node of ``root``'s tree is reached twice:
    an alias (the composer gives an alias its anchor's node, so a 'billion laughs' document
    is a small graph here, never expanded)."""
    seen: set[int] = set()
    stack = [root]
    while stack:  # no recursion: libyaml allows deeper nesting than Python's stack
        node = stack.pop()
        if id(node) in seen:
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in scenario files (the "
                "anchor is here)", node.start_mark)
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _yaml_data(text: str) -> Any:
    """Plain data of a YAML text, aliases refused. With PyYAML's libyaml binding the parse
    and the composition run in C (the bundled scenarios: 0.2 s of CPU instead of 1.8 s) and
    the same safe constructor builds the data; without it, the pure-Python loader."""
    if not hasattr(yaml, "CSafeLoader"):
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    loader = yaml.CSafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _refuse_aliases(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def resolve_path(path: str | Path) -> Path:
    """A file path, or the bundled scenario of that name (e.g. ``"tiny"``)."""
    p = Path(path)
    if p.exists() or p.suffix:
        return p
    bundled = bundled_path(p.name)
    return bundled if bundled.exists() else p


def read_document(path: str | Path) -> Any:
    """Read a YAML or JSON file into plain Python data; errors name the file."""
    p = resolve_path(path)
    name = p.name
    if not os.path.lexists(p):
        raise ScenarioError(f"no such file: {path}", file=name)
    text = read_text(p, what="scenario file", max_bytes=MAX_FILE_BYTES, error=ScenarioError)
    if not text.strip():
        raise ScenarioError("file is empty", file=name)
    if p.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
            where = f" at line {exc.lineno} column {exc.colno}" if hasattr(exc, "lineno") else ""
            raise ScenarioError(f"not valid JSON{where}", file=name) from None
    try:
        return _yaml_data(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "syntax error"
        raise ScenarioError(f"not valid YAML{where}: {problem}", file=name) from None
    except (yaml.YAMLError, RecursionError, ValueError, OverflowError) as exc:
        raise ScenarioError(f"not valid YAML: {type(exc).__name__}", file=name) from None


def load(path: str | Path) -> Scenario:
    """Load and validate a scenario file (YAML or JSON) or a bundled scenario by name.

    Raises :class:`mmroute.errors.ScenarioError` naming the file and the field on bad input.
    """
    p = resolve_path(path)
    if p.suffix.lower() not in _SUFFIXES and p.exists() and not p.is_dir():
        raise ScenarioError(
            f"unknown file type '{p.suffix}', expected one of {', '.join(_SUFFIXES)}", file=p.name
        )
    data = read_document(p)
    return parse(data, file=p.name, source_file=str(p), base_dir=p.parent)


def as_scenario(scenario: Scenario | str | PurePath, name: str = "scenario") -> Scenario:
    """``scenario`` itself if it is a :class:`Scenario`, else the one :func:`load` reads from
    a path or a bundled scenario's name; :class:`~mmroute.errors.InputError` naming ``name``
    for anything else (:class:`ScenarioError` for a bad file)."""
    if isinstance(scenario, Scenario):
        return scenario
    return load(instance_of(scenario, (str, PurePath), name))


# --- parsing ------------------------------------------------------------------------------
def parse(
    data: Any,
    *,
    file: str = "<dict>",
    source_file: str | None = None,
    base_dir: str | Path | None = None,
) -> Scenario:
    """Validate plain data (as read from a scenario file) and build a :class:`Scenario`.

    ``base_dir`` is where a ``geometry_file`` named in the data is looked for (default: the
    folder of ``source_file``, else the working directory).
    """
    if base_dir is None:
        base_dir = Path(source_file).parent if source_file else Path.cwd()
    return _scenario(Fields(file), Path(base_dir), data, source_file)


def read_link_geometries(path: Path) -> dict[str, Geometry]:
    """Link geometries from a GeoJSON FeatureCollection of LineStrings.

    Each feature names its link in ``properties.link``; coordinates are [lon, lat].
    """
    data = read_document(path)
    f = Fields(path.name)
    f.mapping(data, "", required=("type", "features"), optional=("name", "crs", "bbox"))
    if data["type"] != "FeatureCollection":
        raise f.error("type", f"{data['type']!r} is not 'FeatureCollection'")
    out: dict[str, Geometry] = {}
    for i, feat in enumerate(f.sequence(data["features"], "features")):
        p = f"features[{i}]"
        f.mapping(feat, p, required=("type", "geometry", "properties"), optional=("id", "bbox"))
        props = f.mapping(
            feat["properties"],
            f"{p}.properties",
            required=("link",),
            optional=("name", "mode", "source"),
        )
        geom = f.mapping(
            feat["geometry"], f"{p}.geometry", required=("type", "coordinates"), optional=("bbox",)
        )
        if geom["type"] != "LineString":
            raise f.error(f"{p}.geometry.type", f"{geom['type']!r} is not 'LineString'")
        pts = f.sequence(
            geom["coordinates"], f"{p}.geometry.coordinates", min_len=2, max_len=100_000
        )
        link_id = f.identifier(props["link"], f"{p}.properties.link")
        if link_id in out:
            raise f.error(f"{p}.properties.link", f"duplicate geometry for link '{link_id}'")
        out[link_id] = tuple(
            f.lonlat(pt[:2] if isinstance(pt, list) else pt, f"{p}.geometry.coordinates[{j}]")
            for j, pt in enumerate(pts)
        )
    return out


def _scenario(f: Fields, base_dir: Path, data: Any, source_file: str | None) -> Scenario:
    """The whole scenario: the top-level keys here, each section by its module."""
    # few scenarios have these sections: their readers (and models) on first use
    from mmroute.scenarios.cars_section import CARS_KEYS, parse_cars
    from mmroute.scenarios.jis_section import JIS_KEY, parse_jis

    geometries: dict[str, Geometry] = {}
    if not isinstance(data, Mapping):
        kind = "a list" if isinstance(data, list) else type(data).__name__
        raise f.error("", f"expected a mapping at the top level, got {kind}")
    f.mapping(
        data,
        "",
        required=("name", "horizon_h", "nodes", "links", "shipments"),
        optional=(
            "description",
            "start",
            "currency",
            "tonnes_per_teu",
            "sources",
            "fleet",
            "uncertainty",
            "objective",
            "geometry_file",
            "links_files",
            "roads",
            *CARS_KEYS,
            JIS_KEY,
        ),
    )
    if data.get("geometry_file") is not None:
        rel = f.string(data["geometry_file"], "geometry_file", max_len=500)
        geometries = read_link_geometries(base_dir / rel)
    name = f.identifier(data["name"], "name")
    start = _start(f, data.get("start"))
    horizon_h = f.number(data["horizon_h"], "horizon_h", gt=0, le=24 * 365 * 5)
    tonnes = f.number(
        data.get("tonnes_per_teu", D.DEFAULT_TONNES_PER_TEU), "tonnes_per_teu", gt=0, le=40
    )
    sources = tuple(
        f.string(s, f"sources[{i}]")
        for i, s in enumerate(f.sequence(data.get("sources", []), "sources"))
    )
    nodes = parse_nodes(f, data["nodes"])
    _zones_need_offset(f, start, nodes)
    by_id = {n.id: n for n in nodes}
    roads, legs = (None, None) if data.get("roads") is None else _roads(
        f, base_dir, data["roads"], data["links"], by_id)
    links = parse_links(f, data["links"], by_id, tonnes, geometries, legs)
    links += _included_links(f, base_dir, data.get("links_files"), links, by_id, tonnes,
                             geometries)
    unused = set(geometries) - {lk.id for lk in links}
    if unused:
        raise f.error(
            "geometry_file", f"geometry for unknown link(s): {', '.join(sorted(unused))}"
        )
    objective = parse_objective(f, data.get("objective", {}))
    shipments = parse_shipments(f, data["shipments"], by_id, objective, horizon_h)
    check_paths(f, shipments, links)
    fleet = None if data.get("fleet") is None else parse_fleet(f, data["fleet"], by_id, horizon_h)
    uncertainty = parse_uncertainty(
        f, data.get("uncertainty") or {}, by_id, {lk.id for lk in links}, start
    )
    cars = parse_cars(f, data, by_id, horizon_h)
    jis = parse_jis(f, data, by_id, horizon_h)
    return Scenario(
        name=name,
        description=f.string(data.get("description", ""), "description"),
        start=start,
        horizon_h=horizon_h,
        currency=f.identifier(data.get("currency", "CNY"), "currency"),
        tonnes_per_teu=tonnes,
        sources=sources,
        nodes=nodes,
        links=links,
        shipments=shipments,
        fleet=fleet,
        uncertainty=uncertainty,
        objective=objective,
        cars=cars,
        roads=roads,
        jis=jis,
        source_file=source_file,
    )


def _included_links(f: Fields, base_dir: Path, raw: Any, links, nodes, tonnes, geometries):
    """The links of the ``links_files`` (YAML/JSON files with a ``links:`` list, e.g. from
    ``mmroute schedules import``; beside this file), checked like ``links`` with errors
    naming their own file; ids unique across all."""
    if raw is None:
        return ()
    out: list = []
    seen = {lk.id: "links" for lk in links}
    for i, rel in enumerate(f.sequence(raw, "links_files", max_len=100)):
        rel = f.string(rel, f"links_files[{i}]", max_len=500)
        path = base_dir / rel
        doc = read_document(path)
        g = Fields(path.name)
        g.mapping(doc, "", required=("links",))
        for lk in parse_links(g, doc["links"], nodes, tonnes, geometries):
            if lk.id in seen:
                raise g.error(f"links[{lk.id}].id", f"duplicate link id '{lk.id}' (also in "
                                                    f"{seen[lk.id]})")
            seen[lk.id] = path.name
            out.append(lk)
    return tuple(out)


def _roads(f: Fields, base_dir: Path, raw: Any, links: Any, nodes: Mapping[str, Any]):
    """The ``roads`` section (``file``: a GraphML from ``mmroute roads import``, ``weight``:
    travel_time | length) and the OSM leg of every road link entry's pair of nodes without
    ``distance_km`` (both ways for a bidirectional one; ``None`` where the graph joins
    none)."""
    from mmroute.errors import InputError
    from mmroute.scenarios.osm_roads import load_roads, road_legs

    f.mapping(raw, "roads", required=("file",), optional=("weight",))
    rel = f.string(raw["file"], "roads.file", max_len=500)
    weight = f.choice(raw.get("weight", "travel_time"), "roads.weight",
                      ("travel_time", "length"))
    try:
        graph = load_roads(base_dir / rel)
    except InputError as exc:
        raise f.error("roads.file", f"{rel}: {exc.reason}") from None
    pairs = set()
    for lk in links if isinstance(links, list) else ():
        if isinstance(lk, Mapping) and lk.get("mode") == "road" and "distance_km" not in lk:
            a, b = lk.get("from"), lk.get("to")
            if isinstance(a, str) and isinstance(b, str) and a in nodes and b in nodes and a != b:
                pairs.add((a, b))
                if lk.get("bidirectional") is True:
                    pairs.add((b, a))
    points = {n: (nodes[n].lon, nodes[n].lat) for pair in pairs for n in pair}
    roads = Roads(file=str((base_dir / rel).resolve()), weight=weight)
    return roads, road_legs(graph, points, sorted(pairs), weight=weight)


def _zones_need_offset(f: Fields, start: str | None, nodes: Any) -> None:
    """A node's ``time_zone`` needs a ``start`` with a UTC offset (local times without one
    name no instant to show elsewhere)."""
    if start is None:
        return
    for i, n in enumerate(nodes):
        if n.time_zone is not None:
            from mmroute.scenarios.clock import parse_start

            if not parse_start(start).aware:
                raise f.error(f"{f.item('nodes', i, n.id)}.time_zone",
                              "needs a start with a UTC offset (e.g. 2026-03-02T08:00:00+08:00)")
            return


def _start(f: Fields, value: Any) -> str | None:
    """The optional ISO 8601 ``start`` date-time of hour 0, with a UTC offset and optionally
    an IANA zone (:mod:`mmroute.scenarios.clock`)."""
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        text = value.isoformat()
    else:
        text = f.string(value, "start", max_len=80)
    from mmroute.scenarios.clock import parse_start  # zoneinfo: on first use

    try:
        parse_start(text)
    except ValueError as exc:
        raise f.error("start", f"{exc} (e.g. 2026-03-02T08:00:00+08:00, optionally with a "
                               "zone: 2026-03-02T08:00:00+08:00[Asia/Shanghai])") from None
    return text
