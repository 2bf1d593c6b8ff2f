"""A fleet's VRP solution JSON says when each route runs: hours from the scenario start
with ISO 8601 timestamps, within the customers' windows; other instances carry no times."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from mmroute.cli import main
from mmroute.routing.vrp.readers import read_instance
from mmroute.routing.vrp.scenario import solution_times
from mmroute.routing.vrp.solution import VRPRoute, VRPSolution


def test_a_fleet_solution_json_times_each_visit_within_its_window(tmp_path, capsys):
    out = tmp_path / "sol.json"
    assert main(["vrp", "solve", "liuzhou-milkrun", "--time-limit", "2", "--seed", "0",
                 "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    problem = read_instance("liuzhou-milkrun")
    ids = problem.meta["node_ids"]
    assert data["start"] == "2026-03-02T00:00:00+08:00"
    start = datetime.fromisoformat(data["start"])
    assert len(data["schedule"]) == len(data["routes"])
    for route, sched in zip(data["routes"], data["schedule"], strict=True):
        assert [v["id"] for v in sched["visits"]] == [ids[v] for v in route]
        t = sched["departure_h"]
        for v, visit in zip(route, sched["visits"], strict=True):
            assert problem.tw_early[v] / 3600 <= visit["at_h"] <= problem.tw_late[v] / 3600
            assert visit["at_h"] >= t
            t = visit["at_h"]
            back = (datetime.fromisoformat(visit["at_iso"]) - start).total_seconds() / 3600
            assert abs(back - visit["at_h"]) <= 0.5 / 3600
        assert sched["arrival_h"] >= t
    assert main(["vrp", "check", "liuzhou-milkrun", str(out)]) == 0  # readers take it


TINY = Path(__file__).resolve().parents[1] / "data" / "vrp" / "tiny.vrp"


def test_an_instance_without_a_scenario_has_no_times(tmp_path):
    problem = read_instance(TINY)
    sol = VRPSolution(routes=(VRPRoute(visits=(1,)),), objective=0.0)
    assert solution_times(problem, sol) == {}
    out = tmp_path / "a.json"
    assert main(["vrp", "solve", str(TINY),
                 "--time-limit", "1", "--seed", "0", "--out", str(out)]) == 0
    assert "schedule" not in json.loads(out.read_text())
