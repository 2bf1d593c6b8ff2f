"""Heuristic engines behind solve_vrp: feasibility, determinism, warm start, infeasible input."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from mmroute.errors import InfeasibleError, InputError
from mmroute.routing.vrp.check import check_vrp
from mmroute.routing.vrp.problem import VRPProblem, VRPVehicleType
from mmroute.routing.vrp.readers import read_instance
from mmroute.routing.vrp.solution import VRPSolution
from mmroute.routing.vrp.solve import VRPParams, solve_vrp

DATA = Path(__file__).resolve().parents[1] / "data" / "vrp"
#: Small solves stop after ITERATIONS iterations (solutions accepted, for OR-Tools); CAP_S is
#: only a cap a loaded machine never reaches (0.3-0.5 s limits once found no solution at load > 20).
ITERATIONS = 100
CAP_S = 30


def random_problem(n: int = 12, seed: int = 3, **kw) -> VRPProblem:
    """A small random Euclidean CVRP (depot 0) built from a numpy Generator."""
    rng = np.random.default_rng(seed)
    xy = rng.integers(0, 100, size=(n, 2))
    d = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(int)
    demand = [0, *rng.integers(1, 10, size=n - 1).tolist()]
    args = dict(distance=d, duration=d, demand=demand, vehicle_types=(VRPVehicleType(capacity=20, count=n - 1),), coords=xy, name="rand")
    args.update(kw)
    return VRPProblem(**args)


@pytest.mark.parametrize("engine", ["ortools", "pyvrp", "auto"])
def test_every_engine_returns_a_checked_solution_on_the_tiny_cvrp(engine):
    p = read_instance(DATA / "tiny.vrp")
    s = solve_vrp(p, time_limit_s=CAP_S, seed=1, params=VRPParams(engine=engine, max_iterations=ITERATIONS))
    assert check_vrp(p, s).feasible
    assert s.objective == 32 and s.status == "feasible" and s.bound is None  # 2 routes of 5+6+5


def test_same_seed_and_iteration_limit_give_the_same_routes():
    p = random_problem(20)
    for engine in ("pyvrp", "ortools"):
        a = solve_vrp(p, time_limit_s=30, seed=7, params=VRPParams(engine=engine, max_iterations=100))
        b = solve_vrp(p, time_limit_s=30, seed=7, params=VRPParams(engine=engine, max_iterations=100))
        assert a.routes == b.routes and a.objective == b.objective


def test_pickup_delivery_goes_to_ortools_under_auto_and_respects_pairs():
    p = read_instance(DATA / "tiny_lilim.txt")
    s = solve_vrp(p, time_limit_s=CAP_S, seed=0, params=VRPParams(engine="auto", max_iterations=ITERATIONS))
    assert "ortools" in s.solver and check_vrp(p, s).feasible
    with pytest.raises(InputError, match="pickup-and-delivery"):
        solve_vrp(p, time_limit_s=0.5, seed=0, params=VRPParams(engine="pyvrp"))


def test_optional_clients_are_dropped_when_the_penalty_is_below_the_detour():
    p = random_problem(8, drop_penalty=(None, 1, None, None, None, None, None, 10**6))
    for engine in ("ortools", "pyvrp"):
        s = solve_vrp(p, time_limit_s=CAP_S, seed=0, params=VRPParams(engine=engine, max_iterations=ITERATIONS))
        assert s.dropped == (1,) and check_vrp(p, s).feasible


def test_mixed_fleet_with_fixed_costs_and_multi_depot():
    base = random_problem(12)
    d = base.distance
    p = VRPProblem(
        distance=d, duration=d, demand=(0, 0, *base.demand[2:]), depots=(0, 1),
        vehicle_types=(VRPVehicleType(capacity=15, count=3, fixed_cost=50, start_depot=0, end_depot=0),
                       VRPVehicleType(capacity=40, count=1, fixed_cost=200, cost_per_distance=2, start_depot=1, end_depot=1)),
    )
    for engine in ("ortools", "pyvrp"):
        s = solve_vrp(p, time_limit_s=1, seed=0, params=VRPParams(engine=engine))
        assert check_vrp(p, s).feasible


def test_warm_start_is_accepted_by_both_engines_and_never_worsens():
    p = random_problem(15)
    first = solve_vrp(p, time_limit_s=CAP_S, seed=0, params=VRPParams(engine="ortools", max_iterations=ITERATIONS))
    for engine in ("ortools", "pyvrp"):
        s = solve_vrp(p, time_limit_s=CAP_S, seed=2, params=VRPParams(engine=engine, max_iterations=ITERATIONS),
                      initial=first)
        assert check_vrp(p, s).feasible and s.objective <= first.objective


def test_infeasible_warm_start_is_rejected_with_the_reason():
    p = random_problem(6)
    bad = VRPSolution.from_dict({"routes": [[1, 2, 3, 4, 5]]})
    with pytest.raises(InputError, match="initial solution is infeasible"):
        solve_vrp(p, time_limit_s=0.5, seed=0, initial=bad)


def test_demand_above_every_capacity_raises_infeasible_quickly():
    p = random_problem(6, demand=(0, 5, 5, 99, 5, 5))
    t0 = time.perf_counter()
    with pytest.raises(InfeasibleError, match="client 3 demand 99 exceeds every vehicle capacity"):
        solve_vrp(p, time_limit_s=60, seed=0)
    assert time.perf_counter() - t0 < 1


def test_empty_time_window_raises_infeasible_quickly():
    p = random_problem(6, tw_early=(0, 0, 50, 0, 0, 0), tw_late=(10**6, 10**6, 40, 10**6, 10**6, 10**6))
    with pytest.raises(InfeasibleError, match="client 2 has an empty time window"):
        solve_vrp(p, time_limit_s=60, seed=0)


def test_unreachable_window_raises_infeasible():
    p = random_problem(6, tw_late=(10**6, 1, 10**6, 10**6, 10**6, 10**6))  # d(0,1) > 1
    assert p.distance[0, 1] > 1
    with pytest.raises(InfeasibleError, match="client 1 cannot be reached"):
        solve_vrp(p, time_limit_s=60, seed=0)


def test_solution_round_trips_through_json_dict():
    p = random_problem(8)
    s = solve_vrp(p, time_limit_s=CAP_S, seed=0, params=VRPParams(max_iterations=ITERATIONS))
    t = VRPSolution.from_dict(s.to_dict())
    assert t.routes == s.routes and t.objective == s.objective and t.seed == s.seed


def test_solomon_instance_is_solved_feasibly_by_both_engines(shared_data):
    p = read_instance(shared_data / "solomon" / "R101.txt")
    for engine in ("pyvrp", "ortools"):
        s = solve_vrp(p, time_limit_s=2, seed=0, params=VRPParams(engine=engine))
        rep = check_vrp(p, s)
        assert rep.feasible and s.objective < 1.15 * 1637.7  # within 15 % of the DIMACS BKS


def test_scenario_milk_run_converts_and_solves_with_pairs_volumes_and_checks():
    from mmroute.routing.vrp.scenario import from_scenario_fleet
    from mmroute.scenarios import load

    p = from_scenario_fleet(load("liuzhou-milkrun"))
    assert p.pickup_delivery and p.demand_extra and len(p.vehicle_types) == 3
    s = solve_vrp(p, time_limit_s=2, seed=0, params=VRPParams(engine="auto"))
    assert "ortools" in s.solver and check_vrp(p, s).feasible
    assert s.objective > 0  # CNY


def test_two_load_dimensions_are_both_enforced():
    base = random_problem(6)
    volume = (0, 9, 9, 1, 1, 1)
    p = VRPProblem(distance=base.distance, duration=base.duration, demand=(0, 1, 1, 1, 1, 1), demand_extra=(volume,),
                   vehicle_types=(VRPVehicleType(capacity=100, capacity_extra=(10,), count=5),))
    s = solve_vrp(p, time_limit_s=CAP_S, seed=0, params=VRPParams(engine="ortools", max_iterations=ITERATIONS))
    assert not any({1, 2} <= set(r.visits) for r in s.routes)  # 9 + 9 litres > 10
    bad = VRPSolution.from_dict({"routes": [[1, 2], [3, 4, 5]]})
    assert "load (dimension 1) 18 exceeds capacity 10" in check_vrp(p, bad).reason
