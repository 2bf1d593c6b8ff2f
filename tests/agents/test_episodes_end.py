"""Every episode ends, for every policy and seed: a move that cannot be carried out is
refused (the policy falls back to an allowed one), and a decision that repeats without the
clock moving stops the episode with :class:`StuckEpisode` instead of spinning forever."""

from __future__ import annotations

import pytest

from mmroute.agents.hedge import shipped_hedge_card
from mmroute.agents.policies import make_policy
from mmroute.agents.registry import POLICIES
from mmroute.agents.shipped import shipped_model
from mmroute.envs.reroute import RerouteEnv
from mmroute.envs.simulator import Move, Simulator, StuckEpisode
from mmroute.errors import InputError
from mmroute.world.realization import realize

STOCHASTIC = ("liuzhou-asean", "yangtze-inbound", "china-europe")
#: yangtze-inbound, static: a departure cancelled by a fog closure at the very hour it was
#: due was booked again and again at that hour (found on a range of fresh seeds)
LOOPED = (300133, 300145, 300167, 300182)


def play(env: RerouteEnv, policy, seed: int, cap: int) -> int:
    """Steps of one episode of ``policy`` on ``seed``; fails past ``cap`` steps."""
    env.reset(options={"realization": realize(env.scenario, seed)})
    policy.reset(env)
    done, steps = False, 0
    while not done:
        a = policy.act(env)
        _, _, done, _, _ = env.step_move(a) if isinstance(a, Move) else env.step(a)
        steps += 1
        assert steps <= cap, f"seed {seed}: more than {cap} steps, the clock at {env.sim.now} h"
    return steps


def cap_of(env: RerouteEnv) -> int:
    return 60 * (len(env.scenario.shipments) + 20)


@pytest.mark.parametrize("seed", LOOPED)
def test_bug_static_booked_a_cancelled_departure_again_and_again(seed):
    env = RerouteEnv("yangtze-inbound")
    play(env, make_policy("static", scenario=env.scenario), seed, cap_of(env))


def test_a_departure_known_cancelled_is_not_bookable_and_not_accepted():
    env = RerouteEnv("yangtze-inbound")
    pol = make_policy("static", scenario=env.scenario)
    env.reset(options={"realization": realize(env.scenario, LOOPED[0])})
    pol.reset(env)
    move = Move.service("TGD-CQG-barge", 372.0)
    while not (env.sim.now >= 372.0 and env.decision is not None
               and env.decision.node == "TGD-LOCK"):
        a = pol.act(env)
        env.step_move(a) if isinstance(a, Move) else env.step(a)
    assert not env.sim.known().is_open("TGD-CQG-barge", 372.0)
    assert not env.sim.bookable(move)
    with pytest.raises(InputError, match="cancelled"):
        env.sim.apply(move)


def test_a_decision_repeating_without_the_clock_moving_stops_the_episode(monkeypatch):
    """The guard, with the bug put back: the cancelled departure is accepted again."""
    monkeypatch.setattr(Simulator, "_service_error", lambda self, c, d, move: None)
    env = RerouteEnv("yangtze-inbound")
    with pytest.raises(StuckEpisode, match="without the clock moving, the last by .* at TGD-LOCK"):
        play(env, make_policy("static", scenario=env.scenario), LOOPED[0], 10**6)


@pytest.mark.parametrize("name", STOCHASTIC)
def test_every_policy_ends_on_fresh_seeds_small(name):
    """The fast sibling of the sweep below: a few fresh evaluation seeds."""
    env = RerouteEnv(name)
    model = shipped_model(name)
    for policy in ("random", "greedy", "static", "hindsight", "maskable-ppo"):
        if policy == "maskable-ppo" and model is None:
            continue
        pol = make_policy(policy, scenario=env.scenario, model=model)
        for seed in range(50_000, 50_003):
            play(env, pol, seed, cap_of(env))


@pytest.mark.slow
@pytest.mark.parametrize("name", STOCHASTIC)
def test_every_policy_ends_on_hundreds_of_fresh_seeds(name):
    """Every registered policy (the learned ones with the shipped model) over fresh
    evaluation seeds with a step cap: 300 seeds, 40 for the policies that re-plan with the MIP
    at every revealed event, 5 for those that re-plan S sampled futures too."""
    env = RerouteEnv(name)
    model = shipped_model(name)
    for policy in POLICIES:
        if policy in ("ppo", "maskable-ppo") and (model is None or policy != "maskable-ppo"):
            continue
        if policy == "hedge" and shipped_hedge_card(name) is None:  # fitted per scenario
            continue
        n = (5 if policy in ("consensus", "expectation")  # S + 1 MIPs per re-planning point
             else 40 if policy in ("replan", "replan-late", "anticipate", "hedge") else 300)
        pol = make_policy(policy, scenario=env.scenario, model=model)
        for seed in range(50_000, 50_000 + n):
            play(env, pol, seed, cap_of(env))
