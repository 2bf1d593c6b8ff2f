"""``PlanParams``: the settings of the plan family (:func:`solve_plan`, :func:`replan`,
:func:`solve_hindsight`, :func:`pareto_front`), defaults in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mmroute.errors import InputError
from mmroute.routing.plan.premiums import ArcPremiums
from mmroute.validate import is_number

__all__ = ["PlanParams", "PLAN_SOLVERS", "DEPRECATED_PLAN_KEYWORDS"]

#: MathOpt solvers the plan MIP runs on (SCIP also takes a warm-start hint).
PLAN_SOLVERS = ("highs", "scip")

#: keyword of earlier versions of the plan entry points -> :class:`PlanParams` field
DEPRECATED_PLAN_KEYWORDS = {name: name for name in (
    "splittable", "co2_price", "co2_cap_kg", "solver", "minimize", "eliminate")}

#: tolerance of a delivered share (1 - the drop arc's flow)
_SHARE_TOL = 1e-9


@dataclass(frozen=True)
class PlanParams:
    """Settings of the plan MIP.

    splittable: a shipment may split over several paths (flows in [0, 1]) instead of one;
    co2_price: CNY per t of CO2, ``None`` for the scenario's own price; co2_cap_kg: an upper
    bound on total CO2 (kg; the Pareto front's epsilon constraint), ``None`` for none;
    solver: ``"highs"`` or ``"scip"``; minimize: ``"objective"``, or ``"co2"`` (drops count as
    very high CO2); eliminate: start from a greedy plan and remove arcs no optimal plan uses
    (exact; applies to unsplittable plans without CO2 cap or ``delivered_share`` that minimise
    the objective); delivered_share: ``(shipment, share)`` pairs, the share of each named
    shipment's TEU in [0, 1] that must be delivered, the rest dropped (0 or 1 unless
    splittable; shipments not named are free) — the Pareto front holds every point to the
    cost-optimal plan's deliveries this way. A solve that finds no plan in time returns the
    plan that drops everything (status ``timeout``), whatever ``delivered_share`` asks.
    premiums: extra per-arc costs (CNY per TEU) that shape the plan without being counted
    as its cost (:class:`~mmroute.routing.plan.premiums.ArcPremiums`; ``None`` or empty: the
    model without them); the plan's objective stays its true cost, with no bound.
    """

    splittable: bool = False
    co2_price: float | None = None
    co2_cap_kg: float | None = None
    solver: Literal["highs", "scip"] = "highs"
    minimize: Literal["objective", "co2"] = "objective"
    eliminate: bool = True
    delivered_share: tuple[tuple[str, float], ...] = ()
    premiums: ArcPremiums | None = None

    @property
    def shaped(self) -> bool:
        """True if premiums change the model (``premiums`` given and not empty)."""
        return self.premiums is not None and not self.premiums.empty

    def price_cny_per_t(self, scenario) -> float:
        """The CO2 price (CNY per t) a plan of ``scenario`` is solved with: ``co2_price`` if
        given, else the scenario objective's."""
        return (scenario.objective.co2_price_cny_per_t if self.co2_price is None
                else float(self.co2_price))

    def validate(self) -> None:
        """:class:`InputError` naming the first field with a value the solver cannot take."""
        if self.solver not in PLAN_SOLVERS:
            raise InputError(f"unknown solver {self.solver!r}; choose from {sorted(PLAN_SOLVERS)}",
                             field="params.solver")
        if self.minimize not in ("objective", "co2"):
            raise InputError(f"minimize must be 'objective' or 'co2', not {self.minimize!r}",
                             field="params.minimize")
        self.shares()
        if self.premiums is not None:
            if not isinstance(self.premiums, ArcPremiums):
                raise InputError(f"expected ArcPremiums or None, got {type(self.premiums).__name__}",
                                 field="params.premiums")
            self.premiums.validate()

    def shares(self) -> dict[str, float]:
        """``delivered_share`` as a dict (:class:`InputError` naming the first bad pair)."""
        field = "params.delivered_share"
        if not isinstance(self.delivered_share, tuple | list):
            raise InputError("expected (shipment, share) pairs", field=field)
        out: dict[str, float] = {}
        for k, pair in enumerate(self.delivered_share):
            where = f"{field}[{k}]"
            if not isinstance(pair, tuple | list) or len(pair) != 2 or not isinstance(pair[0], str):
                raise InputError(f"expected a (shipment id, share) pair, got {pair!r}", field=where)
            sid, share = pair
            if not is_number(share) or not 0 <= share <= 1:
                raise InputError(f"share must be a number in [0, 1], got {share!r}", field=where)
            if not self.splittable and min(share, 1 - share) > _SHARE_TOL:
                raise InputError(f"share must be 0 or 1 unless splittable, got {share!r}", field=where)
            if sid in out:
                raise InputError(f"shipment {sid!r} named twice", field=where)
            out[sid] = float(share)
        return out
