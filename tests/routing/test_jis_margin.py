"""Re-plans keep a margin against a slow road where the robust gate leads leave no plan: the
lead becomes soft (rack-minutes short of it priced), on the 96-car cut of liuzhou-jis."""

from __future__ import annotations

import pytest

from mmroute.errors import InputError
from mmroute.routing.jis import JisParams, JisProblem, JisState, check_jis_plan, replan_jis
from tests.routing.test_jis import _small


@pytest.fixture(scope="module")
def small() -> JisProblem:
    return JisProblem.from_scenario(_small())


def _margins_s(problem: JisProblem, plan, sid: str) -> list[int]:
    """Per trip of ``sid``: how long before its unloading it reaches the gate (s) on the roads as given."""
    road = problem.roads[sid]
    return [t.arrive_s - t.depart_s - road.drive_out_s(t.depart_s) for t in plan.trips if t.supplier == sid]


def test_bug_a_re_plan_whose_gate_lead_leaves_no_plan_keeps_the_lead_where_it_can(small):
    # from 06:00 a 2-hour wheel lead is impossible (the first rack, due 08:50, cannot leave before
    # 06:15 and drives 45 min); before, the re-plan then dropped the lead for every trip and sent
    # the cheapest plan, each truck reaching the gate just in time (no margin at all)
    state = JisState(time_s=6 * 3600)
    lead = 7200
    kept = replan_jis(small, state, time_limit_s=2, seed=0, params=JisParams(gate_lead_s={"WHEEL": lead}))
    dropped = replan_jis(small, state, time_limit_s=2, seed=0,
                         params=JisParams(gate_lead_s={"WHEEL": lead}, lead_short_cny_per_min=0.0))
    assert check_jis_plan(small, kept).feasible and check_jis_plan(small, dropped).feasible
    assert max(_margins_s(small, dropped, "WHEEL")) == 0
    margins = _margins_s(small, kept, "WHEEL")
    assert min(margins) >= lead * 0.5 and max(margins) >= lead  # most of the lead, all of it where it fits
    # the same trips and line-side stock: the margin is the trucks' idle time, not racks or trips
    assert kept.info["trips"] == dropped.info["trips"]
    assert kept.info["inventory_rack_h"] == pytest.approx(dropped.info["inventory_rack_h"], abs=0.01)


@pytest.mark.parametrize("field, value", [("lead_short_cny_per_min", -1.0), ("hedge_lead_s", -60), ("hedge_lead_s", 1.5),
                                          ("gate_wait_cny_per_min", -0.1)])
def test_a_bad_soft_lead_setting_is_an_input_error_naming_it(small, field, value):
    with pytest.raises(InputError, match=f"params.{field}"):
        replan_jis(small, JisState(time_s=6 * 3600), time_limit_s=1, seed=0, params=JisParams(**{field: value}))


def test_bug_a_re_plan_loads_no_sooner_than_the_lead_it_wants(small):
    # from 07:00 with a 1-hour wheel lead CP-SAT was indifferent to how long a truck waits at
    # the gate beyond the lead: one trip left 85 min ahead, its racks committed to a truck
    # (on drawn day 0 such a trip, loaded at 05:59, left a rush rack reported at 06:26 no trip
    # to ride on: one avoidable line stop); each rack-minute beyond the lead now costs a little
    state = JisState(time_s=7 * 3600)
    lead = 3600
    prices = {"gate_lead_s": {"WHEEL": lead}}
    tight = replan_jis(small, state, time_limit_s=2, seed=0, params=JisParams(**prices))
    loose = replan_jis(small, state, time_limit_s=2, seed=0, params=JisParams(**prices, gate_wait_cny_per_min=0.0))
    assert check_jis_plan(small, tight).feasible and check_jis_plan(small, loose).feasible
    assert max(_margins_s(small, loose, "WHEEL")) > lead + 600
    assert max(_margins_s(small, tight, "WHEEL")) <= lead
    assert tight.info["trips"] == loose.info["trips"]
    assert tight.info["inventory_rack_h"] == pytest.approx(loose.info["inventory_rack_h"], abs=0.01)
