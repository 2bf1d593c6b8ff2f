"""Candidate ranking knows the horizon: no service departs after it."""

from __future__ import annotations

import math

from mmroute.envs.candidates import to_go
from mmroute.envs.reroute import RerouteEnv
from mmroute.scenarios import load
from mmroute.world.realization import realize


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


def test_a_truck_to_a_terminal_is_expected_to_wait_for_its_next_train():
    # the expected arrival of a road trip that ends in a terminal's yard is never earlier than
    # the earliest arrival of a service leaving that yard after the truck arrives (known
    # conditions): the next departure is read from the timetable, not a nominal half headway
    # (it was: a truck to SH-RAIL ranked first although its train left 18 h later)
    import numpy as np

    env = RerouteEnv("yangtze-inbound")
    rng = np.random.default_rng(0)
    checked = 0
    for seed in (100000, 100012):
        env.reset(options={"realization": realize(env.scenario, seed)})
        sim, done = env.sim, False
        while not done:
            cond = sim.known()
            dest = sim.consignments[env.decision.consignment].shipment.destination
            for c in env.slots[:-1]:
                if c is None or c.move.kind != "road" or c.end_node == dest:
                    continue
                if c.end_node not in sim.yards or not math.isfinite(c.arrival_h):
                    continue
                trip = cond.road_trip([sim.links[x] for x in c.move.path], c.depart_h)
                at_yard = trip[-1][1] if trip else c.depart_h
                first = min((dep + cond.travel_time_h(lk, dep)
                             for lk in sim.out_services[c.end_node]
                             for _, dep in cond.departures(lk, at_yard + lk.timetable.cutoff_h,
                                                           sim.horizon_h)), default=math.inf)
                assert c.arrival_h >= first - 1e-6
                checked += 1
            m = env.action_masks()
            allowed = np.flatnonzero(m[:-1]) if m[:-1].any() else np.flatnonzero(m)
            _, _, done, _, _ = env.step(int(rng.choice(allowed)))
    assert checked > 50
