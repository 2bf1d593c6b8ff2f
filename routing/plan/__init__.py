"""mmroute.routing.plan: exact multimodal plans on a time-expanded network — the MIP alone.

Build the network (:func:`expand`), solve the MIP (:func:`solve_plan`, :func:`solve_hindsight`;
settings in :class:`PlanParams`; shaping costs in :class:`ArcPremiums`), re-plan during an episode (:func:`replan`) and trace the
cost–CO2 Pareto front (:func:`pareto_front`). The rules these read — events, conditions, plans,
the re-planning state and the independent checker — live in :mod:`mmroute.world`; their names
still resolve here for one release, with a :class:`DeprecationWarning`.
"""

from __future__ import annotations

from mmroute._lazy import lazy_exports
from mmroute.routing.plan.expand import Demand, TimeExpandedNetwork, expand
from mmroute.routing.plan.incremental import Replanner
from mmroute.routing.plan.params import PlanParams
from mmroute.routing.plan.pareto import ParetoPoint, pareto_front, plot_pareto, write_pareto_csv
from mmroute.routing.plan.premiums import ArcPremiums
from mmroute.routing.plan.replan import executed_plan, replan, state_at, sunk_objective
from mmroute.routing.plan.scoped import replan_scoped
from mmroute.routing.plan.solve import solve_hindsight, solve_plan

#: names that moved to :mod:`mmroute.world` (resolved here with a DeprecationWarning)
_MOVED = {"CheckResult": "mmroute.world.check"} | {name: "mmroute.world" for name in (
    "Conditions", "DepartureDelay", "Handling", "Itinerary", "KnownEvents", "Leg",
    "LinkClosure", "LinkSlowdown", "NodeClosure", "NodeDelay", "Plan", "PlanState", "Position",
    "RoadNoise", "WeatherEvent", "assert_valid", "check_plan")}

__all__ = ["ArcPremiums", "Demand", "ParetoPoint", "PlanParams", "Replanner", "TimeExpandedNetwork",
           "executed_plan", "expand", "pareto_front", "plot_pareto", "replan", "replan_scoped", "solve_hindsight",
           "solve_plan", "state_at", "sunk_objective", "write_pareto_csv"]

__getattr__, __dir__ = lazy_exports(globals(), {}, moved=_MOVED)
