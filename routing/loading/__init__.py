"""mmroute.routing.loading: 3D container / truck loading.

Model (:mod:`.model`), thpack and scenario readers, the independent checker, a block-building
heuristic with look-ahead (full support), an exact CP-SAT model for small instances, packing
JSON and a 3D picture. Start with :func:`solve_loading` and :func:`check_packing`.
"""

from mmroute.routing.loading.check import CheckReport, check_packing
from mmroute.routing.loading.exact import ExactResult, pack_exact
from mmroute.routing.loading.heuristic import HeuristicParams, HeuristicResult, pack_blocks
from mmroute.routing.loading.io import read_packing, write_packing
from mmroute.routing.loading.model import BoxType, Container, LoadingInstance, Packing, Placement
from mmroute.routing.loading.plot import plot_packing
from mmroute.routing.loading.readers import read_loading_instance
from mmroute.routing.loading.scenario import scenario_instance
from mmroute.routing.loading.solve import solve_loading
from mmroute.routing.loading.thpack import read_thpack, read_thpack_instance

__all__ = [
    "BoxType",
    "CheckReport",
    "Container",
    "ExactResult",
    "HeuristicParams",
    "HeuristicResult",
    "LoadingInstance",
    "Packing",
    "Placement",
    "check_packing",
    "pack_blocks",
    "pack_exact",
    "plot_packing",
    "read_loading_instance",
    "read_packing",
    "read_thpack",
    "read_thpack_instance",
    "scenario_instance",
    "solve_loading",
    "write_packing",
]
