"""Independent solution checker: recomputes feasibility and cost from the problem data.

Imports no solver. Every engine's solution passes through :func:`check_vrp` before it is
returned or written; the CLI's ``vrp check`` uses it too.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

from mmroute import validate
from mmroute.report import CheckReport, Violation, ViolationList, claim_violations
from mmroute.routing.vrp.problem import VRPProblem
from mmroute.routing.vrp.solution import STATUSES, VRPRoute, VRPSolution

__all__ = ["RouteSchedule", "check_vrp", "route_schedule", "well_formed_routes"]


@dataclass(frozen=True)
class RouteSchedule:
    """Timing of one route in problem time units (departure chosen as late as useful)."""

    distance: int
    departure: int
    arrival: int
    duration: int
    max_load: tuple[int, ...]  # per load dimension
    min_load: tuple[int, ...]
    late_nodes: tuple[int, ...]  # nodes whose window closes before the vehicle can start service


def route_schedule(problem: VRPProblem, visits: tuple[int, ...], vehicle_type: int) -> RouteSchedule:
    """Distance, load range and earliest-service schedule of one route (no validation of ids)."""
    vt = problem.vehicle_types[vehicle_type]
    dist_m, dur_m = problem.distance, problem.duration
    early, late, service = problem.tw_early, problem.tw_late, problem.service
    loads = problem.loads
    start, end = vt.start_depot, vt.end_depot
    depart = max(vt.shift_start, early[start])
    t = depart
    prev = start
    distance = 0
    load = [0] * len(loads)
    max_load = [0] * len(loads)
    min_load = [0] * len(loads)
    wait_total = 0
    slack = late[start] - depart  # how much later the departure may move
    late_nodes: list[int] = []
    for v in visits:
        distance += int(dist_m[prev, v])
        arrive = t + service[prev] + int(dur_m[prev, v])
        begin = max(arrive, early[v])
        wait_total += begin - arrive
        if begin > late[v]:
            late_nodes.append(v)
        slack = min(slack, late[v] - begin + wait_total)
        t = begin
        for k, row in enumerate(loads):
            load[k] += row[v]
            max_load[k], min_load[k] = max(max_load[k], load[k]), min(min_load[k], load[k])
        prev = v
    distance += int(dist_m[prev, end])
    arrival = t + service[prev] + int(dur_m[prev, end])
    delay = max(0, min(wait_total, slack))
    return RouteSchedule(
        distance=distance,
        departure=depart + delay,
        arrival=arrival,
        duration=arrival - depart - delay,
        max_load=tuple(max_load),
        min_load=tuple(min_load),
        late_nodes=tuple(late_nodes),
    )


def _node_id(v: Any) -> int | None:
    """``v`` as an integer node id (an integral float too), or ``None`` (never truncated)."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, numbers.Integral) and not isinstance(v, bool):
        return int(v)
    return None


def _route_ids(problem: VRPProblem, route: Any, r: int, bad: list[Violation] | ViolationList) -> tuple[int, tuple[int, ...]] | None:
    """A route's vehicle type (a known one) and visits as integers, or ``None`` after listing
    what is wrong."""
    where = f"route {r + 1}"
    if not isinstance(route, VRPRoute):
        bad.append(Violation(where, f"expected a VRPRoute, got {validate.describe(route)}"))
        return None
    k = _node_id(route.vehicle_type)
    if k is None:
        bad.append(Violation(where, f"vehicle type {route.vehicle_type!r} is not an integer"))
        return None
    if not isinstance(route.visits, tuple | list):
        bad.append(Violation(where, f"visits must be a list of node ids, got {validate.describe(route.visits)}"))
        return None
    visits = tuple(_node_id(v) for v in route.visits)
    if None in visits:
        v = route.visits[visits.index(None)]
        bad.append(Violation(where, f"node {v!r} is not an integer node id"))
        return None
    if not 0 <= k < len(problem.vehicle_types):
        bad.append(Violation(where, f"unknown vehicle type {k}"))
        return None
    return k, visits  # type: ignore[return-value]


def well_formed_routes(problem: VRPProblem, solution: VRPSolution) -> tuple[list[Violation], list[tuple[int, int, tuple[int, ...]]]]:
    """The routes of ``solution`` that can be evaluated on ``problem`` — ``(index, vehicle
    type, visits)`` with integer ids, a known vehicle type and client nodes only — and a
    violation for each of the others. Checkers that look at single routes start here."""
    bad: list[Violation] = []
    good: list[tuple[int, int, tuple[int, ...]]] = []
    depots = set(problem.depots)
    for r, route in enumerate(solution.routes):
        ids = _route_ids(problem, route, r, bad)
        if ids is None:
            continue
        k, visits = ids
        wrong = [v for v in visits if not 0 <= v < problem.num_nodes or v in depots]
        if wrong:
            bad.append(Violation(f"route {r + 1}", f"node {wrong[0]} is not a client"))
            continue
        good.append((r, k, visits))
    return bad, good


def check_vrp(problem: VRPProblem, solution: VRPSolution, objective_tol: float | None = None) -> CheckReport:
    """Check every constraint of ``problem`` on ``solution`` and recompute its objective.

    ``objective_tol`` (reported units) is how far ``solution.objective`` may be from the
    recomputed value; by default 1e-6, or one unit of rounding per arc when ``scale > 1``
    (solutions written under another rounding convention). The claims are checked too: a
    finite objective (``None``: not claimed), a finite ``bound`` at most the recomputed
    objective, a known status, and ``"optimal"`` only with ``bound`` equal to the objective.

    Returns a :class:`mmroute.report.CheckReport`: ``objective`` = cost / scale in reported
    units; ``details``: ``cost`` (int, problem units), ``num_routes`` (non-empty routes) and
    ``dropped`` (tuple of optional clients left out). Raises :class:`mmroute.errors.InputError`
    when an argument is not what it should be (a path for the problem, a tolerance of NaN).
    """
    validate.instance_of(problem, VRPProblem, "problem", hint="read it first with read_instance(path)")
    validate.instance_of(solution, VRPSolution, "solution",
                         hint="read it first with VRPSolution.from_dict(read_json(path)) or read_sol_file(path)")
    objective_tol = validate.number(objective_tol, "objective_tol", lo=0.0, nullable=True)
    if not isinstance(solution.routes, tuple | list):
        validate.instance_of(solution.routes, tuple, "solution.routes")
    bad = ViolationList()  # the first violations kept, all counted
    n = problem.num_nodes
    depots = set(problem.depots)
    seen: dict[int, int] = {}  # node -> route index
    position: dict[int, int] = {}
    used = [0] * len(problem.vehicle_types)
    cost = 0
    arcs = 0
    for r, route in enumerate(solution.routes):
        ids = _route_ids(problem, route, r, bad)
        if ids is None:
            continue
        k, visits = ids
        if not visits:
            continue
        ok = True
        for pos, v in enumerate(visits):
            if not 0 <= v < n:
                bad.append(Violation(f"route {r + 1}", f"node {v} does not exist"))
                ok = False
            elif v in depots:
                bad.append(Violation(f"route {r + 1}", f"depot {v} listed as a visit"))
                ok = False
            elif v in seen:
                bad.append(Violation(f"client {v}", f"visited twice (routes {seen[v] + 1} and {r + 1})"))
            else:
                seen[v] = r
                position[v] = pos
        if not ok:
            continue
        used[k] += 1
        vt = problem.vehicle_types[k]
        sched = route_schedule(problem, visits, k)
        arcs += len(visits) + 1
        for dim, cap in enumerate(problem.capacities(vt)):
            what = "load" if dim == 0 else f"load (dimension {dim})"
            if sched.max_load[dim] > cap:
                bad.append(Violation(f"route {r + 1}", f"{what} {sched.max_load[dim]} exceeds capacity {cap}"))
            if sched.min_load[dim] < 0:
                bad.append(Violation(f"route {r + 1}", f"{what} drops to {sched.min_load[dim]} (delivery before its pickup)"))
        for v in sched.late_nodes:
            bad.append(Violation(f"route {r + 1}", f"arrives at client {v} after its window closes ({problem.tw_late[v]})"))
        end_limit = min(problem.tw_late[vt.end_depot], vt.shift_end)
        if sched.arrival > end_limit:
            bad.append(Violation(f"route {r + 1}", f"returns at {sched.arrival} after the depot/shift closes ({end_limit})"))
        if sched.duration > vt.max_duration:
            bad.append(Violation(f"route {r + 1}", f"duration {sched.duration} exceeds the maximum {vt.max_duration}"))
        cost += vt.fixed_cost + vt.cost_per_distance * sched.distance + vt.cost_per_time * sched.duration
    for k, vt in enumerate(problem.vehicle_types):
        if used[k] > vt.count:
            bad.append(Violation(f"vehicle type {k}", f"{used[k]} routes but only {vt.count} vehicles"))
    dropped = []
    for i in problem.clients:
        if i in seen:
            continue
        pen = problem.drop_penalty[i]
        if pen is None:
            bad.append(Violation(f"client {i}", "not visited"))
        else:
            dropped.append(i)
            cost += pen
    for p, d in problem.pickup_delivery:
        if (p in seen) != (d in seen):
            bad.append(Violation(f"pair ({p}, {d})", "only one of pickup and delivery is served"))
        elif p in seen:
            if seen[p] != seen[d]:
                bad.append(Violation(f"pair ({p}, {d})", "pickup and delivery on different routes"))
            elif position[p] > position[d]:
                bad.append(Violation(f"pair ({p}, {d})", "delivery before pickup"))
    objective = cost / problem.scale
    tol = objective_tol
    if tol is None:
        tol = 1e-6 if problem.scale == 1 else max(1e-6, arcs / problem.scale)
    bad.extend(claim_violations(objective, objective=solution.objective, bound=solution.bound,
                            status=solution.status, statuses=STATUSES, tol=tol, time_s=solution.time_s))
    return CheckReport.of(bad,  # type: ignore[arg-type]
                           objective, cost=cost, num_routes=sum(used), dropped=tuple(dropped))
