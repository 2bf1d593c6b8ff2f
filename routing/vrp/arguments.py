"""The common arguments of the VRP solvers, validated once (no solver imported here)."""

from __future__ import annotations

from typing import Any

from mmroute import validate
from mmroute.routing.vrp.problem import VRPProblem
from mmroute.routing.vrp.solution import VRPRoute, VRPSolution

__all__ = ["solver_arguments"]


def solver_arguments(problem: Any, time_limit_s: Any, seed: Any, initial: Any) -> tuple[float, int]:
    """Validate what every VRP solver takes (:class:`mmroute.errors.InputError` naming the
    argument): a :class:`VRPProblem`, a finite positive time limit, a seed in 0..2^31-1, and a
    warm start that is ``None``, a :class:`VRPSolution` or a list of :class:`VRPRoute`.
    Returns the time limit and the seed."""
    validate.instance_of(problem, VRPProblem, "problem", hint="read it first with read_instance(path)")
    if initial is not None and not isinstance(initial, VRPSolution):
        validate.sequence_of(initial, VRPRoute, "initial")
    return validate.time_limit_s(time_limit_s), validate.seed(seed)
