"""Candidate ranking knows the horizon: no service departs after it."""

from __future__ import annotations

import math

from mmroute.envs import realize
from mmroute.envs.candidates import to_go
from mmroute.envs.reroute import RerouteEnv
from mmroute.scenarios import load


def test_latest_ready_times_respect_the_horizon_and_road_ways_on():
    sc = load("yangtze-inbound")
    for dest in {s.destination for s in sc.shipments}:
        tg = to_go(sc, dest)
        assert tg.latest_h[dest] == math.inf
        for v, t in tg.latest_h.items():
            if math.isfinite(tg.cost_road.get(v, math.inf)):
                assert t == math.inf  # a truck can leave at any time
            else:  # a service is needed: it must leave by the horizon
                assert t <= sc.horizon_h
        for v, t in tg.latest_h_yard.items():
            assert t <= sc.horizon_h and t <= tg.latest_h[v]


def test_bug_a_late_order_near_the_horizon_was_sent_to_a_terminal_it_could_not_leave():
    # yangtze-inbound, seed 100014: late-8 (4 TEU) is released at 666.4 h, 5.6 h before the
    # horizon; the cheapest-looking truck to a rail terminal ends where no train leaves in
    # time, so the direct truck to the destination must rank first
    env = RerouteEnv("yangtze-inbound")
    env.reset(options={"realization": realize(env.scenario, 100014)})
    done = False
    while not done:
        d = env.decision
        if env.sim.consignments[d.consignment].shipment.id == "late-8":
            best = env.slots[0]
            assert best.move.kind == "road" and best.end_node == "WH-DHM"
            assert math.isfinite(best.arrival_h)
            for c in env.slots[1:-1]:
                if c is not None and c.end_node != "WH-DHM":
                    assert not math.isfinite(c.arrival_h) or c.score_cny > best.score_cny
            return
        _, _, done, _, _ = env.step(0)
    raise AssertionError("late-8 never decided")
