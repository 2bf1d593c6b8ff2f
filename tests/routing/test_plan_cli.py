"""``mmroute plan``: writes a checked plan JSON (and the Pareto front), user errors exit 2."""

from __future__ import annotations

import json

from mmroute.cli import main
from mmroute.scenarios import load
from mmroute.world.check import check_plan
from mmroute.world.plan import Plan


def test_plan_writes_a_checked_plan_json(tmp_path, capsys):
    out = tmp_path / "plan.json"
    assert main(["plan", "tiny", "--time-limit", "20", "--out", str(out), "--seed", "3"]) == 0
    data = json.loads(out.read_text())
    for key in ("objective", "bound", "status", "time_s", "solver", "seed", "itineraries"):
        assert key in data
    assert data["status"] == "optimal" and data["seed"] == 3
    assert check_plan(load("tiny"), Plan.from_dict(data)).ok
    assert "optimal" in capsys.readouterr().out
    # tiny starts at 2026-03-02T00:00:00+08:00: every instant has its timestamp beside it
    clock = load("tiny").clock()
    assert data["start"] == "2026-03-02T00:00:00+08:00"
    legs = [lg for it in data["itineraries"] for lg in it["legs"]]
    assert legs
    for lg in legs:
        for key in ("departure", "arrival"):
            assert lg[f"{key}_iso"] == clock.iso(lg[f"{key}_h"])
            assert abs(clock.hours(lg[f"{key}_iso"]) - lg[f"{key}_h"]) <= 0.5 / 3600


def test_plan_pareto_writes_the_front_beside_the_plan(tmp_path):
    out = tmp_path / "p.json"
    assert main(["plan", "tiny", "--time-limit", "20", "--out", str(out), "--pareto",
                 "--pareto-points", "3"]) == 0
    rows = (tmp_path / "p.pareto.csv").read_text().splitlines()
    assert rows[0] == ("co2_kg,cost_cny,transport_cny,co2_cap_kg,status,gap,time_s,"
                       "proven,dropped_teu,end,point") and len(rows) >= 2
    assert (tmp_path / "p.pareto.png").read_bytes()[:4] == b"\x89PNG"


def test_plan_pareto_writes_each_points_plan_and_it_checks(tmp_path):
    import csv

    out = tmp_path / "p.json"
    assert main(["plan", "tiny", "--time-limit", "20", "--out", str(out), "--pareto",
                 "--pareto-points", "4"]) == 0
    with (tmp_path / "p.pareto.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    files = sorted((tmp_path / "p.pareto").iterdir())
    assert [f.name for f in files] == [f"{k:02d}.json" for k in range(1, len(rows) + 1)]
    delivered = {it.shipment for it in Plan.from_dict(json.loads(out.read_text())).itineraries
                 if not it.dropped}
    for row, f in zip(rows, files):
        plan = Plan.from_dict(json.loads(f.read_text()))
        assert check_plan(load("tiny"), plan).ok
        assert abs(plan.co2_kg - float(row["co2_kg"])) < 1e-6 * plan.co2_kg
        assert {it.shipment for it in plan.itineraries if not it.dropped} == delivered
        assert float(row["dropped_teu"]) == 0.0 and row["proven"] in ("yes", "no")
    assert rows[0]["end"] == "co2" and rows[-1]["end"] == "cost"


def test_a_pareto_folder_that_is_a_file_is_refused_before_the_solve(tmp_path, capsys):
    out = tmp_path / "p.json"
    (tmp_path / "p.pareto").write_text("in the way")
    assert main(["plan", "tiny", "--out", str(out), "--pareto"]) == 2
    assert "--pareto" in capsys.readouterr().err
    assert sorted(f.name for f in tmp_path.iterdir()) == ["p.pareto"]


def test_a_missing_scenario_is_a_one_line_error_with_exit_2(tmp_path, capsys):
    out = tmp_path / "plan.json"
    assert main(["plan", str(tmp_path / "nope.yaml"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mmroute: error:") and err.count("\n") == 1
    assert not out.exists()


def test_plan_with_known_events_avoids_a_closed_link(tmp_path):
    from mmroute.world.events import KnownEvents, LinkClosure

    events = tmp_path / "events.json"
    closed = KnownEvents(closures=(LinkClosure("LZ-QZ-rail", 0.0, 240.0),))
    events.write_text(json.dumps(closed.to_dict()))
    out = tmp_path / "plan.json"
    assert main(["plan", "tiny", "--out", str(out), "--events", str(events)]) == 0
    plan = Plan.from_dict(json.loads(out.read_text()))
    assert plan.events == closed
    assert all(lg.link != "LZ-QZ-rail" for it in plan.itineraries for lg in it.legs)
    assert check_plan(load("tiny"), plan).ok


def test_bug_a_weather_cell_could_not_be_given_as_an_event(tmp_path):
    """The events file's shape check read every field but link and node as a number, so a
    weather cell (its id, area, track, modes) was refused: the cell closing the Gulf of Tonkin
    for the whole horizon now keeps the plan off the Qinzhou-Haiphong sailing."""
    from mmroute.world.events import KnownEvents, WeatherEvent

    cell = WeatherEvent(cell="gulf", from_h=0.0, to_h=240.0,
                        area=((107.0, 20.0), (109.0, 20.0), (109.0, 21.5), (107.0, 21.5)),
                        velocity_kmh=(0.0, 0.0), effect="close", modes=("sea",))
    events = tmp_path / "events.json"
    events.write_text(json.dumps(KnownEvents(weather=(cell,)).to_dict()))
    out = tmp_path / "plan.json"
    assert main(["plan", "tiny", "--out", str(out), "--events", str(events)]) == 0
    plan = Plan.from_dict(json.loads(out.read_text()))
    assert plan.events.weather == (cell,)
    assert all(lg.link != "QZ-HPH-sea" for it in plan.itineraries for lg in it.legs)
    assert check_plan(load("tiny"), plan).ok


def test_bad_events_are_a_one_line_error(tmp_path, capsys):
    events = tmp_path / "events.json"
    events.write_text('{"closures": [{"link": "nope", "from_h": 0, "to_h": 1}]}')
    assert main(["plan", "tiny", "--out", str(tmp_path / "p.json"), "--events",
                 str(events)]) == 2
    assert "unknown link 'nope'" in capsys.readouterr().err


def test_plan_map_legend_gives_door_to_door_time_from_the_plan(tmp_path):
    """Door to door = arrival - release, which includes waiting for departures: it is at least
    the route's nominal time (the old legend showed the nominal time as if it were the trip)."""
    from mmroute.routing.plan import solve_plan
    from mmroute.scenarios.mapplot import _labelled_routes, _route_text

    scenario = load("tiny")
    plan = solve_plan(scenario, time_limit_s=20, seed=0)
    routes = plan.map_routes(scenario.shipments)
    release = {s.id: s.release_h for s in scenario.shipments}
    for it in plan.itineraries:
        if it.legs:
            r = routes[it.shipment]
            assert r.door_to_door_h == it.arrival_h - release[it.shipment]
            assert r.links == tuple(lg.link for lg in it.legs) and r.teu == it.teu
            nominal = scenario.network().route(r.links).time_h
            assert r.door_to_door_h >= nominal - 1e-6
    for drawn in _labelled_routes(scenario, routes):
        text = _route_text(drawn)
        assert "door to door" in text and "CNY/TEU" in text and "kg CO2/TEU" in text
    assert main(["plan", "tiny", "--time-limit", "20", "--out", str(tmp_path / "p.json"),
                 "--map"]) == 0
    assert (tmp_path / "p.map.png").read_bytes()[:4] == b"\x89PNG"
