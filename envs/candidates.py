"""Candidate continuations of a decision and their features: what the Gymnasium environment
offers a policy, ranked by expected remaining cost under the conditions known now.

The expected remaining cost of a move = its own cost (legs, CO2 price, handling where it ends)
+ the cost of the rest of the way from where it ends + value of time and lateness at the
expected arrival. The rest of the way is one exact hop, then nominal: the best scheduled
service on from there (the first of its next two departures, under known conditions, whose
cut-off the cargo makes and that has room), then the nominal cost-to-go (cheapest transport +
CO2 price to the destination, reverse Dijkstra on the untimed network) and time-to-go (that
counts the cut-off and half the headway of each service); where a road trip may come next (the
cargo did not arrive by road), the nominal rest from the node when it is cheaper. No service departs after the horizon: a move
whose cargo is ready at an intermediate node after the horizon continues by road (the
cheapest road-only way on); where there is none (or the cargo is in a terminal's yard, where a
service must come next), or where it is ready too late for every way on whose services leave
by the horizon (``ToGo.latest_h``), it is expected to be dropped there (its own cost + the
drop penalty).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

from mmroute.envs.forecast import Forecast
from mmroute.envs.risk import risk_by_target
from mmroute.envs.simulator import TOL_H, Decision, Move, Simulator
from mmroute.envs.tables import EnvTables
from mmroute.scenarios import Scenario

__all__ = ["Candidate", "ToGo", "to_go", "candidates", "features", "feature_values", "N_FEATURES", "MODES"]

MODES = ("road", "rail", "sea", "barge")
#: Features per candidate (see :func:`features`).
N_FEATURES = 11 + len(MODES)


@dataclass(frozen=True)
class ToGo:
    """Nominal cost (CNY/TEU, transport + CO2 price), time (h) and CO2 (kg/TEU) from every
    node to a destination (``inf`` where it cannot be reached); ``*_yard``: the same from a
    terminal's yard, where a scheduled service must come first (after a road trip);
    ``*_road``: by road only (what is left after the horizon); ``latest_h``: the latest time
    (h) cargo can be ready at a node and still reach the destination with every scheduled
    departure by the horizon (timetabled departures, nominal travel times; ``inf`` with a
    road-only way),
    ``latest_h_yard`` the same from a terminal's yard."""

    cost: dict[str, float]
    time_h: dict[str, float]
    co2_kg: dict[str, float]
    cost_yard: dict[str, float]
    time_h_yard: dict[str, float]
    co2_kg_yard: dict[str, float]
    cost_road: dict[str, float]
    time_h_road: dict[str, float]
    co2_kg_road: dict[str, float]
    latest_h: dict[str, float]
    latest_h_yard: dict[str, float]


def to_go(scenario: Scenario, destination: str, tables: EnvTables | None = None) -> ToGo:
    """Cheapest nominal continuation to ``destination``; kept in ``tables`` (the scenario's
    :class:`~mmroute.envs.tables.EnvTables`) when given, else computed afresh."""
    if tables is not None:
        tables.check(scenario)
        hit = tables.to_go.get(destination)
        if hit is None:
            hit = tables.to_go[destination] = _to_go(scenario, destination)
        return hit
    return _to_go(scenario, destination)


def _to_go(scenario: Scenario, destination: str) -> ToGo:
    """:func:`to_go`, computed."""
    price = scenario.objective.co2_price_cny_per_t
    into: dict[str, list] = {}
    for lk in scenario.links:
        into.setdefault(lk.to_node, []).append(lk)

    def run(weight, road_only: bool = False) -> dict[str, float]:
        dist = {destination: 0.0}
        heap = [(0.0, destination)]
        while heap:
            d, v = heapq.heappop(heap)
            if d > dist.get(v, math.inf):
                continue
            for lk in into.get(v, ()):
                if road_only and lk.scheduled:
                    continue
                nd = d + weight(lk)
                if nd < dist.get(lk.from_node, math.inf) - 1e-12:
                    dist[lk.from_node] = nd
                    heapq.heappush(heap, (nd, lk.from_node))
        return dist

    def wait(lk) -> float:
        tt = lk.timetable
        if tt is None:
            return 0.0
        return tt.cutoff_h + tt.period_h / max(1, len(tt.departures_h)) / 2

    def cost_of(lk) -> float:
        return lk.cost_per_teu_cny + price * lk.co2_kg_per_teu / 1000.0

    def time_of(lk) -> float:
        return lk.travel_time_h + wait(lk) + scenario.node(lk.to_node).dwell_h

    def co2_of(lk) -> float:
        return lk.co2_kg_per_teu

    tables = [run(f) for f in (cost_of, time_of, co2_of)]
    yard: list[dict[str, float]] = [{}, {}, {}]
    for lk in scenario.links:  # from a yard: a scheduled service first, then the cheapest
        if not lk.scheduled:
            continue
        w = lk.to_node
        node = scenario.node(w)
        extra = (0.0, 0.0, 0.0) if w == destination else (
            node.handling_cost_cny, node.handling_time_h, 0.0)
        for k, (f, table) in enumerate(zip((cost_of, time_of, co2_of), tables)):
            rest = 0.0 if w == destination else table.get(w, math.inf)
            v = f(lk) + extra[k] + rest
            if v < yard[k].get(lk.from_node, math.inf):
                yard[k][lk.from_node] = v
    road = [run(f, road_only=True) for f in (cost_of, time_of, co2_of)]
    horizon = scenario.horizon_h

    def latest_via(lk, latest_end: float) -> float:
        """Latest ready time at the link's start to be ready at its end by ``latest_end``."""
        end = scenario.node(lk.to_node)
        t = latest_end - lk.travel_time_h - end.dwell_h - (
            0.0 if lk.to_node == destination else end.handling_time_h)
        if lk.scheduled:  # its last departure by then and by the horizon, less the cut-off
            tt = lk.timetable
            t = min(t, horizon)
            deps = tt.departures(t - tt.period_h, t)
            t = deps[-1] - tt.cutoff_h if deps else -math.inf
        return t

    latest = {destination: math.inf}
    heap = [(-math.inf, destination)]
    while heap:  # label setting, latest first (every link only makes it earlier)
        neg, v = heapq.heappop(heap)
        if -neg < latest.get(v, -math.inf):
            continue
        for lk in into.get(v, ()):
            t = latest_via(lk, -neg)
            if t > latest.get(lk.from_node, -math.inf):
                latest[lk.from_node] = t
                heapq.heappush(heap, (-t, lk.from_node))
    latest_yard: dict[str, float] = {}
    for lk in scenario.links:
        if lk.scheduled and lk.to_node in latest:
            t = latest_via(lk, latest[lk.to_node])
            if t > latest_yard.get(lk.from_node, -math.inf):
                latest_yard[lk.from_node] = t
    return ToGo(*tables, *yard, *road, latest, latest_yard)


def _rests(tables: EnvTables, destination: str) -> dict[tuple[str, bool], tuple]:
    """``(node, by_road) -> (handling cost + nominal rest cost, rest CO2, handling time, rest
    time)`` on the way to ``destination`` from a node reached by road (yard) or not (kept in
    ``tables`` with :func:`to_go`)."""
    cache = tables.rests
    hit = cache.get(destination)
    if hit is None:
        scenario = tables.scenario
        tg, inf = to_go(scenario, destination, tables), math.inf
        hit = {}
        for node in scenario.nodes:
            v = node.id
            hit[v, True] = (node.handling_cost_cny + tg.cost_yard.get(v, inf),
                            tg.co2_kg_yard.get(v, inf), node.handling_time_h,
                            tg.time_h_yard.get(v, inf))
            hit[v, False] = (node.handling_cost_cny + tg.cost.get(v, inf),
                             tg.co2_kg.get(v, inf), node.handling_time_h,
                             tg.time_h.get(v, inf))
        cache[destination] = hit
    return hit


@dataclass(frozen=True)
class Candidate:
    """A move with what is expected of it under known conditions."""

    move: Move
    score_cny: float  # expected remaining cost of the consignment
    depart_h: float
    arrival_h: float  # expected arrival at the destination
    end_node: str
    co2_kg: float
    transshipments: int
    known_delay_share: float  # (known - nominal) / nominal time of the move
    forecast_hits: int  # links of the move a forecast cell crosses while it travels
    mode: str
    risk_h: float = 0.0  # expected extra time from disruptions not seen yet (end node, links)
    load_share: float = 0.0  # share of the departure's capacity used, with this consignment


def candidates(sim: Simulator, d: Decision, k: int, forecast: Forecast | None = None
               ) -> list[Candidate]:
    """The ``k - 1`` best moves of decision ``d`` by expected remaining cost, then drop;
    moves back to a node the consignment has left only if there is nothing else."""
    cond = sim.known()
    c = sim.consignments[d.consignment]
    s = c.shipment
    q = s.quantity_teu
    obj = sim.realised_scenario.objective
    price = sim.price
    cw, tv = obj.cost_weight, obj.time_value_cny_per_teu_h
    lp, due, release, dest = s.lateness_penalty_cny_per_teu_h, s.due_h, s.release_h, s.destination
    tables = sim.tables
    tg = to_go(sim.nominal_scenario, dest, tables)
    horizon = sim.horizon_h
    drop_teu = obj.drop_penalty_cny_per_teu
    node_risk, link_risk = risk_by_target(sim)
    options = sim.option_rows(d, cond)  # Option fields: move, depart_h, arrival_h,
    # nominal_h, end_node, cost_per_teu_cny, co2_per_teu_kg, mode, links
    # no move back to where the consignment has been (a cycle never pays under the to-go
    # estimates, and greedy rankings would shuttle): kept only when nothing else is allowed
    visited = {s.origin, *(lg.from_node for lg in c.legs)}
    forward = [o for o in options if o[4] not in visited]
    scored = []  # (score, departure, order, option, arrival, rest CO2, transshipments)
    rests, isfinite = _rests(tables, dest), math.isfinite
    terms = (cw, price, tv, lp, release, due)
    for n, o in enumerate(forward or options):
        _, dep, arr, _, end, cost, co2, mode, _ = o
        if end == dest:
            arrival, rest_cost, rest_co2, trans = arr, 0.0, 0.0, 0
        else:  # handling, then the nominal rest (from the yard after a road trip)
            by_road = mode == "road"
            rest_cost, rest_co2, handling_h, time_h = rests[end, by_road]
            ready = arr + handling_h + cond.node_delay_h(end, arr)
            arrival = ready + time_h
            trans = 1
            if isfinite(arrival):  # no service departs after the horizon
                latest = (tg.latest_h_yard if by_road else tg.latest_h).get(end, -math.inf)
                if ready > latest:  # no way on in time: expected to be dropped there
                    score = q * (cw * cost + price * co2 / 1000.0 + drop_teu)
                    scored.append((score, dep, n, o, math.inf, 0.0, trans))
                    continue
                if ready > horizon:  # latest is inf: a road-only way on, the one left
                    rest_cost = sim.nodes[end].handling_cost_cny + tg.cost_road[end]
                    rest_co2 = tg.co2_kg_road[end]
                    arrival = ready + tg.time_h_road[end]
                else:  # the next departure a service really offers from there
                    hop = _next_service(sim, cond, end, ready, q, dest, rests, terms, horizon)
                    if hop is not None:
                        hc = sim.nodes[end].handling_cost_cny
                        # from a yard a service must come next; else the better of it and
                        # the nominal rest (a road trip may come next)
                        if by_road or hop[0] + q * cw * hc < _expected_cny(
                                q, rest_cost, rest_co2, arrival, terms):
                            rest_cost, rest_co2, arrival = hc + hop[1], hop[2], hop[3]
        if not isfinite(arrival) or not isfinite(rest_cost):
            continue
        score = _expected_cny(q, cost + rest_cost, co2 + rest_co2, arrival, terms)
        scored.append((score, dep, n, o, arrival, rest_co2, trans))
    scored.sort()  # by score, departure, order (unique: the rest is never compared)
    out: list[Candidate] = []
    hits = 0
    forecasting = forecast is not None and forecast.crossing
    for score, dep, _, o, arrival, rest_co2, trans in scored[:k - 1]:  # features of the best
        m, _, arr, nominal, end, _, co2, mode, links = o
        if forecasting:
            hits = forecast.hits(links, dep, arr)
        risk = 0  # expected extra time at the end node (on arrival), then on the links
        for a, b, x in node_risk.get(end, ()):
            if a <= arr < b:
                risk = risk + x
        if link_risk:
            extra = 0
            for lid in links:
                for a, b, x in link_risk.get(lid, ()):
                    if a <= dep < b:
                        extra = extra + x
            risk += extra
        load = 0.0
        if m.kind == "service":
            cap = sim.links[m.link].capacity_teu
            if cap:
                load = (sim.dep_load.get((m.link, m.timetable_h), 0.0) + q) / cap
        out.append(_candidate(m, score, dep, arrival, end, q * (co2 + rest_co2),
                              trans, (arr - dep - nominal) / max(nominal, 1e-6), hits,
                              mode, risk, load))
    out.append(_candidate(_DROP, obj.drop_penalty_cny_per_teu * q, d.time_h, math.inf,
                          d.node, 0.0, 0, 0.0, 0, "drop", 0.0, 0.0))
    return out


def _service_rows(sim: Simulator, node: str, dest: str, rests: dict) -> list[tuple]:
    """The scheduled services from ``node`` on the way to ``dest``, each with its cost and
    CO2 to the destination (the service's, then handling and the nominal rest where it
    arrives), handling time there and nominal time to go; finite ones only (kept in the
    simulator's tables)."""
    cache = sim.tables.service_rows
    hit = cache.get((node, dest))
    if hit is None:
        hit = []
        for lk, lid, cap, cutoff, _, end, cost, co2, _, _ in sim.services(node):
            if end == dest:
                row = (cost, co2, 0.0, 0.0)
            else:
                r_cost, r_co2, handling_h, time_h = rests[end, False]
                row = (cost + r_cost, co2 + r_co2, handling_h, time_h)
            if all(math.isfinite(x) for x in row):
                hit.append((*row, lk, lid, cap, cutoff, end))
        cache[node, dest] = hit
    return hit


def _expected_cny(q: float, cost_cny: float, co2_kg: float, arrival_h: float,
                  terms: tuple) -> float:
    """What ``q`` TEU are expected to cost in all (CNY): transport and handling ``cost_cny``
    per TEU (weighted), the CO2 price of ``co2_kg`` per TEU, the value of time since release
    and lateness at ``arrival_h``; ``terms``: cost weight, CO2 price, value of time, lateness
    penalty, release and due times of the shipment."""
    cw, price, tv, lp, release, due = terms
    late = arrival_h - due
    return q * (cw * cost_cny + price * co2_kg / 1000.0 + tv * (arrival_h - release)
                + lp * (late if late > 0.0 else 0.0))  # max(0.0, late), without the call


def _next_service(sim: Simulator, cond, node: str, ready_h: float, q: float, dest: str,
                  rests: dict, terms: tuple, horizon: float
                  ) -> tuple[float, float, float, float, float] | None:
    """The best scheduled service on from ``node`` for ``q`` TEU ready there at ``ready_h``:
    the first of its next two departures (known conditions) whose cut-off the cargo makes and
    that has room, then handling and the nominal rest where it arrives. Returns ``(score,
    cost, CO2, arrival, cut-off)`` — score and cost without the handling at ``node``; the
    cut-off (h) of the departure taken: the latest the cargo may be ready for it — or None
    (no departure by the horizon). ``terms``: as :func:`_expected_cny`'s.

    A hot path: the capacity test is the twin of :meth:`Simulator.has_room`, inlined, and
    services whose lower bound cannot beat the best so far are skipped
    (tests/envs/test_speed_caches.py checks it against the plain computation)."""
    dep_load, arrivals = sim.dep_load, cond.service_arrivals
    best = None
    for rest_cost, rest_co2, handling_h, time_h, lk, lid, cap, cutoff, end in _service_rows(
            sim, node, dest, rests):
        if best is not None:  # it arrives after ready + handling + time to go: a lower bound
            if _expected_cny(q, rest_cost, rest_co2, ready_h + handling_h + time_h,
                             terms) >= best[0]:
                continue
        # the first of the next two with room (hot-path twin of sim.has_room(lk, tt, q)): the
        # departure ``dep`` the loop stops at
        for tt, dep in cond.next_departures_view(lk, ready_h + cutoff - TOL_H, horizon, 2):  # noqa: B007
            if cap is None or dep_load.get((lid, tt), 0.0) + q <= cap + 1e-9:
                break
        else:
            continue
        arr = arrivals.get((lid, dep))  # dep + cond.travel_time_h(lk, dep), kept
        if arr is None:
            arr = arrivals[lid, dep] = dep + cond.travel_time_h(lk, dep)
        arrival = arr if end == dest else arr + handling_h + cond.node_delay_h(end, arr) + time_h
        score = _expected_cny(q, rest_cost, rest_co2, arrival, terms)
        if best is None or score < best[0]:
            best = (score, rest_cost, rest_co2, arrival, tt - cutoff)
    return best


_DROP = Move.drop()
_new = object.__new__


def _candidate(move, score_cny, depart_h, arrival_h, end_node, co2_kg, transshipments,
               known_delay_share, forecast_hits, mode, risk_h, load_share) -> Candidate:
    """Hot-path twin of ``Candidate(...)``: the same instance without the frozen
    dataclass's per-field ``object.__setattr__`` (this runs for every slot of every
    decision; tests/envs/test_speed_caches.py checks they are equal)."""
    c = _new(Candidate)
    c.__dict__.update(move=move, score_cny=score_cny, depart_h=depart_h, arrival_h=arrival_h,
                      end_node=end_node, co2_kg=co2_kg, transshipments=transshipments,
                      known_delay_share=known_delay_share, forecast_hits=forecast_hits,
                      mode=mode, risk_h=risk_h, load_share=load_share)
    return c


def features(sim: Simulator, d: Decision, slots: list[Candidate | None], cost_unit: float
             ) -> np.ndarray:
    """``(len(slots), N_FEATURES)`` array, zero rows for empty slots: valid, expected remaining cost / (TEU x cost unit), arrival
    slack to due (days), CO2 (t/TEU), transshipments, known delay share, forecast hits, wait
    until departure (days), is-drop, expected extra time of unseen disruptions (days),
    departure load share, mode one-hot."""
    f = np.array(feature_values(sim, d, slots, cost_unit), dtype=np.float32)
    return np.clip(f.reshape(len(slots), N_FEATURES), -10.0, 10.0)


_ONE_HOT = {m: tuple(float(m == x) for x in MODES) for m in MODES}
_NO_MODE = (0.0,) * len(MODES)
_EMPTY = [0.0] * N_FEATURES


def feature_values(sim: Simulator, d: Decision, slots: list[Candidate | None], cost_unit: float
                   ) -> list[float]:
    """The rows of :func:`features` one after the other, as Python floats (not clipped)."""
    s = sim.consignments[d.consignment].shipment
    q = s.quantity_teu
    due, qc, now = s.due_h, q * cost_unit, d.time_h
    out: list[float] = []
    for cd in slots:
        if cd is None:
            out += _EMPTY
            continue
        arr = cd.arrival_h
        out += (1.0, cd.score_cny / qc,
                (due - arr) / 24.0 if math.isfinite(arr) else -10.0,
                cd.co2_kg / q / 1000.0, cd.transshipments, cd.known_delay_share,
                cd.forecast_hits, (cd.depart_h - now) / 24.0,
                1.0 if cd.move.kind == "drop" else 0.0, cd.risk_h / 24.0, cd.load_share)
        out += _ONE_HOT.get(cd.mode, _NO_MODE)
    return out
