"""Per-shipment arc costs and bound-based arc elimination (exact, unsplittable plans).

For shipment ``s`` let ``LB_s`` be its cheapest route ignoring capacities. An arc ``a`` whose
cheapest route through it costs more than ``LB_s + (UB - sum_s LB_s)``, with ``UB`` the
objective of any feasible plan, is in no optimal plan: with ``a``, the total is at least
``sum_{s' != s} LB_s' + cost via a > UB``. Such arcs are removed from ``usable[s]``. (Not valid
for splittable flows, where a small share may take a dearer path, nor under a CO2 cap that the
plan giving ``UB`` does not respect.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mmroute.routing.plan.expand import Demand, TimeExpandedNetwork
from mmroute.scenarios import Objective

__all__ = ["ArcArrays", "shipment_costs", "prune", "DROP_CO2_KG_PER_TEU"]

#: what a dropped TEU counts as when the plan minimises CO2 (kg): far above any route
DROP_CO2_KG_PER_TEU = 1e9


@dataclass
class ArcArrays:
    """Arc attributes as arrays (index = arc id)."""

    tail: np.ndarray
    head: np.ndarray
    cost: np.ndarray  # transport + handling, CNY per TEU
    co2: np.ndarray  # kg per TEU
    arrival: np.ndarray  # h, NaN unless into T(w)
    is_drop: np.ndarray

    @classmethod
    def of(cls, net: TimeExpandedNetwork) -> ArcArrays:
        n = len(net.arcs)
        return cls(
            tail=np.fromiter((a.tail for a in net.arcs), dtype=np.int64, count=n),
            head=np.fromiter((a.head for a in net.arcs), dtype=np.int64, count=n),
            cost=np.fromiter((a.cost_per_teu_cny for a in net.arcs), dtype=float, count=n),
            co2=np.fromiter((a.co2_per_teu_kg for a in net.arcs), dtype=float, count=n),
            arrival=np.array([np.nan if a.arrival_h is None else a.arrival_h
                              for a in net.arcs], dtype=float),
            is_drop=np.array([a.kind == "drop" for a in net.arcs], dtype=bool),
        )


def shipment_costs(arr: ArcArrays, idx: np.ndarray, d: Demand, obj: Objective, price: float,
                   minimize: str = "objective") -> np.ndarray:
    """Objective coefficients (CNY) of shipment ``d`` on arcs ``idx``."""
    q = d.quantity_teu
    if minimize == "co2":
        c = q * arr.co2[idx]
        c[arr.is_drop[idx]] = DROP_CO2_KG_PER_TEU * q
        return c
    c = q * (obj.cost_weight * arr.cost[idx] + price * arr.co2[idx] / 1000.0)
    t = arr.arrival[idx]
    timed = ~np.isnan(t)
    c[timed] += q * (obj.time_value_cny_per_teu_h * (t[timed] - d.release_h)
                     + d.lateness_cny_per_teu_h * np.maximum(0.0, t[timed] - d.due_h))
    c[arr.is_drop[idx]] = q * obj.drop_penalty_cny_per_teu
    return c


def topological_rank(net: TimeExpandedNetwork, arr: ArcArrays) -> np.ndarray:
    """Topological rank of every event node (the network is acyclic: time never goes back)."""
    n = len(net.nodes)
    indeg = np.bincount(arr.head, minlength=n)
    order = np.argsort(arr.tail, kind="stable")
    start = np.searchsorted(arr.tail[order], np.arange(n + 1))
    rank = np.full(n, -1, dtype=np.int64)
    heads = arr.head[order].tolist()
    start_l = start.tolist()
    deg = indeg.tolist()
    queue = np.nonzero(indeg == 0)[0].tolist()
    k = 0
    while k < len(queue):
        u = queue[k]
        rank[u] = k
        for h in heads[start_l[u]:start_l[u + 1]]:
            deg[h] -= 1
            if deg[h] == 0:
                queue.append(h)
        k += 1
    return rank


def prune(net: TimeExpandedNetwork, arr: ArcArrays, obj: Objective, price: float, ub: float,
          *, minimize: str = "objective") -> float:
    """Remove arcs that no optimal plan uses, given a plan of value ``ub`` (objective, or CO2
    with ``minimize="co2"``, see :func:`shipment_costs`); return ``sum_s LB_s``, a lower bound
    on the optimum. Exact under any further constraint the plan of value ``ub`` meets."""
    rank = topological_rank(net, arr)
    n = len(net.nodes)
    lbs: dict[str, float] = {}
    keep: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for d in net.demands:
        idx = np.asarray(net.usable[d.shipment], dtype=np.int64)
        c = shipment_costs(arr, idx, d, obj, price, minimize)
        tl_a, hd_a = arr.tail[idx], arr.head[idx]
        tl, hd, cl = tl_a.tolist(), hd_a.tolist(), c.tolist()
        fwd = [np.inf] * n
        fwd[net.source[d.shipment]] = 0.0
        for k in np.argsort(rank[tl_a], kind="stable").tolist():
            v = fwd[tl[k]] + cl[k]
            if v < fwd[hd[k]]:
                fwd[hd[k]] = v
        bwd = [np.inf] * n
        bwd[net.sink[d.destination]] = 0.0
        for k in np.argsort(-rank[hd_a], kind="stable").tolist():
            v = bwd[hd[k]] + cl[k]
            if v < bwd[tl[k]]:
                bwd[tl[k]] = v
        lbs[d.shipment] = float(bwd[net.source[d.shipment]])
        f, b = np.array(fwd), np.array(bwd)
        keep[d.shipment] = (idx, f[tl_a] + c + b[hd_a], c)
    lb_total = sum(lbs.values())
    slack = max(0.0, ub - lb_total) + 1e-6 * max(1.0, abs(ub))
    for d in net.demands:
        idx, through, _ = keep[d.shipment]
        net.usable[d.shipment] = idx[through <= lbs[d.shipment] + slack].tolist()
    return lb_total
