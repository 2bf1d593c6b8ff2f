"""The fast re-plan (routing/plan/incremental.py) finds the optimum of a from-scratch re-plan,
along an episode of re-plans with a new closure or delay each, and its plans pass check_plan."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from benchmarks.plan_scaling import events_along
from mmroute.errors import InputError
from mmroute.routing.plan import PlanParams, executed_plan, replan, solve_plan, state_at
from mmroute.routing.plan.incremental import Replanner, solve_fast
from mmroute.scenarios import load
from mmroute.scenarios.scaling import scale
from mmroute.world.check import check_plan
from mmroute.world.events import KnownEvents, LinkClosure

REL = 1e-6


def _episode(sc, times, seed=0):
    """Re-plans along ``times`` with the fast path and from scratch: both objectives agree,
    both plans pass the checker. Returns the Replanner."""
    plan = solve_plan(sc, time_limit_s=60, seed=0)
    rp = Replanner(sc)
    current = plan
    for t, ev in events_along(sc, times, np.random.default_rng(seed)):
        state = state_at(sc, current, t, ev)
        fast = rp.replan(state, ev, time_limit_s=60, seed=0, initial=current)
        ref = replan(sc, state, ev, time_limit_s=60, seed=0, initial=current, tables=rp.tables)
        assert ref.status == fast.status == "optimal"
        assert abs(fast.objective - ref.objective) <= REL * max(1.0, abs(ref.objective)), t
        assert fast.bound is not None and fast.bound <= fast.objective + 1e-6
        for p in (fast, ref):
            assert check_plan(sc, p, state).ok
        current = executed_plan(current, fast, t)
    return rp


@pytest.mark.parametrize("name", ["tiny", "liuzhou-asean", "yangtze-inbound", "china-europe"])
def test_fast_replans_match_from_scratch_on_bundled_scenarios(name):
    sc = load(name)
    times = [float(t) for t in np.linspace(0.1 * sc.horizon_h, 0.6 * sc.horizon_h, 3).round(1)]
    rp = _episode(sc, times)
    assert rp.calls == len(times)


def test_fast_replans_match_from_scratch_on_a_generated_month():
    sc = scale(load("liuzhou-asean"), consignments=50, seed=3)
    _episode(sc, [24.0, 150.0, 260.0], seed=1)


@pytest.mark.slow
def test_fast_replans_match_from_scratch_on_a_larger_generated_month():
    sc = scale(load("liuzhou-asean"), consignments=200, seed=4)
    _episode(sc, [float(t) for t in np.linspace(16.0, 340.0, 8).round(1)], seed=4)


def test_the_mip_runs_when_the_incumbent_is_not_proven_optimal():
    """With capacities cut, shipments compete: the bound alone does not close the gap and the
    MIP settles it — still the from-scratch optimum."""
    base = scale(load("liuzhou-asean"), consignments=40, seed=5)
    links = tuple(replace(lk, capacity_teu=None if lk.capacity_teu is None
                          else max(1.0, lk.capacity_teu / 8)) for lk in base.links)
    sc = replace(base, links=links)
    rp = _episode(sc, [48.0, 150.0], seed=2)
    assert rp.mip_skipped < rp.calls


def test_from_the_start_it_is_solve_plan():
    sc = load("liuzhou-asean")
    fast = solve_fast(sc, time_limit_s=30, seed=0)
    ref = solve_plan(sc, time_limit_s=30, seed=0)
    assert abs(fast.objective - ref.objective) <= REL * abs(ref.objective)
    assert check_plan(sc, fast).ok


def test_replan_takes_a_replanner_and_other_params_fall_back():
    sc = load("tiny")
    plan = solve_plan(sc, time_limit_s=10, seed=0)
    state = state_at(sc, plan, 5.0)
    rp = Replanner(sc)
    a = replan(sc, state, time_limit_s=10, seed=0, initial=plan, replanner=rp)
    assert rp.calls == 1 and a.status == "optimal"
    split = replan(sc, state, time_limit_s=10, seed=0, params=PlanParams(splittable=True),
                   replanner=rp)
    ref = replan(sc, state, time_limit_s=10, seed=0, params=PlanParams(splittable=True))
    assert split.splittable and abs(split.objective - ref.objective) <= 1e-6 * abs(ref.objective)
    with pytest.raises(InputError):
        replan(sc, state, time_limit_s=10, seed=0, replanner="fast")
    with pytest.raises(InputError):
        replan(load("liuzhou-asean"), PlanState0(), time_limit_s=10, seed=0, replanner=rp)


def PlanState0():
    from mmroute.world.state import PlanState

    return PlanState(0.0)


def test_a_trip_waiting_for_a_closure_that_ends_between_microhours_is_valid():
    """A closure ending at 325.5501203... h: the trip that waits for it used to leave at the
    end rounded down to 1e-6 h, before it, and the plan failed the checker."""
    sc = load("liuzhou-asean")
    road = next(lk for lk in sc.links if lk.mode == "road" and lk.capacity_teu is None
                and any(s.destination == lk.to_node for s in sc.shipments))
    end = 30.5501203265738
    ev = KnownEvents(closures=(LinkClosure(road.id, 0.0, end),))
    for plan in (solve_plan(sc, time_limit_s=30, seed=0, events=ev),
                 solve_fast(sc, time_limit_s=30, seed=0, events=ev)):
        assert check_plan(sc, plan).ok
