"""Exact CVRP certificates (branch-and-cut over the two-index model)."""

from __future__ import annotations

import pytest

from mmroute.errors import InputError
from mmroute.routing.vrp.check import check_vrp
from mmroute.routing.vrp.exact import solve_vrp_exact
from mmroute.routing.vrp.readers import read_instance


@pytest.mark.parametrize("name, optimum", [("E-n13-k4", 247), ("P-n16-k8", 450)])
def test_exact_solver_certifies_the_cvrplib_optimum(shared_data, name, optimum):
    p = read_instance(shared_data / "cvrplib" / "small" / f"{name}.vrp")
    s = solve_vrp_exact(p, time_limit_s=60)
    assert s.status == "optimal" and s.objective == optimum and s.bound == optimum
    assert check_vrp(p, s).feasible


@pytest.mark.slow
@pytest.mark.parametrize("name, optimum", [("P-n19-k2", 212), ("P-n20-k2", 216), ("P-n22-k2", 216), ("E-n22-k4", 375)])
def test_exact_solver_certifies_the_minimum_set_within_120_s(shared_data, name, optimum):
    path = next((shared_data / "cvrplib").glob(f"*/{name}.vrp"))
    s = solve_vrp_exact(read_instance(path), time_limit_s=120)
    assert s.status == "optimal" and s.objective == optimum


def test_a_short_time_limit_reports_a_valid_bound_and_gap(shared_data):
    p = read_instance(shared_data / "cvrplib" / "small" / "A-n32-k5.vrp")
    s = solve_vrp_exact(p, time_limit_s=4)
    assert s.bound is not None and s.bound <= 784 <= s.objective
    assert check_vrp(p, s).feasible
    assert (s.status == "optimal") == (s.bound == s.objective)


def test_exact_solver_refuses_time_windows():
    from pathlib import Path

    p = read_instance(Path(__file__).resolve().parents[1] / "data" / "vrp" / "tiny_solomon.txt")
    with pytest.raises(InputError, match="plain CVRP"):
        solve_vrp_exact(p, time_limit_s=1)


def test_exact_solver_proves_the_tiny_instance():
    from pathlib import Path

    p = read_instance(Path(__file__).resolve().parents[1] / "data" / "vrp" / "tiny.vrp")
    s = solve_vrp_exact(p, time_limit_s=10)
    assert s.status == "optimal" and s.objective == 32 == s.bound
