"""Following a plan's itineraries in a time-expanded network (routing/plan/follow.py: the
incremental re-plan's warm start, the plan MIP's hint): on every bundled scenario, at hour 0
and from mid-horizon states after a closure, the pruned DFS picks exactly the arcs a plain
DFS over every out-arc picks, and a plan solved on the same network is followed by every
shipment."""

from __future__ import annotations

from collections import defaultdict

import pytest

from mmroute.routing.plan import solve_plan, state_at
from mmroute.routing.plan.expand import demands_of, expand
from mmroute.routing.plan.follow import followed_paths
from mmroute.scenarios import bundled_names, load
from mmroute.scenarios.bundled import AT_SCALE
from mmroute.world.events import KnownEvents, LinkClosure

#: china-europe takes ~6 s (its plan): slow, the others are its fast siblings
BUNDLED = [pytest.param(n, marks=pytest.mark.slow) if n == "china-europe" else n
           for n in bundled_names() if n not in AT_SCALE]


def _plain_follow(net, out_arcs, d, want, dropped: bool) -> set[int] | None:
    """Reference: DFS over every out-arc in index order, no pruning (the plan MIP's former
    hint search)."""
    usable = set(net.usable[d.shipment])
    sink = net.sink[d.destination]
    stack = [(net.source[d.shipment], 0, ())]
    seen = set()
    while stack:
        node, k, path = stack.pop()
        if node == sink:
            if k == len(want):
                return set(path)
            continue
        if (node, k) in seen:
            continue
        seen.add((node, k))
        for i in out_arcs[node]:
            a = net.arcs[i]
            if i not in usable or (a.kind == "drop") != dropped:
                continue
            legs = [(lg.link, round(lg.departure_h, 4)) for lg in a.legs]
            if legs != want[k:k + len(legs)]:
                continue
            stack.append((a.head, k + len(legs), (*path, i)))
    return None


def _reference(net, plan) -> dict[str, set[int] | None]:
    out_arcs: dict[int, list[int]] = defaultdict(list)
    for i, a in enumerate(net.arcs):
        out_arcs[a.tail].append(i)
    out: dict[str, set[int] | None] = {}
    for d in net.demands:
        its = plan.itinerary(d.shipment)
        if len(its) != 1:
            out[d.shipment] = None
            continue
        want = [(lg.link, round(lg.departure_h, 4)) for lg in its[0].legs
                if lg.departure_h >= d.ready_h - 1e-6]
        out[d.shipment] = _plain_follow(net, out_arcs, d, want, its[0].dropped)
    return out


def _followed(net, plan) -> dict[str, set[int] | None]:
    return {sid: None if p is None else set(p) for sid, p in followed_paths(net, plan).items()}


@pytest.mark.parametrize("name", BUNDLED)
def test_the_followed_arcs_are_the_plain_searchs_on_every_bundled_scenario(name):
    sc = load(name)
    plan = solve_plan(sc, time_limit_s=60, seed=0)
    net = expand(sc, demands_of(sc), KnownEvents())
    assert _followed(net, plan) == _reference(net, plan)
    for k in (2, 5):  # mid-horizon states, a link closed there
        t = round(sc.horizon_h * k / 10, 1)
        ev = KnownEvents(closures=(LinkClosure(sc.links[(7 * k) % len(sc.links)].id, t, t + 24),))
        state = state_at(sc, plan, t, ev)
        net = expand(sc, demands_of(sc, state), ev, used=state.used())
        assert _followed(net, plan) == _reference(net, plan), t


@pytest.mark.parametrize("name", ["liuzhou-asean", "yangtze-inbound"])
def test_bug_a_plan_with_road_legs_before_its_last_was_not_followed(name):
    """The warm start's DFS cut a road leg whose arrival node is later than the leg's own
    departure, and a node a rounding (1e-4 h) after the next departure: a plan solved on the
    same network was followed by none of liuzhou-asean's 16 shipments (the month's lanes)
    and 3 of yangtze-inbound's 14."""
    sc = load(name)
    plan = solve_plan(sc, time_limit_s=60, seed=0)
    net = expand(sc, demands_of(sc), KnownEvents())
    paths = _followed(net, plan)
    assert len(paths) == len(sc.shipments) and all(p is not None for p in paths.values())
