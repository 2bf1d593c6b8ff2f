"""Road paths: which chains of road links a truck may drive between two nodes, one rule for
every layer.

The **nominal time** of a road path is the sum of its links' nominal travel times
(``Link.travel_time_h``: distance / speed, no time-of-day profile, no noise, no events) plus
the dwell of every node it passes through (customs, a border), not of its ends. Paths are
Pareto-optimal in (cost per TEU, CO2 per TEU, nominal time), at most :data:`MAX_ROAD_PATHS`
per node pair and :data:`MAX_ROAD_HOPS` links long. Actual times come from
:meth:`Conditions.road_trip <mmroute.world.conditions.Conditions.road_trip>` alone.

:func:`nominal_road_paths` are the trips a policy is offered (the simulator's road moves); the
plan MIP's expanded network contains them under any events (:func:`trip_paths`), so that every
move the simulator can make is a move the MIP and the checker know.
"""

from __future__ import annotations

from collections import defaultdict, deque

from mmroute.scenarios import Link, Scenario
from mmroute.world.conditions import Conditions
from mmroute.world.tables import Tables, tables_for

__all__ = ["MAX_ROAD_PATHS", "MAX_ROAD_HOPS", "RoadPaths", "road_paths", "nominal_road_paths",
           "trip_paths"]

#: Most Pareto road paths kept per (origin, destination) node pair.
MAX_ROAD_PATHS = 4
#: Most links in one composite road trip.
MAX_ROAD_HOPS = 8

#: ``{from node: [(to node, links)]}``
RoadPaths = dict[str, list[tuple[str, tuple[Link, ...]]]]


def road_paths(
    scenario: Scenario, cond: Conditions | None = None
) -> dict[str, list[tuple[str, tuple[Link, ...]]]]:
    """Pareto-optimal (cost, CO2, nominal time incl. node dwell) road paths from every node:
    ``{u: [(w, links)]}``.

    A path touching a link or an intermediate node with a known event (closure, slowdown, node
    delay) dominates no other path: events can make it slower than its nominal time.
    """
    out_links: dict[str, list[Link]] = defaultdict(list)
    for lk in scenario.links:
        if lk.mode == "road":
            out_links[lk.from_node].append(lk)
    ev = cond.events if cond is not None else None
    risky_links = set() if ev is None else (
        {e.link for e in (*ev.closures, *ev.slowdowns)} | cond.affected_links())
    risky_nodes = set() if ev is None else {e.node for e in (*ev.node_delays, *ev.node_closures)}
    result: dict[str, list[tuple[str, tuple[Link, ...]]]] = {}
    for u in out_links:
        # label: (cost, co2, time, links, clean)
        labels: dict[str, list[tuple]] = defaultdict(list)
        queue = deque([(u, 0.0, 0.0, 0.0, (), True)])
        while queue:
            v, c, e, t, path, clean = queue.popleft()
            if len(path) >= MAX_ROAD_HOPS:
                continue
            seen = {u, *(lk.to_node for lk in path)}
            for lk in out_links.get(v, ()):
                w = lk.to_node
                if w in seen:
                    continue
                ok = clean and lk.id not in risky_links and (not path or v not in risky_nodes)
                dwell = scenario.node(v).dwell_h if path else 0.0  # passing v, e.g. customs
                lab = (c + lk.cost_per_teu_cny, e + lk.co2_kg_per_teu,
                       t + dwell + lk.travel_time_h, (*path, lk), ok)
                if any(o[4] and o[0] <= lab[0] + 1e-9 and o[1] <= lab[1] + 1e-9
                       and o[2] <= lab[2] + 1e-9 for o in labels[w]):
                    continue
                if ok:
                    labels[w] = [o for o in labels[w] if not (
                        lab[0] <= o[0] and lab[1] <= o[1] and lab[2] <= o[2])]
                labels[w].append(lab)
                queue.append((w, *lab))
        result[u] = [
            (w, lab[3]) for w, labs in labels.items()
            for lab in sorted(labs, key=lambda x: (x[0], x[2]))[:MAX_ROAD_PATHS]
        ]
    return result


def nominal_road_paths(scenario: Scenario, tables: Tables | None = None
                       ) -> dict[str, list[tuple[str, tuple[Link, ...]]]]:
    """:func:`road_paths` without events: the road trips a policy is offered, which every
    expanded network contains whatever the events. Kept by ``tables`` (the scenario
    network's :class:`~mmroute.world.tables.Tables`; ``None``: computed afresh); read only."""
    return tables_for(scenario, tables).nominal_road_paths()


def trip_paths(scenario: Scenario, cond: Conditions) -> dict[str, list[tuple[str, tuple[Link, ...]]]]:
    """Road trips of the expanded network: the Pareto paths under ``cond``'s events plus the
    nominal ones (so that the simulator's road choices are always in the model); the nominal
    ones are read from ``cond.tables``."""
    nominal = nominal_road_paths(scenario, cond.tables)
    if not cond.events:
        return nominal
    out = {u: list(ps) for u, ps in road_paths(scenario, cond).items()}
    for u, ps in nominal.items():
        have = {(w, tuple(lk.id for lk in p)) for w, p in out.get(u, ())}
        out.setdefault(u, []).extend(
            (w, p) for w, p in ps if (w, tuple(lk.id for lk in p)) not in have)
    return out
