"""mmroute.routing.loading: 3D container / truck loading.

Model (:mod:`.model`), thpack and scenario readers, the independent checker, a block-building
heuristic with look-ahead (full support), an exact CP-SAT model for small instances, packing
JSON and a 3D picture. Start with :func:`solve_loading` (settings: :class:`LoadingParams`) and
:func:`check_packing` (returns a :class:`mmroute.report.CheckReport`). Each name is imported on
first use: reading an instance does not load CP-SAT or matplotlib.
"""

from __future__ import annotations

from mmroute._lazy import lazy_exports

# public name -> module that defines it (imported on first use)
_LAZY: dict[str, str] = {
    "BoxType": "mmroute.routing.loading.model",
    "CheckReport": "mmroute.report",
    "Container": "mmroute.routing.loading.model",
    "ExactResult": "mmroute.routing.loading.exact",
    "HeuristicParams": "mmroute.routing.loading.heuristic",
    "HeuristicResult": "mmroute.routing.loading.heuristic",
    "LoadingInstance": "mmroute.routing.loading.model",
    "LoadingParams": "mmroute.routing.loading.solve",
    "Packing": "mmroute.routing.loading.model",
    "Placement": "mmroute.routing.loading.model",
    "check_packing": "mmroute.routing.loading.check",
    "pack_blocks": "mmroute.routing.loading.heuristic",
    "pack_exact": "mmroute.routing.loading.exact",
    "plot_packing": "mmroute.routing.loading.plot",
    "read_loading_instance": "mmroute.routing.loading.readers",
    "read_packing": "mmroute.routing.loading.io",
    "read_thpack": "mmroute.routing.loading.thpack",
    "read_thpack_instance": "mmroute.routing.loading.thpack",
    "scenario_instance": "mmroute.routing.loading.scenario",
    "solve_loading": "mmroute.routing.loading.solve",
    "write_packing": "mmroute.routing.loading.io",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_exports(globals(), _LAZY)
