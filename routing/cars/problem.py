"""The finished-vehicle distribution problem: vehicles to deliver, carriers, distances.

:class:`CarsProblem` is plain frozen data, built from a scenario (:meth:`CarsProblem.from_scenario`)
or directly (the benchmark generator). Places are node ids: the carriers' depots first, then
the dealers. Distances are geodesic x road circuity 1.25 (the scenario loader's default for
road, an assumption) unless a matrix is given, or the scenario names an OSM road graph
(``roads``): then each carrier type drives the legs on it that its loaded rig may drive (its
envelope's height under ``maxheight``, its gross weight, ``tare_kg`` + payload, under
``maxweight``, no ``hgv=no``): one matrix per distinct (height, weight) restriction class,
computed once per class and cached, so that a low carrier may take a road a tall one may
not. Every vehicle of an order gets an id ``"<order id>#<k>"``, k = 1..quantity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from mmroute.errors import InputError
from mmroute.scenarios.cars_model import CarrierType, VehicleModel, VehicleOrder

__all__ = ["Vehicle", "CarsProblem", "ROAD_CIRCUITY", "UNLOAD_H_PER_VEHICLE", "osm_matrix_km",
           "restriction_class"]

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
    """Vehicle models, carrier types, orders and the distance matrices (km) between ``places``.

    ``places[k]`` is a node id with coordinates ``coords[k]`` (lon, lat); ``distance_km[a, b]``
    is the road distance from place a to place b; ``carrier_distance_km[type id]`` the road
    distances of the carrier types that drive other legs (OSM roads with height or weight
    limits; a type not in it drives ``distance_km``). From a scenario with several restriction
    classes, ``distance_km`` is the longest of them per leg (no carrier drives further).
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
    carrier_distance_km: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.places)
        object.__setattr__(self, "distance_km", _matrix(self.distance_km, n, "distance_km"))
        if not isinstance(self.carrier_distance_km, Mapping):
            raise InputError("carrier_distance_km must map carrier type ids to matrices",
                             field="carrier_distance_km")
        types = {c.id for c in self.carrier_types}
        own: dict[str, np.ndarray] = {}
        shared: dict[int, np.ndarray] = {}  # one copy of a matrix given for several types
        for type_id, m in self.carrier_distance_km.items():
            where = f"carrier_distance_km[{type_id!r}]"
            if type_id not in types:
                raise InputError(f"{type_id!r} is not a carrier type", field=where)
            if id(m) not in shared:
                shared[id(m)] = _matrix(m, n, where)
            own[type_id] = shared[id(m)]
        object.__setattr__(self, "carrier_distance_km", own)
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

    def matrix_km(self, carrier: str | None = None) -> np.ndarray:
        """The distances (km) carrier type ``carrier`` drives (``None``: ``distance_km``)."""
        return self.carrier_distance_km.get(carrier, self.distance_km) if carrier else self.distance_km

    def longest_km(self) -> np.ndarray:
        """Per leg, the longest distance (km) of any carrier type (read only)."""
        out = self.__dict__.get("_longest")
        if out is None:
            out = np.maximum.reduce([self.distance_km, *self.carrier_distance_km.values()])
            out.setflags(write=False)
            object.__setattr__(self, "_longest", out)
        return out

    def km(self, a: str, b: str, carrier: str | None = None) -> float:
        """Road distance (km) from ``a`` to ``b`` for carrier type ``carrier`` (``None``:
        ``distance_km``)."""
        return float(self.matrix_km(carrier)[self.index(a), self.index(b)])

    def route_km(self, depot: str, stops: Sequence[str], carrier: str | None = None) -> float:
        """Length (km) of depot -> stops -> depot for carrier type ``carrier``."""
        path = [depot, *stops, depot]
        return sum(self.km(a, b, carrier) for a, b in zip(path, path[1:]))

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
        own: dict[str, np.ndarray] = {}
        if roads is None:
            matrix = geodesic_matrix_km(coords)
        else:
            by_class = {k: osm_matrix_km(roads, places, coords, height_m=k[0], weight_t=k[1])
                        for k in dict.fromkeys(restriction_class(c) for c in cars.carrier_types)}
            if len(by_class) == 1:
                matrix = next(iter(by_class.values()))
            else:
                own = {c.id: by_class[restriction_class(c)] for c in cars.carrier_types}
                matrix = np.maximum.reduce(list(by_class.values()))
        # meta: what the plan's page shows (dates from ``start`` and the nodes' own zones;
        # node names and kinds)
        meta = {"start": scenario.start,
                "names": {p: scenario.node(p).name for p in places},
                "kinds": {p: scenario.node(p).kind for p in places},
                "time_zones": {p: scenario.node(p).time_zone for p in places
                               if scenario.node(p).time_zone is not None}}
        return cls(name=scenario.name, models=cars.models, carrier_types=cars.carrier_types,
                   orders=cars.orders, places=tuple(places), coords=tuple(coords),
                   distance_km=matrix, meta=meta, carrier_distance_km=own)


def restriction_class(carrier: CarrierType) -> tuple[float, float]:
    """The (height m, weight t) a loaded carrier of this type brings under OSM ``maxheight`` /
    ``maxweight`` tags: its envelope's height and its gross weight. Types of one class drive
    the same legs."""
    return carrier.envelope.max_height_m, carrier.gross_weight_kg / 1000


def _matrix(values: Any, n: int, what: str) -> np.ndarray:
    """A read-only n x n matrix of finite non-negative km (:class:`InputError`
    naming ``what`` if it is not one); a read-only float array is kept as it is (shared)."""
    if isinstance(values, np.ndarray) and values.dtype == float and not values.flags.writeable:
        d = values
    else:
        try:
            d = np.array(values, dtype=float)
        except (TypeError, ValueError):
            d = np.zeros(0)
    if d.shape != (n, n) or not np.all(np.isfinite(d)) or np.any(d < 0):
        raise InputError(f"{what} must be a finite non-negative {n}x{n} matrix", field=what)
    d.setflags(write=False)
    return d


def osm_matrix_km(roads: Any, places: Sequence[str], coords: Sequence[tuple[float, float]],
                  *, height_m: float, weight_t: float | None = None) -> np.ndarray:
    """Road distances (km) between places on a scenario's OSM road graph (``roads``:
    :class:`~mmroute.scenarios.model.Roads`) for a loaded carrier ``height_m`` tall weighing
    ``weight_t`` (gross, t): legs never pass under a lower ``maxheight``, over a road of a
    lower ``maxweight``, nor where ``hgv=no``. :class:`InputError` if no such leg joins two
    places. Cached (by the graph file's path, size and modification time, the places and the
    vehicle): read only."""
    from mmroute.scenarios.osm_roads import load_roads

    path = Path(roads.file)
    load_roads(path)  # InputError naming the file if it cannot be read
    st = path.stat()
    return _osm_matrix(str(path.resolve()), st.st_size, st.st_mtime_ns, roads.weight,
                       tuple(places), tuple(tuple(map(float, c)) for c in coords),
                       float(height_m), None if weight_t is None else float(weight_t))


@lru_cache(maxsize=16)
def _osm_matrix(file: str, _size: int, _mtime: int, weight: str, places: tuple[str, ...],
                coords: tuple[tuple[float, float], ...], height_m: float,
                weight_t: float | None) -> np.ndarray:
    from mmroute.scenarios.osm_roads import load_roads, road_legs

    graph = load_roads(file)
    points = dict(zip(places, coords, strict=True))
    pairs = [(a, b) for a in places for b in places if a != b]
    legs = road_legs(graph, points, pairs, weight=weight, height_m=height_m,
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
    d.setflags(write=False)
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
