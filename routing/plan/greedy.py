"""A greedy plan: shipments one by one (earliest due first) on their cheapest path in the
time-expanded network among arcs with enough capacity left. A fallback incumbent for
instances where the MIP stops before finding one; not optimal."""

from __future__ import annotations

import math
from collections import defaultdict

from mmroute.routing.plan.expand import Network
from mmroute.scenarios import Scenario

__all__ = ["greedy_flows"]


def _topological(net: Network) -> list[int]:
    indeg = [0] * len(net.nodes)
    out: list[list[int]] = [[] for _ in net.nodes]
    for i, a in enumerate(net.arcs):
        indeg[a.head] += 1
        out[a.tail].append(i)
    order = [u for u, d in enumerate(indeg) if d == 0]
    k = 0
    while k < len(order):
        for i in out[order[k]]:
            h = net.arcs[i].head
            indeg[h] -= 1
            if indeg[h] == 0:
                order.append(h)
        k += 1
    return order


def greedy_flows(scenario: Scenario, net: Network, price: float) -> dict[tuple[str, int], float]:
    """``{(shipment, arc): 1.0}`` of a capacity-feasible unsplittable plan (drops allowed)."""
    obj = scenario.objective
    order = _topological(net)
    out: list[list[int]] = [[] for _ in net.nodes]
    for i, a in enumerate(net.arcs):
        out[a.tail].append(i)
    left = dict(net.capacity)
    flows: dict[tuple[str, int], float] = {}
    for d in sorted(net.demands, key=lambda d: (d.due_h, -d.quantity_teu)):
        usable = set(net.usable[d.shipment])
        q = d.quantity_teu
        dist = defaultdict(lambda: math.inf)
        pred: dict[int, int] = {}
        dist[net.source[d.shipment]] = 0.0
        for u in order:
            du = dist.get(u, math.inf)
            if du == math.inf:
                continue
            for i in out[u]:
                if i not in usable:
                    continue
                a = net.arcs[i]
                if any(left[r] < q - 1e-9 for r in a.resources):
                    continue
                if a.kind == "drop":
                    c = obj.drop_penalty_cny_per_teu
                else:
                    c = obj.cost_weight * a.cost_per_teu_cny + price * a.co2_per_teu_kg / 1000
                    if a.arrival_h is not None:
                        c += (obj.time_value_cny_per_teu_h * (a.arrival_h - d.release_h)
                              + d.lateness_cny_per_teu_h * max(0.0, a.arrival_h - d.due_h))
                if du + c < dist[a.head]:
                    dist[a.head] = du + c
                    pred[a.head] = i
        path = []
        v = net.sink[d.destination]
        while v != net.source[d.shipment]:
            path.append(pred[v])
            v = net.arcs[pred[v]].tail
        use: dict[tuple, float] = defaultdict(float)
        for i in path:
            for r in net.arcs[i].resources:
                use[r] += q
        if any(left[r] < u - 1e-9 for r, u in use.items()):  # a resource met twice
            path = [i for i in net.usable[d.shipment] if net.arcs[i].kind == "drop"]
            use.clear()
        for r, u in use.items():
            left[r] -= u
        for i in path:
            flows[(d.shipment, i)] = 1.0
    return flows
