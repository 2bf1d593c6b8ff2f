"""Entry point: solve a loading instance (heuristic or exact) and return a checked packing."""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from mmroute import validate
from mmroute._compat import fold_deprecated
from mmroute.errors import InputError, SolverError
from mmroute.routing.loading.arguments import placements_of, solver_arguments
from mmroute.routing.loading.check import check_packing
from mmroute.routing.loading.exact import pack_exact
from mmroute.routing.loading.heuristic import HeuristicParams, pack_blocks
from mmroute.routing.loading.model import LoadingInstance, Packing, Placement

__all__ = ["LoadingParams", "solve_loading"]


@dataclass(frozen=True)
class LoadingParams:
    """Settings of :func:`solve_loading` (the defaults live here).

    exact: run the CP-SAT model (tens of boxes) for a proven optimum or bound, seeded by the
    heuristic's packing found in a tenth of the time; min_support: least supported share of a
    box's base (0..1; 1 = full support); heuristic: the block heuristic's search;
    exact_workers: CP-SAT threads.
    """

    exact: bool = False
    min_support: float = 1.0
    heuristic: HeuristicParams = field(default_factory=HeuristicParams)
    exact_workers: int = 2


#: deprecated keyword of solve_loading -> LoadingParams field
_OLD_KEYWORDS = {"exact": "exact", "min_support": "min_support"}


def solve_loading(
    instance: LoadingInstance,
    *,
    time_limit_s: float,
    seed: int,
    params: LoadingParams | None = None,
    initial: Packing | Sequence[Placement] | None = None,
    **deprecated: Any,
) -> Packing:
    """Pack one container; the packing passes :func:`check_packing` before it is returned.

    time_limit_s: wall-clock seconds; seed: drives the heuristic's randomised passes and
    CP-SAT. Heuristic (default): block building with look-ahead (:mod:`.heuristic`).
    ``params.exact``: the heuristic's packing (a tenth of the time) seeds the CP-SAT model
    (:mod:`.exact`), which returns a proven optimum or its bound. initial: a feasible packing
    (checked; :class:`InputError` if not) that the result never falls below and that seeds
    CP-SAT when it is better than the heuristic's. ``objective`` is the packed volume (length
    units cubed); ``bound`` an upper bound on it. The keywords ``exact`` and ``min_support``
    of earlier versions, and a :class:`HeuristicParams` as ``params``, still work with a
    :class:`DeprecationWarning`.
    """
    if isinstance(params, HeuristicParams):
        warnings.warn("solve_loading(params=HeuristicParams(...)) is deprecated; pass "
                      "params=LoadingParams(heuristic=...)", DeprecationWarning, stacklevel=2)
        params = LoadingParams(heuristic=params)
    params = fold_deprecated("solve_loading", validate.params_of(params, LoadingParams), deprecated, _OLD_KEYWORDS)
    time_limit_s, seed = solver_arguments(instance, time_limit_s, seed)
    min_support = validate.share(params.min_support, "params.min_support")
    validate.instance_of(params.heuristic, HeuristicParams, "params.heuristic")
    validate.integer(params.exact_workers, "params.exact_workers", lo=1, hi=256)
    start = time.monotonic()
    start_placements, start_volume = _checked_initial(instance, initial, min_support)
    trivial = instance.volume_bound
    if not params.exact:
        res = pack_blocks(instance, time_limit_s=time_limit_s, seed=seed, params=params.heuristic)
        placements, objective = res.placements, res.volume
        bound = trivial
        status = "optimal" if objective == bound else "feasible"
        solver = "block-lookahead"
        extra: dict[str, Any] = {"passes": res.passes, "greedy_objective": res.greedy_volume}
    else:
        h = pack_blocks(instance, time_limit_s=max(0.1, 0.1 * time_limit_s), seed=seed, params=params.heuristic)
        hint, hint_volume = h.placements, h.volume
        if start_volume > hint_volume:
            hint, hint_volume = start_placements, start_volume
        left = max(0.1, time_limit_s - (time.monotonic() - start))
        ex = pack_exact(instance, time_limit_s=left, seed=seed, min_support=min_support, hint=hint,
                        workers=params.exact_workers)
        bound = min(trivial, ex.bound)
        if ex.objective >= hint_volume and ex.placements:
            placements, objective = ex.placements, ex.objective
        else:
            placements, objective = hint, hint_volume
        status = "optimal" if objective >= bound else "feasible"
        solver = "cp-sat"
        extra = {"box_copies": ex.n_copies, "cp_sat_status": ex.status}
    if start_volume > objective:
        placements, objective = start_placements, start_volume
        status = "optimal" if objective >= bound else "feasible"
        extra["kept_initial"] = True
    packing = Packing(
        container=instance.container,
        placements=tuple(placements),
        objective=int(objective),
        bound=int(bound),
        status=status,
        time_s=time.monotonic() - start,
        solver=solver,
        seed=seed,
        extra=extra,
    )
    report = check_packing(instance.container, instance.box_types, packing, min_support=min_support)
    if not report.feasible:
        raise SolverError(f"{solver} produced an infeasible packing: {report.reason}")
    return packing


def _checked_initial(instance: LoadingInstance, initial: Packing | Sequence[Placement] | None,
                     min_support: float) -> tuple[tuple[Placement, ...], int]:
    """The warm start's placements and packed volume (``((), 0)`` without one)."""
    if initial is None:
        return (), 0
    placements = placements_of(initial, "initial")
    report = check_packing(instance.container, instance.box_types, placements, min_support=min_support)
    if not report.feasible:
        raise InputError(f"the initial packing is infeasible: {report.reason}", field="initial")
    return placements, int(report.details["packed_volume"])
