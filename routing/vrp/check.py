"""Independent solution checker: recomputes feasibility and cost from the problem data.

Imports no solver. Every engine's solution passes through :func:`check_vrp` before it is
returned or written; the CLI's ``vrp check`` uses it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from mmroute.report import CheckReport, Violation
from mmroute.routing.vrp.problem import VRPProblem
from mmroute.routing.vrp.solution import VRPSolution

__all__ = ["RouteSchedule", "check_vrp", "route_schedule"]


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


def check_vrp(problem: VRPProblem, solution: VRPSolution, objective_tol: float | None = None) -> CheckReport:
    """Check every constraint of ``problem`` on ``solution`` and recompute its objective.

    ``objective_tol`` (reported units) is how far ``solution.objective`` may be from the
    recomputed value; by default 1e-6, or one unit of rounding per arc when ``scale > 1``
    (solutions written under another rounding convention).

    Returns a :class:`mmroute.report.CheckReport`: ``objective`` = cost / scale in reported
    units; ``details``: ``cost`` (int, problem units), ``num_routes`` (non-empty routes) and
    ``dropped`` (tuple of optional clients left out).
    """
    bad: list[Violation] = []
    n = problem.num_nodes
    depots = set(problem.depots)
    seen: dict[int, int] = {}  # node -> route index
    position: dict[int, int] = {}
    used = [0] * len(problem.vehicle_types)
    cost = 0
    arcs = 0
    for r, route in enumerate(solution.routes):
        k = route.vehicle_type
        if not 0 <= k < len(problem.vehicle_types):
            bad.append(Violation(f"route {r + 1}", f"unknown vehicle type {k}"))
            continue
        if not route.visits:
            continue
        ok = True
        for pos, v in enumerate(route.visits):
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
        sched = route_schedule(problem, route.visits, k)
        arcs += len(route.visits) + 1
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
    if solution.objective is not None:
        tol = objective_tol
        if tol is None:
            tol = 1e-6 if problem.scale == 1 else max(1e-6, arcs / problem.scale)
        if not abs(solution.objective - objective) <= tol:  # a NaN objective fails too
            bad.append(Violation("", f"objective {solution.objective:g} differs from the recomputed {objective:g}"))
    return CheckReport.of(bad, objective, cost=cost, num_routes=sum(used), dropped=tuple(dropped))
