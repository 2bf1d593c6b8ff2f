"""Per-arc premiums in the plan MIP (``PlanParams.premiums``): they shape the plan, are never
claimed as its cost, and empty premiums leave the model exactly as it was."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from mmroute.errors import InputError
from mmroute.routing.plan import ArcPremiums, PlanParams, replan, solve_plan, state_at
from mmroute.scenarios import load
from mmroute.world.check import check_plan


@pytest.fixture(scope="module")
def tiny():
    """The bundled tiny scenario and its plan without premiums."""
    sc = load("tiny")
    return sc, solve_plan(sc, time_limit_s=10, seed=0)


def _teu_on(plan, link: str) -> float:
    return sum(it.teu for it in plan.itineraries for lg in it.legs if lg.link == link)


def test_empty_premiums_give_the_same_plan_and_bound(tiny):
    sc, plain = tiny
    for premiums in (ArcPremiums(), ArcPremiums(links=(("LZ-QZ-rail", 0.0, 1e4, 0.0),),
                                                tight_cny_per_teu=500.0, tight_h=0.0)):
        shaped = solve_plan(sc, time_limit_s=10, seed=0, params=PlanParams(premiums=premiums))
        assert shaped.itineraries == plain.itineraries
        assert (shaped.objective, shaped.bound, shaped.status) == (
            plain.objective, plain.bound, plain.status)


def test_empty_premiums_give_the_same_replan(tiny):
    sc, plain = tiny
    state = state_at(sc, plain, 10.0)
    a = replan(sc, state, time_limit_s=10, seed=0, initial=plain)
    b = replan(sc, state, time_limit_s=10, seed=0, initial=plain,
               params=PlanParams(premiums=ArcPremiums()))
    assert a.itineraries == b.itineraries and a.objective == b.objective


def test_a_link_premium_steers_the_plan_and_is_not_counted_as_cost(tiny):
    sc, plain = tiny
    link = max({lg.link for it in plain.itineraries for lg in it.legs},
               key=lambda lk: _teu_on(plain, lk))
    assert _teu_on(plain, link) > 0
    premiums = ArcPremiums(links=((link, 0.0, sc.horizon_h + 1, 1e5),))
    shaped = solve_plan(sc, time_limit_s=10, seed=0, params=PlanParams(premiums=premiums))
    assert _teu_on(shaped, link) == 0
    # its objective is its true cost (the checker recomputes it), never below the optimum
    assert check_plan(sc, shaped).ok
    assert math.isclose(shaped.objective, sum(it.objective_cny for it in shaped.itineraries))
    assert plain.objective <= shaped.objective < plain.objective + 1e5 * _teu_on(plain, link)
    # the shaped optimum is no bound on the true objective
    assert shaped.bound is None and shaped.status == "feasible"


def test_a_premium_outside_its_window_changes_nothing(tiny):
    sc, plain = tiny
    link = plain.itineraries[0].legs[0].link
    late = ArcPremiums(links=((link, sc.horizon_h + 10, sc.horizon_h + 20, 1e5),))
    shaped = solve_plan(sc, time_limit_s=10, seed=0, params=PlanParams(premiums=late))
    assert shaped.itineraries == plain.itineraries


@pytest.fixture(scope="module")
def tiny_wait(tmp_path_factory):
    """tiny with a daily train back from Qinzhou: its cut-offs are departure points there, so
    cargo by rail to the sailing every 48 h waits through them (34 h, unavoidable on that
    route); the road to Qinzhou reaches the sailing without waiting, for 2,519 CNY more."""
    import mmroute.scenarios as scenarios

    text = (Path(scenarios.__file__).parent / "data" / "tiny.yaml").read_text()
    text = text.replace("name: tiny", "name: tiny-wait").replace("links:\n", (
        "links:\n  - {from: QZ, to: LZ, mode: rail, distance_km: 360, speed_kmh: 40,"
        " cost_per_teu_km_cny: 1.5, timetable: {period_h: 24, departures_h: [8], cutoff_h: 4}}\n"),
        1)
    path = tmp_path_factory.mktemp("wait") / "tiny-wait.yaml"
    path.write_text(text)
    sc = load(path)
    return sc, solve_plan(sc, time_limit_s=10, seed=0)


@pytest.mark.parametrize("tie", [1.0, 100.0, 1000.0, 3000.0, 1e6])
def test_a_waiting_tie_never_moves_the_true_cost_by_more_than_the_tie(tiny_wait, tie):
    """Whatever the tie, the shaped plan's true cost is within tie x TEU of the optimum; up
    to 1,000 CNY per TEU it changes nothing here, from 3,000 the premium on the unavoidable
    wait moves S1 to the road (+2,519 CNY, far below the bound)."""
    sc, plain = tiny_wait
    teu = sum(s.quantity_teu for s in sc.shipments)
    shaped = solve_plan(sc, time_limit_s=10, seed=0,
                        params=PlanParams(premiums=ArcPremiums(wait_tie_cny_per_teu=tie)))
    assert check_plan(sc, shaped).ok and plain.status == "optimal"
    assert plain.objective - 1e-6 <= shaped.objective <= plain.objective + tie * teu
    first = {it.shipment: it.legs[0].link for it in shaped.itineraries}
    if tie <= 1000.0:
        assert shaped.objective == pytest.approx(plain.objective, abs=1e-6)
        assert first["S1"] == "LZ-QZ-rail"
    else:
        assert shaped.objective == pytest.approx(plain.objective + 2519.01, abs=0.1)
        assert first["S1"] == "LZ-QZ-road"


def test_a_waiting_tie_is_spread_over_the_span_so_no_teu_pays_more():
    from mmroute.routing.plan.expand import expand

    sc = load("tiny")
    net = expand(sc)
    prem = ArcPremiums(wait_tie_cny_per_teu=240.0)
    per_arc = prem.per_arc(sc, net)
    waits = [i for i, a in enumerate(net.arcs) if a.kind == "wait"]
    assert waits and all(per_arc[i] > 0 for i in waits)
    assert not any(per_arc[i] for i, a in enumerate(net.arcs) if a.kind != "wait")
    by_chain: dict[tuple, float] = {}
    for i in waits:  # the wait arcs of one yard (or road point) chain: a TEU's longest wait
        key = net.nodes[net.arcs[i].tail][:2]
        by_chain[key] = by_chain.get(key, 0.0) + per_arc[i]
    assert max(by_chain.values()) <= 240.0 + 1e-9
    times = [v[2] for v in net.nodes if v[0] in ("D", "R")]
    assert prem.wait_per_teu_h(net) == pytest.approx(240.0 / (max(times) - min(times)))


def _passes(plan, node: str) -> float:
    return sum(it.teu for it in plan.itineraries
               if any(lg.from_node == node for lg in it.legs[1:]))


def test_a_node_premium_reaches_road_trips_passing_the_node(tiny):
    """tiny's border PX has no yard: trucks pass it without handling, so its risk is priced
    on the road legs leaving it (the truck's arrival there in the window)."""
    from mmroute.routing.plan.expand import expand

    sc, plain = tiny
    net = expand(sc)
    prem = ArcPremiums(nodes=(("PX", 0.0, 1e4, 1e4),))
    per_arc = prem.per_arc(sc, net)
    through = {i for i, a in enumerate(net.arcs)
               if any(lg.from_node == "PX" for lg in a.legs[1:])}
    assert through and all(per_arc[i] == 1e4 for i in through)
    assert not any(per_arc[i] for i in range(len(net.arcs)) if i not in through)
    # out of the window: nothing
    late = ArcPremiums(nodes=(("PX", 1e4, 2e4, 1e4),))
    assert not late.per_arc(sc, net).any()
    assert _passes(plain, "PX") > 0
    shaped = solve_plan(sc, time_limit_s=10, seed=0, params=PlanParams(premiums=prem))
    assert _passes(shaped, "PX") == 0 and check_plan(sc, shaped).ok
    assert shaped.objective >= plain.objective


@pytest.mark.parametrize("premiums, field", [
    (ArcPremiums(wait_tie_cny_per_teu=-1.0), "params.premiums.wait_tie_cny_per_teu"),
    (ArcPremiums(tight_h=math.nan), "params.premiums.tight_h"),
    (ArcPremiums(links=(("a", 5.0, 1.0, 1.0),)), "params.premiums.links[0]"),
    (ArcPremiums(links=(("a", 0.0, 1.0, math.inf),)), "params.premiums.links[0]"),
    (ArcPremiums(nodes=(("a", 0.0, 1.0),)), "params.premiums.nodes[0]"),
    (ArcPremiums(nodes=((1, 0.0, 1.0, 2.0),)), "params.premiums.nodes[0]"),
    ("no", "params.premiums"),
])
def test_bad_premiums_raise_input_error_naming_the_field(tiny, premiums, field):
    sc, _ = tiny
    with pytest.raises(InputError) as e:
        solve_plan(sc, time_limit_s=10, seed=0, params=PlanParams(premiums=premiums))
    assert e.value.field == field
