"""The scenario model: resolved defaults, round trips, timetables."""

from __future__ import annotations

import json

import pytest

from mmroute.errors import ScenarioError
from mmroute.scenarios import Scenario, Timetable, load, parse
from mmroute.scenarios.defaults import CO2_G_PER_TKM, DEEP_SEA_CO2_G_PER_TKM


def test_bundled_name_loads_like_a_path():
    by_name = load("tiny")
    assert by_name.name == "tiny"
    assert by_name.source_file.endswith("tiny.yaml")


def test_round_trip_through_dict_and_json_gives_an_equal_scenario(base_data):
    scenario = parse(base_data, file="mini.yaml")
    again = Scenario.from_dict(json.loads(json.dumps(scenario.to_dict())))
    assert again == scenario


def test_defaults_are_resolved_with_geodesic_distance_times_circuity(base_data):
    scenario = parse(base_data)
    road = scenario.link("A-B-road")
    # Liuzhou - Qinzhou is about 305 km great-circle; road circuity 1.25
    assert road.distance_km == pytest.approx(305.0 * 1.25, rel=0.01)
    assert road.distance_source == "geodesic x circuity"
    assert road.co2_kg_per_teu_km == pytest.approx(CO2_G_PER_TKM["road"] * 10 / 1000)
    assert road.travel_time_h == pytest.approx(road.distance_km / 60.0)


def test_sea_distance_follows_sea_lanes():
    qz_hph = load("tiny").link("QZ-HPH-sea")
    assert qz_hph.distance_source == "sea lanes (searoute)"
    assert 500 < qz_hph.distance_km < 580  # 535 km measured with searoute 1.6
    assert len(qz_hph.geometry) > 2
    assert qz_hph.geometry[0] == (108.60, 21.68) and qz_hph.geometry[-1] == (106.68, 20.86)


def test_closing_suez_keeps_the_arctic_closed_and_goes_round_the_cape(base_data):
    base_data["nodes"] += [
        {"id": "SHA", "kind": "port", "lon": 121.8, "lat": 31.0},
        {"id": "RTM", "kind": "port", "lon": 4.0, "lat": 51.95},
    ]
    tt = {"period_h": 168, "departures_h": [10]}
    base_data["links"] += [
        {"id": "suez", "from": "SHA", "to": "RTM", "mode": "sea", "timetable": tt},
        {"id": "cape", "from": "SHA", "to": "RTM", "mode": "sea", "timetable": tt, "avoid": ["suez"]},
    ]
    s = parse(base_data)
    suez, cape = s.link("suez"), s.link("cape")
    assert 18_500 < suez.distance_km < 20_500
    assert cape.distance_km > suez.distance_km + 4000  # not the 15,430 km Arctic route
    assert suez.co2_kg_per_teu_km == pytest.approx(DEEP_SEA_CO2_G_PER_TKM * 10 / 1000)


def test_timetable_departures_and_cutoff():
    tt = Timetable(period_h=168, departures_h=(20.0, 92.0), cutoff_h=6, first_h=0)
    assert tt.departures(0, 400) == [20.0, 92.0, 188.0, 260.0, 356.0]
    assert tt.next_departure(14.0) == 20.0  # exactly at the cut-off
    assert tt.next_departure(14.5) == 92.0
    assert tt.next_departure(90.0) == 188.0


def test_first_departure_respected():
    tt = Timetable(period_h=24, departures_h=(8.0,), first_h=30)
    assert tt.departures(0, 80) == [32.0, 56.0, 80.0]


def test_scenario_is_frozen():
    s = load("tiny")
    with pytest.raises(AttributeError):
        s.name = "other"  # type: ignore[misc]


def test_summary_counts(base_data):
    text = parse(base_data).summary()
    assert "3 nodes, 4 links (rail 1, road 2, sea 1)" in text
    assert "2 shipments (7 TEU)" in text
    assert "fleet 2 vehicles / 1 customers" in text


def _geojson(tmp_path, features) -> str:
    (tmp_path / "links.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return "links.geojson"


def test_link_geometry_from_a_geojson_beside_the_file(tmp_path, base_data):
    line = [[109.41, 24.33], [109.0, 23.0], [108.60, 21.68]]
    base_data["geometry_file"] = _geojson(
        tmp_path,
        [{"type": "Feature", "properties": {"link": "A-B-road"},
          "geometry": {"type": "LineString", "coordinates": line}}],
    )
    (tmp_path / "case.json").write_text(json.dumps(base_data))
    s = load(tmp_path / "case.json")
    fwd, rev = s.link("A-B-road"), s.link("A-B-road~r")
    assert fwd.geometry == tuple(map(tuple, line))
    assert rev.geometry == fwd.geometry[::-1]
    assert fwd.distance_source == "geometry"
    assert 300 < fwd.distance_km < 330  # the polyline's geodesic length, no circuity


def test_geojson_naming_an_unknown_link_is_an_error(tmp_path, base_data):
    base_data["geometry_file"] = _geojson(
        tmp_path,
        [{"type": "Feature", "properties": {"link": "nope"},
          "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}}],
    )
    with pytest.raises(ScenarioError, match=r"case\.yaml: geometry_file: geometry for unknown link\(s\): nope"):
        parse(base_data, file="case.yaml", base_dir=tmp_path)


def test_geojson_with_a_point_feature_names_the_feature(tmp_path, base_data):
    base_data["geometry_file"] = _geojson(
        tmp_path,
        [{"type": "Feature", "properties": {"link": "A-B-road"},
          "geometry": {"type": "Point", "coordinates": [0, 0]}}],
    )
    with pytest.raises(ScenarioError, match=r"links\.geojson: features\[0\]\.geometry\.type"):
        parse(base_data, file="case.yaml", base_dir=tmp_path)


def test_a_sea_route_across_the_date_line_keeps_longitudes_in_range(base_data):
    base_data["nodes"] += [
        {"id": "SHA", "kind": "port", "lon": 121.8, "lat": 31.0},
        {"id": "LAX", "kind": "port", "lon": -118.26, "lat": 33.73},
    ]
    base_data["links"].append(
        {"id": "tp", "from": "SHA", "to": "LAX", "mode": "sea",
         "timetable": {"period_h": 168, "departures_h": [0]}}
    )
    s = parse(base_data)
    assert all(-180 <= lon <= 180 for lon, _ in s.link("tp").geometry)
    assert Scenario.from_dict(s.to_dict()) == s


def test_one_disruption_may_hit_several_links_together():
    s = load("china-europe")
    red_sea = next(d for d in s.uncertainty.disruptions if d.id == "red-sea")
    assert len(red_sea.targets) == 4
    assert all(s.link(t).mode == "sea" for t in red_sea.targets)


def test_every_bundled_scenario_round_trips():
    from mmroute.scenarios.bundled import bundled_names

    for name in bundled_names():
        s = load(name)
        assert Scenario.from_dict(json.loads(json.dumps(s.to_dict()))) == s, name
