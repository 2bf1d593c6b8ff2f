"""Exact CP-SAT model, block-building heuristic, multi-drop and scenario instances."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from mmroute.errors import InputError
from mmroute.routing.loading.check import check_packing
from mmroute.routing.loading.exact import pack_exact
from mmroute.routing.loading.model import BoxType, Container, LoadingInstance
from mmroute.routing.loading.solve import LoadingParams, solve_loading
from mmroute.routing.loading.surface import subtract_rect, union_maximal
from mmroute.routing.loading.thpack import read_thpack, read_thpack_instance

DATA = Path(__file__).resolve().parents[1] / "data" / "loading"


def test_exact_model_proves_the_optimum_of_a_tiling_plus_one_box_that_cannot_fit():
    """8 boxes 5x3x2 tile the 10x6x4 container exactly; 3 upright 2x2x4 boxes are extra."""
    inst = read_thpack_instance(DATA / "tiny.txt", 1)
    p = solve_loading(inst, time_limit_s=20, seed=0, params=LoadingParams(exact=True))
    assert p.status == "optimal"
    assert p.objective == p.bound == inst.container.volume == 240
    assert check_packing(inst.container, inst.box_types, p).feasible


def test_exact_model_proves_that_only_one_3_cube_fits_a_5_cube_without_a_hint():
    inst = LoadingInstance("cubes", Container(5, 5, 5), (BoxType(1, (3, 3, 3), 4),))
    r = pack_exact(inst, time_limit_s=20, seed=0)
    assert r.status == "optimal"
    assert r.objective == r.bound == 27  # the volume bound alone would allow 4 cubes


def test_exact_model_needs_stacking_with_full_support():
    """Two 2x2x1 slabs and one 4x2x1 plank in a 4x2x2 box: the optimum (16) stacks the plank
    on the two slabs (support from two boxes)."""
    inst = LoadingInstance(
        "stack",
        Container(4, 2, 2),
        (BoxType(1, (2, 2, 1), 2, vertical=(False, False, True)), BoxType(2, (4, 2, 1), 1, vertical=(False, False, True))),
    )
    r = pack_exact(inst, time_limit_s=20, seed=0)
    assert r.status == "optimal" and r.objective == 16
    assert check_packing(inst.container, inst.box_types, r.placements).feasible


def test_exact_model_refuses_instances_that_are_too_large():
    inst = LoadingInstance("big", Container(100, 100, 100), (BoxType(1, (10, 10, 10), 200),))
    with pytest.raises(InputError, match="at most"):
        pack_exact(inst, time_limit_s=1, seed=0)


def test_heuristic_fills_the_tiny_tiling_completely():
    inst = read_thpack_instance(DATA / "tiny.txt", 2)
    p = solve_loading(inst, time_limit_s=2, seed=0)
    assert p.objective == 64 and p.status == "optimal"


@pytest.mark.parametrize("k", [1, 2, 3])
def test_heuristic_reaches_a_utilisation_floor_on_br1_with_full_support(shared_data, k):
    inst = read_thpack(shared_data / "thpack" / "BR1.txt")[k - 1]
    p = solve_loading(inst, time_limit_s=2.0, seed=0)
    assert check_packing(inst.container, inst.box_types, p, min_support=1.0).feasible
    assert p.utilisation >= 0.87
    assert p.time_s < 4.0


def test_heuristic_is_deterministic_for_a_seed_when_it_finishes_its_passes():
    inst = read_thpack_instance(DATA / "tiny.txt", 1)
    a = solve_loading(inst, time_limit_s=1, seed=5)
    b = solve_loading(inst, time_limit_s=1, seed=5)
    assert a.placements == b.placements


def _multi_drop() -> LoadingInstance:
    return LoadingInstance(
        "three-stops",
        Container(60, 24, 20, payload_kg=500.0),
        (
            BoxType(1, (12, 8, 10), 6, weight_kg=10, vertical=(False, False, True), stop=0),
            BoxType(2, (10, 12, 8), 6, weight_kg=15, vertical=(False, False, True), stop=1),
            BoxType(3, (15, 8, 6), 8, weight_kg=5, stop=2),
        ),
    )


def test_unloading_order_is_respected_on_a_multi_drop_example():
    inst = _multi_drop()
    p = solve_loading(inst, time_limit_s=2, seed=0)
    r = check_packing(inst.container, inst.box_types, p)
    assert r.feasible
    stops = {t.id: t.stop for t in inst.box_types}
    packed = {stops[b.type_id] for b in p.placements}
    assert packed == {0, 1, 2}
    # the rule binds: the same packing is rejected when the stops are visited in reverse
    reverse = tuple(replace(t, stop=2 - t.stop) for t in inst.box_types)
    r = check_packing(inst.container, reverse, p.placements)
    assert any("unloading order" in str(v) for v in r.violations)


def test_payload_limits_the_heuristic():
    inst = LoadingInstance("heavy", Container(40, 20, 20, payload_kg=100.0), (BoxType(1, (10, 10, 10), 16, weight_kg=30.0),))
    p = solve_loading(inst, time_limit_s=1, seed=0)
    assert len(p.placements) == 3


def test_non_stackable_boxes_carry_nothing():
    inst = LoadingInstance("flat", Container(20, 10, 20), (BoxType(1, (10, 10, 5), 8, stackable=False, vertical=(False, False, True)),))
    p = solve_loading(inst, time_limit_s=1, seed=0)
    assert len(p.placements) == 2
    assert all(b.position[2] == 0 for b in p.placements)


def test_maximal_rectangles_of_a_union_and_a_difference():
    assert sorted(union_maximal([(0, 0, 2, 1), (2, 0, 4, 1)])) == [(0, 0, 4, 1)]
    l_shape = union_maximal([(0, 0, 2, 2), (0, 2, 1, 3)])
    assert sorted(l_shape) == [(0, 0, 1, 3), (0, 0, 2, 2)]
    assert sorted(subtract_rect([(0, 0, 4, 4)], (1, 1, 2, 2))) == [
        (0, 0, 1, 4), (0, 0, 4, 1), (0, 2, 4, 4), (2, 0, 4, 4)
    ]


def test_scenario_instance_from_the_bundled_milkrun_is_packed_and_checked():
    from mmroute.routing.loading.readers import read_loading_instance

    inst = read_loading_instance("liuzhou-milkrun", customers=["C02", "C04"], multi_drop=True)
    assert inst.container.payload_kg is not None
    assert {t.stop for t in inst.box_types} == {0, 1}
    p = solve_loading(inst, time_limit_s=1, seed=0)
    assert check_packing(inst.container, inst.box_types, p).feasible


def test_exact_model_respects_the_unloading_order():
    """Two 2x2x1 boxes fill a 4x2x1 body; the later stop must be at the back (x = 0)."""
    inst = LoadingInstance(
        "two-stops",
        Container(4, 2, 1),
        (
            BoxType(1, (2, 2, 1), 1, vertical=(False, False, True), stop=0),
            BoxType(2, (2, 2, 1), 1, vertical=(False, False, True), stop=1),
        ),
    )
    r = pack_exact(inst, time_limit_s=10, seed=0)
    assert r.status == "optimal" and r.objective == 8
    assert check_packing(inst.container, inst.box_types, r.placements).feasible
    by_type = {p.type_id: p.position[0] for p in r.placements}
    assert by_type == {2: 0, 1: 2}


@pytest.mark.slow
def test_heuristic_mean_utilisation_on_the_first_ten_br1_instances_is_at_least_90_percent(shared_data):
    insts = read_thpack(shared_data / "thpack" / "BR1.txt")[:10]
    utils = [solve_loading(i, time_limit_s=10.0, seed=0).utilisation for i in insts]
    assert sum(utils) / len(utils) >= 0.90


def test_general_blocks_give_checked_packings(shared_data):
    from mmroute.routing.loading.heuristic import HeuristicParams, pack_blocks

    inst = read_thpack(shared_data / "thpack" / "BR7.txt")[0]
    params = HeuristicParams(general_blocks=(0, 1, 2), general_fill=0.99, max_passes=2)
    r = pack_blocks(inst, time_limit_s=30.0, seed=0, params=params)
    report = check_packing(inst.container, inst.box_types, r.placements)
    assert report.feasible, report.violations[:3]
    assert report.details["packed_volume"] == r.volume


def test_heuristic_with_a_pass_budget_is_reproducible(shared_data):
    from mmroute.routing.loading.heuristic import HeuristicParams, pack_blocks

    inst = read_thpack(shared_data / "thpack" / "BR1.txt")[0]
    params = HeuristicParams(max_passes=6)
    a, b = pack_blocks(inst, time_limit_s=60.0, seed=1, params=params), pack_blocks(inst, time_limit_s=60.0, seed=1, params=params)
    assert a.placements == b.placements and a.passes == b.passes == 6
