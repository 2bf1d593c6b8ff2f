"""Exact VRPTW certificates (CP-SAT over the directed arc model, exact_tw.py)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from mmroute.errors import InfeasibleError, InputError, InstanceError
from mmroute.routing.vrp.check import check_vrp
from mmroute.routing.vrp.exact import solve_vrp_exact
from mmroute.routing.vrp.exact_tw import ExactTWParams, preprocess_time_windows, solve_vrptw_exact
from mmroute.routing.vrp.problem import VRPProblem, VRPVehicleType
from mmroute.routing.vrp.readers import read_instance, read_solomon
from mmroute.routing.vrp.solution import VRPRoute, VRPSolution

DATA = Path(__file__).resolve().parents[1] / "data" / "vrp"


def _random_vrptw(seed: int, n_clients: int = 5, vehicles: int = 3, symmetric: bool = False, fixed_cost: int = 0) -> VRPProblem:
    """A small VRPTW with integer (possibly asymmetric, non-metric) travel times and windows."""
    rng = np.random.default_rng(seed)
    n = n_clients + 1
    dist = rng.integers(1, 30, size=(n, n))
    if symmetric:
        dist = np.minimum(dist, dist.T)
    np.fill_diagonal(dist, 0)
    early = [0] + [int(v) for v in rng.integers(0, 60, size=n_clients)]
    late = [200] + [e + int(w) for e, w in zip(early[1:], rng.integers(5, 50, size=n_clients))]
    demand = [0] + [int(v) for v in rng.integers(1, 6, size=n_clients)]
    return VRPProblem(
        distance=dist,
        duration=dist,
        demand=demand,
        vehicle_types=(VRPVehicleType(capacity=10, count=vehicles, shift_end=200, fixed_cost=fixed_cost),),
        tw_early=early,
        tw_late=late,
        service=[0] + [2] * n_clients,
        name=f"random-{seed}",
    )


def _brute_force_optimum(problem: VRPProblem) -> int | None:
    """Cheapest feasible cost over every order of the clients and every split into routes."""
    clients = problem.clients
    best = None
    for perm in itertools.permutations(clients):
        for cuts in itertools.product((False, True), repeat=len(perm) - 1):
            routes, cur = [], [perm[0]]
            for v, cut in zip(perm[1:], cuts):
                if cut:
                    routes.append(VRPRoute(tuple(cur)))
                    cur = []
                cur.append(v)
            routes.append(VRPRoute(tuple(cur)))
            rep = check_vrp(problem, VRPSolution(routes=tuple(routes), objective=None))
            if rep.feasible and (best is None or rep.details["cost"] < best):
                best = rep.details["cost"]
    return best


@pytest.mark.parametrize("seed, fixed_cost", [(1, 0), (2, 0), (3, 0), (4, 0), (3, 40), (4, 40)])
def test_exact_vrptw_matches_brute_force_on_asymmetric_non_metric_instances(seed, fixed_cost):
    p = _random_vrptw(seed, fixed_cost=fixed_cost)
    optimum = _brute_force_optimum(p)
    if optimum is None:
        with pytest.raises(InfeasibleError):
            solve_vrptw_exact(p, time_limit_s=10, seed=0)
        return
    s = solve_vrptw_exact(p, time_limit_s=10, seed=seed)
    assert s.status == "optimal" and s.objective == optimum == s.bound
    assert check_vrp(p, s).feasible


def test_exact_vrptw_proves_a_tiny_instance_whose_optimum_is_known_by_construction():
    """Four clients on a line at 1, 2, 3, 4 with windows forcing the outward order: one route
    0-1-2-3-4-0 of length 8; capacity allows it and any other order misses a window."""
    n = 5
    pos = [0, 1, 2, 3, 4]
    dist = [[abs(pos[i] - pos[j]) for j in range(n)] for i in range(n)]
    p = VRPProblem(
        distance=dist,
        duration=dist,
        demand=[0, 1, 1, 1, 1],
        vehicle_types=(VRPVehicleType(capacity=4, count=2),),
        tw_early=[0, 1, 2, 3, 4],
        tw_late=[100, 1, 2, 3, 4],
        name="line",
    )
    s = solve_vrptw_exact(p, time_limit_s=10, seed=0)
    assert s.status == "optimal" and s.objective == 8 == s.bound
    assert [r.visits for r in s.routes] == [(1, 2, 3, 4)]


def test_solve_vrp_exact_dispatches_time_windows_to_the_vrptw_solver():
    p = read_instance(DATA / "tiny_solomon.txt")
    s = solve_vrp_exact(p, time_limit_s=10, seed=0)
    assert s.status == "optimal" and s.bound == s.objective
    assert s.solver.startswith("mmroute-exact-tw")
    assert check_vrp(p, s).feasible


@pytest.mark.parametrize("name, optimum", [("C101", 191.3), ("R101", 617.1), ("RC101", 461.1)])
def test_exact_vrptw_certifies_the_published_solomon_25_customer_optimum(shared_data, name, optimum):
    p = read_solomon(shared_data / "solomon" / f"{name}.txt", rounding="dimacs", n_customers=25)
    s = solve_vrp_exact(p, time_limit_s=30, seed=0)
    assert s.status == "optimal"
    assert s.objective == pytest.approx(optimum) and s.bound == pytest.approx(optimum)
    assert check_vrp(p, s).feasible


def test_a_short_time_limit_reports_a_valid_bound_and_a_gap(shared_data):
    # R104 with 50 customers: optimum 625.4 (Kohl et al.), far beyond a 3 s proof
    p = read_solomon(shared_data / "solomon" / "R104.txt", rounding="dimacs", n_customers=50)
    s = solve_vrptw_exact(p, time_limit_s=3, seed=0)
    assert s.status == "timeout" and s.gap is not None and s.gap > 0
    assert s.bound <= 625.4 + 1e-9 <= s.objective + 1e-9
    assert check_vrp(p, s).feasible


@pytest.mark.parametrize("seed", [5, 6])
def test_the_bound_never_exceeds_the_objective(seed):
    p = _random_vrptw(seed, n_clients=6, symmetric=True)
    try:
        s = solve_vrptw_exact(p, time_limit_s=5, seed=seed)
    except InfeasibleError:
        return
    assert s.bound <= s.objective
    assert (s.status == "optimal") == (s.bound == s.objective)


def test_an_unreachable_time_window_raises_infeasible_error():
    p = VRPProblem(
        distance=[[0, 10], [10, 0]],
        duration=[[0, 10], [10, 0]],
        demand=[0, 1],
        vehicle_types=(VRPVehicleType(capacity=5, count=1),),
        tw_early=[0, 0],
        tw_late=[100, 5],  # the client is 10 away but its window closes at 5
    )
    with pytest.raises(InfeasibleError, match="client 1"):
        solve_vrptw_exact(p, time_limit_s=5, seed=0)


@pytest.mark.filterwarnings("ignore::pyvrp.exceptions.PenaltyBoundWarning")  # PyVRP finds nothing: expected
def test_two_simultaneous_windows_with_one_vehicle_raise_infeasible_error():
    """Clients 1 and 2 must both be served at time 10, 10 apart: two vehicles needed, one given."""
    dist = [[0, 10, 10], [10, 0, 10], [10, 10, 0]]
    p = VRPProblem(
        distance=dist,
        duration=dist,
        demand=[0, 1, 1],
        vehicle_types=(VRPVehicleType(capacity=5, count=1),),
        tw_early=[0, 10, 10],
        tw_late=[100, 10, 10],
        name="clash",
    )
    with pytest.raises(InfeasibleError, match="clash"):
        solve_vrp_exact(p, time_limit_s=5, seed=0)


def test_preprocessing_removes_arcs_that_cannot_meet_the_windows():
    p = read_instance(DATA / "tiny_solomon.txt")
    pre = preprocess_time_windows(p)
    for i, j in pre.arcs:
        if i and j:
            assert pre.early[i] + p.service[i] + p.duration[i, j] <= pre.late[j]
    assert all(pre.early[i] <= pre.late[i] for i in range(p.num_nodes))


def test_exact_vrptw_refuses_pickup_delivery_pairs_and_rejects_an_infeasible_warm_start():
    with pytest.raises(InputError, match="pickup-and-delivery"):
        solve_vrptw_exact(read_instance(DATA / "tiny_lilim.txt"), time_limit_s=1, seed=0)
    p = _random_vrptw(2)  # feasible, optimum 67 (brute force above)
    everything = VRPSolution(routes=(VRPRoute(tuple(p.clients)),), objective=None)
    assert not check_vrp(p, everything).feasible
    with pytest.raises(InputError, match="initial solution is infeasible"):
        solve_vrptw_exact(p, time_limit_s=1, seed=0, initial=everything)
    warm = solve_vrptw_exact(p, time_limit_s=5, seed=0)
    again = solve_vrptw_exact(p, time_limit_s=5, seed=0, initial=warm)
    assert again.status == "optimal" and again.objective == 67 == warm.objective


def test_exact_vrptw_parameters_are_frozen():
    with pytest.raises(AttributeError):
        ExactTWParams().num_workers = 4  # type: ignore[misc]


def test_solomon_reader_keeps_the_first_n_customers(shared_data):
    p = read_solomon(shared_data / "solomon" / "C101.txt", rounding="dimacs", n_customers=25)
    full = read_solomon(shared_data / "solomon" / "C101.txt", rounding="dimacs")
    assert p.num_nodes == 26 and p.name == "C101-25" and p.scale == 10
    assert np.array_equal(p.distance, full.distance[:26, :26])
    assert p.vehicle_types == full.vehicle_types
    with pytest.raises(InstanceError, match="n_customers"):
        read_solomon(shared_data / "solomon" / "C101.txt", n_customers=101)


def test_n_customers_is_refused_for_non_solomon_files():
    with pytest.raises(InputError, match="Solomon"):
        read_instance(DATA / "tiny.vrp", n_customers=2)
    assert read_solomon(DATA / "tiny_solomon.txt", n_customers=2).num_nodes == 3


def test_cli_exact_solve_certifies_the_first_customers_of_a_solomon_file(tmp_path):
    import json
    import subprocess
    import sys

    out = tmp_path / "sol.json"
    repo = Path(__file__).resolve().parents[2]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "mmroute", *args], capture_output=True, text=True, cwd=repo, timeout=120)

    r = run("vrp", "solve", str(DATA / "tiny_solomon.txt"), "--customers", "2", "--exact", "--time-limit", "10", "--out", str(out))
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    assert data["status"] == "optimal" and data["bound"] == data["objective"]
    assert sorted(v for route in data["routes"] for v in route) == [1, 2]
    r = run("vrp", "check", str(DATA / "tiny_solomon.txt"), str(out), "--customers", "2")
    assert r.returncode == 0 and r.stdout.startswith("feasible")


def test_extra_cp_sat_parameters_are_applied_and_a_wrong_name_is_an_input_error():
    p = _random_vrptw(3)
    s = solve_vrptw_exact(p, time_limit_s=20, seed=0, params=ExactTWParams(sat_parameters=(("routing_cut_max_infeasible_path_length", 8),)))
    assert s.status == "optimal" and s.objective == _brute_force_optimum(p) / p.scale
    with pytest.raises(InputError, match="routing_cut_max_infeasable"):
        solve_vrptw_exact(p, time_limit_s=5, seed=0, params=ExactTWParams(sat_parameters=(("routing_cut_max_infeasable", 8),)))
