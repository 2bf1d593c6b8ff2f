"""Plan JSON: written atomically with the DESIGN.md fields (objective, bound, status, time_s,
solver, seed) and the routes; read back with :func:`read_plan` (errors name the file)."""

from __future__ import annotations

from pathlib import Path

from mmroute.errors import InstanceError
from mmroute.io import read_json, write_json_atomic
from mmroute.routing.cars.problem import CarsProblem
from mmroute.routing.cars.result import CarsPlan

__all__ = ["write_plan", "read_plan"]


def write_plan(path: str | Path, plan: CarsPlan, problem: CarsProblem | None = None) -> Path:
    """Write ``plan`` as JSON to ``path`` (atomically); with its ``problem``, also when each
    carrier reaches its stops (``start`` and ``schedule``: :func:`.check.plan_times`)."""
    data = plan.to_dict()
    if problem is not None:
        from mmroute.routing.cars.check import plan_times

        data.update(plan_times(problem, plan))
    return write_json_atomic(path, data)


def read_plan(path: str | Path) -> CarsPlan:
    """Read a plan JSON (the reader contract of :func:`mmroute.io.read_json`); bad content
    raises :class:`InstanceError` naming the file and the field."""
    data = read_json(path, what="plan JSON file", error=InstanceError)
    try:
        return CarsPlan.from_dict(data)
    except InstanceError as exc:
        raise InstanceError(exc.reason, file=path, field=exc.field) from None
