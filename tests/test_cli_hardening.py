"""The command line against hostile flags and output paths: one line, exit 2, nothing written.

Flags are checked while parsing, so these run in-process through ``mmroute.cli.main`` (no
solver starts); the few that must reach a solver use tiny inputs and 1 s limits.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mmroute.cli import main

DATA = Path(__file__).resolve().parent / "data"
TINY_VRP = str(DATA / "vrp" / "tiny.vrp")
TINY_PACK = str(DATA / "loading" / "tiny.txt")


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(err: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 or (len(lines) == 2 and lines[0].startswith("usage:")), err
    assert "Traceback" not in err


BAD_FLAGS = [
    ("vrp", "solve", TINY_VRP, "--seed", "-1"),
    ("vrp", "solve", TINY_VRP, "--seed", "2147483648"),
    ("vrp", "solve", TINY_VRP, "--max-iterations", "-5"),
    ("vrp", "solve", TINY_VRP, "--max-iterations", "0"),
    ("vrp", "solve", TINY_VRP, "--time-limit", "nan"),
    ("vrp", "solve", TINY_VRP, "--time-limit", "inf"),
    ("vrp", "solve", TINY_VRP, "--time-limit", "0"),
    ("vrp", "solve", TINY_VRP, "--time-limit", "-3"),
    ("vrp", "solve", TINY_VRP, "--time-limit", "1e300"),
    ("vrp", "solve", TINY_VRP, "--customers", "0"),
    ("load", "solve", TINY_PACK, "--instance", "0"),
    ("load", "solve", TINY_PACK, "--instance", "-2"),
    ("load", "solve", TINY_PACK, "--time-limit", "nan"),
    ("load", "solve", TINY_PACK, "--seed", "1.5"),
    ("load", "check", TINY_PACK, "packing.json", "--min-support", "-1"),
    ("load", "check", TINY_PACK, "packing.json", "--min-support", "nan"),
    ("load", "check", TINY_PACK, "packing.json", "--min-support", "1.01"),
    ("plan", "tiny", "--out", "p.json", "--seed", "-1"),
    ("plan", "tiny", "--out", "p.json", "--co2-price", "nan"),
    ("plan", "tiny", "--out", "p.json", "--co2-price", "-inf"),
    ("plan", "tiny", "--out", "p.json", "--pareto", "--pareto-points", "0"),
    ("plan", "tiny", "--out", "p.json", "--time-limit", "inf"),
    ("scenarios", "scale", "tiny", "--out", "m.yaml", "--consignments", "0"),
    ("scenarios", "scale", "tiny", "--out", "m.yaml", "--consignments", "100001"),
    ("scenarios", "scale", "tiny", "--out", "m.yaml", "--consignments", "1.5"),
    ("scenarios", "scale", "tiny", "--out", "m.yaml", "--consignments", "2", "--seed", "-1"),
    ("scenarios", "scale", "tiny", "--consignments", "2", "--out", "m.txt"),
    ("scenarios", "scale", "tiny", "--consignments", "2", "--out", "m"),
]


@pytest.mark.parametrize("argv", BAD_FLAGS, ids=[" ".join(a[:2] + a[-2:]) for a in BAD_FLAGS])
def test_bad_flags_stop_at_parse_time_with_one_line_and_exit_2(capsys, tmp_path, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, *argv)
    assert code == 2
    _one_line_error(err)
    assert f"argument {argv[-2]}" in err
    assert list(tmp_path.iterdir()) == []


def _targets(tmp_path: Path) -> dict[str, tuple[str, str]]:
    (tmp_path / "file").write_text("x")
    out = {
        "directory": (str(tmp_path), "is a directory"),
        "below a file": (str(tmp_path / "file" / "sol.json"), "a folder on its path is a file"),
        "device": ("/dev/null", "character device"),
    }
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo.json")
        out["fifo"] = (str(tmp_path / "fifo.json"), "FIFO")
    if Path("/proc/self").is_dir():
        out["proc"] = ("/proc/mmroute.json", "cannot write")
    return out


@pytest.mark.parametrize("command", ["vrp", "load-out", "load-plot", "plan", "map", "export",
                                     "scale"])
def test_bug_out_onto_a_fifo_device_folder_or_proc_is_refused_before_solving(capsys, tmp_path, command):
    for name, (target, why) in _targets(tmp_path).items():
        argv = {
            "vrp": ("vrp", "solve", TINY_VRP, "--out", target),
            "load-out": ("load", "solve", TINY_PACK, "--out", target),
            "load-plot": ("load", "solve", TINY_PACK, "--plot", target),
            "plan": ("plan", "tiny", "--out", target),
            "map": ("map", "tiny", "--out", target),
            "export": ("export", "tiny", "--out", target),
            "scale": ("scenarios", "scale", "tiny", "--consignments", "5", "--out", target),
        }[command]
        code, out, err = _run(capsys, *argv)
        assert code == 2, name
        assert why in err, (name, err)
        assert out == "", name  # refused before anything ran
        _one_line_error(err)
    assert Path("/dev/null").is_char_device()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["file", *(["fifo.json"] if hasattr(os, "mkfifo") else [])])


def test_bug_pareto_points_0_was_refused_only_after_the_plan_was_written(capsys, tmp_path):
    out = tmp_path / "plan.json"
    code, _, err = _run(capsys, "plan", "tiny", "--out", str(out), "--pareto", "--pareto-points", "0")
    assert code == 2 and "--pareto-points" in err
    assert not out.exists()


def test_bug_a_failing_plot_left_the_out_file_behind(capsys, tmp_path, monkeypatch):
    import mmroute.routing.loading.plot as plot

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(plot, "plot_packing", broken)
    out = tmp_path / "packing.json"
    code, _, err = _run(capsys, "load", "solve", TINY_PACK, "--time-limit", "1", "--out", str(out),
                        "--plot", str(tmp_path / "p.png"))
    assert code == 2 and "No space left on device" in err
    _one_line_error(err)
    assert list(tmp_path.iterdir()) == []


def test_out_and_plot_on_the_same_file_are_refused(capsys, tmp_path):
    same = str(tmp_path / "x.png")
    code, _, err = _run(capsys, "load", "solve", TINY_PACK, "--out", same, "--plot", same)
    assert code == 2 and "same file" in err


def test_plan_checks_the_pareto_and_map_files_beside_out_before_solving(capsys, tmp_path):
    (tmp_path / "plan.pareto.csv").mkdir()
    code, out, err = _run(capsys, "plan", "tiny", "--out", str(tmp_path / "plan.json"), "--pareto")
    assert code == 2 and "--pareto" in err and "is a directory" in err and out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.pareto.csv"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_bug_load_solve_on_a_fifo_blocked_forever(capsys, tmp_path):
    fifo = tmp_path / "in.txt"
    os.mkfifo(fifo)
    code, _, err = _run(capsys, "load", "solve", str(fifo))  # a hang fails via pytest-timeout
    assert code == 2 and "FIFO" in err


def test_bug_load_solve_on_dev_zero_read_until_memory_ran_out(capsys):
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    code, _, err = _run(capsys, "load", "solve", "/dev/zero")
    assert code == 2 and "character device" in err


def test_bug_a_directory_was_reported_as_file_not_found(capsys, tmp_path):
    for argv in (("vrp", "solve", str(tmp_path / "d.vrp")), ("load", "solve", str(tmp_path / "d.txt")),
                 ("vrp", "check", TINY_VRP, str(tmp_path / "d.json"))):
        Path(argv[-1]).mkdir()
        code, _, err = _run(capsys, *argv)
        assert code == 2 and "is a directory" in err, err


def test_bug_load_solve_instance_0_solved_instance_1(capsys):
    code, out, err = _run(capsys, "load", "solve", TINY_PACK, "--instance", "0")
    assert code == 2 and "argument --instance" in err and out == ""


def test_events_with_wrong_types_are_one_line_errors(capsys, tmp_path):
    events = tmp_path / "ev.json"
    for text, why in (
        ('{"closures": [{"link": "x", "from_h": "a", "to_h": 2}]}', "closures[0].from_h: expected a finite number"),
        ('{"closures": [{"link": "x", "from_h": 1}]}', "closures[0]: expected an object with fields"),
        ('{"closures": {"link": "x"}}', "closures: expected a list"),
        ('{"closures": [{"link": null, "from_h": 1, "to_h": 2}]}', "closures[0].link: expected an id"),
        ('{"floods": []}', "unknown event kind"),
        ('{"delays": [{"link": "x", "departure_h": NaN, "delay_h": 1}]}', "not valid JSON"),
        ("[]", "expected a JSON object"),
    ):
        events.write_text(text)
        code, _, err = _run(capsys, "plan", "tiny", "--out", str(tmp_path / "p.json"), "--events", str(events))
        assert code == 2 and why in err and "ev.json" in err, err
        _one_line_error(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ev.json"]


def test_a_plot_name_without_a_picture_suffix_is_refused_before_solving(capsys, tmp_path):
    code, out, err = _run(capsys, "load", "solve", TINY_PACK, "--plot", str(tmp_path / "p.json"))
    assert code == 2 and "--plot" in err and ".png" in err and out == ""
    _one_line_error(err)


def test_bug_a_field_name_with_a_line_break_made_a_two_line_error(tmp_path, capsys):
    """Found by the reader fuzz test: an events file whose key is "\\n" was reported as
    ``fuzz.json: <newline>: unknown event kind '\\n'``, two lines."""
    from mmroute.cli import main
    from mmroute.errors import InputError

    err = InputError("unknown event kind", file=tmp_path / "e.json", field="\n")
    assert str(err) == "e.json: \\n: unknown event kind"
    events = tmp_path / "events.json"
    events.write_text('{"\\n": 0}', encoding="utf-8")
    code = main(["plan", "tiny", "--events", str(events), "--out", str(tmp_path / "p.json")])
    out = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in out and "events.json: \\n: unknown event kind" in out
