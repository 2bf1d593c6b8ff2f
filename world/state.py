"""Where every shipment is at a re-planning time: the input of :func:`replan`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mmroute.errors import InputError
from mmroute.scenarios import Scenario, Shipment

__all__ = ["Position", "PlanState", "Start"]


@dataclass(frozen=True)
class Position:
    """One shipment at the re-planning time.

    At a node: ``node`` and ``since_h`` (h) it has been there since; on a leg: ``node`` the leg
    ends at and ``since_h`` its arrival time there (after the re-planning time). ``last_link``
    is the link it arrived (or arrives) by — the next leg pays handling at ``node`` if it
    changes mode or service; ``None`` means nothing is pending (at its origin, or handled).
    ``delivered``: nothing left to plan.
    """

    shipment: str
    node: str | None = None
    since_h: float = 0.0
    last_link: str | None = None
    delivered: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass(frozen=True)
class Start:
    """Where and when what remains of a shipment can start (derived, not user input)."""

    node: str
    ready_h: float
    last_link: str | None


@dataclass(frozen=True)
class PlanState:
    """The state at ``time_h``; shipments without a position are at their origin (ready at
    ``max(release_h, time_h)``).

    ``handled_teu``: (node, day, TEU) already handled on days that are not over, and
    ``road_teu``: (road link, day, TEU) already sent — both count against the capacities of
    those days in the re-plan.
    """

    time_h: float
    positions: tuple[Position, ...] = ()
    handled_teu: tuple[tuple[str, int, float], ...] = ()
    road_teu: tuple[tuple[str, int, float], ...] = ()

    def position(self, shipment: str) -> Position | None:
        index = self.__dict__.get("_index")  # the first position of each shipment, made once
        if index is None:
            index = {}
            for p in self.positions:
                index.setdefault(p.shipment, p)
            object.__setattr__(self, "_index", index)
        return index.get(shipment)

    def start_of(self, shipment: Shipment) -> Start | None:
        """Where the rest of ``shipment`` starts; ``None`` if it is delivered."""
        p = self.position(shipment.id)
        if p is None:
            return Start(shipment.origin, max(shipment.release_h, self.time_h), None)
        if p.delivered:
            return None
        return Start(p.node, max(p.since_h, self.time_h), p.last_link)

    def validate(self, scenario: Scenario) -> None:
        """Raise :class:`InputError` on unknown shipments, nodes or links."""
        ships = {s.id for s in scenario.shipments}
        nodes = {n.id for n in scenario.nodes}
        links = {lk.id: lk for lk in scenario.links}
        for i, (node, _, _) in enumerate(self.handled_teu):
            if node not in nodes:
                raise InputError(f"unknown node {node!r}", field=f"state.handled_teu[{i}]")
        for i, (link, _, _) in enumerate(self.road_teu):
            if link not in links:
                raise InputError(f"unknown link {link!r}", field=f"state.road_teu[{i}]")
        for i, p in enumerate(self.positions):
            where = f"state.positions[{i}]"
            if p.shipment not in ships:
                raise InputError(f"unknown shipment {p.shipment!r}", field=where)
            if p.delivered:
                continue
            if p.node not in nodes:
                raise InputError(f"unknown node {p.node!r}", field=where)
            if p.last_link is not None:
                if p.last_link not in links:
                    raise InputError(f"unknown link {p.last_link!r}", field=where)
                if links[p.last_link].to_node != p.node:
                    raise InputError(f"link {p.last_link!r} does not end at {p.node!r}",
                                     field=where)

    def used(self) -> dict[tuple, float]:
        """Capacity already used, keyed like the network's resources."""
        out: dict[tuple, float] = {}
        for node, day, teu in self.handled_teu:
            out[("node", node, int(day))] = out.get(("node", node, int(day)), 0.0) + teu
        for link, day, teu in self.road_teu:
            out[("road", link, int(day))] = out.get(("road", link, int(day)), 0.0) + teu
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"time_h": self.time_h, "positions": [p.to_dict() for p in self.positions],
                "handled_teu": [list(x) for x in self.handled_teu],
                "road_teu": [list(x) for x in self.road_teu]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PlanState:
        return cls(float(d["time_h"]), tuple(Position(**p) for p in d.get("positions", ())),
                   tuple((str(a), int(b), float(c)) for a, b, c in d.get("handled_teu", ())),
                   tuple((str(a), int(b), float(c)) for a, b, c in d.get("road_teu", ())))
