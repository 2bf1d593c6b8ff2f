"""Potential-based reward shaping (Ng, Harada & Russell 1999): ``r + gamma * Phi(s') - Phi(s)``
with ``Phi = -potential_cny / cost scale``, the expected cost still to come of the released
consignments (see ``RerouteEnv.potential_cny``). A choice the candidates' estimates expect to
cost more shows at once, not only when its costs arrive; the optimal policy is the same.

One definition for both users: :class:`ShapedReward` (training) and the demonstrations'
returns (:mod:`mmroute.agents.imitation`).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym

__all__ = ["potential", "Shaping", "ShapedReward"]


def potential(info: dict[str, Any], terminated: bool = False) -> float:
    """The shaping potential ``Phi`` of a step's ``info``, in reward units: minus the
    expected cost still to come over the cost scale; 0 at the end."""
    return 0.0 if terminated else -info["potential_cny"] / info["cost_scale_cny"]


class Shaping:
    """The shaped rewards of one episode, step by step: :meth:`start` with the reset's
    ``info``, then :meth:`reward` for each step."""

    def __init__(self, gamma: float):
        self.gamma = gamma
        self._phi = 0.0

    def start(self, info: dict[str, Any]) -> None:
        """A new episode from the state that ``info`` (the reset's) describes."""
        self._phi = potential(info)

    def reward(self, r: float, info: dict[str, Any], terminated: bool) -> float:
        """The step's reward ``r`` shaped (reward units)."""
        phi = potential(info, terminated)
        r = r + self.gamma * phi - self._phi
        self._phi = phi
        return r


class ShapedReward(gym.Wrapper):
    """:class:`Shaping` as a wrapper for training. Monitor episode returns stay the env's own
    (the wrapper sits outside Monitor)."""

    def __init__(self, env: gym.Env, gamma: float):
        super().__init__(env)
        self.gamma = gamma
        self._shaping = Shaping(gamma)

    def reset(self, **kw):
        obs, info = self.env.reset(**kw)
        self._shaping.start(info)
        return obs, info

    def step(self, action):
        obs, r, term, trunc, info = self.env.step(action)
        return obs, self._shaping.reward(r, info, term), term, trunc, info

    def action_masks(self):
        return self.env.unwrapped.action_masks()
