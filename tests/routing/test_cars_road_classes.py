"""Per-carrier-type road legs: on an OSM road graph each restriction class (loaded height,
gross weight) drives the legs it may, so a low carrier passes under a bridge a tall one
goes round; solver, practice baseline and checker all cost a route on its own type's legs."""

from __future__ import annotations

import pytest

from mmroute.scenarios import parse

ox = pytest.importorskip("osmnx", reason="the [osm] extra (osmnx) is not installed")
nx = pytest.importorskip("networkx")

from mmroute.routing.cars import (  # noqa: E402 - after the importorskip
    CarsProblem,
    check_cars_plan,
    solve_cars,
    solve_practice,
)

#: Graph nodes (lon, lat): the plant P, the dealer D and a detour point W between them.
SPOTS = {1: (108.300, 22.800), 2: (108.310, 22.800), 3: (108.305, 22.810)}
KMH = 50.0


def _road_graph(path) -> None:
    """P - D direct (under a 3.8 m bridge, both ways), or round by W (no limit)."""
    g = nx.MultiDiGraph(crs="epsg:4326")
    for n, (x, y) in SPOTS.items():
        g.add_node(n, x=x, y=y, street_count=2)
    for (a, b), length, tags in [((1, 2), 1100.0, {"maxheight": "3.8"}),
                                 ((1, 3), 1300.0, {}), ((3, 2), 1300.0, {})]:
        for u, v in ((a, b), (b, a)):
            g.add_edge(u, v, length=length, travel_time=length / (KMH / 3.6),
                       highway="primary", oneway=False, **tags)
    ox.io.save_graphml(g, path)


def _carrier(ident: str, *, height_m: float, decks: list[dict], payload_kg: float,
             cost_per_km_cny: float) -> dict:
    return {"id": ident, "depot": "P", "count": 1, "overall_length_m": 16.0, "width_m": 2.55,
            "payload_kg": payload_kg, "fixed_cost_cny": 500, "cost_per_km_cny": cost_per_km_cny,
            "speed_kmh": 50, "envelope": {"max_length_m": 17.1, "max_width_m": 2.55,
                                          "max_height_m": height_m},
            "platforms": decks}


def _data(graphml) -> dict:
    """A plant and a dealer on the graph; a two-deck 4.0 m carrier and a single-deck 3.5 m
    one, one of each: the order needs both."""
    lower = {"id": "LO", "unit": "trailer", "level": "lower", "length_m": 13.0,
             "floor_height_m": 0.45, "max_vehicle_height_m": 1.8, "max_weight_kg": 7000}
    upper = {"id": "UP", "unit": "trailer", "level": "upper", "length_m": 13.0,
             "floor_height_m": 2.4, "max_vehicle_height_m": 1.6, "max_weight_kg": 6000}
    single = {**lower, "length_m": 8.0}
    return {
        "name": "bridge", "start": "2026-03-02T08:00:00+08:00", "horizon_h": 48,
        "roads": {"file": str(graphml)},
        "nodes": [{"id": "P", "kind": "plant", "lon": SPOTS[1][0], "lat": SPOTS[1][1]},
                  {"id": "D", "kind": "dealer", "lon": SPOTS[2][0], "lat": SPOTS[2][1]}],
        "links": [{"from": "P", "to": "D", "mode": "road", "bidirectional": True}],
        "shipments": [{"id": "S1", "origin": "P", "destination": "D", "quantity_teu": 1,
                       "due_h": 24}],
        "vehicle_models": [{"id": "CAR", "length_m": 3.9, "width_m": 1.7, "height_m": 1.55,
                            "weight_kg": 1000}],
        "carrier_types": [
            _carrier("TALL", height_m=4.0, decks=[lower, upper], payload_kg=12000,
                     cost_per_km_cny=8.0),
            _carrier("LOW", height_m=3.5, decks=[single], payload_kg=4000, cost_per_km_cny=6.0)],
        "vehicle_orders": [{"id": "O1", "dealer": "D", "model": "CAR", "quantity": 7,
                            "window_h": [0, 24]}],
    }


def test_a_low_carrier_passes_under_the_bridge_a_tall_one_goes_round(tmp_path):
    _road_graph(tmp_path / "bridge.graphml")
    sc = parse(_data(tmp_path / "bridge.graphml"))
    problem = CarsProblem.from_scenario(sc)
    direct, detour = 1.1, 2.6
    assert problem.km("P", "D", "LOW") == pytest.approx(direct)
    assert problem.km("D", "P", "LOW") == pytest.approx(direct)
    assert problem.km("P", "D", "TALL") == pytest.approx(detour)
    assert problem.km("P", "D") == pytest.approx(detour)  # distance_km: the longest per leg
    # computed once per class and cached: the same matrix on a second build
    again = CarsProblem.from_scenario(sc)
    assert again.matrix_km("LOW") is problem.matrix_km("LOW")
    assert again.matrix_km("TALL") is not again.matrix_km("LOW")
    for plan in (solve_cars(problem, time_limit_s=2, seed=0), solve_practice(problem)):
        report = check_cars_plan(problem, plan)
        assert report.feasible, report.reason
        km = {r.carrier_type: r.distance_km for r in plan.routes}
        assert km == pytest.approx({"LOW": 2 * direct, "TALL": 2 * detour})  # both carriers
        assert report.objective == pytest.approx(2 * 500 + 6.0 * 2 * direct + 8.0 * 2 * detour)
    # the checker costs each route on its own type's legs: the low carrier's short road
    # claimed for a problem where it may not pass is caught
    tall_only = CarsProblem(name=problem.name, models=problem.models,
                            carrier_types=problem.carrier_types, orders=problem.orders,
                            places=problem.places, coords=problem.coords,
                            distance_km=problem.matrix_km("TALL"))
    assert not check_cars_plan(tall_only, plan).feasible


def test_one_restriction_class_keeps_one_matrix(tmp_path):
    _road_graph(tmp_path / "bridge.graphml")
    data = _data(tmp_path / "bridge.graphml")
    data["carrier_types"][1]["envelope"]["max_height_m"] = 4.0
    data["carrier_types"][1]["payload_kg"] = 12000
    problem = CarsProblem.from_scenario(parse(data))
    assert problem.carrier_distance_km == {}
    assert problem.km("P", "D", "LOW") == problem.km("P", "D", "TALL") == pytest.approx(2.6)


def test_carrier_matrices_are_checked():
    from mmroute.errors import InputError
    from tests.routing.cars_fixtures import MODELS, carrier

    kw = dict(name="x", models=tuple(MODELS.values()), carrier_types=(carrier(),), orders=(),
              places=("P", "A"), coords=((0.0, 0.0), (0.1, 0.0)), distance_km=[[0, 1], [1, 0]])
    with pytest.raises(InputError, match=r"carrier_distance_km\['nope'\]"):
        CarsProblem(**kw, carrier_distance_km={"nope": [[0, 1], [1, 0]]})
    with pytest.raises(InputError, match=r"carrier_distance_km\['test-carrier'\].*2x2"):
        CarsProblem(**kw, carrier_distance_km={"test-carrier": [[0, -1], [1, 0]]})
    p = CarsProblem(**kw, carrier_distance_km={"test-carrier": [[0, 3], [2, 0]]})
    assert p.km("P", "A", "test-carrier") == 3 and p.km("P", "A") == 1
    assert p.longest_km().tolist() == [[0, 3], [2, 0]]
