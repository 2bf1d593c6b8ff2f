"""Scenario-based re-planning (Bent & Van Hentenryck 2004; 2010): the ``consensus`` and
``expectation`` policies.

At each re-planning point — the points of :class:`~mmroute.agents.policies.ReplanPolicy`:
something new is known, or no plan's next move is allowed any more — the policy solves the
reactive re-plan (known events only) and the deterministic re-plan of each of ``n_futures``
sampled futures (:func:`~mmroute.envs.futures.sample_future`: everything not known yet drawn
from a generator seeded by (episode seed, decision index), never from the realization). The
plans are kept for the point, so every consignment deciding there reads the same solves.

* ``consensus`` takes the first move of the deciding consignment that most futures' plans
  agree on; ties go to the reactive plan's move, then to the earliest departure, then the
  cheapest first leg, then the move's name (deterministic).
* ``expectation`` scores each candidate first move (those the futures and the reactive plan
  propose) by its mean cost over the futures: a future whose plan takes the move counts its
  plan's objective; another counts the re-plan of that future with the move fixed (the
  consignment committed to it: its legs' and handling's cost, then the rest re-planned from
  where the move ends, as expected under that future). Lowest mean wins (ties as above).
  Like every re-plan here (a :class:`~mmroute.world.state.PlanState` carries no departure
  loads), the fixed move's TEU do not count against its departure's capacity in that re-plan.

``n_futures`` (S) and ``budget_s`` (wall seconds per re-planning point, shared by its solves;
``None``: each solve gets ``time_limit_s``) are parameters; ``jobs`` > 1 solves the futures
through :func:`~mmroute.agents.parallel.run_tasks` (local processes, or Ray with
``backend="ray"``; sequential by default: a pool per re-planning point costs more than a small
solve).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from mmroute.agents.policies import ReplanPolicy, _allowed
from mmroute.envs.futures import Future, sample_future
from mmroute.envs.known import plan_state
from mmroute.envs.reroute import RerouteEnv
from mmroute.envs.simulator import Move
from mmroute.errors import InputError
from mmroute.routing.plan import replan
from mmroute.validate import integer
from mmroute.world.conditions import Conditions
from mmroute.world.plan import Plan
from mmroute.world.state import PlanState, Position

__all__ = ["ConsensusPolicy", "ExpectationPolicy", "future_rng", "STREAM"]

#: The id of the futures' stream (beside the realization's sources, which use 0-5).
STREAM = 23


def future_rng(episode_seed: int, decision: int) -> np.random.Generator:
    """The generator of the futures sampled at one re-planning point: a function of the
    episode's seed and the decision index only."""
    return np.random.default_rng([int(episode_seed), STREAM, int(decision)])


@dataclass
class _Point:
    """The solves of one re-planning point: the futures and their plans (``None``: the
    solve was skipped for the budget), and the moves scored so far (expectation)."""

    key: tuple
    futures: list[Future]
    plans: list[Plan | None]
    scores: dict[tuple, float]


def _key(m: Move) -> tuple:
    """What identifies a move for voting (a road trip by its path, as a decision offers it)."""
    if m.kind == "service":
        return ("service", m.link, round(float(m.timetable_h), 6))
    if m.kind == "road":
        return ("road", m.path)
    return ("drop",)


def _solve_future(shared, task) -> Plan:
    """One future's re-plan (a task of :func:`~mmroute.agents.parallel.run_tasks`)."""
    state, initial, time_limit_s, seed = shared
    future = task
    return replan(future.scenario, state, future.events, time_limit_s=time_limit_s,
                  seed=seed, initial=initial)


class ConsensusPolicy(ReplanPolicy):
    """The first move most sampled futures' re-plans agree on (see the module doc)."""

    name = "consensus"

    def __init__(self, *, time_limit_s: float = 10.0, seed: int = 0, n_futures: int = 8,
                 budget_s: float | None = None, jobs: int = 1, backend: str = "local"):
        super().__init__(time_limit_s=time_limit_s, seed=seed)
        self.n_futures = integer(n_futures, "n_futures", lo=1)
        if budget_s is not None and not (isinstance(budget_s, int | float) and budget_s > 0):
            raise InputError(f"budget_s must be a number > 0 or None, not {budget_s!r}",
                             field="budget_s")
        self.budget_s = budget_s
        self.jobs = integer(jobs, "jobs", lo=1)
        self.backend = backend
        self._point: _Point | None = None

    @classmethod
    def make(cls, *, time_limit_s: float = 10.0, seed: int = 0, **_) -> ConsensusPolicy:
        return cls(time_limit_s=time_limit_s, seed=seed)

    def reset(self, env: RerouteEnv) -> None:
        super().reset(env)
        self._point = None
        self.futures_solved = 0
        self.overruled = 0  # decisions whose move differs from the reactive plan's

    # --- the re-planning point ---------------------------------------------------------
    def act(self, env: RerouteEnv) -> int | Move:
        key = self._news(env)
        fresh = self._point is None or key != self._point.key
        if fresh:
            self._solve_point(env, key)
        votes, reactive = self._votes(env)
        if not votes and reactive is None and not fresh:  # no plan's move is allowed any more
            self._solve_point(env, key)
            votes, reactive = self._votes(env)
        if not votes:
            return reactive if reactive is not None else self.follow(env)
        move = self._choose(env, votes, reactive)
        if reactive is None or _key(move) != _key(reactive):
            self.overruled += 1
        return move

    def _solve_point(self, env: RerouteEnv, key: tuple) -> None:
        start = time.perf_counter()
        per_solve = self.time_limit_s
        if self.budget_s is not None:
            per_solve = min(per_solve, max(0.05, self.budget_s / (self.n_futures + 1)))
        limit, self.time_limit_s = self.time_limit_s, per_solve
        try:
            self._solve(env)  # the reactive re-plan: self.plan, anchored
        finally:
            self.time_limit_s = limit
        self._key = key
        sim = env.sim
        rng = future_rng(env.realization.seed, sim.decisions)
        futures = [sample_future(sim, rng) for _ in range(self.n_futures)]
        state = plan_state(sim)
        plans: list[Plan | None]
        if self.jobs > 1:
            from mmroute.agents.parallel import run_tasks

            plans = run_tasks(_solve_future, futures,
                              shared=(state, self.plan, per_solve, self.seed),
                              jobs=self.jobs, backend=self.backend)
        else:
            plans = []
            tables = env.tables.world
            for f in futures:
                if (self.budget_s is not None and plans
                        and time.perf_counter() - start > self.budget_s):
                    plans.append(None)  # out of budget: fewer futures vote
                    continue
                plans.append(replan(f.scenario, state, f.events, time_limit_s=per_solve,
                                    seed=self.seed, initial=self.plan, tables=tables))
        self.futures_solved += sum(p is not None for p in plans)
        self._point = _Point(key=key, futures=futures, plans=plans, scores={})

    def _move_of(self, env: RerouteEnv, plan: Plan | None) -> Move | None:
        """What carries out ``plan``'s next move for the deciding consignment (or ``None``)."""
        if plan is None:
            return None
        mine, self.plan = self.plan, plan
        try:
            move = self.next_move(env)
        finally:
            self.plan = mine
        return _allowed(env, move) if move is not None else None

    def _votes(self, env: RerouteEnv) -> tuple[dict[tuple, list[int]], Move | None]:
        """Per allowed move (by :func:`_key`): the futures whose plan takes it; and the
        reactive plan's allowed move."""
        point = self._point
        votes: dict[tuple, list[int]] = {}
        self._moves: dict[tuple, Move] = {}
        if point is None:
            return votes, None
        for i, p in enumerate(point.plans):
            m = self._move_of(env, p)
            if m is not None:
                votes.setdefault(_key(m), []).append(i)
                self._moves.setdefault(_key(m), m)
        reactive = self._move_of(env, self.plan)
        if reactive is not None:
            self._moves.setdefault(_key(reactive), reactive)
        return votes, reactive

    def _tie_key(self, env: RerouteEnv, k: tuple, reactive: Move | None) -> tuple:
        """Ties: the reactive plan's move first, then the earliest departure, the cheapest
        first leg, the move's name."""
        m = self._moves[k]
        opts = {_key(o.move): o for o in env.sim.options(env.decision)}
        o = opts.get(k)
        depart = o.depart_h if o is not None else (m.timetable_h if m.timetable_h is not None
                                                   else float("inf"))
        cost = o.cost_per_teu_cny if o is not None else float("inf")
        return (0 if reactive is not None and _key(reactive) == k else 1, depart, cost, repr(k))

    def _choose(self, env: RerouteEnv, votes: dict[tuple, list[int]],
                reactive: Move | None) -> Move:
        top = max(len(v) for v in votes.values())
        tied = [k for k in votes if len(votes[k]) == top]
        best = min(tied, key=lambda k: self._tie_key(env, k, reactive))
        return self._moves[best]


class ExpectationPolicy(ConsensusPolicy):
    """The candidate first move with the lowest mean cost over the sampled futures (see the
    module doc)."""

    name = "expectation"

    def _choose(self, env: RerouteEnv, votes: dict[tuple, list[int]],
                reactive: Move | None) -> Move:
        cands = list(votes)
        if reactive is not None and _key(reactive) not in votes:
            cands.append(_key(reactive))
        if len(cands) == 1:
            return self._moves[cands[0]]
        point = self._point
        sid = env.sim.consignments[env.decision.consignment].shipment.id
        means = {}
        for k in cands:
            costs = []
            for i, (f, p) in enumerate(zip(point.futures, point.plans)):
                if p is None:
                    continue
                if i in votes.get(k, ()):
                    costs.append(p.objective)
                    continue
                memo = (sid, env.sim.decisions, k, i)
                if memo not in point.scores:
                    point.scores[memo] = self._fixed_cost(env, f, p, k, votes, reactive)
                costs.append(point.scores[memo])
            means[k] = float(np.mean(costs)) if costs else float("inf")
        low = min(means.values())
        tied = [k for k in cands if means[k] <= low + 1e-9 * max(1.0, abs(low))]
        best = min(tied, key=lambda k: self._tie_key(env, k, reactive))
        return self._moves[best]

    def _legs_of(self, env: RerouteEnv, k: tuple, votes, reactive: Move | None):
        """The legs (and handling at the deciding node) of move ``k`` as a plan proposing it
        has them: from a future's plan that votes for it, else the reactive plan."""
        point = self._point
        plan = point.plans[votes[k][0]] if k in votes else self.plan
        d = env.decision
        c = env.sim.consignments[d.consignment]
        it = plan.itinerary(c.shipment.id)[0]
        legs = it.legs[len(c.legs) - self._before[c.shipment.id]:]
        if legs and legs[0].timetable_h is not None:
            n = 1  # a scheduled departure
        else:  # a road trip: the road legs up to the next scheduled one
            n = 0
            while n < len(legs) and legs[n].timetable_h is None:
                n += 1
        first = legs[:n]
        dep = first[0].departure_h if first else env.sim.now
        handling = [h for h in it.handling if h.node == d.node and h.at_h <= dep + 1e-6
                    and h.at_h >= env.sim.now - 1e-6]
        return it, first, handling

    def _fixed_cost(self, env: RerouteEnv, future: Future, plan: Plan, k: tuple, votes,
                    reactive: Move | None) -> float:
        """The cost of future ``future`` with the deciding consignment committed to move
        ``k``: its first legs and handling, plus the re-plan of the rest from where they end."""
        sim = env.sim
        c = sim.consignments[env.decision.consignment]
        sid = c.shipment.id
        obj = future.scenario.objective
        price = plan.co2_price_cny_per_t
        state = plan_state(sim)
        it, legs, handling = self._legs_of(env, k, votes, reactive)
        if k == ("drop",):
            pos = Position(shipment=sid, delivered=True)
            sunk = it.objective_cny
        else:
            if not legs:
                return float("inf")
            cond = Conditions(future.scenario, future.events, validate=False,
                              tables=env.tables.world)
            links = [sim.links[lg.link] for lg in legs]
            if legs[0].timetable_h is not None:
                tt = legs[0].timetable_h
                dep = tt + cond.departure_delay_h(links[0].id, tt)
                arr = dep + cond.travel_time_h(links[0], dep)
            else:
                arr = cond.road_trip(links, legs[0].departure_h, check_open=False)[-1][1]
            pos = Position(shipment=sid, node=links[-1].to_node, since_h=max(arr, sim.now + 1e-6),
                           last_link=links[-1].id)
            cost = sum(lg.cost_cny for lg in legs) + sum(h.cost_cny for h in handling)
            co2 = sum(lg.co2_kg for lg in legs)
            sunk = obj.cost_weight * cost + price * co2 / 1000.0
        positions = tuple(p for p in state.positions if p.shipment != sid) + (pos,)
        fixed = replace(state, positions=positions) if isinstance(state, PlanState) else state
        rest = replan(future.scenario, fixed, future.events, time_limit_s=self._per_solve(),
                      seed=self.seed, tables=env.tables.world)
        return sunk + rest.objective

    def _per_solve(self) -> float:
        if self.budget_s is None:
            return self.time_limit_s
        return min(self.time_limit_s, max(0.05, self.budget_s / (self.n_futures + 1)))

