"""Imitation warm start: behaviour cloning of an expert's decisions before PPO.

The expert is the clairvoyant ``hindsight`` plan of each *training* episode (cheap: one MIP
per episode) or the ``replan`` policy (one MIP per news). Demonstrations record, at every
decision where the expert's move is one of the env's candidate slots, the observation, the
mask, the expert's slot and the discounted (shaped) return that followed. Imitating the
clairvoyant from observations that hold no future is the anticipative-imitation idea of
Baty et al. (2023): the agent learns which candidate *usually* turns out best in hindsight,
given only what is known. PPO then fine-tunes from the cloned policy and value.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import numpy as np

from mmroute.envs.simulator import Move
from mmroute.errors import InputError

__all__ = ["Demonstrations", "demonstrations", "clone", "merge", "slot_of", "EXPERTS"]

EXPERTS = ("hindsight", "replan")


@dataclass(frozen=True)
class Demonstrations:
    """An expert's decisions: ``observations`` (N, D), ``masks`` (N, K), ``actions`` (N,),
    ``returns`` (N,) discounted shaped returns (reward units); ``decisions`` all decisions
    seen, of which ``len(actions)`` matched a slot; ``episode_cost_cny`` the mean cost of the
    episodes recorded (the expert's, or the learner's under DAgger)."""

    observations: np.ndarray
    masks: np.ndarray
    actions: np.ndarray
    returns: np.ndarray
    episodes: int
    decisions: int
    episode_cost_cny: float

    def summary(self) -> str:
        n = len(self.actions)
        return (f"{self.episodes} episodes, {n} of {self.decisions} decisions in the slots "
                f"({n / max(1, self.decisions):.0%}), mean episode cost "
                f"{self.episode_cost_cny:,.0f} CNY")


def slot_of(env, move: int | Move) -> int | None:
    """The env slot that carries out ``move``, or ``None``; a slot that is not allowed is
    the first allowed one (what :meth:`RerouteEnv.step` does with it)."""
    from mmroute.agents.policies import carries_out

    slots = env.slots
    if not isinstance(move, Move):
        j = int(move)
        if 0 <= j < len(slots) and slots[j] is not None:
            return j
        return next(i for i, c in enumerate(slots) if c is not None)
    now = env.sim.now + 1e-6

    def starts_alike(m: Move) -> bool:  # a truck now is no truck later (no slot offers that)
        return m.kind != "road" or ((m.depart_h or 0.0) <= now) == ((move.depart_h or 0.0) <= now)

    return next((j for j, c in enumerate(slots)
                 if c is not None and carries_out(c.move, move) and starts_alike(c.move)), None)


def _clairvoyant(time_limit_s: float, seed: int):
    """The hindsight expert for any state: re-plans from the current state with the whole
    realization known (every event, every late order) whenever the state left its plan."""
    from mmroute.agents.policies import ReplanPolicy
    from mmroute.envs.known import plan_state
    from mmroute.routing.plan import replan

    class Clairvoyant(ReplanPolicy):
        name = "hindsight"
        clairvoyant = True

        def _news(self, env):
            return ()  # everything is known from the start

        def _solve(self, env):
            r = env.realization
            self.plan = replan(r.scenario(env.scenario), plan_state(env.sim), r.events,
                               time_limit_s=self.time_limit_s, seed=self.seed,
                               initial=self.plan)
            self.solves += 1
            self.anchor(env)

    return Clairvoyant(time_limit_s=time_limit_s, seed=seed)


def demonstrations(scenario, seeds, *, expert: str = "hindsight", n_candidates: int = 8,
                   gamma: float = 0.99, shaping: bool = True, time_limit_s: float = 10.0,
                   seed: int = 0, learner=None, maskable: bool = True, beta: float = 0.0,
                   progress=None) -> Demonstrations:
    """Run the realizations of ``seeds`` and record ``expert``'s decision at every state.

    Without ``learner`` the expert acts (behaviour cloning). With a ``learner`` (a model with
    SB3's ``predict``; ``maskable``: it takes ``action_masks``) the learner acts — the
    expert's own move with probability ``beta`` — and the expert labels the states the
    learner visits (DAgger, Ross et al. 2011); the ``hindsight`` expert then re-plans
    clairvoyantly from each state it did not plan for. Draw ``seeds`` from the training
    range (:data:`mmroute.agents.seeds.TRAINING`), as :func:`~mmroute.agents.train` does.
    """
    from mmroute.agents.evaluation import _scenario
    from mmroute.agents.policies import make_policy
    from mmroute.agents.training import potential
    from mmroute.envs.reroute import RerouteEnv
    from mmroute.world.realization import realize

    if expert not in EXPERTS:
        raise InputError(f"expert must be one of {', '.join(EXPERTS)}, not {expert!r}",
                         field="expert")
    sc = _scenario(scenario)
    seeds = list(seeds)
    env = RerouteEnv(sc, n_candidates=n_candidates)
    if learner is not None and expert == "hindsight":
        pol = _clairvoyant(time_limit_s, seed)
    else:
        pol = make_policy(expert, time_limit_s=time_limit_s, seed=seed)
    rng = np.random.default_rng([seed, 11])
    obs_l, mask_l, act_l, ret_l = [], [], [], []
    decisions, costs = 0, []
    for i, s in enumerate(seeds):
        obs, info = env.reset(options={"realization": realize(sc, s)})
        pol.reset(env)
        phi = potential(info)
        rewards, keep, done, total = [], [], False, 0.0
        while not done:
            a = pol.act(env)
            j = slot_of(env, a)
            if j is not None:
                obs_l.append(obs)
                mask_l.append(env.action_masks())
                act_l.append(j)
                keep.append(len(rewards))
            decisions += 1
            if learner is not None and not (beta > 0 and rng.random() < beta):
                masks = {"action_masks": env.action_masks()} if maskable else {}
                a, _ = learner.predict(obs, deterministic=True, **masks)
                a = int(a)
            obs, r, done, _, info = env.step_move(a) if isinstance(a, Move) else env.step(a)
            total += info["cost"]
            if shaping:
                phi2 = potential(info, done)
                r = r + gamma * phi2 - phi
                phi = phi2
            rewards.append(r)
        g, rets = 0.0, np.empty(len(rewards))
        for t in range(len(rewards) - 1, -1, -1):
            g = rewards[t] + gamma * g
            rets[t] = g
        ret_l.extend(rets[keep])
        costs.append(total)
        if progress is not None:
            progress(i + 1, len(seeds))
    if not act_l:
        raise InputError(f"the {expert} expert made no decision a candidate slot carries out",
                         field="expert")
    return Demonstrations(observations=np.asarray(obs_l, dtype=np.float32),
                          masks=np.asarray(mask_l, dtype=bool),
                          actions=np.asarray(act_l, dtype=np.int64),
                          returns=np.asarray(ret_l, dtype=np.float32), episodes=len(seeds),
                          decisions=decisions, episode_cost_cny=float(np.mean(costs)))


def merge(a: Demonstrations, b: Demonstrations) -> Demonstrations:
    """Both sets of demonstrations as one (DAgger's aggregate)."""
    n = a.episodes + b.episodes
    return Demonstrations(
        observations=np.concatenate([a.observations, b.observations]),
        masks=np.concatenate([a.masks, b.masks]), actions=np.concatenate([a.actions, b.actions]),
        returns=np.concatenate([a.returns, b.returns]), episodes=n,
        decisions=a.decisions + b.decisions,
        episode_cost_cny=(a.episode_cost_cny * a.episodes + b.episode_cost_cny * b.episodes) / n)


def clone(model, demos: Demonstrations, *, epochs: int = 20, batch_size: int = 256,
          learning_rate: float = 1e-3, value_coef: float = 0.5, seed: int = 0) -> list[float]:
    """Behaviour cloning into an SB3 (Maskable)PPO ``model``'s policy, in place: cross-entropy
    of the expert's slot under the (masked) action distribution, plus ``value_coef`` x the
    value head's squared error on the demonstrations' returns. Returns the mean loss per
    epoch. The model's own optimizer state is left as it was."""
    import torch as th

    policy = model.policy
    maskable = "action_masks" in inspect.signature(policy.evaluate_actions).parameters
    opt = th.optim.Adam(policy.parameters(), lr=learning_rate)
    rng = np.random.default_rng(seed)
    n = len(demos.actions)
    obs = th.as_tensor(demos.observations)
    acts = th.as_tensor(demos.actions)
    rets = th.as_tensor(demos.returns)
    masks = demos.masks
    losses = []
    policy.set_training_mode(True)
    for _ in range(epochs):
        order = rng.permutation(n)
        total = 0.0
        for lo in range(0, n, batch_size):
            idx = order[lo:lo + batch_size]
            if maskable:
                values, logp, _ = policy.evaluate_actions(obs[idx], acts[idx],
                                                          action_masks=masks[idx])
            else:
                values, logp, _ = policy.evaluate_actions(obs[idx], acts[idx])
            loss = -logp.mean() + value_coef * th.nn.functional.mse_loss(values.flatten(),
                                                                        rets[idx])
            opt.zero_grad()
            loss.backward()
            th.nn.utils.clip_grad_norm_(policy.parameters(), 0.5)
            opt.step()
            total += float(loss.detach()) * len(idx)
        losses.append(total / n)
    policy.set_training_mode(False)
    return losses
