"""One rollout for every caller, one registry of policy names, one reward shaping."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from mmroute.agents.policies import Policy, make_policy
from mmroute.agents.registry import (
    BASELINES,
    BOUND,
    LEARNED,
    ON_REQUEST,
    OR_POLICIES,
    POLICIES,
    REGISTRY,
    SUMMARY_ORDER,
    default_policies,
)
from mmroute.agents.rollout import ModelPolicy, masked_predict, rollout
from mmroute.agents.shaping import ShapedReward, Shaping, potential
from mmroute.envs.reroute import RerouteEnv
from mmroute.errors import InputError
from mmroute.scenarios import Scenario, as_scenario, load
from mmroute.world.realization import realize


def test_a_rollout_scores_the_episode_the_simulator_played_and_calls_on_step_per_step():
    env = RerouteEnv("tiny")
    seen = []
    ro = rollout(env, make_policy("greedy"), realize(env.scenario, 3),
                 on_step=lambda e, a, info: seen.append((a, info["cost"])))
    assert ro.steps == len(seen) == ro.result.decisions > 0
    assert ro.cost_cny == sum(c for _, c in seen)
    assert ro.sim.done and ro.policy_s >= 0.0
    assert abs(ro.cost_cny - ro.result.cost) <= 1e-6 * ro.result.cost


def test_a_model_rolls_out_as_itself_or_as_its_policy_with_the_same_cost(tiny_model):
    from mmroute.agents.policies import PPOPolicy

    pol = PPOPolicy(tiny_model / "best.zip")
    env = RerouteEnv("tiny")
    for seed in range(3):
        r = realize(env.scenario, seed)
        as_policy = rollout(env, pol, r).cost_cny
        as_model = rollout(env, pol.model, r).cost_cny
        unmasked = rollout(env, ModelPolicy(pol.model, maskable=False), r)
        assert as_policy == as_model and unmasked.steps > 0


def test_masks_reach_a_maskable_model_only():
    class Plain:
        def predict(self, observation, state=None, episode_start=None, deterministic=True):
            return 1, None

    class Maskable:
        def predict(self, observation, state=None, episode_start=None, deterministic=True,
                    action_masks=None):
            return int(np.flatnonzero(action_masks)[-1]), None

    mask = np.array([True, False, True])
    assert masked_predict(Plain(), np.zeros(2), action_masks=mask)[0] == 1
    assert masked_predict(Maskable(), np.zeros(2), action_masks=mask)[0] == 2
    assert ModelPolicy(Maskable()).maskable and not ModelPolicy(Plain()).maskable


def test_anything_else_is_refused_by_name():
    env = RerouteEnv("tiny")
    with pytest.raises(InputError, match="policy"):
        rollout(env, object(), realize(env.scenario, 0))


def test_every_registered_name_builds_its_class_and_the_facts_hold():
    for name, e in REGISTRY.items():
        cls = e.load()
        assert issubclass(cls, Policy)
        if not (e.learned or e.fitted):  # fitted ones need their scenario's card
            assert make_policy(name).name == name
    assert set(OR_POLICIES) == {"static", "replan", "replan-late", "anticipate", "consensus",
                                "expectation"}
    assert BOUND == "hindsight" and set(LEARNED) == {"ppo", "maskable-ppo"}
    assert set(BASELINES) | set(ON_REQUEST) | set(LEARNED) | {BOUND} == set(POLICIES)
    assert set(ON_REQUEST) == {"greedy-late", "replan-late", "consensus", "expectation", "hedge"}
    assert SUMMARY_ORDER[0] == BOUND and sorted(SUMMARY_ORDER) == sorted(POLICIES)


def test_the_default_policies_add_the_models_own_algorithm(tiny_model):
    assert default_policies() == list(BASELINES)
    assert default_policies(tiny_model / "best.zip") == [*BASELINES, "maskable-ppo"]
    assert default_policies(tiny_model) == [*BASELINES, "maskable-ppo"]  # a training folder


def test_the_evaluate_help_lists_every_registered_policy():
    out = subprocess.run([sys.executable, "-m", "mmroute", "evaluate", "--help"],
                         capture_output=True, text=True, check=True).stdout
    text = " ".join(out.split())
    assert all(name in text for name in POLICIES)


def test_as_scenario_passes_a_scenario_loads_a_name_or_path_and_refuses_the_rest(tmp_path):
    sc = load("tiny")
    assert as_scenario(sc) is sc
    assert isinstance(as_scenario("tiny"), Scenario)
    from mmroute.scenarios import bundled_path

    assert as_scenario(bundled_path("tiny")).name == sc.name
    with pytest.raises(InputError, match="scenario: expected a str or PurePath, got int"):
        as_scenario(3)
    with pytest.raises(InputError, match="no such file"):
        as_scenario(tmp_path / "missing.yaml")


def test_shaping_is_potential_based_and_the_wrapper_uses_it():
    env = RerouteEnv("tiny")
    wrapped = ShapedReward(RerouteEnv("tiny"), gamma=0.9)
    shaping = Shaping(0.9)
    _, info = env.reset(seed=4)
    wrapped.reset(seed=4)
    shaping.start(info)
    phi0 = potential(info)
    total_raw = total_shaped = 0.0
    discount = 1.0
    done = False
    while not done:
        _, r, done, _, info = env.step(0)
        _, r2, _, _, _ = wrapped.step(0)
        assert r2 == shaping.reward(r, info, done)
        total_raw += discount * r
        total_shaped += discount * r2
        discount *= 0.9
    # shaped returns differ from the raw ones by -Phi(s0) (Phi = 0 at the end)
    assert total_shaped == pytest.approx(total_raw - phi0, rel=1e-9, abs=1e-9)
