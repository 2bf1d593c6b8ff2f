"""The finished-vehicle keys: validation errors name the file and field; data round-trips."""

from __future__ import annotations

import copy

import pytest

from mmroute.errors import ScenarioError
from mmroute.scenarios import Scenario, bundled_path, load, parse
from mmroute.scenarios.loader import read_document

_DATA = read_document(bundled_path("liuzhou-cars"))


@pytest.fixture
def cars_data():
    """A deep copy of the bundled liuzhou-cars scenario as plain data."""
    return copy.deepcopy(_DATA)


def _error(data) -> str:
    with pytest.raises(ScenarioError) as exc:
        parse(data, file="cars.yaml")
    return str(exc.value)


def test_the_bundled_cars_scenario_loads_with_models_carriers_and_orders():
    sc = load("liuzhou-cars")
    assert sc.cars is not None
    assert 150 <= sc.cars.n_vehicles <= 300 and len({o.dealer for o in sc.cars.orders}) >= 20
    assert 4 <= len(sc.cars.models) <= 8 and 2 <= len(sc.cars.carrier_types) <= 3
    assert all(m.source for m in sc.cars.models)
    assert "finished vehicles to deliver" in sc.summary()


def test_cars_keys_round_trip_through_to_dict():
    sc = load("liuzhou-cars")
    assert Scenario.from_dict(sc.to_dict()) == sc


def test_an_order_for_an_unknown_model_names_the_field_and_suggests(cars_data):
    cars_data["vehicle_orders"][0]["model"] = "HG-MINI-EVX"
    msg = _error(cars_data)
    assert msg.startswith("cars.yaml: vehicle_orders[0].model: unknown vehicle model 'HG-MINI-EVX'")
    assert "did you mean 'HG-MINI-EV'" in msg


def test_an_order_no_carrier_type_can_carry_is_refused(cars_data):
    cars_data["vehicle_models"].append({"id": "BUS", "length_m": 12.0, "width_m": 2.5, "height_m": 3.2,
                                        "weight_kg": 12000})
    cars_data["vehicle_orders"][0]["model"] = "BUS"
    assert "vehicle_orders[0].model: no carrier type can carry a BUS" in _error(cars_data)


def test_a_deck_above_the_legal_height_is_an_impossible_envelope(cars_data):
    cars_data["carrier_types"][0]["platforms"][0]["floor_height_m"] = 4.2
    assert "carrier_types[0].platforms[0].floor_height_m: deck at 4.2 m is not below" in _error(cars_data)


def test_a_rig_longer_than_its_envelope_is_refused(cars_data):
    cars_data["carrier_types"][0]["overall_length_m"] = 23.5
    assert "carrier_types[0].overall_length_m: 23.5 m is longer than the envelope's 22 m" in _error(cars_data)


def test_platforms_longer_than_the_rig_are_refused(cars_data):
    cars_data["carrier_types"][2]["platforms"][0]["length_m"] = 13.0
    assert "carrier_types[2].platforms: upper platforms total 13 m, longer than the rig" in _error(cars_data)


def test_an_exit_via_loop_is_refused(cars_data):
    cars_data["carrier_types"][0]["platforms"][2]["exit_via"] = "TR-UP"
    assert "exit_via forms a loop" in _error(cars_data)


def test_an_unknown_exit_platform_is_refused(cars_data):
    cars_data["carrier_types"][0]["platforms"][0]["exit_via"] = "NOPE"
    assert "platforms[0].exit_via: unknown platform 'NOPE'" in _error(cars_data)


def test_the_three_keys_come_together(cars_data):
    del cars_data["carrier_types"]
    assert "cars.yaml: carrier_types: required with vehicle_models" in _error(cars_data)


def test_an_order_at_a_carrier_depot_is_refused(cars_data):
    cars_data["vehicle_orders"][0]["dealer"] = "PLANT"
    assert "vehicle_orders[0].dealer: 'PLANT' is a carrier depot" in _error(cars_data)


def test_an_empty_window_and_a_bad_quantity_are_refused(cars_data):
    cars_data["vehicle_orders"][0]["window_h"] = [30, 30]
    assert "vehicle_orders[0].window_h: empty window" in _error(cars_data)
    cars_data["vehicle_orders"][0]["window_h"] = [8, 30]
    cars_data["vehicle_orders"][0]["quantity"] = 0
    assert "vehicle_orders[0].quantity: must be >= 0" not in _error(cars_data)
    assert "vehicle_orders[0].quantity: must be >= 1" in _error(cars_data)
