"""Entry point: solve a loading instance (heuristic or exact) and return a checked packing."""

from __future__ import annotations

import time

from mmroute.errors import InputError, SolverError
from mmroute.routing.loading.check import check_packing
from mmroute.routing.loading.exact import pack_exact
from mmroute.routing.loading.heuristic import HeuristicParams, pack_blocks
from mmroute.routing.loading.model import LoadingInstance, Packing

__all__ = ["solve_loading"]


def solve_loading(
    instance: LoadingInstance,
    time_limit_s: float = 10.0,
    *,
    seed: int = 0,
    exact: bool = False,
    min_support: float = 1.0,
    params: HeuristicParams | None = None,
) -> Packing:
    """Pack one container; the packing passes :func:`check_packing` before it is returned.

    Heuristic (default): block building with look-ahead (:mod:`.heuristic`), full support.
    ``exact=True``: the heuristic's packing (a tenth of the time) seeds the CP-SAT model
    (:mod:`.exact`), which returns a proven optimum or its bound. ``objective`` is the packed
    volume (length units cubed); ``bound`` an upper bound on it.
    """
    if not time_limit_s > 0:
        raise InputError(f"time limit must be > 0 s, got {time_limit_s}", field="--time-limit")
    if not 0.0 <= min_support <= 1.0:
        raise InputError(f"must be in [0, 1], got {min_support}", field="min_support")
    start = time.monotonic()
    trivial = instance.volume_bound
    if not exact:
        res = pack_blocks(instance, time_limit_s, params, seed=seed)
        placements, objective = res.placements, res.volume
        bound = trivial
        status = "optimal" if objective == bound else "feasible"
        solver = "block-lookahead"
        extra = {"passes": res.passes, "greedy_objective": res.greedy_volume}
    else:
        h = pack_blocks(instance, max(0.1, 0.1 * time_limit_s), params, seed=seed)
        left = max(0.1, time_limit_s - (time.monotonic() - start))
        ex = pack_exact(instance, left, seed=seed, min_support=min_support, hint=h.placements)
        bound = min(trivial, ex.bound)
        if ex.objective >= h.volume and ex.placements:
            placements, objective = ex.placements, ex.objective
        else:
            placements, objective = h.placements, h.volume
        status = "optimal" if objective >= bound else "feasible"
        solver = "cp-sat"
        extra = {"box_copies": ex.n_copies, "cp_sat_status": ex.status}
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
