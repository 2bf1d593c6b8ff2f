"""The simulator against the MIP: replayed plans cost their objective, trajectories pass the
plan checker, and the hindsight bound is below every policy on every seed."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import mmroute.envs  # noqa: F401  (registers mmroute/Reroute-v0)
from mmroute.envs import replay
from mmroute.envs.simulator import Move, Simulator
from mmroute.errors import InputError
from mmroute.routing.plan import solve_hindsight, solve_plan
from mmroute.world.check import check_plan
from mmroute.world.events import KnownEvents
from mmroute.world.realization import Realization, realize
from tests.envs.conftest import masked_random, run_episode

REL = 1e-6


def calm(scenario) -> Realization:
    """A realization with nothing happening: nominal quantities, no events, no late orders."""
    r = realize(scenario, 0)
    return Realization(scenario_name=r.scenario_name, scenario_hash=r.scenario_hash, seed=0,
                       events=KnownEvents(), late_orders=(),
                       quantities_teu=tuple((s.id, s.quantity_teu) for s in scenario.shipments))


@pytest.mark.parametrize("name", ["tiny", "liuzhou-asean", "yangtze-inbound", "china-europe"])
def test_replaying_the_hindsight_plan_costs_exactly_its_objective(scenarios, name):
    sc = scenarios[name]
    for seed in (0, 1, 2):
        r = realize(sc, seed)
        plan = solve_hindsight(r.scenario(sc), r.events, time_limit_s=60, seed=0)
        assert plan.status == "optimal"
        sim = replay(sc, r, plan)
        assert sim.done
        assert abs(sim.result().cost - plan.objective) <= REL * max(1.0, abs(plan.objective))
        report = check_plan(r.scenario(sc), sim.trajectory())
        assert report.feasible, report.summary()


@pytest.mark.parametrize("name", ["tiny", "liuzhou-asean"])
def test_replaying_a_plan_under_the_conditions_it_assumed_costs_its_objective(scenarios, name):
    sc = scenarios[name]
    plan = solve_plan(sc, time_limit_s=60, seed=0)
    sim = replay(sc, calm(sc), plan)
    assert abs(sim.result().cost - plan.objective) <= REL * max(1.0, abs(plan.objective))


@pytest.mark.parametrize("name", ["tiny", "liuzhou-asean", "yangtze-inbound", "china-europe"])
def test_hindsight_is_a_lower_bound_for_random_and_greedy_policies_on_every_seed(scenarios, name):
    sc = scenarios[name]
    env = gym.make("mmroute/Reroute-v0", scenario=sc)
    rng = np.random.default_rng(0)
    for seed in range(3):
        r = realize(sc, seed)
        bound = solve_hindsight(r.scenario(sc), r.events, time_limit_s=60, seed=0)
        floor = bound.bound if bound.bound is not None else bound.objective
        for policy in (lambda e: masked_random(e, rng), lambda e: 0):
            cost, reward, _, _ = run_episode(env, policy, options={"realization": r})
            assert cost >= floor - REL * abs(floor), (seed, cost, floor)
            scale = env.unwrapped.cost_scale
            assert abs(reward + cost / scale) <= 1e-9 * max(1.0, cost / scale)
            sim = env.unwrapped.sim
            assert abs(sim.result().cost - cost) <= 1e-9 * max(1.0, cost)
            traj = sim.trajectory()
            report = check_plan(r.scenario(sc), traj)
            assert report.feasible, report.summary()
            assert traj.objective <= cost + 1e-6
            assert sim.overflow_teu == 0


def test_a_move_the_decision_does_not_allow_is_refused_and_the_decision_stays(scenarios):
    sc = scenarios["tiny"]
    sim = Simulator(sc, realize(sc, 0))
    d = sim.next_decision()
    with pytest.raises(InputError):
        sim.apply(Move.service("QZ-HPH-sea", 20.0))  # not from the consignment's node
    with pytest.raises(InputError):
        sim.apply(Move.road(("PX-HPH-road",)))
    assert sim.next_decision() == d
    sim.apply(Move.drop())
    assert sim.consignments[d.consignment].status == "dropped"


@pytest.mark.parametrize("name", ["tiny", "liuzhou-asean", "yangtze-inbound", "china-europe"])
def test_every_offered_move_passes_the_checks_apply_skips_for_it(scenarios, name):
    """apply(move, offered=True) (an environment's slot) skips the checks of a move from
    elsewhere: every move option_rows offers passes them, and an episode applied with and
    without the flag ends in the same state."""
    sc = scenarios[name]
    for seed in range(3):
        sims = [Simulator(sc, realize(sc, seed)) for _ in range(2)]
        rng = np.random.default_rng(seed)
        checked = 0
        while (d := sims[0].next_decision()) is not None:
            assert sims[1].next_decision() == d
            rows = sims[0].option_rows(d)
            c = sims[0].consignments[d.consignment]
            for row in rows:
                m = row[0]
                if m.kind == "service":
                    assert sims[0]._service_error(c, d, m) is None, m
                else:
                    t = d.time_h if m.depart_h is None else m.depart_h
                    sims[0]._road_error(d, m, t)  # raises if not allowed
                checked += 1
            move = rows[int(rng.integers(len(rows)))][0] if rows else Move.drop()
            sims[0].apply(move, offered=True)
            sims[1].apply(move)
        assert sims[1].next_decision() is None  # both run to the end
        assert sims[0].result() == sims[1].result() and checked
        assert [vars(a) for a in sims[0].consignments] == [vars(b) for b in sims[1].consignments]


def test_any_later_departure_with_room_is_bookable_not_only_the_two_next(scenarios):
    sc = scenarios["liuzhou-asean"]
    sim = Simulator(sc, realize(sc, 0))
    d = sim.next_decision()
    while d.node not in sim.yards or d.lock == "road" or d.time_h < 48:  # at a terminal
        sim.apply(sim.moves(d)[0])
        d = sim.next_decision()
    offered = {(o.move.link, o.move.timetable_h) for o in sim.options(d)}
    lk = sim.out_services[d.node][0]
    tt = lk.timetable
    later = [t for t in tt.departures(d.time_h + tt.cutoff_h, sim.horizon_h)
             if (lk.id, t) not in offered]
    assert later and sim.bookable(Move.service(lk.id, later[-1]))
    missed = tt.departures(d.time_h - tt.period_h, d.time_h + tt.cutoff_h - 1e-3)
    assert missed and not sim.bookable(Move.service(lk.id, missed[-1]))
    assert not sim.bookable(Move.service("QZ-HPH-sea", 20.0)) or d.node == "QZ"
    assert not sim.bookable(Move.drop())
    sim.apply(Move.service(lk.id, later[-1]))
    assert sim.consignments[d.consignment].booking == (lk.id, later[-1])


def test_a_cancelled_departure_returns_the_cargo_to_the_yard(scenarios):
    sc = scenarios["tiny"]
    base = realize(sc, 0)
    from mmroute.world.events import LinkClosure

    r = Realization(scenario_name=base.scenario_name, scenario_hash=base.scenario_hash, seed=0,
                    events=KnownEvents(closures=(LinkClosure(link="LZ-QZ-rail", from_h=7, to_h=9),)),
                    quantities_teu=base.quantities_teu, late_orders=())
    sim = Simulator(sc, r)
    d = sim.next_decision()
    assert d.node == "LZ" and d.time_h == 0.0
    sim.apply(Move.service("LZ-QZ-rail", 8.0))  # booked before the closure is known
    d2 = sim.next_decision()
    c = sim.consignments[d.consignment]
    while d2.consignment != d.consignment:
        sim.apply(Move.drop())
        d2 = sim.next_decision()
    assert (d2.node, d2.time_h, d2.lock) == ("LZ", 8.0, "yard")
    assert all(m.kind != "road" for m in sim.moves())
    assert c.legs == []


@pytest.mark.parametrize("name", ["liuzhou-asean", "yangtze-inbound"])
def test_the_simulators_known_conditions_are_those_of_the_events_known_at_now(scenarios, name):
    from mmroute.world.conditions import Conditions

    sc = scenarios[name]
    for seed in (0, 1):
        r = realize(sc, seed)
        sim = Simulator(sc, r)
        for t in np.linspace(0, sc.horizon_h, 23):
            sim.now = float(t)
            fast = sim.known()
            ref = Conditions(r.scenario(sc), r.events.known_at(float(t)))
            for lk in sc.links:
                for dep in (t, t + 0.5, t + 3.0, t + 30.0):
                    assert fast.travel_time_h(lk, dep) == ref.travel_time_h(lk, dep)
                    assert fast.is_open(lk.id, dep) == ref.is_open(lk.id, dep)
