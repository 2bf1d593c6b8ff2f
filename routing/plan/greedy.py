"""A greedy plan: shipments one by one (earliest due first) on their cheapest path in the
time-expanded network among arcs with enough capacity left. An incumbent for arc elimination
and a fallback when the MIP stops before finding one; not optimal.

Every shipment's cheapest path at full capacity comes from one batched pass
(:meth:`Sweeps.forward`); a shipment keeps it when every arc on it still has the capacity, and
only otherwise is its path searched again among the arcs with capacity left. The first path
is the one that search would find (ties broken alike), so the plan is the same as searching
every shipment, at a fraction of the time when capacities bind rarely. Below
:data:`BATCH_MIN_SHIPMENTS` shipments every path is searched (faster there).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from mmroute.routing.plan.expand import TimeExpandedNetwork
from mmroute.routing.plan.prune import (
    BATCH_MIN_SHIPMENTS,
    ArcArrays,
    BatchCosts,
    shipment_costs,
    topological_rank,
)
from mmroute.routing.plan.sweep import Sweeps
from mmroute.scenarios import Scenario

__all__ = ["greedy_flows"]


def greedy_flows(scenario: Scenario, net: TimeExpandedNetwork, price: float,
                 arr: ArcArrays | None = None, *, minimize: str = "objective",
                 share: dict[str, float] | None = None,
                 sweeps: Sweeps | None = None,
                 batched: bool | None = None) -> dict[tuple[str, int], float] | None:
    """``{(shipment, arc): 1.0}`` of a capacity-feasible unsplittable plan (drops allowed),
    each shipment on its cheapest path by ``minimize``'s costs (:func:`shipment_costs`).
    ``share``: shipment -> 1 (must be delivered) or 0 (dropped); ``None`` if a shipment that
    must be delivered finds no path with capacity left. ``batched``: first paths from one
    batched pass (default: from :data:`BATCH_MIN_SHIPMENTS` shipments on; the same plan)."""
    arr = ArcArrays.of(net) if arr is None else arr
    share = share or {}
    if batched is None:
        batched = len(net.demands) >= BATCH_MIN_SHIPMENTS
    first = {} if not batched else _first_paths(
        scenario, net, arr, sweeps, price, minimize, share)
    rank = topological_rank(net, arr)
    n = len(net.nodes)
    left = _Left(net)
    flows: dict[tuple[str, int], float] = {}
    ship_no = {d.shipment: k for k, d in enumerate(net.demands)}
    for d in sorted(net.demands, key=lambda d: (d.due_h, -d.quantity_teu)):
        q = d.quantity_teu
        must = share.get(d.shipment)
        usable = np.asarray(net.usable[d.shipment], dtype=np.int64)
        drop = usable[arr.is_drop[usable]].tolist()
        if must is not None and must < 0.5:  # held dropped
            flows.update({(d.shipment, i): 1.0 for i in drop})
            continue
        path = first.get(ship_no[d.shipment])
        if path is None or not left.fits(path, q):
            idx = usable
            fits = left.arc_left[idx] >= q - 1e-9
            if must is not None:
                fits &= ~arr.is_drop[idx]
            idx = idx[fits]
            c = shipment_costs(arr, idx, d, scenario.objective, price, minimize).tolist()
            tl, hd = arr.tail[idx].tolist(), arr.head[idx].tolist()
            dist = [np.inf] * n
            pred = [-1] * n
            dist[net.source[d.shipment]] = 0.0
            for k in np.argsort(rank[arr.tail[idx]], kind="stable").tolist():
                v = dist[tl[k]] + c[k]
                if v < dist[hd[k]]:
                    dist[hd[k]] = v
                    pred[hd[k]] = int(idx[k])
            path = []
            v = net.sink[d.destination]
            if pred[v] < 0:  # held delivered, no path left
                return None
            while v != net.source[d.shipment]:
                path.append(pred[v])
                v = net.arcs[pred[v]].tail
        use: dict[tuple, float] = defaultdict(float)
        for i in path:
            for r in net.arcs[i].resources:
                use[r] += q
        if not left.takes(use):  # a resource met twice
            if must is not None:
                return None
            path = drop
            use.clear()
        left.take(use)
        for i in path:
            flows[(d.shipment, i)] = 1.0
    return flows


def _first_paths(scenario: Scenario, net: TimeExpandedNetwork, arr: ArcArrays,
                 sw: Sweeps | None, price: float, minimize: str,
                 share: dict[str, float]) -> dict[int, list[int]]:
    """Each free shipment's (index ->) cheapest path at full capacity, sink to source."""
    sw = Sweeps.of(net) if sw is None else sw
    costs = BatchCosts(net, arr, sw, scenario.objective, price, minimize)
    out: dict[int, list[int]] = {}
    for ks in sw.chunks():
        _, prev = sw.forward(ks, costs.chunk(ks), costs.own, pred=True)
        for j, k in enumerate(ks.tolist()):
            if net.demands[k].shipment in share:
                continue
            v, src, path = int(sw.sink[k]), int(sw.source[k]), []
            while v != src and prev[sw.node_row[v], j] >= 0:
                a = int(prev[sw.node_row[v], j])
                path.append(a)
                v = int(sw.tail[a])
            if v == src:
                out[k] = path
    return out


class _Left:
    """Capacity left per resource, and per arc the least left over its resources (TEU)."""

    def __init__(self, net: TimeExpandedNetwork):
        self.net = net
        self.left = dict(net.capacity)
        self.arc_left = np.fromiter(
            (min((net.capacity[r] for r in a.resources), default=np.inf) for a in net.arcs),
            dtype=float, count=len(net.arcs))
        arcs_of: dict[tuple, list[int]] = defaultdict(list)
        for i, a in enumerate(net.arcs):
            for r in a.resources:
                arcs_of[r].append(i)
        self.arcs_of = {r: np.array(v, dtype=np.int64) for r, v in arcs_of.items()}

    def fits(self, path: list[int], q: float) -> bool:
        """Every arc of ``path`` can take ``q`` TEU on its own."""
        return bool(np.all(self.arc_left[path] >= q - 1e-9))

    def takes(self, use: dict[tuple, float]) -> bool:
        return not any(self.left[r] < u - 1e-9 for r, u in use.items())

    def take(self, use: dict[tuple, float]) -> None:
        for r, u in use.items():
            self.left[r] -= u
            arcs = self.arcs_of[r]
            self.arc_left[arcs] = np.minimum(self.arc_left[arcs], self.left[r])
