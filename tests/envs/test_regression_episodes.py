"""Frozen episodes: a realization, an action sequence and the score it gave. Any change in the
dynamics, the candidate order or the costs shows here. Regenerate (after a deliberate change,
saying why in the commit) with ``python tests/envs/test_regression_episodes.py``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mmroute.envs.reroute import RerouteEnv
from mmroute.world.realization import Realization, realize

DATA = Path(__file__).resolve().parents[1] / "data" / "envs"
EPISODES = [("tiny", 3), ("tiny", 9), ("liuzhou-asean", 1)]


def _file(name: str, seed: int) -> Path:
    return DATA / f"episode-{name}-{seed}.json"


@pytest.mark.parametrize("name, seed", EPISODES)
def test_frozen_episode_replays_to_its_score(name, seed):
    data = json.loads(_file(name, seed).read_text())
    env = RerouteEnv(name)
    r = Realization.from_dict(data["realization"])
    assert r == realize(env.scenario, seed), "the realization of the seed changed"
    env.reset(options={"realization": r})
    total = 0.0
    for a in data["actions"]:
        _, _, done, _, info = env.step(a)
        total += info["cost"]
    assert done
    assert total == pytest.approx(data["cost"], rel=1e-9)
    assert env.sim.result().to_dict() == pytest.approx(data["result"], rel=1e-9)


def _make(name: str, seed: int) -> None:
    env = RerouteEnv(name)
    rng = np.random.default_rng(seed)
    env.reset(seed=seed)
    actions, total, done = [], 0.0, False
    while not done:
        m = env.action_masks()
        allowed = np.flatnonzero(m[:-1]) if m[:-1].any() else np.flatnonzero(m)
        a = int(rng.choice(allowed))
        _, _, done, _, info = env.step(a)
        actions.append(a)
        total += info["cost"]
    data = {"scenario": name, "seed": seed, "actions": actions, "cost": total,
            "result": env.sim.result().to_dict(), "realization": env.realization.to_dict()}
    DATA.mkdir(parents=True, exist_ok=True)
    _file(name, seed).write_text(json.dumps(data) + "\n")


if __name__ == "__main__":
    for name, seed in EPISODES:
        _make(name, seed)
