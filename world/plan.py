"""The result of a multimodal plan: per-shipment itineraries plus solver facts (JSON-ready)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mmroute.errors import InputError
from mmroute.report import relative_gap
from mmroute.scenarios.clock import Clock, with_timestamps, without_timestamps
from mmroute.scenarios.mapplot import MapRoute
from mmroute.scenarios.model import Shipment
from mmroute.world.events import KnownEvents

__all__ = ["Leg", "Handling", "Itinerary", "Plan", "STATUSES"]

STATUSES = ("optimal", "feasible", "infeasible", "timeout")


@dataclass(frozen=True)
class Leg:
    """One link traversal of an itinerary: times in h, cost (CNY) and CO2 (kg) for its TEU.

    ``timetable_h`` is the timetable time of a scheduled departure (``None`` on road); the
    actual ``departure_h`` differs from it when the departure is delayed.
    """

    link: str
    mode: str
    from_node: str
    to_node: str
    departure_h: float
    arrival_h: float
    cost_cny: float
    co2_kg: float
    timetable_h: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Leg:
        return cls(**d)


@dataclass(frozen=True)
class Handling:
    """A transshipment at ``node`` starting at ``at_h``; ``cost_cny`` for the itinerary's TEU."""

    node: str
    at_h: float
    cost_cny: float

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Handling:
        return cls(**d)


@dataclass(frozen=True)
class Itinerary:
    """How (a share of) one shipment travels, or that it is dropped.

    ``teu`` moved on this itinerary (the whole quantity unless the plan is splittable);
    ``arrival_h`` at the destination (``None`` if dropped); ``lateness_h`` vs the due time;
    ``cost_cny`` transport + handling; ``co2_kg``; ``objective_cny`` its share of the plan's
    objective (weighted cost + time value + lateness + CO2 price, or the drop penalty).

    A dropped itinerary may keep the ``legs`` (and ``handling``) travelled before the drop,
    ending at ``drop_node`` (an episode's drop on the way; a MIP drops at the origin, with no
    legs): its cost, CO2 and objective share count them, the drop penalty on top.
    """

    shipment: str
    teu: float
    legs: tuple[Leg, ...]
    handling: tuple[Handling, ...]
    arrival_h: float | None
    lateness_h: float
    dropped: bool
    cost_cny: float
    co2_kg: float
    objective_cny: float
    drop_node: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = dict(vars(self))
        if d["drop_node"] is None:
            del d["drop_node"]  # the JSON of a plan without drops on the way is as before
        d["legs"] = [lg.to_dict() for lg in self.legs]
        d["handling"] = [h.to_dict() for h in self.handling]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Itinerary:
        d = dict(d)
        d["legs"] = tuple(Leg.from_dict(x) for x in d["legs"])
        d["handling"] = tuple(Handling.from_dict(x) for x in d["handling"])
        return cls(**d)


@dataclass(frozen=True)
class Plan:
    """A multimodal plan for a scenario (or, after :func:`replan`, for the rest of it).

    ``objective`` (CNY) and ``bound`` (best proven lower bound, ``None`` if none); ``status``
    optimal (gap <= 1e-6 relative) | feasible | infeasible | timeout; ``time_s`` wall time of
    the solve; ``from_h`` the time the plan starts from (0, or the re-plan time);
    ``co2_price_cny_per_t`` the CO2 price used; ``events`` the disruptions it knew.
    """

    scenario: str
    objective: float | None
    bound: float | None
    status: str
    time_s: float
    solver: str
    seed: int
    itineraries: tuple[Itinerary, ...]
    co2_price_cny_per_t: float
    splittable: bool = False
    from_h: float = 0.0
    co2_cap_kg: float | None = None
    events: KnownEvents = field(default_factory=KnownEvents)

    @property
    def gap(self) -> float | None:
        """Relative gap between objective and bound (:func:`mmroute.report.relative_gap`;
        ``None`` without both)."""
        return relative_gap(self.objective, self.bound)

    @property
    def cost_cny(self) -> float:
        """Transport + handling cost of all itineraries."""
        return sum(it.cost_cny for it in self.itineraries)

    @property
    def co2_kg(self) -> float:
        return sum(it.co2_kg for it in self.itineraries)

    def itinerary(self, shipment: str) -> list[Itinerary]:
        """The itineraries of one shipment (one unless splittable)."""
        return [it for it in self.itineraries if it.shipment == shipment]

    def map_routes(self, shipments: Iterable[Shipment]) -> dict[str, MapRoute]:
        """What :func:`mmroute.scenarios.plot_map` highlights: each moving itinerary's links,
        TEU, cost and CO2 (totals) and its door-to-door time, release (of ``shipments``, e.g.
        the scenario's or a realization's) to arrival in h (``None`` for a shipment not in
        ``shipments``). Labelled by shipment; ``"E01 (2)"``... when a shipment is split."""
        release = {s.id: s.release_h for s in shipments}
        moving = [it for it in self.itineraries if it.legs and not it.dropped]
        count: dict[str, int] = {}
        for it in moving:
            count[it.shipment] = count.get(it.shipment, 0) + 1
        out: dict[str, MapRoute] = {}
        seen: dict[str, int] = {}
        for it in moving:
            seen[it.shipment] = seen.get(it.shipment, 0) + 1
            label = it.shipment if count[it.shipment] == 1 else f"{it.shipment} ({seen[it.shipment]})"
            start = release.get(it.shipment)
            door = None if start is None or it.arrival_h is None else it.arrival_h - start
            out[label] = MapRoute(links=tuple(lg.link for lg in it.legs), teu=it.teu,
                                  door_to_door_h=door, cost_cny=it.cost_cny, co2_kg=it.co2_kg)
        return out

    def routes(self) -> dict[str, list[str]]:
        """Link ids travelled by each shipment that moves (dropped ones left out)."""
        return {it.shipment: [lg.link for lg in it.legs] for it in self.itineraries
                if it.legs and not it.dropped}

    def summary(self) -> str:
        """One line: status, objective, bound, gap, time, CO2, late and dropped shipments."""
        dropped = sum(it.teu for it in self.itineraries if it.dropped)
        late = sum(it.lateness_h > 1e-9 for it in self.itineraries)
        bound = "none" if self.bound is None else f"{self.bound:,.2f}"
        gap = "n/a" if self.gap is None else f"{self.gap:.2e}"
        return (
            f"{self.scenario}: {self.status}, objective {self.objective:,.2f} CNY, bound {bound}, "
            f"gap {gap}, {self.time_s:.2f} s; CO2 {self.co2_kg / 1000:,.1f} t, "
            f"{late} late itineraries, {dropped:g} TEU dropped"
        )

    def to_html(self, scenario: Any, *, title: str | None = None, basemap: bool = True):
        """The interactive page of this plan on ``scenario`` (:func:`mmroute.world.page.plan_page`):
        a self-contained HTML string that Jupyter shows inline; ``.save(path)`` writes it."""
        from mmroute.world.page import plan_page

        return plan_page(scenario, self, title=title, basemap=basemap)

    def to_dict(self, clock: Clock | None = None) -> dict[str, Any]:
        """Plain data (JSON-ready); with the scenario's ``clock``
        (:meth:`~mmroute.scenarios.Scenario.clock`) also its ``start`` and an ISO 8601
        timestamp beside every instant in hours (``departure_iso`` beside ``departure_h``...;
        :func:`~mmroute.scenarios.clock.with_timestamps`)."""
        data = self._hours_dict()
        if clock is None:
            return data
        return {"start": clock.to_text(), **with_timestamps(data, clock)}

    def _hours_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "objective": self.objective,
            "bound": self.bound,
            "status": self.status,
            "time_s": self.time_s,
            "solver": self.solver,
            "seed": self.seed,
            "co2_price_cny_per_t": self.co2_price_cny_per_t,
            "splittable": self.splittable,
            "from_h": self.from_h,
            "co2_cap_kg": self.co2_cap_kg,
            "cost_cny": self.cost_cny,
            "co2_kg": self.co2_kg,
            "events": self.events.to_dict(),
            "itineraries": [it.to_dict() for it in self.itineraries],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Plan:
        """Read :meth:`to_dict` output (with or without timestamps); :class:`InputError` if
        it is not a plan."""
        try:
            d = dict(without_timestamps(d))
            d.pop("start", None)  # written with the timestamps (to_dict with a clock)
            d.pop("cost_cny", None)
            d.pop("co2_kg", None)
            d["itineraries"] = tuple(Itinerary.from_dict(x) for x in d["itineraries"])
            d["events"] = KnownEvents.from_dict(d.get("events") or {})
            return cls(**d)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"not a plan: {exc!r}") from None
