"""Every bundled scenario is planned to proven optimality within 60 s (slow: run with -m slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

import mmroute.scenarios
from mmroute.routing.plan import solve_plan
from mmroute.scenarios import load
from mmroute.world.check import check_plan

BUNDLED = sorted(p.stem for p in (Path(mmroute.scenarios.__file__).parent / "data").glob("*.yaml"))


@pytest.mark.slow
@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_scenario_is_solved_to_optimality_within_60_s(name):
    sc = load(name)
    plan = solve_plan(sc, time_limit_s=60, seed=0)
    assert plan.status == "optimal", (plan.status, plan.gap)
    assert plan.time_s < 60
    assert check_plan(sc, plan).ok
