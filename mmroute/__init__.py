"""mmroute: plan and re-plan freight through road, rail, sea and inland-waterway networks.

This module stays light: the version and lazy re-exports, so that ``import mmroute.scenarios``
or solving a VRP never imports torch or stable-baselines3. The packages:

- :mod:`mmroute.scenarios`: scenario model, loader and validation, network, geo export, maps.
- :mod:`mmroute.world`: the shared rules — events, conditions (travel times), weather, road
  paths, realizations, plans and their checker.
- :mod:`mmroute.routing`: OR-Tools models (VRP, truck loading, multimodal plan) and checkers.
- :mod:`mmroute.envs`: the simulator and Gymnasium environments.
- :mod:`mmroute.agents`: policies, training, evaluation.
"""

from __future__ import annotations

from mmroute._lazy import lazy_exports

__version__ = "0.1.0"

# public name -> module that defines it (imported on first use)
_LAZY: dict[str, str] = {
    "MMRouteError": "mmroute.errors",
    "InputError": "mmroute.errors",
    "ScenarioError": "mmroute.errors",
    "InstanceError": "mmroute.errors",
    "InfeasibleError": "mmroute.errors",
    "SolverError": "mmroute.errors",
    "Scenario": "mmroute.scenarios",
    "load": "mmroute.scenarios",
    "parse": "mmroute.scenarios",
    "Network": "mmroute.scenarios",
    "plot_map": "mmroute.scenarios",
    "export": "mmroute.scenarios",
    "solve_vrp": "mmroute.routing",
    "solve_vrp_exact": "mmroute.routing",
    "check_vrp": "mmroute.routing",
    "read_instance": "mmroute.routing",
    "solve_loading": "mmroute.routing",
    "check_packing": "mmroute.routing",
    "solve_loading_aware": "mmroute.routing",
    "solve_plan": "mmroute.routing",
    "check_plan": "mmroute.world",
    "KnownEvents": "mmroute.world",
    "Conditions": "mmroute.world",
    "realize": "mmroute.world",
    "plausibility_warnings": "mmroute.world",
    "replan": "mmroute.routing",
    "solve_hindsight": "mmroute.routing",
    "CheckReport": "mmroute.report",
    "relative_gap": "mmroute.report",
    "solve_cars": "mmroute.routing.cars",
    "check_cars_plan": "mmroute.routing.cars",
}

__all__ = ["__version__", *_LAZY]


__getattr__, __dir__ = lazy_exports(globals(), _LAZY)
