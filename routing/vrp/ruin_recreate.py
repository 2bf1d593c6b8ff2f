"""Ruin-and-recreate perturbation for the OR-Tools engine's large neighbourhood search.

Ruin: slack induction by string removals (SISR, Christiaens & Vanden Berghe 2020) — around a
random seed client, strings of consecutive visits are cut out of nearby routes. Recreate:
greedy cheapest insertion of the removed clients in a randomised order, skipping each position
with a small "blink" probability. Insertion checks every load dimension, time windows (O(1)
per position from forward earliest and backward latest start times), shifts and maximum route
durations, so every recreated solution is feasible for the model the engine built; OR-Tools'
local search then improves it.

Routes are handled per OR-Tools vehicle, as lists of client node ids without depots.
Pickup-and-delivery pairs are not handled here (the engine keeps guided local search for them).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mmroute.routing.vrp.problem import HORIZON_MAX, VRPProblem

__all__ = ["RuinRecreate", "SisrParams", "VehicleView"]


@dataclass(frozen=True)
class SisrParams:
    """avg_removed: mean number of clients removed per ruin; max_string: longest string cut
    from one route; blink: chance of skipping a position during insertion; neighbours: how many
    nearest clients are scanned for strings around the seed."""

    avg_removed: float = 10.0
    max_string: int = 10
    blink: float = 0.01
    neighbours: int = 40


@dataclass(frozen=True)
class VehicleView:
    """One OR-Tools vehicle as the insertion sees it (time in the problem's integer units)."""

    start: int
    end: int
    caps: tuple[int, ...]
    cost_per_distance: int
    fixed_cost: int
    start_lo: int  # earliest departure from the start depot
    start_hi: int  # latest departure from the start depot
    end_hi: int  # latest arrival at the end depot
    max_duration: int


class RuinRecreate:
    """Perturb a solution: SISR ruin, then greedy blink insertion. Randomness from ``rng`` only."""

    def __init__(self, problem: VRPProblem, vehicles: Sequence[VehicleView], rng: random.Random, params: SisrParams = SisrParams()):
        self.p = problem
        self.vehicles = list(vehicles)
        self.rng = rng
        self.params = params
        self.dist = problem.distance.tolist()
        self.dur = problem.duration.tolist()
        self.svc = list(problem.service)
        self.early = list(problem.tw_early)
        self.late = list(problem.tw_late)
        self.loads = [list(row) for row in problem.loads]
        self.timed = problem.has_time_constraints
        self.optional = {i for i in problem.clients if problem.drop_penalty[i] is not None}
        self.penalty = {i: problem.drop_penalty[i] for i in self.optional}
        clients = np.array(problem.clients, dtype=int)
        k = min(params.neighbours, len(clients))
        self.near: dict[int, list[int]] = {}
        for i in problem.clients:
            order = np.argsort(problem.distance[i, clients], kind="stable")[:k]
            self.near[i] = [int(clients[j]) for j in order]
        depot_dist = {i: min(int(problem.distance[d, i]) for d in problem.depots) for i in problem.clients}
        self.depot_dist = depot_dist

    # ------------------------------------------------------------------ ruin
    def ruin(self, routes: list[list[int]]) -> list[int]:
        """Remove strings in place from ``routes``; return the removed clients (plus optional
        clients near the seed that are not served, so recreate may try them)."""
        rng, prm = self.rng, self.params
        where = {c: v for v, r in enumerate(routes) for c in r}
        served = list(where)
        if not served:
            return []
        non_empty = sum(1 for r in routes if r)
        avg_len = len(served) / max(1, non_empty)
        l_max = min(float(prm.max_string), avg_len)
        k_max = 4.0 * prm.avg_removed / (1.0 + l_max) - 1.0
        k_strings = int(rng.uniform(1.0, k_max + 1.0))
        seed = served[rng.randrange(len(served))]
        removed: list[int] = []
        ruined: set[int] = set()
        for u in self.near[seed]:
            if len(ruined) >= k_strings:
                break
            v = where.get(u)
            if v is None:
                if u in self.optional and u not in removed:
                    removed.append(u)
                continue
            if v in ruined:
                continue
            route = routes[v]
            length = int(rng.uniform(1.0, min(float(len(route)), l_max) + 1.0))
            length = max(1, min(length, len(route)))
            pos = route.index(u)
            first = rng.randint(max(0, pos - length + 1), min(pos, len(route) - length))
            cut = route[first : first + length]
            del route[first : first + length]
            removed.extend(cut)
            ruined.add(v)
        return removed

    # ------------------------------------------------------------------ recreate
    def _times(self, v: int, route: list[int]) -> tuple[list[int], list[int]]:
        """Earliest (forward) and latest (backward) start times along [start, *route, end]."""
        veh = self.vehicles[v]
        seq = [veh.start, *route, veh.end]
        dur, svc, early, late = self.dur, self.svc, self.early, self.late
        a = [veh.start_lo] * len(seq)
        for k in range(1, len(seq)):
            prev = seq[k - 1]
            a[k] = max(early[seq[k]] if k < len(seq) - 1 else 0, a[k - 1] + svc[prev] + dur[prev][seq[k]])
        z = [veh.end_hi] * len(seq)
        for k in range(len(seq) - 2, -1, -1):
            node = seq[k]
            limit = late[node] if k > 0 else veh.start_hi
            z[k] = min(limit, z[k + 1] - svc[node] - dur[node][seq[k + 1]])
        return a, z

    def _duration_ok(self, v: int, route: list[int], times: tuple[list[int], list[int]] | None = None) -> bool:
        """True if the shortest possible duration of [start, *route, end] (leaving as late as
        feasible) is within the vehicle's maximum. ``times``: :meth:`_times` of the route, if known."""
        veh = self.vehicles[v]
        if veh.max_duration >= HORIZON_MAX:
            return True
        z = (times or self._times(v, route))[1]
        t = z[0]
        seq = [veh.start, *route, veh.end]
        for k in range(1, len(seq)):
            prev = seq[k - 1]
            t = max(self.early[seq[k]] if k < len(seq) - 1 else 0, t + self.svc[prev] + self.dur[prev][seq[k]])
        return t - z[0] <= veh.max_duration

    def recreate(self, routes: list[list[int]], removed: list[int]) -> bool:
        """Insert ``removed`` into ``routes`` in place; False if a required client found no
        feasible position (the caller discards the attempt)."""
        rng, dist = self.rng, self.dist
        order = list(removed)
        rng.shuffle(order)
        w = rng.random()
        if w < 4 / 11:
            order.sort(key=lambda c: -sum(row[c] for row in self.loads))
        elif w < 6 / 11:
            order.sort(key=lambda c: -self.depot_dist[c])
        elif w < 7 / 11:
            order.sort(key=lambda c: self.depot_dist[c])
        load = [[sum(row[c] for c in r) for row in self.loads] for r in routes]
        times = [self._times(v, r) if self.timed and r else None for v, r in enumerate(routes)]
        empty_seen: set[tuple] = set()
        blink = self.params.blink
        for u in order:
            q = [row[u] for row in self.loads]
            cands: list[tuple[int, int, int]] = []
            empty_seen.clear()
            for v, r in enumerate(routes):
                veh = self.vehicles[v]
                if any(ld + x > c for ld, x, c in zip(load[v], q, veh.caps)):
                    continue
                if not r:  # one empty vehicle per kind is enough
                    kind = (veh.start, veh.end, veh.caps, veh.cost_per_distance, veh.fixed_cost, veh.start_lo, veh.start_hi, veh.end_hi, veh.max_duration)
                    if kind in empty_seen:
                        continue
                    empty_seen.add(kind)
                seq = [veh.start, *r, veh.end]
                tz = times[v] if r else (self._times(v, r) if self.timed else None)
                for k in range(len(seq) - 1):
                    if blink and rng.random() < blink:
                        continue
                    i, j = seq[k], seq[k + 1]
                    if tz is not None:
                        a, z = tz
                        au = max(self.early[u], a[k] + self.svc[i] + self.dur[i][u])
                        if au > self.late[u] or au + self.svc[u] + self.dur[u][j] > z[k + 1]:
                            continue
                    delta = veh.cost_per_distance * (dist[i][u] + dist[u][j] - dist[i][j])
                    if not r:
                        delta += veh.fixed_cost
                    cands.append((delta, v, k))
            cands.sort()
            placed = False
            for delta, v, k in cands:
                if u in self.optional and delta >= self.penalty[u]:
                    break
                trial = routes[v][:k] + [u] + routes[v][k:]
                trial_times = self._times(v, trial) if self.timed else None
                if not self._duration_ok(v, trial, trial_times):
                    continue
                routes[v] = trial
                load[v] = [ld + x for ld, x in zip(load[v], q)]
                times[v] = trial_times
                placed = True
                break
            if not placed and u not in self.optional:
                return False
        return True

    def perturb(self, routes: Sequence[Sequence[int]]) -> list[list[int]] | None:
        """A ruined and recreated copy of ``routes`` (per vehicle), or None on failure."""
        new = [list(r) for r in routes]
        removed = self.ruin(new)
        if not removed:
            return None
        return new if self.recreate(new, removed) else None
