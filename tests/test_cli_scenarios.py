"""``mmroute scenarios list``, ``validate`` by subprocess (the entry point); ``map``, ``export``
and ``scenarios scale`` in this process (tests/cli_run.py: a subprocess imports matplotlib and
the GIS libraries again)."""

from __future__ import annotations

import subprocess
import sys

from mmroute.scenarios import bundled_names
from tests.cli_run import run_main


def _run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mmroute", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def test_scenarios_list_prints_one_line_per_bundled_scenario():
    out = _run("scenarios", "list")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert [ln.split(":")[0] for ln in lines] == list(bundled_names())


def test_validate_ok_prints_the_summary_and_exits_0():
    out = _run("validate", "tiny")
    assert out.returncode == 0
    assert out.stdout.startswith("tiny: 4 nodes, 6 links")


def test_validate_bad_file_is_one_line_on_stderr_and_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nhorizon_h: 10\nnodes: []\nlinks: []\nshipments: []\n")
    out = _run("validate", str(bad))
    assert out.returncode == 2
    assert out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1
    assert "bad.yaml: nodes" in out.stderr and "Traceback" not in out.stderr


def test_validate_missing_file_exits_2_without_traceback(tmp_path):
    out = _run("validate", str(tmp_path / "nope.yaml"))
    assert out.returncode == 2 and "no such file" in out.stderr
    assert "Traceback" not in out.stderr


def test_map_and_export_write_their_files(tmp_path, capfd):
    out = run_main(capfd, "map", "tiny", "--out", str(tmp_path / "map.png"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "map.png").stat().st_size > 50_000
    out = run_main(capfd, "export", "tiny", "--out", str(tmp_path / "net.gpkg"))
    assert out.returncode == 0, out.stderr
    assert "4 nodes, 6 links" in out.stdout and (tmp_path / "net.gpkg").exists()


def test_export_to_an_unknown_suffix_exits_2_with_one_line(tmp_path, capfd):
    out = run_main(capfd, "export", "tiny", "--out", str(tmp_path / "net.shp"))
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1 and "'.shp'" in out.stderr
    assert list(tmp_path.iterdir()) == []


def test_export_into_an_unwritable_place_exits_2(tmp_path, capfd):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = run_main(capfd, "export", "tiny", "--out", str(blocker / "net.geojson"))
    assert out.returncode == 2 and "cannot write" in out.stderr
    assert "Traceback" not in out.stderr


# --- scenarios scale ------------------------------------------------------------------------
def test_scenarios_scale_writes_the_same_file_for_the_same_seed(tmp_path, capfd):
    from mmroute.scenarios import load

    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for path in (a, b):
        out = run_main(capfd, "scenarios", "scale", "liuzhou-asean", "--consignments", "300",
                       "--seed", "4", "--out", str(path))
        assert out.returncode == 0, out.stderr
        assert out.stderr == ""  # no progress below 10,000 consignments
    assert out.stdout.startswith("liuzhou-asean-x300: 21 nodes") and "300 shipments" in out.stdout
    text = a.read_text()
    assert text.replace(str(a), "X") == b.read_text().replace(str(b), "X")
    assert "#   mmroute scenarios scale liuzhou-asean --consignments 300 --seed 4 --out" in text
    sc = load(a)
    assert len(sc.shipments) == 300 and sc.horizon_h == 720
    lanes = {(s.origin, s.destination) for s in load("liuzhou-asean").shipments}
    assert {(s.origin, s.destination) for s in sc.shipments} <= lanes


def test_scenarios_scale_shows_progress_on_stderr_for_large_runs(tmp_path, capfd):
    out = run_main(capfd, "scenarios", "scale", "tiny", "--consignments", "10000", "--name",
                   "tiny-big", "--out", str(tmp_path / "big.json"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("tiny-big: ") and "10000 shipments" in out.stdout
    lines = out.stderr.strip().splitlines()
    assert [ln.split()[1] for ln in lines] == ["drawing", "validating", "writing"]


def test_scenarios_scale_bad_flags_files_and_outputs_are_one_line_and_exit_2(tmp_path, capfd):
    target = tmp_path / "m.yaml"
    cases = [
        (["--consignments", "0"], "--consignments: must be an integer in 1..100000"),
        (["--consignments", "100001"], "--consignments"),
        (["--consignments", "ten"], "--consignments: must be an integer"),
        (["--consignments", "5", "--seed", "-1"], "--seed"),
        (["--consignments", "5", "--name", "no spaces"], "--name"),
    ]
    for flags, message in cases:
        out = run_main(capfd, "scenarios", "scale", "tiny", *flags, "--out", str(target))
        assert out.returncode == 2 and message in out.stderr, (flags, out.stderr)
        assert len(out.stderr.strip().splitlines()) == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nhorizon_h: 10\n")
    for src, message in ((str(bad), "bad.yaml: nodes"), ("no-such-scenario", "no such file")):
        out = run_main(capfd, "scenarios", "scale", src, "--consignments", "5", "--out",
                       str(target))
        assert out.returncode == 2 and message in out.stderr, out.stderr
        assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    (tmp_path / "folder.yaml").mkdir()
    for dest, message in ((tmp_path / "m.txt", "must end in .yaml, .yml, .json"),
                          (tmp_path / "folder.yaml", "not a regular file"),
                          (bad / "below.yaml", "a folder on its path is a file")):
        out = run_main(capfd, "scenarios", "scale", "tiny", "--consignments", "5", "--out",
                       str(dest))
        assert out.returncode == 2 and message in out.stderr, out.stderr
        assert len(out.stderr.strip().splitlines()) == 1
    assert not target.exists()
