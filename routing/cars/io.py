"""Plan JSON: written atomically with the DESIGN.md fields (objective, bound, status, time_s,
solver, seed) and the routes; read back with :func:`read_plan` (errors name the file)."""

from __future__ import annotations

import json
from pathlib import Path

from mmroute.errors import InstanceError
from mmroute.io import write_json_atomic
from mmroute.routing.cars.plan import CarsPlan

__all__ = ["write_plan", "read_plan"]


def write_plan(path: str | Path, plan: CarsPlan) -> Path:
    """Write ``plan`` as JSON to ``path`` (atomically)."""
    return write_json_atomic(path, plan.to_dict())


def read_plan(path: str | Path) -> CarsPlan:
    """Read a plan JSON; :class:`InstanceError` naming the file on bad content."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InstanceError(f"no such file: {path}", file=p.name) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InstanceError(f"not a readable JSON plan ({type(exc).__name__})", file=p.name) from None
    try:
        return CarsPlan.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InstanceError(f"not a cars plan: bad or missing field {exc}", file=p.name, field="routes") from None
