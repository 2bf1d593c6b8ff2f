"""The ``nodes`` and ``links`` sections of a scenario file (links with their timetables)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mmroute.scenarios import defaults as D
from mmroute.scenarios.distances import SEA_PASSAGES, geodesic_km, polyline_km, sea_route
from mmroute.scenarios.fields import Fields
from mmroute.scenarios.locode import normalise_locode
from mmroute.scenarios.model import Link, Node, Timetable

__all__ = [
    "Geometry",
    "DERIVED_DISTANCE_SOURCES",
    "MAX_DISTANCE_SOURCE_CHARS",
    "parse_nodes",
    "parse_links",
    "parse_timetable",
]

#: A link's course as (lon, lat) points.
Geometry = tuple[tuple[float, float], ...]

#: ``distance_source`` of distances the loader computes (not declared in the file).
GEOMETRY_SOURCE = "geometry"
CIRCUITY_SOURCE = "geodesic x circuity"
SEA_LANE_SOURCE = "sea lanes (searoute)"
DERIVED_DISTANCE_SOURCES = frozenset({GEOMETRY_SOURCE, CIRCUITY_SOURCE, SEA_LANE_SOURCE})
#: Longest ``distance_source`` text accepted (characters).
MAX_DISTANCE_SOURCE_CHARS = 40


def parse_nodes(f: Fields, value: Any) -> tuple[Node, ...]:
    """The ``nodes`` list: ids unique, coordinates, handling, capacities."""
    items = f.sequence(value, "nodes", min_len=2)
    out = []
    for i, raw in enumerate(items):
        p = f.item_of("nodes", i, raw)
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
                "locode",
                "time_zone",
            ),
        )
        ident = f.identifier(raw["id"], f"{p}.id")
        cap = raw.get("capacity_teu_per_day")
        locode = None
        if raw.get("locode") is not None:
            try:
                locode = normalise_locode(f.string(raw["locode"], f"{p}.locode", max_len=20))
            except ValueError as exc:
                raise f.error(f"{p}.locode", str(exc)) from None
        zone = None
        if raw.get("time_zone") is not None:
            from mmroute.scenarios.clock import parse_zone  # zoneinfo: on first use

            zone = f.string(raw["time_zone"], f"{p}.time_zone", max_len=64)
            try:
                parse_zone(zone)
            except ValueError as exc:
                raise f.error(f"{p}.time_zone", str(exc)) from None
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
                locode=locode,
                time_zone=zone,
            )
        )
    f.unique([n.id for n in out], "nodes", "node")
    return tuple(out)


def parse_links(
    f: Fields,
    value: Any,
    nodes: dict[str, Node],
    tonnes: float,
    geometries: Mapping[str, Geometry],
    roads: Mapping[tuple[str, str], Any] | None = None,
) -> tuple[Link, ...]:
    """The ``links`` list (a bidirectional entry gives two links, the second with id ``<id>~r``);
    ``geometries`` from the scenario's ``geometry_file``; ``roads`` the OSM legs
    (:class:`~mmroute.scenarios.osm_roads.RoadLeg` by (from, to)) of the ``roads`` section."""
    items = f.sequence(value, "links", min_len=1)
    out: list[Link] = []
    origin_path: list[str] = []
    for i, raw in enumerate(items):
        p = f.item("links", i, _entry_id(raw, nodes))
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
        fwd = _link(f, raw, p, ident, src, dst, mode, nodes, tonnes, geometries, reverse=False,
                    roads=roads)
        out.append(fwd)
        origin_path.append(f"links[{i}]")  # by index: duplicates share their id
        if both:
            out.append(
                _link(f, raw, p, f"{ident}~r", dst, src, mode, nodes, tonnes, geometries,
                      reverse=True, roads=roads)
            )
            origin_path.append(f"links[{i}]")
    seen: dict[str, int] = {}
    for k, lk in enumerate(out):
        if lk.id in seen:
            raise f.error(
                f"{origin_path[k]}.id",
                f"duplicate link id '{lk.id}' (also from {origin_path[seen[lk.id]]})",
            )
        seen[lk.id] = k
    return tuple(out)


def _entry_id(raw: Any, nodes: Mapping[str, Node]) -> Any:
    """The id a link entry names itself by, before it is validated: its ``id`` field, else
    ``<from>-<to>-<mode>`` if those are known nodes and a mode (else ``None``: by index)."""
    if not isinstance(raw, Mapping):
        return None
    if "id" in raw:
        return raw["id"]
    src, dst, mode = raw.get("from"), raw.get("to"), raw.get("mode")
    if isinstance(src, str) and isinstance(dst, str) and src in nodes and dst in nodes and (
            mode in D.MODES):
        return f"{src}-{dst}-{mode}"
    return None


def _link(
    f: Fields,
    raw: Mapping[str, Any],
    p: str,
    ident: str,
    src: str,
    dst: str,
    mode: str,
    nodes: dict[str, Node],
    tonnes: float,
    geometries: Mapping[str, Geometry],
    *,
    reverse: bool,
    roads: Mapping[tuple[str, str], Any] | None = None,
) -> Link:
    """One direction of a link entry: distance (given, along its geometry, sea lanes or
    geodesic x circuity), timetable, costs and CO2 (defaults by mode)."""
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
    geometry: Geometry | None = None
    osm_time_h: float | None = None  # the OSM leg's time (roads section)
    if "geometry" in raw:
        pts = f.sequence(raw["geometry"], f"{p}.geometry", min_len=2, max_len=100_000)
        geometry = tuple(f.lonlat(pt, f"{p}.geometry[{j}]") for j, pt in enumerate(pts))
        if reverse:
            geometry = geometry[::-1]
    elif ident in geometries:
        geometry = geometries[ident]
    elif reverse and ident.removesuffix("~r") in geometries:
        geometry = geometries[ident.removesuffix("~r")][::-1]
    if "distance_km" in raw:
        distance = f.number(raw["distance_km"], f"{p}.distance_km", gt=0, le=50_000)
        source = "given"
        if "distance_source" in raw:
            source = f.string(
                raw["distance_source"], f"{p}.distance_source", max_len=MAX_DISTANCE_SOURCE_CHARS
            )
    elif mode == "road" and roads is not None:
        leg = roads.get((src, dst))
        if leg is None:
            raise f.error(p, f"no road on the OSM graph (roads.file) from '{src}' to '{dst}'")
        distance = leg.distance_km
        source = f"osm roads, snaps {leg.snap_m[0]:.0f} m + {leg.snap_m[1]:.0f} m"[
            :MAX_DISTANCE_SOURCE_CHARS]
        osm_time_h = leg.time_h
    elif geometry is not None:
        distance, source = polyline_km(geometry), GEOMETRY_SOURCE
        if mode in D.CIRCUITY and len(geometry) == 2:
            distance *= D.CIRCUITY[mode]
            source = CIRCUITY_SOURCE
    elif mode == "sea":
        try:
            distance, lane = sea_route(a.lon, a.lat, b.lon, b.lat, avoid)
            # the lane starts and ends offshore: join it to the ports (distance unchanged)
            geometry = ((a.lon, a.lat), *lane, (b.lon, b.lat))
        except Exception as exc:  # searoute fails on points it cannot snap
            raise f.error(f"{p}", f"no sea route from '{src}' to '{dst}' ({exc})") from None
        source = SEA_LANE_SOURCE
    else:
        distance = geodesic_km(a.lon, a.lat, b.lon, b.lat) * D.CIRCUITY[mode]
        source = CIRCUITY_SOURCE
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
        timetable = parse_timetable(f, raw["timetable"], f"{p}.timetable")
    elif "timetable" in raw:
        raise f.error(f"{p}.timetable", "road links run at any time and take no timetable")
    co2 = raw.get("co2_kg_per_teu_km")
    transit = raw.get("transit_time_h", osm_time_h)
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


def parse_timetable(f: Fields, raw: Any, p: str) -> Timetable:
    """A scheduled service's timetable: period, distinct departures, cut-off."""
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
