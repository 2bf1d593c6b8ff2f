"""Read a loading instance from a thpack file or a scenario (path or bundled name)."""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from pathlib import Path

from mmroute import validate
from mmroute.routing.loading.model import LoadingInstance
from mmroute.routing.loading.scenario import scenario_instance
from mmroute.routing.loading.thpack import read_thpack_instance

__all__ = ["read_loading_instance"]

SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")


def read_loading_instance(
    file: str | Path,
    instance: int = 1,
    *,
    vehicle_type: str | None = None,
    customers: Sequence[str] | None = None,
    multi_drop: bool = False,
) -> LoadingInstance:
    """A thpack file (problem ``instance``, from 1), or a scenario file / bundled scenario name
    (see :func:`scenario_instance`)."""
    path = Path(validate.instance_of(file, (str, PathLike), "file"))
    validate.integer(instance, "instance", lo=1)
    if path.suffix.lower() in SCENARIO_SUFFIXES or not path.exists():
        from mmroute.scenarios import load  # scenarios never import routing: no cycle

        return scenario_instance(
            load(file), vehicle_type=vehicle_type, customers=customers, multi_drop=multi_drop
        )
    return read_thpack_instance(path, instance)
