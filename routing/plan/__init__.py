"""mmroute.routing.plan: exact multimodal plans on a time-expanded network.

Build the network (:func:`expand`), solve the MIP (:func:`solve_plan`, :func:`solve_hindsight`;
settings in :class:`PlanParams`),
check any plan independently (:func:`check_plan`), re-plan during an episode (:func:`replan`)
and trace the cost–CO2 Pareto front (:func:`pareto_front`).
"""

from mmroute.routing.plan.check import CheckResult, assert_valid, check_plan
from mmroute.routing.plan.events import (
    Conditions,
    DepartureDelay,
    KnownEvents,
    LinkClosure,
    LinkSlowdown,
    NodeClosure,
    NodeDelay,
    RoadNoise,
    WeatherEvent,
)
from mmroute.routing.plan.expand import Demand, Network, TimeExpandedNetwork, expand
from mmroute.routing.plan.itinerary import Handling, Itinerary, Leg, Plan
from mmroute.routing.plan.params import PlanParams
from mmroute.routing.plan.pareto import ParetoPoint, pareto_front, plot_pareto, write_pareto_csv
from mmroute.routing.plan.replan import replan, state_at, sunk_objective
from mmroute.routing.plan.solve import solve_hindsight, solve_plan
from mmroute.routing.plan.state import PlanState, Position

__all__ = [
    "CheckResult",
    "Conditions",
    "Demand",
    "DepartureDelay",
    "Handling",
    "Itinerary",
    "KnownEvents",
    "Leg",
    "LinkClosure",
    "LinkSlowdown",
    "Network",
    "NodeClosure",
    "NodeDelay",
    "RoadNoise",
    "TimeExpandedNetwork",
    "WeatherEvent",
    "ParetoPoint",
    "Plan",
    "PlanParams",
    "PlanState",
    "Position",
    "assert_valid",
    "check_plan",
    "expand",
    "pareto_front",
    "plot_pareto",
    "replan",
    "solve_hindsight",
    "solve_plan",
    "state_at",
    "sunk_objective",
    "write_pareto_csv",
]
