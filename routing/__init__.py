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
- :mod:`mmroute.routing.jis` — just-in-sequence supply of an assembly line: racks in the
  production sequence on suppliers' shuttles (heuristic, CP-SAT per station with a bound),
  practice baseline, ``check_jis_plan`` (import it from its package; not re-exported here).
- :mod:`mmroute.routing.plan` — exact multimodal plans on a time-expanded network (the MIP),
  re-planning, hindsight, the cost-CO2 Pareto front; the plans, events, conditions and
  ``check_plan`` they use live in :mod:`mmroute.world`.

Every checker returns one :class:`mmroute.report.CheckReport` (re-exported here). The most
used names are importable from here; each is imported on first use (a table, as in
``mmroute/__init__.py``), so ``import mmroute.routing.vrp`` loads neither CP-SAT, MathOpt nor
pandas.
"""

from __future__ import annotations

from mmroute._lazy import lazy_exports

# public name -> module that defines it (imported on first use)
_LAZY: dict[str, str] = {
    "CheckReport": "mmroute.report",
    "Violation": "mmroute.report",
    "relative_gap": "mmroute.report",
    "BoxType": "mmroute.routing.loading",
    "Container": "mmroute.routing.loading",
    "LoadingInstance": "mmroute.routing.loading",
    "LoadingParams": "mmroute.routing.loading",
    "Packing": "mmroute.routing.loading",
    "Placement": "mmroute.routing.loading",
    "check_packing": "mmroute.routing.loading",
    "read_thpack": "mmroute.routing.loading",
    "solve_loading": "mmroute.routing.loading",
    "LoadingAwareParams": "mmroute.routing.loadroute",
    "LoadingAwareResult": "mmroute.routing.loadroute",
    "RouteLoading": "mmroute.routing.loadroute",
    "RouteLoadingReport": "mmroute.routing.loadroute",
    "check_route_loading": "mmroute.routing.loadroute",
    "solve_loading_aware": "mmroute.routing.loadroute",
    "PlanParams": "mmroute.routing.plan",
    "pareto_front": "mmroute.routing.plan",
    "replan": "mmroute.routing.plan",
    "solve_hindsight": "mmroute.routing.plan",
    "solve_plan": "mmroute.routing.plan",
    "state_at": "mmroute.routing.plan",
    "VRPParams": "mmroute.routing.vrp",
    "VRPProblem": "mmroute.routing.vrp",
    "VRPRoute": "mmroute.routing.vrp",
    "VRPSolution": "mmroute.routing.vrp",
    "VRPVehicleType": "mmroute.routing.vrp",
    "check_vrp": "mmroute.routing.vrp",
    "from_scenario_fleet": "mmroute.routing.vrp",
    "read_instance": "mmroute.routing.vrp",
    "read_sol_file": "mmroute.routing.vrp",
    "solve_vrp": "mmroute.routing.vrp",
    "solve_vrp_exact": "mmroute.routing.vrp",
}

# old name -> new name (still importable, with a DeprecationWarning)
_DEPRECATED: dict[str, str] = {"Route": "VRPRoute", "VehicleType": "VRPVehicleType"}

__all__ = sorted(_LAZY)

# moved to mmroute.world (still importable from here, with a DeprecationWarning)
_MOVED = {name: "mmroute.world" for name in ("KnownEvents", "Plan", "PlanState", "Position",
                                              "check_plan")}

__getattr__, __dir__ = lazy_exports(globals(), _LAZY, _DEPRECATED, moved=_MOVED)
