"""Routing + loading of auto-carriers: detection and repair, the bundled scenario, the baseline."""

from __future__ import annotations

import json

import pytest

from mmroute.errors import InputError, SolverError
from mmroute.routing.cars import (
    CarsParams,
    CarsPlan,
    CarsProblem,
    check_cars_plan,
    check_load,
    read_plan,
    solve_cars,
    solve_practice,
    write_plan,
)
from mmroute.routing.cars.load import LoadItem
from mmroute.routing.cars.problem import geodesic_matrix_km
from mmroute.scenarios import load
from mmroute.scenarios.cars_model import VehicleOrder
from tests.routing.cars_fixtures import MODELS, carrier


@pytest.fixture(scope="module")
def bundled_problem() -> CarsProblem:
    """The bundled liuzhou-cars problem (193 vehicles, 30 dealers, 3 carrier types)."""
    return CarsProblem.from_scenario(load("liuzhou-cars"))


@pytest.fixture(scope="module")
def bundled_plan(bundled_problem) -> CarsPlan:
    """mmroute's plan for the bundled problem at a short time limit."""
    return solve_cars(bundled_problem, time_limit_s=4, seed=0)


def _trap() -> CarsProblem:
    """Two dealers whose vehicles fit one carrier by length, height class and weight, but not
    in the only on-time visiting order: dealer B (one small car, due within 2 h) must come
    first, and its car can only ride on the tractor deck, which exits across the trailer deck
    full of dealer A's two MPVs."""
    coords = ((109.50, 24.40), (109.55, 24.45), (109.45, 24.35))
    orders = (VehicleOrder(id="A", dealer="A", model="mpv", quantity=2, open_h=3.0, due_h=48.0),
              VehicleOrder(id="B", dealer="B", model="small", quantity=1, open_h=0.0, due_h=2.0))
    return CarsProblem(name="trap", models=tuple(MODELS.values()), carrier_types=(carrier(),), orders=orders,
                       places=("P", "A", "B"), coords=coords, distance_km=geodesic_matrix_km(coords))


def test_a_route_that_fits_by_count_but_not_on_the_platforms_is_detected_and_repaired():
    plan = solve_cars(_trap(), time_limit_s=2, seed=0, params=CarsParams(max_solves=1))
    assert plan.info["routes_not_loading_detected"] == 1
    assert plan.carriers_used == 2
    assert sorted(r.stops for r in plan.routes) == [("A",), ("B",)]
    assert check_cars_plan(_trap(), plan).feasible


def test_every_route_of_the_bundled_plan_carries_a_checked_load(bundled_problem, bundled_plan):
    report = check_cars_plan(bundled_problem, bundled_plan)
    assert report.feasible, report.summary()
    assert report.details["vehicles_delivered"] == bundled_problem.n_vehicles == 193
    assert report.objective == pytest.approx(bundled_plan.objective)
    models = bundled_problem.model_map()
    for r in bundled_plan.routes:
        items = [LoadItem(id=p.vehicle, model=p.model, stop=p.stop) for p in r.placements]
        assert check_load(bundled_problem.carrier(r.carrier_type), models, items, r.placements).feasible
        assert 0 < r.vehicle_rate <= 1 and 0 < r.length_utilisation <= 1


def test_mmroute_beats_the_practice_baseline_on_the_bundled_scenario(bundled_problem, bundled_plan):
    base = solve_practice(bundled_problem, seed=0)
    assert check_cars_plan(bundled_problem, base).feasible
    assert bundled_plan.objective < base.objective
    assert bundled_plan.carriers_used <= base.carriers_used
    assert bundled_plan.info["length_utilisation"] > base.info["length_utilisation"]


def test_split_deliveries_give_a_checked_plan(bundled_problem):
    plan = solve_cars(bundled_problem, time_limit_s=5, seed=0,
                      params=CarsParams(split_deliveries=True, chunk_vehicles=3, max_solves=1, rates=False))
    assert check_cars_plan(bundled_problem, plan).feasible


def test_a_plan_round_trips_through_json(tmp_path, bundled_problem, bundled_plan):
    path = write_plan(tmp_path / "plan.json", bundled_plan)
    back = read_plan(path)
    assert back.to_dict() == bundled_plan.to_dict()
    assert check_cars_plan(bundled_problem, back).objective == pytest.approx(bundled_plan.objective, abs=0.01)


def test_the_checker_rejects_a_plan_with_a_vehicle_dropped_at_the_wrong_dealer(bundled_problem, bundled_plan):
    data = bundled_plan.to_dict()
    r = next(r for r in data["routes"] if len(r["stops"]) >= 2)
    p = next(p for p in r["placements"] if p["stop"] == 1)
    p["stop"] = 2
    report = check_cars_plan(bundled_problem, CarsPlan.from_dict(data))
    assert not report.feasible and "dropped at stop 2" in " ".join(v.why for v in report.violations)


def test_the_checker_rejects_more_carriers_than_the_fleet_has(bundled_problem, bundled_plan):
    data = bundled_plan.to_dict()
    data["routes"] = data["routes"] + [dict(data["routes"][0], placements=[])] * 40
    report = check_cars_plan(bundled_problem, CarsPlan.from_dict(data))
    assert any(v.where.startswith("carrier type") for v in report.violations)


def test_a_non_positive_time_limit_is_an_input_error():
    with pytest.raises(InputError):
        solve_cars(_trap(), time_limit_s=0, seed=0)


def test_a_scenario_without_cars_keys_is_an_input_error():
    with pytest.raises(InputError, match="vehicle_orders"):
        CarsProblem.from_scenario(load("tiny"))


def test_a_fleet_too_small_for_the_repaired_routes_is_a_solver_error_not_a_bad_plan():
    one = _trap()
    small = CarsProblem(name="trap-1", models=one.models, carrier_types=(carrier(count=1),), orders=one.orders,
                        places=one.places, coords=one.coords, distance_km=one.distance_km)
    with pytest.raises(SolverError, match="fleet is used up"):
        solve_cars(small, time_limit_s=2, seed=0, params=CarsParams(max_solves=1))


def test_the_plan_json_times_each_stop_with_its_timestamp_as_the_checker_does(
        tmp_path, bundled_problem, bundled_plan):
    from datetime import datetime

    from mmroute.routing.cars.check import route_times_h

    path = write_plan(tmp_path / "plan.json", bundled_plan, bundled_problem)
    data = json.loads(path.read_text())
    assert data["start"] == "2026-03-02T00:00:00+08:00"
    assert len(data["schedule"]) == len(bundled_plan.routes)
    start = datetime.fromisoformat(data["start"])
    carriers = {c.id: c for c in bundled_problem.carrier_types}
    for route, sched in zip(bundled_plan.routes, data["schedule"], strict=True):
        assert sched["carrier_type"] == route.carrier_type
        assert [s["id"] for s in sched["stops"]] == list(route.stops)
        assert sched["departure_iso"] == data["start"]
        for s in sched["stops"]:  # the timestamp is the hours, to the second
            back = (datetime.fromisoformat(s["at_iso"]) - start).total_seconds() / 3600
            assert abs(back - s["at_h"]) <= 0.5 / 3600
        last = max(s["at_h"] for s in sched["stops"])
        km = bundled_problem.km(route.stops[-2], route.stops[-1]) if len(route.stops) > 1 \
            else bundled_problem.km(carriers[route.carrier_type].depot, route.stops[0])
        assert last >= km / carriers[route.carrier_type].speed_kmh
    # the checker's own timing of the first route
    r = bundled_plan.routes[0]
    orders = {v.id: bundled_problem.order(v.order) for v in bundled_problem.vehicles()}
    ks = range(1, len(r.stops) + 1)
    n = [sum(1 for p in r.placements if p.stop == k) for k in ks]
    opens = [max(orders[p.vehicle].open_h for p in r.placements if p.stop == k) for k in ks]
    assert [s["at_h"] for s in data["schedule"][0]["stops"]] == route_times_h(
        bundled_problem, carriers[r.carrier_type], r.stops, n, opens)
    assert read_plan(path).to_dict() == bundled_plan.to_dict()  # readers take it as before
