"""A live plan continued by a policy: the plan's moves before the re-plan time, the policy's
after (mmroute.agents.live)."""

from __future__ import annotations

import pytest

from mmroute.agents.live import continue_with_policy, known_world
from mmroute.routing.plan import solve_plan
from mmroute.scenarios import load
from mmroute.world.events import KnownEvents


@pytest.fixture(scope="module")
def tiny_plan():
    """tiny and its optimal plan: S1 leaves Liuzhou by rail at h 8, then sails QZ-HPH."""
    sc = load("tiny")
    return sc, solve_plan(sc, time_limit_s=20, seed=0)


def _legs(plan):
    return {it.shipment: [(lg.link, round(lg.departure_h, 6)) for lg in it.legs]
            for it in plan.itineraries}


def test_with_nothing_new_a_plan_followed_to_the_end_is_the_plan(tiny_plan):
    sc, plan = tiny_plan
    sim = continue_with_policy(sc, plan, sc.horizon_h + 1, KnownEvents(), "greedy")
    assert _legs(sim.trajectory()) == _legs(plan)
    assert sim.trajectory().objective == pytest.approx(plan.objective, rel=1e-6)


def test_moves_before_the_time_stay_and_the_policy_routes_around_a_closure(tiny_plan):
    sc, plan = tiny_plan
    closed = KnownEvents.from_dict({"closures": [{"link": "QZ-HPH-sea", "from_h": 0, "to_h": 200}]})
    new = continue_with_policy(sc, plan, 10.0, closed, "greedy").trajectory()
    old, now = _legs(plan), _legs(new)
    for sid, legs in old.items():  # what departed before h 10 is sunk
        sunk = [lg for lg in legs if lg[1] < 10.0]
        assert now[sid][:len(sunk)] == sunk
    assert all(link != "QZ-HPH-sea" for legs in now.values() for link, _ in legs)
    assert any(link == "QZ-HPH-sea" for legs in old.values() for link, _ in legs)


def test_the_known_world_holds_only_what_is_known(tiny_plan):
    sc, _ = tiny_plan
    r = known_world(sc, KnownEvents(), seed=3)
    assert r.late_orders == () and r.seed == 3 and r.events == KnownEvents()
    assert dict(r.quantities_teu) == {s.id: s.quantity_teu for s in sc.shipments}
