"""DCSA Commercial Schedules 1.0.3 -> timetabled links: the spec's examples, carrier-style
payloads (tests/data/dcsa), one-line errors, and a plan over imported services."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from mmroute.cli import main
from mmroute.errors import InputError
from mmroute.scenarios import parse
from mmroute.scenarios.clock import parse_start
from mmroute.scenarios.dcsa import MODES, read_sailings
from mmroute.scenarios.schedules import PERIOD_H, import_schedules, schedule_links

DATA = Path(__file__).resolve().parents[1] / "data" / "dcsa"
ROUTES = DATA / "routes-shanghai-duisburg.json"
PORTS = DATA / "port-schedules-ae1.json"
START = "2026-03-02T08:00:00+08:00"
ENDPOINTS = {"/v1/point-to-point-routes": "point-to-point", "/v1/port-schedules":
             "port-schedules", "/v1/vessel-schedules": "vessel-schedules"}


# --- the spec's examples ------------------------------------------------------------------
def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        node: Any = spec
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _variants(spec: dict, schema: dict) -> list[Any]:
    """Example instances of ``schema`` built from the spec's own ``example`` values (as
    Swagger UI shows a response's example), one per ``oneOf`` alternative and enum value."""
    schema = _resolve(spec, schema)
    if "oneOf" in schema:
        return [v for alt in schema["oneOf"] for v in _variants(spec, alt)]
    if schema.get("type") == "array" or "items" in schema:
        return [[v] for v in _variants(spec, schema["items"])]
    if schema.get("type") == "object" or "properties" in schema:
        props = {k: _variants(spec, s) for k, s in schema.get("properties", {}).items()}
        n = max((len(v) for v in props.values()), default=1)
        return [{k: v[min(i, len(v) - 1)] for k, v in props.items()} for i in range(n)]
    if "enum" in schema:
        first = schema.get("example", schema["enum"][0])
        return [first, *(e for e in schema["enum"] if e != first)]
    if "example" in schema:
        return [schema["example"]]
    return [{"boolean": False, "integer": 1, "number": 1.0}.get(schema.get("type"), "x")]


@pytest.fixture(scope="module")
def spec_examples(shared_data) -> dict[str, list[list[dict]]]:
    """Every 200-response example payload of the DCSA CS 1.0.3 spec, by endpoint."""
    spec = yaml.safe_load((shared_data / "dcsa" / "CS_v1.0.3.yaml").read_text())
    out = {}
    for path, kind in ENDPOINTS.items():
        content = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        given = [e["value"] for e in content.get("examples", {}).values()]
        out[kind] = given or _variants(spec, content["schema"])
    return out


def _at(payload: Any, path: str) -> Any:
    """The item at JSON path ``[0].legs[1]`` of ``payload``."""
    node = payload
    for part in path.replace("]", "").replace("[", ".").strip(".").split("."):
        node = node[int(part)] if part.isdigit() else node[part]
    return node


def _h(text: str, start: str = START) -> float:
    return (datetime.fromisoformat(text) - datetime.fromisoformat(start)).total_seconds() / 3600


def test_every_example_payload_of_the_spec_reads_with_its_departures_and_cutoffs(
        spec_examples):
    clock = parse_start("2025-01-01T00:00:00+01:00")
    modes = set()
    for kind, payloads in spec_examples.items():
        assert payloads, kind
        for payload in payloads:
            read = read_sailings(payload, clock, file="spec.json")
            assert read.kind == kind
            for s in read.sailings:  # point-to-point legs: times as the payload writes them
                leg = _at(payload, s.source)
                assert s.departure_h == _h(leg["departure"]["dateTime"], clock.to_text())
                assert s.arrival_h == _h(leg["arrival"]["dateTime"], clock.to_text())
                route_cuts = payload[int(s.source[1])].get("cutOffTimes", [])
                given = [(c["cutOffDateTimeCode"], _h(c["cutOffDateTime"], clock.to_text()))
                         for c in [*route_cuts, *leg.get("cutOffTimes", [])]]
                assert list(s.cutoffs_h) == given
                modes.add(s.mode)
            for path, reason in read.skipped:
                assert _at(payload, path)["transport"]["modeOfTransport"] in reason
    assert modes == set(MODES.values())  # VESSEL, BARGE, RAIL, TRUCK all read


def test_every_example_payload_of_the_spec_imports_its_port_calls_skipped_by_name(
        spec_examples, tmp_path, capsys):
    # the spec's field examples put departure and arrival at NLAMS at the same instant: a
    # port call, no link; it is skipped with its reason and the import goes on
    start = "2025-01-01T00:00:00+01:00"
    clock = parse_start(start)
    call = ("a port call at NLAMS (departs and arrives there at the same instant, "
            "2025-01-14T09:21:00+01:00 (321.35 h)), not a link")
    for payloads in spec_examples.values():
        for payload in payloads:
            im = schedule_links(read_sailings(payload, clock, file="spec.json"),
                                file="spec.json", clock=clock)
            assert im.links == () and im.sailings == ()
            for path, reason in im.skipped:
                mode = _at(payload, path)["transport"]["modeOfTransport"]
                assert reason == (call if mode in MODES else
                                  f"combined mode {mode} is not one link mode")
            legs = [leg for route in payload for leg in route.get("legs", [])]
            assert len(im.skipped) == len(legs)  # port and vessel schedules: one call each
    example = tmp_path / "spec-p2p.json"
    example.write_text(json.dumps(spec_examples["point-to-point"][0]))
    assert main(["schedules", "import", str(example), "--start", start, "--out",
                 str(tmp_path / "links.yaml")]) == 0
    assert f"skipped [0].legs[0]: {call}" in capsys.readouterr().out
    assert yaml.safe_load((tmp_path / "links.yaml").read_text()) == {"links": []}


def _spec_route_to_rotterdam(spec_examples) -> list[dict]:
    """The spec's example route (VESSEL, with its intermediate call) sailing on to
    Rotterdam: the arrival moved to NLRTM 20 h later, a the route's documentation
    cut-off (in UTC) and the leg's FCL cut-off that morning."""
    payload = copy.deepcopy(spec_examples["point-to-point"][0])
    leg = payload[0]["legs"][0]
    leg["arrival"]["location"]["UNLocationCode"] = "NLRTM"
    leg["arrival"]["dateTime"] = "2025-01-15T05:21:00+01:00"
    leg["cutOffTimes"] = [{"cutOffDateTimeCode": "FCO",
                           "cutOffDateTime": "2025-01-14T05:00:00+01:00"}]
    payload[0]["cutOffTimes"][0]["cutOffDateTime"] = "2025-01-14T03:00:00+00:00"
    return payload


def test_the_spec_example_route_with_a_later_arrival_elsewhere_imports_and_plans(
        spec_examples, tmp_path):
    from mmroute.routing.plan import solve_plan
    from mmroute.world.check import check_plan

    start = "2025-01-14T00:00:00+01:00"
    payload = _spec_route_to_rotterdam(spec_examples)
    path = tmp_path / "route.json"
    path.write_text(json.dumps(payload))
    data = {
        "name": "ams-rtm", "start": start, "horizon_h": 72,
        "nodes": [{"id": "DC", "kind": "warehouse", "lon": 4.90, "lat": 52.37},
                  {"id": "AMS", "kind": "port", "locode": "NLAMS", "lon": 4.80, "lat": 52.41},
                  {"id": "RTM", "kind": "port", "locode": "NLRTM", "lon": 4.03, "lat": 51.95}],
        "links": [{"from": "DC", "to": "AMS", "mode": "road"}],
        "shipments": [{"id": "S1", "origin": "DC", "destination": "AMS", "quantity_teu": 1,
                       "due_h": 12}]}
    im = import_schedules(path, parse(data, file="ams-rtm.yaml"),
                          cutoff_codes=("DCO", "FCO"))
    assert im.skipped == () and len(im.links) == 1
    (s,), link = im.sailings, im.links[0]
    leg = payload[0]["legs"][0]
    assert s.departure_h == _h(leg["departure"]["dateTime"], start) == 9.35
    assert s.arrival_h == _h(leg["arrival"]["dateTime"], start) == 29.35
    # the earliest binding cut-off: the route's DCO (given in UTC) before the leg's FCO
    assert s.cutoff_h(("DCO", "FCO")) == _h("2025-01-14T03:00:00+00:00", start) == 4.0
    assert s.cutoff_h(("FCO",)) == _h("2025-01-14T05:00:00+01:00", start) == 5.0
    assert link == {"id": "FE1-AMS-RTM", "from": "AMS", "to": "RTM", "mode": "sea",
                    "transit_time_h": 20.0, "timetable": {
                        "period_h": float(PERIOD_H), "departures_h": [9.35],
                        "cutoff_h": 5.35}}
    data["links"].append(link)
    data["shipments"] = [{"id": "S1", "origin": "DC", "destination": "RTM",
                          "quantity_teu": 2, "due_h": 48}]
    sc = parse(data, file="ams-rtm.yaml")
    plan = solve_plan(sc, time_limit_s=10, seed=0)
    assert check_plan(sc, plan).ok and not plan.itineraries[0].dropped
    sea = [lg for lg in plan.itineraries[0].legs if lg.mode == "sea"]
    assert [lg.departure_h for lg in sea] == [9.35] and sea[0].arrival_h == 29.35


def test_the_spec_vessel_schedule_example_with_a_second_call_gives_its_sailing(
        spec_examples):
    """The example's one call (arrival only) given a departure and a next call at
    Hamburg."""
    payload = copy.deepcopy(spec_examples["vessel-schedules"][0])
    calls = payload[0]["vesselSchedules"][0]["transportCalls"]
    assert [t["eventTypeCode"] for t in calls[0]["timestamps"]] == ["ARRI"]  # no departure
    calls[0]["timestamps"].append({"eventTypeCode": "DEPA", "eventClassifierCode": "EST",
                                   "eventDateTime": "2025-01-14T21:00:00+01:00"})
    nxt = copy.deepcopy(calls[0])
    nxt["location"]["UNLocationCode"] = "DEHAM"
    for ts in nxt["timestamps"]:
        ts["eventDateTime"] = "2025-01-16T09:21:00+01:00"
    calls.append(nxt)
    clock = parse_start("2025-01-14T00:00:00+01:00")
    im = schedule_links(read_sailings(payload, clock, file="v.json"), file="v.json",
                        clock=clock)
    (s,) = im.sailings
    first = {t["eventTypeCode"]: t["eventDateTime"] for t in calls[0]["timestamps"]}
    assert (s.from_locode, s.to_locode, s.service) == ("NLAMS", "DEHAM", "FE1")
    assert s.departure_h == _h(first["DEPA"], clock.to_text())
    assert s.departure_h == 21.0 and s.arrival_h == 57.35
    assert im.links[0]["transit_time_h"] == 36.35 and im.links[0]["timetable"]["cutoff_h"] == 0


# --- carrier-style payloads ---------------------------------------------------------------
def test_point_to_point_routes_become_timetabled_links_with_the_payloads_times():
    payload = json.loads(ROUTES.read_text())
    im = import_schedules(ROUTES, start=START)
    assert im.kind == "point-to-point"
    for s in im.sailings:  # every departure, arrival and cut-off as the payload says
        leg = _at(payload, s.source)
        assert s.departure_h == _h(leg["departure"]["dateTime"])
        assert s.arrival_h == _h(leg["arrival"]["dateTime"])
    links = {lk["id"]: lk for lk in im.links}
    sea = links["AE1-CNSHA-NLRTM"]  # two AE1 sailings, same transit and cut-off lead
    assert sea["timetable"]["departures_h"] == [82.0, 250.0]  # 5 and 12 March 18:00 +08:00
    assert sea["timetable"]["cutoff_h"] == 82.0 - _h("2026-03-04T12:00:00+08:00") == 30.0
    assert sea["timetable"]["period_h"] == PERIOD_H
    # arrival in Rotterdam after the European DST change (+02:00): 810 h, not 811
    assert sea["transit_time_h"] == _h("2026-04-08T06:00:00+02:00") - 82.0 == 810.0
    barge = links["barge-NLRTM-DEDUI"]
    assert barge["timetable"]["departures_h"] == [_h("2026-04-09T10:00:00+02:00")]
    assert barge["timetable"]["cutoff_h"] == 6.0  # the leg's own FCO
    assert links["rail-NLRTM-DEDUI"]["transit_time_h"] == 12.0
    assert "timetable" not in links["road-NLRTM-DEDUI"]  # a TRUCK leg: road, any time
    assert im.skipped == (("[2].legs[1]", "combined mode MULTIMODAL is not one link mode"),)


def test_the_documentation_cutoff_binds_only_when_asked():
    im = import_schedules(ROUTES, start=START, cutoff_codes=("DCO", "FCO"))
    sea = next(lk for lk in im.links if lk["mode"] == "sea" and
               lk["timetable"]["departures_h"] == [82.0])
    assert sea["timetable"]["cutoff_h"] == 82.0 - _h("2026-03-03T17:00:00+08:00")


def test_port_schedules_give_sailings_between_a_vessels_calls_estimates_first():
    im = import_schedules(PORTS, start=START)
    assert im.kind == "port-schedules" and len(im.sailings) == 1
    s = im.sailings[0]
    assert (s.from_locode, s.to_locode, s.service, s.vessel) == ("CNSHA", "NLRTM", "AE1",
                                                                "9321483")
    assert s.departure_h == _h("2026-03-05T22:00:00+08:00")  # EST over PLN
    assert s.arrival_h == _h("2026-04-08T06:00:00+02:00")
    assert im.links[0]["timetable"]["cutoff_h"] == s.departure_h - _h(
        "2026-03-04T12:00:00+08:00")


@pytest.mark.parametrize(("change", "field", "message"), [
    (lambda d: d[0]["legs"][0]["departure"].update(dateTime="2026-03-05T18:00:00"),
     "[0].legs[0].departure.dateTime", "has no UTC offset"),
    (lambda d: d[0]["legs"][0]["departure"].update(dateTime="5 March"),
     "[0].legs[0].departure.dateTime", "not an ISO 8601 date-time"),
    (lambda d: d[0]["legs"][0]["arrival"]["location"].update(UNLocationCode="NL RTM"),
     "[0].legs[0].arrival.location.UNLocationCode", "not a UN/LOCODE"),
    (lambda d: d[0]["legs"][0]["transport"].update(modeOfTransport="PLANE"),
     "[0].legs[0].transport.modeOfTransport", "'PLANE' is not one of VESSEL"),
    (lambda d: d[0]["legs"][1].pop("arrival"), "[0].legs[1].arrival", "required field"),
    (lambda d: d[0]["cutOffTimes"][1].update(cutOffDateTime="2026-03-06T12:00:00+08:00"),
     "[0].legs[0].cutOffTimes", "cut-off 18 h after the departure"),
    (lambda d: d[0]["legs"][0]["arrival"].update(dateTime="2026-03-05T10:00:00+01:00"),
     "[0].legs[0]", "arrives -1 h after it departs"),
    (lambda d: d.clear(), None, "no schedules in the payload"),
])
def test_a_malformed_payload_is_one_line_naming_the_file_and_field(tmp_path, change, field,
                                                                    message):
    data = json.loads(ROUTES.read_text())
    change(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(InputError, match=message) as err:
        import_schedules(bad, start=START)
    assert err.value.file == "bad.json" and err.value.field == field
    assert "\n" not in str(err.value)


# --- into a scenario ----------------------------------------------------------------------
def _scenario_data(*, to_duisburg: bool = True) -> dict[str, Any]:
    """Shanghai to Duisburg; without ``to_duisburg`` only the truck to the port (a scenario
    valid before the schedules are imported)."""
    data = {
        "name": "sha-dui", "start": START, "horizon_h": 1200,
        "nodes": [
            {"id": "PLANT", "kind": "supplier", "lon": 121.20, "lat": 31.30},
            {"id": "SHA", "kind": "port", "locode": "CNSHA", "lon": 122.06, "lat": 30.63},
            {"id": "RTM", "kind": "port", "locode": "NL RTM", "lon": 4.03, "lat": 51.95},
            {"id": "DUI", "kind": "rail_terminal", "locode": "DEDUI", "lon": 6.72,
             "lat": 51.37},
        ],
        "links": [{"from": "PLANT", "to": "SHA", "mode": "road"}],
        "shipments": [
            {"id": "S1", "origin": "PLANT", "destination": "DUI", "quantity_teu": 2,
             "release_h": 0, "due_h": 1000},
            {"id": "S2", "origin": "PLANT", "destination": "DUI", "quantity_teu": 1,
             "release_h": 200, "due_h": 1150},
        ],
    }
    if not to_duisburg:
        data["shipments"] = [{"id": "S0", "origin": "PLANT", "destination": "SHA",
                              "quantity_teu": 1, "due_h": 24}]
    return data


def test_a_plan_over_imported_services_passes_check_plan():
    from mmroute.routing.plan import solve_plan
    from mmroute.world.check import check_plan

    data = _scenario_data()
    base = parse(_scenario_data(to_duisburg=False), file="sha-dui.yaml")
    im = import_schedules(ROUTES, base)
    assert {(lk["from"], lk["to"], lk["mode"]) for lk in im.links} == {
        ("SHA", "RTM", "sea"), ("RTM", "DUI", "barge"), ("RTM", "DUI", "rail"),
        ("RTM", "DUI", "road")}
    data["links"] += copy.deepcopy(list(im.links))
    sc = parse(data, file="sha-dui.yaml")
    plan = solve_plan(sc, time_limit_s=20, seed=0)
    assert check_plan(sc, plan).ok
    sea_deps = {s.departure_h for s in im.sailings if s.mode == "sea"}
    legs = [lg for it in plan.itineraries for lg in it.legs]
    assert all(not it.dropped for it in plan.itineraries)
    assert {lg.departure_h for lg in legs if lg.mode == "sea"} <= sea_deps
    assert {lg.timetable_h for lg in legs if lg.mode == "sea"} == {82.0, 250.0}


def test_cli_imports_to_yaml_that_merges_into_a_scenario(tmp_path, capsys):
    path = tmp_path / "sha-dui.yaml"
    path.write_text(yaml.safe_dump(_scenario_data(to_duisburg=False)))
    out = tmp_path / "links.yaml"
    assert main(["schedules", "import", str(ROUTES), "--scenario", str(path), "--out",
                 str(out)]) == 0
    printed = capsys.readouterr().out
    assert "skipped [2].legs[1]: combined mode MULTIMODAL" in printed and "4 links" in printed
    data = _scenario_data()
    data["links"] += yaml.safe_load(out.read_text())["links"]
    assert len(parse(data).links) == 5
    # or named in the scenario: links_files beside it, checked with errors naming that file
    data = {**_scenario_data(), "links_files": ["links.yaml"]}
    path.write_text(yaml.safe_dump(data))
    assert main(["validate", str(path)]) == 0
    assert "5 links" in capsys.readouterr().out
    data["links"].append({"id": "AE1-SHA-RTM", "from": "SHA", "to": "RTM", "mode": "road"})
    path.write_text(yaml.safe_dump(data))
    assert main(["validate", str(path)]) == 2
    assert "links.yaml: links[AE1-SHA-RTM].id: duplicate link id" in capsys.readouterr().err
    assert main(["schedules", "import", str(ROUTES), "--out", str(tmp_path / "x.yaml")]) == 2
    assert "give a scenario or a start" in capsys.readouterr().err
    assert not (tmp_path / "x.yaml").exists()
