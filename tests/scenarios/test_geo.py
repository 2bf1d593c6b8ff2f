"""GeoDataFrames of nodes and links, and the GeoJSON / GeoPackage round trip."""

from __future__ import annotations

import json

import pytest
import shapely

from mmroute.errors import ScenarioError
from mmroute.scenarios import export, links_gdf, load, nodes_gdf, read_export


@pytest.fixture(scope="module")
def tiny():
    """The bundled tiny scenario (4 nodes, 6 links of road, rail and sea)."""
    return load("tiny")


def test_gdfs_are_wgs84_with_one_row_per_node_and_link(tiny):
    nodes, links = nodes_gdf(tiny), links_gdf(tiny)
    assert nodes.crs.to_epsg() == 4326 and links.crs.to_epsg() == 4326
    assert len(nodes) == len(tiny.nodes) and len(links) == len(tiny.links)
    assert set(nodes.geom_type) == {"Point"} and set(links.geom_type) == {"LineString"}
    assert list(links["id"]) == [lk.id for lk in tiny.links]
    for col in ("from", "to", "mode", "distance_km", "travel_time_h", "cost_cny", "co2_kg",
                "capacity_teu", "scheduled"):
        assert col in links.columns
    assert tiny.nodes_gdf().equals(nodes)


def test_link_columns_are_per_teu_totals(tiny):
    links = links_gdf(tiny).set_index("id")
    lk = tiny.link("QZ-HPH-sea")
    row = links.loc["QZ-HPH-sea"]
    assert row["cost_cny"] == pytest.approx(lk.cost_per_teu_cny)
    assert row["co2_kg"] == pytest.approx(lk.co2_kg_per_teu)
    assert bool(row["scheduled"]) and row["departures_h"] == "20" and row["cutoff_h"] == 6
    assert list(row.geometry.coords) == [tuple(p) for p in lk.geometry]


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_export_round_trip_keeps_ids_and_geometry(tmp_path, tiny, suffix):
    path = export(tiny, tmp_path / f"net{suffix}")
    nodes, links = read_export(path)
    want_nodes, want_links = nodes_gdf(tiny), links_gdf(tiny)
    assert nodes.crs.to_epsg() == 4326 and links.crs.to_epsg() == 4326
    assert list(nodes["id"]) == list(want_nodes["id"])
    assert list(links["id"]) == list(want_links["id"])
    assert list(links["mode"]) == list(want_links["mode"])
    assert list(links["scheduled"]) == list(want_links["scheduled"])
    assert links["distance_km"].to_numpy() == pytest.approx(want_links["distance_km"].to_numpy())
    for got, want in zip(list(nodes.geometry) + list(links.geometry),
                         list(want_nodes.geometry) + list(want_links.geometry)):
        assert shapely.equals_exact(got, want, tolerance=1e-9)
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


def test_geojson_is_one_feature_collection_with_a_layer_property(tmp_path, tiny):
    doc = json.loads(export(tiny, tmp_path / "net.geojson").read_text())
    assert doc["type"] == "FeatureCollection"
    layers = [f["properties"]["layer"] for f in doc["features"]]
    assert layers.count("nodes") == 4 and layers.count("links") == 6


def test_unknown_suffix_is_a_scenario_error_naming_it(tmp_path, tiny):
    with pytest.raises(ScenarioError, match=r"'\.shp'.*\.geojson, \.gpkg"):
        export(tiny, tmp_path / "net.shp")
    assert not list(tmp_path.iterdir())


def test_failed_export_leaves_the_previous_file(tmp_path, tiny, monkeypatch):
    import geopandas

    path = export(tiny, tmp_path / "net.gpkg")
    before = path.read_bytes()

    def broken(self, filename, *args, **kwargs):
        open(filename, "wb").write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(geopandas.GeoDataFrame, "to_file", broken)
    with pytest.raises(OSError, match="disk full"):
        export(tiny, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.gpkg"]


def test_read_export_of_a_missing_file_is_a_scenario_error(tmp_path):
    with pytest.raises(ScenarioError, match="no such file"):
        read_export(tmp_path / "missing.gpkg")
