"""Every bundled scenario is planned to proven optimality within 60 s, the month at scale within
120 s (slow: run with -m slow); a fast sibling plans a small scaled scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

import mmroute.scenarios
from mmroute.routing.plan import solve_plan
from mmroute.scenarios import load, scale
from mmroute.scenarios.bundled import AT_SCALE
from mmroute.world.check import check_plan

ALL = sorted(p.stem for p in (Path(mmroute.scenarios.__file__).parent / "data").glob("*.yaml"))
BUNDLED = [name for name in ALL if name not in AT_SCALE]


@pytest.mark.slow
@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_scenario_is_solved_to_optimality_within_60_s(name):
    sc = load(name)
    plan = solve_plan(sc, time_limit_s=60, seed=0)
    assert plan.status == "optimal", (plan.status, plan.gap)
    assert plan.time_s < 60
    assert check_plan(sc, plan).ok


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(AT_SCALE))
def test_the_bundled_month_at_scale_is_solved_to_optimality_within_120_s(name):
    sc = load(name)
    assert len(sc.shipments) >= 1000
    plan = solve_plan(sc, time_limit_s=120, seed=0)
    assert plan.status == "optimal", (plan.status, plan.gap)
    assert check_plan(sc, plan).ok
    assert not any(it.dropped for it in plan.itineraries)


def test_a_small_scaled_month_is_planned_optimally_and_checked():
    """Fast sibling of the month: 60 consignments of 1-3 TEU on liuzhou-asean over 720 h."""
    sc = scale(load("liuzhou-asean"), consignments=60, seed=1)
    plan = solve_plan(sc, time_limit_s=60, seed=0)
    assert plan.status == "optimal"
    assert check_plan(sc, plan).ok
    assert len(plan.itineraries) == 60 and not any(it.dropped for it in plan.itineraries)
