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
from mmroute.routing.plan.sweep import Sweeps, topological_rank_of
from mmroute.scenarios import Objective

__all__ = ["ArcArrays", "BatchCosts", "shipment_costs", "prune", "DROP_CO2_KG_PER_TEU"]

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
    return topological_rank_of(len(net.nodes), arr.tail, arr.head)


class BatchCosts:
    """:func:`shipment_costs` of many demands of ``net`` on many arcs at once, for the
    batched passes of :class:`Sweeps` (same expressions, so the same floats). Arcs whose
    capacities cannot take a demand whole cost inf for it."""

    def __init__(self, net: TimeExpandedNetwork, arr: ArcArrays, sweeps: Sweeps, obj: Objective,
                 price: float, minimize: str = "objective"):
        self.net, self.arr, self.sw = net, arr, sweeps
        self.obj, self.price, self.minimize = obj, price, minimize
        self.q = sweeps.teu
        if minimize == "co2":
            self.base = arr.co2
            self.timed = np.zeros(len(arr.co2), dtype=bool)
        else:
            self.base = obj.cost_weight * arr.cost + price * arr.co2 / 1000.0
            self.timed = ~np.isnan(arr.arrival)
        self.release = np.array([d.release_h for d in net.demands], dtype=float)
        self.due = np.array([d.due_h for d in net.demands], dtype=float)
        self.late = np.array([d.lateness_cny_per_teu_h for d in net.demands], dtype=float)

    def matrix(self, ks: np.ndarray, arcs: np.ndarray | None = None) -> np.ndarray:
        """Costs of ``arcs`` (rows; default the shared arcs) for demands ``ks`` (columns)."""
        arcs = self.sw.shared if arcs is None else arcs
        q = self.q[ks][None, :]
        c = q * self.base[arcs][:, None]
        rows = np.nonzero(self.timed[arcs])[0]
        if len(rows):
            t = self.arr.arrival[arcs[rows]][:, None]
            c[rows] += q * (self.obj.time_value_cny_per_teu_h * (t - self.release[ks][None, :])
                            + self.late[ks][None, :] * np.maximum(0.0, t - self.due[ks][None, :]))
        cap = self.sw.mincap[arcs]
        rows = np.nonzero(cap < q.max() - 1e-9)[0]  # arcs too small for some demand
        if len(rows):
            c[rows] = np.where(cap[rows][:, None] < q - 1e-9, np.inf, c[rows])
        return c

    def chunk(self, ks: np.ndarray) -> ChunkCosts:
        """The costs of the shared arcs for demands ``ks``."""
        return ChunkCosts(self, ks)

    def own(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The arcs demand ``k`` owns that can take it whole, and their costs."""
        idx = self.sw.owned(k)
        idx = idx[self.sw.mincap[idx] >= self.q[k] - 1e-9]
        d = self.net.demands[k]
        return idx, shipment_costs(self.arr, idx, d, self.obj, self.price, self.minimize)


class ChunkCosts:
    """:meth:`BatchCosts.matrix` of the shared arcs for one chunk of demands, held only for
    the arcs whose cost is not ``quantity x cost per TEU`` (arrivals at a destination, arcs too
    small for some demand): the rest is made when asked, so no arcs x demands matrix."""

    def __init__(self, costs: BatchCosts, ks: np.ndarray):
        self.q = costs.q[ks]
        arcs = costs.sw.shared
        special = arcs[costs.timed[arcs] | (costs.sw.mincap[arcs] < self.q.max() - 1e-9)]
        self.rows = costs.matrix(ks, special)
        self.row_of = dict(zip(special.tolist(), range(len(special))))
        self.base = costs.base
        self.base_l = costs.base.tolist()

    def __call__(self, a: int) -> np.ndarray:
        """The costs of shared arc ``a`` for the chunk's demands."""
        r = self.row_of.get(a)
        return self.q * self.base_l[a] if r is None else self.rows[r]

    def block(self, arcs: np.ndarray) -> np.ndarray:
        """The costs of shared ``arcs`` (rows) for the chunk's demands (columns)."""
        c = self.q[None, :] * self.base[arcs][:, None]
        for i, a in enumerate(arcs.tolist()):
            r = self.row_of.get(a)
            if r is not None:
                c[i] = self.rows[r]
        return c


def prune(net: TimeExpandedNetwork, arr: ArcArrays, obj: Objective, price: float, ub: float,
          *, minimize: str = "objective", sweeps: Sweeps | None = None) -> float:
    """Remove arcs that no optimal plan uses, given a plan of value ``ub`` (objective, or CO2
    with ``minimize="co2"``, see :func:`shipment_costs`); return ``sum_s LB_s``, a lower bound
    on the optimum. Exact under any further constraint the plan of value ``ub`` meets.

    Two batched passes (:class:`Sweeps`): the cheapest route of every shipment (``LB_s``),
    then the cheapest route through every arc, kept if within the slack."""
    sw = Sweeps.of(net) if sweeps is None else sweeps
    costs = BatchCosts(net, arr, sw, obj, price, minimize)
    head = sw.head
    lbs = np.empty(len(net.demands))
    for ks in sw.chunks():
        bwd = sw.backward(ks, costs.chunk(ks))
        for j, k in enumerate(ks.tolist()):
            idx, c = costs.own(k)
            lbs[k] = float(np.min(c + bwd[head[idx], j]))
    lb_total = sum(lbs.tolist())
    slack = max(0.0, ub - lb_total) + 1e-6 * max(1.0, abs(ub))
    for ks in sw.chunks():
        limit = lbs[ks] + slack
        cost = costs.chunk(ks)
        fwd, _ = sw.forward(ks, cost, costs.own)
        bwd = sw.backward(ks, cost)
        kept: list[list[np.ndarray]] = [[] for _ in ks]
        for lo in range(0, len(sw.shared), _ARC_BLOCK):
            arcs = sw.shared[lo:lo + _ARC_BLOCK]
            through = fwd[sw.tail[arcs]] + cost.block(arcs) + bwd[head[arcs]]
            keep_t = np.ascontiguousarray((through <= limit[None, :]).T)
            del through
            for j in range(len(ks)):
                kept[j].append(arcs[keep_t[j]])
        for j, k in enumerate(ks.tolist()):
            idx, c = costs.own(k)
            kept[j].append(idx[0.0 + c + bwd[head[idx], j] <= limit[j]])
            sid = net.demands[k].shipment
            new = np.sort(np.concatenate(kept[j]))
            net.usable[sid] = new[np.isin(new, net.usable[sid])]
    return lb_total


#: shared arcs per block of the through-cost matrix (memory ``_ARC_BLOCK x CHUNK x 8`` bytes)
_ARC_BLOCK = 1024
