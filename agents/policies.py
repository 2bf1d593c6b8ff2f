"""Policies for ``mmroute/Reroute-v0``: one interface for OR baselines, the hindsight oracle
and PPO agents.

Every policy has ``reset(env)`` (called after ``env.reset``) and ``act(env)``, which returns
an action slot (``int``) or a :class:`~mmroute.envs.Move` the decision allows (OR policies
following a plan may pick a move outside the candidate slots, e.g. a later departure their
plan waits for; :meth:`RerouteEnv.step_move`, :meth:`~mmroute.envs.Simulator.bookable`).
``predict(obs, ...)`` keeps SB3's signature for the learned ones. Names, classes and facts
(OR baseline, learned, clairvoyant) are registered in :mod:`mmroute.agents.registry`;
:func:`make_policy` builds one by name.

* ``random`` — uniform over the allowed slots (drop included);
* ``greedy`` — slot 0, the cheapest expected continuation under known conditions;
* ``greedy-late`` — greedy's move committed late: held until the latest hour that still
  makes its connection (:func:`mmroute.envs.hold.hold_candidate`), then decided again;
* ``static`` — the optimal plan at time 0 on expected conditions, followed; where its next
  leg is closed, full or missed (or for a late order), the best allowed candidate;
* ``replan`` — re-plans (MIP, warm-started with the plan it follows) from the current state
  whenever something new is known; with ``decision_budget_s``, a re-plan that does not finish
  within it is abandoned and the policy acts on its incumbent (see :class:`ReplanPolicy`);
* ``replan-late`` — ``replan`` that commits late: where its plan's next move leaves later
  than now (a truck ordered for later, a departure whose cut-off is later), it holds
  (:meth:`Move.hold <mmroute.envs.Move.hold>`) until then instead of booking now, and
  decides again then with what is known (see :func:`commit_late`);
* ``anticipate`` — re-plans like ``replan`` on risk-adjusted conditions: the expected extra
  dwell and closure time of disruptions not yet seen, and the weather forecast;
* ``hindsight`` — the clairvoyant optimum of the realization (the bound);
* ``ppo`` / ``maskable-ppo`` — a trained model (SB3 / sb3-contrib zip).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np

from mmroute.agents.deadline import call_within, remaining_s
from mmroute.agents.registry import OR_POLICIES, POLICIES, entry
from mmroute.agents.rollout import masked_predict
from mmroute.envs.anticipation import risk_adjusted_events
from mmroute.envs.hold import cutoff_h, hold_candidate
from mmroute.envs.known import known_scenario, plan_state
from mmroute.envs.reroute import RerouteEnv
from mmroute.envs.simulator import Move, Option, moves_of, moves_of_legs
from mmroute.errors import InputError
from mmroute.routing.plan import Replanner, replan, replan_scoped, solve_hindsight, solve_plan
from mmroute.world.plan import Plan

__all__ = ["Policy", "RandomPolicy", "GreedyPolicy", "StaticPolicy", "ReplanPolicy",
           "ReplanLatePolicy", "GreedyLatePolicy", "AnticipatePolicy", "commit_late",
           "COMMITS", "HindsightPolicy", "PPOPolicy", "make_policy", "POLICIES",
           "OR_POLICIES"]


class Policy(ABC):
    """Base: a named policy acting on a :class:`RerouteEnv`."""

    name = "policy"
    clairvoyant = False

    @classmethod
    def make(cls, *, model: str | Path | None = None, scenario=None, time_limit_s: float = 10.0,
             seed: int = 0, decision_budget_s: float | None = None) -> Policy:
        """An instance from :func:`make_policy`'s options (each class takes what it uses)."""
        return cls()

    def reset(self, env: RerouteEnv) -> None:  # noqa: B027 - an optional hook, not abstract
        """Called after ``env.reset`` (most simple policies need nothing)."""

    @abstractmethod
    def act(self, env: RerouteEnv) -> int | Move:
        """The action for the env's pending decision: a slot or an allowed move."""


class RandomPolicy(Policy):
    """Uniform over the allowed slots, from its own seeded generator."""

    name = "random"

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)

    @classmethod
    def make(cls, *, seed: int = 0, **_) -> RandomPolicy:
        return cls(seed)

    def reset(self, env: RerouteEnv) -> None:
        self.rng = np.random.default_rng([env.realization.seed, 7])

    def act(self, env: RerouteEnv) -> int:
        return int(self.rng.choice(np.flatnonzero(env.action_masks())))


class GreedyPolicy(Policy):
    """The cheapest expected continuation: slot 0, or the drop slot where it is allowed and
    expected to cost less (every move is expected to end in a drop)."""

    name = "greedy"

    def act(self, env: RerouteEnv) -> int:
        slots = env.slots
        allowed = [j for j, c in enumerate(slots) if c is not None]
        return min(allowed, key=lambda j: (slots[j].score_cny, j))


class GreedyLatePolicy(GreedyPolicy):
    """Greedy's move, held where it can be (:func:`~mmroute.envs.hold.hold_candidate`: until
    the latest whole hour that still makes its connection); decided again then. The same
    hold as the environment's ``hold="latest"`` slot, on any environment."""

    name = "greedy-late"

    def act(self, env: RerouteEnv) -> int | Move:
        j = super().act(env)
        held = hold_candidate(env.sim, env.decision, env.slots[j], env.sim.known())
        return j if held is None else held.move


def carries_out(m: Move, move: Move) -> bool:
    """Whether the allowed move ``m`` carries out ``move`` (a plan's next leg): the same
    departure of the same service, the same road path (a decision offers each path once,
    now or when it reopens), or both drop."""
    if m.kind != move.kind:
        return False
    if m.kind == "service":
        return m.link == move.link and abs(m.timetable_h - move.timetable_h) < 1e-6
    if m.kind == "road":
        return m.path == move.path
    return True


def _matching(options: list[Option], move: Move) -> Move | None:
    """The allowed option that carries out ``move`` (a plan's next leg), or ``None``."""
    return next((o.move for o in options if carries_out(o.move, move)), None)


def _allowed(env: RerouteEnv, move: Move) -> Move | None:
    """What carries out a plan's next ``move`` at the pending decision, or ``None``: a drop;
    a departure the simulator lets the cargo book (also one later than the two next that
    :meth:`~mmroute.envs.Simulator.options` offers: the plan waits for it); the allowed
    option with the move's road path."""
    if move.kind == "drop" or env.sim.bookable(move):
        return move
    return _matching(env.sim.options(env.decision), move)


#: When a plan follower commits to its plan's next move: ``"now"`` (books it at once, also a
#: truck ordered for later or a departure days ahead) or ``"late"`` (:func:`commit_late`).
COMMITS = ("now", "late")


def commit_late(env: RerouteEnv, move: int | Move) -> int | Move:
    """``move`` (what a plan follower would take at the pending decision), committed as late
    as the plan allows: a road trip leaving later than now becomes a hold until it leaves; a
    scheduled departure whose cut-off comes later becomes a hold until the cut-off. The
    consignment then decides again at that time, with whatever is known then (a closure
    revealed meanwhile re-routes it instead of finding it committed). Anything else, and a
    hold the simulator refuses (:meth:`~mmroute.envs.Simulator.hold_error`: shorter than
    :data:`~mmroute.envs.simulator.MIN_HOLD_H`, or past the horizon), is ``move`` itself."""
    if not isinstance(move, Move):
        return move
    if move.kind == "road" and move.depart_h is not None:
        until = move.depart_h
    elif move.kind == "service":
        until = cutoff_h(env.sim, move)
    else:
        return move
    hold = Move.hold(until)
    return hold if env.sim.hold_error(hold) is None else move


class _PlanFollower(Policy):
    """Follows a plan's next move where the decision allows it, else the best candidate;
    ``commit="late"`` holds until the move leaves (:func:`commit_late`)."""

    def __init__(self, *, time_limit_s: float = 10.0, seed: int = 0,
                 decision_budget_s: float | None = None, commit: str = "now"):
        self.time_limit_s = time_limit_s
        self.seed = seed
        self.decision_budget_s = decision_budget(decision_budget_s)
        if commit not in COMMITS:
            raise InputError(f"commit must be one of {', '.join(COMMITS)}, not {commit!r}",
                             field="commit")
        self.commit = commit
        self.plan: Plan | None = None
        self.solves = 0
        self.budget_hits = 0

    @classmethod
    def make(cls, *, time_limit_s: float = 10.0, seed: int = 0,
             decision_budget_s: float | None = None, **_) -> _PlanFollower:
        return cls(time_limit_s=time_limit_s, seed=seed, decision_budget_s=decision_budget_s)

    def reset(self, env: RerouteEnv) -> None:
        self.plan = None
        self.solves = 0
        self.budget_hits = 0
        self._before: dict[str, int] = {}

    def anchor(self, env: RerouteEnv) -> None:
        """Remember, per consignment, how many of its legs come before the plan's itinerary
        (legs travelled, plus a departure it is committed to when the plan is made)."""
        self._before = {}
        for c in env.sim.consignments:
            n = len(c.legs)
            if c.status == "booked":
                n += 1 if c.booking is not None else len(c.road_plan)
            self._before[c.shipment.id] = n

    def next_move(self, env: RerouteEnv) -> Move | None:
        """The plan's move for the deciding consignment from where it is now."""
        if self.plan is None:
            return None
        d = env.decision
        c = env.sim.consignments[d.consignment]
        sid = c.shipment.id
        its = self.plan.itinerary(sid)
        if len(its) != 1 or sid not in self._before:
            return None
        it = its[0]
        if it.dropped:
            return Move.drop()
        legs = it.legs[len(c.legs) - self._before[sid]:]
        if not legs or legs[0].from_node != d.node:
            return None
        return moves_of_legs(legs)[0]

    def follow(self, env: RerouteEnv) -> int | Move:
        move = self.next_move(env)
        allowed = _allowed(env, move) if move is not None else None
        return 0 if allowed is None else self.committed(env, allowed)

    def committed(self, env: RerouteEnv, move: Move) -> Move:
        """``move``, the plan's, as :attr:`commit` commits it (late: :func:`commit_late`)."""
        return commit_late(env, move) if self.commit == "late" else move


class StaticPolicy(_PlanFollower):
    """The optimal plan at time 0 on expected conditions (nominal quantities, no events)."""

    name = "static"

    def __init__(self, *, time_limit_s: float = 10.0, seed: int = 0,
                 decision_budget_s: float | None = None):
        # its one plan is made at reset (once per scenario), not per decision: no budget
        super().__init__(time_limit_s=time_limit_s, seed=seed,
                         decision_budget_s=decision_budget_s)
        # (scenario, time limit, seed, plan) of the last plan made: the same for every episode
        self._static: tuple | None = None

    def reset(self, env: RerouteEnv) -> None:
        super().reset(env)
        key = (env.scenario, self.time_limit_s, self.seed)
        if self._static is None or self._static[0] is not key[0] or self._static[1:3] != key[1:]:
            plan = solve_plan(env.scenario, time_limit_s=self.time_limit_s, seed=self.seed,
                              tables=env.tables.world)
            self._static = (*key, plan)
        self.plan = self._static[3]
        self.solves = 1
        self.anchor(env)

    def act(self, env: RerouteEnv) -> int | Move:
        return self.follow(env)


#: shipments from which :class:`ReplanPolicy` re-plans incrementally and only what the news
#: can affect (the bundled small scenarios, 3-16 shipments, keep full re-plans from scratch;
#: see docs/agents.md)
SCOPED_FROM = 100


def decision_budget(value: float | None) -> float | None:
    """``value`` checked: ``None`` (no budget) or seconds >= 0 (:class:`InputError`)."""
    from mmroute.validate import MAX_TIME_LIMIT_S, number

    return None if value is None else number(value, "decision_budget_s", lo=0.0,
                                             hi=MAX_TIME_LIMIT_S)


class ReplanPolicy(_PlanFollower):
    """Re-plans from the current state whenever something new is known (an event onset, a
    weather hour, a release, a departure that did not run), or when the plan's next move is
    no longer allowed; warm-started with the plan it follows.

    ``decision_budget_s`` (``None``: none) bounds the wall time of a decision, the whole
    re-plan included (known scenario, network, incumbent, arc elimination, MIP, checks:
    :func:`mmroute.agents.deadline.call_within`; the MIP gets the rest of the budget as its
    time limit when that is below ``time_limit_s``). A re-plan that does not finish in time
    counts in :attr:`budget_hits` and the policy acts on its incumbent: the plan it follows
    (the MIP's best plan when the MIP itself ran out of budget), its next move where the
    decision allows it, else the best candidate (slot 0) — the greedy move while it has no
    plan. It re-plans again when something new is known. A budget of 0 never re-plans.
    :attr:`solves` counts the re-plans started.

    ``incremental`` (default ``None``: from :data:`SCOPED_FROM` shipments on) re-plans with a
    :class:`~mmroute.routing.plan.incremental.Replanner` kept for the episode: the optimum of
    a from-scratch re-plan, found faster, but among equally good plans possibly another one,
    which changes later decisions (measured on the bundled small scenarios: 22 of 36
    ``replan`` / ``anticipate`` rows of seeds 0-5 differ, cost -2.5 % to +0.03 %; so they keep
    the from-scratch re-plan and their published rows). ``scoped`` (default
    ``None``: from :data:`SCOPED_FROM` shipments on) re-plans only what the news can affect
    (:func:`~mmroute.routing.plan.scoped.replan_scoped`: the consignments whose followed
    itineraries no longer run as planned, those without one and the deciding one; the rest
    kept as followed) and makes its first plan at ``reset``, before the episode's first
    decision and outside the budget (as ``static`` does: a month is planned ahead; a full
    re-plan at that volume takes seconds); ``False`` always re-plans everything."""

    name = "replan"

    def __init__(self, *, time_limit_s: float = 10.0, seed: int = 0,
                 decision_budget_s: float | None = None, scoped: bool | None = None,
                 incremental: bool | None = None, commit: str = "now"):
        super().__init__(time_limit_s=time_limit_s, seed=seed,
                         decision_budget_s=decision_budget_s, commit=commit)
        for name, value in (("scoped", scoped), ("incremental", incremental)):
            if value not in (None, True, False):
                raise InputError(f"{name} must be True, False or None, not {value!r}",
                                 field=name)
        self.scoped, self.incremental = scoped, incremental

    def reset(self, env: RerouteEnv) -> None:
        super().reset(env)
        self._key = None
        self._spent = None  # the news a re-plan ran out of budget on
        at_scale = len(env.sim.nominal_scenario.shipments) >= SCOPED_FROM
        self._scoped = at_scale if self.scoped is None else self.scoped
        # kept for the episode: the same optimum as a from-scratch re-plan, found faster
        use = at_scale if self.incremental is None else self.incremental
        self.replanner = (Replanner(env.sim.nominal_scenario, tables=env.tables.world)
                          if use or self._scoped else None)
        self._also: frozenset[str] = frozenset()  # re-planned whatever the news
        if self._scoped:  # the month planned ahead, before its first decision: no budget
            self.solves += 1
            self.plan = self._replan(env, self.time_limit_s)
            self.anchor(env)
            self._key = self._news(env)

    def _news(self, env: RerouteEnv) -> tuple:
        sim = env.sim
        return (sim.revealed(), sum(1 for c in sim.consignments
                                              if c.shipment.release_h <= sim.now + 1e-9),
                sum(1 for c in sim.consignments if c.lock == "yard" and c.status == "ready"))

    def events(self, env: RerouteEnv):
        return env.sim.known_events()

    def act(self, env: RerouteEnv) -> int | Move:
        key = self._news(env)
        # scoped: the plan's move is looked at with news too (the deciding consignment is
        # re-planned only if its move is no longer allowed)
        move = self.next_move(env) if key == self._key or self._scoped else None
        allowed = _allowed(env, move) if move is not None else None
        if allowed is not None and key == self._key:
            return self.committed(env, allowed)
        if key != self._spent:  # after a re-plan out of budget: the incumbent until news
            hits = self.budget_hits
            self._also = frozenset() if allowed is not None else frozenset(
                {env.sim.consignments[env.decision.consignment].shipment.id})
            self._solve(env)
            if self.budget_hits > hits:
                self._spent = key
        self._key = key
        return self.follow(env)

    def _solve(self, env: RerouteEnv) -> None:
        """Re-plan within the budget (counting a hit in :attr:`budget_hits`)."""
        self.solves += 1
        budget = self.decision_budget_s
        if budget is None:
            plan, hit = self._replan(env, self.time_limit_s), False
        else:
            start = time.perf_counter()
            limited = []  # whether the MIP's time limit was the rest of the budget

            def call() -> Plan:
                left = remaining_s(budget, start)
                limited.append(left < self.time_limit_s)
                return self._replan(env, max(1e-3, min(self.time_limit_s, left)))

            plan, hit = call_within(call, budget, start=start)
            # the MIP stopped by the budget: its plan is the incumbent it had by then
            hit = hit or (plan is not None and plan.status == "timeout" and limited[-1])
        if hit:
            self.budget_hits += 1
        if plan is not None and plan is not self.plan:  # the same plan: nothing changed
            self.plan = plan
            self.anchor(env)

    def _replan(self, env: RerouteEnv, time_limit_s: float) -> Plan:
        sim = env.sim
        if self._scoped and self.plan is not None:
            return replan_scoped(known_scenario(sim), plan_state(sim), self.events(env),
                                 time_limit_s=time_limit_s, seed=self.seed, initial=self.plan,
                                 tables=env.tables.world, also=self._also,
                                 stats=self.replanner)
        return replan(known_scenario(sim), plan_state(sim), self.events(env),
                      time_limit_s=time_limit_s, seed=self.seed, initial=self.plan,
                      tables=env.tables.world, replanner=self.replanner)


class ReplanLatePolicy(ReplanPolicy):
    """:class:`ReplanPolicy` that commits late (``commit="late"``, :func:`commit_late`)."""

    name = "replan-late"

    def __init__(self, *, time_limit_s: float = 10.0, seed: int = 0,
                 decision_budget_s: float | None = None, scoped: bool | None = None,
                 incremental: bool | None = None):
        super().__init__(time_limit_s=time_limit_s, seed=seed,
                         decision_budget_s=decision_budget_s, scoped=scoped,
                         incremental=incremental, commit="late")


class AnticipatePolicy(ReplanPolicy):
    """:class:`ReplanPolicy` on risk-adjusted conditions (see :mod:`mmroute.agents.risk`)."""

    name = "anticipate"

    def events(self, env: RerouteEnv):
        return risk_adjusted_events(env.sim, env.forecast)

    def _news(self, env: RerouteEnv) -> tuple:
        # a new forecast (every hour while a cell is seen) is news too
        return (*super()._news(env), env.forecast.issued_hour if env.forecast.cells() else None)


class HindsightPolicy(_PlanFollower):
    """The clairvoyant optimum of the episode's realization, followed move by move."""

    name = "hindsight"
    clairvoyant = True

    def reset(self, env: RerouteEnv) -> None:
        super().reset(env)
        self.plan = solve_hindsight(env.sim.realised_scenario, env.realization.events,
                                    time_limit_s=max(self.time_limit_s, 60.0), seed=self.seed,
                                    tables=env.tables.world)
        self.solves = 1
        self._moves = {it.shipment: moves_of(it) for it in self.plan.itineraries}

    def act(self, env: RerouteEnv) -> Move:
        sid = env.sim.consignments[env.decision.consignment].shipment.id
        todo = self._moves.get(sid)
        if not todo:
            raise InputError(f"the hindsight plan has no move for {sid}")
        return todo.pop(0)

    @property
    def bound(self) -> float:
        """The proven lower bound of the episode (the MIP's bound, else its optimum)."""
        p = self.plan
        return p.bound if p.bound is not None else p.objective


class PPOPolicy(Policy):
    """A trained PPO / MaskablePPO model (see :mod:`mmroute.agents.model_files`)."""

    def __init__(self, path: str | Path, *, scenario=None, deterministic: bool = True):
        from mmroute.agents.model_files import load_model

        self.model, self.card = load_model(path, scenario=scenario)
        self.maskable = self.card["algo"] == "maskable-ppo"
        self.name = self.card["algo"]
        hold = (self.card.get("config") or {}).get("hold", "off")  # checked by load_model
        #: the env options the model was trained with (evaluation builds such an env)
        self.env_options = {} if hold == "off" else {"hold": hold}
        self.deterministic = deterministic

    @classmethod
    def make(cls, *, model: str | Path | None = None, scenario=None, **_) -> PPOPolicy:
        if model is None:
            raise InputError("a trained policy needs a model file", field="model")
        return cls(model, scenario=scenario)

    def reset(self, env: RerouteEnv) -> None:
        hold = self.env_options.get("hold", "off")
        if getattr(env, "hold", "off") != hold:
            raise InputError(f"the model was trained with hold={hold!r}, the env has "
                             f"hold={getattr(env, 'hold', 'off')!r}", field="hold")
        if env.k != self.card["n_candidates"]:
            raise InputError(f"the model was trained with n_candidates="
                             f"{self.card['n_candidates']}, the env has {env.k}",
                             field="n_candidates")

    def predict(self, observation, state=None, episode_start=None, deterministic=True,
                action_masks=None):
        """SB3's signature: ``(action, state)``."""
        return masked_predict(self.model, observation, action_masks=action_masks,
                              deterministic=deterministic, maskable=self.maskable, state=state,
                              episode_start=episode_start)

    def act(self, env: RerouteEnv) -> int:
        a, _ = self.predict(env.observation(), deterministic=self.deterministic,
                            action_masks=env.action_masks())
        return int(a)


def make_policy(name: str, *, model: str | Path | None = None, scenario=None,
                time_limit_s: float = 10.0, seed: int = 0,
                decision_budget_s: float | None = None) -> Policy:
    """A policy by its registered name (``model``: the zip of ``ppo`` / ``maskable-ppo``;
    ``decision_budget_s``: the wall-time budget of a decision of the policies that re-plan,
    :class:`ReplanPolicy`; ``None``: none)."""
    e = entry(name)
    if e.learned and model is None:
        raise InputError(f"policy {name!r} needs a model file", field="model")
    decision_budget(decision_budget_s)
    pol = e.load().make(model=model, scenario=scenario, time_limit_s=time_limit_s, seed=seed,
                        decision_budget_s=decision_budget_s)
    if e.learned and pol.name != name:
        raise InputError(f"{model}: a {pol.name} model, not {name}", field="model")
    return pol
