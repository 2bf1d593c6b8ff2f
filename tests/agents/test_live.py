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


def test_events_posted_at_the_time_are_known_from_then_as_the_mip_is_given_them(tiny_plan,
                                                                                monkeypatch):
    """What ``POST /plans/{id}/events?policy=`` posts at ``time_h`` is known to the policy from
    ``time_h`` on in full — the same KnownEvents the MIP re-planning at ``time_h`` is given —
    not only at each event's onset (a closure from h 20 posted at h 10: known at h 10)."""
    from mmroute.agents import policies

    sc, plan = tiny_plan
    later = KnownEvents.from_dict({"closures": [{"link": "QZ-HPH-sea", "from_h": 20, "to_h": 200}]})
    events = KnownEvents(**{k: getattr(plan.events, k) + getattr(later, k)
                            for k in KnownEvents.__dataclass_fields__})  # as the service merges
    seen = []
    make = policies.make_policy

    def recording(*args, **kw):  # the registered policy, telling what it knew at each move
        pol = make(*args, **kw)
        act = pol.act

        def act_and_record(env):
            seen.append((env.sim.now, env.sim.known_events()))
            return act(env)

        pol.act = act_and_record
        return pol

    monkeypatch.setattr(policies, "make_policy", recording)
    new = continue_with_policy(sc, plan, 10.0, events, "greedy").trajectory()
    assert seen and all(t >= 10.0 for t, _ in seen)  # the plan's moves before h 10
    assert any(t < 20.0 for t, _ in seen)  # a decision before the closure's onset ...
    assert all(known == events for _, known in seen)  # ... knew it, as the MIP does
    assert all(link != "QZ-HPH-sea" for it in new.itineraries for link in
               (lg.link for lg in it.legs))  # so S1 is not booked on the closed sailing
    # an episode's knowledge: each event at its onset (the closure unknown before h 20)
    episode = known_world(sc, events)
    assert episode.known_at(15.0) == events.known_at(15.0) != events
    assert known_world(sc, events, announced_h=10.0).known_at(15.0) == events


def test_an_announcement_makes_every_event_known_in_full_but_road_noise_hour_by_hour():
    from mmroute.world.events import RoadNoise, WeatherEvent
    from mmroute.world.realization import Realization

    cell = WeatherEvent(cell="c", from_h=30.0, to_h=40.0, area=((0, 0), (1, 0), (1, 1)),
                        velocity_kmh=(5.0, 0.0), effect="slow", modes=("sea",), speed_factor=0.5)
    noise = RoadNoise(link="r", from_hour=0, factors=(1.1, 1.2, 1.3, 1.4))
    ev = KnownEvents(weather=(cell,), road_noise=(noise,))
    assert ev.known_at(1.5).weather == ()
    assert ev.known_at(1.5, announced_h=1.0).weather == (cell,)  # its whole track
    assert ev.known_at(1.5, announced_h=1.0).road_noise[0].factors == (1.1, 1.2)
    assert ev.known_at(0.5, announced_h=1.0) == ev.known_at(0.5)  # before it: onsets
    r = Realization(scenario_name="x", scenario_hash="h", seed=0, events=ev, quantities_teu=(),
                    late_orders=(), announced_h=1.0)
    assert Realization.from_dict(r.to_dict()) == r and 1.0 in r.onsets_h()
    assert "announced_h" not in Realization(**{**vars(r), "announced_h": None}).to_dict()
