"""Every kind of bad input gives a ScenarioError naming the file and the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from mmroute.errors import MMRouteError, ScenarioError
from mmroute.scenarios import Scenario, load
from mmroute.scenarios.loader import MAX_FILE_BYTES

BUNDLED = Path(__file__).resolve().parents[2] / "scenarios" / "data"


def write(tmp_path: Path, data: Any, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text(json.dumps(data))
    else:
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def parent_of(data: Any, path: tuple) -> tuple[Any, Any]:
    """The container holding the field at ``path`` (keys / indices) and the field's key."""
    *parents, key = [k for k in path if k is not None]
    for k in parents:
        data = data[k]
    return data, key


def error_of(tmp_path: Path, data: Any, name: str = "case.yaml") -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, data, name))
    return info.value


def test_the_base_case_is_valid(tmp_path, base_data):
    scenario = load(write(tmp_path, base_data))
    assert isinstance(scenario, Scenario)
    assert len(scenario.links) == 4  # the road link is bidirectional
    assert scenario.link("A-B-road~r").from_node == "B"


def test_json_is_accepted_like_yaml(tmp_path, base_data):
    assert load(write(tmp_path, base_data, "case.json")) == load(write(tmp_path, base_data))


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ScenarioError, match=r"nope\.yaml: no such file"):
        load(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.yaml", "  \n\n", r"empty\.yaml: file is empty"),
        ("bad.yaml", "nodes: [a, b\nlinks: {", r"bad\.yaml: not valid YAML at line \d+"),
        ("bad.json", '{"name": "x",', r"bad\.json: not valid JSON at line 1"),
        ("bin.yaml", b"\xff\xfe\x00name: x", r"bin\.yaml: not UTF-8"),
    ],
)
def test_unreadable_files_are_named_with_the_reason(tmp_path, name, content, message):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(ScenarioError, match=message):
        load(path)


def test_unknown_suffix(tmp_path):
    (tmp_path / "net.txt").write_text("name: x")
    with pytest.raises(ScenarioError, match=r"net\.txt: unknown file type '\.txt'"):
        load(tmp_path / "net.txt")


@pytest.mark.parametrize("top", [[1, 2], "just text", 42])
def test_wrong_top_level_type(tmp_path, top):
    err = error_of(tmp_path, top)
    assert "expected a mapping at the top level" in str(err)
    assert err.file == "case.yaml"


def test_unknown_key_suggests_the_right_one(tmp_path, base_data):
    base_data["links"][1]["capacty_teu"] = 5
    err = error_of(tmp_path, base_data)
    assert err.field == "links[A-B-rail].capacty_teu"
    assert "did you mean 'capacity_teu'" in str(err)


def test_unknown_top_level_key(tmp_path, base_data):
    base_data["shipmentz"] = []
    assert error_of(tmp_path, base_data).field == "shipmentz"


@pytest.mark.parametrize(
    "where, field",
    [
        (("nodes", 0, "lat"), "nodes[A].lat"),
        (("links", 0, "mode"), "links[0].mode"),  # no id before its mode is known
        (("shipments", 1, "due_h"), "shipments[S2].due_h"),
        (("links", 1, "timetable", "period_h"), "links[A-B-rail].timetable.period_h"),
        ((None, "horizon_h"), "horizon_h"),
    ],
)
def test_missing_required_field(tmp_path, base_data, where, field):
    target, key = parent_of(base_data, where)
    del target[key]
    err = error_of(tmp_path, base_data)
    assert err.field == field
    assert "required field is missing" in str(err)


def test_mode_not_in_list_reads_like_the_design(tmp_path, base_data):
    base_data["links"][2]["mode"] = "air"
    err = error_of(tmp_path, base_data)
    assert str(err) == "case.yaml: links[2].mode: 'air' is not one of road, rail, sea, barge"


@pytest.mark.parametrize(
    "path, value, field, expect",
    [
        (("nodes", 0, "lon"), "109E", "nodes[A].lon", "expected a number, got a string"),
        (("shipments", 0, "quantity_teu"), True, "shipments[S1].quantity_teu", "expected a number, got a boolean"),
        (("links", 0, "bidirectional"), "yes", "links[A-B-road].bidirectional", "expected true or false"),
        (("nodes",), {"A": 1}, "nodes", "expected a list, got a mapping"),
        (("links", 1, "timetable"), [8, 20], "links[A-B-rail].timetable", "expected a mapping, got a list"),
        (("fleet", "vehicle_types", 0, "count"), 1.5, "fleet.vehicle_types[0].count", "expected an integer"),
    ],
)
def test_wrong_types(tmp_path, base_data, path, value, field, expect):
    target, key = parent_of(base_data, path)
    target[key] = value
    err = error_of(tmp_path, base_data)
    assert err.field == field
    assert expect in str(err)


@pytest.mark.parametrize("section, what", [("nodes", "node"), ("shipments", "shipment")])
def test_duplicate_ids(tmp_path, base_data, section, what):
    base_data[section].append(dict(base_data[section][0]))
    err = error_of(tmp_path, base_data)
    n = len(base_data[section]) - 1
    assert err.field == f"{section}[{n}].id"
    assert f"duplicate {what} id" in str(err)


def test_duplicate_link_ids_including_the_reverse_of_a_bidirectional_link(tmp_path, base_data):
    base_data["links"].append({"id": "A-B-road~r", "from": "B", "to": "A", "mode": "road"})
    err = error_of(tmp_path, base_data)
    assert err.field == "links[3].id"
    assert "duplicate link id 'A-B-road~r'" in str(err)


@pytest.mark.parametrize(
    "path, field",
    [
        (("links", 0, "to"), "links[0].to"),  # an unknown node: no id
        (("shipments", 0, "destination"), "shipments[S1].destination"),
        (("fleet", "customers", 0, "node"), "fleet.customers[0].node"),
        (("uncertainty", "disruptions", 0, "target"), "uncertainty.disruptions[cong].target"),
    ],
)
def test_reference_to_unknown_node(tmp_path, base_data, path, field):
    target, key = parent_of(base_data, path)
    target[key] = "ZZ"
    err = error_of(tmp_path, base_data)
    assert err.field == field
    assert "unknown node 'ZZ'" in str(err)


def test_unknown_node_suggests_a_near_id(tmp_path, base_data):
    base_data["shipments"][0]["origin"] = "a"
    assert "did you mean 'A'" in str(error_of(tmp_path, base_data))


@pytest.mark.parametrize(
    "path, value, field",
    [
        (("links", 1, "capacity_teu"), 0, "links[A-B-rail].capacity_teu"),
        (("links", 0, "speed_kmh"), -60, "links[A-B-road].speed_kmh"),
        (("shipments", 0, "quantity_teu"), 0, "shipments[S1].quantity_teu"),
        (("nodes", 1, "capacity_teu_per_day"), -5, "nodes[B].capacity_teu_per_day"),
        (("fleet", "vehicle_types", 0, "capacity_kg"), 0, "fleet.vehicle_types[0].capacity_kg"),
        (("links", 2, "distance_km"), 0, "links[B-C-sea].distance_km"),
    ],
)
def test_non_positive_capacities_speeds_quantities(tmp_path, base_data, path, value, field):
    target, key = parent_of(base_data, path)
    target[key] = value
    err = error_of(tmp_path, base_data)
    assert err.field == field
    assert "must be > 0" in str(err)


@pytest.mark.parametrize("key, value", [("lon", 181.0), ("lon", -200), ("lat", 90.5), ("lat", -91)])
def test_lon_lat_out_of_range(tmp_path, base_data, key, value):
    base_data["nodes"][2][key] = value
    err = error_of(tmp_path, base_data)
    assert err.field == f"nodes[C].{key}"


def test_due_before_release(tmp_path, base_data):
    base_data["shipments"][1]["due_h"] = 5
    err = error_of(tmp_path, base_data)
    assert err.field == "shipments[S2].due_h"
    assert "due 5 h is not after release 10 h" in str(err)


def test_timetable_with_no_departures(tmp_path, base_data):
    base_data["links"][1]["timetable"]["departures_h"] = []
    err = error_of(tmp_path, base_data)
    assert err.field == "links[A-B-rail].timetable.departures_h"
    assert "at least one departure" in str(err)


def test_departure_outside_the_period(tmp_path, base_data):
    base_data["links"][1]["timetable"]["departures_h"] = [30]
    assert error_of(tmp_path, base_data).field == "links[A-B-rail].timetable.departures_h[0]"


def test_scheduled_link_without_timetable(tmp_path, base_data):
    del base_data["links"][1]["timetable"]
    err = error_of(tmp_path, base_data)
    assert err.field == "links[A-B-rail].timetable"
    assert "required for rail services" in str(err)


def test_shipment_with_no_path(tmp_path, base_data):
    base_data["shipments"].append(
        {"id": "S3", "origin": "C", "destination": "A", "quantity_teu": 1, "due_h": 50}
    )
    err = error_of(tmp_path, base_data)
    assert err.field == "shipments[S3]"
    assert "no path of links from 'C' to 'A'" in str(err)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_numbers(tmp_path, base_data, value):
    base_data["shipments"][0]["quantity_teu"] = value
    err = error_of(tmp_path, base_data)
    assert err.field == "shipments[S1].quantity_teu"
    assert "finite" in str(err)


def test_non_finite_in_yaml_text(tmp_path):
    (tmp_path / "nan.yaml").write_text("name: x\nhorizon_h: .nan\nnodes: []\nlinks: []\nshipments: []\n")
    with pytest.raises(ScenarioError, match=r"nan\.yaml: horizon_h: expected a finite number"):
        load(tmp_path / "nan.yaml")


def test_oversized_file(tmp_path):
    big = tmp_path / "big.yaml"
    with big.open("w") as fh:
        fh.write("# " + "x" * 1000 + "\n")
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(ScenarioError, match=r"big\.yaml: file too large"):
        load(big)


def test_oversized_list(tmp_path, base_data):
    from mmroute.scenarios.shipments_section import MAX_SHIPMENTS

    base_data["shipments"] = [dict(base_data["shipments"][0], id=f"S{i}")
                              for i in range(MAX_SHIPMENTS + 1)]
    err = error_of(tmp_path, base_data, "case.json")
    assert err.field == "shipments"
    assert "too many items" in str(err)


def test_yaml_aliases_are_refused(tmp_path):
    text = "a: &x [1, 2]\nb: [*x, *x]\n"
    (tmp_path / "alias.yaml").write_text(text)
    with pytest.raises(ScenarioError, match="aliases"):
        load(tmp_path / "alias.yaml")


def test_an_alias_bomb_is_refused_without_being_expanded(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")  # 10^12 items expanded
    with pytest.raises(ScenarioError, match=r"line \d+ column \d+: YAML aliases"):
        load(tmp_path / "bomb.yaml")


@pytest.mark.parametrize("name", sorted(  # the month: liuzhou-asean's format, 2 s to parse here
    p.stem for p in BUNDLED.glob("*.yaml") if p.stem != "liuzhou-asean-month"))
def test_the_libyaml_parse_gives_the_pure_python_loaders_data(name):
    from mmroute.scenarios.loader import read_document

    text = (BUNDLED / f"{name}.yaml").read_text(encoding="utf-8")
    assert read_document(BUNDLED / f"{name}.yaml") == yaml.load(text, Loader=yaml.SafeLoader)


def test_deeply_nested_yaml_is_a_clean_error(tmp_path):
    (tmp_path / "deep.yaml").write_text("[" * 5000 + "]" * 5000)
    with pytest.raises(MMRouteError):
        load(tmp_path / "deep.yaml")


def test_seasonal_weather_needs_a_start_date(tmp_path, base_data):
    del base_data["start"]
    err = error_of(tmp_path, base_data)
    assert err.field == "uncertainty.weather[ty].months"


def test_self_intersecting_storm_polygon(tmp_path, base_data):
    base_data["uncertainty"]["weather"][0]["area"] = [[107, 19], [110, 22], [110, 19], [107, 22]]
    err = error_of(tmp_path, base_data)
    assert err.field == "uncertainty.weather[ty].area"


def test_congestion_needs_a_delay(tmp_path, base_data):
    del base_data["uncertainty"]["disruptions"][0]["delay_h"]
    assert error_of(tmp_path, base_data).field == "uncertainty.disruptions[cong].delay_h"


def test_link_closure_targets_a_link(tmp_path, base_data):
    base_data["uncertainty"]["disruptions"][0] = {
        "id": "x", "kind": "link_closure", "target": "A", "probability": 0.1,
        "start_h": [0, 10], "duration_h": [1, 2],
    }
    err = error_of(tmp_path, base_data)
    assert err.field == "uncertainty.disruptions[x].target"
    assert "unknown link 'A'" in str(err)


def test_interval_min_above_max(tmp_path, base_data):
    base_data["uncertainty"]["disruptions"][0]["duration_h"] = [30, 20]
    err = error_of(tmp_path, base_data)
    assert err.field == "uncertainty.disruptions[cong].duration_h"
    assert "min <= max" in str(err)


def test_optional_customer_needs_a_drop_penalty(tmp_path, base_data):
    base_data["fleet"]["customers"][0]["required"] = False
    assert error_of(tmp_path, base_data).field == "fleet.customers[0].drop_penalty_cny"


def test_bad_start_date(tmp_path, base_data):
    base_data["start"] = "next tuesday"
    assert error_of(tmp_path, base_data).field == "start"


def test_huge_integers_are_not_finite_numbers(tmp_path, base_data):
    base_data["nodes"][0]["handling_cost_cny"] = 10**400
    err = error_of(tmp_path, base_data)
    assert err.field == "nodes[A].handling_cost_cny"


def test_json_with_an_integer_too_long_to_parse(tmp_path):
    (tmp_path / "long.json").write_text('{"name": ' + "9" * 5000 + "}")
    with pytest.raises(ScenarioError, match=r"long\.json: not valid JSON"):
        load(tmp_path / "long.json")


def test_disruption_needs_exactly_one_of_target_and_targets(tmp_path, base_data):
    base_data["uncertainty"]["disruptions"][0]["targets"] = ["B"]
    err = error_of(tmp_path, base_data)
    assert err.field == "uncertainty.disruptions[cong].target"


def test_disruption_targets_must_be_known(tmp_path, base_data):
    d = base_data["uncertainty"]["disruptions"][0]
    del d["target"]
    d["targets"] = ["B", "Q"]
    err = error_of(tmp_path, base_data)
    assert err.field == "uncertainty.disruptions[cong].targets[1]"


def test_errors_name_a_link_by_its_id_given_or_derived(tmp_path, base_data):
    base_data["links"][2]["id"] = "QZ-HPH-feeder"
    base_data["links"][2]["speed_kmh"] = -1
    err = error_of(tmp_path, base_data)
    assert str(err) == "case.yaml: links[QZ-HPH-feeder].speed_kmh: must be > 0, got -1"
    base_data["links"][2]["mode"] = "air"  # an explicit id is known before the mode
    assert error_of(tmp_path, base_data).field == "links[QZ-HPH-feeder].mode"
    del base_data["links"][2]["id"]
    base_data["links"][2]["mode"] = "sea"
    assert error_of(tmp_path, base_data).field == "links[B-C-sea].speed_kmh"  # the default id


def test_a_link_whose_id_is_a_number_or_invalid_is_named_by_its_index(tmp_path, base_data):
    base_data["links"][2].update(id=7, speed_kmh=-1)  # "links[7]" would read as an index
    assert error_of(tmp_path, base_data).field == "links[2].speed_kmh"
    base_data["links"][2]["id"] = "no spaces allowed"
    assert error_of(tmp_path, base_data).field == "links[2].id"
