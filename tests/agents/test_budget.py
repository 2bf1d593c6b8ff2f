"""The budget: --timesteps bounds the env steps of every phase; the recipe it buys; a
progress bar per phase."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mmroute.agents.budget import IMITATION_MAX, Recipe, recipe
from mmroute.agents.training import TrainConfig, train

#: Small and fast, the recipe left to the budget (imitation, DAgger unset).
SMALL = dict(n_envs=1, n_steps=128, batch_size=64, val_episodes=2, eval_every=10**6,
             checkpoint_every=10**6, net_arch=(32, 32), imitation_epochs=3)


def test_the_recipe_scales_with_the_budget_and_the_episode_length():
    assert recipe(3000, 118, rollout_steps=512, spent=354) == Recipe(
        imitation_episodes=11, dagger_rounds=0, dagger_episodes=2, warm_start_steps=1298,
        ppo_steps=1024)
    assert recipe(50_000, 118, rollout_steps=512, spent=354) == Recipe(
        imitation_episodes=210, dagger_rounds=2, dagger_episodes=42, warm_start_steps=34692,
        ppo_steps=14848)
    big = recipe(10**6, 5, rollout_steps=512)
    assert (big.imitation_episodes, big.dagger_rounds, big.dagger_episodes) == (IMITATION_MAX, 2, 100)
    none = recipe(300, 118, rollout_steps=128)  # 2 episodes: too few to imitate
    assert none.imitation_episodes == 0 and none.dagger_rounds == 0 and none.ppo_steps == 256
    for n in (500, 5000, 50_000):
        r = recipe(n, 37, rollout_steps=256, spent=111)
        assert 111 + r.warm_start_steps + r.ppo_steps <= n


def test_values_given_win_over_the_rule():
    r = recipe(50_000, 118, rollout_steps=512, imitation_episodes=7, dagger_rounds=1,
               dagger_episodes=3)
    assert (r.imitation_episodes, r.dagger_rounds, r.dagger_episodes) == (7, 1, 3)
    assert recipe(50_000, 118, rollout_steps=512, imitation_episodes=0).dagger_rounds == 0


@pytest.mark.parametrize("budget", [700, pytest.param(1500, marks=pytest.mark.slow)])
def test_a_run_stays_within_its_budget_on_tiny(tmp_path, budget):
    out = tmp_path / "run"
    card = train("tiny", timesteps=budget, seed=0, out=out, config=TrainConfig(**SMALL),
                 log=lambda m: None)
    final = json.loads((out / "final.json").read_text())
    spent = final["env_steps_before_ppo"]
    assert spent["measure"] > 0 and spent["imitation"] > 0 and final["timesteps"] > 0
    total = sum(spent.values()) + final["timesteps"]
    assert budget - 128 - 5 * 2 <= total <= budget  # left over: < 1 rollout, < 2 episodes
    assert card["config"]["imitation_episodes"] > 0  # the recipe is on the card


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "mmroute", *args], capture_output=True,
                          text=True, timeout=600)


def test_every_phase_shows_a_progress_bar_unless_told_not_to(tmp_path):
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("".join(f"{k}: {list(v) if isinstance(v, tuple) else v}\n"
                           for k, v in SMALL.items()))
    r = _cli("train", "tiny", "--timesteps", "1000", "--config", str(cfg), "--out",
             str(tmp_path / "a"))
    assert r.returncode == 0, r.stderr
    lines = r.stderr.replace("\r", "\n").splitlines()
    for phase in ("measuring", "imitation", "cloning", "DAgger round 1/2",
                  "DAgger round 1/2 cloning", "DAgger round 2/2", "PPO"):
        shown = [x for x in lines if x.startswith(phase + ":")]
        assert shown, phase
        assert any("<" in x for x in shown)  # elapsed<remaining: the ETA
    assert "buy" in r.stdout and "env steps of the budget's 1,000" in r.stdout
    r = _cli("train", "tiny", "--timesteps", "300", "--config", str(cfg), "--out",
             str(tmp_path / "b"), "--no-progress")
    assert r.returncode == 0 and "PPO:" not in r.stderr and "imitation:" not in r.stderr
    r = _cli("train", "--help")
    assert "every phase counted" in " ".join(r.stdout.split())


def test_imitation_given_but_without_room_leaves_ppo_alone(tmp_path):
    out = tmp_path / "run"
    cfg = TrainConfig(**{**SMALL, "imitation_episodes": 50, "dagger_rounds": 1,
                         "dagger_episodes": 100})
    logs: list[str] = []
    train("tiny", timesteps=300, seed=0, out=out, config=cfg, log=logs.append)
    final = json.loads((out / "final.json").read_text())
    assert sum(final["env_steps_before_ppo"].values()) + final["timesteps"] <= 300
    assert any("no room" in m for m in logs) and final["timesteps"] == 256


def test_a_budget_of_a_few_episodes_measures_fewer(tmp_path):
    out = tmp_path / "run"
    train("tiny", timesteps=12, seed=0, out=out, config=TrainConfig(**SMALL), log=lambda m: None)
    final = json.loads((out / "final.json").read_text())
    assert final["env_steps_before_ppo"] == {"measure": 10, "imitation": 0, "dagger": 0}
    assert final["timesteps"] == 0
