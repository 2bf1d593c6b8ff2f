"""Scoped re-plans (routing/plan/scoped.py): only what the news can affect is re-planned, the
rest kept as followed; what is returned passes check_plan and costs no less than the full
re-plan (equal on these states); with nothing to re-plan the followed plan comes back as is."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mmroute.routing.plan import replan, solve_plan, state_at
from mmroute.routing.plan.incremental import Replanner
from mmroute.routing.plan.scoped import replan_scoped
from mmroute.scenarios import load
from mmroute.scenarios.scaling import scale
from mmroute.world.check import check_plan
from mmroute.world.events import KnownEvents, LinkClosure

REL = 1e-6


@pytest.fixture(scope="module")
def month():
    """60 consignments on liuzhou-asean over a month, its plan and a re-planner."""
    sc = scale(load("liuzhou-asean"), consignments=60, seed=0)
    return sc, solve_plan(sc, time_limit_s=60, seed=0), Replanner(sc)


def _used_links(plan, t):
    """Links of itineraries that still have legs after ``t``, by how many use them."""
    count: dict[str, int] = {}
    for it in plan.itineraries:
        for lg in it.legs:
            if lg.departure_h > t + 24:
                count[lg.link] = count.get(lg.link, 0) + 1
    return sorted(count, key=lambda k: (-count[k], k))


def test_a_closure_on_followed_itineraries_replans_them_and_the_plan_is_checked(month):
    sc, plan, rp = month
    t = 100.0
    link = _used_links(plan, t)[0]
    ev = KnownEvents(closures=(LinkClosure(link, t, t + 72.0),))
    state = state_at(sc, plan, t, ev)
    calls = rp.scoped_calls
    scoped = replan_scoped(sc, state, ev, time_limit_s=60, seed=0, initial=plan,
                           tables=rp.tables, stats=rp)
    full = replan(sc, state, ev, time_limit_s=60, seed=0, initial=plan, tables=rp.tables)
    assert rp.scoped_calls == calls + 1
    assert scoped is not plan and check_plan(sc, scoped, state).feasible
    assert scoped.status == "feasible" and scoped.bound is None  # optimal for the scope only
    assert scoped.objective >= full.objective - REL * abs(full.objective)
    assert abs(scoped.objective - full.objective) <= REL * abs(full.objective)
    touched = {it.shipment for it in plan.itineraries
               if any(lg.link == link and t <= lg.departure_h <= t + 72 for lg in it.legs)}
    assert touched and not any(lg.link == link and t <= lg.departure_h <= t + 72
                               for it in scoped.itineraries for lg in it.legs)


def test_news_that_touches_no_itinerary_returns_the_followed_plan(month):
    sc, plan, rp = month
    t = 100.0
    unused = next(lk.id for lk in sc.links if lk.id not in set(_used_links(plan, 0.0))
                  and not any(lg.link == lk.id for it in plan.itineraries for lg in it.legs))
    ev = KnownEvents(closures=(LinkClosure(unused, t, t + 72.0),))
    state = state_at(sc, plan, t, ev)
    unchanged = rp.scoped_unchanged
    assert replan_scoped(sc, state, ev, time_limit_s=60, seed=0, initial=plan,
                         tables=rp.tables, stats=rp) is plan
    assert rp.scoped_unchanged == unchanged + 1


def test_a_new_quantity_and_also_put_shipments_in_scope(month):
    sc, plan, rp = month
    t = 50.0
    state = state_at(sc, plan, t)
    later = next(s for s in sc.shipments if s.release_h > t + 10)
    grown = replace(sc, shipments=tuple(replace(s, quantity_teu=s.quantity_teu + 0.3)
                                        if s.id == later.id else s for s in sc.shipments))
    before = rp.scoped_shipments
    p = replan_scoped(grown, state, None, time_limit_s=60, seed=0, initial=plan,
                      tables=rp.tables, stats=rp)
    assert rp.scoped_shipments == before + 1
    assert check_plan(grown, p, state).feasible
    assert p.itinerary(later.id)[0].teu == pytest.approx(later.quantity_teu + 0.3)
    # ``also``: re-planned whatever the news (here none: the same plan comes out, checked)
    other = next(s.id for s in sc.shipments if s.release_h > t + 10 and s.id != later.id)
    q = replan_scoped(sc, state, None, time_limit_s=60, seed=0, initial=plan,
                      tables=rp.tables, stats=rp, also={other})
    assert q is not plan and check_plan(sc, q, state).feasible
    full = replan(sc, state, None, time_limit_s=60, seed=0, initial=plan, tables=rp.tables)
    assert abs(q.objective - full.objective) <= REL * abs(full.objective)


def test_without_a_followed_plan_it_is_the_full_replan(month):
    sc, plan, rp = month
    state = state_at(sc, plan, 30.0)
    p = replan_scoped(sc, state, None, time_limit_s=60, seed=0, initial=None, tables=rp.tables)
    full = replan(sc, state, None, time_limit_s=60, seed=0, tables=rp.tables)
    assert p.status == "optimal" and abs(p.objective - full.objective) <= REL * abs(full.objective)


def test_a_kept_network_cache_builds_the_same_network(month):
    """The re-planner's road trips, service legs and handling, kept between builds while the
    events (road noise aside) are the same, give the network a fresh build gives, hour
    after hour of revealed noise and across a new closure (which empties them)."""
    from mmroute.routing.plan.expand import demands_of
    from mmroute.routing.plan.incremental import NetworkCache, network
    from mmroute.world.realization import realize

    sc, plan, rp = month
    real = realize(sc, 3)
    assert real.events.road_noise
    cache = NetworkCache()
    link = _used_links(plan, 40.0)[0]
    for t, closed in ((32.1, False), (33.4, False), (33.4, True)):
        ev = real.events.known_at(t)
        if closed:
            ev = replace(ev, closures=(*ev.closures, LinkClosure(link, t, t + 48.0)))
        state = state_at(sc, plan, t, ev)
        scope = demands_of(sc, state)
        kept = network(sc, scope, ev, None, rp.tables, cache)
        fresh = network(sc, scope, ev, None, rp.tables)
        assert kept.arcs == fresh.arcs and kept.nodes == fresh.nodes
        assert kept.capacity == fresh.capacity
    assert cache.hits > 0 and cache.made > 0


def test_a_replan_cut_by_its_budget_leaves_its_checks_to_the_next(month, monkeypatch):
    """The alarm of agents.deadline.call_within stops a re-plan inside its checks of the
    followed itineraries: those made are kept, and the next re-plan checks only the rest
    and returns the plan an uncut re-plan returns."""
    import mmroute.routing.plan.scoped as scoped
    from mmroute.agents.deadline import BudgetSpent

    sc, plan, rp = month
    t = 100.0
    ev = KnownEvents(closures=(LinkClosure(_used_links(plan, t)[0], t, t + 72.0),))
    state = state_at(sc, plan, t, ev)
    carry, calls = scoped._carry, []

    def counted(*a, **kw):
        calls.append(a[1].id)
        if len(calls) == 20 and cut:
            raise BudgetSpent
        return carry(*a, **kw)

    monkeypatch.setattr(scoped, "_carry", counted)
    kw = dict(time_limit_s=60, seed=0, initial=plan, tables=rp.tables)
    cut, first = True, Replanner(sc)
    with pytest.raises(BudgetSpent):
        replan_scoped(sc, state, ev, stats=first, **kw)
    assert len(first.kept_memo[1]) >= 15  # the checks made before the cut (some failed)
    cut = False
    resumed = replan_scoped(sc, state, ev, stats=first, **kw)
    n_resumed = len(calls) - 20
    calls.clear()
    whole = replan_scoped(sc, state, ev, stats=Replanner(sc), **kw)
    assert n_resumed <= len(calls) - 15
    assert resumed.itineraries == whole.itineraries and resumed.objective == whole.objective


def test_scoped_replans_are_the_same_with_the_kept_network_parts(month):
    """A slice of re-plans under revealed noise and a closure: the re-planner with its
    network cache returns the plans of one without (same itineraries, same objective)."""
    from mmroute.world.realization import realize

    sc, plan, _ = month
    real = realize(sc, 5)
    kept, fresh = Replanner(sc), Replanner(sc)
    fresh.net_cache = None
    link = _used_links(plan, 60.0)[0]
    followed = {id(kept): plan, id(fresh): plan}
    for t in (60.0, 70.3):  # both re-plan some consignments, the second on kept parts
        ev = real.events.known_at(t)
        ev = replace(ev, closures=(*ev.closures, LinkClosure(link, 61.0, 110.0)))
        state = state_at(sc, plan, t, ev)
        out = [replan_scoped(sc, state, ev, time_limit_s=60, seed=0, initial=followed[id(rp)],
                             tables=kept.tables, stats=rp) for rp in (kept, fresh)]
        assert out[0].itineraries == out[1].itineraries
        assert out[0].objective == out[1].objective
        followed = {id(kept): out[0], id(fresh): out[1]}
    assert kept.net_cache.hits > 0
