"""Re-planning from a mid-episode state, known events, and the hindsight bound."""

from __future__ import annotations

import pytest

from mmroute.errors import InputError
from mmroute.routing.plan import (
    PlanParams,
    executed_plan,
    replan,
    solve_hindsight,
    solve_plan,
    state_at,
    sunk_objective,
)
from mmroute.world.check import check_plan
from mmroute.world.events import DepartureDelay, KnownEvents, LinkClosure, LinkSlowdown, NodeDelay
from mmroute.world.state import PlanState, Position
from tests.routing.test_plan_helpers import BC_ROAD, links, make, shipment

RAIL_SHUT = KnownEvents(closures=(LinkClosure("BC-rail", 0.0, 48.0),))


@pytest.fixture(scope="module")
def with_bypass():
    """The base scenario plus a road B -> C (1000/TEU), and its plan (road A-B, rail)."""
    sc = make(links=links(BC_ROAD))
    return sc, solve_plan(sc, time_limit_s=10, seed=0)


def test_state_at_puts_a_shipment_on_its_leg(with_bypass):
    sc, plan = with_bypass
    st = state_at(sc, plan, 0.5)
    assert st.positions == (Position("S1", "B", 1.0, "AB"),)
    assert state_at(sc, plan, 25.0).positions == (Position("S1", delivered=True),)


def test_replan_after_a_link_closure_avoids_the_closed_link(with_bypass):
    sc, plan = with_bypass
    assert [lg.link for lg in plan.itineraries[0].legs] == ["AB", "BC-rail"]
    state = state_at(sc, plan, 0.5)
    new = replan(sc, state, RAIL_SHUT, time_limit_s=10, seed=0, initial=plan)
    (it,) = new.itineraries
    assert [lg.link for lg in it.legs] == ["BC-road"]
    assert it.handling == ()  # road to road at B: no transshipment
    assert new.objective == pytest.approx(2000.0) and new.status == "optimal"
    assert check_plan(sc, new, state).ok


def test_executed_plan_joins_the_legs_done_to_the_re_plan(with_bypass):
    sc, plan = with_bypass
    state = state_at(sc, plan, 0.5)
    new = replan(sc, state, RAIL_SHUT, time_limit_s=10, seed=0, initial=plan)
    ran = executed_plan(plan, new, 0.5)
    (it,) = ran.itineraries
    assert [lg.link for lg in it.legs] == ["AB", "BC-road"]  # AB left at 0, before 0.5
    assert it.legs[0] == plan.itineraries[0].legs[0] and it.legs[1:] == new.itineraries[0].legs
    assert ran.from_h == plan.from_h and ran.objective == new.objective


def test_replan_with_scip_takes_the_previous_plan_as_a_hint(with_bypass):
    sc, plan = with_bypass
    state = state_at(sc, plan, 0.5)
    new = replan(sc, state, KnownEvents(), time_limit_s=10, seed=0,
                 params=PlanParams(solver="scip"), initial=plan)
    assert [lg.link for lg in new.itineraries[0].legs] == ["BC-rail"]
    assert new.objective == pytest.approx(200 + 2 * 200)  # handling at B + rail


def test_hindsight_is_no_worse_than_planning_then_replanning(with_bypass):
    sc, plan = with_bypass
    t = 0.5  # the closure becomes known while the cargo is on its way to B
    realised = sunk_objective(sc, plan, t) + replan(
        sc, state_at(sc, plan, t), RAIL_SHUT, time_limit_s=10, seed=0).objective
    oracle = solve_hindsight(sc, RAIL_SHUT, time_limit_s=10, seed=0)
    assert oracle.status == "optimal"
    assert oracle.objective <= realised + 1e-6
    assert all(lg.link != "BC-rail" for it in oracle.itineraries for lg in it.legs)


def test_hindsight_beats_a_plan_caught_by_a_border_delay():
    sc = make(links=links(BC_ROAD), shipments=[shipment(due_h=21)])
    events = KnownEvents(node_delays=(NodeDelay("B", 0.0, 24.0, 30.0),))
    plan = solve_plan(sc, time_limit_s=10, seed=0)  # via B, unaware of the queue there
    t = 0.5
    realised = sunk_objective(sc, plan, t) + replan(
        sc, state_at(sc, plan, t), events, time_limit_s=10, seed=0).objective
    oracle = solve_hindsight(sc, events, time_limit_s=10, seed=0)
    assert [lg.link for lg in oracle.itineraries[0].legs] == ["AC"]
    assert oracle.objective < realised


def test_a_delayed_departure_shifts_arrival_and_lateness():
    sc = make(shipments=[shipment(due_h=20)])
    ev = KnownEvents(delays=(DepartureDelay("BC-rail", 10.0, 5.0),))
    plan = solve_plan(sc, time_limit_s=10, events=ev, seed=0)
    (it,) = plan.itineraries
    assert it.legs[1].timetable_h == 10 and it.legs[1].departure_h == 15
    assert it.arrival_h == pytest.approx(25.0) and it.lateness_h == pytest.approx(5.0)


def test_a_slower_link_takes_longer():
    sc = make(links=links()[:2])
    ev = KnownEvents(slowdowns=(LinkSlowdown("AC", 0.0, 10.0, 0.5),))
    (it,) = solve_plan(sc, time_limit_s=10, events=ev, seed=0).itineraries
    assert it.arrival_h == pytest.approx(10.0)


def test_events_and_states_round_trip_and_validate():
    ev = KnownEvents(closures=(LinkClosure("AB", 1, 2),), node_delays=(NodeDelay("B", 0, 5, 3),))
    assert KnownEvents.from_dict(ev.to_dict()) == ev
    st = PlanState(3.0, (Position("S1", "B", 1.0, "AB"),))
    assert PlanState.from_dict(st.to_dict()) == st
    sc = make()
    with pytest.raises(InputError, match="unknown link"):
        solve_plan(sc, time_limit_s=10, seed=0,
                   events=KnownEvents(closures=(LinkClosure("XX", 0, 1),)))
    with pytest.raises(InputError, match="does not end at"):
        replan(sc, PlanState(1.0, (Position("S1", "A", 1.0, "AB"),)), time_limit_s=10, seed=0)


def test_a_delivered_shipment_is_left_out_of_the_replan():
    sc = make(shipments=[shipment("S1"), shipment("S2", release_h=24)])
    st = PlanState(24.0, (Position("S1", delivered=True),))
    new = replan(sc, st, time_limit_s=10, seed=0)
    assert [it.shipment for it in new.itineraries] == ["S2"]
    assert check_plan(sc, new, st).ok


def test_handling_done_earlier_today_counts_against_the_node_capacity():
    sc = make(nodes=[{"id": "A", "kind": "plant", "lon": 109.0, "lat": 24.0},
                     {"id": "B", "kind": "rail_terminal", "lon": 109.5, "lat": 24.0,
                      "handling_time_h": 2, "handling_cost_cny": 100,
                      "capacity_teu_per_day": 3},
                     {"id": "C", "kind": "dealer", "lon": 111.0, "lat": 24.0}])
    free = PlanState(5.0)
    busy = PlanState(5.0, handled_teu=(("B", 0, 2.0),))
    assert [lg.link for lg in replan(sc, free, time_limit_s=10, seed=0).itineraries[0].legs] == ["AB", "BC-rail"]
    new = replan(sc, busy, time_limit_s=10, seed=0)
    assert [lg.link for lg in new.itineraries[0].legs] == ["AC"]
    assert check_plan(sc, new, busy).ok
    rail = replan(sc, free, time_limit_s=10, seed=0)
    assert not check_plan(sc, rail, busy).ok  # the same plan would overfill B today
    assert PlanState.from_dict(busy.to_dict()) == busy


@pytest.mark.parametrize("t", [3.0, 5.0, 17.5, 21.0, 60.0, 100.0, 239.0])
def test_replanning_an_optimal_plan_without_news_keeps_its_cost(t):
    from mmroute.scenarios import load

    sc = load("tiny")
    plan = solve_plan(sc, time_limit_s=20, seed=0)
    st = state_at(sc, plan, t)
    new = replan(sc, st, time_limit_s=20, seed=0)
    assert check_plan(sc, new, st).ok
    assert sunk_objective(sc, plan, t) + new.objective == pytest.approx(plan.objective)


def test_cargo_handed_over_before_the_cutoff_stays_on_its_train(with_bypass):
    sc, plan = with_bypass  # cut-off of the 10 h train is 8 h
    st = state_at(sc, plan, 9.0)
    assert st.positions == (Position("S1", "C", 20.0, "BC-rail"),)


def test_the_previous_plan_is_the_warm_incumbent_while_it_stays_feasible(with_bypass):
    from mmroute.routing.plan.expand import demands_of, expand
    from mmroute.routing.plan.solve import _hint_flows

    sc, plan = with_bypass
    st = state_at(sc, plan, 0.5)
    open_net = expand(sc, demands_of(sc, st), KnownEvents())
    flows = _hint_flows(open_net, plan)
    assert flows is not None  # the previous plan's remaining legs are all still there
    legs = {lg.link for (_, i) in flows for lg in open_net.arcs[i].legs}
    assert legs == {"BC-rail"}
    shut_net = expand(sc, demands_of(sc, st), RAIL_SHUT)
    assert _hint_flows(shut_net, plan) is None  # its train is cancelled: no incumbent from it


def test_bug_cargo_handed_over_for_a_cancelled_departure_stays_at_the_node(with_bypass):
    # The train of 10 h has its cut-off at 8 h. At 9 h it is cancelled: the cargo handed over
    # is still at B, not on board; counting it on board once made re-planning beat hindsight.
    sc, plan = with_bypass
    cancelled = KnownEvents(closures=(LinkClosure("BC-rail", 9.0, 48.0),))
    assert state_at(sc, plan, 9.0).positions[0].node == "C"  # as planned: on the train
    pos = state_at(sc, plan, 9.0, cancelled).positions[0]
    assert pos.node == "B" and not pos.delivered
    again = replan(sc, state_at(sc, plan, 9.0, cancelled), cancelled, time_limit_s=10, seed=0,
                   initial=plan)
    assert [lg.link for lg in again.itineraries[0].legs] == ["BC-road"]
    realised = sunk_objective(sc, plan, 9.0, cancelled) + again.objective
    oracle = solve_hindsight(sc, cancelled, time_limit_s=60, seed=0)
    assert realised >= oracle.objective - 1e-6


def test_a_delayed_departure_after_the_cutoff_delays_the_cargo_on_board(with_bypass):
    sc, plan = with_bypass
    late = KnownEvents(delays=(DepartureDelay("BC-rail", 10.0, 5.0),))
    pos = state_at(sc, plan, 9.0, late).positions[0]
    assert pos.node == "C" and pos.since_h == pytest.approx(25.0)  # 10 h + 5 h late + 10 h
