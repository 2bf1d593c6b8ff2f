"""Check every route of a VRP solution for 3D loading: capacity model vs. real packing."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from mmroute import validate
from mmroute.errors import InputError, MMRouteError
from mmroute.report import MAX_LISTED, CheckReport, Violation
from mmroute.routing.loading import (
    HeuristicParams,
    LoadingInstance,
    LoadingParams,
    Packing,
    check_packing,
    pack_exact,
    solve_loading,
)
from mmroute.routing.loading.exact import MAX_EXACT_BOXES
from mmroute.routing.loadroute.bounds import quick_infeasibility
from mmroute.routing.loadroute.instance import route_instance
from mmroute.routing.loadroute.sequence import (
    RouteEvents,
    order_violations,
    route_events,
    route_phases,
)
from mmroute.routing.vrp import VRPProblem, VRPSolution
from mmroute.routing.vrp.check import route_schedule, well_formed_routes

__all__ = ["Fits3D", "LoadingCheckParams", "RouteLoading", "RouteLoadingReport", "check_route", "check_route_loading"]

Fits3D = Literal["yes", "no", "unknown"]
_M3 = 1e6  # cm3 per m3


@dataclass(frozen=True)
class LoadingCheckParams:
    """How hard to try per route.

    max_passes: look-ahead passes of the block heuristic (a reproducible budget; the time limit
    still applies); exact_max_boxes: routes (or aboard sets) with at most this many boxes also
    go to CP-SAT, for ``exact_time_limit_s`` seconds, to find a packing or prove there is none.
    """

    max_passes: int | None = 12
    exact_max_boxes: int = 16
    exact_time_limit_s: float = 2.0

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class RouteLoading:
    """One route's verdict.

    weight_kg / volume_m3: the most aboard at once (capacity model units); fits_capacity: both
    within the vehicle type's capacity; fits_3d: ``yes`` (a packing of every box passed the
    loading checker and the route-order rule), ``no`` (proved impossible, see ``reason``) or
    ``unknown``; utilisation: packed volume / body volume (0..1) of the verified packing.
    A route on which the truck becomes empty (after a delivery, before more pickups) is checked
    phase by phase: ``phases`` holds one verdict per phase, ``packing`` is then ``None`` and
    ``utilisation`` the highest of the phases'.
    """

    route: int
    vehicle_type: int
    vehicle_name: str
    visits: tuple[int, ...]
    customers: tuple[str, ...]
    weight_kg: float
    volume_m3: float
    fits_capacity: bool
    fits_3d: Fits3D
    reason: str
    n_boxes: int
    box_volume_m3: float
    utilisation: float | None
    packing: Packing | None = field(default=None, compare=False)
    events: RouteEvents | None = field(default=None, compare=False)
    time_s: float = field(default=0.0, compare=False)
    phases: tuple[RouteLoading, ...] = field(default=(), compare=False)
    type_names: tuple[tuple[int, str], ...] = ()  # packing box type id -> "customer/box type"

    @property
    def parts(self) -> tuple[RouteLoading, ...]:
        """The independent loading phases (the truck is empty between them), or ``(self,)``."""
        return self.phases or (self,)

    @property
    def capacity_wrong(self) -> bool:
        """The capacity model accepts the route but its boxes provably do not fit."""
        return self.fits_capacity and self.fits_3d == "no"

    def to_dict(self, with_packing: bool = True) -> dict[str, Any]:
        out = {
            "route": self.route,
            "vehicle_type": self.vehicle_type,
            "vehicle_name": self.vehicle_name,
            "visits": list(self.visits),
            "customers": list(self.customers),
            "weight_kg": self.weight_kg,
            "volume_m3": round(self.volume_m3, 4),
            "fits_capacity": self.fits_capacity,
            "fits_3d": self.fits_3d,
            "reason": self.reason,
            "n_boxes": self.n_boxes,
            "box_volume_m3": round(self.box_volume_m3, 4),
            "utilisation": None if self.utilisation is None else round(self.utilisation, 6),
            "time_s": round(self.time_s, 3),
            "events": None if self.events is None else self.events.to_dict(),
            "box_types": {str(k): v for k, v in self.type_names},
        }
        if with_packing:
            out["packing"] = None if self.packing is None else self.packing.to_dict()
        if self.phases:
            out["phases"] = [p.to_dict(with_packing) for p in self.phases]
        return out


@dataclass(frozen=True)
class RouteLoadingReport(CheckReport):
    """The route-loading checker's verdict: a :class:`mmroute.report.CheckReport` (feasible
    iff every route has a verified packing; one violation per route without one) plus every
    route's :class:`RouteLoading`.

    Build it with :meth:`of_routes`. n_capacity_wrong: routes within weight/volume whose boxes
    provably do not fit; n_unknown: routes with neither a packing nor a proof; time_s:
    wall-clock seconds. ``objective`` is ``None`` (this checker recomputes no cost;
    :func:`mmroute.routing.vrp.check_vrp` does).
    """

    routes: tuple[RouteLoading, ...] = ()
    min_support: float = 1.0
    time_s: float = 0.0

    @classmethod
    def of_routes(cls, routes: Sequence[RouteLoading], min_support: float, time_s: float,
                  malformed: Sequence[Violation] = ()) -> RouteLoadingReport:
        """The report of these route verdicts (and of ``malformed`` routes that could not be
        evaluated: unknown nodes or vehicle types, ids that are not integers)."""
        routes = tuple(routes)
        bad = [*malformed] + [Violation(f"route {r.route + 1}",
                         ("boxes do not fit: " if r.fits_3d == "no" else "no verified packing: ") + r.reason)
               for r in routes if r.fits_3d != "yes"]
        return cls(
            feasible=not bad, violations=tuple(bad[:MAX_LISTED]), objective=None, n_violations=len(bad),
            routes=routes, min_support=min_support, time_s=time_s,
        )

    @property
    def n_capacity_wrong(self) -> int:
        return sum(r.capacity_wrong for r in self.routes)

    @property
    def n_unknown(self) -> int:
        return sum(r.fits_3d == "unknown" for r in self.routes)

    @property
    def failing(self) -> tuple[RouteLoading, ...]:
        """Routes without a verified packing (``no`` or ``unknown``)."""
        return tuple(r for r in self.routes if r.fits_3d != "yes")

    @property
    def all_fit(self) -> bool:
        return not self.failing

    def to_dict(self, with_packing: bool = True) -> dict[str, Any]:
        return {
            **super().to_dict(),
            "n_routes": len(self.routes),
            "n_capacity_wrong": self.n_capacity_wrong,
            "n_unknown": self.n_unknown,
            "all_fit": self.all_fit,
            "min_support": self.min_support,
            "time_s": round(self.time_s, 3),
            "routes": [r.to_dict(with_packing) for r in self.routes],
        }


def _verify(inst: LoadingInstance, packing: Packing, owners: dict[int, int], ev: RouteEvents,
            min_support: float) -> list[str]:
    """Violations of the loading checker plus the exact route-order rule."""
    rep = check_packing(inst.container, inst.box_types, packing, min_support=min_support)
    return [*map(str, rep.violations), *order_violations(packing.placements, owners, ev)]


def _quick_proof(scenario: Any, vt_name: str, ev: RouteEvents, min_support: float) -> str | None:
    """A cheap proof (:func:`.bounds.quick_infeasibility`) on the largest sets of boxes aboard
    at once, which must fit in any order (the bounds are monotone), or ``None``."""
    sets = ev.aboard_sets()
    for s in (s for s in sets if not any(set(s) < set(t) for t in sets)):
        built = route_instance(scenario, vt_name, ev, s, ordered=False)
        why = None if built is None else quick_infeasibility(built[0], min_support)
        if why:
            return f"{why} (aboard at once: {'+'.join(ev.customers[i] for i in s)})"
    return None


def _exact_proof(scenario: Any, vt_name: str, ev: RouteEvents, min_support: float, seed: int,
                 params: LoadingCheckParams, time_limit_s: float) -> str | None:
    """CP-SAT on the small sets of boxes aboard at once that the heuristic cannot pack."""
    cap = min(params.exact_max_boxes, MAX_EXACT_BOXES)
    for s in ev.aboard_sets():
        built = route_instance(scenario, vt_name, ev, s, ordered=False)
        if built is None or built[0].n_boxes > cap:
            continue
        inst = built[0]
        heur = _heuristic(inst, time_limit_s, min_support, seed, params)
        if heur is not None and len(heur.placements) == inst.n_boxes:
            continue
        ex = pack_exact(inst, time_limit_s=params.exact_time_limit_s, seed=seed, min_support=min_support)
        if ex.bound < inst.box_volume:
            who = "+".join(ev.customers[i] for i in s)
            return f"CP-SAT bound {ex.bound / _M3:.3f} m3 < box volume {inst.box_volume / _M3:.3f} m3 (aboard at once: {who})"
    return None


def _heuristic(inst: LoadingInstance, time_limit_s: float, min_support: float, seed: int,
               params: LoadingCheckParams) -> Packing | None:
    """The block heuristic's checked packing, or ``None`` if it failed."""
    try:
        return solve_loading(inst, time_limit_s=time_limit_s, seed=seed, params=LoadingParams(
            min_support=min_support, heuristic=HeuristicParams(max_passes=params.max_passes)))
    except MMRouteError:
        return None


def check_route(
    scenario: Any,
    problem: VRPProblem,
    visits: Sequence[int],
    vehicle_type: int,
    *,
    time_limit_s: float,
    min_support: float = 1.0,
    seed: int = 0,
    params: LoadingCheckParams | None = None,
    route: int = 0,
) -> RouteLoading:
    """Capacity and 3D loading of one route (``visits``: client nodes, depots not listed).

    time_limit_s: seconds for the block heuristic; CP-SAT (small routes) adds at most
    ``params.exact_time_limit_s`` per attempt. Every packing returned passes
    :func:`mmroute.routing.loading.check_packing` and the route-order rule of
    :mod:`.sequence`.
    """
    params = validate.params_of(params, LoadingCheckParams)
    validate.instance_of(problem, VRPProblem, "problem", hint="build it with from_scenario_fleet(scenario)")
    validate.integer(vehicle_type, "vehicle_type", lo=0, hi=len(problem.vehicle_types) - 1)
    validate.time_limit_s(time_limit_s)
    validate.share(min_support, "min_support")
    validate.seed(seed)
    clients = set(problem.clients)
    if not isinstance(visits, list | tuple) or not all(
            validate.integer(v, "visits", lo=0) in clients for v in visits):
        raise InputError(f"expected a list of client node ids, got {validate.describe(visits)}", field="visits")
    start = time.monotonic()
    vt = problem.vehicle_types[vehicle_type]
    visits = tuple(int(v) for v in visits)
    sched = route_schedule(problem, visits, vehicle_type)
    caps = problem.capacities(vt)
    fits_cap = all(m <= c for m, c in zip(sched.max_load, caps))
    weight = float(sched.max_load[0])
    volume = float(sched.max_load[1]) / 1000 if len(sched.max_load) > 1 else 0.0
    parts = route_phases(problem, visits)
    if len(parts) > 1:
        subs = tuple(check_route(scenario, problem, part, vehicle_type, time_limit_s=time_limit_s,
                                 min_support=min_support, seed=seed, params=params, route=route)
                     for part in parts)
        verdicts = {s.fits_3d for s in subs}
        fits: Fits3D = "no" if "no" in verdicts else "unknown" if "unknown" in verdicts else "yes"
        utils = [s.utilisation for s in subs if s.utilisation is not None]
        why = "; ".join(f"phase {k + 1}: {s.reason}" for k, s in enumerate(subs))
        return RouteLoading(
            route=route, vehicle_type=vehicle_type, vehicle_name=vt.name, visits=visits,
            customers=tuple(c for s in subs for c in s.customers), weight_kg=weight, volume_m3=volume,
            fits_capacity=fits_cap, fits_3d=fits, reason=why, n_boxes=sum(s.n_boxes for s in subs),
            box_volume_m3=sum(s.box_volume_m3 for s in subs),
            utilisation=max(utils) if utils and fits == "yes" else None,
            time_s=time.monotonic() - start, phases=subs,
        )
    ev = route_events(problem, visits)

    names: tuple[tuple[int, str], ...] = ()

    def done(fits: Fits3D, reason: str, n: int = 0, bvol: float = 0.0, packing: Packing | None = None) -> RouteLoading:
        return RouteLoading(
            route=route, vehicle_type=vehicle_type, vehicle_name=vt.name, visits=visits,
            customers=ev.customers, weight_kg=weight, volume_m3=volume, fits_capacity=fits_cap,
            fits_3d=fits, reason=reason, n_boxes=n, box_volume_m3=bvol,
            utilisation=None if packing is None else packing.utilisation, packing=packing,
            events=ev, time_s=time.monotonic() - start, type_names=names,
        )

    sc_vt = next((v for v in scenario.fleet.vehicle_types if v.id == vt.name), None)
    if sc_vt is None or sc_vt.inner_dims_m is None:
        return done("unknown", f"vehicle type {vt.name!r} has no inner dimensions")
    built = route_instance(scenario, vt.name, ev)
    if built is None:
        return done("yes", "no boxes to load")
    inst, owners = built
    by_id = {c.id: c for c in scenario.fleet.customers}
    seen: dict[int, int] = {}
    named = []
    for t in inst.box_types:
        i = owners[t.id]
        cust = by_id[ev.customers[i]]
        named.append((t.id, f"{cust.id}/{cust.boxes[seen.get(i, 0)].type}"))
        seen[i] = seen.get(i, 0) + 1
    names = tuple(named)
    n, bvol = inst.n_boxes, inst.box_volume / _M3
    best = _heuristic(inst, time_limit_s, min_support, seed, params)
    if best is not None and len(best.placements) == n:
        bad = _verify(inst, best, owners, ev, min_support)
        if not bad:
            return done("yes", f"block heuristic packed all {n} boxes", n, bvol, best)
    proof = _quick_proof(scenario, vt.name, ev, min_support)
    if proof:
        return done("no", proof, n, bvol)
    if n <= min(params.exact_max_boxes, MAX_EXACT_BOXES):
        hint = best.placements if best is not None else ()
        ex = pack_exact(inst, time_limit_s=params.exact_time_limit_s, seed=seed, min_support=min_support, hint=hint)
        if len(ex.placements) == n:
            packing = Packing(container=inst.container, placements=ex.placements, objective=ex.objective,
                              bound=ex.bound, status=ex.status, time_s=time.monotonic() - start,
                              solver="cp-sat", seed=seed)
            if not _verify(inst, packing, owners, ev, min_support):
                return done("yes", f"CP-SAT packed all {n} boxes", n, bvol, packing)
        elif ev.order_exact and ex.bound < inst.box_volume:
            return done("no", f"CP-SAT bound {ex.bound / _M3:.3f} m3 < box volume {bvol:.3f} m3 (route order rule)", n, bvol)
    proof = _exact_proof(scenario, vt.name, ev, min_support, seed, params, time_limit_s)
    if proof:
        return done("no", proof, n, bvol)
    placed = 0 if best is None else len(best.placements)
    free = route_instance(scenario, vt.name, ev, ordered=False)
    loose = None if free is None else _heuristic(free[0], time_limit_s, min_support, seed, params)
    hint = ", all fit if the route order is ignored" if loose is not None and len(loose.placements) == n else ""
    return done("unknown", f"no packing found ({placed} of {n} boxes placed{hint}) and no proof", n, bvol)


def check_route_loading(
    scenario: Any,
    problem: VRPProblem,
    solution: VRPSolution,
    *,
    time_limit_s_per_route: float,
    min_support: float = 1.0,
    seed: int = 0,
    params: LoadingCheckParams | None = None,
) -> RouteLoadingReport:
    """Check every route of ``solution`` (a VRP of ``scenario``'s fleet, built by
    :func:`mmroute.routing.vrp.from_scenario_fleet`) for 3D loading; see :func:`check_route`.

    min_support: the share of a box's base that must rest on boxes below (0..1).
    """
    time_limit_s_per_route, min_support, seed, params = _arguments(
        scenario, problem, time_limit_s_per_route, min_support, seed, params)
    validate.instance_of(solution, VRPSolution, "solution")
    start = time.monotonic()
    malformed, routes = well_formed_routes(problem, solution)
    out = tuple(
        check_route(scenario, problem, visits, k, time_limit_s=time_limit_s_per_route,
                    min_support=min_support, seed=seed, params=params, route=r)
        for r, k, visits in routes if visits
    )
    return RouteLoadingReport.of_routes(out, min_support, time.monotonic() - start, malformed)


def _arguments(scenario: Any, problem: Any, time_limit_s: Any, min_support: Any, seed: Any,
               params: Any) -> tuple[float, float, int, LoadingCheckParams]:
    """Validated arguments of the route-loading checker (:class:`InputError` naming the
    argument): a scenario with a fleet and the VRP built from that fleet."""
    from mmroute.scenarios import Scenario  # scenarios never import routing: no cycle

    validate.instance_of(scenario, Scenario, "scenario", hint="load it first with mmroute.scenarios.load(path)")
    if scenario.fleet is None:
        raise InputError(f"scenario {scenario.name!r} has no fleet", field="scenario.fleet")
    validate.instance_of(problem, VRPProblem, "problem", hint="build it with from_scenario_fleet(scenario)")
    meta = problem.meta
    customers = {c.id for c in scenario.fleet.customers}
    ids = meta.get("node_ids") if meta.get("format") == "scenario" else None
    if not isinstance(ids, list | tuple) or len(ids) != problem.num_nodes or not all(
            ids[v] in customers for v in problem.clients if v not in {d for _, d in problem.pickup_delivery}):
        raise InputError(f"the problem was not built from the fleet of scenario {scenario.name!r} "
                         "(use from_scenario_fleet(scenario))", field="problem")
    params = validate.params_of(params, LoadingCheckParams)
    validate.integer(params.max_passes, "params.max_passes", lo=1, nullable=True)
    validate.integer(params.exact_max_boxes, "params.exact_max_boxes", lo=0)
    validate.time_limit_s(params.exact_time_limit_s, "params.exact_time_limit_s")
    return (validate.time_limit_s(time_limit_s, "time_limit_s_per_route"),
            validate.share(min_support, "min_support"), validate.seed(seed), params)

