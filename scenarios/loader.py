"""Load and validate scenario files (YAML or JSON) into frozen :class:`Scenario` objects."""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from mmroute.errors import ScenarioError
from mmroute.io import read_text
from mmroute.scenarios import defaults as D
from mmroute.scenarios.bundled import bundled_path
from mmroute.scenarios.cars_section import CARS_KEYS, parse_cars
from mmroute.scenarios.distances import SEA_PASSAGES, geodesic_km, polyline_km, sea_route
from mmroute.scenarios.fields import Fields
from mmroute.scenarios.model import (
    Box,
    Customer,
    DemandNoise,
    Depot,
    Disruption,
    Fleet,
    LateOrders,
    Link,
    Node,
    Objective,
    RoadTraffic,
    Scenario,
    Shipment,
    Timetable,
    Uncertainty,
    VehicleType,
    WeatherCell,
)

__all__ = [
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

_DISRUPTION_KINDS = (
    "link_closure",
    "node_closure",
    "port_congestion",
    "border_delay",
    "service_cancellation",
)
_LINK_TARGETS = frozenset({"link_closure", "service_cancellation"})
_WEATHER_KINDS = ("typhoon", "storm", "fog", "ice")


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
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
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
    return _Parser(Fields(file), Path(base_dir)).scenario(data, source_file)


def read_link_geometries(path: Path) -> dict[str, tuple[tuple[float, float], ...]]:
    """Link geometries from a GeoJSON FeatureCollection of LineStrings.

    Each feature names its link in ``properties.link``; coordinates are [lon, lat].
    """
    data = read_document(path)
    f = Fields(path.name)
    f.mapping(data, "", required=("type", "features"), optional=("name", "crs", "bbox"))
    if data["type"] != "FeatureCollection":
        raise f.error("type", f"{data['type']!r} is not 'FeatureCollection'")
    out: dict[str, tuple[tuple[float, float], ...]] = {}
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


class _Parser:
    def __init__(self, f: Fields, base_dir: Path):
        self.f = f
        self.base_dir = base_dir
        self.geometries: dict[str, tuple[tuple[float, float], ...]] = {}

    # top level ---------------------------------------------------------------------------
    def scenario(self, data: Any, source_file: str | None) -> Scenario:
        f = self.f
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
                *CARS_KEYS,
            ),
        )
        if data.get("geometry_file") is not None:
            rel = f.string(data["geometry_file"], "geometry_file", max_len=500)
            self.geometries = read_link_geometries(self.base_dir / rel)
        name = f.identifier(data["name"], "name")
        start = self._start(data.get("start"))
        horizon_h = f.number(data["horizon_h"], "horizon_h", gt=0, le=24 * 365 * 5)
        tonnes = f.number(
            data.get("tonnes_per_teu", D.DEFAULT_TONNES_PER_TEU), "tonnes_per_teu", gt=0, le=40
        )
        sources = tuple(
            f.string(s, f"sources[{i}]")
            for i, s in enumerate(f.sequence(data.get("sources", []), "sources"))
        )
        nodes = self.nodes(data["nodes"])
        by_id = {n.id: n for n in nodes}
        links = self.links(data["links"], by_id, tonnes)
        unused = set(self.geometries) - {lk.id for lk in links}
        if unused:
            raise f.error(
                "geometry_file", f"geometry for unknown link(s): {', '.join(sorted(unused))}"
            )
        objective = self.objective(data.get("objective", {}))
        shipments = self.shipments(data["shipments"], by_id, objective, horizon_h)
        self.check_paths(shipments, links)
        fleet = None if data.get("fleet") is None else self.fleet(data["fleet"], by_id, horizon_h)
        uncertainty = self.uncertainty(
            data.get("uncertainty") or {}, by_id, {lk.id for lk in links}, start
        )
        cars = parse_cars(f, data, by_id, horizon_h)
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
            source_file=source_file,
        )

    def _start(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, (datetime, date)):
            return value.isoformat()
        text = self.f.string(value, "start", max_len=40)
        try:
            datetime.fromisoformat(text)
        except ValueError:
            raise self.f.error(
                "start", f"{text!r} is not an ISO date-time (e.g. 2026-03-02T00:00)"
            ) from None
        return text

    # nodes -------------------------------------------------------------------------------
    def nodes(self, value: Any) -> tuple[Node, ...]:
        f = self.f
        items = f.sequence(value, "nodes", min_len=2)
        out = []
        for i, raw in enumerate(items):
            p = f"nodes[{i}]"
            f.mapping(
                raw,
                p,
                required=("id", "kind", "lon", "lat"),
                optional=(
                    "name",
                    "handling_time_h",
                    "handling_cost_cny",
                    "dwell_h",
                    "capacity_teu_per_day",
                ),
            )
            ident = f.identifier(raw["id"], f"{p}.id")
            cap = raw.get("capacity_teu_per_day")
            out.append(
                Node(
                    id=ident,
                    name=f.string(raw.get("name", ident), f"{p}.name", max_len=200),
                    kind=f.choice(raw["kind"], f"{p}.kind", D.NODE_KINDS),
                    lon=f.number(raw["lon"], f"{p}.lon", ge=-180, le=180),
                    lat=f.number(raw["lat"], f"{p}.lat", ge=-90, le=90),
                    handling_time_h=f.number(
                        raw.get("handling_time_h", 0.0), f"{p}.handling_time_h", ge=0
                    ),
                    handling_cost_cny=f.number(
                        raw.get("handling_cost_cny", 0.0), f"{p}.handling_cost_cny", ge=0
                    ),
                    dwell_h=f.number(raw.get("dwell_h", 0.0), f"{p}.dwell_h", ge=0, le=24 * 60),
                    capacity_teu_per_day=None
                    if cap is None
                    else f.number(cap, f"{p}.capacity_teu_per_day", gt=0),
                )
            )
        f.unique([n.id for n in out], "nodes", "node")
        return tuple(out)

    # links -------------------------------------------------------------------------------
    def links(self, value: Any, nodes: dict[str, Node], tonnes: float) -> tuple[Link, ...]:
        f = self.f
        items = f.sequence(value, "links", min_len=1)
        out: list[Link] = []
        origin_path: list[str] = []
        for i, raw in enumerate(items):
            p = f"links[{i}]"
            f.mapping(
                raw,
                p,
                required=("from", "to", "mode"),
                optional=(
                    "id",
                    "bidirectional",
                    "distance_km",
                    "distance_source",
                    "avoid",
                    "geometry",
                    "speed_kmh",
                    "transit_time_h",
                    "cost_per_teu_km_cny",
                    "fixed_cost_cny",
                    "co2_kg_per_teu_km",
                    "capacity_teu",
                    "timetable",
                ),
            )
            mode = f.choice(raw["mode"], f"{p}.mode", D.MODES)
            src = f.reference(raw["from"], f"{p}.from", nodes, "node")
            dst = f.reference(raw["to"], f"{p}.to", nodes, "node")
            if src == dst:
                raise f.error(f"{p}.to", f"a link must join two different nodes, got '{src}' twice")
            ident = f.identifier(raw.get("id", f"{src}-{dst}-{mode}"), f"{p}.id")
            both = f.boolean(raw.get("bidirectional", False), f"{p}.bidirectional")
            fwd = self._link(raw, p, ident, src, dst, mode, nodes, tonnes, reverse=False)
            out.append(fwd)
            origin_path.append(p)
            if both:
                out.append(
                    self._link(raw, p, f"{ident}~r", dst, src, mode, nodes, tonnes, reverse=True)
                )
                origin_path.append(p)
        seen: dict[str, int] = {}
        for k, lk in enumerate(out):
            if lk.id in seen:
                raise f.error(
                    f"{origin_path[k]}.id",
                    f"duplicate link id '{lk.id}' (also from {origin_path[seen[lk.id]]})",
                )
            seen[lk.id] = k
        return tuple(out)

    def _link(
        self,
        raw: Mapping[str, Any],
        p: str,
        ident: str,
        src: str,
        dst: str,
        mode: str,
        nodes: dict[str, Node],
        tonnes: float,
        *,
        reverse: bool,
    ) -> Link:
        f = self.f
        a, b = nodes[src], nodes[dst]
        avoid: tuple[str, ...] = ()
        if "avoid" in raw:
            if mode != "sea":
                raise f.error(f"{p}.avoid", "only sea links can avoid straits or canals")
            avoid = tuple(
                f.choice(x, f"{p}.avoid[{j}]", SEA_PASSAGES)
                for j, x in enumerate(
                    f.sequence(raw["avoid"], f"{p}.avoid", max_len=len(SEA_PASSAGES))
                )
            )
        geometry: tuple[tuple[float, float], ...] | None = None
        if "geometry" in raw:
            pts = f.sequence(raw["geometry"], f"{p}.geometry", min_len=2, max_len=100_000)
            geometry = tuple(f.lonlat(pt, f"{p}.geometry[{j}]") for j, pt in enumerate(pts))
            if reverse:
                geometry = geometry[::-1]
        elif ident in self.geometries:
            geometry = self.geometries[ident]
        elif reverse and ident.removesuffix("~r") in self.geometries:
            geometry = self.geometries[ident.removesuffix("~r")][::-1]
        if "distance_km" in raw:
            distance = f.number(raw["distance_km"], f"{p}.distance_km", gt=0, le=50_000)
            source = "given"
            if "distance_source" in raw:
                source = f.string(raw["distance_source"], f"{p}.distance_source", max_len=40)
        elif geometry is not None:
            distance, source = polyline_km(geometry), "geometry"
            if mode in D.CIRCUITY and len(geometry) == 2:
                distance *= D.CIRCUITY[mode]
                source = "geodesic x circuity"
        elif mode == "sea":
            try:
                distance, lane = sea_route(a.lon, a.lat, b.lon, b.lat, avoid)
                # the lane starts and ends offshore: join it to the ports (distance unchanged)
                geometry = ((a.lon, a.lat), *lane, (b.lon, b.lat))
            except Exception as exc:  # searoute fails on points it cannot snap
                raise f.error(f"{p}", f"no sea route from '{src}' to '{dst}' ({exc})") from None
            source = "sea lanes (searoute)"
        else:
            distance = geodesic_km(a.lon, a.lat, b.lon, b.lat) * D.CIRCUITY[mode]
            source = "geodesic x circuity"
        if distance <= 0:
            raise f.error(
                f"{p}.distance_km", f"'{src}' and '{dst}' are at the same place: give distance_km"
            )
        if geometry is None:
            geometry = ((a.lon, a.lat), (b.lon, b.lat))
        timetable = None
        if mode in D.SCHEDULED_MODES:
            if "timetable" not in raw:
                raise f.error(
                    f"{p}.timetable", f"required for {mode} services (departures, period, cut-off)"
                )
            timetable = self.timetable(raw["timetable"], f"{p}.timetable")
        elif "timetable" in raw:
            raise f.error(f"{p}.timetable", "road links run at any time and take no timetable")
        co2 = raw.get("co2_kg_per_teu_km")
        transit = raw.get("transit_time_h")
        cap = raw.get("capacity_teu")
        return Link(
            id=ident,
            from_node=src,
            to_node=dst,
            mode=mode,
            distance_km=distance,
            distance_source=source,
            speed_kmh=f.number(
                raw.get("speed_kmh", D.SPEED_KMH[mode]), f"{p}.speed_kmh", gt=0, le=1000
            ),
            transit_time_h=None
            if transit is None
            else f.number(transit, f"{p}.transit_time_h", gt=0),
            cost_per_teu_km_cny=f.number(
                raw.get("cost_per_teu_km_cny", D.COST_PER_TEU_KM_CNY[mode]),
                f"{p}.cost_per_teu_km_cny",
                ge=0,
            ),
            fixed_cost_cny=f.number(raw.get("fixed_cost_cny", 0.0), f"{p}.fixed_cost_cny", ge=0),
            co2_kg_per_teu_km=D.co2_kg_per_teu_km(mode, distance, tonnes)
            if co2 is None
            else f.number(co2, f"{p}.co2_kg_per_teu_km", ge=0),
            capacity_teu=None if cap is None else f.number(cap, f"{p}.capacity_teu", gt=0),
            timetable=timetable,
            avoid=avoid,
            geometry=geometry,
        )

    def timetable(self, raw: Any, p: str) -> Timetable:
        f = self.f
        f.mapping(raw, p, required=("period_h", "departures_h"), optional=("cutoff_h", "first_h"))
        period = f.number(raw["period_h"], f"{p}.period_h", gt=0, le=24 * 366)
        deps_raw = f.sequence(raw["departures_h"], f"{p}.departures_h", max_len=1000)
        if not deps_raw:
            raise f.error(f"{p}.departures_h", "a timetable needs at least one departure")
        deps = tuple(
            sorted(
                f.number(x, f"{p}.departures_h[{j}]", ge=0, lt=period)
                for j, x in enumerate(deps_raw)
            )
        )
        if len(set(deps)) != len(deps):
            raise f.error(f"{p}.departures_h", "departures must be distinct")
        return Timetable(
            period_h=period,
            departures_h=deps,
            cutoff_h=f.number(raw.get("cutoff_h", 0.0), f"{p}.cutoff_h", ge=0, lt=24 * 30),
            first_h=f.number(raw.get("first_h", 0.0), f"{p}.first_h", ge=0),
        )

    # shipments ---------------------------------------------------------------------------
    def shipments(
        self, value: Any, nodes: dict[str, Node], objective: Objective, horizon_h: float
    ) -> tuple[Shipment, ...]:
        f = self.f
        items = f.sequence(value, "shipments", min_len=1)
        out = []
        for i, raw in enumerate(items):
            p = f"shipments[{i}]"
            f.mapping(
                raw,
                p,
                required=("id", "origin", "destination", "quantity_teu", "due_h"),
                optional=("release_h", "lateness_penalty_cny_per_teu_h", "cargo"),
            )
            origin = f.reference(raw["origin"], f"{p}.origin", nodes, "node")
            dest = f.reference(raw["destination"], f"{p}.destination", nodes, "node")
            if origin == dest:
                raise f.error(f"{p}.destination", f"same as the origin '{origin}'")
            release = f.number(raw.get("release_h", 0.0), f"{p}.release_h", ge=0, lt=horizon_h)
            due = f.number(raw["due_h"], f"{p}.due_h")
            if due <= release:
                raise f.error(f"{p}.due_h", f"due {due:g} h is not after release {release:g} h")
            out.append(
                Shipment(
                    id=f.identifier(raw["id"], f"{p}.id"),
                    origin=origin,
                    destination=dest,
                    quantity_teu=f.number(raw["quantity_teu"], f"{p}.quantity_teu", gt=0, le=1e6),
                    release_h=release,
                    due_h=due,
                    lateness_penalty_cny_per_teu_h=f.number(
                        raw.get("lateness_penalty_cny_per_teu_h", objective.lateness_cny_per_teu_h),
                        f"{p}.lateness_penalty_cny_per_teu_h",
                        ge=0,
                    ),
                    cargo=None
                    if raw.get("cargo") is None
                    else f.string(raw["cargo"], f"{p}.cargo", max_len=100),
                )
            )
        f.unique([s.id for s in out], "shipments", "shipment")
        return tuple(out)

    def check_paths(self, shipments: tuple[Shipment, ...], links: tuple[Link, ...]) -> None:
        succ: dict[str, set[str]] = {}
        for lk in links:
            succ.setdefault(lk.from_node, set()).add(lk.to_node)
        reach: dict[str, set[str]] = {}
        for i, s in enumerate(shipments):
            if s.origin not in reach:
                seen = {s.origin}
                queue = deque([s.origin])
                while queue:
                    for nxt in succ.get(queue.popleft(), ()):
                        if nxt not in seen:
                            seen.add(nxt)
                            queue.append(nxt)
                reach[s.origin] = seen
            if s.destination not in reach[s.origin]:
                raise self.f.error(
                    f"shipments[{i}]",
                    f"no path of links from '{s.origin}' to '{s.destination}'",
                )

    # fleet -------------------------------------------------------------------------------
    def fleet(self, raw: Any, nodes: dict[str, Node], horizon_h: float) -> Fleet:
        f = self.f
        f.mapping(
            raw, "fleet", required=("depots", "vehicle_types", "customers"), optional=("distances",)
        )
        depots = []
        for i, d in enumerate(f.sequence(raw["depots"], "fleet.depots", min_len=1)):
            p = f"fleet.depots[{i}]"
            f.mapping(d, p, required=("id", "node"))
            depots.append(
                Depot(
                    f.identifier(d["id"], f"{p}.id"),
                    f.reference(d["node"], f"{p}.node", nodes, "node"),
                )
            )
        f.unique([d.id for d in depots], "fleet.depots", "depot")
        depot_ids = {d.id for d in depots}
        vtypes = []
        for i, v in enumerate(f.sequence(raw["vehicle_types"], "fleet.vehicle_types", min_len=1)):
            p = f"fleet.vehicle_types[{i}]"
            f.mapping(
                v,
                p,
                required=("id", "depot", "count", "capacity_kg"),
                optional=(
                    "capacity_m3",
                    "inner_dims_m",
                    "fixed_cost_cny",
                    "cost_per_km_cny",
                    "cost_per_h_cny",
                    "speed_kmh",
                    "shift_start_h",
                    "shift_end_h",
                    "max_duration_h",
                ),
            )
            start = f.number(v.get("shift_start_h", 0.0), f"{p}.shift_start_h", ge=0)
            end = f.number(v.get("shift_end_h", horizon_h), f"{p}.shift_end_h")
            if end <= start:
                raise f.error(
                    f"{p}.shift_end_h", f"shift ends at {end:g} h, not after its start {start:g} h"
                )
            dims = None
            if v.get("inner_dims_m") is not None:
                seq = f.sequence(v["inner_dims_m"], f"{p}.inner_dims_m", min_len=3, max_len=3)
                dims = tuple(
                    f.number(x, f"{p}.inner_dims_m[{j}]", gt=0, le=100) for j, x in enumerate(seq)
                )
            vtypes.append(
                VehicleType(
                    id=f.identifier(v["id"], f"{p}.id"),
                    depot=f.reference(v["depot"], f"{p}.depot", depot_ids, "depot"),
                    count=f.integer(v["count"], f"{p}.count", ge=1, le=10_000),
                    capacity_kg=f.number(v["capacity_kg"], f"{p}.capacity_kg", gt=0),
                    capacity_m3=None
                    if v.get("capacity_m3") is None
                    else f.number(v["capacity_m3"], f"{p}.capacity_m3", gt=0),
                    inner_dims_m=dims,  # type: ignore[arg-type]
                    fixed_cost_cny=f.number(
                        v.get("fixed_cost_cny", 0.0), f"{p}.fixed_cost_cny", ge=0
                    ),
                    cost_per_km_cny=f.number(
                        v.get("cost_per_km_cny", 0.0), f"{p}.cost_per_km_cny", ge=0
                    ),
                    cost_per_h_cny=f.number(
                        v.get("cost_per_h_cny", 0.0), f"{p}.cost_per_h_cny", ge=0
                    ),
                    speed_kmh=f.number(v.get("speed_kmh", 45.0), f"{p}.speed_kmh", gt=0, le=200),
                    shift_start_h=start,
                    shift_end_h=end,
                    max_duration_h=None
                    if v.get("max_duration_h") is None
                    else f.number(v["max_duration_h"], f"{p}.max_duration_h", gt=0),
                )
            )
        f.unique([v.id for v in vtypes], "fleet.vehicle_types", "vehicle type")
        customers = []
        for i, c in enumerate(f.sequence(raw["customers"], "fleet.customers", min_len=1)):
            customers.append(self._customer(c, f"fleet.customers[{i}]", nodes))
        f.unique([c.id for c in customers], "fleet.customers", "customer")
        distances = f.choice(
            raw.get("distances", "road-network"), "fleet.distances", ("road-network", "geodesic")
        )
        return Fleet(tuple(depots), tuple(vtypes), tuple(customers), distances)

    def _customer(self, c: Any, p: str, nodes: dict[str, Node]) -> Customer:
        f = self.f
        f.mapping(
            c,
            p,
            required=("id", "node"),
            optional=(
                "demand_kg",
                "demand_m3",
                "window_h",
                "service_h",
                "required",
                "drop_penalty_cny",
                "deliver_to",
                "boxes",
            ),
        )
        boxes = []
        for j, b in enumerate(f.sequence(c.get("boxes", []), f"{p}.boxes", max_len=10_000)):
            q = f"{p}.boxes[{j}]"
            f.mapping(
                b,
                q,
                required=("type", "dims_m", "weight_kg", "quantity"),
                optional=("upright_only", "stackable"),
            )
            seq = f.sequence(b["dims_m"], f"{q}.dims_m", min_len=3, max_len=3)
            boxes.append(
                Box(
                    type=f.identifier(b["type"], f"{q}.type"),
                    dims_m=tuple(
                        f.number(x, f"{q}.dims_m[{k}]", gt=0, le=100) for k, x in enumerate(seq)
                    ),  # type: ignore[arg-type]
                    weight_kg=f.number(b["weight_kg"], f"{q}.weight_kg", gt=0),
                    quantity=f.integer(b["quantity"], f"{q}.quantity", ge=1, le=100_000),
                    upright_only=f.boolean(b.get("upright_only", True), f"{q}.upright_only"),
                    stackable=f.boolean(b.get("stackable", True), f"{q}.stackable"),
                )
            )
        box_kg = sum(b.weight_kg * b.quantity for b in boxes)
        box_m3 = sum(b.volume_m3 * b.quantity for b in boxes)
        if "demand_kg" not in c and not boxes:
            raise f.error(f"{p}.demand_kg", "required field is missing (or give boxes)")
        window = (
            None if c.get("window_h") is None else f.interval(c["window_h"], f"{p}.window_h", ge=0)
        )
        required = f.boolean(c.get("required", True), f"{p}.required")
        penalty = c.get("drop_penalty_cny")
        if not required and penalty is None:
            raise f.error(
                f"{p}.drop_penalty_cny", "required for an optional customer (required: false)"
            )
        return Customer(
            id=f.identifier(c["id"], f"{p}.id"),
            node=f.reference(c["node"], f"{p}.node", nodes, "node"),
            demand_kg=f.number(c.get("demand_kg", box_kg), f"{p}.demand_kg", ge=0),
            demand_m3=f.number(c.get("demand_m3", box_m3), f"{p}.demand_m3", ge=0),
            service_h=f.number(c.get("service_h", 0.0), f"{p}.service_h", ge=0),
            window_h=window,
            required=required,
            drop_penalty_cny=None
            if penalty is None
            else f.number(penalty, f"{p}.drop_penalty_cny", ge=0),
            deliver_to=None
            if c.get("deliver_to") is None
            else f.reference(c["deliver_to"], f"{p}.deliver_to", nodes, "node"),
            boxes=tuple(boxes),
        )

    # uncertainty -------------------------------------------------------------------------
    def uncertainty(
        self, raw: Any, nodes: dict[str, Node], link_ids: set[str], start: str | None
    ) -> Uncertainty:
        f = self.f
        p = "uncertainty"
        f.mapping(raw, p, optional=("road_traffic", "weather", "disruptions", "demand"))
        traffic = RoadTraffic()
        if raw.get("road_traffic") is not None:
            rt = f.mapping(
                raw["road_traffic"],
                f"{p}.road_traffic",
                optional=("hourly_multipliers", "noise_sigma"),
            )
            mult = traffic.hourly_multipliers
            if "hourly_multipliers" in rt:
                seq = f.sequence(
                    rt["hourly_multipliers"],
                    f"{p}.road_traffic.hourly_multipliers",
                    min_len=24,
                    max_len=24,
                )
                mult = tuple(
                    f.number(x, f"{p}.road_traffic.hourly_multipliers[{j}]", ge=0.5, le=10)
                    for j, x in enumerate(seq)
                )
            traffic = RoadTraffic(
                mult,
                f.number(rt.get("noise_sigma", 0.0), f"{p}.road_traffic.noise_sigma", ge=0, le=2),
            )
        weather = tuple(
            self._weather(w, f"{p}.weather[{i}]", start)
            for i, w in enumerate(
                f.sequence(raw.get("weather") or [], f"{p}.weather", max_len=1000)
            )
        )
        f.unique([w.id for w in weather], f"{p}.weather", "weather cell")
        disruptions = tuple(
            self._disruption(d, f"{p}.disruptions[{i}]", nodes, link_ids)
            for i, d in enumerate(
                f.sequence(raw.get("disruptions") or [], f"{p}.disruptions", max_len=10_000)
            )
        )
        f.unique([d.id for d in disruptions], f"{p}.disruptions", "disruption")
        demand = DemandNoise()
        if raw.get("demand") is not None:
            dm = f.mapping(raw["demand"], f"{p}.demand", optional=("quantity_cv", "late_orders"))
            late = None
            if dm.get("late_orders") is not None:
                q = f"{p}.demand.late_orders"
                lo = f.mapping(
                    dm["late_orders"],
                    q,
                    required=("rate_per_day", "quantity_teu", "lead_time_h", "od_pairs"),
                )
                pairs = []
                for j, pair in enumerate(f.sequence(lo["od_pairs"], f"{q}.od_pairs", min_len=1)):
                    seq = f.sequence(pair, f"{q}.od_pairs[{j}]", min_len=2, max_len=2)
                    a = f.reference(seq[0], f"{q}.od_pairs[{j}][0]", nodes, "node")
                    b = f.reference(seq[1], f"{q}.od_pairs[{j}][1]", nodes, "node")
                    pairs.append((a, b))
                late = LateOrders(
                    rate_per_day=f.number(lo["rate_per_day"], f"{q}.rate_per_day", ge=0, le=1000),
                    quantity_teu=f.interval(lo["quantity_teu"], f"{q}.quantity_teu", gt=0),
                    lead_time_h=f.interval(lo["lead_time_h"], f"{q}.lead_time_h", gt=0),
                    od_pairs=tuple(pairs),
                )
            demand = DemandNoise(
                f.number(dm.get("quantity_cv", 0.0), f"{p}.demand.quantity_cv", ge=0, le=2), late
            )
        return Uncertainty(traffic, weather, disruptions, demand)

    def _weather(self, w: Any, p: str, start: str | None) -> WeatherCell:
        f = self.f
        f.mapping(
            w,
            p,
            required=("id", "kind", "probability", "area", "start_h", "duration_h", "effect"),
            optional=("months", "velocity_kmh", "speed_factor", "modes"),
        )
        effect = f.choice(w["effect"], f"{p}.effect", ("close", "slow"))
        factor = None
        if effect == "slow":
            if "speed_factor" not in w:
                raise f.error(f"{p}.speed_factor", "required when effect is slow")
            factor = f.number(w["speed_factor"], f"{p}.speed_factor", gt=0, lt=1)
        pts = f.sequence(w["area"], f"{p}.area", min_len=3, max_len=10_000)
        area = tuple(f.lonlat(pt, f"{p}.area[{j}]") for j, pt in enumerate(pts))
        if not self._polygon_ok(area):
            raise f.error(f"{p}.area", "not a valid polygon (self-intersecting or zero area)")
        months: tuple[int, ...] = ()
        if w.get("months") is not None:
            seq = f.sequence(w["months"], f"{p}.months", min_len=1, max_len=12)
            months = tuple(f.integer(m, f"{p}.months[{j}]", ge=1, le=12) for j, m in enumerate(seq))
            if start is None:
                raise f.error(f"{p}.months", "a seasonal cell needs the scenario's 'start' date")
        vel = (0.0, 0.0)
        if w.get("velocity_kmh") is not None:
            seq = f.sequence(w["velocity_kmh"], f"{p}.velocity_kmh", min_len=2, max_len=2)
            vel = (
                f.number(seq[0], f"{p}.velocity_kmh[0]", ge=-200, le=200),
                f.number(seq[1], f"{p}.velocity_kmh[1]", ge=-200, le=200),
            )
        modes = tuple(
            f.choice(m, f"{p}.modes[{j}]", D.MODES)
            for j, m in enumerate(
                f.sequence(w.get("modes", ["sea", "barge"]), f"{p}.modes", min_len=1, max_len=4)
            )
        )
        return WeatherCell(
            id=f.identifier(w["id"], f"{p}.id"),
            kind=f.choice(w["kind"], f"{p}.kind", _WEATHER_KINDS),
            probability=f.number(w["probability"], f"{p}.probability", ge=0, le=1),
            area=area,
            start_h=f.interval(w["start_h"], f"{p}.start_h", ge=0),
            duration_h=f.interval(w["duration_h"], f"{p}.duration_h", gt=0),
            effect=effect,
            modes=modes,
            velocity_kmh=vel,
            speed_factor=factor,
            months=months,
        )

    @staticmethod
    def _polygon_ok(area: tuple[tuple[float, float], ...]) -> bool:
        from shapely.geometry import Polygon

        poly = Polygon(area)
        return bool(poly.is_valid and poly.area > 0)

    def _disruption(self, d: Any, p: str, nodes: dict[str, Node], link_ids: set[str]) -> Disruption:
        f = self.f
        f.mapping(
            d,
            p,
            required=("id", "kind", "probability", "start_h", "duration_h"),
            optional=("target", "targets", "delay_h"),
        )
        kind = f.choice(d["kind"], f"{p}.kind", _DISRUPTION_KINDS)
        known, what = (link_ids, "link") if kind in _LINK_TARGETS else (nodes, "node")
        if ("target" in d) == ("targets" in d):
            raise f.error(f"{p}.target", "give either target (one id) or targets (a list of ids)")
        if "target" in d:
            targets = (f.reference(d["target"], f"{p}.target", known, what),)
        else:
            seq = f.sequence(d["targets"], f"{p}.targets", min_len=1, max_len=10_000)
            targets = tuple(f.reference(t, f"{p}.targets[{j}]", known, what) for j, t in enumerate(seq))
            if len(set(targets)) != len(targets):
                raise f.error(f"{p}.targets", "ids must be distinct")
        delay = None
        if kind in ("port_congestion", "border_delay"):
            if "delay_h" not in d:
                raise f.error(f"{p}.delay_h", f"required for {kind} ([min, max] extra dwell in h)")
            delay = f.interval(d["delay_h"], f"{p}.delay_h", ge=0)
        elif "delay_h" in d:
            raise f.error(f"{p}.delay_h", f"only port_congestion and border_delay take delay_h, not {kind}")
        return Disruption(
            id=f.identifier(d["id"], f"{p}.id"),
            kind=kind,
            targets=targets,
            probability=f.number(d["probability"], f"{p}.probability", ge=0, le=1),
            start_h=f.interval(d["start_h"], f"{p}.start_h", ge=0),
            duration_h=f.interval(d["duration_h"], f"{p}.duration_h", gt=0),
            delay_h=delay,
        )

    # objective ---------------------------------------------------------------------------
    def objective(self, raw: Any) -> Objective:
        f = self.f
        base = Objective()
        keys = tuple(base.to_dict())
        f.mapping(raw, "objective", optional=keys)
        values = {k: f.number(raw.get(k, getattr(base, k)), f"objective.{k}", ge=0) for k in keys}
        return Objective(**values)
