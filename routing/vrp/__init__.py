"""mmroute.routing.vrp: vehicle routing — problem model, readers, checker, heuristic and exact solvers.

Table of contents (each name is imported on first use, so ``import mmroute.routing.vrp`` is
light: no OR-Tools, PyVRP, MathOpt or pandas until a solver runs):

- :class:`VRPProblem`, :class:`VRPVehicleType` — the problem (``problem.py``)
- :func:`read_instance`, :func:`read_vrplib`, :func:`read_solomon`, :func:`read_lilim`,
  :func:`from_scenario_fleet` — readers (``readers.py``, ``scenario.py``)
- :class:`VRPSolution`, :class:`VRPRoute`, :func:`read_sol_file` — solutions (``solution.py``)
- :func:`check_vrp` — the independent checker (``check.py``), returns a
  :class:`mmroute.report.CheckReport`
- :func:`solve_vrp`, :class:`VRPParams` — OR-Tools / PyVRP heuristics (``solve.py``,
  ``engine_*.py``; :class:`OrtoolsParams` tunes the OR-Tools search)
- :func:`solve_vrp_exact`, :class:`ExactParams` — branch-and-cut with a proven bound for CVRP
  (``exact.py``); it hands single-depot VRPTW to :func:`solve_vrptw_exact`
  (:class:`ExactTWParams`, CP-SAT, ``exact_tw.py``)

``Route`` and ``VehicleType`` are the deprecated names of :class:`VRPRoute` and
:class:`VRPVehicleType` (they clashed with the scenario network's ``Route`` and the scenario
fleet's ``VehicleType``).
"""

from __future__ import annotations

from mmroute._lazy import lazy_exports

# public name -> module that defines it (imported on first use)
_LAZY: dict[str, str] = {
    "CheckReport": "mmroute.report",
    "ExactParams": "mmroute.routing.vrp.exact",
    "ExactTWParams": "mmroute.routing.vrp.exact_tw",
    "OrtoolsParams": "mmroute.routing.vrp.engine_ortools",
    "VRPParams": "mmroute.routing.vrp.solve",
    "VRPProblem": "mmroute.routing.vrp.problem",
    "VRPRoute": "mmroute.routing.vrp.solution",
    "VRPSolution": "mmroute.routing.vrp.solution",
    "VRPVehicleType": "mmroute.routing.vrp.problem",
    "check_vrp": "mmroute.routing.vrp.check",
    "from_scenario_fleet": "mmroute.routing.vrp.scenario",
    "read_instance": "mmroute.routing.vrp.readers",
    "read_lilim": "mmroute.routing.vrp.readers",
    "read_sol_file": "mmroute.routing.vrp.solution",
    "read_solomon": "mmroute.routing.vrp.readers",
    "read_vrplib": "mmroute.routing.vrp.readers",
    "solve_vrp": "mmroute.routing.vrp.solve",
    "solve_vrp_exact": "mmroute.routing.vrp.exact",
    "solve_vrptw_exact": "mmroute.routing.vrp.exact_tw",
}

# old name -> new name (still importable, with a DeprecationWarning)
_DEPRECATED: dict[str, str] = {"Route": "VRPRoute", "VehicleType": "VRPVehicleType"}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_exports(globals(), _LAZY, _DEPRECATED)
