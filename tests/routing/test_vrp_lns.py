"""The OR-Tools engine's ruin-and-recreate: every perturbed solution is feasible, runs repeat."""

from __future__ import annotations

import random

import numpy as np
import pytest

from mmroute.routing.vrp.check import check_vrp
from mmroute.routing.vrp.engine_ortools import (
    OrtoolsParams,
    _assign_routes_to_vehicles,
    _build,
    _vehicle_counts,
)
from mmroute.routing.vrp.problem import VRPProblem, VRPVehicleType
from mmroute.routing.vrp.ruin_recreate import RuinRecreate, SisrParams
from mmroute.routing.vrp.solution import VRPRoute, VRPSolution
from mmroute.routing.vrp.solve import VRPParams, solve_vrp


def timed_problem(n: int = 30, seed: int = 5, **kw) -> VRPProblem:
    """Random Euclidean clients with time windows, service times and two vehicle types; the
    smaller type has a maximum route duration."""
    rng = np.random.default_rng(seed)
    xy = rng.integers(0, 100, size=(n, 2))
    d = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(int)
    early = [0, *rng.integers(0, 300, size=n - 1).tolist()]
    widths = rng.integers(40, 200, size=n - 1)
    late = [1000, *(max(e + int(w), int(d[0, i + 1])) for i, (e, w) in enumerate(zip(early[1:], widths)))]
    args = dict(
        distance=d,
        duration=d,
        demand=[0, *rng.integers(1, 10, size=n - 1).tolist()],
        tw_early=early,
        tw_late=late,
        service=[0, *([10] * (n - 1))],
        vehicle_types=(
            VRPVehicleType(capacity=40, count=n - 1, fixed_cost=50),
            VRPVehicleType(capacity=25, count=4, max_duration=400, cost_per_distance=1),
        ),
        name="timed",
    )
    args.update(kw)
    return VRPProblem(**args)


def _perturbations(problem: VRPProblem, k: int, seed: int):
    start = solve_vrp(problem, time_limit_s=2, seed=0, params=VRPParams(engine="ortools", ortools=OrtoolsParams(metaheuristic="gls", first_solution="auto")))
    built = _build(problem, _vehicle_counts(problem, capped=False))
    per_vehicle = _assign_routes_to_vehicles(start.routes, built.vehicle_type_of)
    rr = RuinRecreate(problem, built.vehicles, random.Random(seed), SisrParams(avg_removed=6))
    out = []
    for _ in range(k):
        new = rr.perturb(per_vehicle)
        if new is not None:
            out.append(built.routes_out(new))
            per_vehicle = new
    return out


@pytest.mark.parametrize("optional", [False, True])
def test_every_recreated_solution_passes_the_independent_checker(optional):
    kw = {}
    if optional:
        kw["drop_penalty"] = (None, *([None, 60] * 15))[:30]
    p = timed_problem(**kw)
    sols = _perturbations(p, 60, seed=1)
    assert len(sols) >= 30  # most attempts recreate a complete solution
    for routes in sols:
        report = check_vrp(p, VRPSolution(routes=routes, objective=None))
        assert report.feasible, report.reason


def test_ruin_removes_strings_and_recreate_serves_every_required_client():
    p = timed_problem()
    built = _build(p, _vehicle_counts(p, capped=False))
    rr = RuinRecreate(p, built.vehicles, random.Random(0), SisrParams(avg_removed=8))
    routes = [[c] for c in p.clients] + [[] for _ in range(len(built.vehicles) - len(p.clients))]
    # one client per vehicle fits every window unless a vehicle's duration is too short
    routes = [r if rr._duration_ok(v, r) else [] for v, r in enumerate(routes)]
    served = {c for r in routes for c in r}
    ruined = [list(r) for r in routes]
    removed = rr.ruin(ruined)
    assert removed and set(removed) <= served
    assert {c for r in ruined for c in r} == served - set(removed)
    assert rr.recreate(ruined, removed)
    assert sorted(c for r in ruined for c in r) == sorted(served)


def test_lns_runs_repeat_with_the_same_seed():
    p = timed_problem(40, seed=9)
    runs = [solve_vrp(p, time_limit_s=60, seed=3, params=VRPParams(engine="ortools", max_iterations=20)) for _ in range(2)]
    for s in runs:
        assert check_vrp(p, s).feasible
        assert s.info["lns_iterations"] == 20
    assert runs[0].routes == runs[1].routes
    assert runs[0].info["lns_accepted"] >= 1


def test_lns_warm_start_never_returns_worse_than_the_start():
    p = timed_problem(40, seed=11)
    start = solve_vrp(p, time_limit_s=1, seed=0, params=VRPParams(engine="ortools", ortools=OrtoolsParams(metaheuristic="gls", first_solution="auto")))
    s = solve_vrp(p, time_limit_s=60, seed=0, params=VRPParams(engine="ortools", max_iterations=30), initial=start)
    assert check_vrp(p, s).feasible and s.objective <= start.objective
    assert all(isinstance(r, VRPRoute) for r in s.routes)
