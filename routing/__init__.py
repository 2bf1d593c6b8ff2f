"""mmroute.routing: OR-Tools models and their independent checkers.

Table of contents (each sub-package re-exports its full API):

- :mod:`mmroute.routing.vrp` — vehicle routing: readers (VRPLIB, Solomon, Li & Lim, scenario
  fleets), ``solve_vrp`` (PyVRP / tuned OR-Tools), ``solve_vrp_exact`` (proven bounds:
  branch-and-cut for CVRP, a CP-SAT arc model for VRPTW), ``check_vrp``.
- :mod:`mmroute.routing.loading` — 3D container / truck loading: thpack and scenario readers,
  ``solve_loading`` (block-building heuristic or CP-SAT), ``check_packing``, pictures.
- :mod:`mmroute.routing.loadroute` — loading-aware milk-runs (3L-CVRP).
- :mod:`mmroute.routing.cars` — finished vehicles on auto-carriers: deck loading with LIFO
  (heuristic, CP-SAT with proofs), routing + loading with repair, practice baseline,
  ``check_load`` / ``check_plan`` (import it from its package; not re-exported here).
- :mod:`mmroute.routing.plan` — exact multimodal plans on a time-expanded network,
  re-planning, hindsight, the cost-CO2 Pareto front, ``check_plan``.

The most used names are also importable from here. Where two packages have a class of the
same concept (a VRP ``Route`` and a scenario network route, or two check reports), the
routing package's name is kept and the other is reached through its own package.
"""

from mmroute.routing.loading import (
    BoxType,
    Container,
    LoadingInstance,
    Packing,
    Placement,
    check_packing,
    read_thpack,
    solve_loading,
)
from mmroute.routing.loadroute import (
    LoadingAwareParams,
    LoadingAwareResult,
    RouteLoading,
    RouteLoadingReport,
    check_route_loading,
    solve_loading_aware,
)
from mmroute.routing.plan import (
    KnownEvents,
    Plan,
    PlanState,
    Position,
    check_plan,
    pareto_front,
    replan,
    solve_hindsight,
    solve_plan,
    state_at,
)
from mmroute.routing.vrp import (
    CheckReport,
    Route,
    VehicleType,
    VRPProblem,
    VRPSolution,
    check_vrp,
    from_scenario_fleet,
    read_instance,
    read_sol_file,
    solve_vrp,
    solve_vrp_exact,
)

__all__ = [
    "BoxType",
    "CheckReport",
    "Container",
    "KnownEvents",
    "LoadingAwareParams",
    "LoadingAwareResult",
    "LoadingInstance",
    "Packing",
    "Placement",
    "Plan",
    "PlanState",
    "Position",
    "Route",
    "RouteLoading",
    "RouteLoadingReport",
    "VRPProblem",
    "VRPSolution",
    "VehicleType",
    "check_packing",
    "check_plan",
    "check_route_loading",
    "check_vrp",
    "from_scenario_fleet",
    "pareto_front",
    "read_instance",
    "read_sol_file",
    "read_thpack",
    "replan",
    "solve_hindsight",
    "solve_loading",
    "solve_loading_aware",
    "solve_plan",
    "solve_vrp",
    "solve_vrp_exact",
    "state_at",
]
