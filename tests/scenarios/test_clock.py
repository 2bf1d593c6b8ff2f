"""Scenario ``start`` with a UTC offset (and an IANA zone): hours <-> ISO 8601 timestamps."""

from __future__ import annotations

import pytest

from mmroute.errors import ScenarioError
from mmroute.scenarios import parse
from mmroute.scenarios.clock import parse_start, with_timestamps, without_timestamps
from mmroute.world.plan import Leg, Plan


def test_hours_and_timestamps_round_trip_across_a_utc_offset():
    clock = parse_start("2026-03-02T08:00:00+08:00")
    assert clock.iso(0) == "2026-03-02T08:00:00+08:00"
    assert clock.iso(17.5) == "2026-03-03T01:30:00+08:00"
    # the same instant written in UTC or another offset reads back to the same hour
    assert clock.hours("2026-03-02T17:30:00Z") == 17.5
    assert clock.hours("2026-03-02T18:30:00+01:00") == 17.5
    for h in (0.0, 1 / 3, 23.999, 100.25, 8760.0):
        text = clock.iso(h)
        assert abs(clock.hours(text) - h) <= 0.5 / 3600  # to the second
        assert clock.iso(clock.hours(text)) == text


def test_hours_and_timestamps_round_trip_across_a_dst_change():
    # Berlin switches from CET (+01:00) to CEST (+02:00) at 02:00 on 29 March 2026
    clock = parse_start("2026-03-28T12:00:00+01:00[Europe/Berlin]")
    assert clock.iso(0) == "2026-03-28T12:00:00+01:00"
    assert clock.iso(13.999) .endswith("+01:00")  # 01:59:56 CET
    assert clock.iso(14) == "2026-03-29T03:00:00+02:00"  # 02:00 CET never happened
    assert clock.iso(24) == "2026-03-29T13:00:00+02:00"  # 24 h elapsed, wall clock +25 h
    assert clock.hours("2026-03-29T13:00:00+02:00") == 24
    for h in [x * 0.25 for x in range(0, 24 * 4 * 3)]:
        text = clock.iso(h)
        assert clock.hours(text) == pytest.approx(h, abs=0.5 / 3600)
    # and back in October (+02:00 -> +01:00): the 02:00-03:00 hour is lived twice
    autumn = parse_start("2026-10-24T12:00:00+02:00[Europe/Berlin]")
    assert autumn.iso(14) == "2026-10-25T02:00:00+02:00"
    assert autumn.iso(15) == "2026-10-25T02:00:00+01:00"
    assert autumn.hours("2026-10-25T02:00:00+01:00") == 15


def test_a_start_without_offset_gives_local_timestamps_without_one():
    clock = parse_start("2026-03-02T00:00")
    assert clock.iso(25) == "2026-03-03T01:00:00"
    assert clock.hours("2026-03-03T01:00") == 25
    with pytest.raises(ValueError, match="without a UTC offset"):
        clock.hours("2026-03-03T01:00:00+08:00")


@pytest.mark.parametrize(("start", "message"), [
    ("2026-13-02T00:00", "not an ISO 8601 date-time"),
    ("tomorrow", "not an ISO 8601 date-time"),
    ("2026-03-28T12:00:00+02:00[Europe/Berlin]", "not the offset of Europe/Berlin"),
    ("2026-03-28T12:00:00[Europe/Berlin]", "needs the UTC offset before the zone"),
    ("2026-03-28T12:00:00+01:00[Europe/Atlantis]", "unknown time zone"),
])
def test_a_bad_start_names_the_file_and_the_field(base_data, start, message):
    base_data["start"] = start
    with pytest.raises(ScenarioError, match=message) as err:
        parse(base_data, file="mine.yaml")
    assert str(err.value).startswith("mine.yaml: start: ")


def test_a_start_with_an_offset_or_a_zone_loads_and_keeps_the_seasons(base_data):
    base_data["start"] = "2026-08-03T00:00:00+08:00[Asia/Shanghai]"
    sc = parse(base_data)
    assert sc.clock().iso(24) == "2026-08-04T00:00:00+08:00"
    assert sc.clock().at(0).month == 8


def test_timestamps_are_added_beside_instants_only_and_removed_for_readers():
    clock = parse_start("2026-03-02T08:00:00+08:00")
    leg = Leg(link="L", mode="road", from_node="A", to_node="B", departure_h=1.0,
              arrival_h=3.5, cost_cny=1.0, co2_kg=1.0)
    data = with_timestamps({"legs": [leg.to_dict()], "lateness_h": 2.0, "time_h": 3.0}, clock)
    assert data["legs"][0]["departure_iso"] == "2026-03-02T09:00:00+08:00"
    assert data["legs"][0]["arrival_iso"] == "2026-03-02T11:30:00+08:00"
    assert data["legs"][0]["timetable_iso"] is None  # no timetable time on road
    assert "lateness_iso" not in data and "time_iso" not in data  # durations, not instants
    assert list(data["legs"][0]).index("departure_iso") == list(data["legs"][0]).index(
        "departure_h") + 1
    assert without_timestamps(data) == {"legs": [leg.to_dict()], "lateness_h": 2.0,
                                        "time_h": 3.0}
    plan = Plan(scenario="s", objective=1.0, bound=1.0, status="optimal", time_s=0.1,
                solver="highs", seed=0, itineraries=(), co2_price_cny_per_t=0.0)
    stamped = plan.to_dict(clock)
    assert stamped["start"] == "2026-03-02T08:00:00+08:00"
    assert stamped["from_iso"] == "2026-03-02T08:00:00+08:00"
    assert Plan.from_dict(stamped) == Plan.from_dict(plan.to_dict()) == plan


def test_locodes_are_checked_and_normalised(base_data):
    base_data["nodes"][1]["locode"] = "cn qzh"
    base_data["nodes"][2]["locode"] = "VNHPH"
    sc = parse(base_data)
    assert [n.locode for n in sc.nodes] == [None, "CNQZH", "VNHPH"]
    assert sc.to_dict()["nodes"][1]["locode"] == "CNQZH"
    for bad in ("CN-QZH", "CNQZ", "C1QZH", "CNQ1H", 12345):
        base_data["nodes"][1]["locode"] = bad
        with pytest.raises(ScenarioError) as err:
            parse(base_data, file="mine.yaml")
        assert str(err.value).startswith("mine.yaml: nodes[B].locode: ")


def test_locodes_on_the_bundled_ports_leave_their_hash_and_shipped_models_alone(base_data):
    plain = parse(base_data)
    base_data["nodes"][1]["locode"] = "CNQZH"
    coded = parse(base_data)
    assert coded != plain and coded.content_hash() == plain.content_hash()


def test_bug_a_start_naming_a_zone_broke_the_time_of_day_of_road_traffic(base_data):
    from mmroute.world.conditions import Conditions
    from mmroute.world.tables import Tables

    base_data["start"] = "2026-03-02T08:30:00-06:00[America/Mexico_City]"
    sc = parse(base_data)
    assert Tables(sc).static[3] == 8.5  # hour 0 at 08:30 local
    Conditions(sc)  # raised ValueError from datetime.fromisoformat


def test_a_start_given_as_a_datetime_in_a_zone_counts_elapsed_hours():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    clock = parse_start(datetime(2026, 3, 28, 12, tzinfo=ZoneInfo("Europe/Berlin")))
    assert clock.iso(24) == "2026-03-29T13:00:00+02:00"
    assert parse_start(clock.to_text()).iso(24) == clock.iso(24)
