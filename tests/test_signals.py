"""SIGINT / SIGTERM stop every solver promptly: exit 130 / 143, no output, no temporary file.

Each test starts ``mmroute`` in a subprocess on a problem far from solved within its time
limit, sends the signal while the solver runs, and measures how long the process takes to end.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def _cvrp(path: Path, n_clients: int, seed: int) -> Path:
    """A random CVRP (VRPLIB) that the exact solver cannot close in a minute."""
    rng = np.random.default_rng(seed)
    xy = rng.integers(0, 1000, size=(n_clients + 1, 2))
    demand = [0, *rng.integers(1, 100, size=n_clients).tolist()]
    lines = [f"NAME : rand{n_clients}", "TYPE : CVRP", f"DIMENSION : {n_clients + 1}",
             "EDGE_WEIGHT_TYPE : EUC_2D", "CAPACITY : 400", "NODE_COORD_SECTION"]
    lines += [f"{i + 1} {x} {y}" for i, (x, y) in enumerate(xy)]
    lines += ["DEMAND_SECTION", *(f"{i + 1} {d}" for i, d in enumerate(demand)), "DEPOT_SECTION", "1", "-1", "EOF"]
    path.write_text("\n".join(lines) + "\n")
    return path


def _vrptw(path: Path, n_clients: int, seed: int) -> Path:
    """A random Solomon-format VRPTW with wide windows (hard for the exact CP-SAT model)."""
    rng = np.random.default_rng(seed)
    rows = ["    0     50     50      0      0   1000      0"]
    for i in range(1, n_clients + 1):
        x, y = rng.integers(0, 100, size=2)
        ready = int(rng.integers(0, 400))
        rows.append(f"{i:5d} {x:6d} {y:6d} {int(rng.integers(1, 30)):6d} {ready:6d} {ready + 400:6d} {10:6d}")
    text = "RAND\n\nVEHICLE\nNUMBER     CAPACITY\n  25         100\n\nCUSTOMER\n" \
           "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n\n"
    path.write_text(text + "\n".join(rows) + "\n")
    return path


def _interrupt(argv: list[str], after_s: float, sig: int, out_dir: Path) -> tuple[int, float, str]:
    """Run ``mmroute argv``, send ``sig`` after ``after_s`` seconds; (exit code, seconds to end, stderr)."""
    proc = subprocess.Popen([sys.executable, "-m", "mmroute", *argv], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(after_s)
    assert proc.poll() is None, f"ended before the signal: {proc.communicate()}"
    proc.send_signal(sig)
    sent = time.monotonic()
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"still running 30 s after signal {sig}")
    return proc.returncode, time.monotonic() - sent, err


def _assert_nothing_written(out_dir: Path, inputs: set[str]) -> None:
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(inputs)


def test_bug_sigint_was_swallowed_by_scip_in_the_exact_cvrp(tmp_path):
    inst = _cvrp(tmp_path / "rand.vrp", 60, seed=1)
    code, took, err = _interrupt(["vrp", "solve", str(inst), "--exact", "--time-limit", "60",
                                  "--out", str(tmp_path / "sol.json")], 5.0, signal.SIGINT, tmp_path)
    assert code == 130, err
    assert took < 3.0
    assert err.strip() == "mmroute: interrupted"
    _assert_nothing_written(tmp_path, {"rand.vrp"})


def test_sigterm_stops_the_exact_vrptw_cp_sat_search(tmp_path):
    inst = _vrptw(tmp_path / "rand.txt", 40, seed=2)
    code, took, err = _interrupt(["vrp", "solve", str(inst), "--exact", "--time-limit", "60",
                                  "--out", str(tmp_path / "sol.json")], 5.0, signal.SIGTERM, tmp_path)
    assert code == 143, err
    assert took < 3.0
    _assert_nothing_written(tmp_path, {"rand.txt"})


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["ortools", "pyvrp"])
def test_sigint_stops_the_heuristic_engines(tmp_path, engine):
    inst = _vrptw(tmp_path / "rand.txt", 100, seed=3)
    code, took, err = _interrupt(["vrp", "solve", str(inst), "--engine", engine, "--time-limit", "60",
                                  "--out", str(tmp_path / "sol.json")], 4.0, signal.SIGINT, tmp_path)
    assert code == 130, err
    assert took < 3.0
    _assert_nothing_written(tmp_path, {"rand.txt"})


@pytest.mark.slow
def test_sigint_during_a_pareto_front_leaves_neither_the_plan_nor_the_front(tmp_path):
    """The plan is solved and staged; the signal comes during the Pareto solves (HiGHS)."""
    code, took, err = _interrupt(["plan", "china-europe", "--time-limit", "60", "--pareto",
                                  "--pareto-points", "50", "--out", str(tmp_path / "plan.json")],
                                 4.0, signal.SIGINT, tmp_path)
    assert code == 130, err
    assert took < 3.0
    _assert_nothing_written(tmp_path, set())
