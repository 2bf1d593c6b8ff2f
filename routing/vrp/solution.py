"""The solution record: the contract between solvers, checker, CLI and tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from mmroute.errors import InstanceError
from mmroute.report import relative_gap

__all__ = ["VRPRoute", "VRPSolution", "Status", "read_sol_file"]

Status = Literal["optimal", "feasible", "infeasible", "timeout"]
_STATUSES = ("optimal", "feasible", "infeasible", "timeout")


@dataclass(frozen=True)
class VRPRoute:
    """One vehicle's trip: ``visits`` are client node ids in order (depots not listed)."""

    visits: tuple[int, ...]
    vehicle_type: int = 0


@dataclass(frozen=True)
class VRPSolution:
    """A solved (or attempted) problem.

    objective and bound are in reported units (problem cost / ``scale``); ``bound`` is a proven
    lower bound or ``None``; ``time_s`` is wall-clock seconds; ``dropped`` lists optional
    clients left out.
    """

    routes: tuple[VRPRoute, ...]
    objective: float | None
    status: Status = "feasible"
    bound: float | None = None
    time_s: float = 0.0
    solver: str = ""
    seed: int | None = None
    dropped: tuple[int, ...] = ()
    instance: str = ""
    info: Mapping[str, Any] = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        """Relative gap between objective and bound (:func:`mmroute.report.relative_gap`), or
        ``None`` without a bound."""
        return relative_gap(self.objective, self.bound)

    def summary(self) -> str:
        """One line: objective, bound, status, routes, time, solver."""
        obj = "none" if self.objective is None else f"{self.objective:g}"
        bound = "none" if self.bound is None else f"{self.bound:g}"
        return (f"objective {obj}, bound {bound}, status {self.status}, {len(self.routes)} routes, "
                f"{self.time_s:.1f} s, {self.solver}")

    def with_(self, **changes: Any) -> VRPSolution:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON data as DESIGN.md says: routes as lists of client ids, CVRPLIB numbering."""
        return {
            "instance": self.instance,
            "objective": self.objective,
            "bound": self.bound,
            "status": self.status,
            "time_s": round(self.time_s, 3),
            "solver": self.solver,
            "seed": self.seed,
            "routes": [list(r.visits) for r in self.routes],
            "vehicle_types": [r.vehicle_type for r in self.routes],
            "dropped": list(self.dropped),
            "info": dict(self.info),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], file: str | Path | None = None) -> VRPSolution:
        """Inverse of :meth:`to_dict`; raises :class:`InstanceError` on malformed data."""
        try:
            routes_raw = data["routes"]
            types = data.get("vehicle_types") or [0] * len(routes_raw)
            if len(types) != len(routes_raw):
                raise InstanceError("vehicle_types and routes differ in length", file=file, field="vehicle_types")
            routes = tuple(
                VRPRoute(visits=tuple(_as_int(v, "routes") for v in r), vehicle_type=_as_int(t, "vehicle_types"))
                for r, t in zip(routes_raw, types)
            )
            status = data.get("status", "feasible")
            if status not in _STATUSES:
                raise InstanceError(f"status must be one of {_STATUSES}", file=file, field="status")
            obj = data.get("objective")
            bound = data.get("bound")
            return cls(
                routes=routes,
                objective=None if obj is None else float(obj),
                status=status,
                bound=None if bound is None else float(bound),
                time_s=float(data.get("time_s", 0.0)),
                solver=str(data.get("solver", "")),
                seed=data.get("seed"),
                dropped=tuple(_as_int(v, "dropped") for v in data.get("dropped", ())),
                instance=str(data.get("instance", "")),
                info=dict(data.get("info", {})),
            )
        except KeyError as exc:
            raise InstanceError(f"missing field {exc.args[0]!r}", file=file) from None
        except (TypeError, ValueError) as exc:
            if isinstance(exc, InstanceError):
                raise
            raise InstanceError(f"malformed solution: {exc}", file=file) from None


def _as_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or int(value) != value:
        raise InstanceError(f"expected an integer, got {value!r}", field=what)
    return int(value)


def read_sol_file(path: str | Path) -> VRPSolution:
    """Read a CVRPLIB ``.sol`` file (``Route #k: ids`` lines, ``Cost N``); vehicle type 0."""
    path = Path(path)
    if not path.is_file():
        raise InstanceError("file not found", file=path)
    routes: list[VRPRoute] = []
    cost: float | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        head, _, tail = line.partition(":")
        if head.strip().lower().startswith("route"):
            try:
                visits = tuple(int(x) for x in tail.split())
            except ValueError:
                raise InstanceError(f"bad route line {line!r}", file=path) from None
            if visits:
                routes.append(VRPRoute(visits=visits))
        elif line.strip().lower().startswith("cost"):
            try:
                cost = float(line.split()[-1])
            except ValueError:
                raise InstanceError(f"bad cost line {line!r}", file=path) from None
    return VRPSolution(routes=tuple(routes), objective=cost, solver="file", instance=path.stem)
