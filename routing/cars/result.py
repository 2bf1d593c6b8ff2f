"""Results of :func:`.solve.solve_cars` and :func:`.baseline.solve_practice`: frozen, JSON-ready."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mmroute.errors import InstanceError
from mmroute.io import json_int, json_number
from mmroute.routing.cars.load import DeckPlacement

__all__ = ["CarrierRoute", "CarsPlan"]


@dataclass(frozen=True)
class CarrierRoute:
    """One carrier's trip: its type, the dealers in visiting order (depot not listed), the
    load (``DeckPlacement.stop`` counts from 1 into ``stops``) and how the load was decided."""

    carrier_type: str
    stops: tuple[str, ...]
    placements: tuple[DeckPlacement, ...]
    load_status: str = "optimal"   # "optimal" | "unknown" (loaded; see LoadResult)
    load_solver: str = ""
    distance_km: float = 0.0
    cost_cny: float = 0.0
    vehicle_rate: float | None = None
    length_utilisation: float | None = None

    @property
    def n_vehicles(self) -> int:
        return len(self.placements)

    def to_dict(self) -> dict[str, Any]:
        return {"carrier_type": self.carrier_type, "stops": list(self.stops),
                "placements": [p.to_dict() for p in self.placements],
                "load_status": self.load_status, "load_solver": self.load_solver,
                "distance_km": round(self.distance_km, 3), "cost_cny": round(self.cost_cny, 2),
                "vehicle_rate": self.vehicle_rate, "length_utilisation": self.length_utilisation}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], where: str = "routes[0]") -> CarrierRoute:
        """Strict (see :meth:`CarsPlan.from_dict`)."""
        if not isinstance(d, Mapping):
            raise InstanceError("expected an object", field=where)
        stops, placements = d.get("stops"), d.get("placements")
        if not isinstance(d.get("carrier_type"), str):
            raise InstanceError(f"expected text, got {d.get('carrier_type')!r}", field=f"{where}.carrier_type")
        if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops):
            raise InstanceError("expected a list of place ids", field=f"{where}.stops")
        if not isinstance(placements, list):
            raise InstanceError("expected a list of placements", field=f"{where}.placements")
        return cls(carrier_type=d["carrier_type"], stops=tuple(stops),
                   placements=tuple(DeckPlacement.from_dict(p, f"{where}.placements[{k}]") for k, p in enumerate(placements)),
                   load_status=str(d.get("load_status", "unknown")), load_solver=str(d.get("load_solver", "")),
                   distance_km=_number(d.get("distance_km", 0.0), f"{where}.distance_km"),
                   cost_cny=_number(d.get("cost_cny", 0.0), f"{where}.cost_cny"),
                   vehicle_rate=_number(d.get("vehicle_rate"), f"{where}.vehicle_rate", nullable=True),
                   length_utilisation=_number(d.get("length_utilisation"), f"{where}.length_utilisation", nullable=True))


def _number(value: Any, field: str, *, nullable: bool = False) -> Any:
    return json_number(value, field, nullable=nullable, error=InstanceError)


@dataclass(frozen=True)
class CarsPlan:
    """A checked plan: routes, total cost (CNY, recomputed by the checker), status, run data.

    ``info``: ``vehicle_rate`` / ``length_utilisation`` (means over routes), ``loads_optimal`` /
    ``loads_infeasible_found`` (loads proven optimal; candidate routes proven not to load and
    repaired), ``repaired_routes``.
    """

    routes: tuple[CarrierRoute, ...]
    objective: float
    status: str = "feasible"
    bound: float | None = None
    time_s: float = 0.0
    solver: str = ""
    seed: int = 0
    instance: str = ""
    info: Mapping[str, Any] = field(default_factory=dict)

    @property
    def carriers_used(self) -> int:
        return len(self.routes)

    @property
    def n_vehicles(self) -> int:
        return sum(r.n_vehicles for r in self.routes)

    def summary(self) -> str:
        rate = self.info.get("vehicle_rate")
        util = self.info.get("length_utilisation")
        extra = "" if rate is None else f", loading rate {rate:.1%} of capacity, deck length {util:.1%}"
        return (f"{self.instance}: {self.n_vehicles} vehicles on {self.carriers_used} carriers, cost "
                f"{self.objective:,.0f} CNY{extra}, {self.status}, {self.time_s:.1f} s, {self.solver}")

    def to_html(self, problem: Any, *, title: str | None = None, basemap: bool = True) -> Any:
        """The interactive page of this plan on ``problem`` (a :class:`CarsProblem`): a
        :class:`mmroute.world.page.Page` (``.save(path)``; inline in Jupyter)."""
        from mmroute.routing.cars.page import cars_page

        return cars_page(problem, self, title=title, basemap=basemap)

    def to_dict(self) -> dict[str, Any]:
        return {"instance": self.instance, "objective": round(self.objective, 2), "bound": self.bound,
                "status": self.status, "time_s": round(self.time_s, 3), "solver": self.solver,
                "seed": self.seed, "info": dict(self.info), "routes": [r.to_dict() for r in self.routes]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CarsPlan:
        """Inverse of :meth:`to_dict`. Strict: finite numbers, integer stops and seed (never
        truncated), text ids; :class:`mmroute.errors.InstanceError` naming the field otherwise."""
        if not isinstance(d, Mapping):
            raise InstanceError("expected a JSON object")
        routes, info = d.get("routes"), d.get("info", {})
        if not isinstance(routes, list):
            raise InstanceError("expected a list of routes", field="routes")
        if not isinstance(info, Mapping):
            raise InstanceError("expected an object", field="info")
        return cls(routes=tuple(CarrierRoute.from_dict(r, f"routes[{k}]") for k, r in enumerate(routes)),
                   objective=_number(d.get("objective"), "objective"), status=str(d.get("status", "feasible")),
                   bound=_number(d.get("bound"), "bound", nullable=True), time_s=_number(d.get("time_s", 0.0), "time_s"),
                   solver=str(d.get("solver", "")),
                   seed=json_int(d.get("seed", 0), "seed", error=InstanceError),  # type: ignore[arg-type]
                   instance=str(d.get("instance", "")), info=dict(info))
