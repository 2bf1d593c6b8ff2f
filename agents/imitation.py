"""Imitation warm start: behaviour cloning of an expert's decisions before PPO.

The expert is the clairvoyant ``hindsight`` plan of each *training* episode (cheap: one MIP
per episode), the ``replan`` policy (one MIP per news) or ``replan-late`` (``replan`` that
holds a move until it leaves: a non-anticipative expert that waits, whose holds are labelled
with the env's hold slot where it has one; :func:`slot_of`). Demonstrations record, at every
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

from mmroute.agents.policies import ReplanPolicy, carries_out, make_policy
from mmroute.agents.registry import BOUND, EXPERTS
from mmroute.agents.rollout import masked_predict, rollout
from mmroute.agents.shaping import Shaping
from mmroute.envs.known import plan_state
from mmroute.envs.reroute import RerouteEnv
from mmroute.envs.simulator import Move
from mmroute.errors import InputError
from mmroute.routing.plan import replan
from mmroute.scenarios import as_scenario
from mmroute.world.realization import realize

__all__ = ["Demonstrations", "demonstrations", "clone", "merge", "slot_of", "EXPERTS",
           "Clairvoyant"]



@dataclass(frozen=True)
class Demonstrations:
    """An expert's decisions: ``observations`` (N, D), ``masks`` (N, K), ``actions`` (N,),
    ``returns`` (N,) discounted shaped returns (reward units); ``decisions`` all decisions
    seen, of which ``len(actions)`` matched a slot; ``episode_cost_cny`` the mean cost of the
    episodes recorded (the expert's, or the learner's under DAgger); ``holds`` the expert's
    decisions that were a hold (:meth:`Move.hold <mmroute.envs.Move.hold>`), of which
    ``hold_labels`` matched the env's hold slot (``same_hour_holds`` of them until the slot's
    own hour)."""

    observations: np.ndarray
    masks: np.ndarray
    actions: np.ndarray
    returns: np.ndarray
    episodes: int
    decisions: int
    episode_cost_cny: float
    holds: int = 0
    hold_labels: int = 0
    same_hour_holds: int = 0

    def summary(self) -> str:
        n = len(self.actions)
        text = (f"{self.episodes} episodes, {n} of {self.decisions} decisions in the slots "
                f"({n / max(1, self.decisions):.0%}), mean episode cost "
                f"{self.episode_cost_cny:,.0f} CNY")
        if self.holds:
            text += (f"; {self.holds} expert holds, {self.hold_labels} in the hold slot "
                     f"({self.same_hour_holds} until its hour)")
        return text


def slot_of(env, move: int | Move) -> int | None:
    """The env slot that carries out ``move``, or ``None``; a slot that is not allowed is
    the first allowed one (what :meth:`RerouteEnv.step` does with it).

    A hold (an expert that commits late, ``replan-late``) is the env's hold slot
    (``hold="latest"`` or ``"reserved"``) whatever hour either holds until: both mean "stay, committed to
    nothing, and decide again later", which is the choice the agent learns; the slot's hour
    (the latest that keeps slot 0's connection) and the expert's (when its own plan's move
    leaves) need not agree, and the agent holds until the slot's. Without a hold slot a hold
    is ``None`` (not labelled)."""
    slots = env.slots
    if not isinstance(move, Move):
        j = int(move)
        if 0 <= j < len(slots) and slots[j] is not None:
            return j
        return next(i for i, c in enumerate(slots) if c is not None)
    if move.kind == "hold":
        return next((j for j, c in enumerate(slots) if c is not None and c.move.kind == "hold"),
                    None)
    now = env.sim.now + 1e-6

    def starts_alike(m: Move) -> bool:  # a truck now is no truck later (no slot offers that)
        return m.kind != "road" or ((m.depart_h or 0.0) <= now) == ((move.depart_h or 0.0) <= now)

    hit = next((j for j, c in enumerate(slots)
                if c is not None and carries_out(c.move, move) and starts_alike(c.move)), None)
    if hit is None and move.kind == "road" and (move.depart_h or 0.0) > now:
        # a truck later: the env's hold slot (hold not "off") where it holds slot 0's truck
        # on the same path until no later than the truck leaves
        best = slots[0]
        hit = next((j for j, c in enumerate(slots)
                    if c is not None and c.move.kind == "hold" and best is not None
                    and best.move.kind == "road" and best.move.path == move.path
                    and c.move.until_h <= move.depart_h + 1e-6), None)
    return hit


class Clairvoyant(ReplanPolicy):
    """The hindsight expert (:data:`~mmroute.agents.registry.BOUND`) for any state: re-plans from the current state with the whole
    realization known (every event, every late order) whenever the state left its plan."""

    name = BOUND
    clairvoyant = True

    def _news(self, env):
        return ()  # everything is known from the start

    def _solve(self, env):
        r = env.realization
        self.plan = replan(r.scenario(env.scenario), plan_state(env.sim), r.events,
                           time_limit_s=self.time_limit_s, seed=self.seed, initial=self.plan)
        self.solves += 1
        self.anchor(env)


class _Recorder:
    """A policy for :func:`~mmroute.agents.rollout.rollout` that asks ``expert`` at every
    state and records its slot (with the observation and the mask) where one carries its
    move out; it acts as the expert, or, with a ``learner``, as the learner (the expert with
    probability ``beta``). :meth:`on_step` keeps the (shaped) rewards for the returns."""

    def __init__(self, expert, *, learner, maskable: bool, beta: float, rng, gamma: float,
                 shaping: bool):
        self.expert, self.learner, self.maskable = expert, learner, maskable
        self.beta, self.rng, self.gamma = beta, rng, gamma
        self.shaping = Shaping(gamma) if shaping else None
        self.observations: list[np.ndarray] = []
        self.masks: list[np.ndarray] = []
        self.actions: list[int] = []
        self.returns: list[float] = []
        self.decisions = 0
        self.holds = self.hold_labels = self.same_hour_holds = 0

    def reset(self, env) -> None:
        self.expert.reset(env)
        if self.shaping is not None:
            self.shaping.start({"potential_cny": env.potential_cny(),
                                "cost_scale_cny": env.cost_scale})
        self._rewards: list[float] = []
        self._keep: list[int] = []

    def act(self, env) -> int | Move:
        obs = env.observation()
        a = self.expert.act(env)
        j = slot_of(env, a)
        if isinstance(a, Move) and a.kind == "hold":
            self.holds += 1
            if j is not None:
                self.hold_labels += 1
                self.same_hour_holds += abs(env.slots[j].move.until_h - a.until_h) < 1e-6
        if j is not None:
            self.observations.append(obs)
            self.masks.append(env.action_masks())
            self.actions.append(j)
            self._keep.append(len(self._rewards))
        self.decisions += 1
        if self.learner is not None and not (self.beta > 0 and self.rng.random() < self.beta):
            a, _ = masked_predict(self.learner, obs, action_masks=env.action_masks(),
                                  maskable=self.maskable)
            a = int(a)
        return a

    def on_step(self, env, action, info) -> None:
        r = -info["cost"] / info["cost_scale_cny"]  # the env's reward
        if self.shaping is not None:
            r = self.shaping.reward(r, info, env.decision is None)
        self._rewards.append(r)

    def end_episode(self) -> None:
        """The discounted returns of the episode's recorded states."""
        g, rets = 0.0, np.empty(len(self._rewards))
        for t in range(len(self._rewards) - 1, -1, -1):
            g = self._rewards[t] + self.gamma * g
            rets[t] = g
        self.returns.extend(rets[self._keep])


def demonstrations(scenario, seeds, *, expert: str = "hindsight", n_candidates: int = 8,
                   hold: str = "off", gamma: float = 0.99, shaping: bool = True, time_limit_s: float = 10.0,
                   seed: int = 0, learner=None, maskable: bool = True, beta: float = 0.0,
                   progress=None, max_steps: int | None = None,
                   episode_steps: int = 0) -> Demonstrations:
    """Run the realizations of ``seeds`` and record ``expert``'s decision at every state.

    Without ``learner`` the expert acts (behaviour cloning). With a ``learner`` (a model with
    SB3's ``predict``; ``maskable``: it takes ``action_masks``) the learner acts — the
    expert's own move with probability ``beta`` — and the expert labels the states the
    learner visits (DAgger, Ross et al. 2011); the ``hindsight`` expert then re-plans
    clairvoyantly from each state it did not plan for, the others re-plan as they do when
    they act (on what is known). Draw ``seeds`` from the training
    range (:data:`mmroute.agents.seeds.TRAINING`), as :func:`~mmroute.agents.train` does.

    ``max_steps`` bounds the env steps (``decisions``) of all episodes: no episode starts
    once one as long as the longest so far (at least ``episode_steps``) would pass it, so
    fewer than ``len(seeds)`` episodes may run (``episodes`` says how many).
    ``progress(done, total)`` is called after each episode.
    """
    if expert not in EXPERTS:
        raise InputError(f"expert must be one of {', '.join(EXPERTS)}, not {expert!r}",
                         field="expert")
    sc = as_scenario(scenario)
    seeds = list(seeds)
    env = RerouteEnv(sc, n_candidates=n_candidates, hold=hold)
    if learner is not None and expert == BOUND:
        pol = Clairvoyant(time_limit_s=time_limit_s, seed=seed)
    else:
        pol = make_policy(expert, time_limit_s=time_limit_s, seed=seed)
    rec = _Recorder(pol, learner=learner, maskable=maskable, beta=beta, gamma=gamma,
                    rng=np.random.default_rng([seed, 11]), shaping=shaping)
    costs = []
    longest = episode_steps
    for i, s in enumerate(seeds):
        if max_steps is not None and rec.decisions + longest > max_steps:
            break
        before = rec.decisions
        costs.append(rollout(env, rec, realize(sc, s), on_step=rec.on_step).cost_cny)
        longest = max(longest, rec.decisions - before)
        rec.end_episode()
        if progress is not None:
            progress(i + 1, len(seeds))
    if not rec.actions:
        raise InputError(f"the {expert} expert made no decision a candidate slot carries out",
                         field="expert")
    return Demonstrations(observations=np.asarray(rec.observations, dtype=np.float32),
                          masks=np.asarray(rec.masks, dtype=bool),
                          actions=np.asarray(rec.actions, dtype=np.int64),
                          returns=np.asarray(rec.returns, dtype=np.float32),
                          episodes=len(costs), decisions=rec.decisions,
                          episode_cost_cny=float(np.mean(costs)), holds=rec.holds,
                          hold_labels=rec.hold_labels, same_hour_holds=rec.same_hour_holds)


def merge(a: Demonstrations, b: Demonstrations) -> Demonstrations:
    """Both sets of demonstrations as one (DAgger's aggregate)."""
    n = a.episodes + b.episodes
    return Demonstrations(
        observations=np.concatenate([a.observations, b.observations]),
        masks=np.concatenate([a.masks, b.masks]), actions=np.concatenate([a.actions, b.actions]),
        returns=np.concatenate([a.returns, b.returns]), episodes=n,
        decisions=a.decisions + b.decisions,
        episode_cost_cny=(a.episode_cost_cny * a.episodes + b.episode_cost_cny * b.episodes) / n,
        holds=a.holds + b.holds, hold_labels=a.hold_labels + b.hold_labels,
        same_hour_holds=a.same_hour_holds + b.same_hour_holds)


def clone(model, demos: Demonstrations, *, epochs: int = 20, batch_size: int = 256,
          learning_rate: float = 1e-3, value_coef: float = 0.5, seed: int = 0,
          progress=None) -> list[float]:
    """Behaviour cloning into an SB3 (Maskable)PPO ``model``'s policy, in place: cross-entropy
    of the expert's slot under the (masked) action distribution, plus ``value_coef`` x the
    value head's squared error on the demonstrations' returns. Returns the mean loss per
    epoch. The model's own optimizer state is left as it was. ``progress(done, total)`` is
    called after each epoch."""
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
        if progress is not None:
            progress(len(losses), epochs)
    policy.set_training_mode(False)
    return losses
