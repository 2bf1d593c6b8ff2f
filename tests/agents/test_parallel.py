"""Where evaluation episodes run: in this process, in local processes, or as Ray tasks — the
same rows every way (decision times aside)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time

import pandas as pd
import pytest

from mmroute.agents import evaluate, run_tasks
from mmroute.agents.evaluation import COLUMNS, TIMING_COLUMNS, _ModelFile
from mmroute.errors import InputError

ray = pytest.importorskip("ray", reason="Ray is the optional extra mmroute[ray]")

SAME = [c for c in COLUMNS if c not in TIMING_COLUMNS]  # wall times differ, nothing else may


@pytest.fixture(scope="module")
def running_ray():
    """A local Ray instance that evaluate() joins (and must leave running)."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield
    ray.shutdown()


def test_local_processes_give_the_rows_of_this_process():
    """Fast sibling of the slow Ray test below: the pool's rows equal the in-process ones (OR
    policies; Ray's rows: the decision-budget test; a model's bytes: the test after it)."""
    policies = ["greedy", "static", "replan"]
    here = evaluate("tiny", policies, "0-2")
    seen = []
    local = evaluate("tiny", policies, "0-2", jobs=2,
                     progress=lambda done, total: seen.append((done, total)))
    pd.testing.assert_frame_equal(here[SAME], local[SAME])
    assert seen[-1] == (12, 12) and [d for d, _ in seen] == sorted(d for d, _ in seen)


@pytest.mark.slow  # ~25 s of CPU (each worker imports torch); fast siblings above and below
def test_ray_tasks_give_the_rows_of_local_processes(running_ray, tiny_model):
    policies = ["greedy", "static", "replan", "maskable-ppo"]
    model = tiny_model / "best.zip"
    here = evaluate("tiny", policies, "0-2", model=model)
    local = evaluate("tiny", policies, "0-2", model=model, jobs=2)
    seen = []
    on_ray = evaluate("tiny", policies, "0-2", model=model, backend="ray",
                      progress=lambda done, total: seen.append((done, total)))
    pd.testing.assert_frame_equal(here[SAME], local[SAME])
    pd.testing.assert_frame_equal(here[SAME], on_ray[SAME])
    assert seen[-1] == (15, 15) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert ray.is_initialized()  # it joined the running instance and left it running


@pytest.mark.parametrize("budget_s", [0.0, 120.0])
def test_a_decision_budget_gives_the_same_rows_on_ray(running_ray, budget_s):
    """A budget that is never hit (120 s) or always (0 s: the incumbent at once) gives rows
    that do not depend on where they run; Ray tasks run in their worker's main thread, so
    the budget's alarm works there too."""
    policies = ["greedy", "replan", "anticipate"]
    here = evaluate("tiny", policies, "0-1", decision_budget_s=budget_s)
    on_ray = evaluate("tiny", policies, "0-1", decision_budget_s=budget_s, backend="ray")
    pd.testing.assert_frame_equal(here[SAME], on_ray[SAME])
    hits = here[here.policy.isin(["replan", "anticipate"])].budget_hits
    assert (hits > 0).all() if budget_s == 0.0 else (hits == 0).all()


def test_a_task_error_on_ray_is_raised_as_itself(running_ray):
    from mmroute.world.realization import realize

    with pytest.raises(InputError, match="seed must be an integer >= 0"):
        run_tasks(lambda sc, s: realize(sc, s), [0, -1], shared=_tiny(), backend="ray")
    assert run_tasks(lambda sc, s: realize(sc, s).seed, [3, 1, 2], shared=_tiny(),
                     backend="ray") == [3, 1, 2]


def _slow_or_bad(_shared, x: float) -> float:
    if x < 0:
        raise InputError("a bad task")
    time.sleep(x)
    return x


def test_a_failing_task_stops_the_others(running_ray):
    t0 = time.perf_counter()
    with pytest.raises(InputError, match="a bad task"):
        run_tasks(_slow_or_bad, [300, -1], jobs=2, backend="ray")
    while ray.available_resources().get("CPU", 0) < 2:  # the sleeper was cancelled
        assert time.perf_counter() - t0 < 60
        time.sleep(0.2)


def _tiny():
    from mmroute.scenarios import load

    return load("tiny")


def test_a_model_travels_with_its_tasks_as_bytes(tiny_model, tmp_path, monkeypatch):
    from mmroute.agents.model_files import load_model, read_card

    shipped = _ModelFile.read(tiny_model)  # a training folder: its best.zip
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # a worker with its own disk
    p = shipped.path()
    assert tmp_path in p.parents and p.name == "best.zip"
    _, card = load_model(p, scenario=_tiny())
    assert card == read_card(tiny_model / "best.zip")
    assert shipped.path() == p  # written once per worker


def test_unknown_backends_are_input_errors():
    with pytest.raises(InputError, match="backend must be one of local, ray"):
        evaluate("tiny", ["greedy"], "0", backend="spark")
    with pytest.raises(InputError, match="jobs"):
        run_tasks(max, [1], jobs=0)


@pytest.mark.slow  # fast siblings: the Ray rows above (a running instance), the local CLI tests
def test_cli_evaluates_on_a_ray_instance_of_its_own(tmp_path):
    out = tmp_path / "r.csv"
    r = subprocess.run([sys.executable, "-m", "mmroute", "evaluate", "tiny", "--policies",
                        "greedy,static", "--seeds", "0-1", "--backend", "ray", "--jobs", "2",
                        "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    df = pd.read_csv(out)
    assert sorted(df.policy.unique()) == ["greedy", "hindsight", "static"] and len(df) == 6
    bad = subprocess.run([sys.executable, "-m", "mmroute", "evaluate", "tiny", "--backend",
                          "spark", "--out", str(out)], capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_address_without_the_ray_backend_is_refused(tmp_path, capfd):
    from mmroute.cli import main  # in this process: a subprocess imports Ray again (~6 s CPU)

    capfd.readouterr()
    code = main(["evaluate", "tiny", "--policies", "greedy", "--seeds", "0", "--address",
                 "ray://nowhere:10001", "--out", str(tmp_path / "r.csv")])
    assert code == 2 and "--address needs --backend ray" in capfd.readouterr().err
    assert not (tmp_path / "r.csv").exists()


@pytest.mark.slow  # fast siblings: the Ray rows above and the local training tests
def test_training_on_ray_is_the_local_training_and_resumes(running_ray, tmp_path):
    from dataclasses import replace

    from mmroute.agents import train
    from mmroute.agents.model_files import read_card
    from tests.agents.conftest import FAST

    cfg = replace(FAST, n_envs=2, eval_every=256, checkpoint_every=256)  # 2 CPUs, vector env
    local = train("tiny", timesteps=512, seed=3, out=tmp_path / "l", config=cfg,
                  log=lambda m: None)
    on_ray = train("tiny", timesteps=512, seed=3, out=tmp_path / "r", config=cfg, backend="ray")
    assert on_ray["validation_cost"] == local["validation_cost"]
    assert ((tmp_path / "r" / "validation.csv").read_text()
            == (tmp_path / "l" / "validation.csv").read_text())
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == sorted(
        p.name for p in (tmp_path / "l").iterdir())
    train("tiny", timesteps=1024, seed=3, out=tmp_path / "r", config=cfg, resume=True,
          backend="ray")  # the folder went to Ray and came back
    assert read_card(tmp_path / "r" / "checkpoint.zip")["timesteps"] == 1024
    with pytest.raises(InputError, match="holds a training run already"):
        train("tiny", timesteps=512, seed=3, out=tmp_path / "r", config=cfg, backend="ray")
