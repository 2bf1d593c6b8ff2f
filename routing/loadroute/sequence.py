"""Which boxes must stay reachable on a route: stops, load/unload events and the order rule.

The VRP of a scenario fleet (:func:`mmroute.routing.vrp.from_scenario_fleet`) has two kinds of
customers: plain pickups, whose boxes ride to the plant (the end depot) and are unloaded there
all together, and pickup-and-delivery pairs, whose boxes leave at the delivery stop. There are
no deliveries from the depot.

Rule applied (and why). Boxes are loaded and unloaded through the rear door at ``x = L`` and
are never re-handled on the way. A box ``b`` that is aboard while box ``a`` is loaded or
unloaded must not block ``a`` (neither in front of it towards the door with overlapping y–z
projections, nor above it with overlapping x–y projections — the 3L-CVRP LIFO rule of
Gendreau et al. 2006, as in :mod:`mmroute.routing.loading.model`). So:

- plain pickups are unloaded together at the plant, so there is *no unloading-order* rule
  between them; the rule that remains is the mirror image on the loading side: a box picked
  up earlier must not block one picked up later (it is already aboard when the later one is
  pushed in);
- a pickup-and-delivery box must not be blocked at its delivery by any box aboard then
  (the classic LIFO rule of multi-drop deliveries);
- boxes whose stays aboard do not overlap constrain nothing.

Consecutive visits at the same place form one stop, where deliveries are unloaded before the
pickups are loaded. ``b`` must not block ``a`` iff ``load_b < load_a < unload_b`` or
``load_b < unload_a < unload_b`` (stops numbered along the route; the plant is the last stop).

The loading package models the rule with one ``stop`` index per box type. We give it the rank
of ``(unload stop, -load stop)``: earlier unload first, then later pickup first. That index
reproduces the rule exactly unless stays cross (``b`` picked up before ``a`` and delivered
while ``a`` is still aboard: then neither may block the other) or space could be reused after a
delivery; :func:`order_violations` checks the exact rule on every packing, and
:attr:`RouteEvents.order_exact` says whether a CP-SAT proof on the indexed model is a proof for
the route.

One packing holds for the whole route (no re-stowing), which is conservative when a delivery
frees space that later pickups could use. Where the truck is empty between a delivery and the
next pickup, :func:`route_phases` cuts the route into phases that are packed separately.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mmroute.errors import InputError

__all__ = ["RouteEvents", "route_events", "route_phases", "order_violations"]


@dataclass(frozen=True)
class RouteEvents:
    """Stops of one route and, per customer on it, its load and unload stop.

    customers: customer ids in order of pickup; load/unload: stop indices (the end depot is
    stop ``num_stops``); key: the ``stop`` index given to the loading model (0 = most
    accessible); order_exact: the indexed rule equals the exact rule and no space is reused.
    """

    customers: tuple[str, ...]
    load: tuple[int, ...]
    unload: tuple[int, ...]
    key: tuple[int, ...]
    num_stops: int
    order_exact: bool

    def must_not_block(self, a: int, b: int) -> bool:
        """True if customer ``b``'s boxes must not block customer ``a``'s (indices)."""
        lb, ub = self.load[b], self.unload[b]
        return lb < self.load[a] < ub or lb < self.unload[a] < ub

    def empty_after(self) -> tuple[int, ...]:
        """Stops after whose unloading the truck is empty while more is loaded later: the route
        splits there into independent loading phases."""
        n = len(self.customers)
        return tuple(
            s for s in range(1, self.num_stops)
            if not any(self.load[i] < s < self.unload[i] for i in range(n))
            and any(self.load[i] < s for i in range(n)) and any(self.load[i] >= s for i in range(n))
        )

    def aboard_sets(self) -> tuple[tuple[int, ...], ...]:
        """Customer indices aboard after each stop's loading (distinct, largest first)."""
        sets = {
            tuple(i for i in range(len(self.customers)) if self.load[i] <= s < self.unload[i])
            for s in range(self.num_stops)
        }
        return tuple(sorted((s for s in sets if s), key=lambda s: (-len(s), s)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "customers": list(self.customers),
            "load_stop": list(self.load),
            "unload_stop": list(self.unload),
            "key": list(self.key),
            "num_stops": self.num_stops,
            "order_exact": self.order_exact,
        }


def route_events(problem: Any, visits: Sequence[int]) -> RouteEvents:
    """The events of a route of a scenario-fleet VRP (``problem.meta`` maps nodes to ids)."""
    meta = problem.meta
    if meta.get("format") != "scenario" or "node_ids" not in meta:
        raise InputError("the problem was not built from a scenario fleet", field="problem.meta")
    ids, places = meta["node_ids"], meta["places"]
    owner = {d: p for p, d in problem.pickup_delivery}  # delivery node -> pickup node
    stop_of: dict[int, int] = {}
    stop, prev = -1, None
    for v in visits:
        if places[v] != prev:
            stop += 1
            prev = places[v]
        stop_of[v] = stop
    m = stop + 1
    pickups = [v for v in visits if v not in owner]
    deliv = {p: d for d, p in owner.items()}
    load = tuple(stop_of[p] for p in pickups)
    unload = tuple(stop_of[deliv[p]] if p in deliv and deliv[p] in stop_of else m for p in pickups)
    pairs = sorted({(u, -ld) for ld, u in zip(load, unload)})
    rank = {t: k for k, t in enumerate(pairs)}
    key = tuple(rank[(u, -ld)] for ld, u in zip(load, unload))
    ev = RouteEvents(tuple(ids[p] for p in pickups), load, unload, key, m, True)
    n = len(pickups)
    exact = all(
        ev.must_not_block(a, b) == (key[a] < key[b])
        for a in range(n) for b in range(n) if a != b
    ) and not any(unload[a] <= load[b] for a in range(n) for b in range(n) if a != b)
    return RouteEvents(ev.customers, load, unload, key, m, exact)


def route_phases(problem: Any, visits: Sequence[int]) -> list[tuple[int, ...]]:
    """``visits`` cut where the truck is empty (:meth:`RouteEvents.empty_after`); one part if
    never. A delivery at a cut stop belongs to the part before it, a pickup there to the next."""
    cuts = route_events(problem, visits).empty_after()
    if not cuts:
        return [tuple(visits)]
    places = problem.meta["places"]
    deliveries = {d for _, d in problem.pickup_delivery}
    parts: list[list[int]] = [[] for _ in range(len(cuts) + 1)]
    stop, prev = -1, None
    for v in visits:
        if places[v] != prev:
            stop += 1
            prev = places[v]
        k = sum(c < stop or (c == stop and v not in deliveries) for c in cuts)
        parts[k].append(v)
    return [tuple(p) for p in parts if p]


def order_violations(
    placements: Sequence[Any],
    customer_of_type: Mapping[int, int],
    events: RouteEvents,
    *,
    limit: int = 20,
) -> list[str]:
    """Violations of the exact route rule (module docstring) by a packing's placements.

    customer_of_type maps a box type id to the index of its customer in ``events``.
    """
    if not placements:
        return []
    pos = np.array([p.position for p in placements], dtype=np.int64)
    end = pos + np.array([p.dims for p in placements], dtype=np.int64)
    cust = np.array([customer_of_type.get(p.type_id, -1) for p in placements])
    if (cust < 0).any():
        return [f"box {int(np.argmax(cust < 0))} has a type of no customer on the route"]
    n = len(events.customers)
    forbid = np.array([[a != b and events.must_not_block(a, b) for b in range(n)] for a in range(n)])
    rule = forbid[cust[:, None], cust[None, :]]  # [i, j]: j must not block i

    def ov(k: int) -> np.ndarray:
        return (np.minimum(end[:, None, k], end[None, :, k]) - np.maximum(pos[:, None, k], pos[None, :, k])) > 0

    ox, oy, oz = ov(0), ov(1), ov(2)
    front = rule & (pos[None, :, 0] >= end[:, None, 0]) & oy & oz
    above = rule & (pos[None, :, 2] >= end[:, None, 2]) & ox & oy
    out: list[str] = []
    for kind, mask in (("in front of", front), ("above", above)):
        for i, j in zip(*np.nonzero(mask)):
            out.append(
                f"route order: box {j} ({events.customers[cust[j]]}) is {kind} box {i} "
                f"({events.customers[cust[i]]}) while one of them is loaded or unloaded"
            )
    if len(out) > limit:
        out = [*out[:limit], f"... and {len(out) - limit} more"]
    return out
