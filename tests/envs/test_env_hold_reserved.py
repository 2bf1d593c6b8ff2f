"""``RerouteEnv(hold="reserved")``: slot 1 is the hold or nothing (masked), never another move;
the other moves start at slot 2 either way."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mmroute.envs.hold import HOLDS
from mmroute.envs.reroute import RerouteEnv
from mmroute.errors import InputError
from mmroute.routing.plan import solve_hindsight
from mmroute.world.check import check_plan
from mmroute.world.realization import realize


def _late_then_next(env) -> int:
    """Slot 1 whenever it is allowed, else slot 2 if allowed, else slot 0: a policy that
    learned "slot 1 = hold" (and sometimes takes the next sailing)."""
    m = env.action_masks()
    return 1 if m[1] else 2 if m[2] and env.decision.time_h % 2 < 1 else 0


def test_reserved_is_a_hold_mode_and_bad_sizes_are_input_errors():
    assert "reserved" in HOLDS
    with pytest.raises(InputError, match="n_candidates"):
        RerouteEnv("tiny", hold="reserved", n_candidates=2)


@pytest.mark.parametrize("name", ["liuzhou-asean", "yangtze-inbound"])
def test_slot_one_is_the_hold_or_empty_and_episodes_end_feasible(scenarios, name):
    """At every decision slot 1 is a hold of slot 0's move or empty and masked (the cached
    mask is the slots'); no other slot holds; the episode ends and its trajectory passes
    check_plan."""
    sc = scenarios[name]
    env = RerouteEnv(sc, hold="reserved")
    r = realize(sc, 0)
    env.reset(options={"realization": r})
    done, steps, gaps, holds = False, 0, 0, 0
    while not done:
        s, m = env.slots, env.action_masks()
        assert np.array_equal(m, [c is not None for c in s])
        if s[0] is None:  # nothing but the drop
            assert not any(m[:-1])
        elif s[1] is None:
            gaps += 1
            assert not m[1]
        else:
            holds += 1
            assert s[1].move.kind == "hold" and m[1]
        assert all(c is None or c.move.kind != "hold" for j, c in enumerate(s) if j != 1)
        _, _, done, _, _ = env.step(_late_then_next(env))
        steps += 1
        assert steps < 60 * (len(sc.shipments) + 20)
    assert gaps > 0 and holds > 0
    report = check_plan(r.scenario(sc), env.sim.trajectory())
    assert report.feasible, report.summary()


def test_reserved_and_latest_agree_where_a_hold_is_offered(scenarios):
    """Where "latest" offers a hold, "reserved" shows the same slots; where it offers none,
    "reserved" shows "latest"'s moves one slot down (slot 1 empty, the last one leaves)."""
    sc = scenarios["liuzhou-asean"]
    a, b = RerouteEnv(sc, hold="reserved"), RerouteEnv(sc, hold="latest")
    r = realize(sc, 1)
    a.reset(options={"realization": r})
    b.reset(options={"realization": r})
    done, gaps = False, 0
    while not done:
        sa, sb = a.slots, b.slots
        moves_a = [c.move if c else None for c in sa]
        moves_b = [c.move if c else None for c in sb]
        if sa[1] is not None:
            assert moves_a == moves_b
        else:
            gaps += 1
            assert moves_a[0] == moves_b[0] and moves_a[-1] == moves_b[-1]
            assert moves_a[2:-1] == moves_b[1:-2]
        _, _, done, _, _ = a.step(0)
        _, _, done_b, _, _ = b.step(0)
        assert done == done_b
    assert gaps > 0


def test_hindsight_stays_a_lower_bound_with_the_reserved_hold(scenarios):
    sc = scenarios["liuzhou-asean"]
    env = RerouteEnv(sc, hold="reserved")
    for seed in (2, 3):
        r = realize(sc, seed)
        env.reset(options={"realization": r})
        total, done = 0.0, False
        while not done:
            _, _, done, _, info = env.step(_late_then_next(env))
            total += info["cost"]
        plan = solve_hindsight(env.sim.realised_scenario, r.events, time_limit_s=60.0, seed=0,
                               tables=env.tables.world)
        bound = plan.bound if plan.bound is not None else plan.objective
        assert total >= bound - 1e-6 * max(1.0, abs(bound))


def test_bug_at_the_cut_off_slot_1_is_the_next_sailing_with_latest_and_empty_with_reserved():
    """User network, seed 100,033, consignment X06 at Yangshan (the late-expert agent's loss):
    slot 1 holds the 472 h sailing until its cut-off (424 h); at 424 h no hold is offered and
    with "latest" slot 1 became the next sailing (568 h, 96 h later), which the agent took
    for "hold". With "reserved" slot 1 is empty and masked there, the 568 h sailing in slot 2."""
    user = Path(__file__).parents[1] / "data" / "user" / "shanghai-europe.yaml"
    a, b = RerouteEnv(str(user), hold="reserved"), RerouteEnv(str(user), hold="latest")
    a.reset(seed=100033)
    b.reset(seed=100033)
    seen, done = False, False
    while not done:
        d = a.decision
        sa, sb = a.slots, b.slots
        if (a.sim.consignments[d.consignment].shipment.id == "X06" and sa[0] is not None
                and sa[0].move.kind == "service" and sa[0].move.timetable_h == 472.0
                and d.time_h == 424.0):
            seen = True
            assert sb[1].move.kind == "service" and sb[1].move.timetable_h == 568.0
            assert sa[1] is None and not a.action_masks()[1]
            assert sa[2].move == sb[1].move
        act = 1 if sa[1] is not None else 0  # hold whenever offered (both envs alike)
        _, _, done, _, _ = a.step(act)
        b.step(act)
    assert seen
