"""Imitation warm start: demonstrations of the hindsight expert, behaviour cloning, DAgger."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from mmroute.agents import evaluate
from mmroute.agents.imitation import clone, demonstrations, merge, slot_of
from mmroute.agents.policies import make_policy
from mmroute.agents.training import TrainConfig, train
from mmroute.envs.reroute import RerouteEnv
from mmroute.envs.simulator import Move
from mmroute.errors import InputError
from mmroute.world.realization import realize
from tests.agents.conftest import FAST

SEEDS = range(1_000_000, 1_000_012)  # training seeds


@pytest.fixture(scope="module")
def demos():
    return demonstrations("tiny", SEEDS)


def _model(seed: int = 0):
    from sb3_contrib import MaskablePPO

    return MaskablePPO("MlpPolicy", RerouteEnv("tiny"), policy_kwargs={"net_arch": [32, 32]},
                       seed=seed, device="cpu")


def test_demonstrations_record_the_hindsight_plans_decisions_and_costs(demos):
    n = len(demos.actions)
    assert n > 0 and demos.observations.shape == (n, RerouteEnv("tiny").observation_space.shape[0])
    assert n <= demos.decisions and demos.episodes == len(SEEDS)
    assert demos.masks[np.arange(n), demos.actions].all()  # every label is an allowed slot
    assert np.isfinite(demos.returns).all()
    # the episodes are the hindsight plans replayed: their mean cost is the mean bound
    df = evaluate("tiny", ["greedy"], seeds=list(SEEDS))
    bound = df[df.policy == "hindsight"].cost.mean()
    assert demos.episode_cost_cny == pytest.approx(bound, rel=1e-6)


def test_slot_of_finds_a_plan_move_among_the_candidates():
    env = RerouteEnv("liuzhou-asean")
    env.reset(options={"realization": realize(env.scenario, 1_000_000)})
    pol = make_policy("hindsight")
    pol.reset(env)
    found = 0
    for _ in range(20):
        move = pol.act(env)
        j = slot_of(env, move)
        if j is not None:
            found += 1
            slot = env.slots[j].move
            assert slot.kind == move.kind and slot.link == move.link and slot.path == move.path
        _, _, done, _, _ = env.step_move(move)
        if done:
            break
    assert found >= 10
    # an int is a slot; a slot that is not allowed is the one step() would take
    assert slot_of(env, 0) == 0 or env.slots[0] is None
    empty = [j for j, c in enumerate(env.slots) if c is None]
    if empty:
        assert env.slots[slot_of(env, empty[0])] is not None
    assert slot_of(env, Move.service("no-such-link", 1.0)) is None


def test_cloning_fits_the_experts_choices(demos):
    import torch as th

    model = _model()
    losses = clone(model, demos, epochs=40, batch_size=16, seed=0)
    assert losses[-1] < 0.5 * losses[0]
    with th.no_grad():
        dist = model.policy.get_distribution(th.as_tensor(demos.observations),
                                             action_masks=demos.masks)
        pred = dist.distribution.probs.argmax(1).numpy()
    assert (pred == demos.actions).mean() >= 0.9


def test_dagger_labels_the_states_the_learner_visits(demos):
    model = _model(1)
    clone(model, demos, epochs=3, seed=0)
    more = demonstrations("tiny", range(1_000_100, 1_000_104), learner=model)
    n = len(more.actions)
    assert n > 0 and more.masks[np.arange(n), more.actions].all()
    both = merge(demos, more)
    assert len(both.actions) == len(demos.actions) + n and both.episodes == demos.episodes + 4
    with pytest.raises(InputError, match="expert"):
        demonstrations("tiny", SEEDS, expert="oracle")


def test_training_starts_from_the_cloned_policy(tmp_path):
    cfg = replace(FAST, imitation_episodes=8, imitation_epochs=5, dagger_rounds=1,
                  dagger_episodes=2)
    out = tmp_path / "run"
    logs = []
    train("tiny", timesteps=256, seed=0, out=out, config=cfg, log=logs.append)
    rows = (out / "validation.csv").read_text().splitlines()
    assert rows[1].startswith("0,")  # the cloned policy, validated before PPO
    assert any(m.startswith("imitation: 8 episodes") for m in logs)
    assert any(m.startswith("DAgger round 1") for m in logs)
    card = json.loads((out / "best.json").read_text())
    assert card["config"]["imitation_episodes"] == 8
    with pytest.raises(InputError, match="imitation_episodes"):
        TrainConfig(imitation_episodes=-1)
    assert TrainConfig(imitation_episodes=0).imitation_episodes == 0
