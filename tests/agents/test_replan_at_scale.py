"""ReplanPolicy's re-plans at scale: the episode's Replanner finds the cost of a from-scratch
re-plan at every re-plan, and scoped re-plans (a generated month) end their episode."""

from __future__ import annotations

import pytest

from mmroute.agents import policies
from mmroute.agents.policies import ReplanPolicy
from mmroute.agents.rollout import rollout
from mmroute.envs.known import known_scenario, plan_state
from mmroute.envs.reroute import RerouteEnv
from mmroute.errors import InputError
from mmroute.routing.plan import replan
from mmroute.scenarios import load
from mmroute.scenarios.scaling import scale
from mmroute.world.realization import realize


class _Compared(ReplanPolicy):
    """Each of its first ``n`` re-plans also solved from scratch: (fast, from scratch)."""

    def __init__(self, n: int, **kw):
        super().__init__(**kw)
        self.n, self.pairs = n, []

    def _replan(self, env, time_limit_s):
        plan = super()._replan(env, time_limit_s)
        if len(self.pairs) < self.n:
            sim = env.sim
            ref = replan(known_scenario(sim), plan_state(sim), self.events(env),
                         time_limit_s=time_limit_s, seed=self.seed, initial=self.plan,
                         tables=env.tables.world)
            self.pairs.append((plan.objective, ref.objective))
        return plan


@pytest.mark.parametrize("name", ["tiny", pytest.param("liuzhou-asean", marks=pytest.mark.slow)])
def test_the_replanner_in_the_policy_finds_the_from_scratch_cost(name):
    sc = load(name)
    env = RerouteEnv(sc)
    pol = _Compared(4, time_limit_s=30, incremental=True)
    rollout(env, pol, realize(sc, 0))
    assert not pol._scoped and pol.replanner.calls >= len(pol.pairs) > 0
    for fast, ref in pol.pairs:
        assert abs(fast - ref) <= 1e-6 * max(1.0, abs(ref))


def test_scoped_replans_end_an_episode_of_a_generated_month(monkeypatch):
    sc = scale(load("liuzhou-asean"), consignments=16, seed=2)
    monkeypatch.setattr(policies, "SCOPED_FROM", 16)  # the default scope rule, at this size
    env = RerouteEnv(sc)
    pol = ReplanPolicy(time_limit_s=30)
    ro = rollout(env, pol, realize(sc, 1))
    rp = pol.replanner
    assert pol._scoped and ro.result.decisions > 0 and ro.sim.done
    assert rp.scoped_calls > 0 and rp.scoped_unchanged > 0 and rp.scoped_fallbacks == 0
    assert rp.kept_shipments > rp.scoped_shipments  # most consignments kept, re-plan by re-plan
    assert pol.solves == 1 + rp.scoped_calls  # the plan at reset + the scoped re-plans


def test_scoped_is_checked():
    with pytest.raises(InputError):
        ReplanPolicy(scoped="yes")
    env = RerouteEnv("tiny")
    pol = ReplanPolicy()
    env.reset(seed=0)
    pol.reset(env)
    # small scenarios: full re-plans from scratch, at decisions
    assert not pol._scoped and pol.plan is None and pol.replanner is None
