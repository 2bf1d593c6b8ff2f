"""Loading-aware routing: route order rule, detection of routes that do not pack, repair."""

from __future__ import annotations

import pytest

from mmroute import scenarios
from mmroute.errors import InfeasibleError, InputError
from mmroute.report import CheckReport
from mmroute.routing.loading import BoxType, Container, LoadingInstance, Placement, check_packing
from mmroute.routing.loadroute import (
    LoadingAwareParams,
    check_route,
    check_route_loading,
    order_violations,
    quick_infeasibility,
    route_events,
    route_phases,
    solve_loading_aware,
    summary_table,
    write_loading_aware,
)
from mmroute.routing.loadroute.instance import route_instance
from mmroute.routing.vrp import (
    VRPParams,
    VRPRoute,
    VRPSolution,
    check_vrp,
    from_scenario_fleet,
    solve_vrp,
)

FAST = LoadingAwareParams(vrp_max_iterations=50, loading_time_limit_s=1.0)


def pallet_scenario(
    quantity: int = 3, count: int = 3, extra_box: dict | None = None, extra_required: bool = True
) -> scenarios.Scenario:
    """Three suppliers, each with ``quantity`` tall non-stackable pallets (1.2 x 1.0 x 1.2 m,
    300 kg) for a 4.0 x 2.0 x 2.0 m van (5 t, 16 m3): 9 pallets weigh 2.7 t and fill 13 m3,
    but only 6 stand on the van's floor and none may be stacked. ``extra_box``: a fourth
    supplier's box."""
    pallet = {"type": "tall-pallet", "dims_m": [1.2, 1.0, 1.2], "weight_kg": 300,
              "quantity": quantity, "upright_only": True, "stackable": False}
    customers = [{"id": c, "node": n, "service_h": 0.2, "window_h": [7, 18], "boxes": [pallet]}
                 for c, n in (("CA", "A"), ("CB", "B"), ("CC", "C"))]
    if extra_box is not None:
        customers.append({"id": "CD", "node": "D", "service_h": 0.2, "window_h": [7, 18],
                          "boxes": [extra_box], "required": extra_required,
                          **({} if extra_required else {"drop_penalty_cny": 900})})
    nodes = [("PLANT", "plant", 109.40, 24.30), ("A", "supplier", 109.42, 24.31),
             ("B", "supplier", 109.43, 24.29), ("C", "supplier", 109.41, 24.33),
             ("D", "supplier", 109.44, 24.32)]
    ids = [n[0] for n in nodes]
    return scenarios.parse({
        "name": "tall-pallets",
        "start": "2026-03-02T00:00",
        "horizon_h": 24,
        "nodes": [{"id": i, "name": i, "kind": k, "lon": lon, "lat": lat} for i, k, lon, lat in nodes],
        "links": [{"from": a, "to": b, "mode": "road", "bidirectional": True, "speed_kmh": 40}
                  for k, a in enumerate(ids) for b in ids[k + 1:]],
        "shipments": [{"id": "S1", "origin": "A", "destination": "PLANT", "quantity_teu": 0.1,
                       "release_h": 6, "due_h": 20}],
        "fleet": {
            "depots": [{"id": "D1", "node": "PLANT"}],
            "vehicle_types": [{"id": "van", "depot": "D1", "count": count, "capacity_kg": 5000,
                               "capacity_m3": 16, "inner_dims_m": [4.0, 2.0, 2.0],
                               "fixed_cost_cny": 500, "cost_per_km_cny": 2, "cost_per_h_cny": 0,
                               "speed_kmh": 40, "shift_start_h": 6, "shift_end_h": 20}],
            "customers": customers,
        },
    })


@pytest.fixture(scope="module")
def pallets() -> scenarios.Scenario:
    """The crafted case: fits by weight and volume, not on the floor."""
    return pallet_scenario()


@pytest.fixture(scope="module")
def milkrun() -> scenarios.Scenario:
    """The bundled inbound milk-run around Liuzhou."""
    return scenarios.load("liuzhou-milkrun")


def node(problem, cid: str) -> int:
    return problem.meta["node_ids"].index(cid)


def assert_verified(scenario, rl) -> None:
    """Every phase of the route has a packing of all its boxes that passes the loading checker
    and the route-order rule."""
    assert rl.fits_3d == "yes"
    for part in rl.parts:
        built = route_instance(scenario, part.vehicle_name, part.events)
        if built is None:
            continue
        inst, owners = built
        assert len(part.packing.placements) == inst.n_boxes
        assert check_packing(inst.container, inst.box_types, part.packing).feasible
        assert order_violations(part.packing.placements, owners, part.events) == []


# ---------------------------------------------------------------- the order rule
def test_pickups_are_ordered_by_loading_and_a_pair_by_its_delivery(milkrun):
    p = from_scenario_fleet(milkrun)
    visits = [node(p, c) for c in ("C04", "P17", "C02", "P17@S01", "C01")]
    ev = route_events(p, visits)
    # C04 and P17 share stop 0 (both at S04); the plant is stop 3
    assert ev.customers == ("C04", "P17", "C02", "C01")
    assert ev.load == (0, 0, 1, 2) and ev.unload == (3, 2, 3, 3)
    i = {c: k for k, c in enumerate(ev.customers)}
    # P17 leaves first: it is the most accessible; then the latest pickup
    assert ev.key[i["P17"]] == 0 and ev.key[i["C01"]] < ev.key[i["C02"]] < ev.key[i["C04"]]
    # C02 is picked up while P17 is aboard and stays after P17 leaves: neither may block the other
    assert ev.must_not_block(i["P17"], i["C02"]) and ev.must_not_block(i["C02"], i["P17"])
    assert not ev.order_exact
    # an earlier pickup must not block a later one; pickups unloaded together at the plant
    assert ev.must_not_block(i["C01"], i["C04"]) and not ev.must_not_block(i["C04"], i["C01"])


def test_a_plain_pickup_route_has_an_exact_order_model(milkrun):
    p = from_scenario_fleet(milkrun)
    ev = route_events(p, [node(p, c) for c in ("C10", "C09", "C07")])
    assert ev.order_exact and ev.key == (2, 1, 0)


def test_order_violations_flag_an_earlier_pickup_in_front_of_a_later_one(milkrun):
    p = from_scenario_fleet(milkrun)
    ev = route_events(p, [node(p, "C10"), node(p, "C07")])  # C10 loaded first
    owners = {1: 0, 2: 1}
    back = Placement(2, (0, 0, 0), (120, 100, 100))  # C07 at the back ...
    front = Placement(1, (120, 0, 0), (120, 100, 120))  # ... behind C10, loaded before it
    assert order_violations([back, front], owners, ev)
    swapped = [Placement(1, (0, 0, 0), (120, 100, 120)), Placement(2, (120, 0, 0), (120, 100, 100))]
    assert order_violations(swapped, owners, ev) == []


def test_route_instance_gives_each_box_type_its_customers_key(milkrun):
    p = from_scenario_fleet(milkrun)
    ev = route_events(p, [node(p, c) for c in ("C10", "C09", "C07")])
    inst, owners = route_instance(milkrun, "truck-6.8m", ev)
    assert [t.stop for t in inst.box_types] == [2, 1, 0]
    assert sorted(owners.values()) == [0, 1, 2]
    assert inst.container.dims == (670, 240, 250)


# ---------------------------------------------------------------- proofs
def test_floor_area_proves_that_tall_non_stackable_pallets_do_not_fit():
    inst = LoadingInstance("t", Container(400, 200, 200, 5000.0),
                           (BoxType(1, (120, 100, 120), 7, 300.0, (False, False, True), False),))
    assert "floor" in quick_infeasibility(inst)
    six = LoadingInstance("t", inst.container, (BoxType(1, (120, 100, 120), 6, 300.0, (False, False, True), False),))
    assert quick_infeasibility(six) is None


def test_a_box_longer_than_the_body_is_proved_not_to_fit():
    inst = LoadingInstance("t", Container(400, 200, 200), (BoxType(1, (450, 50, 50), 1, vertical=(False, False, True)),))
    assert "no allowed orientation" in quick_infeasibility(inst)


def test_bundled_bumper_racks_do_not_fit_the_small_truck(milkrun):
    """Fast sibling of the slow bundled run: 4 non-stackable 2.0 x 1.2 x 1.5 m racks need
    9.6 m2 of floor; the 4.2 m truck has 8.2 m2 (its 15.5 m3 would take 14.4 m3)."""
    p = from_scenario_fleet(milkrun)
    small = next(k for k, vt in enumerate(p.vehicle_types) if vt.name == "truck-4.2m")
    rl = check_route(milkrun, p, [node(p, "C03")], small, time_limit_s=1.0)
    assert rl.fits_capacity and rl.fits_3d == "no" and rl.capacity_wrong
    assert "floor" in rl.reason
    big = check_route(milkrun, p, [node(p, "C03")], small + 1, time_limit_s=1.0)
    assert big.fits_3d == "yes" and big.packing is not None


def test_bundled_milkrun_report_runs_on_a_short_vrp_solution(milkrun):
    """Fast sibling of the slow bundled run: every route gets a verdict; packed ones verify."""
    p = from_scenario_fleet(milkrun)
    sol = solve_vrp(p, time_limit_s=2, seed=0, params=VRPParams(max_iterations=50))
    rep = check_route_loading(milkrun, p, sol, time_limit_s_per_route=0.5, seed=0)
    assert len(rep.routes) == len([r for r in sol.routes if r.visits])
    assert all(r.fits_capacity for r in rep.routes)
    assert {r.fits_3d for r in rep.routes} <= {"yes", "no", "unknown"}
    for rl in rep.routes:
        if rl.fits_3d == "yes":
            assert_verified(milkrun, rl)
    d = rep.to_dict(with_packing=False)
    assert d["n_routes"] == len(rep.routes) and "packing" not in d["routes"][0]


# ---------------------------------------------------------------- detection and repair
def test_the_report_flags_a_route_that_fits_by_weight_and_volume_but_not_in_3d(pallets):
    p = from_scenario_fleet(pallets)
    sol = VRPSolution(routes=(VRPRoute(tuple(node(p, c) for c in ("CA", "CB", "CC"))),), objective=None)
    assert check_vrp(p, sol).feasible
    rep = check_route_loading(pallets, p, sol, time_limit_s_per_route=1.0, seed=0)
    (r,) = rep.routes
    assert r.fits_capacity and r.fits_3d == "no" and r.packing is None
    assert rep.n_capacity_wrong == 1 and not rep.all_fit
    assert rep.to_dict()["routes"][0]["fits_3d"] == "no"


def test_two_customers_pack_and_their_packing_passes_the_checker(pallets):
    p = from_scenario_fleet(pallets)
    visits = (node(p, "CA"), node(p, "CB"))
    rl = check_route(pallets, p, visits, 0, time_limit_s=1.0)
    assert rl.fits_3d == "yes" and rl.n_boxes == 6
    inst, owners = route_instance(pallets, "van", rl.events)
    assert check_packing(inst.container, inst.box_types, rl.packing).feasible
    assert order_violations(rl.packing.placements, owners, rl.events) == []
    assert rl.utilisation == pytest.approx(6 * 1.44 / 16)


def test_the_repair_gives_routes_that_all_pack_and_pass_both_checkers(pallets):
    res = solve_loading_aware(pallets, time_limit_s=10, seed=0, params=FAST)
    assert res.n_capacity_wrong == 1  # the plain model puts all nine pallets in one van
    assert len(res.initial_solution.routes) == 1
    assert res.report.all_fit and len(res.solution.routes) == 2
    assert check_vrp(res.problem, res.solution).feasible
    for rl in res.report.routes:
        assert_verified(pallets, rl)
    assert res.objective_after > res.objective_before  # a second van is needed
    assert res.to_dict()["n_capacity_wrong"] == 1
    # the route-loading checker's report is the one CheckReport: one violation per failing route
    assert isinstance(res.report, CheckReport) and res.report.feasible
    assert not res.initial_report.feasible and res.initial_report.violations[0].where == "route 1"
    assert res.initial_report.to_dict()["n_violations"] == 1
    assert f"{res.objective_before:,.2f} -> {res.objective_after:,.2f}" in res.summary()


def test_the_same_seed_gives_the_same_result(pallets):
    a = solve_loading_aware(pallets, time_limit_s=10, seed=3, params=FAST)
    b = solve_loading_aware(pallets, time_limit_s=10, seed=3, params=FAST)
    assert a.solution.routes == b.solution.routes
    assert a.objective_after == b.objective_after
    assert [r.packing.placements for r in a.report.routes] == [r.packing.placements for r in b.report.routes]


def test_the_result_is_written_as_json_with_the_solution_fields_and_a_table(pallets, tmp_path):
    import json

    res = solve_loading_aware(pallets, time_limit_s=10, seed=0, params=FAST)
    path = write_loading_aware(res, tmp_path / "out" / "loadroute.json")
    data = json.loads(path.read_text())
    for key in ("objective", "bound", "status", "time_s", "solver", "seed", "routes"):
        assert key in data
    assert data["objective"] == res.objective_after
    route = data["loading_aware"]["report"]["routes"][0]
    assert route["packing"]["boxes"] and set(route["box_types"].values()) <= {"CA/tall-pallet", "CB/tall-pallet", "CC/tall-pallet"}
    table = summary_table(res)
    assert "capacity model wrong (proved): 1" in table and table.count("\n") == 5  # 2 headers, 1 + 2 routes, the totals


def test_an_optional_customer_whose_box_fits_no_truck_is_dropped():
    long_item = {"type": "pipe", "dims_m": [4.5, 0.3, 0.3], "weight_kg": 50, "quantity": 1,
                 "upright_only": True, "stackable": True}
    sc = pallet_scenario(quantity=1, extra_box=long_item, extra_required=False)
    res = solve_loading_aware(sc, time_limit_s=10, seed=0, params=FAST)
    assert node(res.problem, "CD") in res.solution.dropped
    assert res.report.all_fit and check_vrp(res.problem, res.solution).feasible


def test_a_required_customer_whose_box_fits_no_truck_is_infeasible():
    long_item = {"type": "pipe", "dims_m": [4.5, 0.3, 0.3], "weight_kg": 50, "quantity": 1,
                 "upright_only": True, "stackable": True}
    sc = pallet_scenario(quantity=1, extra_box=long_item)
    with pytest.raises(InfeasibleError, match="CD"):
        solve_loading_aware(sc, time_limit_s=10, seed=0, params=FAST)


def test_bad_arguments_raise_input_errors(pallets):
    p = from_scenario_fleet(pallets)
    sol = solve_vrp(p, time_limit_s=1, seed=0, params=VRPParams(max_iterations=20))
    with pytest.raises(InputError, match="min_support"):
        check_route_loading(pallets, p, sol, time_limit_s_per_route=1, min_support=1.5)
    with pytest.raises(InputError, match="time_limit_s"):
        solve_loading_aware(pallets, time_limit_s=0, seed=0)


@pytest.mark.slow
def test_bundled_milkrun_routes_all_pack_after_the_repair(milkrun):
    res = solve_loading_aware(milkrun, time_limit_s=20, seed=0,
                              params=LoadingAwareParams(vrp_max_iterations=200))
    assert res.report.all_fit and check_vrp(res.problem, res.solution).feasible
    assert res.n_repaired >= 1
    for rl in res.report.routes:
        assert_verified(milkrun, rl)


def test_a_pair_delivered_before_the_next_pickup_is_packed_phase_by_phase(milkrun):
    """P17 (2 steel pallets, 1.2 t) leaves at S01 before C12 (5 pallets, 1.5 t) is picked up:
    together they would break the 4.2 m truck's 2 t payload, one after the other they fit."""
    p = from_scenario_fleet(milkrun)
    small = next(k for k, vt in enumerate(p.vehicle_types) if vt.name == "truck-4.2m")
    visits = [node(p, c) for c in ("P17", "P17@S01", "C12")]
    assert route_phases(p, visits) == [tuple(visits[:2]), tuple(visits[2:])]
    rl = check_route(milkrun, p, visits, small, time_limit_s=1.0)
    assert rl.fits_3d == "yes" and len(rl.phases) == 2 and rl.packing is None
    assert_verified(milkrun, rl)


def test_column_height_proves_what_the_volume_test_misses():
    body = Container(100, 100, 250)
    big = BoxType(1, (100, 100, 120), 2, 10.0, (False, False, True), True)
    small = BoxType(2, (10, 10, 11), 1, 1.0, (False, False, True), True)
    inst = LoadingInstance("t", body, (big, small))
    assert inst.box_volume <= body.volume  # the volume test passes...
    assert "tallest stack (240 of 250 cm)" in quick_infeasibility(inst)  # ...two 120s leave 10 cm
    fits = LoadingInstance("t", body, (big, BoxType(2, (10, 10, 10), 1, 1.0, (False, False, True), True)))
    assert quick_infeasibility(fits) is None  # 120 + 120 + 10 = 250 stacks exactly


def test_column_height_allows_one_non_stackable_box_per_stack_under_full_support():
    body = Container(100, 100, 250)
    base = BoxType(1, (100, 100, 100), 1, 10.0, (False, False, True), True)
    tops = (BoxType(2, (100, 100, 100), 1, 10.0, (False, False, True), False),  # nothing may rest on them
            BoxType(3, (100, 100, 40), 1, 10.0, (False, False, True), False))
    inst = LoadingInstance("t", body, (base, *tops))
    assert "tallest stack (200 of 250 cm)" in quick_infeasibility(inst)  # base + one top only
    assert quick_infeasibility(inst, min_support=0.75) is None  # partial support: only heights count
