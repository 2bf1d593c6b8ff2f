"""Argument checks of the plan family's public functions: the project's exceptions, naming the
argument, instead of an AttributeError from deep inside (see :mod:`mmroute.validate`)."""

from __future__ import annotations

from typing import Any

from mmroute import validate as v
from mmroute.routing.plan.params import PlanParams
from mmroute.scenarios import Scenario
from mmroute.world.events import KnownEvents
from mmroute.world.plan import Plan
from mmroute.world.state import PlanState

__all__ = ["scenario_arg", "solve_arguments", "plan_arg"]

_LOAD_HINT = "load it first with mmroute.scenarios.load(path_or_name)"


def scenario_arg(scenario: Any) -> Scenario:
    """A :class:`Scenario` (a path or a name is refused with a hint)."""
    return v.instance_of(scenario, Scenario, "scenario", hint=_LOAD_HINT)


def plan_arg(plan: Any, name: str = "plan") -> Plan:
    return v.instance_of(plan, Plan, name, hint="read it first with Plan.from_dict(json)")


def solve_arguments(scenario: Any, time_limit_s: Any, seed: Any, params: Any, *,
                    initial: Any = None, events: Any = None, state: Any = None
                    ) -> tuple[Scenario, float, int, PlanParams]:
    """Checked ``(scenario, time_limit_s, seed, params)`` of a solve; ``initial``, ``events``
    and ``state`` checked when given."""
    scenario = scenario_arg(scenario)
    limit = v.time_limit_s(time_limit_s)
    seed = v.seed(seed)
    params = v.params_of(params, PlanParams)
    if initial is not None:
        plan_arg(initial, "initial")
    if events is not None:
        v.instance_of(events, KnownEvents, "events")
    if state is not None:
        v.instance_of(state, PlanState, "state")
    return scenario, limit, seed, params
