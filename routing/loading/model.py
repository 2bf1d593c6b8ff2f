"""The loading model: container, box types, placements and packings (frozen dataclasses).

Geometry is in integer length units (thpack files use cm; scenario files are converted from
metres to cm). Axes: x along the container's length with the door at ``x = L``, y across,
z up; the origin is the inner back-left-bottom corner. A placement gives the lowest corner of
a box and its dimensions as placed.

Unloading order (multi-drop): boxes carry a ``stop`` index; stop 0 is unloaded first, then
stop 1, and so on. A box ``b`` of a later stop must not block a box ``a`` of an earlier stop:

- ``b`` must not be *in front of* ``a``: ``b.x >= a.x + a.dx`` while their y–z projections
  overlap (``a`` could not slide out through the door);
- ``b`` must not be *above* ``a``: ``b.z >= a.z + a.dz`` while their x–y projections overlap
  (``a`` would have to be pulled out from under ``b``).

This is the LIFO rule of the 3L-CVRP literature (Gendreau et al. 2006). Boxes without a stop
(``None``) are never constrained.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from mmroute import validate
from mmroute.errors import InstanceError
from mmroute.io import json_int, json_number

__all__ = [
    "Container",
    "BoxType",
    "Placement",
    "Packing",
    "LoadingInstance",
    "PACKING_STATUSES",
]

PACKING_STATUSES = ("optimal", "feasible", "infeasible", "timeout")

Dims = tuple[int, int, int]


#: Largest magnitude of an integer read from a packing file (lengths, volumes, ids).
MAX_JSON_INT = 10**12


def _json_int(value: Any, what: str, *, file: str | None = None, nullable: bool = False) -> int | None:
    return json_int(value, what, file=file, limit=MAX_JSON_INT, nullable=nullable, error=InstanceError)


def _json_number(value: Any, what: str, *, file: str | None = None, nullable: bool = False) -> float | None:
    return json_number(value, what, file=file, nullable=nullable, error=InstanceError)


def _json_triple(value: Any, what: str) -> Dims:
    if not isinstance(value, list | tuple) or len(value) != 3:
        raise InstanceError(f"expected a list of 3 integers, got {value!r}", field=what)
    return tuple(_json_int(v, f"{what}[{k}]") for k, v in enumerate(value))  # type: ignore[return-value]


def _positive_int(value: Any, what: str) -> int:
    if not validate.is_integer(value) or value <= 0:
        raise InstanceError(f"must be a positive integer, got {value!r}", field=what)
    return value


@dataclass(frozen=True)
class Container:
    """A container or truck body: inner length, width, height (length units), payload (kg).

    ``payload_kg = None`` means no weight limit (thpack instances).
    """

    length: int
    width: int
    height: int
    payload_kg: float | None = None

    def __post_init__(self) -> None:
        _positive_int(self.length, "container.length")
        _positive_int(self.width, "container.width")
        _positive_int(self.height, "container.height")
        kg = self.payload_kg
        if kg is not None and (not validate.is_number(kg) or not 0 <= kg < math.inf):
            raise InstanceError(
                f"must be a finite number >= 0 or null, got {self.payload_kg!r}", field="container.payload_kg"
            )

    @property
    def dims(self) -> Dims:
        return (self.length, self.width, self.height)

    @property
    def volume(self) -> int:
        """Inner volume (length units cubed)."""
        return self.length * self.width * self.height

    def to_dict(self) -> dict[str, Any]:
        return {
            "length": self.length,
            "width": self.width,
            "height": self.height,
            "payload_kg": self.payload_kg,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Container:
        if not isinstance(d, dict):
            raise InstanceError(f"expected an object, got {d!r}", field="container")
        for key in ("length", "width", "height"):
            if key not in d:
                raise InstanceError("missing", field=f"container.{key}")
        return cls(
            _json_int(d["length"], "container.length"),
            _json_int(d["width"], "container.width"),
            _json_int(d["height"], "container.height"),
            _json_number(d.get("payload_kg"), "container.payload_kg", nullable=True),
        )


@dataclass(frozen=True)
class BoxType:
    """A box type: ``dims`` (length units), how many are available, weight (kg per box).

    ``vertical[k]`` says whether ``dims[k]`` may stand vertical (thpack's flags); the other
    two dimensions may then lie along x and y in either order. ``stackable = False``: no box
    may rest on it. ``stop``: the drop index for multi-drop loading (0 unloaded first) or
    ``None``.
    """

    id: int
    dims: Dims
    quantity: int
    weight_kg: float = 0.0
    vertical: tuple[bool, bool, bool] = (True, True, True)
    stackable: bool = True
    stop: int | None = None

    def __post_init__(self) -> None:
        where = f"box_types[{self.id!r}]"
        if not validate.is_integer(self.id):
            raise InstanceError(f"must be an integer, got {self.id!r}", field=f"{where}.id")
        if not isinstance(self.dims, tuple | list) or len(self.dims) != 3:
            raise InstanceError("dims must have 3 entries", field=f"{where}.dims")
        for k, d in enumerate(self.dims):
            _positive_int(d, f"{where}.dims[{k}]")
        if not validate.is_integer(self.quantity) or self.quantity < 0:
            raise InstanceError(f"must be an integer >= 0, got {self.quantity!r}", field=f"{where}.quantity")
        w = self.weight_kg
        if not validate.is_number(w) or not 0 <= w < math.inf:
            raise InstanceError(f"must be a finite number >= 0, got {w!r}", field=f"{where}.weight_kg")
        if self.stop is not None and (not validate.is_integer(self.stop) or self.stop < 0):
            raise InstanceError(f"must be an integer >= 0 or None, got {self.stop!r}", field=f"{where}.stop")
        if not isinstance(self.vertical, tuple | list) or len(self.vertical) != 3 or not any(self.vertical):
            raise InstanceError(
                "at least one dimension must be allowed vertical", field=f"{where}.vertical"
            )

    @property
    def volume(self) -> int:
        return self.dims[0] * self.dims[1] * self.dims[2]

    def orientations(self) -> tuple[Dims, ...]:
        """The distinct allowed placed dimensions ``(dx, dy, dz)``, in a fixed order."""
        out: list[Dims] = []
        for k in range(3):
            if not self.vertical[k]:
                continue
            a, b = (self.dims[i] for i in range(3) if i != k)
            for dx, dy in ((a, b), (b, a)):
                o = (dx, dy, self.dims[k])
                if o not in out:
                    out.append(o)
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "dims": list(self.dims),
            "quantity": self.quantity,
            "weight_kg": self.weight_kg,
            "vertical": list(self.vertical),
            "stackable": self.stackable,
            "stop": self.stop,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BoxType:
        return cls(
            id=int(d["id"]),
            dims=tuple(int(v) for v in d["dims"]),  # type: ignore[arg-type]
            quantity=int(d["quantity"]),
            weight_kg=float(d.get("weight_kg", 0.0)),
            vertical=tuple(bool(v) for v in d.get("vertical", (True, True, True))),  # type: ignore[arg-type]
            stackable=bool(d.get("stackable", True)),
            stop=d.get("stop"),
        )


@dataclass(frozen=True)
class LoadingInstance:
    """A loading problem: one container and the box types to load into it."""

    name: str
    container: Container
    box_types: tuple[BoxType, ...]

    def __post_init__(self) -> None:
        ids = [t.id for t in self.box_types]
        if len(set(ids)) != len(ids):
            raise InstanceError(f"box type ids must be unique, got {ids}", field="box_types")

    def box_type(self, type_id: int) -> BoxType:
        for t in self.box_types:
            if t.id == type_id:
                return t
        raise KeyError(type_id)

    @property
    def n_boxes(self) -> int:
        return sum(t.quantity for t in self.box_types)

    @property
    def box_volume(self) -> int:
        """Total volume of all available boxes (length units cubed)."""
        return sum(t.volume * t.quantity for t in self.box_types)

    @property
    def volume_bound(self) -> int:
        """A trivial upper bound on packed volume: min(container, all boxes)."""
        return min(self.container.volume, self.box_volume)


@dataclass(frozen=True)
class Placement:
    """One box as placed: its type id, lowest corner ``position`` and ``dims`` as placed."""

    type_id: int
    position: Dims
    dims: Dims

    @property
    def volume(self) -> int:
        return self.dims[0] * self.dims[1] * self.dims[2]

    @property
    def end(self) -> Dims:
        """The highest corner ``(x + dx, y + dy, z + dz)``."""
        return tuple(p + d for p, d in zip(self.position, self.dims))  # type: ignore[return-value]

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type_id, "position": list(self.position), "dims": list(self.dims)}

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str = "boxes") -> Placement:
        """Strict: integer ``type``, ``position`` [x, y, z] and ``dims`` [dx, dy, dz]."""
        if not isinstance(d, dict) or not {"type", "position", "dims"} <= set(d):
            raise InstanceError(
                "needs integer 'type', 'position' [x, y, z] and 'dims' [dx, dy, dz]", field=where
            )
        return cls(
            _json_int(d["type"], f"{where}.type"),  # type: ignore[arg-type]
            _json_triple(d["position"], f"{where}.position"),
            _json_triple(d["dims"], f"{where}.dims"),
        )


@dataclass(frozen=True)
class Packing:
    """A packing of one container and how it was found.

    ``objective`` is the packed volume (length units cubed), ``bound`` an upper bound on it
    (``None`` if unknown); ``status`` is ``optimal`` only when the bound equals the objective.
    """

    container: Container
    placements: tuple[Placement, ...]
    objective: int
    bound: int | None
    status: str
    time_s: float
    solver: str
    seed: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def utilisation(self) -> float:
        """Packed volume as a share of the container volume (0..1)."""
        return sum(p.volume for p in self.placements) / self.container.volume

    def summary(self) -> str:
        """One line: status, boxes, utilisation, objective and bound, time, solver."""
        bound = "none" if self.bound is None else f"{self.bound}"
        return (f"{self.status}, {len(self.placements)} boxes, utilisation {self.utilisation:.2%}, "
                f"objective {self.objective}, bound {bound}, {self.time_s:.1f} s ({self.solver})")

    def to_dict(self) -> dict[str, Any]:
        return {
            "solver": self.solver,
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "time_s": round(self.time_s, 3),
            "seed": self.seed,
            "utilisation": round(self.utilisation, 6),
            "container": self.container.to_dict(),
            "boxes": [p.to_dict() for p in self.placements],
            **({"extra": self.extra} if self.extra else {}),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], file: str | None = None) -> Packing:
        """Read a packing JSON object; bad fields raise :class:`InstanceError`."""
        if not isinstance(d, dict):
            raise InstanceError("a packing must be a JSON object", file=file)
        boxes = d.get("boxes")
        if not isinstance(boxes, list):
            raise InstanceError("must be a list of placed boxes", file=file, field="boxes")
        try:
            placements = tuple(Placement.from_dict(b, f"boxes[{i}]") for i, b in enumerate(boxes))
            if "container" not in d:
                raise InstanceError("missing", field="container")
            container = Container.from_dict(d["container"])
            status = d.get("status", "feasible")
            if not isinstance(status, str) or status not in PACKING_STATUSES:
                raise InstanceError(f"must be one of {PACKING_STATUSES}, got {status!r}", field="status")
            objective = _json_int(d.get("objective", sum(p.volume for p in placements)), "objective")
            bound = _json_int(d.get("bound"), "bound", nullable=True)
            time_s = _json_number(d.get("time_s", 0.0), "time_s")
            seed = _json_int(d.get("seed"), "seed", nullable=True)
            extra = d.get("extra", {})
            if not isinstance(extra, dict):
                raise InstanceError(f"expected an object, got {extra!r}", field="extra")
        except InstanceError as exc:
            raise InstanceError(exc.reason, file=file, field=exc.field) from None
        return cls(
            container=container,
            placements=placements,
            objective=objective,  # type: ignore[arg-type]
            bound=bound,
            status=status,
            time_s=time_s,  # type: ignore[arg-type]
            solver=str(d.get("solver", "unknown")),
            seed=seed,
            extra=dict(extra),
        )
