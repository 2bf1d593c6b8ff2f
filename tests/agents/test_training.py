"""Training: learns on tiny, resumes with the same step count, writes checked model cards."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mmroute.agents import evaluate, load_model
from mmroute.agents.training import TrainConfig, train
from mmroute.errors import InputError
from tests.agents.conftest import FAST
from tests.cli_run import run_main


def test_a_few_thousand_steps_beat_random_on_tiny(tiny_model):
    df = evaluate("tiny", ["random", "maskable-ppo"], seeds="0-9", model=tiny_model / "best.zip")
    mean = df.groupby("policy").cost.mean()
    assert mean["maskable-ppo"] < mean["random"]


def test_the_model_card_says_what_the_model_is(tiny_model):
    model, card = load_model(tiny_model / "best.zip")
    assert card["algo"] == "maskable-ppo" and card["scenario"] == "tiny"
    assert card["seed"] == 0 and card["timesteps"] >= 768
    assert card["validation_seeds"][0] >= 100_000 and card["training_seeds"][0] >= 1_000_000
    assert {"torch", "stable-baselines3", "sb3-contrib", "mmroute"} <= set(card["versions"])
    assert card["config"]["net_arch"] == [32, 32]


def test_resume_continues_the_same_step_count(tmp_path):
    out = tmp_path / "run"
    train("tiny", timesteps=512, seed=1, out=out, config=FAST, log=lambda m: None)
    first = json.loads((out / "checkpoint.json").read_text())["timesteps"]
    with pytest.raises(InputError, match="holds a training run"):
        train("tiny", timesteps=1024, seed=1, out=out, config=FAST, log=lambda m: None)
    train("tiny", timesteps=1024, seed=1, out=out, resume=True, log=lambda m: None)
    second = json.loads((out / "checkpoint.json").read_text())["timesteps"]
    assert first == 512 and second == 1024
    with pytest.raises(InputError, match="nothing to resume"):
        train("tiny", timesteps=10, seed=1, out=tmp_path / "empty", resume=True, config=FAST)


def test_bad_configs_name_the_setting(tmp_path):
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("n_steps: 0\n")
    with pytest.raises(InputError, match="n_steps"):
        TrainConfig.from_file(cfg)
    cfg.write_text("learning_rat: 0.1\n")
    with pytest.raises(InputError, match="unknown settings"):
        TrainConfig.from_file(cfg)
    cfg.write_text("net_arch: [64, 0]\n")
    with pytest.raises(InputError, match="net_arch"):
        TrainConfig.from_file(cfg)


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "mmroute", *args], capture_output=True,
                          text=True, timeout=600)


def test_cli_rejects_a_model_of_another_scenario_and_a_corrupt_one(tiny_model, tmp_path, capfd):
    r = run_main(capfd, "evaluate", "liuzhou-asean", "--policies", "maskable-ppo", "--model",
              str(tiny_model / "best.zip"), "--seeds", "0", "--out", str(tmp_path / "r.csv"))
    assert r.returncode == 2 and "trained for scenario 'tiny'" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    (tmp_path / "bad.json").write_text((tiny_model / "best.json").read_text())
    r = run_main(capfd, "evaluate", "tiny", "--policies", "maskable-ppo", "--model", str(bad),
              "--seeds", "0", "--out", str(tmp_path / "r.csv"))
    assert r.returncode == 2 and "not a model zip" in r.stderr
    assert not (tmp_path / "r.csv").exists()


def test_cli_evaluate_writes_the_csv_and_the_summary(tiny_model, tmp_path, capfd):
    # --jobs 1: each of a pool's spawned workers imports torch again (~5 s of CPU apiece); the
    # CLI's pool is run by the signal tests (test_rl_hardening) and its rows by test_parallel
    out = tmp_path / "results.csv"
    r = run_main(capfd, "evaluate", "tiny", "--policies", "greedy,static,maskable-ppo", "--model",
             str(tiny_model / "best.zip"), "--seeds", "0-2", "--jobs", "1", "--out", str(out))
    assert r.returncode == 0, r.stderr
    lines = out.read_text().splitlines()
    assert lines[0].startswith("scenario,policy,seed,cost,time_h,lateness_h,co2_kg,on_time_share,"
                               "regret,decision_ms")
    assert len(lines) == 1 + 4 * 3
    assert "vs best baseline" in r.stdout and "hindsight" in r.stdout


def test_cli_train_rejects_bad_flags(tmp_path):
    r = _cli("train", "tiny", "--timesteps", "0", "--out", str(tmp_path / "x"))
    assert r.returncode == 2 and "--timesteps" in r.stderr
    r = _cli("train", "tiny", "--timesteps", "10", "--seed", "-1", "--out", str(tmp_path / "x"))
    assert r.returncode == 2


def test_settings_and_arguments_of_the_wrong_type_name_the_setting():
    from mmroute.agents.parallel import check_backend

    cases = [({"n_steps": True}, "n_steps: expected an integer in 2..65536, got True"),
             ({"n_steps": "64"}, "n_steps: expected an integer in 2..65536, got '64'"),
             ({"n_steps": 64.0}, "n_steps: expected an integer"),  # 1e12 from YAML is a float
             ({"imitation_episodes": -1}, "imitation_episodes: expected an integer in 0.."),
             ({"shaping": 1}, "shaping: must be true or false, not 1"),
             ({"net_arch": (64, 0)}, "net_arch must be a list of 1 to 16 layer sizes"),
             ({"net_arch": ()}, "net_arch must be a list"),
             ({"learning_rate": float("nan")}, "learning_rate: expected a finite number"),
             ({"gamma": 0.0}, "gamma: expected a finite number in \\(0, 1\\]"),
             ({"n_candidates": 1}, "n_candidates: expected an integer in 2..64")]
    for kw, message in cases:
        with pytest.raises(InputError, match=message):
            TrainConfig(**kw)
    assert TrainConfig(n_steps=64, net_arch=(32, 32)).net_arch == (32, 32)
    with pytest.raises(InputError, match="seed: expected an integer >= 0|seed: expected an integer in 0"):
        train("tiny", timesteps=10, seed=-1, out="unused")
    with pytest.raises(InputError, match="timesteps: timesteps must be an integer >= 1, not True"):
        train("tiny", timesteps=True, seed=0, out="unused")
    with pytest.raises(InputError, match="jobs: expected an integer, got bool True"):
        check_backend("local", True)
