"""The routing problem: one frozen dataclass for every VRP variant mmroute solves.

Conventions (all solvers and the checker share them):

- Nodes are numbered ``0 .. n-1``. ``depots`` lists the depot nodes; every other node is a
  client. For VRPLIB and Solomon input the depot is node 0 and client ``i`` is the file's node
  ``i + 1`` (VRPLIB) or customer ``i`` (Solomon), so route numbering matches CVRPLIB ``.sol``.
- All matrices, times and costs are **integers in problem units**. ``scale`` says how many
  problem units make one reported unit: the reported objective is ``cost / scale`` (Solomon
  distances are scaled by 10 or 100 so that integer solvers see them, then reported back to
  one or two decimals; CVRPLIB uses ``scale = 1``).
- ``demand_extra`` adds further load dimensions (e.g. volume next to weight), each checked
  against the vehicle type's ``capacity_extra`` in the same way as ``demand``.
- ``demand[i] >= 0`` is the load taken on at client ``i`` and carried back to the end depot
  (a milk-run collection; for plain CVRP this is equivalent to delivering it, by symmetry).
  For a pickup-and-delivery pair ``(p, d)``, ``demand[p] = q > 0`` is loaded at ``p`` and
  ``demand[d] = -q`` unloaded at ``d``. The load starts at 0 and must stay in
  ``[0, capacity]`` along a route.
- Time: a vehicle leaves its start depot at or after ``shift_start`` (and the depot's window
  opening); service at node ``i`` starts in ``[tw_early[i], tw_late[i]]`` (waiting allowed) and
  lasts ``service[i]``; the vehicle must be back at its end depot by ``tw_late`` of that
  depot and its ``shift_end``. Route duration = return time - departure time (waiting
  included, departure chosen as late as possible); it must not exceed ``max_duration``.
- Route cost = ``fixed_cost + cost_per_distance * distance + cost_per_time * duration`` for
  each used vehicle; a dropped optional client costs its ``drop_penalty``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from mmroute import validate
from mmroute.errors import InputError

__all__ = ["VRPVehicleType", "VRPProblem", "HORIZON_MAX"]

#: The largest time value used for "no limit" (fits OR-Tools and PyVRP int64 arithmetic).
HORIZON_MAX = 2**40


@dataclass(frozen=True)
class VRPVehicleType:
    """A group of identical vehicles.

    capacity: load units; capacity_extra: capacities of further load dimensions (e.g. volume),
    one per entry of ``VRPProblem.demand_extra``; count: vehicles available; start_depot/end_depot: node ids;
    fixed_cost, cost_per_distance (per distance unit), cost_per_time (per time unit): problem
    cost units; shift_start/shift_end: time units (absolute); max_duration: time units.
    """

    capacity: int
    count: int
    start_depot: int = 0
    end_depot: int = 0
    fixed_cost: int = 0
    cost_per_distance: int = 1
    cost_per_time: int = 0
    shift_start: int = 0
    shift_end: int = HORIZON_MAX
    max_duration: int = HORIZON_MAX
    name: str = ""
    capacity_extra: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["capacity_extra"] = list(self.capacity_extra)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VRPVehicleType:
        kw = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        if "capacity_extra" in kw:
            kw["capacity_extra"] = tuple(int(c) for c in kw["capacity_extra"])
        return cls(**kw)


def _int_matrix(values: Any, n: int, what: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a {n}x{n} matrix of numbers", field=what) from None
    if arr.shape != (n, n):
        raise InputError(f"{what} must be a {n}x{n} matrix, got shape {arr.shape}", field=what)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise InputError(f"{what} must hold finite non-negative numbers", field=what)
    out = np.array(np.rint(arr), dtype=np.int64)
    if np.any(np.abs(arr - out) > 1e-9):
        raise InputError(f"{what} must hold integers (scale real values first)", field=what)
    out.setflags(write=False)
    return out


def _int_tuple(values: Sequence[Any], n: int, what: str) -> tuple[int, ...]:
    if isinstance(values, np.ndarray):
        values = values.tolist()
    if not isinstance(values, list | tuple):
        raise InputError(f"expected a list of {n} integers, got {validate.describe(values)}", field=what)
    if len(values) != n:
        raise InputError(f"{what} must have {n} entries, got {len(values)}", field=what)
    return tuple(validate.integer(v, f"{what}[{i}]") for i, v in enumerate(values))  # type: ignore[misc]


_VT_INTS = ("capacity", "count", "start_depot", "end_depot", "fixed_cost", "cost_per_distance",
            "cost_per_time", "shift_start", "shift_end", "max_duration")


def _vehicle_type(vt: Any, k: int) -> VRPVehicleType:
    """A vehicle type whose fields are integers (:class:`InputError` naming the field if not)."""
    where = f"vehicle_types[{k}]"
    validate.instance_of(vt, VRPVehicleType, where)
    ints = {f: validate.integer(getattr(vt, f), f"{where}.{f}") for f in _VT_INTS}
    extra = _int_tuple(vt.capacity_extra, len(vt.capacity_extra) if isinstance(vt.capacity_extra, list | tuple) else 0,
                       f"{where}.capacity_extra")
    return replace(vt, **ints, capacity_extra=extra)


@dataclass(frozen=True, eq=False)
class VRPProblem:
    """A vehicle routing problem (CVRP, VRPTW, multi-depot, mixed fleet, PDP, optional clients).

    Build it with the constructor (it validates every field and raises
    :class:`mmroute.errors.InputError`) or with a reader (:func:`read_vrplib`,
    :func:`read_solomon`). See the module docstring for units and conventions.
    """

    distance: np.ndarray
    duration: np.ndarray
    demand: tuple[int, ...]
    vehicle_types: tuple[VRPVehicleType, ...]
    depots: tuple[int, ...] = (0,)
    tw_early: tuple[int, ...] | None = None
    tw_late: tuple[int, ...] | None = None
    service: tuple[int, ...] | None = None
    pickup_delivery: tuple[tuple[int, int], ...] = ()
    drop_penalty: tuple[int | None, ...] | None = None
    coords: np.ndarray | None = None
    demand_extra: tuple[tuple[int, ...], ...] = ()
    scale: int = 1
    name: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.demand, list | tuple | np.ndarray):
            raise InputError(f"expected a list of integers, got {validate.describe(self.demand)}", field="demand")
        n = len(self.demand)
        if n < 1:
            raise InputError("a problem needs at least one node", field="demand")
        set_ = object.__setattr__
        set_(self, "distance", _int_matrix(self.distance, n, "distance"))
        set_(self, "duration", _int_matrix(self.duration, n, "duration"))
        set_(self, "demand", _int_tuple(self.demand, n, "demand"))
        set_(self, "tw_early", _int_tuple([0] * n if self.tw_early is None else self.tw_early, n, "tw_early"))
        set_(self, "tw_late", _int_tuple([HORIZON_MAX] * n if self.tw_late is None else self.tw_late, n, "tw_late"))
        set_(self, "service", _int_tuple([0] * n if self.service is None else self.service, n, "service"))
        pens = self.drop_penalty if self.drop_penalty is not None else [None] * n
        if isinstance(pens, np.ndarray):
            pens = pens.tolist()
        if not isinstance(pens, list | tuple) or len(pens) != n:
            raise InputError(f"drop_penalty must have {n} entries", field="drop_penalty")
        set_(self, "drop_penalty", tuple(validate.integer(p, f"drop_penalty[{i}]", nullable=True) for i, p in enumerate(pens)))
        if not isinstance(self.demand_extra, list | tuple):
            raise InputError("expected a list of demand rows", field="demand_extra")
        set_(self, "demand_extra", tuple(_int_tuple(row, n, f"demand_extra[{k}]") for k, row in enumerate(self.demand_extra)))
        set_(self, "depots", _int_tuple(self.depots, len(self.depots) if isinstance(self.depots, list | tuple) else 0, "depots"))
        pairs = self.pickup_delivery
        if not isinstance(pairs, list | tuple) or not all(isinstance(p, list | tuple) and len(p) == 2 for p in pairs):
            raise InputError("expected a list of (pickup, delivery) pairs", field="pickup_delivery")
        set_(self, "pickup_delivery", tuple(_int_tuple(p, 2, f"pickup_delivery[{k}]") for k, p in enumerate(pairs)))
        types = self.vehicle_types
        if not isinstance(types, list | tuple):
            raise InputError(f"expected a list of VRPVehicleType, got {validate.describe(types)}", field="vehicle_types")
        set_(self, "vehicle_types", tuple(_vehicle_type(vt, k) for k, vt in enumerate(types)))
        validate.integer(self.scale, "scale", lo=1)
        if self.coords is not None:
            try:
                c = np.array(self.coords, dtype=float)
            except (TypeError, ValueError):
                raise InputError(f"coords must be {n}x2 numbers", field="coords") from None
            if c.shape != (n, 2) or not np.all(np.isfinite(c)):
                raise InputError(f"coords must be {n}x2", field="coords")
            c.setflags(write=False)
            set_(self, "coords", c)
        set_(self, "meta", dict(self.meta))
        self._validate()

    def _validate(self) -> None:
        n = self.num_nodes
        if not self.depots:
            raise InputError("at least one depot is required", field="depots")
        for d in self.depots:
            if not 0 <= d < n:
                raise InputError(f"depot {d} is not a node", field="depots")
        if len(set(self.depots)) != len(self.depots):
            raise InputError("depots are listed twice", field="depots")
        if self.scale < 1 or int(self.scale) != self.scale:
            raise InputError("scale must be a positive integer", field="scale")
        if not self.vehicle_types:
            raise InputError("at least one vehicle type is required", field="vehicle_types")
        for k, vt in enumerate(self.vehicle_types):
            where = f"vehicle_types[{k}]"
            if vt.start_depot not in self.depots or vt.end_depot not in self.depots:
                raise InputError("start_depot and end_depot must be depots", field=where)
            if len(vt.capacity_extra) != len(self.demand_extra):
                raise InputError(f"capacity_extra needs {len(self.demand_extra)} entries (one per demand_extra)", field=where)
            if vt.capacity < 0 or vt.count < 0 or any(c < 0 for c in vt.capacity_extra):
                raise InputError("capacity and count must be non-negative", field=where)
            if min(vt.fixed_cost, vt.cost_per_distance, vt.cost_per_time) < 0:
                raise InputError("costs must be non-negative", field=where)
            if vt.shift_end < vt.shift_start or vt.max_duration < 0:
                raise InputError("shift_end must be >= shift_start, max_duration >= 0", field=where)
        depot_set = set(self.depots)
        for i in depot_set:
            if self.demand[i] != 0 or any(row[i] != 0 for row in self.demand_extra):
                raise InputError(f"depot {i} must have demand 0", field="demand")
            if self.drop_penalty[i] is not None:
                raise InputError(f"depot {i} cannot be optional", field="drop_penalty")
        paired: dict[int, int] = {}
        for k, (p, d) in enumerate(self.pickup_delivery):
            where = f"pickup_delivery[{k}]"
            if p in depot_set or d in depot_set or not (0 <= p < n and 0 <= d < n) or p == d:
                raise InputError("a pair must join two distinct clients", field=where)
            if p in paired or d in paired:
                raise InputError("a client is in two pairs", field=where)
            paired[p] = paired[d] = k
            for row in (self.demand, *self.demand_extra):
                if row[p] < 0 or row[d] != -row[p]:
                    raise InputError("pair demands must be q at the pickup and -q at the delivery", field=where)
            if (self.drop_penalty[p] is None) != (self.drop_penalty[d] is None):
                raise InputError("both nodes of a pair must be required or both optional", field=where)
        for i in self.clients:
            if i not in paired and any(row[i] < 0 for row in (self.demand, *self.demand_extra)):
                raise InputError(f"client {i} has negative demand outside a pair", field="demand")
            if self.drop_penalty[i] is not None and self.drop_penalty[i] < 0:
                raise InputError(f"client {i} has a negative drop penalty", field="drop_penalty")

    # ------------------------------------------------------------------ views
    @property
    def num_nodes(self) -> int:
        return len(self.demand)

    @property
    def clients(self) -> tuple[int, ...]:
        """Client node ids in increasing order."""
        depots = set(self.depots)
        return tuple(i for i in range(self.num_nodes) if i not in depots)

    @property
    def num_vehicles(self) -> int:
        return sum(vt.count for vt in self.vehicle_types)

    @property
    def has_time_windows(self) -> bool:
        return any(e > 0 for e in self.tw_early) or any(t < HORIZON_MAX for t in self.tw_late)

    @property
    def has_time_constraints(self) -> bool:
        """True when time matters: windows, service, shifts, durations or time costs."""
        return (
            self.has_time_windows
            or any(vt.shift_start > 0 or vt.shift_end < HORIZON_MAX for vt in self.vehicle_types)
            or any(vt.max_duration < HORIZON_MAX or vt.cost_per_time > 0 for vt in self.vehicle_types)
        )

    @property
    def is_cvrp(self) -> bool:
        """One depot, one vehicle type with unit distance cost, no time, pairs or drops."""
        return (
            len(self.depots) == 1
            and len(self.vehicle_types) == 1
            and self.vehicle_types[0].cost_per_distance == 1
            and self.vehicle_types[0].fixed_cost == 0
            and self.vehicle_types[0].start_depot == self.vehicle_types[0].end_depot
            and not self.has_time_constraints
            and not self.pickup_delivery
            and not self.demand_extra
            and all(p is None for p in self.drop_penalty)
            and bool(np.array_equal(self.distance, self.distance.T))
        )

    @property
    def loads(self) -> tuple[tuple[int, ...], ...]:
        """Every load dimension: ``(demand, *demand_extra)``."""
        return (self.demand, *self.demand_extra)

    @staticmethod
    def capacities(vt: VRPVehicleType) -> tuple[int, ...]:
        """A vehicle type's capacity per load dimension (matches :attr:`loads`)."""
        return (vt.capacity, *vt.capacity_extra)

    def pair_of(self) -> dict[int, tuple[int, int]]:
        """Map each paired client to its (pickup, delivery) pair."""
        out: dict[int, tuple[int, int]] = {}
        for p, d in self.pickup_delivery:
            out[p] = out[d] = (p, d)
        return out

    def with_vehicle_types(self, vehicle_types: Sequence[VRPVehicleType]) -> VRPProblem:
        """A copy with other vehicle types."""
        return replace(self, vehicle_types=tuple(vehicle_types))

    # ------------------------------------------------------------------ (de)serialisation
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (lists and numbers)."""
        return {
            "name": self.name,
            "scale": self.scale,
            "depots": list(self.depots),
            "distance": self.distance.tolist(),
            "duration": self.duration.tolist(),
            "demand": list(self.demand),
            "demand_extra": [list(row) for row in self.demand_extra],
            "tw_early": list(self.tw_early),
            "tw_late": list(self.tw_late),
            "service": list(self.service),
            "pickup_delivery": [list(p) for p in self.pickup_delivery],
            "drop_penalty": list(self.drop_penalty),
            "coords": None if self.coords is None else self.coords.tolist(),
            "vehicle_types": [vt.to_dict() for vt in self.vehicle_types],
            "meta": dict(self.meta),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VRPProblem:
        """Inverse of :meth:`to_dict`; raises :class:`InputError` on a missing field."""
        try:
            return cls(
                distance=data["distance"],
                duration=data.get("duration", data["distance"]),
                demand=data["demand"],
                demand_extra=tuple(tuple(row) for row in data.get("demand_extra", ())),
                vehicle_types=tuple(VRPVehicleType.from_dict(v) for v in data["vehicle_types"]),
                depots=tuple(data.get("depots", (0,))),
                tw_early=data.get("tw_early"),
                tw_late=data.get("tw_late"),
                service=data.get("service"),
                pickup_delivery=tuple(tuple(p) for p in data.get("pickup_delivery", ())),
                drop_penalty=data.get("drop_penalty"),
                coords=data.get("coords"),
                scale=int(data.get("scale", 1)),
                name=str(data.get("name", "")),
                meta=data.get("meta", {}),
            )
        except KeyError as exc:
            raise InputError(f"missing field {exc.args[0]!r}") from None
        except (TypeError, ValueError) as exc:
            if isinstance(exc, InputError):
                raise
            raise InputError(f"bad problem data: {exc}") from None
