"""What every plan solve (:func:`~mmroute.routing.plan.solve_plan`, the incremental fast path
:func:`~mmroute.routing.plan.incremental.solve_fast`, the scoped re-plan
:func:`~mmroute.routing.plan.replan_scoped`) does first with its arguments — check them,
fill in the defaults, price CO2, start the clock — and last with its itineraries: a
:class:`~mmroute.world.plan.Plan` that has passed the checker."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any, NamedTuple

from mmroute.errors import InputError
from mmroute.routing.plan.arguments import solve_arguments
from mmroute.routing.plan.params import PlanParams
from mmroute.scenarios import Scenario
from mmroute.world.check import RouteCheck, assert_valid
from mmroute.world.events import KnownEvents
from mmroute.world.plan import Itinerary, Plan
from mmroute.world.state import PlanState
from mmroute.world.tables import Tables, tables_for

__all__ = ["Prepared", "prepare"]


class Prepared(NamedTuple):
    """A plan solve's checked arguments and what it derives from them before solving."""

    scenario: Scenario
    time_limit_s: float  #: wall-clock limit of the whole call (s)
    seed: int
    params: PlanParams
    events: KnownEvents  #: the known events (none given: empty)
    state: PlanState | None
    tables: Tables  #: the scenario network's (checked, or fresh)
    price_cny_per_t: float  #: the CO2 price (CNY per t)
    t_start: float  #: ``time.perf_counter()`` when the solve started (s)

    def plan(self, itineraries: Iterable[Itinerary], objective: float, bound: float | None, status: str, *,
             checked: dict[str, RouteCheck] | None = None) -> Plan:
        """The solve's plan of ``itineraries`` (objective and bound in CNY), its time the
        seconds since :attr:`t_start`, after :func:`~mmroute.world.check.assert_valid`
        (``checked``: route checks of itineraries carried over, as there)."""
        params, state = self.params, self.state
        plan = Plan(
            scenario=self.scenario.name, objective=objective, bound=bound, status=status,
            time_s=round(time.perf_counter() - self.t_start, 4),
            solver=f"mathopt-{params.solver}", seed=self.seed, itineraries=tuple(itineraries),
            co2_price_cny_per_t=self.price_cny_per_t, splittable=params.splittable,
            from_h=0.0 if state is None else state.time_h, co2_cap_kg=params.co2_cap_kg,
            events=self.events,
        )
        assert_valid(self.scenario, plan, state, tables=self.tables, checked=checked)
        return plan


def prepare(scenario: Any, *, time_limit_s: Any, seed: Any, params: Any,
            initial: Any = None, events: Any = None, state: Any = None,
            tables: Any = None) -> Prepared:
    """Check a plan solve's arguments (:class:`~mmroute.errors.InputError` naming the
    argument), fill in the defaults, price CO2 and start the clock."""
    scenario, time_limit_s, seed, params = solve_arguments(
        scenario, time_limit_s, seed, params, initial=initial, events=events, state=state)
    params.validate()
    _check_shipments(scenario, params)
    tables = tables_for(scenario, tables)
    t_start = time.perf_counter()
    events = events or KnownEvents()
    if state is not None:
        state.validate(scenario)
    return Prepared(scenario, time_limit_s, seed, params, events, state, tables,
                    params.price_cny_per_t(scenario), t_start)


def _check_shipments(scenario: Scenario, params: PlanParams) -> None:
    """Every shipment ``params.delivered_share`` names is one of ``scenario``'s."""
    known = {s.id for s in scenario.shipments}
    for k, (sid, _) in enumerate(params.delivered_share):
        if sid not in known:
            raise InputError(f"unknown shipment {sid!r}", field=f"params.delivered_share[{k}]")
