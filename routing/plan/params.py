"""``PlanParams``: the settings of the plan family (:func:`solve_plan`, :func:`replan`,
:func:`solve_hindsight`, :func:`pareto_front`), defaults in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mmroute.errors import InputError

__all__ = ["PlanParams", "PLAN_SOLVERS", "DEPRECATED_PLAN_KEYWORDS"]

#: MathOpt solvers the plan MIP runs on (SCIP also takes a warm-start hint).
PLAN_SOLVERS = ("highs", "scip")

#: keyword of earlier versions of the plan entry points -> :class:`PlanParams` field
DEPRECATED_PLAN_KEYWORDS = {name: name for name in (
    "splittable", "co2_price", "co2_cap_kg", "solver", "minimize", "eliminate")}


@dataclass(frozen=True)
class PlanParams:
    """Settings of the plan MIP.

    splittable: a shipment may split over several paths (flows in [0, 1]) instead of one;
    co2_price: CNY per t of CO2, ``None`` for the scenario's own price; co2_cap_kg: an upper
    bound on total CO2 (kg; the Pareto front's epsilon constraint), ``None`` for none;
    solver: ``"highs"`` or ``"scip"``; minimize: ``"objective"``, or ``"co2"`` (drops count as
    very high CO2); eliminate: start from a greedy plan and remove arcs no optimal plan uses
    (exact; applies to unsplittable plans without CO2 cap that minimise the objective).
    """

    splittable: bool = False
    co2_price: float | None = None
    co2_cap_kg: float | None = None
    solver: Literal["highs", "scip"] = "highs"
    minimize: Literal["objective", "co2"] = "objective"
    eliminate: bool = True

    def validate(self) -> None:
        """:class:`InputError` naming the first field with a value the solver cannot take."""
        if self.solver not in PLAN_SOLVERS:
            raise InputError(f"unknown solver {self.solver!r}; choose from {sorted(PLAN_SOLVERS)}",
                             field="params.solver")
        if self.minimize not in ("objective", "co2"):
            raise InputError(f"minimize must be 'objective' or 'co2', not {self.minimize!r}",
                             field="params.minimize")
