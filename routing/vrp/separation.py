"""Separation of rounded capacity inequalities (RCIs) for the two-index CVRP formulation.

For a set ``S`` of customers, ``x(delta(S)) >= 2 * ceil(d(S) / Q)``: at least that many
vehicles must enter and leave ``S``. Given edge values ``x*`` (a fractional LP point or an
integer solution) these routines return customer sets whose RCI is violated.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from mmroute.interrupt import SCIP_NO_CTRLC, stoppable

__all__ = ["cut_value", "rci_rhs", "violated_rcis", "components", "greedy_sets", "fractional_capacity_sets"]

Edge = tuple[int, int]
EPS = 1e-6


def rci_rhs(S: Iterable[int], demand: Sequence[int], capacity: int) -> int:
    """``2 * ceil(d(S) / Q)``, the right-hand side of the RCI in the delta form."""
    return 2 * max(1, math.ceil(sum(demand[i] for i in S) / capacity))


def cut_value(S: set[int], x: Mapping[Edge, float]) -> float:
    """``x(delta(S))``: total value of edges with exactly one end in ``S``."""
    return sum(v for (i, j), v in x.items() if (i in S) != (j in S))


def _adjacency(n: int, x: Mapping[Edge, float]) -> list[dict[int, float]]:
    adj: list[dict[int, float]] = [{} for _ in range(n)]
    for (i, j), v in x.items():
        if v > EPS:
            adj[i][j] = adj[i].get(j, 0.0) + v
            adj[j][i] = adj[j].get(i, 0.0) + v
    return adj


def components(n: int, x: Mapping[Edge, float], depot: int = 0) -> list[set[int]]:
    """Connected components of the support graph without the depot."""
    adj = _adjacency(n, x)
    seen = {depot}
    out = []
    for s in range(n):
        if s in seen:
            continue
        comp = {s}
        stack = [s]
        seen.add(s)
        while stack:
            u = stack.pop()
            for w in adj[u]:
                if w not in seen:
                    seen.add(w)
                    comp.add(w)
                    stack.append(w)
        out.append(comp)
    return out


def greedy_sets(n: int, x: Mapping[Edge, float], demand: Sequence[int], capacity: int, depot: int = 0) -> list[set[int]]:
    """Sets grown greedily from each customer, adding the neighbour most connected to the set.

    Returns every intermediate set whose RCI is violated (the shrinking heuristic of CVRPSEP,
    simplified).
    """
    adj = _adjacency(n, x)
    customers = [i for i in range(n) if i != depot]
    found: list[set[int]] = []
    for seed in customers:
        S = {seed}
        conn = dict(adj[seed])  # value of edges from S to each outside node
        conn.pop(depot, None)
        delta = sum(adj[seed].values())
        dem = demand[seed]
        limit = max(2, len(customers) // 2 + 1)
        while len(S) < limit:
            if delta < rci_rhs(S, demand, capacity) - EPS and len(S) > 1:
                found.append(set(S))
            if not conn:
                break
            j = max(conn, key=lambda k: (conn[k], demand[k]))
            S.add(j)
            dem += demand[j]
            delta += sum(adj[j].values()) - 2 * conn.pop(j)
            for w, v in adj[j].items():
                if w != depot and w not in S:
                    conn[w] = conn.get(w, 0.0) + v
        if delta < rci_rhs(S, demand, capacity) - EPS:
            found.append(set(S))
    return found


def fractional_capacity_sets(n: int, x: Mapping[Edge, float], demand: Sequence[int], capacity: int, depot: int = 0) -> list[set[int]]:
    """Exact separation of fractional capacity inequalities ``x(delta(S)) >= 2 d(S)/Q`` by max-flow.

    A super source feeds each customer with ``2 d_i / Q``; the depot is the sink. A min cut
    below ``2 d(N) / Q`` gives a set ``S`` (source side) with a violated inequality, hence a
    violated RCI. Capacities are scaled to integers for OR-Tools' max-flow.
    """
    from ortools.graph.python import max_flow

    scale = 10**6
    src = n
    flow = max_flow.SimpleMaxFlow()
    for (i, j), v in x.items():
        c = int(round(v * scale))
        if c > 0:
            flow.add_arc_with_capacity(i, j, c)
            flow.add_arc_with_capacity(j, i, c)
    total = 0
    for i in range(n):
        if i != depot and demand[i] > 0:
            c = int(round(2 * demand[i] / capacity * scale))
            total += c
            flow.add_arc_with_capacity(src, i, c)
    if total == 0 or flow.solve(src, depot) != flow.OPTIMAL:
        return []
    if flow.optimal_flow() >= total - 10:
        return []
    S = {int(i) for i in flow.get_source_side_min_cut() if i != src and i != depot}
    return [S] if S else []


def violated_rcis(n: int, x: Mapping[Edge, float], demand: Sequence[int], capacity: int, exact: bool = True, depot: int = 0) -> list[frozenset[int]]:
    """Distinct customer sets whose RCI is violated by ``x`` (components, greedy, max-flow)."""
    cands: list[set[int]] = []
    comps = components(n, x, depot)
    cands += comps
    # unions of components that do not reach the depot are covered by the components themselves
    cands += greedy_sets(n, x, demand, capacity, depot)
    if exact:
        cands += fractional_capacity_sets(n, x, demand, capacity, depot)
    out: dict[frozenset[int], None] = {}
    for S in cands:
        if S and cut_value(S, x) < rci_rhs(S, demand, capacity) - EPS:
            out[frozenset(S)] = None
            # the complement-side customers form a violated set too when demand is large
            rest = set(range(n)) - S - {depot}
            if rest and cut_value(rest, x) < rci_rhs(rest, demand, capacity) - EPS:
                out[frozenset(rest)] = None
    return list(out)


def exact_rci_sets(n: int, x: Mapping[Edge, float], demand: Sequence[int], capacity: int, depot: int = 0, time_limit_s: float = 5.0) -> list[set[int]]:
    """Exact RCI separation by small MIPs, one per right-hand side ``2k``.

    For ``k = 1 .. ceil(d(N)/Q)``: find a customer set with ``d(S) >= (k-1) Q + 1`` and
    ``x(delta(S)) < 2k`` (binary ``y_i`` = i in S, ``z_e >= |y_i - y_j|`` on the support), a
    violated RCI; none exists when the MIP is infeasible. Solved with SCIP through pywraplp;
    a MIP that runs out of time finds nothing (so the separation is exact only within it).
    """
    from ortools.linear_solver import pywraplp

    customers = [i for i in range(n) if i != depot]
    total = sum(demand[i] for i in customers)
    k_max = max(1, math.ceil(total / capacity))
    found: list[set[int]] = []
    for k in range(1, k_max + 1):
        solver = pywraplp.Solver.CreateSolver("SCIP")
        if solver is None:
            return found
        solver.SetSolverSpecificParametersAsString(SCIP_NO_CTRLC)  # SIGINT stays with Python
        solver.SetTimeLimit(int(time_limit_s * 1000))
        y = {i: solver.BoolVar(f"y{i}") for i in customers}
        terms = []
        for (i, j), v in x.items():
            if v <= EPS:
                continue
            if depot in (i, j):
                terms.append(v * y[j if i == depot else i])
            else:
                z = solver.NumVar(0, 1, "")
                solver.Add(z >= y[i] - y[j])
                solver.Add(z >= y[j] - y[i])
                terms.append(v * z)
        solver.Add(sum(demand[i] * y[i] for i in customers) >= (k - 1) * capacity + 1)
        # a feasibility problem: any set cut below 2k will do, so SCIP stops at the first one
        solver.Add(sum(terms) <= 2 * k - 1e-3)
        with stoppable(solver.InterruptSolve):
            status = solver.Solve()
        if status not in (solver.OPTIMAL, solver.FEASIBLE):
            continue
        S = {i for i in customers if y[i].solution_value() > 0.5}
        if S and cut_value(S, x) < rci_rhs(S, demand, capacity) - EPS:
            found.append(S)
    return found
