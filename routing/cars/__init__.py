"""mmroute.routing.cars: finished-vehicle distribution — auto-carrier loading and routing.

Table of contents:

- :class:`CarsProblem`, :class:`Vehicle` — the problem, from a scenario's ``vehicle_models``,
  ``carrier_types`` and ``vehicle_orders`` (``problem.py``)
- :class:`LoadItem`, :class:`Placement`, :func:`blocks` — a carrier's load and the LIFO rule
  (``load.py``)
- :func:`check_load`, :func:`check_plan` — independent checkers (``check.py``)
- :func:`solve_load`, :class:`LoadParams`, :class:`LoadResult`, :func:`mix_capacity`,
  :func:`load_rates` — one route's load: heuristic, then CP-SAT with a proof (``loading.py``,
  ``heuristic.py``, ``exact.py``)
- :func:`solve_cars`, :class:`CarsParams`, :class:`CarsPlan`, :class:`CarrierRoute` — routing
  and loading together, with detection and repair of routes that do not load (``solve.py``)
- :func:`solve_practice` — the practice baseline: nearest neighbour + first fit (``baseline.py``)
- :func:`write_plan`, :func:`read_plan` — plan JSON (``io.py``); pictures in ``plot.py``
"""

from mmroute.routing.cars.baseline import solve_practice
from mmroute.routing.cars.check import check_load, check_plan
from mmroute.routing.cars.exact import ExactLoad, load_exact
from mmroute.routing.cars.heuristic import first_fit, load_heuristic
from mmroute.routing.cars.io import read_plan, write_plan
from mmroute.routing.cars.load import LoadItem, Placement, blocks
from mmroute.routing.cars.loading import (
    LoadParams,
    LoadResult,
    load_rates,
    mix_capacity,
    solve_load,
)
from mmroute.routing.cars.plan import CarrierRoute, CarsPlan
from mmroute.routing.cars.problem import CarsProblem, Vehicle
from mmroute.routing.cars.solve import CarsParams, solve_cars

__all__ = [
    "CarrierRoute",
    "CarsParams",
    "CarsPlan",
    "CarsProblem",
    "ExactLoad",
    "LoadItem",
    "LoadParams",
    "LoadResult",
    "Placement",
    "Vehicle",
    "blocks",
    "check_load",
    "check_plan",
    "first_fit",
    "load_exact",
    "load_heuristic",
    "load_rates",
    "mix_capacity",
    "read_plan",
    "solve_cars",
    "solve_load",
    "solve_practice",
    "write_plan",
]
