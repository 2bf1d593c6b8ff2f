"""Per-shipment arc costs and bound-based arc elimination (exact, unsplittable plans).

For shipment ``s`` let ``LB_s`` be its cheapest route ignoring capacities. An arc ``a`` whose
cheapest route through it costs more than ``LB_s + (UB - sum_s LB_s)``, with ``UB`` the
objective of any feasible plan, is in no optimal plan: with ``a``, the total is at least
``sum_{s' != s} LB_s' + cost via a > UB``. Such arcs are removed from ``usable[s]``. (Not valid
for splittable flows, where a small share may take a dearer path, nor under a CO2 cap that the
plan giving ``UB`` does not respect.)

Pruning is optional for correctness: with a :class:`~mmroute.routing.plan.budget.Deadline`
that passes, the shipments not reached yet keep all their arcs (and without every ``LB_s``
there is neither bound nor pruning).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mmroute.routing.plan.budget import Deadline
from mmroute.routing.plan.expand import Demand, TimeExpandedNetwork
from mmroute.routing.plan.sweep import Sweeps, topological_rank_of
from mmroute.scenarios import Objective

__all__ = ["ArcArrays", "BatchCosts", "ChunkCosts", "shipment_costs", "prune",
           "DROP_CO2_KG_PER_TEU", "BATCH_MIN_SHIPMENTS"]

#: what a dropped TEU counts as when the plan minimises CO2 (kg): far above any route
DROP_CO2_KG_PER_TEU = 1e9


@dataclass
class ArcArrays:
    """Arc attributes as arrays (index = arc id)."""

    tail: np.ndarray
    head: np.ndarray
    cost: np.ndarray  # transport + handling (+ premium, if any), CNY per TEU
    co2: np.ndarray  # kg per TEU
    arrival: np.ndarray  # h, NaN unless into T(w)
    is_drop: np.ndarray

    @classmethod
    def of(cls, net: TimeExpandedNetwork) -> ArcArrays:
        n = len(net.arcs)
        return cls(
            tail=np.fromiter((a.tail for a in net.arcs), dtype=np.int64, count=n),
            head=np.fromiter((a.head for a in net.arcs), dtype=np.int64, count=n),
            cost=np.fromiter((a.cost_per_teu_cny + a.premium_cny_per_teu for a in net.arcs),
                             dtype=float, count=n),
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
    capacities cannot take a demand whole, and arrivals at another demand's destination, cost
    inf for it (no path of it uses them)."""

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
        if len(rows):  # arrivals: only for the demands bound there (inf for the others)
            c[rows] = np.inf
            heads = self.sw.head[arcs[rows]]
            sinks = self.sw.sink[ks]
            for h in np.unique(heads).tolist():
                r, cols = rows[heads == h], np.nonzero(sinks == h)[0]
                if len(cols):
                    qc, kc = q[:, cols], ks[cols]
                    t = self.arr.arrival[arcs[r]][:, None]
                    c[np.ix_(r, cols)] = qc * self.base[arcs[r]][:, None] + qc * (
                        self.obj.time_value_cny_per_teu_h * (t - self.release[kc][None, :])
                        + self.late[kc][None, :] * np.maximum(0.0, t - self.due[kc][None, :]))
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
        if len(arcs) * len(ks) * 8 <= _FULL_BYTES:  # small: every row held
            special = arcs
        else:
            special = arcs[costs.timed[arcs] | (costs.sw.mincap[arcs] < self.q.max() - 1e-9)]
        self.rows = costs.matrix(ks, special)
        row = np.full(len(costs.base), -1, dtype=np.int64)
        row[special] = np.arange(len(special))
        self.row_of = row.tolist()
        self.base = costs.base
        self.base_l = costs.base.tolist()

    def __call__(self, a: int) -> np.ndarray:
        """The costs of shared arc ``a`` for the chunk's demands."""
        r = self.row_of[a]
        return self.q * self.base_l[a] if r < 0 else self.rows[r]

    def block(self, arcs: np.ndarray) -> np.ndarray:
        """The costs of shared ``arcs`` (rows) for the chunk's demands (columns)."""
        c = self.q[None, :] * self.base[arcs][:, None]
        for i, a in enumerate(arcs.tolist()):
            r = self.row_of[a]
            if r >= 0:
                c[i] = self.rows[r]
        return c


def prune(net: TimeExpandedNetwork, arr: ArcArrays, obj: Objective, price: float, ub: float,
          *, minimize: str = "objective", sweeps: Sweeps | None = None,
          batched: bool | None = None, deadline: Deadline | None = None) -> float | None:
    """Remove arcs that no optimal plan uses, given a plan of value ``ub`` (objective, or CO2
    with ``minimize="co2"``, see :func:`shipment_costs`); return ``sum_s LB_s``, a lower bound
    on the optimum. Exact under any further constraint the plan of value ``ub`` meets.

    ``batched`` (default: from :data:`BATCH_MIN_SHIPMENTS` shipments on): two batched passes
    (:class:`Sweeps`), the cheapest route of every shipment (``LB_s``), then the cheapest
    route through every arc, kept if within the slack; else shipment by shipment. Both give
    the same bound and the same arcs, bit for bit.

    ``deadline``: checked between chunks (batched) or shipments; once passed, the shipments
    left keep their arcs, and if some ``LB_s`` is still missing nothing is pruned and the
    result is ``None`` (no bound)."""
    deadline = deadline or Deadline()
    if batched is None:
        batched = len(net.demands) >= BATCH_MIN_SHIPMENTS
    if not batched:
        return _prune_each(net, arr, obj, price, ub, minimize, deadline)
    sw = Sweeps.of(net) if sweeps is None else sweeps
    costs = BatchCosts(net, arr, sw, obj, price, minimize)
    head = sw.rhead
    lbs = np.empty(len(net.demands))
    own = [costs.own(k) for k in range(len(net.demands))]
    chunks = list(sw.chunks())
    keep_bwd = sw.n_rows * len(net.demands) * 8 <= _KEEP_BYTES  # else computed twice
    bwds = []
    for ks in chunks:
        if deadline.passed():
            return None
        bwd = sw.backward(ks, costs.chunk(ks))
        for j, k in enumerate(ks.tolist()):
            idx, c = own[k]
            lbs[k] = float(np.min(c + bwd[head[idx], j]))
        bwds.append(bwd if keep_bwd else None)
    lb_total = sum(lbs.tolist())
    slack = max(0.0, ub - lb_total) + 1e-6 * max(1.0, abs(ub))
    was = np.zeros(len(sw.tail), dtype=bool)  # the arcs usable before, per shipment
    for n_chunk, ks in enumerate(chunks):
        if deadline.passed():
            break
        limit = lbs[ks] + slack
        cost = costs.chunk(ks)
        fwd, _ = sw.forward(ks, cost, own.__getitem__)
        bwd = bwds[n_chunk] if keep_bwd else sw.backward(ks, cost)
        bwds[n_chunk] = None
        kept: list[list[np.ndarray]] = [[] for _ in ks]
        for lo in range(0, len(sw.shared), _ARC_BLOCK):
            arcs = sw.shared[lo:lo + _ARC_BLOCK]
            through = fwd[sw.rtail[arcs]] + cost.block(arcs) + bwd[head[arcs]]
            keep_t = np.ascontiguousarray((through <= limit[None, :]).T)
            del through
            for j in range(len(ks)):
                kept[j].append(arcs[keep_t[j]])
        for j, k in enumerate(ks.tolist()):
            idx, c = own[k]
            kept[j].append(idx[0.0 + c + bwd[head[idx], j] <= limit[j]])
            sid = net.demands[k].shipment
            new = np.sort(np.concatenate(kept[j]))
            before = np.asarray(net.usable[sid], dtype=np.int64)
            was[before] = True
            net.usable[sid] = new[was[new]]
            was[before] = False
    return lb_total


#: shipments from which :func:`prune` runs batched: below, numpy's cost per call on short
#: rows outweighs the loop over shipments (liuzhou-asean, 16 shipments: 0.04 s vs 0.1 s)
BATCH_MIN_SHIPMENTS = 64
#: largest chunk cost matrix held whole (bytes); above it only the rows that are not
#: ``quantity x cost per TEU``
_FULL_BYTES = 32 * 2**20
#: most bytes of backward costs :func:`prune` keeps from its first pass for its second
_KEEP_BYTES = 2**30
#: shared arcs per block of the through-cost matrix (memory ``_ARC_BLOCK x CHUNK x 8`` bytes)
_ARC_BLOCK = 1024


def _prune_each(net: TimeExpandedNetwork, arr: ArcArrays, obj: Objective, price: float,
                ub: float, minimize: str, deadline: Deadline) -> float | None:
    """:func:`prune` shipment by shipment (faster below :data:`BATCH_MIN_SHIPMENTS`)."""
    rank = topological_rank(net, arr)
    n = len(net.nodes)
    lbs: dict[str, float] = {}
    keep: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for d in net.demands:
        if deadline.passed():
            return None
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
        net.usable[d.shipment] = idx[through <= lbs[d.shipment] + slack]
    return lb_total
