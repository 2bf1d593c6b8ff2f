"""Results of :func:`.solve.solve_jis` and :func:`.baseline.solve_practice`: frozen, JSON-ready.

A plan is a list of :class:`JisTrip`: which of a supplier's trucks carries which of its racks
(numbers as in :meth:`.problem.JisProblem.racks`), and when it loads, leaves, arrives at the
plant and is back (s from the scenario's hour 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mmroute.errors import InstanceError
from mmroute.io import json_int, json_number

__all__ = ["JisTrip", "JisPlan"]

_TIMES = ("load_s", "depart_s", "arrive_s", "return_s")


@dataclass(frozen=True)
class JisTrip:
    """One round trip of truck ``truck`` (0-based) of ``supplier`` carrying ``racks``."""

    supplier: str
    truck: int
    load_s: int
    depart_s: int
    arrive_s: int
    return_s: int
    racks: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"supplier": self.supplier, "truck": self.truck, "load_s": self.load_s,
                "depart_s": self.depart_s, "arrive_s": self.arrive_s, "return_s": self.return_s,
                "racks": list(self.racks)}

    @classmethod
    def from_dict(cls, d: Any, where: str = "trips[0]") -> JisTrip:
        """Strict: text supplier, integer truck, times and racks (never truncated)."""
        if not isinstance(d, Mapping):
            raise InstanceError("expected an object", field=where)
        if not isinstance(d.get("supplier"), str):
            raise InstanceError(f"expected text, got {d.get('supplier')!r}", field=f"{where}.supplier")
        racks = d.get("racks")
        if not isinstance(racks, list):
            raise InstanceError("expected a list of rack numbers", field=f"{where}.racks")
        times = {k: json_int(d.get(k), f"{where}.{k}", error=InstanceError) for k in _TIMES}
        return cls(supplier=d["supplier"], truck=json_int(d.get("truck"), f"{where}.truck", error=InstanceError),  # type: ignore[arg-type]
                   racks=tuple(json_int(r, f"{where}.racks[{i}]", error=InstanceError) for i, r in enumerate(racks)),  # type: ignore[misc]
                   **times)  # type: ignore[arg-type]


@dataclass(frozen=True)
class JisPlan:
    """A checked plan: trips, cost (CNY, recomputed by the checker), status, run data.

    ``info`` (from the checker): ``trips``, ``km``, ``inventory_rack_h``, ``line_stops`` (racks
    at their station after their first car's need time), ``line_stop_min``,
    ``buffer_overflows`` (racks arriving at a full station), ``trip_cost_cny``,
    ``inventory_cost_cny``; and the solver's own figures (``gap``, per-group statuses).
    """

    trips: tuple[JisTrip, ...]
    objective: float
    status: str = "feasible"
    bound: float | None = None
    time_s: float = 0.0
    solver: str = ""
    seed: int = 0
    instance: str = ""
    info: Mapping[str, Any] = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        from mmroute.report import relative_gap

        return relative_gap(self.objective, self.bound)

    def summary(self) -> str:
        i = self.info
        gap = "" if self.gap is None else f" (gap {self.gap:.2%})"
        return (f"{self.instance}: {i.get('cars', '?')} cars, {i.get('line_stops', '?')} line stops, "
                f"{i.get('trips', len(self.trips))} truck trips, {i.get('km', 0):,.0f} km, line-side "
                f"{i.get('inventory_rack_h', 0):,.1f} rack-h, cost {self.objective:,.0f} CNY, "
                f"{self.status}{gap}, {self.time_s:.1f} s, {self.solver}")

    def to_dict(self) -> dict[str, Any]:
        return {"instance": self.instance, "objective": round(self.objective, 2), "bound": self.bound,
                "status": self.status, "time_s": round(self.time_s, 3), "solver": self.solver,
                "seed": self.seed, "info": dict(self.info), "trips": [t.to_dict() for t in self.trips]}

    @classmethod
    def from_dict(cls, d: Any) -> JisPlan:
        """Inverse of :meth:`to_dict`; :class:`InstanceError` naming the field when malformed."""
        if not isinstance(d, Mapping):
            raise InstanceError("expected a JSON object")
        trips, info = d.get("trips"), d.get("info", {})
        if not isinstance(trips, list):
            raise InstanceError("expected a list of trips", field="trips")
        if not isinstance(info, Mapping):
            raise InstanceError("expected an object", field="info")
        return cls(trips=tuple(JisTrip.from_dict(t, f"trips[{k}]") for k, t in enumerate(trips)),
                   objective=json_number(d.get("objective"), "objective", error=InstanceError),  # type: ignore[arg-type]
                   status=str(d.get("status", "feasible")),
                   bound=json_number(d.get("bound"), "bound", nullable=True, error=InstanceError),
                   time_s=json_number(d.get("time_s", 0.0), "time_s", error=InstanceError),  # type: ignore[arg-type]
                   solver=str(d.get("solver", "")),
                   seed=json_int(d.get("seed", 0), "seed", error=InstanceError),  # type: ignore[arg-type]
                   instance=str(d.get("instance", "")), info=dict(info))
