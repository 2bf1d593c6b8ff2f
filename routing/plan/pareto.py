"""The cost–CO2 Pareto front of a scenario's plan by the epsilon-constraint method.

Cost here is the plan's objective without any CO2 price (weighted transport + handling, value
of time, lateness, drops). Every point delivers what the cost-optimal plan delivers, shipment by
shipment (:attr:`PlanParams.delivered_share`): a point never cuts CO2 by dropping cargo, and a
planner reads the front as "the same consignments moved cheaper or greener". The two ends: the
cheapest plan (most CO2) and the lowest-CO2 plan with those deliveries; between them, the
cheapest plan with CO2 <= epsilon for evenly spaced epsilons. Dominated points are removed.
Each point carries its plan, its solve's status and gap: a point whose solve stopped early
(``timeout``, or ``feasible``) is not proven cheapest for its CO2, and the CSV and plot mark it.
"""

from __future__ import annotations

import csv
import io
import time
import warnings
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from mmroute import validate as v
from mmroute._compat import fold_deprecated
from mmroute.errors import InfeasibleError
from mmroute.io import write_text_atomic, write_with
from mmroute.routing.plan.arguments import solve_arguments
from mmroute.routing.plan.params import PlanParams
from mmroute.routing.plan.solve import solve_plan
from mmroute.scenarios import Scenario
from mmroute.world.plan import Plan

__all__ = ["ParetoPoint", "pareto_front", "non_dominated", "write_pareto_csv", "plot_pareto",
           "point_ends", "point_name", "PARETO_COLUMNS"]

#: deprecated keyword of pareto_front -> PlanParams field
_OLD_KEYWORDS = {"solver": "solver", "splittable": "splittable"}

#: the CSV columns, one row per point (the first seven as in earlier versions)
PARETO_COLUMNS = ("co2_kg", "cost_cny", "transport_cny", "co2_cap_kg", "status", "gap", "time_s",
                  "proven", "dropped_teu", "end", "point")

#: the least time (s) a solve of the front gets
_MIN_SOLVE_S = 0.5


@dataclass(frozen=True)
class ParetoPoint:
    """One plan of the front: ``co2_kg``, ``cost_cny`` (objective without CO2 price),
    ``transport_cny`` (transport + handling), the cap it was solved under (kg, ``None`` for
    none), its solve's ``status`` and relative ``gap`` (``None`` without a bound), ``time_s``,
    ``dropped_teu`` (the same at every point: what the cost-optimal plan drops) and ``plan``
    (checked by :func:`mmroute.world.check_plan`; ``None`` only for points built by hand)."""

    co2_kg: float
    cost_cny: float
    transport_cny: float
    co2_cap_kg: float | None
    status: str
    gap: float | None
    time_s: float
    dropped_teu: float = 0.0
    plan: Plan | None = field(default=None, repr=False, compare=False)

    @property
    def proven(self) -> bool:
        """True if the solve proved this plan cheapest for its cap (status ``optimal``)."""
        return self.status == "optimal"

    @classmethod
    def of(cls, plan: Plan) -> ParetoPoint:
        """The point of a plan solved at CO2 price 0."""
        return cls(co2_kg=plan.co2_kg, cost_cny=plan.objective, transport_cny=plan.cost_cny,
                   co2_cap_kg=plan.co2_cap_kg, status=plan.status, gap=plan.gap,
                   time_s=plan.time_s, dropped_teu=_dropped_teu(plan), plan=plan)


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

    ``time_limit_s`` is the budget of the whole front: each solve gets the time left shared
    evenly by the solves still to run (at least 0.5 s); ``params`` as in :func:`solve_plan`,
    except that each solve sets its own CO2 price (0), cap and objective, and every solve after
    the first delivers what the first (the cost-optimal plan) delivers. A solve that finds no
    such plan in time gives no point (a :class:`RuntimeWarning` says how many). The keywords
    ``solver`` and ``splittable`` of earlier versions still work, with a
    :class:`DeprecationWarning`."""
    params = fold_deprecated("pareto_front", params or PlanParams(), deprecated, _OLD_KEYWORDS)
    solve_arguments(scenario, time_limit_s, seed, params)
    points = v.integer(points, "points", lo=2, hi=1000)
    deadline = time.perf_counter() + time_limit_s
    todo = [points + 1]  # solves still to run: both ends, points - 2 inner ones, the CO2 end again

    def solve(p: PlanParams, initial: Plan | None = None) -> Plan:
        left = max(_MIN_SOLVE_S, (deadline - time.perf_counter()) / todo[0])
        todo[0] = max(1, todo[0] - 1)
        return solve_plan(scenario, time_limit_s=left, seed=seed, params=p, initial=initial)

    base = replace(params, co2_price=0.0, co2_cap_kg=None, minimize="objective")
    cheapest = solve(base)
    share = _delivered_share(cheapest)
    held = replace(base, delivered_share=tuple(sorted(share.items())))

    def delivers(plan: Plan) -> bool:
        got = _delivered_share(plan)
        return all(abs(got.get(s, 0.0) - x) <= 1e-6 for s, x in share.items())

    greenest = solve(replace(held, minimize="co2"), initial=cheapest)
    plans, missed = [cheapest], 0
    if delivers(greenest):
        plans.append(greenest)
    else:
        missed += 1
    hi, lo = cheapest.co2_kg, greenest.co2_kg
    if plans[-1] is greenest and hi - lo > 1e-6 * max(1.0, hi):
        # from the CO2 end up: the cheapest plan at CO2 lo first (greenest is not cheapest
        # there); each plan meets every later cap, so it starts the next solve (an incumbent
        # for arc elimination, and the answer if the solver finds nothing better in time)
        caps = [lo * (1 + 1e-9) + 1e-6, *np.linspace(lo, hi, points)[1:-1]]
        last = greenest
        for cap in caps:
            try:
                plan = solve(replace(held, co2_cap_kg=float(cap)), initial=last)
            except InfeasibleError:  # cannot happen above lo (greenest meets it); be safe
                missed += 1
                continue
            if delivers(plan):
                plans.append(plan)
                last = plan
            else:
                missed += 1
    if missed:
        warnings.warn(f"{missed} Pareto solve(s) found no plan delivering what the cost-optimal "
                      f"plan delivers in time; a longer time limit gives more points",
                      RuntimeWarning, stacklevel=2)
    return non_dominated([ParetoPoint.of(p) for p in plans])


def non_dominated(pts: list[ParetoPoint]) -> tuple[ParetoPoint, ...]:
    """The points no other point beats, by increasing CO2: another point dominates one if it is
    no worse in cost and CO2 and better in one (relative tolerance 1e-6); of points equal in
    both, the proven one (then the first) stays."""
    def tol(x: float) -> float:
        return 1e-6 * max(1.0, abs(x))

    def beats(q: ParetoPoint, p: ParetoPoint) -> bool:
        le = q.co2_kg <= p.co2_kg + tol(p.co2_kg) and q.cost_cny <= p.cost_cny + tol(p.cost_cny)
        better = q.co2_kg < p.co2_kg - tol(p.co2_kg) or q.cost_cny < p.cost_cny - tol(p.cost_cny)
        return le and (better or q.proven > p.proven)

    kept: list[ParetoPoint] = []
    for i, p in enumerate(pts):
        if any(beats(q, p) for q in pts):
            continue
        if any(not beats(p, q) and not beats(q, p) and _same(p, q, tol) for q in pts[:i]):
            continue  # an equal point came first
        kept.append(p)
    kept.sort(key=lambda p: (p.co2_kg, p.cost_cny))
    return tuple(kept)


def _same(p: ParetoPoint, q: ParetoPoint, tol) -> bool:
    return abs(p.co2_kg - q.co2_kg) <= tol(p.co2_kg) and abs(p.cost_cny - q.cost_cny) <= tol(p.cost_cny)


def _delivered_share(plan: Plan) -> dict[str, float]:
    """Shipment id -> share of its TEU the plan delivers (0 to 1)."""
    moved: dict[str, float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)
    for it in plan.itineraries:
        total[it.shipment] += it.teu
        if not it.dropped:
            moved[it.shipment] += it.teu
    return {s: min(1.0, moved[s] / t) if t > 0 else 1.0 for s, t in total.items()}


def _dropped_teu(plan: Plan) -> float:
    return sum(it.teu for it in plan.itineraries if it.dropped)


def point_ends(front: tuple[ParetoPoint, ...]) -> list[str]:
    """What end of the front each point is: ``"co2"`` (the lowest-CO2 point found),
    ``"cost"`` (the cheapest), ``"both"`` for a front of one point, else ``""``."""
    ends = [""] * len(front)
    if front:
        lo = min(range(len(front)), key=lambda i: (front[i].co2_kg, front[i].cost_cny))
        hi = min(range(len(front)), key=lambda i: (front[i].cost_cny, front[i].co2_kg))
        ends[lo], ends[hi] = "co2", "cost"
        if lo == hi:
            ends[lo] = "both"
    return ends


def point_name(k: int, n: int) -> str:
    """The file name of point ``k`` (1-based) of ``n``: ``01.json`` (wider from 100 points)."""
    return f"{k:0{max(2, len(str(n)))}d}.json"


def write_pareto_csv(front: tuple[ParetoPoint, ...], path: str | Path) -> Path:
    """Write the front as CSV (one row per point, :data:`PARETO_COLUMNS`) atomically.

    ``proven`` is ``yes`` for a point whose solve proved it cheapest for its cap, ``no`` for a
    ``timeout`` or ``feasible`` one; ``end`` is ``co2`` / ``cost`` / ``both`` at the ends of the
    front; ``point`` numbers the points from 1 by increasing CO2, as their plan files."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(PARETO_COLUMNS)
    for k, (p, end) in enumerate(zip(front, point_ends(front)), start=1):
        row = ["" if getattr(p, c) is None else getattr(p, c) for c in PARETO_COLUMNS[:7]]
        w.writerow([*row, "yes" if p.proven else "no", p.dropped_teu, end, k])
    return write_text_atomic(path, buf.getvalue())


def plot_pareto(front: tuple[ParetoPoint, ...], path: str | Path, *, title: str = "") -> Path:
    """Plot cost against CO2 (t) to a PNG (matplotlib Agg), atomically: proven points as
    green dots, points whose solve stopped early (not proven) as red crosses, the two ends
    labelled, the dropped TEU (the same at every point) in the legend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.4), dpi=120)
    x = [p.co2_kg / 1000 for p in front]
    y = [p.cost_cny / 1000 for p in front]
    ax.plot(x, y, "-", color="tab:green", alpha=0.5, zorder=1)
    groups = ((True, "o", "tab:green", "optimal (proven for its cap)"),
              (False, "X", "tab:red", "not proven (timeout / feasible)"))
    for proven, marker, colour, label in groups:
        idx = [i for i, p in enumerate(front) if p.proven == proven]
        if idx:
            ax.scatter([x[i] for i in idx], [y[i] for i in idx], marker=marker, s=60,
                       color=colour, label=label, zorder=2)
    names = {"co2": "lowest CO2", "cost": "lowest cost", "both": "lowest cost and CO2"}
    for i, end in enumerate(point_ends(front)):
        if end:
            ax.annotate(names[end], (x[i], y[i]), textcoords="offset points", xytext=(6, 6),
                        fontsize=8)
    dropped = max((p.dropped_teu for p in front), default=0.0)
    ax.plot([], [], " ", label=f"dropped at every point: {dropped:g} TEU")
    ax.set_xlabel("CO2 (t)")
    ax.set_ylabel("cost without CO2 price (thousand CNY)")
    ax.set_title(title or "cost–CO2 Pareto front")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    try:
        return write_with(path, lambda tmp: fig.savefig(tmp, format="png"))
    finally:
        plt.close(fig)
