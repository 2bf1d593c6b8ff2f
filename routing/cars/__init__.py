"""mmroute.routing.cars: finished-vehicle distribution — auto-carrier loading and routing.

Table of contents:

- :class:`CarsProblem`, :class:`Vehicle` — the problem, from a scenario's ``vehicle_models``,
  ``carrier_types`` and ``vehicle_orders`` (``problem.py``)
- :class:`LoadItem`, :class:`DeckPlacement`, :func:`blocks` — a carrier's load and the LIFO
  rule (``load.py``)
- :func:`check_load`, :func:`check_cars_plan` — independent checkers (``check.py``)
- :func:`solve_load`, :class:`LoadParams`, :class:`LoadResult`, :func:`mix_capacity`,
  :func:`load_rates` — one route's load: heuristic, then CP-SAT with a proof (``loading.py``,
  ``heuristic.py``, ``exact.py``)
- :func:`solve_cars`, :class:`CarsParams` — routing and loading together, with detection and
  repair of routes that do not load (``solve.py``); its result :class:`CarsPlan`,
  :class:`CarrierRoute` (``result.py``)
- :func:`solve_practice` — the practice baseline: nearest neighbour + first fit (``baseline.py``)
- :func:`write_plan`, :func:`read_plan` — plan JSON (``io.py``); pictures in ``plot.py``

Old names (``Placement``, ``check_plan``, module ``plan``) resolve for one release, with a
:class:`DeprecationWarning`.
"""

from mmroute._lazy import lazy_exports
from mmroute.routing.cars.baseline import solve_practice
from mmroute.routing.cars.check import check_cars_plan, check_load
from mmroute.routing.cars.exact import ExactLoad, load_exact
from mmroute.routing.cars.heuristic import first_fit, load_heuristic
from mmroute.routing.cars.io import read_plan, write_plan
from mmroute.routing.cars.load import DeckPlacement, LoadItem, blocks
from mmroute.routing.cars.loading import (
    LoadParams,
    LoadResult,
    load_rates,
    mix_capacity,
    solve_load,
)
from mmroute.routing.cars.problem import CarsProblem, Vehicle
from mmroute.routing.cars.result import CarrierRoute, CarsPlan
from mmroute.routing.cars.solve import CarsParams, solve_cars

__all__ = [
    "CarrierRoute",
    "CarsParams",
    "CarsPlan",
    "CarsProblem",
    "DeckPlacement",
    "ExactLoad",
    "LoadItem",
    "LoadParams",
    "LoadResult",
    "Vehicle",
    "blocks",
    "check_cars_plan",
    "check_load",
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

__getattr__, __dir__ = lazy_exports(
    globals(), {"DeckPlacement": "mmroute.routing.cars.load",
                "check_cars_plan": "mmroute.routing.cars.check"},
    deprecated={"Placement": "DeckPlacement", "check_plan": "check_cars_plan"})
