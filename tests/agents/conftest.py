"""Fixtures of the agent tests."""

from __future__ import annotations

import pytest

from mmroute.agents.training import TrainConfig

#: A small, fast training setup (in-process env, short rollouts), PPO alone (no imitation
#: warm start: what PPO learns by itself is what the tests check).
FAST = TrainConfig(n_envs=1, n_steps=128, batch_size=64, n_epochs=5, eval_every=768,
                   val_episodes=4, checkpoint_every=512, net_arch=(32, 32),
                   imitation_episodes=0, learning_rate=3e-4, clip_range=0.2, ent_coef=0.01)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A MaskablePPO agent trained 1,536 steps on `tiny` (seed 0): its training folder."""
    from mmroute.agents.training import train

    out = tmp_path_factory.mktemp("tiny-model")
    train("tiny", algo="maskable-ppo", timesteps=1536, seed=0, out=out, config=FAST, log=lambda m: None)
    return out


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Every agent test runs torch on one thread, as training does (``TORCH_THREADS``): with
    two, the OpenMP workers of its small batches spin on a loaded 2-core machine (cloning
    35-45x slower, docs/agents.md)."""
    from mmroute.agents.training import TORCH_THREADS, torch_threads

    with torch_threads(TORCH_THREADS):
        yield

