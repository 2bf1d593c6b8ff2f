"""Nodes and links as GeoDataFrames (EPSG:4326), export to GeoJSON / GeoPackage and back.

Columns of ``links_gdf``: per-TEU totals ``cost_cny``, ``co2_kg`` and ``travel_time_h`` beside
the link's own fields; timetables are flattened (``period_h``, ``departures_h`` as text such
as ``"20,92"``, ``cutoff_h``) so both formats store them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from mmroute.errors import ScenarioError
from mmroute.io import write_text_atomic, write_with
from mmroute.scenarios.fields import check_suffix
from mmroute.scenarios.model import Scenario

if TYPE_CHECKING:  # geopandas is imported inside the functions: it is slow to import
    import geopandas

__all__ = ["CRS", "EXPORT_SUFFIXES", "nodes_gdf", "links_gdf", "export", "read_export"]

#: Coordinate reference system of every GeoDataFrame here: WGS84 lon/lat.
CRS = "EPSG:4326"
#: File types :func:`export` writes.
EXPORT_SUFFIXES: tuple[str, ...] = (".geojson", ".gpkg")

_NODE_COLUMNS = (
    "id", "name", "kind", "lon", "lat", "handling_time_h", "handling_cost_cny",
    "capacity_teu_per_day",
)
_LINK_COLUMNS = (
    "id", "from", "to", "mode", "scheduled", "distance_km", "distance_source", "speed_kmh",
    "travel_time_h", "cost_cny", "cost_per_teu_km_cny", "fixed_cost_cny", "co2_kg",
    "co2_kg_per_teu_km", "capacity_teu", "period_h", "departures_h", "cutoff_h", "avoid",
)


def nodes_gdf(scenario: Scenario) -> geopandas.GeoDataFrame:
    """One Point per node (lon, lat) with its fields; handling per TEU (h, CNY)."""
    import geopandas as gpd
    from shapely.geometry import Point

    rows = [
        {
            "id": n.id,
            "name": n.name,
            "kind": n.kind,
            "lon": n.lon,
            "lat": n.lat,
            "handling_time_h": n.handling_time_h,
            "handling_cost_cny": n.handling_cost_cny,
            "capacity_teu_per_day": _nan(n.capacity_teu_per_day),
        }
        for n in scenario.nodes
    ]
    geoms = [Point(n.lon, n.lat) for n in scenario.nodes]
    return gpd.GeoDataFrame(rows, columns=list(_NODE_COLUMNS), geometry=geoms, crs=CRS)


def links_gdf(scenario: Scenario) -> geopandas.GeoDataFrame:
    """One LineString per link (its geometry, lon/lat) with distance (km), travel time (h),
    cost (CNY/TEU), CO2 (kg/TEU), capacity (TEU) and timetable fields."""
    import geopandas as gpd
    from shapely.geometry import LineString

    rows = []
    for lk in scenario.links:
        tt = lk.timetable
        rows.append(
            {
                "id": lk.id,
                "from": lk.from_node,
                "to": lk.to_node,
                "mode": lk.mode,
                "scheduled": lk.scheduled,
                "distance_km": lk.distance_km,
                "distance_source": lk.distance_source,
                "speed_kmh": lk.speed_kmh,
                "travel_time_h": lk.travel_time_h,
                "cost_cny": lk.cost_per_teu_cny,
                "cost_per_teu_km_cny": lk.cost_per_teu_km_cny,
                "fixed_cost_cny": lk.fixed_cost_cny,
                "co2_kg": lk.co2_kg_per_teu,
                "co2_kg_per_teu_km": lk.co2_kg_per_teu_km,
                "capacity_teu": _nan(lk.capacity_teu),
                "period_h": _nan(None if tt is None else tt.period_h),
                "departures_h": None if tt is None else ",".join(f"{d:g}" for d in tt.departures_h),
                "cutoff_h": _nan(None if tt is None else tt.cutoff_h),
                "avoid": ",".join(lk.avoid) if lk.avoid else None,
            }
        )
    geoms = [LineString(lk.geometry) for lk in scenario.links]
    return gpd.GeoDataFrame(rows, columns=list(_LINK_COLUMNS), geometry=geoms, crs=CRS)


def export(scenario: Scenario, path: str | Path) -> Path:
    """Write nodes and links to ``path`` atomically and return it.

    ``.geojson``: one FeatureCollection, each feature's ``layer`` property is ``nodes`` or
    ``links``; ``.gpkg``: a GeoPackage with layers ``nodes`` and ``links``.
    """
    path = Path(path)
    suffix = _suffix(path, "export")
    nodes, links = nodes_gdf(scenario), links_gdf(scenario)
    if suffix == ".geojson":
        features = []
        for layer, gdf in (("nodes", nodes), ("links", links)):
            for feat in json.loads(gdf.to_json(na="drop", drop_id=True))["features"]:
                feat["properties"] = {"layer": layer, **feat["properties"]}
                features.append(feat)
        doc = {"type": "FeatureCollection", "name": scenario.name, "features": features}
        return write_text_atomic(path, json.dumps(doc, allow_nan=False) + "\n")

    def write_gpkg(tmp: Path) -> None:
        nodes.to_file(tmp, layer="nodes", driver="GPKG")
        links.to_file(tmp, layer="links", driver="GPKG")

    return write_with(path, write_gpkg)


def read_export(path: str | Path) -> tuple[geopandas.GeoDataFrame, geopandas.GeoDataFrame]:
    """Read a file written by :func:`export` back as ``(nodes, links)`` GeoDataFrames."""
    import geopandas as gpd

    path = Path(path)
    suffix = _suffix(path, "read")
    if not path.is_file():
        raise ScenarioError(f"no such file: {path}", file=path.name)
    if suffix == ".gpkg":
        return (
            gpd.read_file(path, layer="nodes").set_crs(CRS, allow_override=True),
            gpd.read_file(path, layer="links").set_crs(CRS, allow_override=True),
        )
    both = gpd.read_file(path)
    if "layer" not in both.columns:
        raise ScenarioError("not an mmroute export: features have no 'layer' property",
                            file=path.name)
    out = []
    for layer, columns in (("nodes", _NODE_COLUMNS), ("links", _LINK_COLUMNS)):
        part = both[both["layer"] == layer].reset_index(drop=True)
        part = part[[c for c in columns if c in part.columns] + ["geometry"]]
        if "scheduled" in part.columns:  # null in node features made it a float column
            part["scheduled"] = part["scheduled"].astype(bool)
        out.append(gpd.GeoDataFrame(part, geometry="geometry", crs=CRS))
    return out[0], out[1]


def _suffix(path: Path, what: str) -> str:
    return check_suffix(path, EXPORT_SUFFIXES, what)


def _nan(x: float | None) -> float:
    return float("nan") if x is None else float(x)
