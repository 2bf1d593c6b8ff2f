"""The hold move: a consignment stays where it is, committed to nothing, and decides again
later; every episode still ends, trajectories with holds pass the plan checker, and the
hindsight bound stays below a policy that holds."""

from __future__ import annotations

import pytest

from mmroute.envs.simulator import MIN_HOLD_H, Move, Simulator
from mmroute.errors import InputError
from mmroute.routing.plan import solve_hindsight
from mmroute.world.check import check_plan
from mmroute.world.realization import realize

REL = 1e-6


def test_a_hold_brings_the_consignment_back_as_a_decision_at_its_hour(scenarios):
    sc = scenarios["tiny"]
    sim = Simulator(sc, realize(sc, 0))
    d = sim.next_decision()
    c = sim.consignments[d.consignment]
    sim.apply(Move.hold(d.time_h + 5.0))
    assert (c.status, c.node, c.legs, c.booking, c.road_plan) == ("ready", d.node, [], None, ())
    while (d2 := sim.next_decision()).consignment != d.consignment:
        sim.apply(Move.hold(d2.time_h + 5.0))
    assert (d2.node, d2.time_h, d2.lock) == (d.node, d.time_h + 5.0, d.lock)
    assert sim.now == d.time_h + 5.0
    assert sim.total == 0.0  # waiting charges nothing until the arrival


def test_a_hold_too_short_after_the_horizon_or_not_a_number_is_refused(scenarios):
    sc = scenarios["tiny"]
    sim = Simulator(sc, realize(sc, 0))
    d = sim.next_decision()
    for until in (d.time_h, d.time_h + MIN_HOLD_H / 2, sc.horizon_h + 1.0):
        with pytest.raises(InputError, match="hold"):
            sim.apply(Move.hold(until))
        assert sim.next_decision() == d  # the decision stays
    for bad in (float("nan"), float("inf"), "3", None, True):
        with pytest.raises(InputError, match="finite until_h"):
            Move.hold(bad)
    with pytest.raises(InputError, match="finite until_h"):
        sim.apply(Move(kind="hold"))


def _holder(sim: Simulator, d, hold_h: float) -> Move:
    """Hold ``hold_h`` while the horizon allows, then the first allowed move (drop last)."""
    if d.time_h + hold_h <= sim.horizon_h:
        return Move.hold(d.time_h + hold_h)
    return sim.moves(d)[0]


@pytest.mark.parametrize("name", ["tiny", "liuzhou-asean"])
def test_holding_to_the_horizon_ends_and_stays_above_the_hindsight_bound(scenarios, name):
    """A policy that holds as often as the rules let it (the shortest hold each time):
    the episode ends, within horizon / MIN_HOLD_H holds a consignment."""
    sc = scenarios[name]
    r = realize(sc, 0)
    sim = Simulator(sc, r)
    steps, cap = 0, len(sim.consignments) * (int(sc.horizon_h / MIN_HOLD_H) + 10)
    while (d := sim.next_decision()) is not None:
        sim.apply(_holder(sim, d, MIN_HOLD_H))
        steps += 1
        assert steps <= cap
    bound = solve_hindsight(r.scenario(sc), r.events, time_limit_s=60, seed=0)
    floor = bound.bound if bound.bound is not None else bound.objective
    assert sim.result().cost >= floor - REL * abs(floor)


@pytest.mark.parametrize("name", ["tiny", "liuzhou-asean", "yangtze-inbound"])
def test_trajectories_with_holds_pass_the_checker_and_cost_what_they_charged(scenarios, name):
    """Hold a day at each first decision, then take the first allowed move: waiting in the
    simulator is waiting in the plan MIP (the checker recomputes the same cost), and the
    hindsight optimum (which may wait too) stays a lower bound."""
    sc = scenarios[name]
    for seed in (0, 1):
        r = realize(sc, seed)
        sim = Simulator(sc, r)
        held = set()
        while (d := sim.next_decision()) is not None:
            if d.consignment not in held and d.time_h + 24.0 <= sim.horizon_h:
                held.add(d.consignment)
                sim.apply(Move.hold(d.time_h + 24.0))
            else:
                sim.apply(sim.moves(d)[0])
        traj = sim.trajectory()
        report = check_plan(r.scenario(sc), traj)
        assert report.feasible, report.summary()
        assert abs(traj.objective - sim.result().cost) <= REL * max(1.0, sim.result().cost)
        bound = solve_hindsight(r.scenario(sc), r.events, time_limit_s=60, seed=0)
        floor = bound.bound if bound.bound is not None else bound.objective
        assert sim.result().cost >= floor - REL * abs(floor)
