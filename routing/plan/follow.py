"""The arcs of a time-expanded network that follow a plan: for each shipment still to move,
the path from its source to its sink whose legs are exactly its itinerary's remaining legs
(same links, departures rounded to 1e-4 h) — the warm start of the incremental re-plan's
incumbent and the solution hint of the plan MIP. ``None`` where the itinerary can no longer
be followed in the network (a closed link, a missed departure, a capacity used up)."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from mmroute.routing.plan.expand import Demand, TimeExpandedNetwork
from mmroute.world.plan import Plan

__all__ = ["followed_paths"]

#: time tolerance (h) of a network node against a wanted departure rounded to 1e-4 h
_ROUND_TOL_H = 1e-4


def followed_paths(net: TimeExpandedNetwork, plan: Plan) -> dict[str, list[int] | None]:
    """For every demand of ``net``, the arcs (source to sink) that follow its shipment's one
    itinerary in ``plan`` from its ready time on; ``None`` if it has none (or several), or
    if they no longer exist in ``net`` (among its usable arcs)."""
    by_leg: dict[tuple, list[int]] = defaultdict(list)  # (tail, first leg) -> arcs
    no_leg: dict[int, list[int]] = defaultdict(list)  # tail -> arcs without legs
    for i, a in enumerate(net.arcs):
        if a.legs:
            lg = a.legs[0]
            by_leg[(a.tail, lg.link, round(lg.departure_h, 4))].append(i)
        else:
            no_leg[a.tail].append(i)
    by_ship: dict[str, list] = defaultdict(list)
    for it in plan.itineraries:
        by_ship[it.shipment].append(it)
    paths: dict[str, list[int] | None] = {}
    for d in net.demands:
        its = by_ship.get(d.shipment, [])
        if len(its) != 1:
            paths[d.shipment] = None
            continue
        it = its[0]
        want = tuple((lg.link, round(lg.departure_h, 4)) for lg in it.legs
                     if lg.departure_h >= d.ready_h - 1e-6)
        paths[d.shipment] = _follow(net, by_leg, no_leg, d, want, it.dropped)
    return paths


def _follow(net: TimeExpandedNetwork, by_leg, no_leg, d: Demand, want: tuple,
            dropped: bool) -> list[int] | None:
    """Arcs from ``d``'s source to its sink whose legs are exactly ``want`` (DFS over the
    arcs without legs and those whose first leg is the next one wanted; a node later than
    the next wanted departure is a dead end)."""
    mask = np.zeros(len(net.arcs), dtype=np.uint8)
    mask[net.usable[d.shipment]] = 1
    usable = mask.tobytes()
    sink = net.sink[d.destination]
    stack = [(net.source[d.shipment], 0, ())]
    seen = set()
    while stack:
        node, k, path = stack.pop()
        if node == sink:
            if k == len(want):
                return list(path)
            continue
        if (node, k) in seen:
            continue
        seen.add((node, k))
        last = k == len(want)
        cands = no_leg.get(node, [])
        if not last:
            cands = cands + by_leg.get((node, *want[k]), [])
        for i in cands:
            if not usable[i]:
                continue
            a = net.arcs[i]
            if (a.kind == "drop") != dropped:
                continue
            if last and a.head != sink:  # only an arc into the sink has no legs
                continue
            legs = tuple((lg.link, round(lg.departure_h, 4)) for lg in a.legs)
            if legs != want[k:k + len(legs)]:
                continue
            after = k + len(legs)
            until = want[after][1] + _ROUND_TOL_H if after < len(want) else math.inf
            key = net.nodes[a.head]
            if key[0] in ("D", "R") and key[2] > until:  # past the next leg's departure
                continue
            stack.append((a.head, after, (*path, i)))
    return None
