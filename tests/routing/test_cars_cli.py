"""``mmroute cars solve`` / ``check``: files, pictures, one-line errors with exit 2."""

from __future__ import annotations

import json

from mmroute.cli import main


def _first_orders(tmp_path, n: int):
    """The bundled ``liuzhou-cars`` with its first ``n`` vehicle orders only (a file)."""
    import yaml

    from mmroute.scenarios import bundled_path

    data = yaml.safe_load(bundled_path("liuzhou-cars").read_text())
    data["vehicle_orders"] = data["vehicle_orders"][:n]
    path = tmp_path / "cars-small.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_solve_writes_a_plan_and_pictures_that_check(tmp_path, capsys):
    # 8 of the 62 orders: 5 pictures to draw, not 32 (each a second of CPU)
    scenario = str(_first_orders(tmp_path, 8))
    out = tmp_path / "plan.json"
    assert main(["cars", "solve", scenario, "--time-limit", "3", "--seed", "1", "--out", str(out),
                 "--plot", str(tmp_path / "pics")]) == 0
    data = json.loads(out.read_text())
    assert {"objective", "bound", "status", "time_s", "solver", "seed", "routes"} <= set(data)
    assert (tmp_path / "pics" / "routes.png").stat().st_size > 20_000
    assert (tmp_path / "pics" / "load-01.png").exists()
    assert main(["cars", "check", scenario, str(out)]) == 0
    assert "feasible, cost" in capsys.readouterr().out


def test_check_exits_1_on_an_infeasible_plan(tmp_path, capsys):
    out = tmp_path / "plan.json"
    assert main(["cars", "solve", "liuzhou-cars", "--time-limit", "2", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    data["routes"][0]["placements"][0]["x_m"] = 30.0
    out.write_text(json.dumps(data))
    assert main(["cars", "check", "liuzhou-cars", str(out)]) == 1
    assert "beyond platform" in capsys.readouterr().out


def test_bad_input_gets_one_line_and_exit_2(tmp_path, capsys):
    assert main(["cars", "solve", "tiny", "--time-limit", "2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "vehicle_orders" in err
    bad = tmp_path / "plan.json"
    bad.write_text("{not json")
    assert main(["cars", "check", "liuzhou-cars", str(bad)]) == 2
    assert "plan.json: not valid JSON" in capsys.readouterr().err
    assert main(["cars", "solve", "liuzhou-cars", "--time-limit", "0"]) == 2
