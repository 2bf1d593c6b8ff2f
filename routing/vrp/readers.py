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
from pathlib import Path
from typing import Literal

import numpy as np

from mmroute.errors import InputError, InstanceError
from mmroute.routing.vrp.problem import HORIZON_MAX, VRPProblem, VRPVehicleType

__all__ = ["read_vrplib", "read_solomon", "read_lilim", "read_instance", "Rounding"]
# (``read_instance`` also accepts scenarios, via :func:`from_scenario_fleet`)

Rounding = Literal["exact", "dimacs"]
_SCALES = {"exact": 100, "dimacs": 10}


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
    import vrplib  # local: keeps `import mmroute.routing` light

    path = Path(path)
    if not path.is_file():
        raise InstanceError("file not found", file=path)
    try:
        data = vrplib.read_instance(str(path), compute_edge_weights=True)
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


def _numeric_rows(path: Path, min_fields: int) -> list[list[float]]:
    rows = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split()
        if len(parts) < min_fields:
            continue
        try:
            rows.append([float(p) for p in parts])
        except ValueError:
            continue
    return rows


def _time_problem(
    path: Path,
    rows: list[list[float]],
    num_vehicles: int,
    capacity: int,
    rounding: str,
    pairs: list[tuple[int, int]],
) -> VRPProblem:
    ids = [int(r[0]) for r in rows]
    if ids != list(range(len(rows))):
        raise InstanceError("customer numbers must run 0, 1, 2, ... with the depot first", file=path)
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


def read_solomon(path: str | Path, rounding: Rounding = "exact", n_customers: int | None = None) -> VRPProblem:
    """Read a Solomon VRPTW text file (see the module docstring for ``rounding``).

    ``n_customers``: keep only the depot and the first ``n_customers`` customers of the file
    (the standard 25- and 50-customer Solomon instances are the first 25 / 50 customers of
    the 100-customer files); the problem is then named ``<file>-<n>`` (e.g. ``C101-25``).
    The fleet (number and capacity) is the file's.
    """
    path = Path(path)
    if not path.is_file():
        raise InstanceError("file not found", file=path)
    text = path.read_text(encoding="utf-8", errors="replace")
    if "VEHICLE" not in text.upper() or "CUSTOMER" not in text.upper():
        raise InstanceError("not a Solomon file (no VEHICLE / CUSTOMER sections)", file=path)
    fleet = _numeric_rows(path, 2)
    fleet = [r for r in fleet if len(r) == 2]
    if not fleet:
        raise InstanceError("missing vehicle NUMBER and CAPACITY", file=path, field="VEHICLE")
    num_vehicles, capacity = int(fleet[0][0]), int(fleet[0][1])
    rows = [r for r in _numeric_rows(path, 7) if len(r) == 7]
    if len(rows) < 2:
        raise InstanceError("no customer lines (7 numbers each)", file=path, field="CUSTOMER")
    if n_customers is None:
        return _time_problem(path, rows, num_vehicles, capacity, rounding, [])
    if isinstance(n_customers, bool) or int(n_customers) != n_customers or not 1 <= n_customers <= len(rows) - 1:
        raise InstanceError(f"n_customers must be an integer in 1..{len(rows) - 1}, got {n_customers!r}", file=path, field="n_customers")
    problem = _time_problem(path, rows[: int(n_customers) + 1], num_vehicles, capacity, rounding, [])
    return replace(problem, name=f"{path.stem}-{int(n_customers)}", meta={**problem.meta, "n_customers": int(n_customers)})


def read_lilim(path: str | Path, rounding: Rounding = "exact") -> VRPProblem:
    """Read a Li & Lim PDPTW text file (``K Q speed`` then ``id x y demand ready due service p d``)."""
    path = Path(path)
    if not path.is_file():
        raise InstanceError("file not found", file=path)
    lines = [ln.split() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    try:
        num_vehicles, capacity = int(float(lines[0][0])), int(float(lines[0][1]))
        rows = [[float(x) for x in ln] for ln in lines[1:]]
    except (IndexError, ValueError):
        raise InstanceError("not a Li & Lim file", file=path) from None
    if any(len(r) != 9 for r in rows):
        raise InstanceError("every node line must have 9 numbers", file=path)
    pairs = [(int(r[0]), int(r[8])) for r in rows if int(r[8]) != 0]
    return _time_problem(path, rows, num_vehicles, capacity, rounding, pairs)


def read_instance(path: str | Path, rounding: Rounding = "exact", n_customers: int | None = None) -> VRPProblem:
    """Read any supported instance: ``.vrp`` (VRPLIB), ``.txt`` (Solomon or Li & Lim), or a
    scenario (``.yaml`` / ``.json`` file or a bundled scenario's name) with a ``fleet`` section.

    ``n_customers`` (Solomon files only): keep the first ``n_customers`` customers."""
    path = Path(path)
    if n_customers is not None and path.suffix.lower() != ".txt":
        raise InputError("n_customers applies to Solomon files only", file=path, field="n_customers")
    if path.suffix.lower() in (".yaml", ".yml", ".json") or (not path.suffix and not path.exists()):
        from mmroute.routing.vrp.scenario import from_scenario_fleet
        from mmroute.scenarios import load

        return from_scenario_fleet(load(path))
    if not path.is_file():
        raise InstanceError("file not found", file=path)
    if path.suffix.lower() in (".vrp", ".vrplib"):
        return read_vrplib(path)
    head = path.read_text(encoding="utf-8", errors="replace")[:2000]
    if "VEHICLE" in head.upper():
        return read_solomon(path, rounding, n_customers)
    if n_customers is not None:
        raise InputError("n_customers applies to Solomon files only", file=path, field="n_customers")
    first = head.splitlines()[0].split() if head.strip() else []
    if len(first) == 3 and all(_is_number(x) for x in first):
        return read_lilim(path, rounding)
    if "DIMENSION" in head.upper():
        return read_vrplib(path)
    raise InstanceError("unknown instance format (expected VRPLIB .vrp, Solomon or Li & Lim .txt)", file=path)


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False
