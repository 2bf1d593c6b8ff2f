"""The optional ``objective`` section of a scenario file (weights, prices, penalties)."""

from __future__ import annotations

from typing import Any

from mmroute.scenarios.fields import Fields
from mmroute.scenarios.model import Objective

__all__ = ["parse_objective"]


def parse_objective(f: Fields, raw: Any) -> Objective:
    """The ``objective`` mapping: any :class:`Objective` field, each >= 0, defaults
    from :class:`Objective`."""
    base = Objective()
    keys = tuple(base.to_dict())
    f.mapping(raw, "objective", optional=keys)
    values = {k: f.number(raw.get(k, getattr(base, k)), f"objective.{k}", ge=0) for k in keys}
    return Objective(**values)
