"""Fast exact re-planning: the same MIP optimum as :func:`~mmroute.routing.plan.solve_plan`,
with the per-shipment work done for all shipments at once.

Measured on a month at 1,000 consignments (``mmroute scenarios scale liuzhou-asean
--consignments 1000``; cProfile of one re-plan from a mid-horizon state): the MIP (build and
HiGHS) is about a tenth of a from-scratch re-plan; the rest is per-shipment Python loops over
~1,700 usable arcs each — the greedy incumbent (its capacity test per arc), the reachability
of ``_usable``, the two shortest-path sweeps of ``prune`` and following the previous plan.
So a re-plan here:

1. expands the network as :func:`~mmroute.routing.plan.expand.expand` does (same builder);
2. computes, for every shipment at once, the cheapest cost from its source to every event
   node (``F``) and from every event node to its sink (``B``) by one sweep each over the
   acyclic network in longest-path levels (numpy over a block of shipments; a shipment may
   use an arc if it is shared or its own and every capacity on it is at least its TEU). An
   arc is usable by a shipment iff ``F[tail] + cost + B[head]`` is finite — the set
   ``_usable`` finds — and that sum is the cheapest route through it, which ``prune`` needs;
   ``B[source]`` is the shipment's lower bound;
3. takes as incumbent the better of two capacity-feasible plans: each shipment on the plan
   being followed (``initial``) where it still can, else on its cheapest route, else on the
   greedy cheapest route within the capacity left, else dropped — and the same with the
   cheapest route tried first. After one new event most shipments keep their cheapest route,
   so the incumbent is tight;
4. if incumbent and lower bound agree within the MIP's tolerance the incumbent is optimal
   (the MIP is not built); otherwise arcs are eliminated with the incumbent's value exactly as
   :func:`~mmroute.routing.plan.prune.prune` does, and the MIP is solved on what is left.

Measured (``benchmarks/plan_scaling.py --replan-month 1000``, 20 mid-horizon states of one
episode, a new closure or delay each, both methods on the same states in one run, machine
load ~20 on 2 cores): from scratch median 57.0 s, p95 76.6 s; this path median 7.9 s, p95
13.8 s (7.2x on the median; 3.1x-9.1x per state), every objective equal. What is left of a
call here: the sweeps (~45 %), expanding the network (~20 %), the incumbent (~20 %), the
checker (~10 %); the MIP is skipped on most states (the incumbent meets the bound).

Exact: the eliminated arcs are in no optimal plan (see :mod:`~mmroute.routing.plan.prune`),
the incumbent is feasible, and the MIP is the one of :mod:`~mmroute.routing.plan.solve`.
Plans outside this path (splittable, CO2 minimisation or cap, delivered shares, no arc
elimination, SCIP with its hint) are solved by :func:`solve_plan` itself. A
:class:`Replanner` keeps the scenario's tables and parameters between calls.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import replace

import numpy as np

from mmroute.report import relative_gap
from mmroute.routing.plan import solve as S
from mmroute.routing.plan.expand import (
    TimeExpandedNetwork,
    _Builder,
    _leg,
    _road_trip,
    build,
    demands_of,
)
from mmroute.routing.plan.follow import followed_paths
from mmroute.routing.plan.params import PlanParams
from mmroute.routing.plan.prepared import prepare
from mmroute.routing.plan.prune import ArcArrays, shipment_costs, topological_rank
from mmroute.scenarios import Scenario
from mmroute.world.conditions import Conditions
from mmroute.world.events import KnownEvents
from mmroute.world.plan import Plan
from mmroute.world.state import PlanState
from mmroute.world.tables import Tables, tables_for

__all__ = ["Replanner", "NetworkCache", "fast_path_applies", "solve_fast"]

#: cells (shipments x event nodes) of one block of the sweeps
_BLOCK_CELLS = 4_000_000


class Replanner:
    """Re-plans of one scenario, kept between calls (tables, parameters); each call is exact.

    ``Replanner(scenario, params=...)`` then ``.replan(state, known_events, time_limit_s=...,
    seed=..., initial=...)`` returns what :func:`~mmroute.routing.plan.replan` returns (the
    same optimum; among equally good plans possibly another one)."""

    def __init__(self, scenario: Scenario, *, params: PlanParams | None = None,
                 tables: Tables | None = None):
        self.scenario = scenario
        self.params = params or PlanParams()
        self.tables = tables_for(scenario, tables)
        self.calls = 0
        self.mip_skipped = 0  # calls whose incumbent met the lower bound
        # scoped re-plans (mmroute.routing.plan.scoped): calls, shipments re-planned / kept,
        # full re-plans after a scoped plan failed the checker, and the kept itineraries'
        # route checks of the last call (valid while the known events are the same)
        self.scoped_calls = 0
        self.scoped_shipments = 0
        self.kept_shipments = 0
        self.scoped_fallbacks = 0
        self.scoped_unchanged = 0  # calls that found nothing to re-plan
        self.stage_s: dict[str, float] = {}  # seconds per stage of the scoped re-plans
        self.kept_memo: tuple = (None, {})
        self.net_cache = NetworkCache()  # what the scoped re-plans' networks share

    def replan(self, state: PlanState, known_events: KnownEvents | None = None, *,
               time_limit_s: float, seed: int, initial: Plan | None = None) -> Plan:
        """Re-optimise what remains after ``state`` (as :func:`~mmroute.routing.plan.replan`)."""
        return self.solve(self.scenario, state, known_events, time_limit_s=time_limit_s,
                          seed=seed, params=self.params, initial=initial)

    def solve(self, scenario: Scenario, state: PlanState | None,
              known_events: KnownEvents | None = None, *, time_limit_s: float, seed: int,
              params: PlanParams | None = None, initial: Plan | None = None) -> Plan:
        """:meth:`replan` for ``scenario`` (one with this one's network, e.g. as known at
        some time of an episode) and ``params``."""
        self.calls += 1
        return solve_fast(scenario, time_limit_s=time_limit_s, seed=seed,
                          params=params or self.params, initial=initial, events=known_events,
                          state=state, tables=self.tables, stats=self)


def fast_path_applies(params: PlanParams) -> bool:
    """True if :func:`solve_fast` handles ``params`` itself (else it calls solve_plan)."""
    return (not params.splittable and params.eliminate and params.minimize == "objective"
            and params.co2_cap_kg is None and not params.delivered_share
            and params.solver == "highs" and not params.shaped)


def solve_fast(scenario: Scenario, *, time_limit_s: float, seed: int,
               params: PlanParams | None = None, initial: Plan | None = None,
               events: KnownEvents | None = None, state: PlanState | None = None,
               tables: Tables | None = None, stats: Replanner | None = None) -> Plan:
    """:func:`~mmroute.routing.plan.solve_plan` by the method of the module doc (same
    arguments, same optimum, a plan that has passed :func:`check_plan`)."""
    params = params or PlanParams()
    if not fast_path_applies(params):
        return S.solve_plan(scenario, time_limit_s=time_limit_s, seed=seed, params=params,
                            initial=initial, events=events, state=state, tables=tables)
    run = prepare(scenario, time_limit_s=time_limit_s, seed=seed, params=params,
                  initial=initial, events=events, state=state, tables=tables)
    net = network(run.scenario, demands_of(run.scenario, state), run.events,
                  None if state is None else state.used(), run.tables)
    if not net.demands:
        return run.plan((), 0.0, 0.0, "optimal")
    return run.plan(*optimise(run.scenario, net, price=run.price_cny_per_t, params=run.params,
                              initial=initial, deadline=run.t_start + run.time_limit_s,
                              seed=run.seed, stats=stats))


def optimise(scenario: Scenario, net: TimeExpandedNetwork, *, price: float, params: PlanParams,
             initial: Plan | None, deadline: float, seed: int, stats: Replanner | None = None):
    """Steps 2-4 of the module doc on ``net`` (built by :func:`network`, without ``usable``):
    ``(itineraries, objective, bound, status)`` of its demands (not yet checked)."""
    arr = ArcArrays.of(net)
    routes = _Routes(scenario, net, arr, price)
    incumbent = _incumbent(scenario, net, arr, routes, price, initial)
    ub = S._total(incumbent)
    lower = routes.lb_total
    if relative_gap(ub, lower) <= S.GAP_OPTIMAL / 10 or ub - lower <= 1e-4:
        if stats is not None:
            stats.mip_skipped += 1
        return incumbent, ub, min(lower, ub), "optimal"
    routes.prune(ub)
    flows, bound, status = S._solve_mip(scenario, net, price=price, params=params,
                                        deadline=deadline, seed=seed, hint=None)
    itineraries = [] if flows is None else S._extract(scenario, net, flows, price, False)
    value = S._total(itineraries) if flows is not None else math.inf
    if status != "optimal" and ub < value:
        itineraries = incumbent
    objective = S._total(itineraries)
    if bound is None or lower > bound:
        bound = lower
    bound = min(bound, objective)
    if status == "optimal" and relative_gap(objective, bound) > S.GAP_OPTIMAL:
        status = "feasible"
    return itineraries, objective, bound, status


def network(scenario: Scenario, demands, events: KnownEvents, used, tables: Tables,
            cache: NetworkCache | None = None) -> TimeExpandedNetwork:
    """:func:`~mmroute.routing.plan.expand.expand` without its per-shipment ``usable`` (the
    sweeps of :class:`_Routes` find it). ``cache``: what earlier builds of the same
    scenario made that this one shares (the same network, built faster)."""
    return build(scenario, demands, events, used, tables, cache)


class NetworkCache:
    """What the networks of one scenario's re-plans share whatever their shipments: road
    trips (legs and road-link-day capacities), service legs and transshipments (handling,
    ready time, node-day capacity), kept between builds while the known events other than
    road noise are the same. Service legs and handling do not depend on road noise; a trip's
    times depend on the closures, slowdowns and node delays (unchanged) and on the road noise
    of its legs' departure hours. Noise is revealed hour by hour and, once known, never
    changes, so a trip made earlier is reused unless one of its legs departs in an hour whose
    noise became known since (then it is made again). Another scenario or other events
    empty it. Every change is one assignment: a build abandoned by a decision budget
    (:mod:`mmroute.agents.deadline`) leaves the trips it made, and nothing half-updated."""

    def __init__(self) -> None:
        # (key, per noisy link the last hour its noise is known, per epoch the hours
        # (lo, hi] whose noise became known since, trips: (path, start) -> (epoch, trip),
        # service legs: (link, timetable time, departure) -> leg, handling: (node, h) -> ...)
        self._state: tuple = (None, {}, (), {}, {}, {})
        self.hits = self.made = 0

    def sync(self, scenario: Scenario, events: KnownEvents) -> None:
        """Start a build under ``events``."""
        key = (scenario.nodes, scenario.links, scenario.start, replace(events, road_noise=()))
        ends = {rn.link: rn.from_hour + len(rn.factors) - 1 for rn in events.road_noise}
        old, old_ends, since, trips, legs, hands = self._state
        if old is None or old[0] is not key[0] or old[1] is not key[1] or old[2] != key[2] \
                or old[3] != key[3] or any(ends.get(lk, -math.inf) < e
                                           for lk, e in old_ends.items()):
            self._state = (key, ends, (), {}, {}, {})
            return
        changed = [lk for lk, e in ends.items() if old_ends.get(lk) != e]
        if changed:
            lo = min(old_ends.get(lk, -math.inf) for lk in changed)
            hi = max(ends[lk] for lk in changed)
            since = (*((min(a, lo), max(b, hi)) for a, b in since), (lo, hi))
            self._state = (old, ends, since, trips, legs, hands)

    def trip(self, b: _Builder, path, key: tuple, t: float):
        """``_road_trip(b, b.cond, path, t)``, kept (the road capacities set in ``b``)."""
        since, trips = self._state[2:4]
        epoch = len(since)
        hit = trips.get((key, t))
        if hit is not None:
            e, trip = hit
            if e == epoch or trip is None or not _new_noise(trip[0], *since[e]):
                self.hits += 1
                if trip is not None:
                    for res in trip[1]:
                        b.capacity[res] = b.sc.link(res[1]).capacity_teu
                return trip
        self.made += 1
        trip = _road_trip(b, b.cond, path, t)
        trips[(key, t)] = (epoch, trip)
        return trip

    def leg(self, cond: Conditions, link, dep: float, timetable_h: float):
        """The service leg of ``link``'s departure ``timetable_h`` (actual ``dep``), kept."""
        legs = self._state[4]
        k = (link.id, timetable_h, dep)
        leg = legs.get(k)
        if leg is None:
            leg = legs[k] = _leg(cond, link, dep, timetable_h)
        return leg

    def handling(self, b: _Builder, v: str, at: float):
        """``b.handling(v, at)``, kept (the node-day capacity set in ``b``)."""
        hands = self._state[5]
        out = hands.get((v, at))
        if out is None:
            out = hands[(v, at)] = b.new_handling(v, at)
        elif out[2]:
            b.capacity[out[2][0]] = b.node_of[v].capacity_teu_per_day
        return out


def _new_noise(legs, lo: float, hi: float) -> bool:
    """Whether a leg of ``legs`` departs in an hour in ``(lo, hi]``."""
    return any(lo < math.floor(lg.departure_h + 1e-9) <= hi for lg in legs)


class _Routes:
    """Cheapest routes of every shipment (see the module doc, step 2): per shipment its usable
    arcs, their costs and the cheapest route through each, and its lower bound; sets
    ``net.usable``."""

    def __init__(self, scenario: Scenario, net: TimeExpandedNetwork, arr: ArcArrays,
                 price: float):
        obj = scenario.objective
        self.net, self.arr, self.obj, self.price = net, arr, obj, price
        n, m = len(net.nodes), len(net.arcs)
        dem = net.demands
        self.q = np.array([d.quantity_teu for d in dem], dtype=float)
        self.release = np.array([d.release_h for d in dem], dtype=float)
        self.due = np.array([d.due_h for d in dem], dtype=float)
        self.late = np.array([d.lateness_cny_per_teu_h for d in dem], dtype=float)
        self.src = np.array([net.source[d.shipment] for d in dem], dtype=np.int64)
        self.dst = np.array([net.sink[d.destination] for d in dem], dtype=np.int64)
        self.base = obj.cost_weight * arr.cost + price * arr.co2 / 1000.0
        self.timed = np.nonzero(~np.isnan(arr.arrival))[0]
        self.mincap = np.array([min((net.capacity[r] for r in a.resources), default=np.inf)
                                for a in net.arcs], dtype=float)
        levels = _levels(net, arr)
        fwd_order = np.lexsort((arr.head, levels[arr.tail]))
        self.fwd_groups = _groups(fwd_order, levels[arr.tail[fwd_order]], arr.head[fwd_order])
        bwd_order = np.lexsort((arr.tail, -levels[arr.head]))
        self.bwd_groups = _groups(bwd_order, -levels[arr.head[bwd_order]], arr.tail[bwd_order])
        block = max(1, _BLOCK_CELLS // max(1, max(n, m)))
        self.usable: list[np.ndarray] = []
        self.through: list[np.ndarray] = []
        self.lbs = np.zeros(len(dem))
        for lo in range(0, len(dem), block):
            ks = np.arange(lo, min(len(dem), lo + block))
            self._block(ks, n)
        self.lb_total = float(self.lbs.sum())
        net.usable = {d.shipment: self.usable[k] for k, d in enumerate(dem)}  # arrays

    def costs(self, ks: np.ndarray, arcs: np.ndarray) -> np.ndarray:
        """Objective coefficients (CNY) of shipments ``ks`` on ``arcs`` (a matrix), ``inf``
        where an arc's capacity is below the shipment's TEU: as :func:`shipment_costs`."""
        q = self.q[ks][:, None]
        c = q * self.base[arcs][None, :]
        t = self.arr.arrival[arcs]
        timed = np.nonzero(~np.isnan(t))[0]
        if len(timed):
            tt = t[timed][None, :]
            c[:, timed] += q * (self.obj.time_value_cny_per_teu_h * (tt - self.release[ks][:, None])
                                + self.late[ks][:, None] * np.maximum(0.0, tt - self.due[ks][:, None]))
        drop = np.nonzero(self.arr.is_drop[arcs])[0]
        if len(drop):
            c[:, drop] = q * self.obj.drop_penalty_cny_per_teu
        c[self.mincap[arcs][None, :] < q - 1e-9] = np.inf
        return c

    def _block(self, ks: np.ndarray, n: int) -> None:
        """The sweeps for shipments ``ks`` (matrices event node x shipment)."""
        arr = self.arr
        cols = np.arange(len(ks))
        C = self.costs(ks, np.arange(len(arr.tail))).T.copy()
        F = _sweep(n, self.src[ks], cols, C, self.fwd_groups, arr.tail)
        B = _sweep(n, self.dst[ks], cols, C, self.bwd_groups, arr.head)
        through = (F[arr.tail] + C + B[arr.head]).T
        for r, k in enumerate(ks.tolist()):
            idx = np.nonzero(np.isfinite(through[r]))[0]
            self.usable.append(idx)
            self.through.append(through[r, idx])
            self.lbs[k] = B[self.src[k], r]

    def cheapest_path(self, k: int) -> list[int] | None:
        """Arc ids of shipment ``k``'s cheapest route (``None`` if it has no usable arc)."""
        idx, th = self.usable[k], self.through[k]
        if not len(idx):
            return None
        lb = self.lbs[k]
        tol = 1e-9 * max(1.0, abs(lb))
        on = th <= lb + tol  # arcs on some cheapest route: from any node reached by them,
        # the least of its arcs among them stays on a cheapest route
        out: dict[int, list[tuple[float, int]]] = defaultdict(list)
        for i, t in zip(idx[on].tolist(), th[on].tolist()):
            out[int(self.arr.tail[i])].append((t, i))
        node, sink, path = self.src[k], self.dst[k], []
        while node != sink:
            if not out[node]:
                return None
            _, i = min(out[node])
            path.append(i)
            node = int(self.arr.head[i])
        return path

    def prune(self, ub: float) -> None:
        """Keep in ``net.usable`` the arcs whose cheapest route fits within ``ub`` (the rule
        of :func:`~mmroute.routing.plan.prune.prune`)."""
        slack = max(0.0, ub - self.lb_total) + 1e-6 * max(1.0, abs(ub))
        for k, d in enumerate(self.net.demands):
            keep = self.through[k] <= self.lbs[k] + slack
            self.net.usable[d.shipment] = self.usable[k][keep].tolist()


def _levels(net: TimeExpandedNetwork, arr: ArcArrays) -> np.ndarray:
    """Longest-path level of every event node (0 for nodes without arcs in)."""
    rank = topological_rank(net, arr)
    order = np.argsort(rank[arr.tail], kind="stable")
    level = np.zeros(len(net.nodes), dtype=np.int64)
    tl, hd = arr.tail[order].tolist(), arr.head[order].tolist()
    lv = level.tolist()
    for t, h in zip(tl, hd):
        if lv[t] + 1 > lv[h]:
            lv[h] = lv[t] + 1
    return np.array(lv, dtype=np.int64)


def _groups(order: np.ndarray, key: np.ndarray, target: np.ndarray):
    """``order`` (arcs sorted by ``key`` then ``target``) cut at each ``key``: per group its
    arcs, its distinct targets and where each target's run starts."""
    cuts = np.nonzero(np.diff(key))[0] + 1
    out = []
    for arcs, tg in zip(np.split(order, cuts), np.split(target, cuts)):
        starts = np.concatenate([[0], np.nonzero(np.diff(tg))[0] + 1])
        out.append((arcs, tg[starts], starts))
    return out


def _sweep(n: int, origins: np.ndarray, cols: np.ndarray, C: np.ndarray, groups,
           ends: np.ndarray) -> np.ndarray:
    """Cheapest cost (CNY; event node x shipment) from each shipment's ``origins`` node: one
    pass over ``groups`` (``(arcs, targets, starts)`` in level order, as :func:`_groups` makes
    them), each arc's cost ``C`` added to the cost at its ``ends`` (its tail going forward,
    its head going backward)."""
    D = np.full((n, len(cols)), np.inf)
    D[origins, cols] = 0.0
    for arcs, targets, starts in groups:
        v = D[ends[arcs]] + C[arcs]
        red = np.minimum.reduceat(v, starts, axis=0) if len(starts) < len(arcs) else v
        D[targets] = np.minimum(D[targets], red)
    return D


# --- incumbent ---------------------------------------------------------------------------


def _incumbent(scenario: Scenario, net: TimeExpandedNetwork, arr: ArcArrays, routes: _Routes,
               price: float, initial: Plan | None):
    """The better of two capacity-feasible unsplittable plans (module doc, step 3); the
    second is tried only if the first does not meet the lower bound."""
    warm = _warm_paths(net, initial) if initial is not None else {}
    cheapest: dict[int, list[int] | None] = {}
    best, best_value = None, math.inf
    for warm_first in (True, False) if warm else (False,):
        flows, value = _fill(scenario, net, arr, routes, price, warm, cheapest, warm_first)
        if value < best_value:
            best, best_value = flows, value
        if relative_gap(best_value, routes.lb_total) <= S.GAP_OPTIMAL / 10:
            break
    return S._extract(scenario, net, best, price, False)


def _fill(scenario, net, arr, routes, price, warm, cheapest, warm_first):
    """Shipments by due time, each on its first choice that fits the capacity left:
    ``(flows, objective)``."""
    left = dict(net.capacity)
    flows: dict[tuple[str, int], float] = {}
    total = 0.0
    order = sorted(range(len(net.demands)),
                   key=lambda k: (net.demands[k].due_h, -net.demands[k].quantity_teu))
    for k in order:
        d = net.demands[k]
        q = d.quantity_teu
        path = None
        for first in ((True, False) if warm_first else (False, True)):
            if first:
                p = warm.get(d.shipment)
            else:
                if k not in cheapest:
                    cheapest[k] = routes.cheapest_path(k)
                p = cheapest[k]
            if p is not None and _fits(net, p, left, q):
                path = p
                break
        if path is None:
            path = _greedy_path(scenario, net, arr, routes, k, left, price)
        for i in path:
            for r in net.arcs[i].resources:
                left[r] -= q
            flows[(d.shipment, i)] = 1.0
        total += float(shipment_costs(arr, np.asarray(path, dtype=np.int64), d,
                                      scenario.objective, price).sum())
    return flows, total


def _fits(net, path, left, q) -> bool:
    use: dict[tuple, float] = defaultdict(float)
    for i in path:
        for r in net.arcs[i].resources:
            use[r] += q
    return all(left[r] >= u - 1e-9 for r, u in use.items())


def _greedy_path(scenario, net, arr, routes, k, left, price) -> list[int]:
    """Shipment ``k``'s cheapest route within the capacity ``left`` (as the greedy plan finds
    it), or its drop arc."""
    d = net.demands[k]
    q = d.quantity_teu
    idx = routes.usable[k]
    fits = np.array([all(left[r] >= q - 1e-9 for r in net.arcs[i].resources)
                     for i in idx.tolist()], dtype=bool)
    idx = idx[fits]
    c = shipment_costs(arr, idx, d, scenario.objective, price).tolist()
    rank = routes.__dict__.setdefault("_rank", topological_rank(net, arr))
    tl, hd = arr.tail[idx].tolist(), arr.head[idx].tolist()
    dist: dict[int, float] = {int(net.source[d.shipment]): 0.0}
    pred: dict[int, int] = {}
    for j in np.argsort(rank[arr.tail[idx]], kind="stable").tolist():
        du = dist.get(tl[j])
        if du is None:
            continue
        v = du + c[j]
        if v < dist.get(hd[j], math.inf):
            dist[hd[j]] = v
            pred[hd[j]] = int(idx[j])
    sink = net.sink[d.destination]
    drop = [i for i in routes.usable[k].tolist() if net.arcs[i].kind == "drop"]
    if sink not in pred:
        return drop
    path, v = [], sink
    while v != net.source[d.shipment]:
        path.append(pred[v])
        v = net.arcs[pred[v]].tail
    if not _fits(net, path, left, q):  # a resource met twice
        return drop
    return path


def _warm_paths(net: TimeExpandedNetwork, plan: Plan) -> dict[str, list[int]]:
    """Per shipment, the arcs that follow ``plan``'s remaining legs, where they still exist
    (:func:`~mmroute.routing.plan.follow.followed_paths`)."""
    return {sid: p for sid, p in followed_paths(net, plan).items() if p is not None}
