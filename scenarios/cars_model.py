"""Finished-vehicle distribution data of a scenario: vehicle models, auto-carriers, orders.

Frozen dataclasses built by :mod:`mmroute.scenarios.cars_section` (which validates them);
``Cars.to_dict()`` gives the three top-level scenario keys ``vehicle_models``,
``carrier_types`` and ``vehicle_orders`` that read back to an equal object.

Geometry of an auto-carrier (one picture for every module that uses it): each platform is a
straight deck of usable length ``length_m``; positions along it run from its front end
(x = 0, towards the cab) to its rear end (x = length_m). Vehicles drive off over the rear
end; a platform whose rear end meets another platform (the tractor's decks meet the
trailer's) names it in ``exit_via``: its vehicles drive off across that platform.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["VehicleModel", "Envelope", "Platform", "CarrierType", "VehicleOrder", "Cars"]


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


@dataclass(frozen=True)
class VehicleModel:
    """A vehicle model to deliver: outer dimensions (m) and kerb weight (kg), with a source."""

    id: str
    length_m: float
    width_m: float
    height_m: float
    weight_kg: float
    name: str = ""
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "length_m": self.length_m, "width_m": self.width_m,
                "height_m": self.height_m, "weight_kg": self.weight_kg, "source": self.source}


@dataclass(frozen=True)
class Envelope:
    """The legal outline of a loaded carrier: overall length, width and height (m)."""

    max_length_m: float
    max_width_m: float
    max_height_m: float
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"max_length_m": self.max_length_m, "max_width_m": self.max_width_m,
                "max_height_m": self.max_height_m, "source": self.source}


@dataclass(frozen=True)
class Platform:
    """One deck of a carrier.

    ``unit``: tractor or trailer; ``level``: lower or upper; ``length_m``: usable length;
    ``floor_height_m``: deck height above the road; ``max_vehicle_height_m``: clearance above
    the deck; ``max_weight_kg``: load on this deck; ``exit_via``: the platform its vehicles
    drive off across (``None``: straight off its rear end).
    """

    id: str
    unit: str
    level: str
    length_m: float
    floor_height_m: float
    max_vehicle_height_m: float
    max_weight_kg: float
    exit_via: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _drop_none({"id": self.id, "unit": self.unit, "level": self.level,
                           "length_m": self.length_m, "floor_height_m": self.floor_height_m,
                           "max_vehicle_height_m": self.max_vehicle_height_m,
                           "max_weight_kg": self.max_weight_kg, "exit_via": self.exit_via})


@dataclass(frozen=True)
class CarrierType:
    """``count`` identical auto-carriers based at node ``depot``.

    ``overall_length_m`` and ``width_m`` are the rig as built (within ``envelope``);
    ``payload_kg`` the total load; ``gap_m`` the least free length between two vehicles on a
    deck; costs per trip (``fixed_cost_cny``) and per km; ``speed_kmh`` the average speed;
    ``tare_kg`` the empty rig's weight (optional; with it, roads whose ``maxweight`` is below
    the loaded rig's gross weight are avoided on an OSM road graph).
    """

    id: str
    depot: str
    count: int
    platforms: tuple[Platform, ...]
    envelope: Envelope
    overall_length_m: float
    width_m: float
    payload_kg: float
    fixed_cost_cny: float
    cost_per_km_cny: float
    speed_kmh: float = 60.0
    gap_m: float = 0.2
    name: str = ""
    tare_kg: float | None = None

    @property
    def gross_weight_kg(self) -> float:
        """The rig fully loaded (kg): ``tare_kg`` + ``payload_kg``; the payload alone when
        the tare is not given (a lower bound). Compared with OSM ``maxweight`` tags."""
        return (self.tare_kg or 0.0) + self.payload_kg

    def platform(self, platform_id: str) -> Platform:
        """The platform with this id (KeyError if none)."""
        for p in self.platforms:
            if p.id == platform_id:
                return p
        raise KeyError(platform_id)

    def usable_height_m(self, p: Platform) -> float:
        """Tallest vehicle platform ``p`` takes: its clearance, within the envelope's height."""
        return min(p.max_vehicle_height_m, self.envelope.max_height_m - p.floor_height_m)

    def exit_chain(self, platform_id: str) -> tuple[str, ...]:
        """The platforms a vehicle on ``platform_id`` crosses to drive off, nearest first."""
        out: list[str] = []
        nxt = self.platform(platform_id).exit_via
        while nxt is not None and nxt not in out:
            out.append(nxt)
            nxt = self.platform(nxt).exit_via
        return tuple(out)

    @property
    def deck_length_m(self) -> float:
        """Total usable platform length (m)."""
        return sum(p.length_m for p in self.platforms)

    def can_carry(self, model: VehicleModel) -> bool:
        """True if one vehicle of ``model`` fits some platform alone."""
        if model.width_m > self.width_m or model.weight_kg > self.payload_kg:
            return False
        return any(model.length_m <= p.length_m + 1e-9 and model.height_m <= self.usable_height_m(p) + 1e-9
                   and model.weight_kg <= p.max_weight_kg + 1e-9 for p in self.platforms)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "depot": self.depot, "count": self.count,
                "overall_length_m": self.overall_length_m, "width_m": self.width_m,
                "payload_kg": self.payload_kg, "gap_m": self.gap_m,
                "fixed_cost_cny": self.fixed_cost_cny, "cost_per_km_cny": self.cost_per_km_cny,
                "speed_kmh": self.speed_kmh, "envelope": self.envelope.to_dict(),
                "platforms": [p.to_dict() for p in self.platforms],
                **({} if self.tare_kg is None else {"tare_kg": self.tare_kg})}


@dataclass(frozen=True)
class VehicleOrder:
    """``quantity`` vehicles of ``model`` for the dealer at node ``dealer``, to arrive in
    ``[open_h, due_h]`` (hours from the scenario start)."""

    id: str
    dealer: str
    model: str
    quantity: int
    due_h: float
    open_h: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "dealer": self.dealer, "model": self.model,
                "quantity": self.quantity, "window_h": [self.open_h, self.due_h]}


@dataclass(frozen=True)
class Cars:
    """The finished-vehicle part of a scenario: models, carrier types, orders."""

    models: tuple[VehicleModel, ...]
    carrier_types: tuple[CarrierType, ...]
    orders: tuple[VehicleOrder, ...]

    def model(self, model_id: str) -> VehicleModel:
        """The vehicle model with this id (KeyError if none)."""
        for m in self.models:
            if m.id == model_id:
                return m
        raise KeyError(model_id)

    @property
    def n_vehicles(self) -> int:
        return sum(o.quantity for o in self.orders)

    def to_dict(self) -> dict[str, Any]:
        return {"vehicle_models": [m.to_dict() for m in self.models],
                "carrier_types": [c.to_dict() for c in self.carrier_types],
                "vehicle_orders": [o.to_dict() for o in self.orders]}
