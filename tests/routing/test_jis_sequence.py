"""JIS sequence changes (mmroute.routing.jis.sequence): cars pulled from or inserted into the
sequence, suppliers' outages (what their notice tells; the day in hindsight from the news), the
re-plans after them, and rolling re-plans on a drawn day."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import yaml

from mmroute.errors import InputError
from mmroute.routing.jis import (
    CarInserted,
    CarPulled,
    JisEvents,
    JisPlan,
    JisProblem,
    SupplierOutage,
    apply_changes,
    check_jis_plan,
    draw_changes,
    execute,
    execute_practice,
    keep_schedule,
    read_jis_events,
    replan_changes,
    solve_jis,
)
from mmroute.routing.jis.hindsight import classify_day, classify_from_news
from mmroute.routing.jis.replan import JisState, split_loaded
from mmroute.routing.jis.sequence import load_after
from mmroute.scenarios import Scenario, bundled_path
from tests.routing.test_jis import _small  # liuzhou-jis cut to 96 cars


@pytest.fixture(scope="module")
def small() -> JisProblem:
    return JisProblem.from_scenario(_small())


@pytest.fixture(scope="module")
def small_plan(small) -> JisPlan:
    return solve_jis(small, time_limit_s=20, seed=0)


def _calm(sc: Scenario, **events):
    from mmroute.world import Realization
    from mmroute.world.events import KnownEvents

    return Realization(scenario_name=sc.name, scenario_hash=sc.content_hash(), seed=0, events=KnownEvents(**events),
                       quantities_teu=(), late_orders=())


def test_events_read_back_and_a_bad_field_is_named_with_the_file(tmp_path, small):
    ev = JisEvents(pulled=(CarPulled(car=40, at_h=5.0),), inserted=(CarInserted(after=30, variant="SUV-LUX", at_h=6.5),),
                   outages=(SupplierOutage(supplier="SEAT", from_h=7.0, to_h=7.5),))
    assert JisEvents.from_dict(json.loads(json.dumps(ev.to_dict()))) == ev
    bad = tmp_path / "events.yaml"
    bad.write_text(yaml.safe_dump({"pulled": [{"car": "forty", "at_h": 5}]}))
    with pytest.raises(InputError) as err:
        read_jis_events(bad, small)
    assert err.value.field == "jis_events.pulled[0].car" and "events.yaml" in str(err.value)
    bad.write_text(yaml.safe_dump({"inserted": [{"after": 3, "variant": "TRUCK", "at_h": 5}]}))
    with pytest.raises(InputError) as err:
        read_jis_events(bad, small)
    assert err.value.field == "jis_events.inserted[0].variant"
    with pytest.raises(InputError, match="entered the line") as err:  # car 5 is on the line at 08:10
        apply_changes(small, JisEvents(pulled=(CarPulled(car=5, at_h=8.2),)))
    assert err.value.field == "jis_events.pulled[0]"


def test_a_pulled_car_closes_the_line_up_and_its_part_goes_back_to_stock(small):
    # car 40 (line at 08:40, called off at 04:40) is pulled at 05:00: racks of cars up to 60 have started
    q = apply_changes(small, JisEvents(pulled=(CarPulled(car=40, at_h=5.0),)))
    assert q.n_cars == 95 and q.jis.sequence == small.jis.sequence[:40] + small.jis.sequence[41:]
    assert q.car_start_s == small.car_start_s[:95]  # the cars behind move up one takt
    seat = q.racks("SEAT")
    assert (seat[6].first, seat[6].last, seat[6].n_parts) == (36, 40, 5)  # its slot stays empty
    assert q.meta["parts_to_stock"] == {"SEAT": 1, "COCKPIT": 1, "FEM": 1, "WHEEL": 1}
    assert all(rk.n_parts == 6 for rk in seat[7:-1]) and sum(rk.n_parts for rk in seat) == 95
    back = JisProblem.from_dict(json.loads(json.dumps(q.to_dict())))  # the changed day reads back
    assert all(back.racks(s.id) == q.racks(s.id) for s in q.suppliers)


def test_an_inserted_car_among_started_racks_rides_in_a_rush_rack_and_a_re_plan_avoids_its_line_stops(
        small, small_plan):
    # at 06:30 a car is inserted after car 30 (08:31): every rack has started, the cars behind move back
    ev = JisEvents(inserted=(CarInserted(after=30, variant="SUV-LUX", at_h=6.5),))
    q = apply_changes(small, ev)
    assert q.n_cars == 97 and q.jis.sequence[31] == "SUV-LUX" and q.car_start_s[32] == small.car_start_s[32]
    for s in q.suppliers:
        rush = q.racks(s.id)[-1]
        assert rush.rush and rush.first == rush.last == 31 and rush.ready_s == int(6.5 * 3600 + s.sequencing_lead_h * 3600)
    plan = replan_changes(small, small_plan, ev, time_limit_s=5, seed=0)
    assert plan.info["line_stops_kept"] >= 3  # kept: the rush rack rides on the last truck of the day
    assert plan.info["line_stops"] == 0 and plan.info["line_stops_avoided"] == plan.info["line_stops_kept"]
    assert plan.info["unavoidable_line_stops"] == 0
    rep = check_jis_plan(q, plan)  # the checker knows the changed sequence (a rush rack out of order)
    assert rep.feasible, rep.reason
    assert all(t.load_s >= 6.5 * 3600 for t in plan.trips if any(q.racks(t.supplier)[r].rush for r in t.racks))


def test_a_car_inserted_at_too_short_notice_is_an_unavoidable_line_stop(small, small_plan):
    # reported at 08:20, 11 minutes before it enters the line: the cockpit module cannot be built in time
    ev = JisEvents(inserted=(CarInserted(after=30, variant="SEDAN-STD", at_h=8 + 1 / 3),))
    plan = replan_changes(small, small_plan, ev, time_limit_s=5, seed=0)
    i = plan.info
    assert i["unavoidable_line_stops"] >= 1 and i["line_stops"] >= i["unavoidable_line_stops"]
    assert i["line_stops"] <= i["line_stops_kept"]
    assert plan.status == "infeasible"  # a plan with a line stop is never called feasible


def test_the_kept_schedule_waits_for_racks_not_ready_and_keeps_them_in_sequence(small, small_plan):
    ev = JisEvents(inserted=(CarInserted(after=60, variant="SUV-STD", at_h=7.0),))
    q = apply_changes(small, ev)
    kept = keep_schedule(q, small_plan)
    assert sorted(r for t in kept if t.supplier == "WHEEL" for r in t.racks) == list(range(len(q.racks("WHEEL"))))
    assert all(t.load_s >= q.racks(t.supplier)[t.racks[-1]].ready_s for t in kept)


def test_a_rolling_re_plan_sends_the_rush_racks_and_is_reproducible(small, small_plan):
    sc = _small()
    ev = JisEvents(inserted=(CarInserted(after=30, variant="SUV-LUX", at_h=6.5),))
    day = _calm(sc)
    static = execute(small, small_plan, sc, day, policy="static", jis_events=ev)
    rolling = execute(small, small_plan, sc, day, policy="replan", jis_events=ev, time_limit_s=2, seed=0)
    assert static.line_stops >= 3 and rolling.line_stops == 0 and rolling.replans == 1
    assert execute(small, small_plan, sc, day, policy="replan", jis_events=ev, time_limit_s=2, seed=0).trips == rolling.trips
    practice = execute_practice(small, sc, day, jis_events=ev)  # practice runs on the changed sequence too
    assert sum(len(t.racks) for t in practice.trips) == sum(len(apply_changes(small, ev).racks(s.id)) for s in small.suppliers)


def test_no_truck_loads_at_a_supplier_during_its_outage(small, small_plan):
    sc = _small()
    ev = JisEvents(outages=(SupplierOutage(supplier="WHEEL", from_h=7.0, to_h=7.75),))
    run = execute(small, small_plan, sc, _calm(sc), policy="static", jis_events=ev)
    assert not any(7 * 3600 <= t.load_s < 7.75 * 3600 for t in run.trips if t.supplier == "WHEEL")
    assert any(t.load_s == 7.75 * 3600 for t in run.trips if t.supplier == "WHEEL")  # it waited


def test_drawn_changes_are_reproducible_and_reported_before_the_cars_enter_the_line(small):
    a, b = draw_changes(small, 3, pulled=3, inserted=2), draw_changes(small, 3, pulled=3, inserted=2)
    assert a == b and a.pulled
    for e in a.pulled:
        assert e.at_h * 3600 < small.car_start_s[e.car]
    q = apply_changes(small, a)
    assert q.n_cars == small.n_cars - len(a.pulled) + len(a.inserted)
    assert replace(a, outages=()).news_h() == tuple(sorted({e.at_h for e in (*a.pulled, *a.inserted)}))


def test_cli_replans_through_an_events_file_and_checks_on_the_changed_day(tmp_path, capsys):
    from mmroute.cli import main

    d = yaml.safe_load(bundled_path("liuzhou-jis").read_text())
    d["jis"]["sequence"] = {"cars": 96, "seed": 7}
    sc = tmp_path / "small.yaml"
    sc.write_text(yaml.safe_dump(d))
    plan, out = tmp_path / "plan.json", tmp_path / "re.json"
    ev = tmp_path / "events.yaml"
    ev.write_text(yaml.safe_dump({"inserted": [{"after": 30, "variant": "SUV-LUX", "at_h": 6.5}]}))
    assert main(["jis", "solve", str(sc), "--time-limit", "10", "--out", str(plan)]) == 0
    assert main(["jis", "replan", str(sc), str(plan), str(ev), "--time-limit", "5", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "line stops: 0 re-planned" in text and "avoided" in text
    assert main(["jis", "check", str(sc), str(out), "--events", str(ev)]) == 0
    assert main(["jis", "check", str(sc), str(out)]) == 1  # on the published day the racks do not match
    ev.write_text(yaml.safe_dump({"pulled": [{"car": 500, "at_h": 5}]}))
    assert main(["jis", "replan", str(sc), str(plan), str(ev)]) == 2
    err = capsys.readouterr().err
    assert "events.yaml" in err and "jis_events.pulled[0].car" in err and len(err.strip().splitlines()) == 1


def test_an_outage_is_the_same_window_of_whole_seconds_for_every_reader():
    # 09:02:09.6-09:59:50.3: loading may start at 32529 s (before it), not at 32530 .. 35990 s;
    # the day in hindsight rounded the start down (32529), one second the re-plans never had
    outage = SupplierOutage(supplier="WHEEL", from_h=9.036, to_h=9.9973)
    assert outage.window_s == (32530, 35991)
    ev = JisEvents(outages=(outage,))
    assert ev.blocked_s() == {"WHEEL": ((32530, 35991),)}
    blocked = ev.blocked_s()["WHEEL"]
    assert [load_after(blocked, t) for t in (32529, 32530, 35990, 35991)] == [32529, 35991, 35991, 35991]
    assert ev.resume_s(32529) == {} and ev.resume_s(32530) == {"WHEEL": 35991} and ev.resume_s(35991) == {}


# --- what an outage notice tells the plant, and the day in hindsight from the news ----------
# the day's first news: car 90 pulled, reported at 05:00; no wheel rack loads 07:00-08:45 (the
# first wheel rack is needed at 09:00)
PULLED = (CarPulled(car=90, at_h=5.0),)


def _outage(at_h: float | None) -> JisEvents:
    return JisEvents(pulled=PULLED, outages=(SupplierOutage(supplier="WHEEL", from_h=7.0, to_h=8.75, at_h=at_h),))


def test_an_outage_is_known_from_its_report_with_its_whole_window(tmp_path):
    breakdown, announced = _outage(None), _outage(5.5)
    assert breakdown.outages[0].reported_h == 7.0 and announced.outages[0].reported_h == 5.5
    assert not breakdown.known_at(6.0).outages and announced.known_at(6.0).outages == announced.outages
    assert announced.known_at(6.0).blocked_s() == {"WHEEL": ((25200, 31500),)}
    assert breakdown.news_h() == (5.0, 7.0) and announced.news_h() == (5.0, 5.5)
    for ev in (breakdown, announced):
        assert JisEvents.from_dict(json.loads(json.dumps(ev.to_dict()))) == ev
    assert "at_h" not in breakdown.to_dict()["outages"][0]
    bad = {"outages": [{"supplier": "WHEEL", "from_h": 7.0, "to_h": 8.0, "at_h": 7.5}]}
    with pytest.raises(InputError) as err:
        JisEvents.from_dict(bad, file="events.yaml")
    assert err.value.field == "jis_events.outages[0].at_h" and "events.yaml" in str(err.value)


def test_a_window_reported_at_its_start_is_not_charged_to_the_re_plan(small, small_plan):
    sc = _small()
    day, ev = _calm(sc), _outage(None)
    rolling = execute(small, small_plan, sc, day, policy="replan", jis_events=ev, time_limit_s=2, seed=0)
    assert rolling.line_stops > 0
    # a clairvoyant re-plan from the first news (05:00) knows the window two hours before its
    # report: it ships the wheel racks before 07:00 (unfair to a policy that learns of it at 07:00)
    stay, _ = split_loaded(apply_changes(small, ev), rolling.trips, 5 * 3600)
    first = classify_day(small, sc, day, ev, time_limit_s=5, seed=0, state=JisState(time_s=5 * 3600, trips=stay))
    assert first.stop_free is True
    # from the news: from the report at 07:00 nothing can, and without the outage a plan could
    reveal_h, cls = classify_from_news(small, sc, day, ev, rolling.trips, time_limit_s=5, seed=0)
    assert reveal_h == 7.0 and cls.stop_free is False and cls.proof.startswith("from the report at 07:00")


def test_a_window_announced_ahead_is_bridged_by_the_rolling_re_plan(small, small_plan):
    sc = _small()
    day, ev = _calm(sc), _outage(5.0)  # announced with the first news, two hours ahead
    rolling = execute(small, small_plan, sc, day, policy="replan", jis_events=ev, time_limit_s=2, seed=0)
    assert rolling.line_stops == 0
    assert not any(7 * 3600 <= t.load_s < 8.75 * 3600 for t in rolling.trips if t.supplier == "WHEEL")
    assert any(t.load_s < 7 * 3600 < t.arrive_s for t in rolling.trips if t.supplier == "WHEEL")  # shipped ahead
    # a rolling re-plan that is clean needs no classification; the news still classify it
    reveal_h, cls = classify_from_news(small, sc, day, ev, rolling.trips, time_limit_s=5, seed=0)
    assert reveal_h == 5.0 and cls.stop_free is True
