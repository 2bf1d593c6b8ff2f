"""Per-node time zones: a node's ``time_zone`` shows what happens there in its local time,
with its UTC offset (plan JSON, per-shipment CSVs, page tooltips, auto-carrier schedules,
DCSA imports); hours and every number stay as they were."""

from __future__ import annotations

import copy
import csv
import json
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from mmroute.errors import ScenarioError
from mmroute.scenarios import parse
from mmroute.scenarios.clock import parse_start, with_timestamps

DCSA = Path(__file__).resolve().parents[1] / "data" / "dcsa" / "routes-shanghai-duisburg.json"
START = "2026-03-02T08:00:00+08:00[Asia/Shanghai]"
ZONES = {"RTM": "Europe/Amsterdam", "DUI": "Europe/Berlin"}


def _same_instant(a: str, b: str) -> bool:
    return datetime.fromisoformat(a) == datetime.fromisoformat(b)


def test_a_node_zone_shows_its_local_time_across_a_dst_change_and_reads_back():
    clock = parse_start("2026-03-28T19:00:00+08:00[Asia/Shanghai]").with_node_zones(
        {"BER": "Europe/Berlin"})
    assert clock.iso(0) == clock.iso(0, node="SHA") == "2026-03-28T19:00:00+08:00"
    assert clock.iso(0, node="BER") == "2026-03-28T12:00:00+01:00"
    # Berlin moves to +02:00 at 02:00 local on 29 March (hour 14): elapsed hours go on
    assert clock.iso(13.5, node="BER") == "2026-03-29T01:30:00+01:00"
    assert clock.iso(14, node="BER") == "2026-03-29T03:00:00+02:00"
    assert clock.label(14, node="BER") == "14 h (2026-03-29T03:00+02:00)"
    for h in (0.0, 13.99, 14.0, 36.25, 400.0):
        for node in ("BER", "SHA", None):
            assert clock.hours(clock.iso(h, node=node)) == pytest.approx(h, abs=0.5 / 3600)
        assert _same_instant(clock.iso(h, node="BER"), clock.iso(h))
    with pytest.raises(ValueError, match="unknown time zone 'Europe/Atlantis'"):
        clock.with_node_zones({"X": "Europe/Atlantis"})
    with pytest.raises(ValueError, match="need a start with a UTC offset"):
        parse_start("2026-03-02T00:00").with_node_zones({"X": "Europe/Berlin"})


def test_timestamps_of_plain_data_are_local_to_the_node_named_beside_them():
    clock = parse_start("2026-03-02T08:00:00+08:00").with_node_zones(ZONES)
    rtm = clock.hours("2026-04-08T06:00:00+02:00")
    assert (clock.hours("2026-03-05T18:00:00+08:00"), rtm) == (82.0, 892.0)
    leg = {"from_node": "SHA", "to_node": "RTM", "departure_h": 82.0, "arrival_h": rtm,
           "timetable_h": 82.0}
    data = with_timestamps({"from_h": 0.0, "itineraries": [
        {"legs": [leg], "handling": [{"node": "RTM", "at_h": rtm}], "arrival_h": rtm}]},
        clock)
    it = data["itineraries"][0]
    assert it["legs"][0]["departure_iso"] == "2026-03-05T18:00:00+08:00"
    assert it["legs"][0]["timetable_iso"] == "2026-03-05T18:00:00+08:00"
    assert it["legs"][0]["arrival_iso"] == "2026-04-08T06:00:00+02:00"
    assert it["handling"][0]["at_iso"] == "2026-04-08T06:00:00+02:00"
    assert it["arrival_iso"] == "2026-04-08T06:00:00+02:00"  # where its last leg ends
    assert data["from_iso"] == "2026-03-02T08:00:00+08:00"  # no node: the start's zone


def _scenario_data(zones: dict[str, str]) -> dict:
    data = {
        "name": "sha-dui", "start": START, "horizon_h": 1200,
        "nodes": [
            {"id": "PLANT", "kind": "supplier", "lon": 121.20, "lat": 31.30},
            {"id": "SHA", "kind": "port", "locode": "CNSHA", "lon": 122.06, "lat": 30.63},
            {"id": "RTM", "kind": "port", "locode": "NLRTM", "lon": 4.03, "lat": 51.95},
            {"id": "DUI", "kind": "rail_terminal", "locode": "DEDUI", "lon": 6.72,
             "lat": 51.37},
        ],
        "links": [{"from": "PLANT", "to": "SHA", "mode": "road"}],
        "shipments": [{"id": "S0", "origin": "PLANT", "destination": "SHA",
                       "quantity_teu": 1, "due_h": 24}],
    }
    for n in data["nodes"]:
        if n["id"] in zones:
            n["time_zone"] = zones[n["id"]]
    return data


def test_a_node_zone_is_checked_and_changes_no_number():
    plain = parse(_scenario_data({}))
    zoned = parse(_scenario_data(ZONES), file="sha-dui.yaml")
    assert zoned.node("RTM").time_zone == "Europe/Amsterdam"
    assert parse(zoned.to_dict()) == zoned
    assert zoned.content_hash() == plain.content_hash()  # realizations and models stay valid
    assert zoned.links == plain.links and zoned.shipments == plain.shipments
    bad = _scenario_data({"RTM": "Europe/Rotterdam"})
    with pytest.raises(ScenarioError, match=r"^sha-dui\.yaml: nodes\[RTM\]\.time_zone: "
                                            r"unknown time zone 'Europe/Rotterdam'"):
        parse(bad, file="sha-dui.yaml")
    bad = _scenario_data({"RTM": 1})
    with pytest.raises(ScenarioError, match=r"nodes\[RTM\]\.time_zone"):
        parse(bad)
    naive = _scenario_data(ZONES)
    naive["start"] = "2026-03-02T08:00"
    with pytest.raises(ScenarioError, match=r"nodes\[RTM\]\.time_zone: needs a start with a "
                                            "UTC offset"):
        parse(naive, file="sha-dui.yaml")


def test_dcsa_import_shows_times_where_they_happen(tmp_path):
    from mmroute.scenarios.schedules import import_schedules, write_links

    # nodes without zones: the payload's own offsets at each place
    im = import_schedules(DCSA, parse(_scenario_data({})))
    local = dict(im.local_departures)
    assert local["AE1-SHA-RTM"] == ("2026-03-05T18:00:00+08:00", "2026-03-12T18:00:00+08:00")
    barge = next(lk["id"] for lk in im.links if lk["mode"] == "barge")
    assert local[barge] == ("2026-04-09T10:00:00+02:00",)
    text = write_links(im, tmp_path / "links.yaml").read_text()
    assert "  # departs SHA 2026-03-05T18:00:00+08:00, 2026-03-12T18:00:00+08:00 " \
           "(local times)" in text
    assert yaml.safe_load(text)["links"] == [dict(lk) for lk in im.links]
    # a node's own zone wins (UTC here, to tell it from the payload's +02:00)
    im = import_schedules(DCSA, parse(_scenario_data({"RTM": "UTC"})))
    assert dict(im.local_departures)[barge] == ("2026-04-09T08:00:00+00:00",)


def _planned(tmp_path):
    """The Shanghai - Duisburg scenario with its imported services, zoned, and its plan."""
    from mmroute.routing.plan import solve_plan
    from mmroute.scenarios.schedules import import_schedules
    from mmroute.world.check import check_plan

    im = import_schedules(DCSA, parse(_scenario_data({})))
    data = _scenario_data(ZONES)
    data["links"] += copy.deepcopy(list(im.links))
    data["shipments"] = [{"id": "S1", "origin": "PLANT", "destination": "DUI",
                          "quantity_teu": 2, "release_h": 0, "due_h": 1000}]
    sc = parse(data)
    plan = solve_plan(sc, time_limit_s=10, seed=0)
    assert check_plan(sc, plan).ok
    return sc, plan


def test_plan_json_csv_and_page_give_each_event_in_its_nodes_zone(tmp_path):
    from mmroute.world.page import plan_page_data
    from mmroute.world.shipments import plan_rows, write_csv

    sc, plan = _planned(tmp_path)
    data = plan.to_dict(sc.clock())
    assert data["start"] == START
    legs = data["itineraries"][0]["legs"]
    assert [lg["mode"] for lg in legs] == ["road", "sea", "barge"]
    sea, barge = legs[1], legs[2]
    # the payload's own local times come back: Shanghai +08:00, Rotterdam / Duisburg +02:00
    assert sea["timetable_iso"] == "2026-03-05T18:00:00+08:00"
    assert sea["arrival_iso"] == "2026-04-08T06:00:00+02:00"
    assert barge["departure_iso"] == "2026-04-09T10:00:00+02:00"
    assert barge["arrival_iso"] == data["itineraries"][0]["arrival_iso"] \
        == "2026-04-10T20:00:00+02:00"
    assert legs[0]["departure_iso"].endswith("+08:00")
    for lg in legs:  # hours unchanged, the ISO text the same instant
        assert sc.clock().hours(lg["arrival_iso"]) == pytest.approx(lg["arrival_h"],
                                                                    abs=0.5 / 3600)
    # per-shipment CSV: release at the origin (+08:00), due and arrival at Duisburg (+02:00)
    path = write_csv(plan_rows(plan, sc), tmp_path / "ships.csv", sc.clock())
    row = next(csv.DictReader(path.open()))
    assert row["release_iso"] == "2026-03-02T08:00:00+08:00"
    assert row["departure_iso"].endswith("+08:00")
    assert row["arrival_iso"] == "2026-04-10T20:00:00+02:00"
    assert row["due_iso"] == "2026-04-12T18:00:00+02:00"  # hour 1000: 04-13 00:00 in Shanghai
    import pandas as pd

    from mmroute.world.shipments import with_iso_columns

    frame = with_iso_columns(pd.DataFrame([r.to_dict() for r in plan_rows(plan, sc)]),
                             sc.clock())  # evaluate --per-shipment's form
    assert [frame.loc[0, k] for k in ("release_iso", "arrival_iso", "due_iso")] == [
        row["release_iso"], row["arrival_iso"], row["due_iso"]]
    # page tooltips: local date-times with their offsets
    page = plan_page_data(sc, plan, basemap=False)
    tips = " ".join(lg["tip"] for lg in page["itineraries"][0]["legs"])
    assert "arrives 2026-04-08 06:00 +02:00 (h 892.0)" in tips
    assert "departs 2026-03-05 18:00 +08:00 (h 82.0)" in tips
    assert "local time Europe/Berlin" in next(n["tip"] for n in page["nodes"] if n["id"] == "DUI")


def test_auto_carrier_schedule_is_local_to_each_dealer(tmp_path):
    from mmroute.routing.cars import CarsProblem, solve_practice, write_plan

    data = {
        "name": "border", "start": "2026-03-02T06:00:00+08:00", "horizon_h": 72,
        "nodes": [{"id": "P", "kind": "plant", "lon": 106.75, "lat": 22.10},
                  {"id": "HN", "kind": "dealer", "lon": 105.85, "lat": 21.03,
                   "time_zone": "Asia/Ho_Chi_Minh"}],
        "links": [{"from": "P", "to": "HN", "mode": "road"}],
        "shipments": [{"id": "S", "origin": "P", "destination": "HN", "quantity_teu": 1,
                       "due_h": 48}],
        "vehicle_models": [{"id": "CAR", "length_m": 3.9, "width_m": 1.7, "height_m": 1.55,
                            "weight_kg": 1000}],
        "carrier_types": [{
            "id": "C", "depot": "P", "count": 1, "overall_length_m": 12, "width_m": 2.55,
            "payload_kg": 6000, "cost_per_km_cny": 5, "speed_kmh": 60,
            "envelope": {"max_length_m": 12, "max_width_m": 2.55, "max_height_m": 4.0},
            "platforms": [{"id": "LO", "unit": "tractor", "level": "lower", "length_m": 8.5,
                           "floor_height_m": 0.6, "max_vehicle_height_m": 1.8,
                           "max_weight_kg": 4000}]}],
        "vehicle_orders": [{"id": "O", "dealer": "HN", "model": "CAR", "quantity": 2,
                            "window_h": [0, 48]}],
    }
    problem = CarsProblem.from_scenario(parse(data))
    plan = solve_practice(problem)
    out = json.loads(write_plan(tmp_path / "plan.json", plan, problem).read_text())
    route = out["schedule"][0]
    assert route["depot"] == "P" and route["departure_iso"] == "2026-03-02T06:00:00+08:00"
    stop = route["stops"][0]
    assert stop["id"] == "HN" and stop["at_iso"].endswith("+07:00")
    assert parse_start(out["start"]).hours(stop["at_iso"]) == pytest.approx(stop["at_h"],
                                                                             abs=0.5 / 3600)
    from mmroute.routing.cars.page import cars_page_data

    page = cars_page_data(problem, plan, basemap=False)
    local = datetime.fromisoformat(stop["at_iso"])
    assert f"from {local:%Y-%m-%d %H:%M} +07:00" in " ".join(
        h["tip"] for it in page["itineraries"] for h in it["handling"])


def test_a_fleet_schedule_is_local_to_each_customers_node():
    from mmroute.routing.vrp.scenario import from_scenario_fleet, solution_times
    from mmroute.routing.vrp.solve import solve_vrp

    data = {
        "name": "milk", "start": "2026-03-02T06:00:00+08:00", "horizon_h": 48,
        "nodes": [{"id": "D", "kind": "depot", "lon": 106.75, "lat": 22.10},
                  {"id": "A", "kind": "supplier", "lon": 106.60, "lat": 22.20},
                  {"id": "HN", "kind": "supplier", "lon": 105.85, "lat": 21.03,
                   "time_zone": "Asia/Ho_Chi_Minh"}],
        "links": [{"from": a, "to": b, "mode": "road", "bidirectional": True}
                  for a, b in (("D", "A"), ("D", "HN"), ("A", "HN"))],
        "shipments": [{"id": "S", "origin": "A", "destination": "D", "quantity_teu": 1,
                       "due_h": 24}],
        "fleet": {"depots": [{"id": "DEP", "node": "D"}],
                  "vehicle_types": [{"id": "t", "depot": "DEP", "count": 1,
                                     "capacity_kg": 2000}],
                  "customers": [{"id": f"c-{k}", "node": k, "demand_kg": 500,
                                 "window_h": [0, 24]} for k in ("A", "HN")]},
    }
    problem = from_scenario_fleet(parse(data))
    solution = solve_vrp(problem, time_limit_s=1, seed=0)
    times = solution_times(problem, solution)
    route = times["schedule"][0]
    assert route["depot"] == "D" and route["departure_iso"].endswith("+08:00")
    assert route["arrival_iso"].endswith("+08:00")
    at = {v["node"]: v["at_iso"] for v in route["visits"]}
    assert at["HN"].endswith("+07:00") and at["A"].endswith("+08:00")
    clock = parse_start(data["start"])
    for v in route["visits"]:
        assert clock.hours(v["at_iso"]) == pytest.approx(v["at_h"], abs=0.5 / 3600)
    from mmroute.routing.vrp.page import vrp_page_data

    page = vrp_page_data(problem, solution, basemap=False)
    hn = next(n["tip"] for n in page["nodes"] if n["id"] == "c-HN")
    local = datetime.fromisoformat(at["HN"])
    assert f"{local:%Y-%m-%d %H:%M} +07:00" in hn
