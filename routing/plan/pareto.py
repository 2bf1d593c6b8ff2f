"""The cost–CO2 Pareto front of a scenario's plan by the epsilon-constraint method.

Cost here is the plan's objective without any CO2 price (weighted transport + handling, value
of time, lateness, drops). The two ends: the cheapest plan (most CO2) and the lowest-CO2 plan
(drops counted as very high CO2, so cargo is dropped only if it has no route); between them,
the cheapest plan with CO2 <= epsilon for evenly spaced epsilons. Dominated points are removed.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from mmroute import validate as v
from mmroute._compat import fold_deprecated
from mmroute.io import write_text_atomic, write_with
from mmroute.routing.plan.arguments import solve_arguments
from mmroute.routing.plan.params import PlanParams
from mmroute.routing.plan.solve import solve_plan
from mmroute.scenarios import Scenario

__all__ = ["ParetoPoint", "pareto_front", "write_pareto_csv", "plot_pareto"]

#: deprecated keyword of pareto_front -> PlanParams field
_OLD_KEYWORDS = {"solver": "solver", "splittable": "splittable"}


@dataclass(frozen=True)
class ParetoPoint:
    """One plan of the front: ``co2_kg``, ``cost_cny`` (objective without CO2 price),
    ``transport_cny`` (transport + handling), the cap it was solved under, its status / gap."""

    co2_kg: float
    cost_cny: float
    transport_cny: float
    co2_cap_kg: float | None
    status: str
    gap: float | None
    time_s: float


def pareto_front(
    scenario: Scenario,
    *,
    time_limit_s: float,
    seed: int,
    params: PlanParams | None = None,
    points: int = 6,
    **deprecated: Any,
) -> tuple[ParetoPoint, ...]:
    """Up to ``points`` non-dominated (cost, CO2) plans, by increasing CO2.

    ``time_limit_s`` is the budget of the whole front (shared evenly by the solves); ``params``
    as in :func:`solve_plan`, except that each solve sets its own CO2 price (0), cap and
    objective. The keywords ``solver`` and ``splittable`` of earlier versions still work, with
    a :class:`DeprecationWarning`."""
    params = fold_deprecated("pareto_front", params or PlanParams(), deprecated, _OLD_KEYWORDS)
    solve_arguments(scenario, time_limit_s, seed, params)
    points = v.integer(points, "points", lo=2, hi=1000)
    per = time_limit_s / (points + 1)
    t0 = time.perf_counter()

    def solve(**kw):
        left = max(0.5, min(per, time_limit_s - (time.perf_counter() - t0)))
        return solve_plan(scenario, time_limit_s=left, seed=seed,
                          params=replace(params, co2_price=0.0, **kw))

    cheapest = {"minimize": "objective", "co2_cap_kg": None}
    plans = [solve(**cheapest), solve(minimize="co2", co2_cap_kg=None)]
    hi, lo = plans[0].co2_kg, plans[1].co2_kg
    if hi - lo > 1e-6 * max(1.0, hi):
        for eps in np.linspace(hi, lo, points)[1:-1]:
            plans.append(solve(**cheapest | {"co2_cap_kg": float(eps)}))
        plans.append(solve(**cheapest | {"co2_cap_kg": lo * (1 + 1e-9) + 1e-6}))
    pts = [ParetoPoint(co2_kg=p.co2_kg, cost_cny=p.objective, transport_cny=p.cost_cny,
                       co2_cap_kg=p.co2_cap_kg, status=p.status, gap=p.gap, time_s=p.time_s)
           for p in plans]
    pts.sort(key=lambda p: (p.co2_kg, p.cost_cny))
    front: list[ParetoPoint] = []
    for p in pts:
        if not front or p.cost_cny < front[-1].cost_cny - 1e-6 * max(1.0, abs(p.cost_cny)):
            front.append(p)
    return tuple(front)


def write_pareto_csv(front: tuple[ParetoPoint, ...], path: str | Path) -> Path:
    """Write the front as CSV (one row per point) atomically."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    cols = ["co2_kg", "cost_cny", "transport_cny", "co2_cap_kg", "status", "gap", "time_s"]
    w.writerow(cols)
    for p in front:
        w.writerow(["" if getattr(p, c) is None else getattr(p, c) for c in cols])
    return write_text_atomic(path, buf.getvalue())


def plot_pareto(front: tuple[ParetoPoint, ...], path: str | Path, *, title: str = "") -> Path:
    """Plot cost against CO2 (t) to a PNG (matplotlib Agg), atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
    x = [p.co2_kg / 1000 for p in front]
    y = [p.cost_cny / 1000 for p in front]
    ax.plot(x, y, "o-", color="tab:green")
    ax.set_xlabel("CO2 (t)")
    ax.set_ylabel("cost without CO2 price (thousand CNY)")
    ax.set_title(title or "cost–CO2 Pareto front")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    try:
        return write_with(path, lambda tmp: fig.savefig(tmp, format="png"))
    finally:
        plt.close(fig)
