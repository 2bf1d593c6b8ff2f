"""``mmroute load solve`` / ``mmroute load check`` by subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "loading"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mmroute", "load", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_solve_writes_a_checked_packing_and_a_picture_then_check_accepts_it(tmp_path):
    out, png = tmp_path / "p.json", tmp_path / "p.png"
    r = run("solve", str(DATA / "tiny.txt"), "--instance", "1", "--time-limit", "2", "--exact",
            "--out", str(out), "--plot", str(png), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    assert data["status"] == "optimal" and data["objective"] == data["bound"] == 240
    assert {"type", "position", "dims"} == set(data["boxes"][0])
    assert png.stat().st_size > 1000
    r = run("check", str(DATA / "tiny.txt"), str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "feasible" in r.stdout


def test_check_exits_1_with_the_reason_for_an_infeasible_packing(tmp_path):
    out = tmp_path / "p.json"
    assert run("solve", str(DATA / "tiny.txt"), "--time-limit", "1", "--out", str(out), cwd=tmp_path).returncode == 0
    data = json.loads(out.read_text())
    data["boxes"][1]["position"] = data["boxes"][0]["position"]
    out.write_text(json.dumps(data))
    r = run("check", str(DATA / "tiny.txt"), str(out), cwd=tmp_path)
    assert r.returncode == 1
    assert "overlap" in r.stdout


def test_user_errors_are_one_line_and_exit_2(tmp_path):
    r = run("solve", str(DATA / "bad_fields.txt"), "--time-limit", "1", cwd=tmp_path)
    assert r.returncode == 2
    assert "bad_fields.txt" in r.stderr and "Traceback" not in r.stderr
    r = run("solve", str(DATA / "tiny.txt"), "--instance", "7", "--time-limit", "1", cwd=tmp_path)
    assert r.returncode == 2 and "out of range" in r.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    r = run("check", str(DATA / "tiny.txt"), str(bad), cwd=tmp_path)
    assert r.returncode == 2 and "bad.json" in r.stderr


def test_solve_and_check_a_multi_drop_load_from_the_bundled_milkrun_scenario(tmp_path):
    out = tmp_path / "truck.json"
    common = ("--customers", "C02,C04,C05", "--multi-drop")
    r = run("solve", "liuzhou-milkrun", *common, "--time-limit", "1", "--out", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(out.read_text())["boxes"]
    r = run("check", "liuzhou-milkrun", str(out), *common, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
