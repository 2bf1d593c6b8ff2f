"""A carrier's load: which vehicle sits on which platform, where, and in what unloading order.

Conventions (shared by the heuristic, the exact model, the checker and the pictures):

- A vehicle to load is a :class:`LoadItem`: its id, model and ``stop`` — the position (1, 2,
  ...) in the route of the dealer it goes to. Vehicles for one dealer share a stop number.
- A :class:`DeckPlacement` puts a vehicle on ``platform`` with its front at ``x_m`` (metres from
  the platform's front end, towards the cab); it occupies ``[x_m, x_m + length]``. Two
  vehicles on one platform are at least the carrier's ``gap_m`` apart; every vehicle lies
  within ``[0, length_m]`` of its platform; its height is within the platform's clearance
  and the envelope's height above the deck; its width within the carrier's width; the
  weights on each platform and in total are within their limits.
- **LIFO (unloading order).** Vehicles drive off over the rear end of their platform, then
  across the platforms of its ``exit_via`` chain (e.g. tractor deck -> trailer deck -> road).
  Vehicle u *blocks* vehicle v when u is on v's way off: u is on v's platform behind it
  (u's front is further towards the rear: ``x_u > x_v``), or u is on a platform of the exit
  chain of v's platform. A load respects LIFO when every vehicle that blocks another is
  delivered no later: ``u blocks v  =>  stop(u) <= stop(v)``. So no vehicle ever has to be
  moved to unload an earlier dealer's vehicle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mmroute.errors import InstanceError
from mmroute.io import json_int, json_number
from mmroute.scenarios.cars_model import CarrierType, VehicleModel

__all__ = ["LoadItem", "DeckPlacement", "blocks", "length_utilisation"]


@dataclass(frozen=True)
class LoadItem:
    """A vehicle to load: ``id``, ``model`` and ``stop`` (its dealer's position in the route)."""

    id: str
    model: str
    stop: int


@dataclass(frozen=True)
class DeckPlacement:
    """A loaded vehicle: on ``platform``, front at ``x_m`` (m from the platform's front)."""

    vehicle: str
    model: str
    stop: int
    platform: str
    x_m: float

    def to_dict(self) -> dict[str, Any]:
        return {"vehicle": self.vehicle, "model": self.model, "stop": self.stop,
                "platform": self.platform, "x_m": self.x_m}

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str = "placement") -> DeckPlacement:
        """Strict: text ids, an integer ``stop`` (never truncated), a finite ``x_m``;
        :class:`mmroute.errors.InstanceError` naming the field otherwise."""
        if not isinstance(d, dict):
            raise InstanceError("expected an object", field=where)
        for key in ("vehicle", "model", "platform"):
            if not isinstance(d.get(key), str):
                raise InstanceError(f"expected text, got {d.get(key)!r}", field=f"{where}.{key}")
        return cls(vehicle=d["vehicle"], model=d["model"],
                   stop=json_int(d.get("stop"), f"{where}.stop", error=InstanceError),  # type: ignore[arg-type]
                   platform=d["platform"],
                   x_m=json_number(d.get("x_m"), f"{where}.x_m", error=InstanceError))  # type: ignore[arg-type]


def blocks(carrier: CarrierType, u: DeckPlacement, v: DeckPlacement) -> bool:
    """True when ``u`` is on ``v``'s way off the carrier (see the module docstring)."""
    if u.vehicle == v.vehicle:
        return False
    if u.platform == v.platform:
        return u.x_m > v.x_m
    return u.platform in carrier.exit_chain(v.platform)


def length_utilisation(carrier: CarrierType, models: dict[str, VehicleModel], placements) -> float:
    """Share of the carrier's platform length taken by the vehicles' lengths (0..1)."""
    used = sum(models[p.model].length_m for p in placements)
    return used / carrier.deck_length_m
