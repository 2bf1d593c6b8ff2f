"""Misuse of the plan family's public functions gives the project's error naming the argument."""

from __future__ import annotations

import pytest

from mmroute.errors import InputError
from mmroute.routing.plan import (
    pareto_front,
    replan,
    solve_hindsight,
    solve_plan,
    state_at,
    sunk_objective,
)
from mmroute.scenarios import load
from mmroute.world.check import check_plan
from mmroute.world.events import KnownEvents


@pytest.fixture(scope="module")
def tiny():
    return load("tiny")


CASES = [
    (lambda sc: solve_plan(None, time_limit_s=1, seed=0), "scenario"),
    (lambda sc: solve_plan("tiny", time_limit_s=1, seed=0), "load it first"),
    (lambda sc: solve_plan(sc, time_limit_s=float("nan"), seed=0), "time_limit_s"),
    (lambda sc: solve_plan(sc, time_limit_s=float("inf"), seed=0), "time_limit_s"),
    (lambda sc: solve_plan(sc, time_limit_s=0, seed=0), "time_limit_s"),
    (lambda sc: solve_plan(sc, time_limit_s="5", seed=0), "time_limit_s"),
    (lambda sc: solve_plan(sc, time_limit_s=1, seed=-1), "seed"),
    (lambda sc: solve_plan(sc, time_limit_s=1, seed=1.5), "seed"),
    (lambda sc: solve_plan(sc, time_limit_s=1, seed=0, params="fast"), "params"),
    (lambda sc: solve_plan(sc, time_limit_s=1, seed=0, events={}), "events"),
    (lambda sc: solve_plan(sc, time_limit_s=1, seed=0, initial=3), "initial"),
    (lambda sc: replan(sc, None, time_limit_s=1, seed=0), "state"),
    (lambda sc: solve_hindsight(sc, None, time_limit_s=1, seed=0), "realised"),
    (lambda sc: check_plan(sc, {"objective": 1}), "plan"),
    (lambda sc: check_plan("tiny", None), "scenario"),
    (lambda sc: pareto_front(sc, time_limit_s=5, seed=0, points=1), "points"),
    (lambda sc: state_at(sc, None, 3.0), "plan"),
    (lambda sc: sunk_objective(sc, None, 3.0), "plan"),
]


@pytest.mark.parametrize("call, field", CASES)
def test_misuse_of_the_plan_api_names_the_argument(tiny, call, field):
    with pytest.raises(InputError, match=field):
        call(tiny)


def test_well_formed_calls_still_solve(tiny):
    plan = solve_plan(tiny, time_limit_s=10, seed=0, events=KnownEvents())
    assert plan.status == "optimal" and check_plan(tiny, plan).feasible
