"""The multimodal network of a scenario: shortest and k-shortest paths by cost, time or CO2.

The graph is directed with parallel links (a road and a rail link between the same two
places, or a Suez and a Cape sea service between the same ports are different links). Paths
are searched over (node, incoming link) states, so the handling at a node can depend on how
the cargo arrived:

* **Transshipment** happens at an intermediate node when the mode changes (road -> rail, rail ->
  sea, ...) or between two scheduled services (rail/sea/barge -> rail/sea/barge); it costs the
  node's ``handling_cost_cny`` and ``handling_time_h`` per TEU. Road -> road through a node
  (e.g. a border crossing) is not a transshipment. Nothing is handled at the origin or the
  destination of a path.

Weights, all per TEU (see :data:`WEIGHTS`):

* ``"cost"``: money only, CNY = sum of link costs (fixed + per-km) + handling at transshipments
  (no CO2 price; apply the scenario's objective on top if wanted);
* ``"time"``: hours = link travel times + handling times + the cut-off of each scheduled link
  (cargo must be at the terminal that long before departure). Waiting for the next departure
  depends on the clock and is not included: timed plans are :mod:`mmroute.routing`'s job;
* ``"co2"``: kg of CO2 of the links (handling emits none here).

Paths never visit a node twice. ``k_shortest_paths`` is Yen's algorithm over the same states.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from mmroute.errors import ScenarioError
from mmroute.scenarios.model import Link, Node, Scenario
from mmroute.validate import is_integer

__all__ = ["Network", "Route", "WEIGHTS", "is_transshipment"]

#: Weights a path can be optimised for: cost (CNY/TEU), time (h), co2 (kg/TEU).
WEIGHTS: tuple[str, ...] = ("cost", "time", "co2")

#: Most paths ``k_shortest_paths`` returns in one call.
MAX_K = 1000


def is_transshipment(arrived_by: Link | None, leaving_by: Link) -> bool:
    """True if moving from ``arrived_by`` onto ``leaving_by`` at a node is a transshipment:
    the mode changes, or both are scheduled services. ``None`` (the origin) never is."""
    if arrived_by is None:
        return False
    if arrived_by.mode != leaving_by.mode:
        return True
    return arrived_by.scheduled and leaving_by.scheduled


@dataclass(frozen=True)
class Route:
    """A path through the network with its totals per TEU.

    ``link_ids`` in travel order; ``node_ids`` has one more entry (origin ... destination);
    ``transshipments`` lists the intermediate nodes where cargo is handled. ``cost_cny`` includes
    ``handling_cost_cny`` and ``time_h`` includes ``handling_time_h`` (handling at
    transshipments plus every intermediate node's ``dwell_h``) and the cut-offs.
    """

    link_ids: tuple[str, ...]
    node_ids: tuple[str, ...]
    modes: tuple[str, ...]
    transshipments: tuple[str, ...]
    cost_cny: float
    time_h: float
    co2_kg: float
    distance_km: float
    handling_cost_cny: float
    handling_time_h: float

    @property
    def origin(self) -> str:
        return self.node_ids[0]

    @property
    def destination(self) -> str:
        return self.node_ids[-1]

    def value(self, weight: str) -> float:
        """The route's total for ``weight`` (``"cost"``, ``"time"`` or ``"co2"``)."""
        return {"cost": self.cost_cny, "time": self.time_h, "co2": self.co2_kg}[weight]

    def to_dict(self) -> dict[str, Any]:
        return {
            "link_ids": list(self.link_ids),
            "node_ids": list(self.node_ids),
            "modes": list(self.modes),
            "transshipments": list(self.transshipments),
            "cost_cny": self.cost_cny,
            "time_h": self.time_h,
            "co2_kg": self.co2_kg,
            "distance_km": self.distance_km,
            "handling_cost_cny": self.handling_cost_cny,
            "handling_time_h": self.handling_time_h,
        }


def _link_weight(link: Link, weight: str) -> float:
    if weight == "cost":
        return link.cost_per_teu_cny
    if weight == "time":
        cutoff = link.timetable.cutoff_h if link.timetable is not None else 0.0
        return link.travel_time_h + cutoff
    return link.co2_kg_per_teu


def _handling_weight(node: Node, weight: str) -> float:
    if weight == "cost":
        return node.handling_cost_cny
    if weight == "time":
        return node.handling_time_h
    return 0.0


class Network:
    """The directed multimodal multigraph of a scenario (built by ``Scenario.network()``).

    Read-only; look-ups by node and link id. Paths: :meth:`shortest_path`,
    :meth:`k_shortest_paths`; totals of a given link sequence: :meth:`route`.
    """

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self._nodes: dict[str, Node] = {n.id: n for n in scenario.nodes}
        self._links: dict[str, Link] = {lk.id: lk for lk in scenario.links}
        out: dict[str, list[Link]] = {n: [] for n in self._nodes}
        inc: dict[str, list[Link]] = {n: [] for n in self._nodes}
        for lk in scenario.links:
            out[lk.from_node].append(lk)
            inc[lk.to_node].append(lk)
        self._out = {n: tuple(v) for n, v in out.items()}
        self._in = {n: tuple(v) for n, v in inc.items()}

    # --- look-ups ---------------------------------------------------------------------------
    @property
    def node_ids(self) -> tuple[str, ...]:
        return tuple(self._nodes)

    @property
    def link_ids(self) -> tuple[str, ...]:
        return tuple(self._links)

    def out_links(self, node_id: str) -> tuple[Link, ...]:
        """Links leaving ``node_id``."""
        return self._out[self._check_node(node_id, "node")]

    def in_links(self, node_id: str) -> tuple[Link, ...]:
        """Links arriving at ``node_id``."""
        return self._in[self._check_node(node_id, "node")]

    def links_between(self, from_node: str, to_node: str) -> tuple[Link, ...]:
        """Every link from ``from_node`` to ``to_node`` (parallel links of any mode)."""
        self._check_node(to_node, "to_node")
        return tuple(lk for lk in self.out_links(from_node) if lk.to_node == to_node)

    def to_networkx(self):  # -> networkx.MultiDiGraph
        """The graph as a ``networkx.MultiDiGraph``: nodes with their fields, edges keyed by
        link id with ``mode``, ``distance_km``, ``time_h``, ``cost_cny``, ``co2_kg`` per TEU."""
        import networkx as nx

        g = nx.MultiDiGraph(name=self.scenario.name)
        for n in self.scenario.nodes:
            g.add_node(n.id, **n.to_dict())
        for lk in self.scenario.links:
            g.add_edge(
                lk.from_node,
                lk.to_node,
                key=lk.id,
                id=lk.id,
                mode=lk.mode,
                scheduled=lk.scheduled,
                distance_km=lk.distance_km,
                time_h=_link_weight(lk, "time"),
                cost_cny=lk.cost_per_teu_cny,
                co2_kg=lk.co2_kg_per_teu,
            )
        return g

    # --- totals of a path -------------------------------------------------------------------
    def route(self, link_ids: Sequence[str]) -> Route:
        """The :class:`Route` along ``link_ids`` (consecutive links must join up)."""
        if not link_ids:
            raise ScenarioError("a route needs at least one link", file=self._file, field="route")
        links = []
        for i, lid in enumerate(link_ids):
            lk = self._links.get(lid)
            if lk is None:
                raise ScenarioError(f"unknown link '{lid}'", file=self._file, field=f"route[{i}]")
            if links and links[-1].to_node != lk.from_node:
                raise ScenarioError(
                    f"link '{lid}' starts at '{lk.from_node}', not where '{links[-1].id}' ends "
                    f"('{links[-1].to_node}')",
                    file=self._file,
                    field=f"route[{i}]",
                )
            links.append(lk)
        nodes = [links[0].from_node, *(lk.to_node for lk in links)]
        trans = []
        h_cost = h_time = 0.0
        for prev, nxt in itertools.pairwise(links):
            node = self._nodes[nxt.from_node]
            h_time += node.dwell_h
            if is_transshipment(prev, nxt):
                trans.append(node.id)
                h_cost += node.handling_cost_cny
                h_time += node.handling_time_h
        return Route(
            link_ids=tuple(lk.id for lk in links),
            node_ids=tuple(nodes),
            modes=tuple(lk.mode for lk in links),
            transshipments=tuple(trans),
            cost_cny=sum(lk.cost_per_teu_cny for lk in links) + h_cost,
            time_h=sum(_link_weight(lk, "time") for lk in links) + h_time,
            co2_kg=sum(lk.co2_kg_per_teu for lk in links),
            distance_km=sum(lk.distance_km for lk in links),
            handling_cost_cny=h_cost,
            handling_time_h=h_time,
        )

    # --- paths ------------------------------------------------------------------------------
    def shortest_path(
        self,
        origin: str,
        destination: str,
        weight: str = "cost",
        *,
        closed_links: Iterable[str] = (),
        closed_nodes: Iterable[str] = (),
    ) -> Route:
        """The best path from ``origin`` to ``destination`` by ``weight`` (cost, time, co2).

        ``closed_links`` / ``closed_nodes`` are left out of the search (e.g. a disruption).
        Raises :class:`ScenarioError` for unknown ids or when no path exists.
        """
        return self.k_shortest_paths(
            origin,
            destination,
            1,
            weight,
            closed_links=closed_links,
            closed_nodes=closed_nodes,
        )[0]

    def k_shortest_paths(
        self,
        origin: str,
        destination: str,
        k: int,
        weight: str = "cost",
        *,
        closed_links: Iterable[str] = (),
        closed_nodes: Iterable[str] = (),
    ) -> list[Route]:
        """Up to ``k`` distinct paths (as link sequences) by non-decreasing ``weight`` (Yen).

        Fewer are returned when fewer exist; none at all raises :class:`ScenarioError`.
        Ties are broken by fewer links, then by link ids, so results are deterministic.
        """
        self._check_node(origin, "origin")
        self._check_node(destination, "destination")
        if origin == destination:
            raise ScenarioError(
                f"origin and destination are the same node '{origin}'",
                file=self._file,
                field="destination",
            )
        if weight not in WEIGHTS:
            raise ScenarioError(
                f"unknown weight {weight!r}, expected one of {', '.join(WEIGHTS)}",
                file=self._file,
                field="weight",
            )
        if not is_integer(k) or not 1 <= k <= MAX_K:
            raise ScenarioError(f"k must be an integer 1..{MAX_K}, got {k!r}", field="k")
        c_links = self._check_ids(closed_links, self._links, "closed_links", "link")
        c_nodes = self._check_ids(closed_nodes, self._nodes, "closed_nodes", "node")
        if origin in c_nodes or destination in c_nodes:
            raise ScenarioError(
                "the origin or destination is closed", file=self._file, field="closed_nodes"
            )
        paths = self._yen(origin, destination, k, weight, c_links, c_nodes)
        if not paths:
            closed = " with the closed links/nodes" if c_links or c_nodes else ""
            raise ScenarioError(
                f"no path of links from '{origin}' to '{destination}'{closed}", file=self._file
            )
        return [self.route(p) for p in paths]

    # --- internals --------------------------------------------------------------------------
    @property
    def _file(self) -> str | None:
        return self.scenario.source_file

    def _check_node(self, node_id: str, what: str) -> str:
        if node_id not in self._nodes:
            known = ", ".join(list(self._nodes)[:8]) + (", ..." if len(self._nodes) > 8 else "")
            raise ScenarioError(
                f"unknown node {node_id!r} in scenario '{self.scenario.name}' (nodes: {known})",
                file=self._file,
                field=what,
            )
        return node_id

    def _check_ids(self, ids: Iterable[str], known: dict, field: str, what: str) -> frozenset:
        if isinstance(ids, str):
            ids = (ids,)
        out = frozenset(ids)
        unknown = sorted(str(x) for x in out if x not in known)
        if unknown:
            raise ScenarioError(f"unknown {what}(s): {', '.join(unknown)}", file=self._file,
                                field=field)
        return out

    def _dijkstra(
        self,
        source: str,
        target: str,
        arrived_by: Link | None,
        weight: str,
        banned_links: frozenset[str] | set[str],
        banned_nodes: frozenset[str] | set[str],
    ) -> tuple[float, list[str]] | None:
        """Best (weight, link ids) from ``source`` (reached by ``arrived_by``) to ``target``.

        States are links (the one cargo arrived by); the key is (weight, number of links), so
        zero-weight detours never win. Handling obeys the triangle inequality over loops, so the
        best state path visits no node twice.
        """
        start_key = (0.0, 0)
        best: dict[str | None, tuple[float, int]] = {None: start_key}
        prev: dict[str, str | None] = {}
        heap: list[tuple[float, int, str, str | None]] = [(0.0, 0, "", None)]
        while heap:
            w, hops, _, state = heapq.heappop(heap)
            if best.get(state, (float("inf"), 0)) < (w, hops):
                continue
            at_link = arrived_by if state is None else self._links[state]
            node = source if state is None else self._links[state].to_node
            if node == target:
                path: list[str] = []
                s: str | None = state
                while s is not None:
                    path.append(s)
                    s = prev[s]
                return w, path[::-1]
            here = self._nodes[node]
            for lk in self._out[node]:
                if lk.id in banned_links or lk.to_node in banned_nodes or lk.to_node == source:
                    continue
                step = _link_weight(lk, weight)
                if at_link is not None and weight == "time":
                    step += here.dwell_h
                if is_transshipment(at_link, lk):
                    step += _handling_weight(here, weight)
                key = (w + step, hops + 1)
                if key < best.get(lk.id, (float("inf"), 0)):
                    best[lk.id] = key
                    prev[lk.id] = state
                    heapq.heappush(heap, (key[0], key[1], lk.id, lk.id))
        return None

    def _yen(
        self,
        origin: str,
        destination: str,
        k: int,
        weight: str,
        closed_links: frozenset[str],
        closed_nodes: frozenset[str],
    ) -> list[tuple[str, ...]]:
        first = self._dijkstra(origin, destination, None, weight, closed_links, closed_nodes)
        if first is None:
            return []
        found: list[tuple[str, ...]] = [tuple(first[1])]
        seen: set[tuple[str, ...]] = {found[0]}
        candidates: list[tuple[float, int, tuple[str, ...]]] = []
        while len(found) < k:
            last = found[-1]
            nodes = [origin, *(self._links[lid].to_node for lid in last)]
            for i in range(len(last)):
                root = last[:i]
                banned_links = set(closed_links)
                banned_links.update(p[i] for p in found if p[:i] == root and len(p) > i)
                banned_nodes = set(closed_nodes)
                banned_nodes.update(nodes[:i])
                arrived = self._links[root[-1]] if root else None
                spur = self._dijkstra(
                    nodes[i], destination, arrived, weight, banned_links, banned_nodes
                )
                if spur is None:
                    continue
                path = root + tuple(spur[1])
                if path in seen:
                    continue
                seen.add(path)
                total = self.route(path).value(weight)
                heapq.heappush(candidates, (total, len(path), path))
            if not candidates:
                break
            found.append(heapq.heappop(candidates)[2])
        return found
