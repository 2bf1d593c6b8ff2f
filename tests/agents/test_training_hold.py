"""Training with the env's hold candidate (``TrainConfig.hold``): the card keeps it, and
evaluation plays the model in an env with the same hold."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mmroute.agents import evaluate
from mmroute.agents.imitation import demonstrations
from mmroute.agents.policies import PPOPolicy
from mmroute.agents.training import TrainConfig, train
from mmroute.envs.reroute import RerouteEnv
from mmroute.errors import InputError
from tests.agents.conftest import FAST


@pytest.mark.parametrize("kwargs, field", [({"hold": "sometimes"}, "hold"),
                                           ({"hold": 1}, "hold"),
                                           ({"hold": "latest", "n_candidates": 2},
                                            "n_candidates")])
def test_bad_hold_settings_name_the_field(kwargs, field):
    with pytest.raises(InputError, match=field):
        TrainConfig(**kwargs)
    with pytest.raises(InputError) as err:
        TrainConfig.from_dict(kwargs)
    assert err.value.field == field


def test_a_model_trained_with_hold_is_evaluated_in_an_env_with_hold(tmp_path):
    out = tmp_path / "run"
    cfg = replace(FAST, hold="latest")
    train("liuzhou-asean", algo="maskable-ppo", timesteps=256, seed=0, out=out, config=cfg,
          log=lambda m: None)
    pol = PPOPolicy(out / "best.zip")
    assert pol.env_options == {"hold": "latest"}
    with pytest.raises(InputError, match="hold"):
        pol.reset(RerouteEnv("liuzhou-asean"))
    df = evaluate("liuzhou-asean", ["maskable-ppo"], seeds=[3], model=out / "best.zip")
    assert set(df.policy) == {"maskable-ppo", "hindsight"}
    assert (df.regret >= -1e-6 * df.bound).all()


def test_imitation_with_hold_loses_no_expert_label():
    """With hold="latest" slot 1 holds and one ordinary candidate leaves the slots; the
    hindsight expert's later trucks are labelled with the hold slot where it keeps their path
    (``slot_of``), so as many of its decisions are labelled as with hold off."""
    seeds = range(200_000, 200_004)
    off = demonstrations("liuzhou-asean", seeds, n_candidates=8)
    on = demonstrations("liuzhou-asean", seeds, n_candidates=8, hold="latest")
    assert on.decisions >= off.decisions
    assert len(on.actions) >= len(off.actions)
