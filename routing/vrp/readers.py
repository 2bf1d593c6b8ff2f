"""Benchmark readers: VRPLIB (CVRPLIB, PyVRP's extended HFVRP dialect), Solomon, Li & Lim.

Distance conventions (match each benchmark's published values):

- VRPLIB ``EUC_2D``: Euclidean distances rounded to the nearest integer (TSPLIB ``nint``),
  ``scale = 1``; ``EXPLICIT`` matrices are taken as given.
- PyVRP's HFVRP dialect (``TYPE: HFVRP``, costs already x100): real distances kept to 1/100,
  fixed costs x100 again, ``scale = 10**4``; the objective matches the published BKS.
- Solomon / Li & Lim, ``rounding="exact"`` (default): real Euclidean distances, stored as
  ``round(100 * d)`` with ``scale = 100`` (objective reported to 2 decimals; the classic
  hierarchical tables use real distances). ``rounding="dimacs"``: the DIMACS convention of
  ``solomon/bks.csv`` — distances and travel times truncated to one decimal, stored as
  ``floor(10 * d)`` with ``scale = 10``. Times, windows and service durations are scaled the
  same way and travel time equals distance.
"""

from __future__ import annotations

import math
from dataclasses import replace
from os import PathLike
from pathlib import Path
from typing import Literal

import numpy as np

from mmroute import validate
from mmroute.errors import InputError, InstanceError
from mmroute.io import read_text
from mmroute.routing.vrp.problem import HORIZON_MAX, VRPProblem, VRPVehicleType
from mmroute.routing.vrp.text import MAX_COORD, MAX_NODES, Lines
from mmroute.routing.vrp.vrplib_text import check_vrplib_text

__all__ = ["read_vrplib", "read_solomon", "read_lilim", "read_instance", "Rounding"]
# (``read_instance`` also accepts scenarios, via :func:`from_scenario_fleet`)

Rounding = Literal["exact", "dimacs"]
_SCALES = {"exact": 100, "dimacs": 10}


def _path(path: object) -> Path:
    """A file name argument (``str`` or path-like), else :class:`InputError`."""
    return Path(validate.instance_of(path, (str, PathLike), "path"))  # type: ignore[arg-type]


def _euclid(coords: np.ndarray) -> np.ndarray:
    diff = coords[:, None, :] - coords[None, :, :]
    return np.sqrt((diff**2).sum(axis=-1))


def _scaled(dist: np.ndarray, rounding: str) -> tuple[np.ndarray, int]:
    if rounding not in _SCALES:
        raise InputError(f"rounding must be 'exact' or 'dimacs', got {rounding!r}", field="rounding")
    scale = _SCALES[rounding]
    if rounding == "dimacs":
        # floor(10 d) with a tiny tolerance so that 0.3 * 10 = 2.9999999 does not lose a unit
        return np.floor(dist * scale + 1e-7).astype(np.int64), scale
    return np.rint(dist * scale).astype(np.int64), scale


def read_vrplib(path: str | Path) -> VRPProblem:
    """Read a VRPLIB instance (CVRP, VRPTW or PyVRP's HFVRP dialect) with the ``vrplib`` package.

    Node ``k`` of the file becomes node ``k - 1``; the depot(s) come first. ``EUC_2D``
    distances are rounded to the nearest integer (CVRPLIB convention); ``scale = 1``.
    """
    from vrplib.parse import parse_vrplib  # local: keeps `import mmroute.routing` light

    path = _path(path)
    text = read_text(path, what="VRPLIB file", error=InstanceError)
    check_vrplib_text(text, path)  # strict structure first: vrplib takes what it is given
    try:
        data = parse_vrplib(text, compute_edge_weights=True)
    except Exception as exc:  # vrplib raises bare ValueError/KeyError/IndexError on bad files
        raise InstanceError(f"not a readable VRPLIB file ({type(exc).__name__}: {exc})", file=path) from None
    for key in ("demand", "edge_weight"):
        if key not in data:
            raise InstanceError(f"missing {key.upper()} section", file=path, field=key)
    n = int(data.get("dimension", len(data["demand"])))
    weights = np.asarray(data["edge_weight"], dtype=float)
    if weights.shape != (n, n):
        raise InstanceError(f"edge weights have shape {weights.shape}, expected {n}x{n}", file=path)
    dist = np.rint(weights).astype(np.int64)  # TSPLIB nint for EUC_2D; EXPLICIT is integral
    hfvrp = str(data.get("type", "")).upper() == "HFVRP"
    scale = 1
    if hfvrp and data.get("node_coord") is not None:
        # HFVRP (Pessoa et al.) uses real distances; PyVRP's files already multiply unit and
        # fixed costs by 100. Distances are kept to 1/100 and fixed costs scaled to match, so
        # the reported objective (cost / 10^4) equals the published values to 2 decimals.
        dist = np.rint(_euclid(np.asarray(data["node_coord"], dtype=float)) * 100).astype(np.int64)
        scale = 100 * 100
    depots = tuple(int(d) for d in np.atleast_1d(data.get("depot", [0])))
    demand = np.asarray(data["demand"]).astype(np.int64)
    if demand.ndim > 1:
        if demand.shape[1] != 1:
            raise InstanceError("multi-dimensional demand is not supported", file=path, field="demand")
        demand = demand[:, 0]
    tw = data.get("time_window")
    service = data.get("service_time")
    cap = data.get("capacity")
    if cap is None:
        raise InstanceError("missing CAPACITY", file=path, field="capacity")
    caps = np.atleast_1d(np.asarray(cap)).astype(np.int64).reshape(-1)
    vehicles = data.get("vehicles")
    types: list[VRPVehicleType]
    if caps.size > 1:  # one entry per vehicle (HFVRP dialect): group identical vehicles
        fixed = np.atleast_1d(data.get("vehicles_fixed_cost", np.zeros(caps.size))).astype(float)
        unit = np.atleast_1d(data.get("vehicles_unit_distance_cost", np.ones(caps.size))).astype(float)
        if np.any(np.abs(unit - np.rint(unit)) > 1e-9) or np.any(np.abs(fixed - np.rint(fixed)) > 1e-9):
            raise InstanceError("vehicle costs must be integers", file=path)
        groups: dict[tuple[int, int, int], int] = {}
        for c, f, u in zip(caps, fixed, unit):
            key = (int(c), int(round(f)) * (100 if scale > 1 else 1), int(round(u)))
            groups[key] = groups.get(key, 0) + 1
        types = [
            VRPVehicleType(capacity=c, count=k, fixed_cost=f, cost_per_distance=u, start_depot=depots[0], end_depot=depots[0])
            for (c, f, u), k in groups.items()
        ]
    else:
        count = int(vehicles) if vehicles is not None else n - len(depots)
        types = [
            VRPVehicleType(capacity=int(caps[0]), count=count, start_depot=d, end_depot=d)
            for d in depots[:1]
        ]
        if len(depots) > 1:  # multi-depot: the same fleet size at each depot
            types = [VRPVehicleType(capacity=int(caps[0]), count=count, start_depot=d, end_depot=d) for d in depots]
    tw_early = tw_late = None
    if tw is not None:
        tw = np.asarray(tw).astype(np.int64)
        tw_early, tw_late = tw[:, 0].tolist(), tw[:, 1].tolist()
    coords = data.get("node_coord")
    try:
        return VRPProblem(
            distance=dist,
            duration=dist,
            demand=demand.tolist(),
            vehicle_types=tuple(types),
            depots=depots,
            tw_early=tw_early,
            tw_late=tw_late,
            service=None if service is None else np.asarray(service).astype(np.int64).tolist(),
            coords=None if coords is None else np.asarray(coords, dtype=float),
            scale=scale,
            name=str(data.get("name", path.stem)),
            meta={"format": "vrplib", "file": path.name, "type": str(data.get("type", ""))},
        )
    except InputError as exc:
        raise InstanceError(exc.reason, file=path, field=exc.field) from None


def _time_problem(
    path: Path,
    rows: list[list[float]],
    num_vehicles: int,
    capacity: int,
    rounding: str,
    pairs: list[tuple[int, int]],
) -> VRPProblem:
    arr = np.asarray([r[:7] for r in rows], dtype=float)
    coords = arr[:, 1:3]
    dist, scale = _scaled(_euclid(coords), rounding)
    demand = np.rint(arr[:, 3]).astype(np.int64)
    tw_early = np.rint(arr[:, 4] * scale).astype(np.int64)
    tw_late = np.rint(arr[:, 5] * scale).astype(np.int64)
    service = np.rint(arr[:, 6] * scale).astype(np.int64)
    if np.any(tw_late > HORIZON_MAX):
        raise InstanceError("time values are too large", file=path)
    vt = VRPVehicleType(capacity=capacity, count=num_vehicles, shift_start=int(tw_early[0]), shift_end=int(tw_late[0]))
    try:
        return VRPProblem(
            distance=dist,
            duration=dist,
            demand=demand.tolist(),
            vehicle_types=(vt,),
            depots=(0,),
            tw_early=tw_early.tolist(),
            tw_late=tw_late.tolist(),
            service=service.tolist(),
            pickup_delivery=tuple(pairs),
            coords=coords,
            scale=scale,
            name=path.stem,
            meta={"format": "lilim" if pairs else "solomon", "file": path.name, "rounding": rounding},
        )
    except InputError as exc:
        raise InstanceError(exc.reason, file=path, field=exc.field) from None


_SOLOMON_FIELDS = ("id", "x", "y", "demand", "ready", "due", "service")
_LILIM_FIELDS = (*_SOLOMON_FIELDS, "pickup", "delivery")
_TIMES = {"ready": 0, "due": 0, "service": 0}


def _node_rows(lines: Lines, rows: list[tuple[int, list[str]]], fields: tuple[str, ...]) -> list[list[float]]:
    """Node lines: ids 0, 1, 2, ... (depot first), integers except the coordinates."""
    if len(rows) < 2:
        raise InstanceError("expected the depot and at least one customer line", file=lines.file, field="CUSTOMER")
    if len(rows) > MAX_NODES:
        raise InstanceError(f"{len(rows)} nodes, at most {MAX_NODES} are supported", file=lines.file)
    ints = frozenset(fields) - {"x", "y"}
    lo = {"id": 0, "x": -MAX_COORD, "y": -MAX_COORD, "pickup": 0, "delivery": 0, **_TIMES}
    hi = {"x": MAX_COORD, "y": MAX_COORD, "ready": HORIZON_MAX // 100, "due": HORIZON_MAX // 100,
          "service": HORIZON_MAX // 100, "pickup": len(rows) - 1, "delivery": len(rows) - 1}
    if "pickup" not in fields:
        lo["demand"] = 0
    out = []
    for k, row in enumerate(rows):
        values = lines.numbers(row, fields, ints, lo, hi)
        if values[0] != k:
            why = "listed twice" if 0 <= values[0] < k else "out of order or missing"
            raise InstanceError(f"node {int(values[0])} {why}, expected {k} (numbers run 0, 1, 2, ... with the depot first)",
                                file=lines.file, field=f"line {row[0]}")
        if values[4] > values[5]:
            raise InstanceError(f"ready time {values[4]:g} after due date {values[5]:g}", file=lines.file, field=f"line {row[0]}")
        out.append(values)
    return out


def _solomon_text(text: str, path: Path, rounding: str, n_customers: int | None) -> VRPProblem:
    lines = Lines(text, path)
    rows = lines.rows
    upper = [" ".join(t).upper() for _, t in rows]
    try:
        v = upper.index("VEHICLE")
        c = upper.index("CUSTOMER")
    except ValueError:
        raise InstanceError("not a Solomon file (no VEHICLE / CUSTOMER lines)", file=path) from None
    if c != v + 3 or not upper[v + 1].startswith("NUMBER"):
        raise InstanceError("expected VEHICLE, a 'NUMBER CAPACITY' header, one line of two integers, then CUSTOMER",
                            file=path, field=f"line {rows[v][0]}")
    num_vehicles, capacity = (int(x) for x in lines.numbers(rows[v + 2], ("number", "capacity"), frozenset({"number", "capacity"}),
                                                             {"number": 1, "capacity": 0}, {"number": 10**6}))
    if c + 1 >= len(rows) or not upper[c + 1].startswith("CUST"):
        raise InstanceError("expected the column header line after CUSTOMER", file=path, field=f"line {rows[c][0]}")
    nodes = _node_rows(lines, rows[c + 2:], _SOLOMON_FIELDS)
    if n_customers is None:
        return _time_problem(path, nodes, num_vehicles, capacity, rounding, [])
    if not validate.is_integer(n_customers) or not 1 <= n_customers <= len(nodes) - 1:
        raise InstanceError(f"n_customers must be an integer in 1..{len(nodes) - 1}, got {n_customers!r}", file=path, field="n_customers")
    problem = _time_problem(path, nodes[: n_customers + 1], num_vehicles, capacity, rounding, [])
    return replace(problem, name=f"{path.stem}-{n_customers}", meta={**problem.meta, "n_customers": n_customers})


def read_solomon(path: str | Path, rounding: Rounding = "exact", n_customers: int | None = None) -> VRPProblem:
    """Read a Solomon VRPTW text file (see the module docstring for ``rounding``).

    ``n_customers``: keep only the depot and the first ``n_customers`` customers of the file
    (the standard 25- and 50-customer Solomon instances are the first 25 / 50 customers of
    the 100-customer files); the problem is then named ``<file>-<n>`` (e.g. ``C101-25``).
    The fleet (number and capacity) is the file's. Strict: every customer line holds 7
    integers (coordinates may be real), numbered 0, 1, 2, ...; errors name the line.
    """
    path = _path(path)
    return _solomon_text(read_text(path, what="Solomon file", error=InstanceError), path, rounding, n_customers)


def _lilim_text(text: str, path: Path, rounding: str) -> VRPProblem:
    lines = Lines(text, path)
    if not lines.rows:
        raise InstanceError("empty file, expected a Li & Lim file", file=path)
    # the third number (speed) is 0 or 1 in the published files and is not used: travel time
    # equals distance, as in the published results
    k, q, _ = lines.numbers(lines.rows[0], ("vehicles", "capacity", "speed"), frozenset({"vehicles", "capacity"}),
                            {"vehicles": 1, "capacity": 0}, {"vehicles": 10**6})
    nodes = _node_rows(lines, lines.rows[1:], _LILIM_FIELDS)
    pairs = []
    for i, r in enumerate(nodes):
        p, d = int(r[7]), int(r[8])
        where = f"line {lines.rows[i + 1][0]}"
        if p and d:
            raise InstanceError("a node is either a pickup (delivery > 0) or a delivery (pickup > 0), not both", file=path, field=where)
        if d and int(nodes[d][7]) != i:
            raise InstanceError(f"pickup {i} names delivery {d}, whose pickup field is {int(nodes[d][7])}", file=path, field=where)
        if p and int(nodes[p][8]) != i:
            raise InstanceError(f"delivery {i} names pickup {p}, whose delivery field is {int(nodes[p][8])}", file=path, field=where)
        if d:
            pairs.append((i, d))
    return _time_problem(path, nodes, int(k), int(q), rounding, pairs)


def read_lilim(path: str | Path, rounding: Rounding = "exact") -> VRPProblem:
    """Read a Li & Lim PDPTW text file (``K Q speed`` then ``id x y demand ready due service p d``).

    Strict: integers (coordinates may be real), nodes numbered 0, 1, 2, ..., pickup and
    delivery fields naming each other; errors name the line.
    """
    path = _path(path)
    return _lilim_text(read_text(path, what="Li & Lim file", error=InstanceError), path, rounding)


def read_instance(path: str | Path, rounding: Rounding = "exact", n_customers: int | None = None) -> VRPProblem:
    """Read any supported instance: ``.vrp`` (VRPLIB), ``.txt`` (Solomon or Li & Lim), or a
    scenario (``.yaml`` / ``.json`` file or a bundled scenario's name) with a ``fleet`` section.

    ``n_customers`` (Solomon files only): keep the first ``n_customers`` customers."""
    path = _path(path)
    if rounding not in _SCALES:
        raise InputError(f"rounding must be 'exact' or 'dimacs', got {rounding!r}", field="rounding")
    validate.integer(n_customers, "n_customers", lo=1, nullable=True)
    if n_customers is not None and path.suffix.lower() != ".txt":
        raise InputError("n_customers applies to Solomon files only", file=path, field="n_customers")
    if path.suffix.lower() in (".yaml", ".yml", ".json") or (not path.suffix and not path.exists()):
        from mmroute.routing.vrp.scenario import from_scenario_fleet
        from mmroute.scenarios import load

        return from_scenario_fleet(load(path))
    if path.suffix.lower() in (".vrp", ".vrplib"):
        return read_vrplib(path)
    text = read_text(path, what="instance file (VRPLIB, Solomon or Li & Lim)", error=InstanceError)
    head = text[:2000]
    if "VEHICLE" in head.upper():
        return _solomon_text(text, path, rounding, n_customers)
    if n_customers is not None:
        raise InputError("n_customers applies to Solomon files only", file=path, field="n_customers")
    first = head.splitlines()[0].split() if head.strip() else []
    if len(first) == 3 and all(_is_number(x) for x in first):
        return _lilim_text(text, path, rounding)
    if "DIMENSION" in head.upper():
        return read_vrplib(path)
    raise InstanceError("unknown instance format (expected VRPLIB .vrp, Solomon or Li & Lim .txt)", file=path)


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False
