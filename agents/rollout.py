"""One episode of one policy on one realization: the loop that evaluation, validation during
training and imitation all run (SB3's ``evaluate_policy`` accepts anything with ``predict``;
ours accepts a :class:`~mmroute.agents.policies.Policy` or an SB3 model).

:func:`masked_predict` is the one place where an action mask goes to a model that takes one
(MaskablePPO) and not to one that does not (PPO).
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from mmroute.envs.reroute import RerouteEnv
from mmroute.envs.simulator import Move, Simulator
from mmroute.errors import InputError
from mmroute.world.realization import Realization

__all__ = ["Rollout", "rollout", "masked_predict", "takes_masks", "ModelPolicy", "as_policy"]


def takes_masks(model: Any) -> bool:
    """Whether ``model.predict`` takes ``action_masks`` (MaskablePPO does, PPO does not)."""
    return "action_masks" in inspect.signature(model.predict).parameters


def masked_predict(model: Any, observation: np.ndarray, *, action_masks: np.ndarray | None,
                   deterministic: bool = True, maskable: bool | None = None, state=None,
                   episode_start=None):
    """``model.predict(...)`` (SB3's signature, ``(action, state)``), with ``action_masks``
    passed only to a maskable model (``maskable``: ``None`` asks :func:`takes_masks`)."""
    if maskable is None:
        maskable = takes_masks(model)
    if maskable:
        return model.predict(observation, state=state, episode_start=episode_start,
                             deterministic=deterministic, action_masks=action_masks)
    return model.predict(observation, state=state, episode_start=episode_start,
                         deterministic=deterministic)


class ModelPolicy:
    """An SB3 model (anything with ``predict``) as a policy: its action for the env's current
    observation, masked if the model takes masks (``maskable``: ``None`` asks the model)."""

    def __init__(self, model: Any, *, deterministic: bool = True, maskable: bool | None = None):
        self.model = model
        self.deterministic = deterministic
        self.maskable = takes_masks(model) if maskable is None else maskable

    def reset(self, env: RerouteEnv) -> None:
        """Nothing to prepare (a feed-forward model keeps no state)."""

    def act(self, env: RerouteEnv) -> int:
        a, _ = masked_predict(self.model, env.observation(), action_masks=env.action_masks(),
                              deterministic=self.deterministic, maskable=self.maskable)
        return int(a)


def as_policy(policy: Any):
    """``policy`` if it acts on an env (``reset(env)`` / ``act(env)``), an SB3 model wrapped
    in :class:`ModelPolicy`, else :class:`InputError`."""
    if callable(getattr(policy, "act", None)):
        return policy
    if callable(getattr(policy, "predict", None)):
        return ModelPolicy(policy)
    raise InputError(f"expected a policy (act(env)) or a model (predict), not "
                     f"{type(policy).__name__}", field="policy")


@dataclass(frozen=True, kw_only=True)
class Rollout:
    """A finished episode: ``cost_cny`` the sum of the steps' costs (the score every policy
    is judged by), ``sim`` the finished simulator, ``steps`` the decisions taken,
    ``policy_s`` the policy's wall time (its ``reset`` included), ``decision_s`` the wall
    time of each decision (``act``; its ``reset`` not included)."""

    cost_cny: float
    sim: Simulator
    steps: int
    policy_s: float
    decision_s: tuple[float, ...] = ()

    @property
    def result(self):
        """The simulator's :class:`~mmroute.envs.EpisodeResult`."""
        return self.sim.result()


def rollout(env: RerouteEnv, policy: Any, realization: Realization, *,
            on_step: Callable[[RerouteEnv, int | Move, dict[str, Any]], None] | None = None
            ) -> Rollout:
    """Run ``policy`` (a :class:`~mmroute.agents.policies.Policy` or an SB3 model) on ``env``
    through the episode of ``realization``; ``on_step(env, action, info)`` after every
    step. An action that is a :class:`~mmroute.envs.Move` goes to ``env.step_move``."""
    pol = as_policy(policy)
    env.reset(options={"realization": realization})
    t0 = time.perf_counter()
    pol.reset(env)
    spent = time.perf_counter() - t0
    done, cost, steps = False, 0.0, 0
    times: list[float] = []
    while not done:
        t0 = time.perf_counter()
        a = pol.act(env)
        times.append(time.perf_counter() - t0)
        spent += times[-1]
        _, _, done, _, info = env.step_move(a) if isinstance(a, Move) else env.step(a)
        cost += info["cost"]
        steps += 1
        if on_step is not None:
            on_step(env, a, info)
    return Rollout(cost_cny=cost, sim=env.sim, steps=steps, policy_s=spent,
                   decision_s=tuple(times))
