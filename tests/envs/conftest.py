"""Fixtures of the environment tests."""

from __future__ import annotations

import numpy as np
import pytest

from mmroute.scenarios import load

#: Bundled scenarios with shipments and an uncertainty section (what the env runs on).
STOCHASTIC = ("tiny", "liuzhou-asean", "yangtze-inbound", "china-europe", "liuzhou-milkrun",
              "liuzhou-cars")


@pytest.fixture(scope="session")
def scenarios():
    """The bundled stochastic scenarios, loaded once."""
    return {name: load(name) for name in STOCHASTIC}


def masked_random(env, rng: np.random.Generator, *, avoid_drop: bool = True) -> int:
    """A uniformly random allowed action (drop only when nothing else is allowed)."""
    m = env.unwrapped.action_masks()
    allowed = np.flatnonzero(m[:-1]) if avoid_drop else np.flatnonzero(m)
    if len(allowed) == 0:
        return len(m) - 1
    return int(rng.choice(allowed))


def run_episode(env, policy, *, seed=None, options=None):
    """Run one episode; return (summed info cost, summed reward, observations, actions)."""
    obs, info = env.reset(seed=seed, options=options)
    total = reward = 0.0
    observations, actions = [obs], []
    done = False
    while not done:
        a = policy(env)
        obs, r, term, trunc, info = env.step(a)
        total += info["cost"]
        reward += r
        observations.append(obs)
        actions.append(a)
        done = term or trunc
    return total, reward, observations, actions
