"""mmroute.routing.loadroute: loading-aware routing (3L-CVRP) on a scenario's fleet.

Table of contents:

- :func:`check_route_loading`, :func:`check_route`, :class:`RouteLoadingReport`,
  :class:`RouteLoading`, :class:`LoadingCheckParams` — does every route of a VRP solution
  really fit its truck in 3D? (``check.py``; the report is a :class:`mmroute.report.CheckReport`)
- :func:`solve_loading_aware`, :class:`LoadingAwareResult`, :class:`LoadingAwareParams` —
  solve the VRP, find routes the capacity model got wrong, repair them (``repair.py``)
- :func:`route_events`, :func:`route_phases`, :class:`RouteEvents`, :func:`order_violations` — the route's
  load / unload stops, its loading phases and the order rule applied (``sequence.py``)
- :func:`quick_infeasibility` — cheap proofs that boxes cannot fit (``bounds.py``)
- :func:`summary_table`, :func:`write_loading_aware` — a table and a JSON file (``output.py``)
- local search moves: ``improve.py``; a route's loading instance: ``instance.py``

Each name is imported on first use (CP-SAT and the VRP engines load only when a solver runs).
"""

from __future__ import annotations

from mmroute._lazy import lazy_exports

# public name -> module that defines it (imported on first use)
_LAZY: dict[str, str] = {
    "LoadingAwareParams": "mmroute.routing.loadroute.repair",
    "LoadingAwareResult": "mmroute.routing.loadroute.repair",
    "LoadingCheckParams": "mmroute.routing.loadroute.check",
    "RouteEvents": "mmroute.routing.loadroute.sequence",
    "RouteLoading": "mmroute.routing.loadroute.check",
    "RouteLoadingReport": "mmroute.routing.loadroute.check",
    "check_route": "mmroute.routing.loadroute.check",
    "check_route_loading": "mmroute.routing.loadroute.check",
    "order_violations": "mmroute.routing.loadroute.sequence",
    "quick_infeasibility": "mmroute.routing.loadroute.bounds",
    "route_events": "mmroute.routing.loadroute.sequence",
    "route_phases": "mmroute.routing.loadroute.sequence",
    "solve_loading_aware": "mmroute.routing.loadroute.repair",
    "summary_table": "mmroute.routing.loadroute.output",
    "write_loading_aware": "mmroute.routing.loadroute.output",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_exports(globals(), _LAZY)
