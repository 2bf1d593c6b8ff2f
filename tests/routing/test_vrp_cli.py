"""`mmroute vrp solve|check` through a subprocess, as users call it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "vrp"
REPO = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mmroute", *args], capture_output=True, text=True, cwd=REPO, timeout=120)


def test_solve_writes_json_and_check_accepts_it(tmp_path):
    out = tmp_path / "sol.json"
    r = run("vrp", "solve", str(DATA / "tiny.vrp"), "--time-limit", "1", "--seed", "3", "--out", str(out))
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    assert data["objective"] == 32 and data["status"] == "feasible" and data["seed"] == 3
    assert sorted(v for route in data["routes"] for v in route) == [1, 2, 3, 4]
    r = run("vrp", "check", str(DATA / "tiny.vrp"), str(out))
    assert r.returncode == 0 and r.stdout.startswith("feasible: objective 32")


def test_exact_solve_reports_optimal_with_bound(tmp_path):
    out = tmp_path / "sol.json"
    r = run("vrp", "solve", str(DATA / "tiny.vrp"), "--exact", "--time-limit", "10", "--out", str(out))
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    assert data["status"] == "optimal" and data["bound"] == data["objective"] == 32


def test_check_exits_1_with_the_reason_for_an_infeasible_solution(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"routes": [[1, 2, 3, 4]], "objective": 20}))
    r = run("vrp", "check", str(DATA / "tiny.vrp"), str(bad))
    assert r.returncode == 1
    assert "infeasible: route 1: load 18 exceeds capacity 10" in r.stdout


def test_user_errors_exit_2_with_one_line(tmp_path):
    r = run("vrp", "solve", str(tmp_path / "missing.vrp"), "--time-limit", "1")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "file not found" in r.stderr
    notjson = tmp_path / "x.json"
    notjson.write_text("{oops")
    r = run("vrp", "check", str(DATA / "tiny.vrp"), str(notjson))
    assert r.returncode == 2 and "not valid JSON" in r.stderr


def test_solve_accepts_a_bundled_scenario_name_with_a_fleet(tmp_path):
    out = tmp_path / "milkrun.json"
    r = run("vrp", "solve", "liuzhou-milkrun", "--time-limit", "2", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert json.loads(out.read_text())["status"] == "feasible"
    r = run("vrp", "check", "liuzhou-milkrun", str(out))
    assert r.returncode == 0, r.stdout + r.stderr


def test_an_iteration_limit_makes_cli_runs_repeat_exactly(tmp_path):
    outs = []
    for k in range(2):
        out = tmp_path / f"sol{k}.json"
        r = run("vrp", "solve", "liuzhou-milkrun", "--time-limit", "30", "--seed", "5",
                "--max-iterations", "100", "--out", str(out))
        assert r.returncode == 0, r.stderr
        outs.append(json.loads(out.read_text()))
    assert outs[0]["routes"] == outs[1]["routes"]
    assert outs[0]["objective"] == outs[1]["objective"]
