"""The independent checker: one crafted bad solution per kind of violation."""

from __future__ import annotations

import numpy as np
import pytest

from mmroute.routing.vrp.check import check_vrp
from mmroute.routing.vrp.problem import VRPProblem, VRPVehicleType
from mmroute.routing.vrp.solution import VRPRoute, VRPSolution, read_sol_file


def line_problem(**kw) -> VRPProblem:
    """Depot 0 and clients 1..4 on a line at x = 0, 1, 2, 3, 4; distance = time = |dx|."""
    x = np.arange(5)
    d = np.abs(x[:, None] - x[None, :])
    args = dict(distance=d, duration=d, demand=(0, 2, 2, 2, 2), vehicle_types=(VRPVehicleType(capacity=4, count=2),))
    args.update(kw)
    return VRPProblem(**args)


def sol(*routes, objective=None, types=None) -> VRPSolution:
    types = types or [0] * len(routes)
    return VRPSolution(routes=tuple(VRPRoute(tuple(r), t) for r, t in zip(routes, types)), objective=objective)


def test_a_feasible_solution_passes_and_its_cost_is_recomputed():
    rep = check_vrp(line_problem(), sol([1, 2], [3, 4], objective=12))
    assert rep.feasible and rep.details["cost"] == 4 + 8 and rep.details["num_routes"] == 2


@pytest.mark.parametrize(
    "solution, problem_kw, reason",
    [
        (sol([1, 2], [3]), {}, "client 4: not visited"),
        (sol([1, 2], [2, 3, 4]), {}, "visited twice"),
        (sol([1, 2, 3], [4]), {}, "exceeds capacity"),
        (sol([1], [2], [3, 4]), {}, "only 2 vehicles"),
        (sol([1, 2], [3, 9]), {}, "does not exist"),
        (sol([1, 2], [3, 0, 4]), {}, "depot 0 listed"),
        (sol([1, 2], [3, 4], objective=11), {}, "differs from the recomputed"),
        (sol([1, 2], [3, 4], types=[0, 5]), {}, "unknown vehicle type"),
        (sol([2, 1], [3, 4]), {"tw_late": (100, 1, 100, 100, 100)}, "after its window closes"),
        (sol([1, 2], [3, 4]), {"tw_late": (7, 100, 100, 100, 100)}, "after the depot/shift closes"),
        (sol([1, 2], [3, 4]), {"vehicle_types": (VRPVehicleType(capacity=4, count=2, max_duration=7),)}, "duration 8 exceeds"),
    ],
)
def test_each_kind_of_violation_is_reported(solution, problem_kw, reason):
    rep = check_vrp(line_problem(**problem_kw), solution)
    assert not rep.feasible
    assert any(reason in str(v) for v in rep.violations), rep.violations


def test_waiting_counts_toward_duration_only_when_a_later_departure_cannot_avoid_it():
    # client 1 opens at 10: leaving at 9 avoids all waiting, so route 1 lasts 2, not 12
    p = line_problem(tw_early=(0, 10, 0, 0, 0), vehicle_types=(VRPVehicleType(capacity=8, count=4, max_duration=2),))
    rep = check_vrp(p, sol([1], [2], [3], [4]))
    assert [v.where for v in rep.violations] == ["route 2", "route 3", "route 4"]
    # client 2 opens at 5 and closes at 6 after client 1 (open from 10): waiting at 1 makes it late
    p2 = line_problem(tw_early=(0, 10, 5, 0, 0), tw_late=(100, 100, 6, 100, 100))
    assert any("client 2" in str(v) for v in check_vrp(p2, sol([1, 2], [3, 4])).violations)


def test_pickup_delivery_precedence_same_route_and_pairing():
    p = line_problem(demand=(0, 2, -2, 2, -2), pickup_delivery=((1, 2), (3, 4)), drop_penalty=(None, 5, 5, None, None))
    assert check_vrp(p, sol([1, 2, 3, 4])).feasible
    assert any("delivery before pickup" in str(v) for v in check_vrp(p, sol([2, 1], [3, 4])).violations)
    assert any("different routes" in str(v) for v in check_vrp(p, sol([1, 4], [3, 2])).violations)
    assert any("only one of" in str(v) for v in check_vrp(p, sol([1], [3, 4])).violations)
    rep = check_vrp(p, sol([3, 4]))
    assert rep.feasible and rep.details["dropped"] == (1, 2) and rep.details["cost"] == 8 + 10


def test_cvrplib_optimal_solution_file_checks_at_its_stated_cost(shared_data):
    from mmroute.routing.vrp.readers import read_instance

    p = read_instance(shared_data / "cvrplib" / "small" / "E-n13-k4.vrp")
    rep = check_vrp(p, read_sol_file(shared_data / "cvrplib" / "small" / "E-n13-k4.sol"))
    assert rep.feasible and rep.objective == 247


def test_solomon_dimacs_solution_checks_under_dimacs_rounding(shared_data):
    from mmroute.routing.vrp.readers import read_instance

    p = read_instance(shared_data / "solomon" / "R101.txt", rounding="dimacs")
    rep = check_vrp(p, read_sol_file(shared_data / "solomon" / "R101.sol"))
    assert rep.feasible and rep.objective == pytest.approx(1637.7)
