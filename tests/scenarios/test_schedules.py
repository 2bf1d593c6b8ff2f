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


def test_the_spec_examples_are_not_links_and_say_why_in_one_line(spec_examples):
    # the spec's field examples put departure and arrival at NLAMS at the same instant
    read = read_sailings(spec_examples["point-to-point"][0], parse_start(START), file="x.json")
    with pytest.raises(InputError, match="same place NLAMS") as err:
        schedule_links(read, file="x.json")
    assert str(err.value).startswith("x.json: [0].legs[0]: ") and "\n" not in str(err.value)


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
