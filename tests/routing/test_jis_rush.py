"""Rush racks riding beside other racks, and the day in hindsight (which line stops any plan
could have avoided), on the 96-car cut of liuzhou-jis."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mmroute.routing.jis import (
    CarInserted,
    JisEvents,
    JisProblem,
    JisState,
    SupplierOutage,
    apply_changes,
    check_jis_plan,
    replan_jis,
)
from mmroute.routing.jis.exact import SupplierStart, solve_station
from mmroute.routing.jis.hindsight import classify_day
from mmroute.routing.jis.replan import unavoidable_stops
from tests.routing.test_jis import _small
from tests.routing.test_jis_sequence import _calm

# a car inserted after car 40, reported at 07:00: every wheel rack up to it has started
INSERTED = JisEvents(inserted=(CarInserted(after=40, variant="SUV-LUX", at_h=7.0),))


@pytest.fixture(scope="module")
def small() -> JisProblem:
    return JisProblem.from_scenario(_small())


@pytest.fixture(scope="module")
def changed(small) -> JisProblem:
    return apply_changes(small, INSERTED)


def test_a_rush_rack_riding_beside_the_racks_of_its_neighbours_keeps_the_line_running(changed):
    rush = [rk.index for rk in changed.racks("WHEEL") if rk.rush]
    assert len(rush) == 1
    start = {"WHEEL": SupplierStart(earliest_load_s=7 * 3600)}
    # on a trip of its own (the model before), no plan without a line stop exists: proven
    alone = solve_station(changed, ("WHEEL",), time_limit_s=5, seed=0, start=start, deterministic=True,
                          rush_alone=True)
    assert alone.status == "INFEASIBLE"
    plan = replan_jis(changed, JisState(time_s=7 * 3600), time_limit_s=5, seed=0)
    rep = check_jis_plan(changed, plan)
    # the one stop left is the cockpit module, which cannot be built in time (2 h lead)
    assert rep.details["line_stops"] == unavoidable_stops(changed) == 1
    assert all(v.where.startswith("COCKPIT rack") for v in rep.violations), rep.reason
    ride = [t for t in plan.trips if t.supplier == "WHEEL" and rush[0] in t.racks]
    assert len(ride) == 1 and len(ride[0].racks) > 1  # it rides with regular racks
    assert ride[0].racks != tuple(range(ride[0].racks[0], ride[0].racks[0] + len(ride[0].racks)))  # not their numbers


def test_the_checker_lets_a_rush_rack_ride_anywhere_but_keeps_regular_racks_consecutive_and_counts_it(changed):
    plan = replan_jis(changed, JisState(time_s=7 * 3600), time_limit_s=5, seed=0)
    racks = changed.racks("WHEEL")
    rush = next(rk.index for rk in racks if rk.rush)
    ride = next(t for t in plan.trips if t.supplier == "WHEEL" and rush in t.racks)
    k = plan.trips.index(ride)
    plain = [r for r in ride.racks if r != rush]
    # a regular rack skipped inside the trip: not consecutive
    gap = tuple(sorted([*plain[:1], plain[-1] + 2, rush]))
    bad = check_jis_plan(changed, replace(plan, trips=plan.trips[:k] + (replace(ride, racks=gap),) + plan.trips[k + 1:]))
    assert any("not consecutive" in v.why for v in bad.violations)
    # the rush rack counts on the truck: one more regular rack would overload it
    s = changed.supplier("WHEEL")
    if len(ride.racks) == s.racks_per_truck:
        over = next(t for t in plan.trips if t.supplier == "WHEEL" and t.racks[0] == max(plain) + 1)
        j = plan.trips.index(over)
        more = replace(ride, racks=tuple(sorted([*ride.racks, over.racks[0]])))
        rest = replace(over, racks=over.racks[1:]) if len(over.racks) > 1 else None
        trips = list(plan.trips)
        trips[k] = more
        trips[j] = rest
        bad = check_jis_plan(changed, replace(plan, trips=tuple(t for t in trips if t is not None)))
        assert any("racks on a truck for" in v.why for v in bad.violations)


def test_hindsight_calls_a_day_avoidable_only_with_a_plan_driven_on_the_realised_roads(small):
    sc = _small()
    ev = JisEvents(inserted=(CarInserted(after=30, variant="SUV-LUX", at_h=6.5),))
    day = classify_day(small, sc, _calm(sc), ev, time_limit_s=5, seed=0)
    assert day.stop_free is True and day.label == "avoidable"
    assert set(day.stations) == {s.station for s in small.suppliers}


def test_hindsight_proves_a_stop_for_a_part_called_off_too_late(small):
    sc = _small()
    # reported at 08:20, 11 minutes before the car enters the line: the cockpit module cannot be built
    ev = JisEvents(inserted=(CarInserted(after=30, variant="SEDAN-STD", at_h=8 + 1 / 3),))
    day = classify_day(small, sc, _calm(sc), ev, time_limit_s=5, seed=0)
    assert day.stop_free is False and day.rack_stops >= 1


def test_hindsight_proves_a_stop_when_an_outage_outlasts_the_buffer_and_the_lead(small):
    sc = _small()
    # no wheel rack loads from 05:00 to 09:00: the first wheels (ready 05:11) miss 09:00
    ev = JisEvents(outages=(SupplierOutage(supplier="WHEEL", from_h=5.0, to_h=9.0),))
    day = classify_day(small, sc, _calm(sc), ev, time_limit_s=5, seed=0)
    assert day.stop_free is False
    # one from 06:30 is bridged by a clairvoyant plan (racks shipped before it)
    short = JisEvents(outages=(SupplierOutage(supplier="WHEEL", from_h=6.5, to_h=9.0),))
    assert classify_day(small, sc, _calm(sc), short, time_limit_s=5, seed=0).stop_free is True


def test_a_stop_avoidable_from_hour_0_can_be_unavoidable_from_the_reveal_time(small):
    sc = _small()
    # no wheel rack loads from 07:00 to 08:45; the first wheel is needed at 09:00
    ev = JisEvents(outages=(SupplierOutage(supplier="WHEEL", from_h=7.0, to_h=8.75),))
    # a clairvoyant plan from hour 0 ships the racks before 07:00 (they wait at the gate for room)
    assert classify_day(small, sc, _calm(sc), ev, time_limit_s=5, seed=0).stop_free is True
    # from the outage's start with nothing shipped yet, no plan can: proven
    late = classify_day(small, sc, _calm(sc), ev, time_limit_s=5, seed=0, state=JisState(time_s=7 * 3600))
    assert late.stop_free is False


def test_a_rush_rack_with_no_regular_rack_left_to_ride_beside_travels_on_its_own(changed):
    """Only the rush rack left to ship (every regular wheel rack gone): the model must send it
    on a trip of its own (it once left it neither riding nor travelling: a StopIteration)."""
    rush = [rk.index for rk in changed.racks("WHEEL") if rk.rush]
    start = {"WHEEL": SupplierStart(earliest_load_s=7 * 3600, left=tuple(rush))}
    res = solve_station(changed, ("WHEEL",), time_limit_s=5, seed=0, start=start, deterministic=True,
                        late_cny_per_min=10.0)
    assert res.trips is not None
    assert [t.racks for t in res.trips] == [tuple(rush)]


def test_bug_a_rush_rack_that_misses_its_car_anyway_holds_no_trip_back(changed):
    """The earliest dispatch took the racks in the order of their cars and loaded each trip when
    its first rack was ready: a rush rack lost whatever is done (the cockpit module of the car
    inserted at 07:00, ready at 09:00, needed at 09:21) held the racks behind it back to 09:00
    (on drawn day 16 a wheel rack behind such a rush rack reached the line 38 s late)."""
    from mmroute.routing.jis.replan import forward_trips, state_starts

    starts, standing = state_starts(changed, JisState(time_s=7 * 3600))
    racks = changed.racks("COCKPIT")
    (lost,) = [rk for rk in racks if rk.rush]
    trips = forward_trips(changed, ("COCKPIT",), starts, standing.get("ST-COCKPIT", []))
    assert sorted(r for t in trips for r in t.racks) == list(range(len(racks)))
    assert all(t.load_s < lost.ready_s for t in trips if any(not racks[r].rush for r in t.racks))
    (ride,) = [t for t in trips if lost.index in t.racks]
    assert ride.load_s >= lost.ready_s and ride.arrive_s > lost.need_s  # still a stop, as it must be
