"""Time limits: the phases of a plan watch the deadline (issue 22, item 2).

Past the deadline pruning keeps the arcs of the shipments it has not reached (and gives no
bound without every shipment's), and the MIP is neither built nor started when it could not
stop in time: the plan is then the greedy incumbent, status ``timeout``, still checked.
(Wall times against the limit are measured by ``benchmarks/plan_scaling.py``, not asserted.)
"""

from __future__ import annotations

import pytest

from mmroute.routing.plan import expand, solve_plan
from mmroute.routing.plan.budget import (
    MIN_COLUMNS,
    PRESOLVE_S_PER_COLUMN,
    Deadline,
    beyond_limit_s,
    mip_worth_starting,
)
from mmroute.routing.plan.prune import ArcArrays, prune
from mmroute.scenarios import load
from mmroute.scenarios.scaling import scale
from mmroute.world.check import check_plan

PASSED = Deadline(at=0.0)


@pytest.fixture(scope="module")
def month():
    """liuzhou-asean scaled to 150 consignments (batched passes, a few seconds to plan)."""
    return scale(load("liuzhou-asean"), consignments=150, seed=0)


def test_a_deadline_without_a_time_never_passes_and_one_in_the_past_has():
    assert not Deadline().passed() and Deadline().left_s() == float("inf")
    assert Deadline.after(-1.0).passed() and PASSED.left_s() < 0
    assert not Deadline.after(60.0).passed()


def test_a_mip_is_worth_starting_only_if_it_can_stop_in_time():
    assert not mip_worth_starting(1_720_000, 60.0, built=False)  # the stress row
    assert mip_worth_starting(1_720_000, 200.0, built=False)
    # small models (the bundled scenarios): always, HiGHS gets all the time left (as before)
    assert mip_worth_starting(MIN_COLUMNS - 1, 1e-3, built=False)
    assert beyond_limit_s(MIN_COLUMNS - 1) == 0.0
    # once built, only loading, HiGHS's overrun and its presolve remain to fit
    n = 1_000_000
    left = beyond_limit_s(n) + n * PRESOLVE_S_PER_COLUMN + 1.0
    assert mip_worth_starting(n, left, built=True) and not mip_worth_starting(n, left, built=False)


@pytest.mark.parametrize("batched", [True, False])
def test_pruning_past_its_deadline_keeps_every_arc_and_gives_no_bound(batched):
    sc = load("liuzhou-asean")
    price = sc.objective.co2_price_cny_per_t
    nets = [expand(sc), expand(sc)]
    arr = ArcArrays.of(nets[0])
    before = {s: list(a) for s, a in nets[0].usable.items()}
    ub = 1e12
    assert prune(nets[0], arr, sc.objective, price, ub, batched=batched, deadline=PASSED) is None
    assert {s: list(a) for s, a in nets[0].usable.items()} == before
    lb = prune(nets[1], arr, sc.objective, price, ub, batched=batched, deadline=Deadline())
    assert lb == prune(expand(sc), arr, sc.objective, price, ub, batched=batched)


def test_a_plan_out_of_time_before_its_mip_is_the_checked_greedy_plan(month):
    plan = solve_plan(month, time_limit_s=1e-3, seed=0)  # the deadline passes in the network
    assert plan.status == "timeout"
    assert plan.bound is None  # pruning had no time for a bound
    assert {it.shipment for it in plan.itineraries} == {s.id for s in month.shipments}
    check_plan(month, plan)
    best = solve_plan(month, time_limit_s=120, seed=0)  # time enough: optimal
    assert best.status == "optimal"
    assert plan.objective >= best.objective - 1e-6 * abs(best.objective)

