"""The independent plan checker rejects crafted bad plans, each for the right reason."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mmroute.errors import SolverError
from mmroute.routing.plan import solve_plan
from mmroute.world.check import assert_valid, check_plan
from mmroute.world.plan import Plan
from tests.routing.test_plan_helpers import links, make, shipment


@pytest.fixture(scope="module")
def good():
    """The hand-worked base plan (road A-B, rail at 10 h) and its scenario."""
    sc = make()
    return sc, solve_plan(sc, time_limit_s=10, seed=0)


def with_legs(plan: Plan, **changes) -> Plan:
    """``plan`` with fields of the first itinerary's rail leg replaced."""
    (it,) = plan.itineraries
    legs = list(it.legs)
    legs[1] = replace(legs[1], **changes)
    return replace(plan, itineraries=(replace(it, legs=tuple(legs)),))


def errors(sc, plan) -> str:
    res = check_plan(sc, plan)
    assert not res.feasible
    return " | ".join(str(v) for v in res.violations)


def test_the_solver_plan_passes(good):
    sc, plan = good
    res = check_plan(sc, plan)
    assert res.feasible and res.objective == pytest.approx(plan.objective)


def test_a_departure_off_the_timetable_is_rejected(good):
    sc, plan = good
    assert "no running departure" in errors(sc, with_legs(plan, timetable_h=11.0,
                                                         departure_h=11.0, arrival_h=21.0))


def test_a_missed_cutoff_is_rejected():
    sc = make(shipments=[shipment(release_h=9)])
    plan = solve_plan(sc, time_limit_s=10, seed=0)  # takes the 34 h train
    bad = with_legs(plan, timetable_h=10.0, departure_h=10.0, arrival_h=20.0)
    assert "misses the cut-off" in errors(sc, bad)


def test_a_wrong_arrival_time_is_rejected(good):
    sc, plan = good
    assert "recomputed" in errors(sc, with_legs(plan, arrival_h=15.0))


def test_a_leg_that_does_not_connect_is_rejected(good):
    sc, plan = good
    (it,) = plan.itineraries
    bad = replace(plan, itineraries=(replace(it, legs=it.legs[1:]),))
    assert "starts at B, the cargo is at A" in errors(sc, bad)


def test_an_overfull_departure_is_rejected():
    sc = make(links=links(rail_capacity=3),
              shipments=[shipment("S1", due_h=30), shipment("S2", due_h=30)])
    plan = solve_plan(sc, time_limit_s=10, seed=0)
    rail = next(it for it in plan.itineraries if len(it.legs) == 2)
    other = next(it for it in plan.itineraries if it is not rail)
    bad = replace(plan, itineraries=(rail, replace(rail, shipment=other.shipment)))
    assert "carries 4 TEU > capacity 3" in errors(sc, bad)


def test_a_missing_shipment_is_rejected(good):
    sc, plan = good
    assert "neither delivered nor dropped" in errors(sc, replace(plan, itineraries=()))


def test_a_changed_objective_or_cost_is_rejected(good):
    sc, plan = good
    assert "objective" in errors(sc, replace(plan, objective=plan.objective - 1))
    (it,) = plan.itineraries
    bad = replace(plan, itineraries=(replace(it, cost_cny=it.cost_cny - 100),))
    assert "cost" in errors(sc, bad)


def test_a_skipped_handling_is_rejected(good):
    sc, plan = good
    (it,) = plan.itineraries
    bad = replace(plan, itineraries=(replace(it, handling=()),))
    assert "handling" in errors(sc, bad)


def test_an_early_start_before_release_is_rejected():
    sc = make(shipments=[shipment(release_h=9)])
    plan = solve_plan(sc, time_limit_s=10, seed=0)
    (it,) = plan.itineraries
    legs = list(it.legs)
    legs[0] = replace(legs[0], departure_h=0.0, arrival_h=1.0)
    bad = replace(plan, itineraries=(replace(it, legs=tuple(legs)),))
    assert "before the cargo is ready" in errors(sc, bad)


def test_optimal_status_needs_a_closed_gap(good):
    sc, plan = good
    assert "gap" in errors(sc, replace(plan, bound=plan.objective * 0.5))


def test_assert_valid_raises_a_solver_error(good):
    sc, plan = good
    with pytest.raises(SolverError, match="fails the checker"):
        assert_valid(sc, replace(plan, itineraries=()))


def test_bug_an_objective_share_within_the_time_tolerance_failed_the_checker():
    """A late order with a high lateness penalty: its times agree within the checker's time
    tolerance (1e-5 h), and so must its objective share, by what that tolerance is worth per
    hour ('objective share 195.02, recomputed 195.02' stopped a training on a user's file)."""
    from mmroute.world.check import TOL_H

    sc = make()
    (sh,) = sc.shipments
    sc = replace(sc, shipments=(replace(sh, due_h=sh.release_h + 1.0,
                                        lateness_penalty_cny_per_teu_h=5000.0),))
    plan = solve_plan(sc, time_limit_s=10, seed=0)
    (it,) = plan.itineraries
    assert it.lateness_h > 0 and check_plan(sc, plan).feasible
    per_h = it.teu * (sc.objective.time_value_cny_per_teu_h + 5000.0)
    for shift, ok in ((0.5 * TOL_H * per_h, True), (3.0 * TOL_H * per_h, False)):
        off = replace(plan, objective=plan.objective + shift, bound=None, status="feasible",
                      itineraries=(replace(it, objective_cny=it.objective_cny + shift),))
        assert check_plan(sc, off).feasible is ok, shift
