"""What a supplier's outage notice tells the plant (its window, from its report) and the day in
hindsight from the news (a window is never known before its report), on the 96-car cut of
liuzhou-jis with calm roads."""

from __future__ import annotations

import json

import pytest

from mmroute.errors import InputError
from mmroute.routing.jis import (
    CarPulled,
    JisEvents,
    JisPlan,
    JisProblem,
    SupplierOutage,
    execute,
    solve_jis,
)
from mmroute.routing.jis.hindsight import classify_day, classify_from_news
from mmroute.routing.jis.replan import JisState, split_loaded
from mmroute.routing.jis.sequence import apply_changes
from tests.routing.test_jis import _small
from tests.routing.test_jis_sequence import _calm

# the day's first news: car 90 pulled, reported at 05:00; no wheel rack loads 07:00-08:45 (the
# first wheel rack is needed at 09:00)
PULLED = (CarPulled(car=90, at_h=5.0),)


def _outage(at_h: float | None) -> JisEvents:
    return JisEvents(pulled=PULLED, outages=(SupplierOutage(supplier="WHEEL", from_h=7.0, to_h=8.75, at_h=at_h),))


@pytest.fixture(scope="module")
def small() -> JisProblem:
    return JisProblem.from_scenario(_small())


@pytest.fixture(scope="module")
def small_plan(small) -> JisPlan:
    return solve_jis(small, time_limit_s=20, seed=0)


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
