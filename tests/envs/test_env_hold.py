"""``RerouteEnv(hold="latest")``: slot 1 holds slot 0's move until the latest hour that still
makes its connection; off by default (the spaces and behaviour of the shipped models)."""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

import mmroute.envs  # noqa: F401  (registers mmroute/Reroute-v0)
from mmroute.envs import ENV_ID
from mmroute.envs.hold import SLACK_H
from mmroute.envs.reroute import RerouteEnv
from mmroute.envs.simulator import MIN_HOLD_H
from mmroute.errors import InputError
from mmroute.world.check import check_plan
from mmroute.world.realization import realize

USER = Path(__file__).parents[1] / "data" / "user" / "shanghai-europe.yaml"


def _greedy_late(env) -> int:
    """Slot 1 where it holds, else slot 0."""
    s = env.slots
    return 1 if s[1] is not None and s[1].move.kind == "hold" else 0


@pytest.mark.parametrize("kwargs", [{"hold": "maybe"}, {"hold": True},
                                    {"hold": "latest", "n_candidates": 2}])
def test_bad_hold_arguments_are_input_errors(kwargs):
    with pytest.raises(InputError, match="hold"):
        RerouteEnv("tiny", **kwargs)


def test_hold_off_is_the_default_and_changes_nothing(scenarios):
    sc = scenarios["liuzhou-asean"]
    off, on = RerouteEnv(sc), RerouteEnv(sc, hold="latest")
    assert off.hold == "off"
    assert off.observation_space == on.observation_space
    assert off.action_space == on.action_space
    off.reset(seed=3)
    done = False
    while not done:
        assert all(c is None or c.move.kind != "hold" for c in off.slots)
        _, _, done, _, _ = off.step(0)


@pytest.mark.parametrize("name", ["liuzhou-asean", "yangtze-inbound"])
def test_the_hold_slot_is_masked_in_holds_until_its_hour_and_episodes_end(scenarios, name):
    """Taking the hold whenever it is offered: the mask allows it, the consignment decides
    again at the hold's hour (a whole hour, at least MIN_HOLD_H later, by the cut-off of the
    slot-0 move's connection), episodes end and their trajectories pass the checker."""
    sc = scenarios[name]
    env = RerouteEnv(sc, hold="latest")
    for seed in (0, 1):
        r = realize(sc, seed)
        env.reset(options={"realization": r})
        done, held, steps = False, 0, 0
        while not done:
            d, slots = env.decision, env.slots
            a = _greedy_late(env)
            if a == 1:
                held += 1
                hold, best = slots[1].move, slots[0].move
                assert env.action_masks()[1]
                assert hold.until_h == int(hold.until_h) and hold.until_h >= d.time_h + MIN_HOLD_H
                if best.kind == "service":
                    cutoff = env.sim.links[best.link].timetable.cutoff_h
                    assert hold.until_h <= best.timetable_h - cutoff
                assert slots[1].score_cny == slots[0].score_cny
                i = d.consignment
            _, _, done, _, _ = env.step(a)
            steps += 1
            assert steps < 60 * (len(sc.shipments) + 20)
            if a == 1 and not done:
                c = env.sim.consignments[i]
                assert c.status == "ready" and c.ready_h == hold.until_h
        assert held > 0
        report = check_plan(r.scenario(sc), env.sim.trajectory())
        assert report.feasible, report.summary()


def test_a_held_truck_still_makes_its_connection_with_time_to_spare():
    """User network, seed 100,031: the truck to Yangshan held at the plant is ready there
    (known conditions at the decision) at least SLACK_H before the cut-off of the sailing the
    candidates expect, and an hour later would not be."""
    env = RerouteEnv(str(USER), hold="latest")
    env.reset(seed=100031)
    done = False
    while not done:
        s = env.slots
        if s[1] is not None and s[1].move.kind == "hold" and s[0].move.kind == "road":
            break
        _, _, done, _, _ = env.step(0)
    sim, d = env.sim, env.decision
    cond = sim.known()
    path = [sim.links[x] for x in s[0].move.path]
    end = sim.nodes[path[-1].to_node]

    def ready(t):
        arr = cond.road_trip(path, t)[-1][1]
        return arr + end.handling_time_h + cond.node_delay_h(end.id, arr)

    until = s[1].move.until_h
    assert until > d.time_h
    cutoffs = [dep - lk.timetable.cutoff_h for lk in sim.out_services[end.id]
               for dep in lk.timetable.departures(ready(d.time_h), sim.horizon_h)]
    assert any(ready(until) <= c - SLACK_H < ready(until + 1.0) for c in cutoffs)


def test_gym_make_passes_hold_and_the_hold_slot_is_in_the_mask():
    env = gym.make(ENV_ID, scenario=str(USER), hold="latest")
    env.reset(seed=100031)
    assert env.unwrapped.hold == "latest"
    seen = False
    done = False
    while not done:
        m = env.action_masks()
        s = env.unwrapped.slots
        if s[1] is not None and s[1].move.kind == "hold":
            seen = True
            assert m[1]
        assert np.array_equal(m, [c is not None for c in s])
        _, _, done, trunc, _ = env.step(_greedy_late(env.unwrapped))
        done = done or trunc
    assert seen


def test_the_ansi_render_names_the_hold_and_its_hour():
    env = RerouteEnv("liuzhou-asean", hold="latest", render_mode="ansi")
    env.reset(seed=0)
    while not (env.slots[1] is not None and env.slots[1].move.kind == "hold"):
        env.step(0)
    assert "[1] hold until" in env.render()
