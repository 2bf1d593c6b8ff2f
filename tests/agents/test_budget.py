"""The budget: --timesteps bounds the env steps of every phase; the recipe it buys; a
progress bar per phase."""

from __future__ import annotations

import json

import pytest

from mmroute.agents.budget import (
    EVAL_EVERY,
    IMITATION_MAX,
    MIN_DECISIONS,
    MIN_EPISODES,
    VAL_EPISODES,
    Recipe,
    recipe,
)
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


def test_month_scale_episodes_buy_imitation_and_fewer_rarer_validations():
    # liuzhou-asean-month: ~5,800 decisions per episode; the default budget buys 5 episodes
    # after 3 measuring ones: 2 imitation episodes (11,600 decisions), not none
    r = recipe(50_000, 5800, rollout_steps=512, spent=17_400)
    assert (r.imitation_episodes, r.dagger_rounds, r.warm_start_steps) == (2, 0, 11_600)
    assert r.ppo_steps == 20_992  # the rest, whole rollouts
    assert (r.val_episodes, r.eval_every) == (3, 17_400)  # 17,400 decisions per validation
    # DAgger still needs 5 episodes a round (each label a clairvoyant re-plan)
    assert recipe(300_000, 6761, rollout_steps=512, spent=20_284).dagger_rounds == 0
    assert recipe(10**6, 6000, rollout_steps=512).dagger_rounds == 2
    one = recipe(2 * 5800, 5800, rollout_steps=512)  # 2 episodes: 1 to imitate
    assert one.imitation_episodes == 1 and one.warm_start_steps == 5800
    assert recipe(5800, 5800, rollout_steps=512).imitation_episodes == 0  # half of 1: none


@pytest.mark.parametrize("d", [5, 37, 54, 80, 102, 118, 136])  # bundled small: 2-102
def test_the_decision_clauses_leave_short_episodes_as_before(d):
    for n in range(d, 40 * d, max(1, d // 3)):
        r = recipe(n, d, rollout_steps=512)
        e = n // d
        before = min(IMITATION_MAX, e // 2)  # the rule before the decision clause
        assert r.imitation_episodes == (before if before >= MIN_EPISODES else 0)
        assert (r.val_episodes, r.eval_every) == (VAL_EPISODES, EVAL_EVERY)
    assert (MIN_DECISIONS / MIN_EPISODES, EVAL_EVERY / VAL_EPISODES) == (400, 4096 / 30)


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
    phases = final["phase_seconds"]  # where the time went, wall and CPU
    assert list(phases)[:3] == ["measure", "imitation", "cloning"]
    assert {"validation", "ppo"} <= set(phases)
    assert all(v["wall_s"] >= 0 and v["cpu_s"] >= 0 for v in phases.values())


@pytest.mark.slow  # ~10 s; fast siblings: the recipe at month-scale lengths, the tiny run
def test_a_month_like_scale_imitates_fewer_than_five_long_episodes(tmp_path):
    from mmroute.scenarios import load
    from mmroute.scenarios.scaling import scale

    sc = scale(load("tiny"), consignments=450, seed=0)  # ~600 decisions per episode
    cfg = TrainConfig(**{**SMALL, "val_episodes": 1})
    card = train(sc, timesteps=7000, seed=0, out=tmp_path / "run", config=cfg,
                 log=lambda m: None)
    final = json.loads((tmp_path / "run" / "final.json").read_text())
    assert 0 < card["config"]["imitation_episodes"] < MIN_EPISODES
    assert final["env_steps_before_ppo"]["imitation"] >= MIN_DECISIONS
    assert card["config"]["eval_every"] >= final["env_steps_before_ppo"]["measure"] / 3


def test_every_phase_shows_a_progress_bar_unless_told_not_to(tmp_path, capfd):
    # the command's own code in this process (a subprocess imports torch again: ~5 s of CPU
    # a run); the exit codes and both streams are the ones a shell would see
    from mmroute.cli import main

    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("".join(f"{k}: {list(v) if isinstance(v, tuple) else v}\n"
                           for k, v in SMALL.items()))
    capfd.readouterr()
    assert main(["train", "tiny", "--timesteps", "1000", "--config", str(cfg), "--out",
                 str(tmp_path / "a")]) == 0
    r = capfd.readouterr()
    lines = r.err.replace("\r", "\n").splitlines()
    for phase in ("measuring", "imitation", "cloning", "DAgger round 1/2",
                  "DAgger round 1/2 cloning", "DAgger round 2/2", "PPO"):
        shown = [x for x in lines if x.startswith(phase + ":")]
        assert shown, phase
        assert any("<" in x for x in shown)  # elapsed<remaining: the ETA
    assert "buy" in r.out and "env steps of the budget's 1,000" in r.out
    assert main(["train", "tiny", "--timesteps", "300", "--config", str(cfg), "--out",
                 str(tmp_path / "b"), "--no-progress"]) == 0
    r = capfd.readouterr()
    assert "PPO:" not in r.err and "imitation:" not in r.err
    with pytest.raises(SystemExit) as done:
        main(["train", "--help"])
    assert done.value.code == 0
    assert "every phase counted" in " ".join(capfd.readouterr().out.split())


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
