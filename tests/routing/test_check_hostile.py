"""Checkers against forged values (the rest of the checker hardening is issue 12, item 2)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from mmroute.errors import InputError
from mmroute.routing.loading.check import check_packing
from mmroute.routing.loading.model import Placement
from mmroute.routing.loading.thpack import read_thpack
from mmroute.routing.vrp.check import check_vrp
from mmroute.routing.vrp.readers import read_vrplib
from mmroute.routing.vrp.solution import VRPRoute, VRPSolution

DATA = Path(__file__).resolve().parents[1] / "data"


def test_bug_vrp_check_accepted_a_nan_objective():
    problem = read_vrplib(DATA / "vrp" / "tiny.vrp")
    routes = (VRPRoute(visits=(1, 3)), VRPRoute(visits=(2, 4)))
    assert check_vrp(problem, VRPSolution(routes=routes, objective=32)).feasible
    for forged in (math.nan, math.inf, -math.inf):
        report = check_vrp(problem, VRPSolution(routes=routes, objective=forged))
        assert not report.feasible and "differs from the recomputed 32" in report.reason


@pytest.mark.parametrize("share", [-1.0, math.nan, 1.5])
def test_bug_load_check_with_min_support_below_0_or_nan_passed_a_floating_box(share):
    inst = read_thpack(DATA / "loading" / "tiny.txt")[1]
    floating = [Placement(1, (0, 0, 2), (2, 2, 2))]
    assert not check_packing(inst.container, inst.box_types, floating).feasible
    with pytest.raises(InputError, match="min_support: must be in"):
        check_packing(inst.container, inst.box_types, floating, min_support=share)
