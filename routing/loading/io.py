"""Packing JSON files: write (atomically, only checked packings) and read."""

from __future__ import annotations

from pathlib import Path

from mmroute.errors import InstanceError, SolverError
from mmroute.io import read_json, write_json_atomic
from mmroute.routing.loading.check import check_packing
from mmroute.routing.loading.model import LoadingInstance, Packing

__all__ = ["write_packing", "read_packing"]


def write_packing(path: str | Path, packing: Packing, instance: LoadingInstance, *, min_support: float = 1.0) -> Path:
    """Check ``packing`` against ``instance``, then write it as JSON atomically."""
    report = check_packing(instance.container, instance.box_types, packing, min_support=min_support)
    if not report.feasible:
        raise SolverError(f"refusing to write an infeasible packing: {report.reason}")
    data = packing.to_dict()
    data["instance"] = instance.name
    return write_json_atomic(path, data)


def read_packing(path: str | Path) -> Packing:
    """Read a packing JSON file; a bad file raises :class:`InstanceError` naming the field."""
    data = read_json(path, what="packing JSON file", error=InstanceError)
    return Packing.from_dict(data, file=str(path))
