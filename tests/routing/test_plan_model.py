"""The exact multimodal plan on small scenarios whose optimum is known by hand."""

from __future__ import annotations

import json

import pytest

from mmroute.routing.plan import PlanParams, expand, solve_plan
from mmroute.scenarios import load
from mmroute.world.check import check_plan
from mmroute.world.plan import Plan
from tests.routing.test_plan_helpers import BC_ROAD, links, make, shipment


def modes(plan: Plan, sid: str) -> list[str]:
    (it,) = plan.itinerary(sid)
    return [lg.link for lg in it.legs]


def test_the_hand_worked_optimum_is_road_to_the_terminal_then_rail():
    plan = solve_plan(make(), time_limit_s=10, seed=0)
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(1200.0)
    assert plan.bound == pytest.approx(1200.0)
    (it,) = plan.itineraries
    assert [lg.link for lg in it.legs] == ["AB", "BC-rail"]
    assert it.legs[1].departure_h == 10 and it.arrival_h == pytest.approx(20.0)
    assert [(h.node, h.at_h, h.cost_cny) for h in it.handling] == [("B", 1.0, 200.0)]
    assert it.lateness_h == 0 and not it.dropped


def test_a_full_train_forces_the_second_shipment_onto_the_road():
    sc = make(links=links(rail_capacity=3),
              shipments=[shipment("S1", due_h=30, lateness_penalty_cny_per_teu_h=1000),
                         shipment("S2", due_h=30, lateness_penalty_cny_per_teu_h=1000)])
    plan = solve_plan(sc, time_limit_s=10, seed=0)
    assert plan.status == "optimal"
    routes = sorted([modes(plan, "S1"), modes(plan, "S2")])
    assert routes == [["AB", "BC-rail"], ["AC"]]
    assert plan.objective == pytest.approx(1200.0 + 3000.0)


def test_the_splittable_option_fills_the_train_and_trucks_the_rest():
    sc = make(links=links(rail_capacity=3),
              shipments=[shipment("S1", quantity_teu=4, due_h=30,
                                  lateness_penalty_cny_per_teu_h=1000)])
    plan = solve_plan(sc, time_limit_s=10, seed=0, params=PlanParams(splittable=True))
    assert plan.status == "optimal"
    teu = {tuple(lg.link for lg in it.legs): it.teu for it in plan.itineraries}
    assert teu == {("AB", "BC-rail"): pytest.approx(3.0), ("AC",): pytest.approx(1.0)}
    assert plan.objective == pytest.approx(3 * 600 + 1500)


def test_a_missed_cutoff_waits_for_the_next_days_train():
    # released at 9 h: at B at 10 h, ready at 12 h > cut-off 8 h -> the train of 34 h
    plan = solve_plan(make(shipments=[shipment(release_h=9, due_h=48)]), time_limit_s=10, seed=0)
    (it,) = plan.itineraries
    assert [lg.link for lg in it.legs] == ["AB", "BC-rail"]
    assert it.legs[1].departure_h == 34 and it.arrival_h == pytest.approx(44.0)
    assert plan.objective == pytest.approx(1200.0)


def test_a_co2_price_moves_the_cargo_from_road_to_rail():
    cheap_road = links()
    cheap_road[1]["cost_per_teu_km_cny"] = 1.0  # direct road 300/TEU, rail route 600/TEU
    sc = make(links=cheap_road)
    assert modes(solve_plan(sc, time_limit_s=10, seed=0, params=PlanParams(co2_price=0)), "S1") == ["AC"]
    # road 600 kg/TEU vs 124 kg/TEU: at 1000 CNY/t the rail route saves 476 > 300 CNY/TEU
    plan = solve_plan(sc, time_limit_s=10, seed=0, params=PlanParams(co2_price=1000))
    assert modes(plan, "S1") == ["AB", "BC-rail"]
    assert plan.co2_kg == pytest.approx(2 * 124.0)
    assert plan.objective == pytest.approx(1200 + 1000 * 0.248)


def test_an_impossible_due_date_gives_lateness_not_failure():
    plan = solve_plan(make(shipments=[shipment(due_h=2)]), time_limit_s=10, seed=0)
    assert plan.status == "optimal"
    (it,) = plan.itineraries
    assert not it.dropped
    assert [lg.link for lg in it.legs] == ["AC"]  # 5 h by road: 3 h late x 100 x 2 TEU = 600
    assert it.lateness_h == pytest.approx(3.0)
    assert plan.objective == pytest.approx(3000 + 600)


def test_a_shipment_too_big_for_every_route_is_dropped_at_its_penalty():
    ls = links(rail_capacity=1)
    sc = make(links=[ls[0], ls[2]])  # only road to B, then a train taking 1 TEU of the 2
    plan = solve_plan(sc, time_limit_s=10, seed=0)
    assert plan.status == "optimal"
    (it,) = plan.itinerary("S1")
    assert it.dropped and it.objective_cny == pytest.approx(2 * 100_000)
    assert check_plan(sc, plan).ok


def test_node_capacity_per_day_limits_transshipments():
    sc = make(nodes=[{"id": "A", "kind": "plant", "lon": 109.0, "lat": 24.0},
                     {"id": "B", "kind": "rail_terminal", "lon": 109.5, "lat": 24.0,
                      "handling_time_h": 2, "handling_cost_cny": 100,
                      "capacity_teu_per_day": 3},
                     {"id": "C", "kind": "dealer", "lon": 111.0, "lat": 24.0}],
              shipments=[shipment("S1", due_h=30, lateness_penalty_cny_per_teu_h=1000),
                         shipment("S2", due_h=30, lateness_penalty_cny_per_teu_h=1000)])
    plan = solve_plan(sc, time_limit_s=10, seed=0)
    assert sorted([modes(plan, "S1"), modes(plan, "S2")]) == [["AB", "BC-rail"], ["AC"]]


def test_road_legs_use_the_time_of_day_profile_of_their_departure_hour():
    profile = [1.0] * 24
    profile[0] = 2.0
    sc = make(start="2026-03-02T00:00", links=links()[:2],
              uncertainty={"road_traffic": {"hourly_multipliers": profile}})
    plan = solve_plan(sc, time_limit_s=10, seed=0)
    (it,) = plan.itineraries
    assert it.legs[0].departure_h == 0 and it.arrival_h == pytest.approx(10.0)


def test_the_plan_round_trips_through_json():
    plan = solve_plan(make(), time_limit_s=10, seed=0)
    again = Plan.from_dict(json.loads(json.dumps(plan.to_dict())))
    assert again == plan
    for key in ("objective", "bound", "status", "time_s", "solver", "seed"):
        assert key in plan.to_dict()


def test_the_bundled_tiny_scenario_is_solved_to_optimality_and_checks():
    sc = load("tiny")
    plan = solve_plan(sc, time_limit_s=30, seed=0)
    assert plan.status == "optimal" and plan.gap <= 1e-6
    assert check_plan(sc, plan).ok
    assert expand(sc).usable  # the network is small enough to read


def test_the_greedy_fallback_respects_capacities_and_passes_the_checker():
    from mmroute.routing.plan.greedy import greedy_flows
    from mmroute.routing.plan.solve import _extract

    sc = make(links=links(rail_capacity=3),
              shipments=[shipment("S1", due_h=30), shipment("S2", due_h=30)])
    net = expand(sc)
    its = _extract(sc, net, greedy_flows(sc, net, 0.0), 0.0, False)
    plan = Plan(sc.name, sum(it.objective_cny for it in its), None, "timeout", 0.0, "greedy",
                0, tuple(its), 0.0)
    assert check_plan(sc, plan).ok
    assert sorted(len(it.legs) for it in its) == [1, 2]  # one by rail, one by road


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_arc_elimination_keeps_the_optimum_when_capacities_bind(seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    ships = [shipment(f"S{i}", quantity_teu=float(rng.integers(1, 4)),
                      release_h=float(rng.integers(0, 30)), due_h=float(rng.integers(30, 60)))
             for i in range(6)]
    nodes = [dict(n) for n in make().to_dict()["nodes"]]
    nodes[1]["capacity_teu_per_day"] = 5
    sc = make(links=links(BC_ROAD, rail_capacity=4), nodes=nodes, shipments=ships)
    a = solve_plan(sc, time_limit_s=20, seed=0)
    b = solve_plan(sc, time_limit_s=20, seed=0, params=PlanParams(eliminate=False))
    assert a.status == b.status == "optimal"
    assert a.objective == pytest.approx(b.objective, rel=1e-9)


def test_a_time_limit_gives_a_checked_timeout_plan_with_its_bound():
    sc = load("china-europe") if "china-europe" in _bundled() else load("yangtze-inbound")
    plan = solve_plan(sc, time_limit_s=0.05, seed=0, params=PlanParams(eliminate=False))
    assert plan.status in ("timeout", "optimal")  # optimal only on a much faster machine
    assert check_plan(sc, plan).ok
    if plan.status == "timeout" and plan.bound is not None:
        assert plan.bound <= plan.objective


def _bundled() -> set[str]:
    from pathlib import Path

    import mmroute.scenarios

    return {p.stem for p in (Path(mmroute.scenarios.__file__).parent / "data").glob("*.yaml")}


def test_a_border_dwell_delays_every_passage_and_can_change_the_route():
    road_only = [lk for lk in links() if lk["mode"] == "road"] + [BC_ROAD]
    ship = [shipment(due_h=8)]
    fast = solve_plan(make(links=road_only, shipments=ship), time_limit_s=10, seed=0)
    assert modes(fast, "S1") == ["AB", "BC-road"]  # road -> road through B: no handling
    assert fast.objective == pytest.approx(2 * 1300)

    nodes = make().to_dict()["nodes"]
    nodes[1]["dwell_h"] = 7.0  # e.g. customs clearance at a border post
    slow = make(nodes=nodes, links=road_only, shipments=ship)
    assert slow.network().route(["AB", "BC-road"]).time_h == pytest.approx(1 + 7 + 200 / 60)
    plan = solve_plan(slow, time_limit_s=10, seed=0)
    assert plan.status == "optimal"
    assert modes(plan, "S1") == ["AC"]  # via B it would be 3.33 h late: 2 x 1300 + 666 > 3000
    assert plan.objective == pytest.approx(2 * 1500)
    assert check_plan(slow, plan).ok
