"""Loading-aware local search on a solution whose routes all pack.

Three moves, each accepted only when the recomputed cost drops and every changed route packs
(block heuristic + loading checker + route-order rule) and keeps its time windows, shift and
capacity: **downgrade** a route to a cheaper vehicle type with a spare vehicle, and **empty** a
route by inserting each of its customers (a pickup-and-delivery pair as one unit) at the
cheapest position of another route that still packs; when neither pays, **relocate** one
customer to another route where that lowers the cost. Repeats until no move pays or the
deadline passes.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace

from mmroute.routing.vrp import VRPProblem, VRPRoute, VRPSolution, check_vrp
from mmroute.routing.vrp.check import route_schedule

__all__ = ["improve_routes", "peel_units", "reinsert_units", "route_cost"]

Packs = Callable[[Sequence[int], int], bool]


def route_cost(problem: VRPProblem, visits: Sequence[int], k: int) -> int:
    """Cost of one route in problem units (0 for an empty route)."""
    if not visits:
        return 0
    vt = problem.vehicle_types[k]
    s = route_schedule(problem, tuple(visits), k)
    return vt.fixed_cost + vt.cost_per_distance * s.distance + vt.cost_per_time * s.duration


def _insertions(visits: list[int], unit: list[int]) -> list[list[int]]:
    """Every way to insert ``unit`` (a pickup, or a pickup then its delivery) into ``visits``."""
    out = []
    n = len(visits)
    for i in range(n + 1):
        if len(unit) == 1:
            out.append([*visits[:i], unit[0], *visits[i:]])
            continue
        for j in range(i, n + 1):
            out.append([*visits[:i], unit[0], *visits[i:j], unit[1], *visits[j:]])
    return out


def _best_insertion(
    problem: VRPProblem,
    routes: list[tuple[list[int], int]],
    unit: list[int],
    packs: Packs,
    time_ok: Packs,
    max_tries: int,
) -> tuple[int, int, list[int]] | None:
    """(cost increase, route index, new visits) of the cheapest insertion of ``unit`` into one of
    ``routes`` that keeps time, capacity and a verified packing; ``None`` if there is none."""
    best: tuple[int, int, list[int]] | None = None
    for j, (ov, ot) in enumerate(routes):
        base = route_cost(problem, ov, ot)
        cands = sorted(((route_cost(problem, c, ot) - base, c) for c in _insertions(ov, unit)),
                       key=lambda t: t[0])
        tries = 0
        for delta, cand in cands:
            if best is not None and delta >= best[0]:
                break
            if not time_ok(cand, ot):
                continue
            tries += 1
            if packs(cand, ot):
                best = (delta, j, cand)
                break
            if tries >= max_tries:
                break
    return best


def _units(problem: VRPProblem, visits: Sequence[int]) -> list[list[int]]:
    """The customers of a route as units: a pickup, or a pickup and its delivery."""
    deliv = dict(problem.pickup_delivery)
    return [[v, *([deliv[v]] if v in deliv else [])] for v in visits if v not in deliv.values()]


def _volume(problem: VRPProblem, unit: Sequence[int]) -> int:
    """The unit's load in the last load dimension (volume when the fleet has one)."""
    return problem.loads[-1][unit[0]]


def _insert_all(
    problem: VRPProblem,
    solution: VRPSolution,
    routes: list[tuple[list[int], int]],
    units: list[list[int]],
    packs: Packs,
    time_ok: Packs,
    deadline: float,
    max_tries: int,
    tag: str,
) -> VRPSolution | None:
    """Insert ``units`` (largest load first) into ``routes`` or on new routes; see
    :func:`reinsert_units`."""
    units = sorted(units, key=lambda u: (-_volume(problem, u), u[0]))
    # new routes on the largest trucks first (the local search downgrades them later)
    types = sorted(range(len(problem.vehicle_types)),
                   key=lambda t: (tuple(-c for c in problem.capacities(problem.vehicle_types[t])), t))
    for unit in units:
        if time.monotonic() >= deadline:
            return None
        ins = _best_insertion(problem, routes, unit, packs, time_ok, max_tries)
        used = Counter(k for _, k in routes)
        new_k = next((k for k in types if used[k] < problem.vehicle_types[k].count
                      and time_ok(unit, k) and packs(unit, k)), None)
        if new_k is not None and (ins is None or route_cost(problem, unit, new_k) < ins[0]):
            routes.append((list(unit), new_k))
        elif ins is not None:
            routes[ins[1]] = (ins[2], routes[ins[1]][1])
        elif not all(problem.drop_penalty[v] is not None for v in unit):
            return None  # an optional unit that fits nowhere stays out (dropped)
    new = tuple(VRPRoute(visits=tuple(v), vehicle_type=t) for v, t in routes)
    chk = check_vrp(problem, VRPSolution(routes=new, objective=None))
    if not chk.feasible:
        return None
    return replace(solution, routes=new, objective=chk.objective, dropped=chk.details["dropped"],
                   solver=f"{solution.solver}+{tag}", bound=None, status="feasible")


def reinsert_units(
    problem: VRPProblem,
    solution: VRPSolution,
    remove: Sequence[Sequence[int]],
    packs: Packs,
    time_ok: Packs,
    deadline: float,
    max_tries: int = 3,
) -> VRPSolution | None:
    """Take the routes ``remove`` (visit tuples) out of ``solution`` and insert their customers,
    largest load first, at the cheapest position of a kept route that still packs, or on a new
    route of the largest type with a spare vehicle that packs them; an optional customer that
    fits nowhere is dropped. ``None`` if a required customer fits nowhere or at ``deadline``."""
    gone = {tuple(r) for r in remove}
    routes = [(list(r.visits), r.vehicle_type) for r in solution.routes if r.visits and r.visits not in gone]
    units = [u for r in gone for u in _units(problem, r)]
    return _insert_all(problem, solution, routes, units, packs, time_ok, deadline, max_tries, "reinsert")


def peel_units(
    problem: VRPProblem,
    solution: VRPSolution,
    failing: Sequence[Sequence[int]],
    packs: Packs,
    time_ok: Packs,
    deadline: float,
    max_tries: int = 3,
) -> VRPSolution | None:
    """Remove customers from each failing route until it packs — the largest one whose removal
    makes the rest pack, else the largest — and insert the removed ones as
    :func:`reinsert_units` does. Keeps most of the VRP's routes as they were."""
    gone = {tuple(r) for r in failing}
    routes = [(list(r.visits), r.vehicle_type) for r in solution.routes if r.visits]
    removed: list[list[int]] = []
    for idx, (visits, k) in enumerate(routes):
        if tuple(visits) not in gone:
            continue
        while visits and not (time_ok(visits, k) and packs(visits, k)):
            if time.monotonic() >= deadline:
                return None
            units = sorted(_units(problem, visits), key=lambda u: (-_volume(problem, u), u[0]))
            rests = [[w for w in visits if w not in u] for u in units]
            pick = next((j for j, rest in enumerate(rests) if not rest or (time_ok(rest, k) and packs(rest, k))), 0)
            removed.append(units[pick])
            visits = rests[pick]
        routes[idx] = (visits, k)
    routes = [r for r in routes if r[0]]
    return _insert_all(problem, solution, routes, removed, packs, time_ok, deadline, max_tries, "peel")


def _relocate(problem: VRPProblem, routes: list[tuple[list[int], int]], deliv: dict[int, int],
              packs: Packs, time_ok: Packs, deadline: float, max_tries: int) -> bool:
    """Move one customer (a pair as one unit) to another route where that lowers the cost;
    changes ``routes`` in place and returns True on the first such move."""
    for i, (visits, k) in enumerate(routes):
        if len(visits) < 2:
            continue
        for v in [v for v in visits if v not in deliv.values()]:
            if time.monotonic() >= deadline:
                return False
            unit = [v, *([deliv[v]] if v in deliv else [])]
            rest = [w for w in visits if w not in unit]
            gain = route_cost(problem, visits, k) - route_cost(problem, rest, k)
            others = [r for j, r in enumerate(routes) if j != i]
            ins = _best_insertion(problem, others, unit, packs, time_ok, max_tries)
            if ins is None or ins[0] >= gain or not (time_ok(rest, k) and packs(rest, k)):
                continue
            j = [j for j in range(len(routes)) if j != i][ins[1]]
            routes[j] = (ins[2], routes[j][1])
            routes[i] = (rest, k)
            return True
    return False


def improve_routes(
    problem: VRPProblem,
    solution: VRPSolution,
    packs: Packs,
    time_ok: Packs,
    deadline: float,
    max_tries: int = 3,
) -> VRPSolution:
    """Downgrade and route-emptying moves (module docstring) until none pays or ``deadline``
    (``time.monotonic()`` seconds). ``packs(visits, k)``: the route has a verified packing in
    type ``k``; ``time_ok``: it keeps windows, shift and capacity; ``max_tries``: packing checks
    per (customer, target route), cheapest positions first."""
    routes = [(list(r.visits), r.vehicle_type) for r in solution.routes if r.visits]
    deliv = dict(problem.pickup_delivery)
    types = range(len(problem.vehicle_types))
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        used = Counter(k for _, k in routes)
        for idx, (visits, k) in enumerate(routes):  # downgrade
            now = route_cost(problem, visits, k)
            for k2 in sorted(types, key=lambda t: route_cost(problem, visits, t)):
                if route_cost(problem, visits, k2) >= now:
                    break
                if used[k2] < problem.vehicle_types[k2].count and time_ok(visits, k2) and packs(visits, k2):
                    routes[idx] = (visits, k2)
                    used[k] -= 1
                    used[k2] += 1
                    improved = True
                    break
        order = sorted(range(len(routes)), key=lambda i: (len(routes[i][0]), i))
        for idx in order:  # empty one route into the others
            if time.monotonic() >= deadline:
                break
            visits, k = routes[idx]
            others = [(list(v), t) for i, (v, t) in enumerate(routes) if i != idx]
            units = [[v, *([deliv[v]] if v in deliv else [])] for v in visits if v not in deliv.values()]
            ok = True
            for unit in units:
                best = _best_insertion(problem, others, unit, packs, time_ok, max_tries)
                if best is None:
                    ok = False
                    break
                others[best[1]] = (best[2], others[best[1]][1])
            if ok and sum(route_cost(problem, v, t) for v, t in others) < sum(
                route_cost(problem, v, t) for v, t in routes
            ):
                routes = others
                improved = True
                break
        if not improved:
            improved = _relocate(problem, routes, deliv, packs, time_ok, deadline, max_tries)
    new = tuple(VRPRoute(visits=tuple(v), vehicle_type=t) for v, t in routes)
    chk = check_vrp(problem, VRPSolution(routes=new, objective=None))
    if not chk.feasible or chk.objective >= (solution.objective or float("inf")):
        return solution
    return replace(solution, routes=new, objective=chk.objective, dropped=chk.details["dropped"],
                   solver=f"{solution.solver}+ls")
