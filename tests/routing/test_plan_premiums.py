"""Per-arc premiums in the plan MIP (``PlanParams.premiums``): they shape the plan, are never
claimed as its cost, and empty premiums leave the model exactly as it was."""

from __future__ import annotations

import math

import pytest

from mmroute.errors import InputError
from mmroute.routing.plan import ArcPremiums, PlanParams, replan, solve_plan, state_at
from mmroute.scenarios import load
from mmroute.world.check import check_plan


@pytest.fixture(scope="module")
def tiny():
    """The bundled tiny scenario and its plan without premiums."""
    sc = load("tiny")
    return sc, solve_plan(sc, time_limit_s=10, seed=0)


def _teu_on(plan, link: str) -> float:
    return sum(it.teu for it in plan.itineraries for lg in it.legs if lg.link == link)


def test_empty_premiums_give_the_same_plan_and_bound(tiny):
    sc, plain = tiny
    for premiums in (ArcPremiums(), ArcPremiums(links=(("LZ-QZ-rail", 0.0, 1e4, 0.0),),
                                                tight_cny_per_teu=500.0, tight_h=0.0)):
        shaped = solve_plan(sc, time_limit_s=10, seed=0, params=PlanParams(premiums=premiums))
        assert shaped.itineraries == plain.itineraries
        assert (shaped.objective, shaped.bound, shaped.status) == (
            plain.objective, plain.bound, plain.status)


def test_empty_premiums_give_the_same_replan(tiny):
    sc, plain = tiny
    state = state_at(sc, plain, 10.0)
    a = replan(sc, state, time_limit_s=10, seed=0, initial=plain)
    b = replan(sc, state, time_limit_s=10, seed=0, initial=plain,
               params=PlanParams(premiums=ArcPremiums()))
    assert a.itineraries == b.itineraries and a.objective == b.objective


def test_a_link_premium_steers_the_plan_and_is_not_counted_as_cost(tiny):
    sc, plain = tiny
    link = max({lg.link for it in plain.itineraries for lg in it.legs},
               key=lambda lk: _teu_on(plain, lk))
    assert _teu_on(plain, link) > 0
    premiums = ArcPremiums(links=((link, 0.0, sc.horizon_h + 1, 1e5),))
    shaped = solve_plan(sc, time_limit_s=10, seed=0, params=PlanParams(premiums=premiums))
    assert _teu_on(shaped, link) == 0
    # its objective is its true cost (the checker recomputes it), never below the optimum
    assert check_plan(sc, shaped).ok
    assert math.isclose(shaped.objective, sum(it.objective_cny for it in shaped.itineraries))
    assert plain.objective <= shaped.objective < plain.objective + 1e5 * _teu_on(plain, link)
    # the shaped optimum is no bound on the true objective
    assert shaped.bound is None and shaped.status == "feasible"


def test_a_premium_outside_its_window_changes_nothing(tiny):
    sc, plain = tiny
    link = plain.itineraries[0].legs[0].link
    late = ArcPremiums(links=((link, sc.horizon_h + 10, sc.horizon_h + 20, 1e5),))
    shaped = solve_plan(sc, time_limit_s=10, seed=0, params=PlanParams(premiums=late))
    assert shaped.itineraries == plain.itineraries


@pytest.mark.parametrize("premiums, field", [
    (ArcPremiums(wait_cny_per_teu_h=-1.0), "params.premiums.wait_cny_per_teu_h"),
    (ArcPremiums(tight_h=math.nan), "params.premiums.tight_h"),
    (ArcPremiums(links=(("a", 5.0, 1.0, 1.0),)), "params.premiums.links[0]"),
    (ArcPremiums(links=(("a", 0.0, 1.0, math.inf),)), "params.premiums.links[0]"),
    (ArcPremiums(nodes=(("a", 0.0, 1.0),)), "params.premiums.nodes[0]"),
    (ArcPremiums(nodes=((1, 0.0, 1.0, 2.0),)), "params.premiums.nodes[0]"),
    ("no", "params.premiums"),
])
def test_bad_premiums_raise_input_error_naming_the_field(tiny, premiums, field):
    sc, _ = tiny
    with pytest.raises(InputError) as e:
        solve_plan(sc, time_limit_s=10, seed=0, params=PlanParams(premiums=premiums))
    assert e.value.field == field
