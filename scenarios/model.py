"""The scenario model: frozen dataclasses for nodes, links, shipments, fleet, uncertainty.

Build them with :func:`mmroute.scenarios.load` (which validates every field); ``to_dict``
gives the resolved form (distances, speeds, costs and CO2 factors filled in) that
``Scenario.from_dict`` reads back to an equal scenario.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported by the cars and jis sections' readers, on first use
    from mmroute.scenarios.cars_model import Cars
    from mmroute.scenarios.jis_model import Jis

__all__ = [
    "Timetable",
    "Node",
    "Link",
    "Shipment",
    "Box",
    "Depot",
    "VehicleType",
    "Customer",
    "Fleet",
    "RoadTraffic",
    "WeatherCell",
    "Disruption",
    "LateOrders",
    "DemandNoise",
    "Uncertainty",
    "Objective",
    "Roads",
    "Scenario",
]


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _pair(x: tuple[float, float] | None) -> list[float] | None:
    return None if x is None else [x[0], x[1]]


@dataclass(frozen=True)
class Timetable:
    """Departures of a scheduled service (rail, sea, barge).

    Departures are at ``k * period_h + offset`` for every offset in ``departures_h`` and every
    integer k, not before ``first_h``. Cargo must be at the origin ``cutoff_h`` before.
    """

    period_h: float
    departures_h: tuple[float, ...]
    cutoff_h: float = 0.0
    first_h: float = 0.0

    def departures(self, start_h: float, end_h: float) -> list[float]:
        """Departure times (h) in ``[start_h, end_h]``, sorted."""
        lo = max(start_h, self.first_h)
        if end_h < lo:
            return []
        out: list[float] = []
        k = math.floor(lo / self.period_h) - 1
        while k * self.period_h <= end_h:
            for off in self.departures_h:
                t = k * self.period_h + off
                if lo <= t <= end_h:
                    out.append(t)
            k += 1
        return sorted(out)

    def next_departure(self, ready_h: float) -> float:
        """First departure (h) that cargo ready at the origin at ``ready_h`` can make."""
        t = self.departures(ready_h + self.cutoff_h, ready_h + self.cutoff_h + self.period_h)
        return t[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "period_h": self.period_h,
            "departures_h": list(self.departures_h),
            "cutoff_h": self.cutoff_h,
            "first_h": self.first_h,
        }


@dataclass(frozen=True)
class Node:
    """A place: plant, supplier, port, rail terminal, border crossing, ...

    ``handling_time_h`` and ``handling_cost_cny`` (per TEU) apply at each transshipment there;
    ``dwell_h`` at every passage through it (customs clearance at a border, a lock passage);
    ``capacity_teu_per_day`` bounds TEU handled per day (``None``: unbounded); ``locode``
    the UN/LOCODE of a real port or terminal (``CNSHA``; ``None`` if not given);
    ``time_zone`` the IANA zone of its local time (``Europe/Berlin``; ``None``: the start's),
    in which timestamps of what happens there are shown.
    """

    id: str
    name: str
    kind: str
    lon: float
    lat: float
    handling_time_h: float = 0.0
    handling_cost_cny: float = 0.0
    capacity_teu_per_day: float | None = None
    dwell_h: float = 0.0
    locode: str | None = None
    time_zone: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(
            {
                "id": self.id,
                "name": self.name,
                "kind": self.kind,
                "lon": self.lon,
                "lat": self.lat,
                "handling_time_h": self.handling_time_h,
                "handling_cost_cny": self.handling_cost_cny,
                "dwell_h": self.dwell_h,
                "capacity_teu_per_day": self.capacity_teu_per_day,
                "locode": self.locode,
                "time_zone": self.time_zone,
            }
        )


@dataclass(frozen=True)
class Link:
    """A directed link of one mode; scheduled modes carry a timetable.

    All per-TEU figures are resolved: ``distance_km`` (given, geodesic x circuity, or along sea
    lanes, see ``distance_source``), ``speed_kmh``, costs and CO2 factor.
    ``capacity_teu`` is per departure for scheduled links and per day for road links.
    """

    id: str
    from_node: str
    to_node: str
    mode: str
    distance_km: float
    distance_source: str
    speed_kmh: float
    cost_per_teu_km_cny: float
    fixed_cost_cny: float
    co2_kg_per_teu_km: float
    geometry: tuple[tuple[float, float], ...]
    transit_time_h: float | None = None
    capacity_teu: float | None = None
    timetable: Timetable | None = None
    avoid: tuple[str, ...] = ()

    @property
    def scheduled(self) -> bool:
        """True for services that run to a timetable."""
        return self.timetable is not None

    @property
    def travel_time_h(self) -> float:
        """Nominal travel time in hours (transit time if given, else distance / speed)."""
        if self.transit_time_h is not None:
            return self.transit_time_h
        return self.distance_km / self.speed_kmh

    @property
    def cost_per_teu_cny(self) -> float:
        """Cost of moving one TEU over the link: fixed + per-km cost."""
        return self.fixed_cost_cny + self.cost_per_teu_km_cny * self.distance_km

    @property
    def co2_kg_per_teu(self) -> float:
        """CO2 in kg of moving one TEU over the link."""
        return self.co2_kg_per_teu_km * self.distance_km

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(
            {
                "id": self.id,
                "from": self.from_node,
                "to": self.to_node,
                "mode": self.mode,
                "distance_km": self.distance_km,
                "distance_source": self.distance_source,
                "speed_kmh": self.speed_kmh,
                "transit_time_h": self.transit_time_h,
                "cost_per_teu_km_cny": self.cost_per_teu_km_cny,
                "fixed_cost_cny": self.fixed_cost_cny,
                "co2_kg_per_teu_km": self.co2_kg_per_teu_km,
                "capacity_teu": self.capacity_teu,
                "timetable": None if self.timetable is None else self.timetable.to_dict(),
                "avoid": list(self.avoid) if self.avoid else None,
                "geometry": [[x, y] for x, y in self.geometry],
            }
        )


@dataclass(frozen=True)
class Shipment:
    """An order: ``quantity_teu`` from ``origin`` to ``destination``, released and due (h)."""

    id: str
    origin: str
    destination: str
    quantity_teu: float
    release_h: float
    due_h: float
    lateness_penalty_cny_per_teu_h: float
    cargo: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(
            {
                "id": self.id,
                "origin": self.origin,
                "destination": self.destination,
                "quantity_teu": self.quantity_teu,
                "release_h": self.release_h,
                "due_h": self.due_h,
                "lateness_penalty_cny_per_teu_h": self.lateness_penalty_cny_per_teu_h,
                "cargo": self.cargo,
            }
        )


@dataclass(frozen=True)
class Box:
    """A box type to load: dimensions in metres, weight in kg per box.

    ``upright_only``: the height stays vertical (rotation about the vertical axis only);
    ``stackable``: other boxes may rest on it.
    """

    type: str
    dims_m: tuple[float, float, float]
    weight_kg: float
    quantity: int
    upright_only: bool = True
    stackable: bool = True

    @property
    def volume_m3(self) -> float:
        return self.dims_m[0] * self.dims_m[1] * self.dims_m[2]

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "dims_m": list(self.dims_m),
            "weight_kg": self.weight_kg,
            "quantity": self.quantity,
            "upright_only": self.upright_only,
            "stackable": self.stackable,
        }


@dataclass(frozen=True)
class Depot:
    """A depot of the fleet, at a node."""

    id: str
    node: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "node": self.node}


@dataclass(frozen=True)
class VehicleType:
    """``count`` identical trucks based at ``depot``; capacities, costs and shift."""

    id: str
    depot: str
    count: int
    capacity_kg: float
    fixed_cost_cny: float
    cost_per_km_cny: float
    cost_per_h_cny: float
    speed_kmh: float
    shift_start_h: float
    shift_end_h: float
    capacity_m3: float | None = None
    inner_dims_m: tuple[float, float, float] | None = None
    max_duration_h: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(
            {
                "id": self.id,
                "depot": self.depot,
                "count": self.count,
                "capacity_kg": self.capacity_kg,
                "capacity_m3": self.capacity_m3,
                "inner_dims_m": None if self.inner_dims_m is None else list(self.inner_dims_m),
                "fixed_cost_cny": self.fixed_cost_cny,
                "cost_per_km_cny": self.cost_per_km_cny,
                "cost_per_h_cny": self.cost_per_h_cny,
                "speed_kmh": self.speed_kmh,
                "shift_start_h": self.shift_start_h,
                "shift_end_h": self.shift_end_h,
                "max_duration_h": self.max_duration_h,
            }
        )


@dataclass(frozen=True)
class Customer:
    """A stop of the milk-run: a pickup at ``node`` (delivered to ``deliver_to`` if set,
    else to the depot), with demand, time window (h) and service time (h)."""

    id: str
    node: str
    demand_kg: float
    demand_m3: float
    service_h: float
    window_h: tuple[float, float] | None = None
    required: bool = True
    drop_penalty_cny: float | None = None
    deliver_to: str | None = None
    boxes: tuple[Box, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(
            {
                "id": self.id,
                "node": self.node,
                "demand_kg": self.demand_kg,
                "demand_m3": self.demand_m3,
                "window_h": _pair(self.window_h),
                "service_h": self.service_h,
                "required": self.required,
                "drop_penalty_cny": self.drop_penalty_cny,
                "deliver_to": self.deliver_to,
                "boxes": [b.to_dict() for b in self.boxes] if self.boxes else None,
            }
        )


@dataclass(frozen=True)
class Fleet:
    """The milk-run / VRP part of a scenario."""

    depots: tuple[Depot, ...]
    vehicle_types: tuple[VehicleType, ...]
    customers: tuple[Customer, ...]
    distances: str = "road-network"

    def to_dict(self) -> dict[str, Any]:
        return {
            "depots": [d.to_dict() for d in self.depots],
            "vehicle_types": [v.to_dict() for v in self.vehicle_types],
            "customers": [c.to_dict() for c in self.customers],
            "distances": self.distances,
        }


@dataclass(frozen=True)
class RoadTraffic:
    """Road travel-time multipliers: a 24-value time-of-day profile times lognormal noise."""

    hourly_multipliers: tuple[float, ...] = (1.0,) * 24
    noise_sigma: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "hourly_multipliers": list(self.hourly_multipliers),
            "noise_sigma": self.noise_sigma,
        }


@dataclass(frozen=True)
class WeatherCell:
    """A storm / typhoon / fog cell: a polygon (lon, lat) that may appear in an episode,
    drift at ``velocity_kmh`` (east, north) and close or slow the links of ``modes`` it crosses."""

    id: str
    kind: str
    probability: float
    area: tuple[tuple[float, float], ...]
    start_h: tuple[float, float]
    duration_h: tuple[float, float]
    effect: str
    modes: tuple[str, ...]
    velocity_kmh: tuple[float, float] = (0.0, 0.0)
    speed_factor: float | None = None
    months: tuple[int, ...] = ()

    def polygon(self):  # -> shapely.Polygon
        """The cell's area at onset as a shapely Polygon (lon, lat)."""
        from shapely.geometry import Polygon

        return Polygon(self.area)

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(
            {
                "id": self.id,
                "kind": self.kind,
                "probability": self.probability,
                "months": list(self.months) if self.months else None,
                "area": [[x, y] for x, y in self.area],
                "velocity_kmh": list(self.velocity_kmh),
                "start_h": list(self.start_h),
                "duration_h": list(self.duration_h),
                "effect": self.effect,
                "speed_factor": self.speed_factor,
                "modes": list(self.modes),
            }
        )


@dataclass(frozen=True)
class Disruption:
    """A possible disruption of links or nodes: it happens in an episode with
    ``probability``, starts within ``start_h`` and lasts within ``duration_h``; congestion and
    border delays add a dwell within ``delay_h``. One draw hits every id in ``targets``
    (e.g. a Red Sea closure closes all Suez services at once)."""

    id: str
    kind: str
    targets: tuple[str, ...]
    probability: float
    start_h: tuple[float, float]
    duration_h: tuple[float, float]
    delay_h: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(
            {
                "id": self.id,
                "kind": self.kind,
                "targets": list(self.targets),
                "probability": self.probability,
                "start_h": list(self.start_h),
                "duration_h": list(self.duration_h),
                "delay_h": _pair(self.delay_h),
            }
        )


@dataclass(frozen=True)
class LateOrders:
    """Orders released during the horizon (Poisson arrivals)."""

    rate_per_day: float
    quantity_teu: tuple[float, float]
    lead_time_h: tuple[float, float]
    od_pairs: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rate_per_day": self.rate_per_day,
            "quantity_teu": list(self.quantity_teu),
            "lead_time_h": list(self.lead_time_h),
            "od_pairs": [list(p) for p in self.od_pairs],
        }


@dataclass(frozen=True)
class DemandNoise:
    """Noise on shipment quantities and late orders."""

    quantity_cv: float = 0.0
    late_orders: LateOrders | None = None

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(
            {
                "quantity_cv": self.quantity_cv,
                "late_orders": None if self.late_orders is None else self.late_orders.to_dict(),
            }
        )


@dataclass(frozen=True)
class Uncertainty:
    """Everything an episode draws: traffic, weather, disruptions, demand."""

    road_traffic: RoadTraffic = field(default_factory=RoadTraffic)
    weather: tuple[WeatherCell, ...] = ()
    disruptions: tuple[Disruption, ...] = ()
    demand: DemandNoise = field(default_factory=DemandNoise)

    def to_dict(self) -> dict[str, Any]:
        return {
            "road_traffic": self.road_traffic.to_dict(),
            "weather": [w.to_dict() for w in self.weather],
            "disruptions": [d.to_dict() for d in self.disruptions],
            "demand": self.demand.to_dict(),
        }


@dataclass(frozen=True)
class Roads:
    """A scenario's OpenStreetMap road graph (``roads`` section): ``file`` the GraphML of
    ``mmroute roads import`` (absolute path), ``weight`` what its legs minimise
    (``travel_time`` or ``length``). Road links' distances and times are resolved from it at
    load; the auto-carrier routes read it for legs a loaded carrier may drive."""

    file: str
    weight: str = "travel_time"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "weight": self.weight}


@dataclass(frozen=True)
class Objective:
    """Weights of the scenario's score: cost + value of time + lateness + CO2 price + drops."""

    cost_weight: float = 1.0
    time_value_cny_per_teu_h: float = 0.0
    lateness_cny_per_teu_h: float = 100.0
    co2_price_cny_per_t: float = 0.0
    drop_penalty_cny_per_teu: float = 100_000.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "cost_weight": self.cost_weight,
            "time_value_cny_per_teu_h": self.time_value_cny_per_teu_h,
            "lateness_cny_per_teu_h": self.lateness_cny_per_teu_h,
            "co2_price_cny_per_t": self.co2_price_cny_per_t,
            "drop_penalty_cny_per_teu": self.drop_penalty_cny_per_teu,
        }


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. Build with :func:`mmroute.scenarios.load`.

    Never mutated: policies and environments get the same object.
    """

    name: str
    horizon_h: float
    nodes: tuple[Node, ...]
    links: tuple[Link, ...]
    shipments: tuple[Shipment, ...]
    description: str = ""
    start: str | None = None
    currency: str = "CNY"
    tonnes_per_teu: float = 10.0
    sources: tuple[str, ...] = ()
    fleet: Fleet | None = None
    uncertainty: Uncertainty = field(default_factory=Uncertainty)
    objective: Objective = field(default_factory=Objective)
    cars: Cars | None = None  # finished-vehicle distribution (cars_model.py)
    roads: Roads | None = None  # OpenStreetMap road graph (osm_roads.py)
    jis: Jis | None = None  # just-in-sequence supply (jis_model.py)
    source_file: str | None = field(default=None, compare=False)

    # --- look-ups -------------------------------------------------------------------------
    def node(self, node_id: str) -> Node:
        """The node with id ``node_id`` (KeyError if none)."""
        return self._node_index()[node_id]

    def link(self, link_id: str) -> Link:
        """The link with id ``link_id`` (KeyError if none)."""
        return self._link_index()[link_id]

    def _node_index(self) -> dict[str, Node]:
        idx = self.__dict__.get("_nodes_by_id")
        if idx is None:
            idx = {n.id: n for n in self.nodes}
            object.__setattr__(self, "_nodes_by_id", idx)
        return idx

    def _link_index(self) -> dict[str, Link]:
        idx = self.__dict__.get("_links_by_id")
        if idx is None:
            idx = {lk.id: lk for lk in self.links}
            object.__setattr__(self, "_links_by_id", idx)
        return idx

    def clock(self):  # -> mmroute.scenarios.clock.Clock | None
        """Hours <-> ISO 8601 timestamps from :attr:`start` (``None`` without a start), with
        the nodes' own ``time_zone`` s."""
        if self.start is None:
            return None
        clock = self.__dict__.get("_clock")
        if clock is None:
            from mmroute.scenarios.clock import parse_start

            clock = parse_start(self.start).with_node_zones(
                {n.id: n.time_zone for n in self.nodes if n.time_zone is not None})
            object.__setattr__(self, "_clock", clock)
        return clock

    def summary(self) -> str:
        """One line: name, counts of nodes / links by mode / shipments, horizon."""
        modes: dict[str, int] = {}
        for lk in self.links:
            modes[lk.mode] = modes.get(lk.mode, 0) + 1
        mode_txt = ", ".join(f"{m} {c}" for m, c in sorted(modes.items()))
        teu = sum(s.quantity_teu for s in self.shipments)
        fleet = ""
        if self.fleet is not None:
            n_veh = sum(v.count for v in self.fleet.vehicle_types)
            fleet = f", fleet {n_veh} vehicles / {len(self.fleet.customers)} customers"
        if self.cars is not None:
            fleet += f", {self.cars.n_vehicles} finished vehicles to deliver"
        if self.jis is not None:
            fleet += f", {self.jis.n_cars} cars in sequence from {len(self.jis.suppliers)} JIS suppliers"
        return (
            f"{self.name}: {len(self.nodes)} nodes, {len(self.links)} links ({mode_txt}), "
            f"{len(self.shipments)} shipments ({teu:g} TEU){fleet}, horizon {self.horizon_h:g} h"
        )

    def content_hash(self) -> str:
        """SHA-256 (hex, first 16) of the resolved scenario (:meth:`to_dict`): which scenario
        a realization or a model belongs to (cached by the scenario). Nodes' ``locode`` and
        ``time_zone`` are left out: a location code names a place and a zone only how its
        times are shown; neither changes a number, so adding them keeps a scenario's
        realizations and models."""
        h = self.__dict__.get("_content_hash")
        if h is None:
            data = self.to_dict()
            data["nodes"] = [{k: v for k, v in n.items() if k not in ("locode", "time_zone")}
                             for n in data["nodes"]]
            text = json.dumps(data, sort_keys=True, default=str)
            h = hashlib.sha256(text.encode()).hexdigest()[:16]
            object.__setattr__(self, "_content_hash", h)
        return h

    # --- geo ------------------------------------------------------------------------------
    def nodes_gdf(self):  # -> geopandas.GeoDataFrame
        """Nodes as a GeoDataFrame of points (EPSG:4326)."""
        from mmroute.scenarios.geo import nodes_gdf

        return nodes_gdf(self)

    def links_gdf(self):  # -> geopandas.GeoDataFrame
        """Links as a GeoDataFrame of line strings (EPSG:4326)."""
        from mmroute.scenarios.geo import links_gdf

        return links_gdf(self)

    def network(self):  # -> mmroute.scenarios.Network
        """The multimodal network graph (cached)."""
        net = self.__dict__.get("_network")
        if net is None:
            from mmroute.scenarios.network import Network

            net = Network(self)
            object.__setattr__(self, "_network", net)
        return net

    # --- serialisation --------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The resolved scenario as plain data (reads back with :meth:`from_dict`)."""
        return _drop_none(
            {
                "name": self.name,
                "description": self.description,
                "start": self.start,
                "horizon_h": self.horizon_h,
                "currency": self.currency,
                "tonnes_per_teu": self.tonnes_per_teu,
                "sources": list(self.sources),
                "nodes": [n.to_dict() for n in self.nodes],
                "links": [lk.to_dict() for lk in self.links],
                "shipments": [s.to_dict() for s in self.shipments],
                "fleet": None if self.fleet is None else self.fleet.to_dict(),
                "uncertainty": self.uncertainty.to_dict(),
                "objective": self.objective.to_dict(),
                **(self.cars.to_dict() if self.cars is not None else {}),
                "roads": None if self.roads is None else self.roads.to_dict(),
                **(self.jis.to_dict() if self.jis is not None else {}),
            }
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, file: str | None = None) -> Scenario:
        """Validate ``data`` (as a file would be) and build a Scenario."""
        from mmroute.scenarios.loader import parse

        return parse(data, file=file or "<dict>")
