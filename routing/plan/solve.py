"""The exact multimodal plan: a multi-commodity flow MIP on the time-expanded network.

One variable per (shipment, usable arc): binary (unsplittable, default) or in [0, 1]
(splittable). Flow conservation per shipment; capacities per departure, node-day and road
link-day; a drop arc per shipment at the drop penalty keeps every instance feasible. Objective
(CNY) = cost_weight x (transport + handling) + CO2 price x CO2 (t) + time value x TEU x
(arrival - release) + lateness penalty x TEU x max(0, arrival - due) + drop penalties.
Solved with OR-Tools MathOpt (HiGHS by default, or SCIP which also takes a warm-start hint).
"""

from __future__ import annotations

import datetime
import math
import time
from collections import defaultdict

import numpy as np
from ortools.math_opt import (
    model_parameters_pb2,
    model_pb2,
    solution_pb2,
    sparse_containers_pb2,
)
from ortools.math_opt.core.python import solver as core_solver
from ortools.math_opt.python import callback, init_arguments, mathopt
from ortools.util.python.solve_interrupter import SolveInterrupter

from mmroute.errors import InputError, SolverError
from mmroute.interrupt import stoppable
from mmroute.report import relative_gap
from mmroute.routing.plan.check import assert_valid
from mmroute.routing.plan.events import KnownEvents
from mmroute.routing.plan.expand import Demand, TimeExpandedNetwork, demands_of, expand
from mmroute.routing.plan.greedy import greedy_flows
from mmroute.routing.plan.itinerary import Handling, Itinerary, Leg, Plan
from mmroute.routing.plan.prune import ArcArrays, prune, shipment_costs
from mmroute.routing.plan.state import PlanState
from mmroute.scenarios import Scenario

__all__ = ["solve_plan", "solve_hindsight", "SOLVERS"]

SOLVERS = {"highs": mathopt.SolverType.HIGHS, "scip": mathopt.SolverType.GSCIP}
GAP_OPTIMAL = 1e-6


def solve_plan(
    scenario: Scenario,
    *,
    time_limit_s: float = 60.0,
    splittable: bool = False,
    co2_price: float | None = None,
    co2_cap_kg: float | None = None,
    events: KnownEvents | None = None,
    state: PlanState | None = None,
    hint: Plan | None = None,
    seed: int = 0,
    solver: str = "highs",
    minimize: str = "objective",
    eliminate: bool = True,
) -> Plan:
    """Plan every shipment of ``scenario`` (or what remains of them after ``state``).

    ``co2_price`` (CNY/t) overrides the scenario's; ``co2_cap_kg`` bounds total CO2 (for the
    Pareto front); ``events`` are disruptions known in advance; ``hint`` a previous plan used
    as a warm start where the solver supports it (SCIP); ``minimize="co2"`` minimises CO2
    (drops count as very high CO2) instead of the objective. ``eliminate``: start from a
    greedy plan and remove arcs no optimal plan uses (exact; unsplittable, no CO2 cap).
    The returned plan has passed :func:`check_plan`.
    """
    if solver not in SOLVERS:
        raise InputError(f"unknown solver {solver!r}; choose from {sorted(SOLVERS)}")
    if time_limit_s <= 0:
        raise InputError("time_limit_s must be > 0")
    if minimize not in ("objective", "co2"):
        raise InputError(f"minimize must be 'objective' or 'co2', not {minimize!r}")
    t_start = time.perf_counter()
    events = events or KnownEvents()
    if state is not None:
        state.validate(scenario)
    price = scenario.objective.co2_price_cny_per_t if co2_price is None else float(co2_price)
    demands = demands_of(scenario, state)
    net = expand(scenario, demands, events, splittable=splittable,
                 used=None if state is None else state.used())
    if not net.demands:  # everything delivered: nothing to plan
        plan = Plan(scenario.name, 0.0, 0.0, "optimal", round(time.perf_counter() - t_start, 4),
                    f"mathopt-{solver}", seed, (), price, splittable,
                    0.0 if state is None else state.time_h, co2_cap_kg, events)
        assert_valid(scenario, plan, state)
        return plan
    greedy = None
    lower = None
    if eliminate and not splittable and co2_cap_kg is None and minimize == "objective":
        # a greedy plan gives an incumbent and, with it, exact arc elimination
        arr = ArcArrays.of(net)
        greedy = _extract(scenario, net, greedy_flows(scenario, net, price, arr), price, False)
        warm = None if hint is None else _hint_flows(net, hint)
        if warm is not None:  # the previous plan, where still feasible, is a better incumbent
            kept = _extract(scenario, net, warm, price, False)
            if sum(it.objective_cny for it in kept) < sum(it.objective_cny for it in greedy):
                greedy = kept
        lower = prune(net, arr, scenario.objective, price, sum(it.objective_cny for it in greedy))
    result = _solve_mip(scenario, net, price=price, co2_cap_kg=co2_cap_kg, splittable=splittable,
                        deadline=t_start + time_limit_s, seed=seed, solver=solver,
                        hint=hint, minimize=minimize)
    flows, obj_value, bound, status = result
    itineraries = [] if flows is None else _extract(scenario, net, flows, price, splittable)
    objective = sum(it.objective_cny for it in itineraries) if flows is not None else math.inf
    if greedy is not None and status != "optimal":
        # stopped early: the greedy plan is an incumbent too (and the only one if none found)
        alt_obj = sum(it.objective_cny for it in greedy)
        if alt_obj < objective:
            itineraries, objective = greedy, alt_obj
    if lower is not None and (bound is None or lower > bound):
        bound = lower
    if not itineraries and net.demands:  # no incumbent at all: every shipment dropped
        drops = {(d.shipment, i): 1.0 for d in net.demands for i in net.usable[d.shipment]
                 if net.arcs[i].kind == "drop"}
        itineraries = _extract(scenario, net, drops, price, splittable)
        objective = sum(it.objective_cny for it in itineraries)
    if minimize != "objective":
        bound = None
        status = "feasible" if status == "optimal" else status
    elif bound is not None:
        bound = min(bound, objective)
        gap = relative_gap(objective, bound)
        if status == "optimal" and gap > GAP_OPTIMAL:
            status = "feasible"
    plan = Plan(
        scenario=scenario.name, objective=objective, bound=bound, status=status,
        time_s=round(time.perf_counter() - t_start, 4), solver=f"mathopt-{solver}", seed=seed,
        itineraries=tuple(itineraries), co2_price_cny_per_t=price, splittable=splittable,
        from_h=0.0 if state is None else state.time_h, co2_cap_kg=co2_cap_kg, events=events,
    )
    assert_valid(scenario, plan, state)
    return plan


def solve_hindsight(scenario: Scenario, realised: KnownEvents, **kwargs) -> Plan:
    """The clairvoyant plan: the same model with every realised event known from hour 0.

    Its objective is the lower bound every policy's realised cost on that episode is compared
    to (when solved to optimality)."""
    return solve_plan(scenario, events=realised, **kwargs)


def _solve_mip(scenario, net: TimeExpandedNetwork, *, price, co2_cap_kg, splittable, deadline, seed,
               solver, hint, minimize):
    """Build the MIP as arrays (a MathOpt ModelProto), solve; return (flows, value, bound,
    status) with ``flows[(shipment, arc)]`` the positive flow shares."""
    obj = scenario.objective
    arr = ArcArrays.of(net)
    tail, head, co2 = arr.tail, arr.head, arr.co2
    res_index: dict[tuple, int] = {}
    res_ptr = [0]
    res_ids: list[int] = []
    for a in net.arcs:
        res_ids.extend(res_index.setdefault(r, len(res_index)) for r in a.resources)
        res_ptr.append(len(res_ids))
    res_ptr_a = np.array(res_ptr, dtype=np.int64)
    res_ids_a = np.array(res_ids, dtype=np.int64)
    res_cap = np.array([net.capacity[r] for r in res_index], dtype=float)

    col_ship, col_arc, col_cost, col_q = [], [], [], []
    rows, cols, vals, rhs = [], [], [], []
    n_rows = 0
    n_cols = 0
    for k, d in enumerate(net.demands):
        idx = np.asarray(net.usable[d.shipment], dtype=np.int64)
        q = d.quantity_teu
        c = shipment_costs(arr, idx, d, obj, price, minimize)
        j = n_cols + np.arange(len(idx))
        nodes, inv = np.unique(np.concatenate([tail[idx], head[idx]]), return_inverse=True)
        r_tail, r_head = inv[:len(idx)] + n_rows, inv[len(idx):] + n_rows
        b = np.zeros(len(nodes))
        b[np.searchsorted(nodes, net.source[d.shipment])] = 1.0
        b[np.searchsorted(nodes, net.sink[d.destination])] = -1.0
        rows += [r_tail, r_head]
        cols += [j, j]
        vals += [np.ones(len(idx)), -np.ones(len(idx))]
        rhs.append(b)
        col_ship.append(np.full(len(idx), k))
        col_arc.append(idx)
        col_cost.append(c)
        col_q.append(np.full(len(idx), q))
        n_rows += len(nodes)
        n_cols += len(idx)
    col_arc_a = np.concatenate(col_arc)
    col_q_a = np.concatenate(col_q)
    # capacity rows: one entry per (column, resource of its arc)
    counts = res_ptr_a[col_arc_a + 1] - res_ptr_a[col_arc_a]
    rc_cols = np.repeat(np.arange(n_cols), counts)
    starts = np.repeat(res_ptr_a[col_arc_a], counts)
    offs = np.arange(len(rc_cols)) - np.repeat(np.cumsum(counts) - counts, counts)
    rc_res = res_ids_a[starts + offs]
    rc_q = col_q_a[rc_cols]
    load = np.bincount(rc_res, weights=rc_q, minlength=len(res_cap))
    binding = load > res_cap + 1e-9
    res_row = np.full(len(res_cap), -1, dtype=np.int64)
    res_row[binding] = n_rows + np.arange(int(binding.sum()))
    keep = binding[rc_res]
    rows.append(res_row[rc_res[keep]])
    cols.append(rc_cols[keep])
    vals.append(rc_q[keep])
    lo = np.concatenate(rhs + [np.full(int(binding.sum()), -np.inf)])
    up = np.concatenate(rhs + [res_cap[binding]])
    if co2_cap_kg is not None:
        e = co2[col_arc_a] * col_q_a
        nz = np.nonzero(e)[0]
        rows.append(np.full(len(nz), len(lo)))
        cols.append(nz)
        vals.append(e[nz])
        lo = np.append(lo, -np.inf)
        up = np.append(up, co2_cap_kg)

    proto = model_pb2.ModelProto(name=f"plan-{scenario.name}")
    proto.variables.ids.extend(range(n_cols))
    proto.variables.lower_bounds.extend(np.zeros(n_cols).tolist())
    proto.variables.upper_bounds.extend(np.ones(n_cols).tolist())
    proto.variables.integers.extend([not splittable] * n_cols)
    proto.linear_constraints.ids.extend(range(len(lo)))
    proto.linear_constraints.lower_bounds.extend(lo.tolist())
    proto.linear_constraints.upper_bounds.extend(up.tolist())
    r_all, c_all, v_all = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    order = np.lexsort((c_all, r_all))
    mat = proto.linear_constraint_matrix
    mat.row_ids.extend(r_all[order].tolist())
    mat.column_ids.extend(c_all[order].tolist())
    mat.coefficients.extend(v_all[order].tolist())
    c_all_cost = np.concatenate(col_cost)
    nz = np.nonzero(c_all_cost)[0]
    proto.objective.maximize = False
    proto.objective.linear_coefficients.ids.extend(nz.tolist())
    proto.objective.linear_coefficients.values.extend(c_all_cost[nz].tolist())
    params = mathopt.SolveParameters(
        time_limit=datetime.timedelta(seconds=max(0.05, deadline - time.perf_counter())),
        relative_gap_tolerance=GAP_OPTIMAL / 10, absolute_gap_tolerance=1e-4, random_seed=seed)
    model_params = model_parameters_pb2.ModelSolveParametersProto()
    if hint is not None and solver == "scip":
        col_of = {(net.demands[k].shipment, int(a)): j for j, (k, a) in enumerate(
            zip(np.concatenate(col_ship), col_arc_a))}
        values = _hint_values(net, col_of, hint)
        if values:
            ids = sorted(values)
            model_params.solution_hints.append(model_parameters_pb2.SolutionHintProto(
                variable_values=sparse_containers_pb2.SparseDoubleVectorProto(
                    ids=ids, values=[values[j] for j in ids])))
    interrupter = SolveInterrupter()  # SIGINT / SIGTERM stop the solve (mmroute.interrupt)
    try:
        # the proto-level entry point of mathopt.solve (same arguments, by keyword where the
        # binding allows): skips building a Python Model of up to millions of variables
        with stoppable(interrupter.interrupt):
            res = core_solver.solve(
                proto, SOLVERS[solver].value,
                init_arguments.StreamableSolverInitArguments().to_proto(), params.to_proto(),
                model_params, None, callback.CallbackRegistration().to_proto(), None,
                interrupter.pybind_interrupter)
    except Exception as exc:  # the solver library's own errors
        raise SolverError(f"{solver} failed: {exc}") from exc
    reason = mathopt.TerminationReason(res.termination.reason)
    TR = mathopt.TerminationReason
    if reason == TR.INFEASIBLE:
        raise SolverError("the plan model is infeasible (should not happen: drops are allowed)")
    bound = res.termination.objective_bounds.dual_bound
    bound = None if abs(bound) == float("inf") else float(bound)
    timed_out = res.termination.limit == mathopt.Limit.TIME.value
    feasible = [sol.primal_solution for sol in res.solutions if sol.HasField("primal_solution")
                and sol.primal_solution.feasibility_status == solution_pb2.SOLUTION_STATUS_FEASIBLE]
    if not feasible:
        if not timed_out:
            raise SolverError(f"{solver} stopped without a plan ({reason.name})")
        return None, None, bound, "timeout"
    sol = feasible[0].variable_values
    ids = np.array(sol.ids, dtype=np.int64)
    xs = np.array(sol.values, dtype=float)
    pos = xs > 1e-7
    ships = np.concatenate(col_ship)
    flows = {(net.demands[ships[j]].shipment, int(col_arc_a[j])): float(x)
             for j, x in zip(ids[pos], xs[pos])}
    if reason == TR.OPTIMAL:
        status = "optimal"
    elif timed_out:
        status = "timeout"
    else:
        status = "feasible"
    return flows, feasible[0].objective_value, bound, status


def _hint_paths(net: TimeExpandedNetwork, hint: Plan) -> dict[str, set[int] | None]:
    """For each remaining shipment, the arcs that follow ``hint``'s remaining legs (``None``
    where they no longer exist in ``net``, e.g. a closed link or a missed departure)."""
    out_arcs: dict[int, list[int]] = defaultdict(list)
    for i, a in enumerate(net.arcs):
        out_arcs[a.tail].append(i)
    paths: dict[str, set[int] | None] = {}
    for d in net.demands:
        its = hint.itinerary(d.shipment)
        if len(its) != 1:
            paths[d.shipment] = None
            continue
        it = its[0]
        want = [(lg.link, round(lg.departure_h, 4)) for lg in it.legs
                if lg.departure_h >= d.ready_h - 1e-6]
        paths[d.shipment] = _follow(net, out_arcs, d, want, it.dropped)
    return paths


def _hint_values(net: TimeExpandedNetwork, col_of: dict, hint: Plan) -> dict[int, float]:
    """Variable values that follow ``hint``'s remaining legs, shipment by shipment."""
    values = {}
    for sid, path in _hint_paths(net, hint).items():
        if path is None:
            continue
        for i in net.usable[sid]:
            values[col_of[(sid, i)]] = 1.0 if i in path else 0.0
    return values


def _hint_flows(net: TimeExpandedNetwork, hint: Plan) -> dict[tuple[str, int], float] | None:
    """``{(shipment, arc): 1.0}`` following ``hint`` for every remaining shipment, or ``None``
    if some shipment cannot follow it any more or the capacities no longer allow it."""
    quantity = {d.shipment: d.quantity_teu for d in net.demands}
    flows: dict[tuple[str, int], float] = {}
    use: dict[tuple, float] = defaultdict(float)
    for sid, path in _hint_paths(net, hint).items():
        if path is None:
            return None
        for i in path:
            flows[(sid, i)] = 1.0
            for r in net.arcs[i].resources:
                use[r] += quantity[sid]
    if any(u > net.capacity.get(r, math.inf) + 1e-9 for r, u in use.items()):
        return None
    return flows


def _follow(net: TimeExpandedNetwork, out_arcs, d: Demand, want, dropped: bool) -> set[int] | None:
    """Arcs from ``d``'s source to its sink whose legs are exactly ``want`` (DFS)."""
    usable = set(net.usable[d.shipment])
    sink = net.sink[d.destination]
    stack = [(net.source[d.shipment], 0, ())]
    seen = set()
    while stack:
        node, k, path = stack.pop()
        if node == sink:
            if k == len(want):
                return set(path)
            continue
        if (node, k) in seen:
            continue
        seen.add((node, k))
        for i in out_arcs[node]:
            if i not in usable:
                continue
            a = net.arcs[i]
            if (a.kind == "drop") != dropped:
                continue
            legs = [(lg.link, round(lg.departure_h, 4)) for lg in a.legs]
            if legs != want[k:k + len(legs)]:
                continue
            stack.append((a.head, k + len(legs), (*path, i)))
    return None


def _extract(scenario: Scenario, net: TimeExpandedNetwork, flows, price: float, splittable: bool):
    """Decompose each shipment's flow into itineraries (one per path)."""
    obj = scenario.objective
    out: list[Itinerary] = []
    by_ship: dict[str, dict[int, float]] = defaultdict(dict)
    for (sh, i), f in flows.items():
        by_ship[sh][i] = f
    for d in net.demands:
        s = d.shipment
        rest = by_ship[s]
        by_tail: dict[int, list[int]] = defaultdict(list)
        for i in rest:
            by_tail[net.arcs[i].tail].append(i)
        left = 1.0
        while left > 1e-6:
            node, path = net.source[s], []
            while node != net.sink[d.destination]:
                cands = [i for i in by_tail[node] if rest[i] > 1e-7]
                if not cands:
                    break
                i = max(cands, key=lambda j: rest[j])
                path.append(i)
                node = net.arcs[i].head
            if not path or node != net.sink[d.destination]:
                raise SolverError(f"flow of {s} does not reach its destination")
            share = min(rest[i] for i in path)
            if not splittable:
                share = 1.0
            for i in path:
                rest[i] -= share
            left -= share
            out.append(_itinerary(net, d, [net.arcs[i] for i in path], share, price, obj))
    return out


def _itinerary(net, d: Demand, arcs, share: float, price: float, obj) -> Itinerary:
    teu = d.quantity_teu * share
    if any(a.kind == "drop" for a in arcs):
        return Itinerary(d.shipment, teu, (), (), None, 0.0, True, 0.0, 0.0,
                         obj.drop_penalty_cny_per_teu * teu)
    legs = tuple(
        Leg(lg.link, lg.mode, lg.from_node, lg.to_node, lg.departure_h, lg.arrival_h,
            lg.cost_per_teu_cny * teu, lg.co2_per_teu_kg * teu, lg.timetable_h)
        for a in arcs for lg in a.legs)
    handling = tuple(Handling(h.node, h.at_h, h.cost_per_teu_cny * teu)
                     for a in arcs for h in a.handling)
    arrival = arcs[-1].arrival_h
    late = max(0.0, arrival - d.due_h)
    cost = sum(lg.cost_cny for lg in legs) + sum(h.cost_cny for h in handling)
    co2 = sum(lg.co2_kg for lg in legs)
    value = (obj.cost_weight * cost + price * co2 / 1000.0
             + obj.time_value_cny_per_teu_h * teu * (arrival - d.release_h)
             + d.lateness_cny_per_teu_h * teu * late)
    return Itinerary(d.shipment, teu, legs, handling, arrival, late, False, cost, co2, value)
