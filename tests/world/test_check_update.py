"""check_update (world/check.py): a plan whose kept itineraries were route-checked before is
judged exactly as check_plan judges it — same verdict, same violations, same objective — on
re-plans perturbed every way the kept part can be wrong (shares, legs, TEU, duplicates,
missing itineraries, capacities, the objective, a later state, a CO2 cap or price)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmroute.routing.plan import replan, solve_plan, state_at
from mmroute.scenarios import load
from mmroute.world.check import check_plan, check_route, check_update
from mmroute.world.conditions import Conditions


@pytest.fixture(scope="module")
def replanned():
    """liuzhou-asean re-planned at 60 h, and every itinerary's route check from its start."""
    sc = load("liuzhou-asean")
    plan = solve_plan(sc, time_limit_s=30, seed=0)
    state = state_at(sc, plan, 60.0)
    p = replan(sc, state, None, time_limit_s=30, seed=0, initial=plan)
    cond = Conditions(sc, p.events)
    ships = {s.id: s for s in sc.shipments}
    checks = {}
    for it in p.itineraries:
        rc = check_route(sc, ships[it.shipment], state.start_of(ships[it.shipment]), it, cond,
                         p.co2_price_cny_per_t)
        if rc is not None:
            checks[it.shipment] = rc
    assert len(checks) >= 5 and check_plan(sc, p, state).feasible
    return sc, state, p, checks


def _same(a, b) -> None:
    assert a.feasible == b.feasible
    assert [str(v) for v in a.violations] == [str(v) for v in b.violations]
    assert a.n_violations == b.n_violations and a.objective == b.objective


OPS = st.lists(st.tuples(st.sampled_from(
    ["objective", "share", "leg", "teu", "dup", "remove", "swap", "link_cap", "node_cap",
     "later", "co2_cap", "price"]), st.integers(0, 999), st.floats(0.05, 0.95)),
    max_size=3)


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(trusted=st.sets(st.integers(0, 999)), ops=OPS)
def test_check_update_judges_as_check_plan(replanned, trusted, ops):
    sc, state, p, checks = replanned
    ids = sorted(checks)
    checked = {ids[k % len(ids)]: checks[ids[k % len(ids)]] for k in trusted}
    its = list(p.itineraries)
    plan_kw: dict = {}
    for op, k, x in ops:
        i = k % len(its) if its else 0
        if op == "objective":
            plan_kw["objective"] = p.objective * (1 + x / 100)
        elif op == "share" and its:
            its[i] = replace(its[i], objective_cny=its[i].objective_cny + 100 * x)
        elif op == "leg" and its and its[i].legs:
            lg = its[i].legs[0]
            its[i] = replace(its[i], legs=(replace(lg, departure_h=lg.departure_h + x),
                                           *its[i].legs[1:]))
        elif op == "teu" and its:
            its[i] = replace(its[i], teu=its[i].teu * (1 - x))
        elif op == "dup" and its:
            its.append(its[i])  # the same (checked) object twice
        elif op == "remove" and its:
            its.pop(i)
        elif op == "swap" and len(its) > 1:
            its[i] = its[(i + 1) % len(its)]  # another shipment's checked itinerary
        elif op == "link_cap":  # capacities are not part of a route check
            used = sorted({lg.link for it in p.itineraries for lg in it.legs})
            lid = used[k % len(used)]
            sc = replace(sc, links=tuple(replace(lk, capacity_teu=x * 3)
                                         if lk.id == lid else lk for lk in sc.links))
        elif op == "node_cap":
            used = sorted({h.node for it in p.itineraries for h in it.handling})
            if used:
                nid = used[k % len(used)]
                sc = replace(sc, nodes=tuple(replace(n, capacity_teu_per_day=x * 3)
                                             if n.id == nid else n for n in sc.nodes))
        elif op == "later":  # later starts: the recorded checks no longer apply
            state = replace(state, time_h=state.time_h + 48 * x)
        elif op == "price":  # another CO2 price: the recorded shares no longer apply
            plan_kw["co2_price_cny_per_t"] = p.co2_price_cny_per_t * (1 + x)
        elif op == "co2_cap":
            plan_kw["co2_cap_kg"] = x * sum(it.co2_kg for it in p.itineraries)
    plan = replace(p, itineraries=tuple(its), **plan_kw)
    _same(check_plan(sc, plan, state), check_update(sc, plan, state, checked))


def test_recorded_checks_are_what_it_trusts(replanned):
    """A trusted itinerary is not routed again: its recorded values are what is compared
    (its recorded share, when its totals agreed with it, goes into the objective sum)."""
    sc, state, p, checks = replanned
    sid = sorted(checks)[0]
    assert check_update(sc, p, state, checks).feasible
    assert checks[sid].summary().startswith(f"{sid} from ") and "differ" not in \
        checks[sid].summary()
    wrong = replace(checks[sid], cost_cny=checks[sid].cost_cny + 1000.0, agrees=False)
    res = check_update(sc, p, state, {**checks, sid: wrong})
    assert not res.feasible and any(v.where == sid and "cost" in v.why
                                    for v in res.violations)
    wrong = replace(checks[sid], share_cny=checks[sid].share_cny + 1000.0)
    res = check_update(sc, p, state, {**checks, sid: wrong})
    assert not res.feasible and any("objective" in v.why for v in res.violations)
