"""mmroute.routing.vrp: vehicle routing — problem model, readers, checker, heuristic and exact solvers.

Table of contents:

- :class:`VRPProblem`, :class:`VehicleType` — the problem (``problem.py``)
- :func:`read_instance`, :func:`read_vrplib`, :func:`read_solomon`, :func:`read_lilim`,
  :func:`from_scenario_fleet` — readers (``readers.py``, ``scenario.py``)
- :class:`VRPSolution`, :class:`Route`, :func:`read_sol_file` — solutions (``solution.py``)
- :func:`check_vrp`, :class:`CheckReport` — the independent checker (``check.py``)
- :func:`solve_vrp` — OR-Tools / PyVRP heuristics (``solve.py``, ``engine_*.py``)
- :func:`solve_vrp_exact` — branch-and-cut with a proven bound for CVRP (``exact.py``); it
  hands single-depot VRPTW to :func:`solve_vrptw_exact` (CP-SAT, ``exact_tw.py``)
"""

from mmroute.routing.vrp.check import CheckReport, check_vrp
from mmroute.routing.vrp.engine_ortools import OrtoolsParams
from mmroute.routing.vrp.exact import ExactParams, solve_vrp_exact
from mmroute.routing.vrp.exact_tw import ExactTWParams, solve_vrptw_exact
from mmroute.routing.vrp.problem import VehicleType, VRPProblem
from mmroute.routing.vrp.readers import read_instance, read_lilim, read_solomon, read_vrplib
from mmroute.routing.vrp.scenario import from_scenario_fleet
from mmroute.routing.vrp.solution import Route, VRPSolution, read_sol_file
from mmroute.routing.vrp.solve import solve_vrp

__all__ = [
    "CheckReport",
    "ExactParams",
    "ExactTWParams",
    "OrtoolsParams",
    "Route",
    "VRPProblem",
    "VRPSolution",
    "VehicleType",
    "check_vrp",
    "from_scenario_fleet",
    "read_instance",
    "read_lilim",
    "read_sol_file",
    "read_solomon",
    "read_vrplib",
    "solve_vrp",
    "solve_vrp_exact",
    "solve_vrptw_exact",
]
