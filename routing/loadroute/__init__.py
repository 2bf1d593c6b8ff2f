"""mmroute.routing.loadroute: loading-aware routing (3L-CVRP) on a scenario's fleet.

Table of contents:

- :func:`check_route_loading`, :func:`check_route`, :class:`RouteLoadingReport`,
  :class:`RouteLoading`, :class:`LoadingCheckParams` — does every route of a VRP solution
  really fit its truck in 3D? (``check.py``)
- :func:`solve_loading_aware`, :class:`LoadingAwareResult`, :class:`LoadingAwareParams` —
  solve the VRP, find routes the capacity model got wrong, repair them (``repair.py``)
- :func:`route_events`, :func:`route_phases`, :class:`RouteEvents`, :func:`order_violations` — the route's
  load / unload stops, its loading phases and the order rule applied (``sequence.py``)
- :func:`quick_infeasibility` — cheap proofs that boxes cannot fit (``bounds.py``)
- :func:`summary_table`, :func:`write_loading_aware` — a table and a JSON file (``output.py``)
- local search moves: ``improve.py``; a route's loading instance: ``instance.py``
"""

from mmroute.routing.loadroute.bounds import quick_infeasibility
from mmroute.routing.loadroute.check import (
    LoadingCheckParams,
    RouteLoading,
    RouteLoadingReport,
    check_route,
    check_route_loading,
)
from mmroute.routing.loadroute.output import summary_table, write_loading_aware
from mmroute.routing.loadroute.repair import (
    LoadingAwareParams,
    LoadingAwareResult,
    solve_loading_aware,
)
from mmroute.routing.loadroute.sequence import (
    RouteEvents,
    order_violations,
    route_events,
    route_phases,
)

__all__ = [
    "LoadingAwareParams",
    "LoadingAwareResult",
    "LoadingCheckParams",
    "RouteEvents",
    "RouteLoading",
    "RouteLoadingReport",
    "check_route",
    "check_route_loading",
    "order_violations",
    "quick_infeasibility",
    "route_events",
    "route_phases",
    "solve_loading_aware",
    "summary_table",
    "write_loading_aware",
]
