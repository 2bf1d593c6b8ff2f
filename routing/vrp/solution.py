"""The solution record: the contract between solvers, checker, CLI and tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from mmroute.errors import InstanceError
from mmroute.io import json_int, json_number, read_text
from mmroute.report import relative_gap
from mmroute.routing.vrp.text import MAX_NODES, integer, number

__all__ = ["VRPRoute", "VRPSolution", "Status", "STATUSES", "read_sol_file"]

Status = Literal["optimal", "feasible", "infeasible", "timeout"]
#: The statuses a solution may claim (``optimal`` only with a bound equal to the objective).
STATUSES = ("optimal", "feasible", "infeasible", "timeout")


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

    def to_html(self, problem: Any, *, title: str | None = None, basemap: bool = True) -> Any:
        """The interactive page of this solution on ``problem`` (a :class:`VRPProblem`): a
        :class:`mmroute.world.page.Page` (``.save(path)``; inline in Jupyter)."""
        from mmroute.routing.vrp.page import vrp_page

        return vrp_page(problem, self, title=title, basemap=basemap)

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
        """Inverse of :meth:`to_dict`; raises :class:`InstanceError` naming the file and field.

        Strict: routes are lists of integer node ids, numbers are finite (``NaN`` is refused),
        nothing is truncated or converted from text.
        """
        if not isinstance(data, Mapping):
            raise InstanceError("expected a JSON object", file=file)
        if "routes" not in data:
            raise InstanceError("missing field 'routes'", file=file, field="routes")
        routes_raw = data["routes"]
        _require(isinstance(routes_raw, list) and all(isinstance(r, list) for r in routes_raw),
                 "expected a list of routes (lists of node ids)", file, "routes")
        types = data.get("vehicle_types") or [0] * len(routes_raw)
        _require(isinstance(types, list), "expected a list of vehicle type indices", file, "vehicle_types")
        if len(types) != len(routes_raw):
            raise InstanceError("vehicle_types and routes differ in length", file=file, field="vehicle_types")
        routes = tuple(
            VRPRoute(visits=tuple(_as_int(v, f"routes[{k}][{j}]", file) for j, v in enumerate(r)),
                     vehicle_type=_as_int(t, f"vehicle_types[{k}]", file))
            for k, (r, t) in enumerate(zip(routes_raw, types))
        )
        status = data.get("status", "feasible")
        if not isinstance(status, str) or status not in STATUSES:
            raise InstanceError(f"status must be one of {STATUSES}, got {status!r}", file=file, field="status")
        dropped = data.get("dropped", [])
        _require(isinstance(dropped, list), "expected a list of node ids", file, "dropped")
        info = data.get("info", {})
        _require(isinstance(info, Mapping), "expected an object", file, "info")
        seed = data.get("seed")
        return cls(
            routes=routes,
            objective=_as_number(data.get("objective"), "objective", file),
            status=status,
            bound=_as_number(data.get("bound"), "bound", file),
            time_s=_as_number(data.get("time_s", 0.0), "time_s", file, nullable=False),
            solver=str(data.get("solver", "")),
            seed=None if seed is None else _as_int(seed, "seed", file),
            dropped=tuple(_as_int(v, f"dropped[{j}]", file) for j, v in enumerate(dropped)),
            instance=str(data.get("instance", "")),
            info=dict(info),
        )


def _require(ok: bool, message: str, file: str | Path | None, field: str) -> None:
    if not ok:
        raise InstanceError(message, file=file, field=field)


def _as_int(value: Any, what: str, file: str | Path | None = None) -> int:
    """An integer (a float with no fraction is accepted); never truncated, never from text."""
    return json_int(value, what, file=file, error=InstanceError)


def _as_number(value: Any, what: str, file: str | Path | None, *, nullable: bool = True) -> float | None:
    """A finite number (or ``None`` where allowed)."""
    return json_number(value, what, file=file, nullable=nullable, error=InstanceError)


def read_sol_file(path: str | Path) -> VRPSolution:
    """Read a CVRPLIB ``.sol`` file (``Route #k: ids`` lines, ``Cost N``); vehicle type 0.

    Strict: node ids are integers, the cost a finite number given at most once, and no other
    lines; errors name the file and the line.
    """
    path = Path(path)
    text = read_text(path, what="CVRPLIB .sol file", error=InstanceError)
    routes: list[VRPRoute] = []
    cost: float | None = None
    for no, line in enumerate(text.splitlines(), 1):
        head, colon, tail = line.partition(":")
        words = line.split()
        if not words:
            continue
        if words[0].lower() == "route" or (colon and head.strip().lower().startswith("route")):
            if not colon:
                raise InstanceError("expected 'Route #k: node ids'", file=path, field=f"line {no}")
            visits = tuple(integer(x, file=path, where=f"line {no} node id", lo=0, hi=MAX_NODES) for x in tail.split())
            if visits:
                routes.append(VRPRoute(visits=visits))
        elif words[0].lower() == "cost":
            if cost is not None:
                raise InstanceError("a second Cost line", file=path, field=f"line {no}")
            if len(words) != 2:
                raise InstanceError("expected 'Cost <number>'", file=path, field=f"line {no}")
            cost = number(words[1], file=path, where=f"line {no} cost", lo=0)
        else:
            raise InstanceError(f"expected 'Route #k: ...' or 'Cost ...', got {line.strip()[:60]!r}", file=path, field=f"line {no}")
    return VRPSolution(routes=tuple(routes), objective=cost, solver="file", instance=path.stem)
