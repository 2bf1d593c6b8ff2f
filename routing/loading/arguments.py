"""The common arguments of the loading solvers, validated once (no solver imported here)."""

from __future__ import annotations

from typing import Any

from mmroute import validate
from mmroute.routing.loading.model import LoadingInstance, Packing, Placement

__all__ = ["solver_arguments", "placements_of"]


def solver_arguments(instance: Any, time_limit_s: Any, seed: Any) -> tuple[float, int]:
    """Validate what every loading solver takes (:class:`mmroute.errors.InputError` naming the
    argument): a :class:`LoadingInstance`, a finite positive time limit and a seed in
    0..2^31-1. Returns the time limit and the seed."""
    validate.instance_of(instance, LoadingInstance, "instance",
                         hint="read it first with read_loading_instance(path)")
    return validate.time_limit_s(time_limit_s), validate.seed(seed)


def placements_of(value: Any, name: str) -> tuple[Placement, ...]:
    """The placements of a :class:`Packing` or of a list of :class:`Placement` (``None``: none)."""
    if value is None:
        return ()
    if isinstance(value, Packing):
        return validate.sequence_of(value.placements, Placement, f"{name}.placements")
    return validate.sequence_of(value, Placement, name)
