"""The finished-vehicle distribution problem: vehicles to deliver, carriers, distances.

:class:`CarsProblem` is plain frozen data, built from a scenario (:meth:`CarsProblem.from_scenario`)
or directly (the benchmark generator). Places are node ids: the carriers' depots first, then
the dealers. Distances are geodesic x road circuity 1.25 (the scenario loader's default for
road, an assumption) unless a matrix is given, or the scenario names an OSM road graph
(``roads``): then the legs on it that the tallest loaded carrier may drive, avoiding roads
whose ``maxweight`` is below the heaviest carrier's gross weight (``tare_kg`` + payload). Every vehicle of an order gets an id
``"<order id>#<k>"``, k = 1..quantity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mmroute.errors import InputError
from mmroute.scenarios.cars_model import CarrierType, VehicleModel, VehicleOrder

__all__ = ["Vehicle", "CarsProblem", "ROAD_CIRCUITY", "UNLOAD_H_PER_VEHICLE", "osm_matrix_km"]

#: Road distance / geodesic distance (the scenario loader's road default; assumed).
ROAD_CIRCUITY = 1.25
#: Time to drive one vehicle off a carrier at a dealer (h; assumed, ~6 min).
UNLOAD_H_PER_VEHICLE = 0.1


@dataclass(frozen=True)
class Vehicle:
    """One finished vehicle: its id, model, order and dealer node."""

    id: str
    model: str
    order: str
    dealer: str


@dataclass(frozen=True, eq=False)
class CarsProblem:
    """Vehicle models, carrier types, orders and the distance matrix (km) between ``places``.

    ``places[k]`` is a node id with coordinates ``coords[k]`` (lon, lat); ``distance_km[a, b]``
    is the road distance from place a to place b.
    """

    name: str
    models: tuple[VehicleModel, ...]
    carrier_types: tuple[CarrierType, ...]
    orders: tuple[VehicleOrder, ...]
    places: tuple[str, ...]
    coords: tuple[tuple[float, float], ...]
    distance_km: np.ndarray
    unload_h_per_vehicle: float = UNLOAD_H_PER_VEHICLE
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.places)
        d = np.array(self.distance_km, dtype=float)
        if d.shape != (n, n) or not np.all(np.isfinite(d)) or np.any(d < 0):
            raise InputError(f"distance_km must be a finite non-negative {n}x{n} matrix", field="distance_km")
        d.setflags(write=False)
        object.__setattr__(self, "distance_km", d)
        if len(self.coords) != n or len(set(self.places)) != n:
            raise InputError("places must be distinct and have one coordinate each", field="places")
        known = set(self.places)
        models = {m.id for m in self.models}
        for c in self.carrier_types:
            if c.depot not in known:
                raise InputError(f"carrier type {c.id}: depot {c.depot} is not a place", field="carrier_types")
        for o in self.orders:
            if o.dealer not in known or o.model not in models:
                raise InputError(f"order {o.id}: unknown dealer or model", field="orders")

    # --- look-ups -------------------------------------------------------------------------
    def index(self, node: str) -> int:
        """Position of ``node`` in ``places``."""
        idx = self.__dict__.get("_index")
        if idx is None:
            idx = {p: k for k, p in enumerate(self.places)}
            object.__setattr__(self, "_index", idx)
        return idx[node]

    def model(self, model_id: str) -> VehicleModel:
        return self.model_map()[model_id]

    def model_map(self) -> dict[str, VehicleModel]:
        return {m.id: m for m in self.models}

    def carrier(self, type_id: str) -> CarrierType:
        for c in self.carrier_types:
            if c.id == type_id:
                return c
        raise KeyError(type_id)

    def order(self, order_id: str) -> VehicleOrder:
        idx = self.__dict__.get("_orders")
        if idx is None:
            idx = {o.id: o for o in self.orders}
            object.__setattr__(self, "_orders", idx)
        return idx[order_id]

    def vehicles(self) -> tuple[Vehicle, ...]:
        """Every vehicle to deliver, order by order."""
        return tuple(Vehicle(id=f"{o.id}#{k}", model=o.model, order=o.id, dealer=o.dealer)
                     for o in self.orders for k in range(1, o.quantity + 1))

    def km(self, a: str, b: str) -> float:
        return float(self.distance_km[self.index(a), self.index(b)])

    def route_km(self, depot: str, stops: Sequence[str]) -> float:
        """Length (km) of depot -> stops -> depot."""
        path = [depot, *stops, depot]
        return sum(self.km(a, b) for a, b in zip(path, path[1:]))

    @property
    def dealers(self) -> tuple[str, ...]:
        """Dealer nodes with orders, in first-order order."""
        return tuple(dict.fromkeys(o.dealer for o in self.orders))

    @property
    def n_vehicles(self) -> int:
        return sum(o.quantity for o in self.orders)

    # --- construction ---------------------------------------------------------------------
    @classmethod
    def from_scenario(cls, scenario: Any) -> CarsProblem:
        """The problem of a scenario's ``vehicle_models`` / ``carrier_types`` / ``vehicle_orders``."""
        cars = getattr(scenario, "cars", None)
        if cars is None:
            raise InputError(f"scenario '{scenario.name}' has no vehicle_models / carrier_types / vehicle_orders",
                             file=getattr(scenario, "source_file", None), field="vehicle_orders")
        places = list(dict.fromkeys([c.depot for c in cars.carrier_types] + [o.dealer for o in cars.orders]))
        coords = [(scenario.node(p).lon, scenario.node(p).lat) for p in places]
        roads = getattr(scenario, "roads", None)
        matrix = geodesic_matrix_km(coords) if roads is None else osm_matrix_km(
            roads, places, coords,
            height_m=max(c.envelope.max_height_m for c in cars.carrier_types),
            weight_t=max(c.gross_weight_kg for c in cars.carrier_types) / 1000)
        # meta: what the plan's page shows (dates from ``start``; node names and kinds)
        meta = {"start": scenario.start,
                "names": {p: scenario.node(p).name for p in places},
                "kinds": {p: scenario.node(p).kind for p in places}}
        return cls(name=scenario.name, models=cars.models, carrier_types=cars.carrier_types,
                   orders=cars.orders, places=tuple(places), coords=tuple(coords),
                   distance_km=matrix, meta=meta)


def osm_matrix_km(roads: Any, places: Sequence[str], coords: Sequence[tuple[float, float]],
                  *, height_m: float, weight_t: float | None = None) -> np.ndarray:
    """Road distances (km) between places on a scenario's OSM road graph (``roads``:
    :class:`~mmroute.scenarios.model.Roads`) for a loaded carrier ``height_m`` tall weighing
    ``weight_t`` (gross, t): legs never pass under a lower ``maxheight``, over a road of a
    lower ``maxweight``, nor where ``hgv=no``. :class:`InputError` if no such leg joins two
    places."""
    from mmroute.scenarios.osm_roads import load_roads, road_legs

    graph = load_roads(roads.file)
    points = dict(zip(places, coords, strict=True))
    pairs = [(a, b) for a in places for b in places if a != b]
    legs = road_legs(graph, points, pairs, weight=roads.weight, height_m=height_m,
                     weight_t=weight_t)
    n = len(places)
    d = np.zeros((n, n))
    for i, a in enumerate(places):
        for j, b in enumerate(places):
            if a != b:
                leg = legs[(a, b)]
                if leg is None:
                    heavy = "" if weight_t is None else f", {weight_t:g} t"
                    raise InputError(f"no road a loaded carrier ({height_m:g} m{heavy}) may "
                                     f"drive from {a} to {b} on the OSM graph", field="roads")
                d[i, j] = leg.distance_km
    return d


def geodesic_matrix_km(coords: Sequence[tuple[float, float]]) -> np.ndarray:
    """Road distances (km) between (lon, lat) points: WGS84 geodesic x :data:`ROAD_CIRCUITY`."""
    from mmroute.scenarios.distances import geodesic_km

    n = len(coords)
    d = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            d[i, j] = d[j, i] = geodesic_km(*coords[i], *coords[j]) * ROAD_CIRCUITY
    return d
