"""Readers and the problem model on tiny hand-made files (tests/data/vrp/)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mmroute.errors import InputError, InstanceError
from mmroute.routing.vrp.problem import VRPProblem, VRPVehicleType
from mmroute.routing.vrp.readers import read_instance, read_lilim, read_solomon, read_vrplib

DATA = Path(__file__).resolve().parents[1] / "data" / "vrp"


def test_vrplib_reader_rounds_euclidean_distances_to_nearest_integer():
    p = read_vrplib(DATA / "tiny.vrp")
    assert p.num_nodes == 5 and p.depots == (0,) and p.scale == 1
    assert p.distance[0, 1] == 5 and p.distance[1, 2] == 8  # 3-4-5 triangle, |(3,4)-(3,-4)| = 8
    assert p.demand == (0, 4, 4, 5, 5)
    assert p.vehicle_types[0].capacity == 10
    assert p.is_cvrp


def test_solomon_reader_scales_real_distances_and_times_by_100_with_exact_rounding():
    p = read_solomon(DATA / "tiny_solomon.txt")
    assert p.scale == 100
    assert p.distance[0, 1] == round(100 * 2**0.5)  # 141
    assert p.tw_early[2] == 1000 and p.tw_late[2] == 2000 and p.service[1] == 200
    assert p.vehicle_types[0].count == 3 and p.vehicle_types[0].capacity == 20
    assert p.vehicle_types[0].shift_end == 10000


def test_solomon_reader_dimacs_rounding_truncates_to_one_decimal():
    p = read_solomon(DATA / "tiny_solomon.txt", rounding="dimacs")
    assert p.scale == 10 and p.distance[0, 1] == 14  # sqrt(2) = 1.414.. -> 1.4


def test_lilim_reader_builds_pickup_delivery_pairs_with_signed_demand():
    p = read_lilim(DATA / "tiny_lilim.txt")
    assert p.pickup_delivery == ((1, 2), (3, 4))
    assert p.demand == (0, 3, -3, 4, -4)


def test_read_instance_dispatches_on_format():
    assert read_instance(DATA / "tiny.vrp").meta["format"] == "vrplib"
    assert read_instance(DATA / "tiny_solomon.txt").meta["format"] == "solomon"
    assert read_instance(DATA / "tiny_lilim.txt").meta["format"] == "lilim"


@pytest.mark.parametrize("name", ["bad_missing_demand.vrp", "garbage.txt", "bad_solomon.txt", "absent.vrp"])
def test_malformed_instance_files_raise_instance_error_naming_the_file(name):
    with pytest.raises(InstanceError) as info:
        read_instance(DATA / name)
    assert info.value.file == name


def test_problem_round_trips_through_to_dict_and_from_dict():
    p = read_lilim(DATA / "tiny_lilim.txt")
    q = VRPProblem.from_dict(p.to_dict())
    assert np.array_equal(p.distance, q.distance) and q.pickup_delivery == p.pickup_delivery
    assert q.to_dict() == p.to_dict()


def test_problem_rejects_a_depot_with_demand_and_a_non_integer_matrix():
    d = np.zeros((2, 2))
    with pytest.raises(InputError, match="depot 0 must have demand 0"):
        VRPProblem(distance=d, duration=d, demand=(1, 1), vehicle_types=(VRPVehicleType(5, 1),))
    with pytest.raises(InputError, match="integers"):
        VRPProblem(distance=d + 0.5, duration=d, demand=(0, 1), vehicle_types=(VRPVehicleType(5, 1),))


def test_benchmark_solomon_file_reads_with_101_nodes(shared_data):
    p = read_instance(shared_data / "solomon" / "C101.txt")
    assert p.num_nodes == 101 and p.vehicle_types[0].capacity == 200


def test_hfvrp_reader_reproduces_the_published_cost_of_the_bks_solution(shared_data):
    """Route k of an HFVRP .sol runs on vehicle k of the file; its cost must match `Cost`."""
    import vrplib

    from mmroute.routing.vrp.check import check_vrp
    from mmroute.routing.vrp.solution import VRPRoute, VRPSolution

    base = shared_data / "hfvrp" / "X101-FSMFD"
    raw = vrplib.read_instance(f"{base}.vrp")
    p = read_instance(f"{base}.vrp")
    type_of = {(vt.capacity, vt.fixed_cost, vt.cost_per_distance): k for k, vt in enumerate(p.vehicle_types)}
    routes, cost = [], None
    for line in (base.with_suffix(".sol")).read_text().splitlines():
        head, _, tail = line.partition(":")
        if head.startswith("Route") and tail.split():
            v = int(head.split("#")[1]) - 1
            key = (int(raw["capacity"][v]), 100 * int(raw["vehicles_fixed_cost"][v]), int(raw["vehicles_unit_distance_cost"][v]))
            routes.append(VRPRoute(tuple(int(x) for x in tail.split()), type_of[key]))
        elif head.startswith("Cost"):
            cost = float(tail)
    rep = check_vrp(p, VRPSolution(routes=tuple(routes), objective=cost), objective_tol=0.01)
    assert rep.feasible, rep.violations
