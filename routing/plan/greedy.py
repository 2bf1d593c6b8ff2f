"""A greedy plan: shipments one by one (earliest due first) on their cheapest path in the
time-expanded network among arcs with enough capacity left. An incumbent for arc elimination
and a fallback when the MIP stops before finding one; not optimal."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from mmroute.routing.plan.expand import TimeExpandedNetwork
from mmroute.routing.plan.prune import ArcArrays, shipment_costs, topological_rank
from mmroute.scenarios import Scenario

__all__ = ["greedy_flows"]


def greedy_flows(scenario: Scenario, net: TimeExpandedNetwork, price: float,
                 arr: ArcArrays | None = None, *, minimize: str = "objective",
                 share: dict[str, float] | None = None) -> dict[tuple[str, int], float] | None:
    """``{(shipment, arc): 1.0}`` of a capacity-feasible unsplittable plan (drops allowed),
    each shipment on its cheapest path by ``minimize``'s costs (:func:`shipment_costs`).
    ``share``: shipment -> 1 (must be delivered) or 0 (dropped); ``None`` if a shipment that
    must be delivered finds no path with capacity left."""
    arr = ArcArrays.of(net) if arr is None else arr
    rank = topological_rank(net, arr)
    n = len(net.nodes)
    left = dict(net.capacity)
    flows: dict[tuple[str, int], float] = {}
    for d in sorted(net.demands, key=lambda d: (d.due_h, -d.quantity_teu)):
        q = d.quantity_teu
        must = (share or {}).get(d.shipment)
        drop = [i for i in net.usable[d.shipment] if net.arcs[i].kind == "drop"]
        if must is not None and must < 0.5:  # held dropped
            flows.update({(d.shipment, i): 1.0 for i in drop})
            continue
        idx = np.asarray(net.usable[d.shipment], dtype=np.int64)
        fits = np.array([all(left[r] >= q - 1e-9 for r in net.arcs[i].resources)
                         and not (must is not None and net.arcs[i].kind == "drop")
                         for i in idx], dtype=bool) if len(idx) else np.zeros(0, dtype=bool)
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
        if any(left[r] < u - 1e-9 for r, u in use.items()):  # a resource met twice
            if must is not None:
                return None
            path = drop
            use.clear()
        for r, u in use.items():
            left[r] -= u
        for i in path:
            flows[(d.shipment, i)] = 1.0
    return flows
