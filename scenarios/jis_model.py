"""Just-in-sequence (JIS) supply data of a scenario: the line, its sequence, the suppliers.

Frozen dataclasses built by :mod:`mmroute.scenarios.jis_section` (which validates them);
``Jis.to_dict()`` gives the top-level scenario key ``jis`` that reads back to an equal object.

Time: seconds (``_s``) or hours (``_h``) from the scenario's hour 0. The line builds one car per
``takt_s`` inside its shifts, in ``sequence`` order; a car reaches station ``st`` ``st.offset_s``
after it enters the line. The sequence of a car is sent to the suppliers ``broadcast_h`` before
the car enters the line (the call-off); a supplier needs ``sequencing_lead_h`` more to build or
pick a rack in sequence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["JisStation", "JisVariant", "JisSupplier", "JisLine", "Jis"]


@dataclass(frozen=True)
class JisStation:
    """An assembly station: offset (s) from the line start and its line-side buffer (racks)."""

    id: str
    offset_s: int
    buffer_racks: int

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "offset_s": self.offset_s, "buffer_racks": self.buffer_racks}


@dataclass(frozen=True)
class JisVariant:
    """A car variant and its bill of sequenced parts: ``parts[k] = (supplier id, part number)``;
    ``share`` of the generated sequence (0..1)."""

    id: str
    parts: tuple[tuple[str, str], ...]
    share: float = 0.0

    def part(self, supplier: str) -> str:
        for s, p in self.parts:
            if s == supplier:
                return p
        raise KeyError(supplier)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "share": self.share, "parts": dict(self.parts)}


@dataclass(frozen=True)
class JisSupplier:
    """A supplier of one sequenced part family, shipping racks of ``rack_size`` parts (cars in
    sequence) from ``node`` to ``station`` on its own shuttle trucks (``fleet`` of them, up to
    ``racks_per_truck`` racks each, loading ``loading_s`` per trip)."""

    id: str
    node: str
    family: str
    station: str
    rack_size: int
    sequencing_lead_h: float
    loading_s: int
    racks_per_truck: int
    fleet: int
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "node": self.node, "family": self.family, "station": self.station,
                "rack_size": self.rack_size, "sequencing_lead_h": self.sequencing_lead_h,
                "loading_s": self.loading_s, "racks_per_truck": self.racks_per_truck,
                "fleet": self.fleet, "source": self.source}


@dataclass(frozen=True)
class JisLine:
    """The final assembly line: takt (s), shifts ``(start_h, end_h)``, stations, the call-off
    lead ``broadcast_h``, the safety time ``safety_s`` a rack must be at its station before its
    first car, and the unloading time ``unload_s`` of a truck at the plant."""

    takt_s: int
    shifts: tuple[tuple[float, float], ...]
    stations: tuple[JisStation, ...]
    broadcast_h: float
    safety_s: int
    unload_s: int

    def to_dict(self) -> dict[str, Any]:
        return {"takt_s": self.takt_s, "shifts": [{"start_h": a, "end_h": b} for a, b in self.shifts],
                "stations": [s.to_dict() for s in self.stations], "broadcast_h": self.broadcast_h,
                "safety_s": self.safety_s, "unload_s": self.unload_s}


@dataclass(frozen=True)
class Jis:
    """A scenario's JIS section: plant node, line, variants, sequence (variant ids in build
    order), suppliers and costs (CNY per truck trip, per truck-km, per rack-hour at the line);
    ``practice_interval_min``: the practice baseline's longest wait (min) of a rack for a full
    truckload."""

    plant: str
    line: JisLine
    variants: tuple[JisVariant, ...]
    sequence: tuple[str, ...]
    suppliers: tuple[JisSupplier, ...]
    cost_per_trip_cny: float
    cost_per_km_cny: float
    inventory_cny_per_rack_h: float
    practice_interval_min: float = 60.0

    @property
    def n_cars(self) -> int:
        return len(self.sequence)

    def to_dict(self) -> dict[str, Any]:
        return {"jis": {
            "plant": self.plant, "line": self.line.to_dict(),
            "variants": [v.to_dict() for v in self.variants],
            "sequence": list(self.sequence),
            "suppliers": [s.to_dict() for s in self.suppliers],
            "trucks": {"cost_per_trip_cny": self.cost_per_trip_cny, "cost_per_km_cny": self.cost_per_km_cny},
            "inventory_cny_per_rack_h": self.inventory_cny_per_rack_h,
            "practice_interval_min": self.practice_interval_min}}
