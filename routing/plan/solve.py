"""The exact multimodal plan: a multi-commodity flow MIP on the time-expanded network.

One variable per (shipment, usable arc): binary (unsplittable, default) or in [0, 1]
(splittable). Flow conservation per shipment; capacities per departure, node-day and road
link-day; a drop arc per shipment at the drop penalty keeps every instance feasible. Objective
(CNY) = cost_weight x (transport + handling) + CO2 price x CO2 (t) + time value x TEU x
(arrival - release) + lateness penalty x TEU x max(0, arrival - due) + drop penalties.
Solved with OR-Tools MathOpt (HiGHS by default, or SCIP which also takes a warm-start hint).

At a month's volume (issue 22): arc elimination (a greedy incumbent, then :func:`prune`) runs
in batched numpy sweeps over chunks of shipments (:mod:`.sweep`), and when the greedy plan
meets the elimination bound it is returned as optimal without building the MIP. Chosen by
measurement on ``mmroute scenarios scale liuzhou-asean --consignments N --seed 0``: at 3,000
consignments the old call spent 48 s on usable arcs, 118 s on greedy + pruning and 16 s in
HiGHS on the 214 k columns left, whose optimum was the greedy plan; at 10,000 the usable arcs
alone took 270 s. Aggregating identical consignments into integer commodities (same origin,
destination, release, due, penalty, quantity) would leave 7,230 commodities of 10,000 (961
of 1,000): releases are whole hours over a month, and each release is its own road point,
so it would not shrink these passes; it can still be added on top of the batched passes if a
capacity-starved month makes the MIP the bottleneck.

Time limit: ``time_limit_s`` covers the whole call. Less :func:`_reserve_s` for reading the
solution, building the itineraries and checking the plan, it is a :class:`~.budget.Deadline`
that the pruning sweeps watch (past it, the shipments not reached keep their arcs). The
network and the greedy plan always complete: the greedy plan is the plan when time runs out,
and cutting it short would drop consignments (both take 1-4 s on the 1,000-shipment stress
row of ``benchmarks/plan_scaling.py``). The MIP is built and started only if it can still get
through HiGHS's presolve and stop in time (:func:`~.budget.mip_worth_starting`), and the
solver gets what is left less what HiGHS runs beyond its limit (:func:`~.budget.beyond_limit_s`;
rates measured with HiGHS, applied to SCIP too); otherwise the greedy incumbent is the plan,
status ``timeout``, with the elimination's lower bound. ``status`` is ``optimal`` whenever the
gap between the plan and the best bound is within :data:`GAP_OPTIMAL`, whoever proved it.
"""

from __future__ import annotations

import datetime
import math
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from ortools.math_opt import (
    model_parameters_pb2,
    model_pb2,
    result_pb2,
    solution_pb2,
    sparse_containers_pb2,
)
from ortools.math_opt.core.python import solver as core_solver
from ortools.math_opt.python import callback, init_arguments, mathopt
from ortools.util.python.solve_interrupter import SolveInterrupter

from mmroute import validate as v
from mmroute._compat import fold_deprecated, pop_renamed
from mmroute.errors import InfeasibleError, SolverError
from mmroute.interrupt import stoppable
from mmroute.report import relative_gap
from mmroute.routing.plan.budget import Deadline, beyond_limit_s, mip_worth_starting
from mmroute.routing.plan.expand import Demand, TimeExpandedNetwork, demands_of, expand
from mmroute.routing.plan.follow import followed_paths
from mmroute.routing.plan.greedy import greedy_flows
from mmroute.routing.plan.params import DEPRECATED_PLAN_KEYWORDS, PlanParams
from mmroute.routing.plan.prepared import prepare
from mmroute.routing.plan.progress import Progress, highs_messages
from mmroute.routing.plan.prune import DROP_CO2_KG_PER_TEU, ArcArrays, prune, shipment_costs
from mmroute.scenarios import Objective, Scenario
from mmroute.world.events import KnownEvents
from mmroute.world.plan import Handling, Itinerary, Leg, Plan
from mmroute.world.state import PlanState
from mmroute.world.tables import Tables

__all__ = ["solve_plan", "solve_hindsight", "SOLVERS"]

SOLVERS = {"highs": mathopt.SolverType.HIGHS, "scip": mathopt.SolverType.GSCIP}
GAP_OPTIMAL = 1e-6
#: time to extract and check one shipment's itinerary after the solve (s; 0.75 ms measured at
#: 3,000 consignments on a loaded 2-core machine, doubled)
EXTRACT_S_PER_SHIPMENT = 1.5e-3

#: (shipment, arc id) -> flow share
Flows = dict[tuple[str, int], float]


def solve_plan(
    scenario: Scenario,
    *,
    time_limit_s: float,
    seed: int,
    params: PlanParams | None = None,
    initial: Plan | None = None,
    events: KnownEvents | None = None,
    state: PlanState | None = None,
    tables: Tables | None = None,
    progress: Progress | None = None,
    **deprecated: Any,
) -> Plan:
    """Plan every shipment of ``scenario`` (or what remains of them after ``state``).

    time_limit_s: wall-clock seconds for the whole call; seed: the MIP solver's random seed.
    params: splittable flows, CO2 price and cap, solver, objective, arc elimination
    (:class:`PlanParams`; ``None`` for the defaults). initial: a previous plan used as a warm
    start where it is still feasible (the incumbent for arc elimination and the fallback plan;
    also a solution hint with SCIP). events: disruptions known in advance; state: where every
    shipment is (plan the rest from there). The keywords ``splittable``, ``co2_price``,
    ``co2_cap_kg``, ``solver``, ``minimize``, ``eliminate`` and ``hint`` (now ``initial``) of
    earlier versions still work, with a :class:`DeprecationWarning`. tables: the scenario
    network's :class:`~mmroute.world.tables.Tables` (e.g. kept across re-plans, so that
    they are not rebuilt; ``None``: fresh ones). progress: called with the phase and the
    best objective and bound so far as the solve goes (:mod:`~mmroute.routing.plan.progress`).
    The returned plan has passed :func:`check_plan`.
    """
    initial = pop_renamed("solve_plan", deprecated, "hint", "initial", initial)
    params = fold_deprecated("solve_plan", params or PlanParams(), deprecated, DEPRECATED_PLAN_KEYWORDS)
    run = prepare(scenario, time_limit_s=time_limit_s, seed=seed, params=params,
                  initial=initial, events=events, state=state, tables=tables)
    scenario, params, price, plan_of = run.scenario, run.params, run.price_cny_per_t, run.plan
    say = progress or _quiet
    say("network", None, None)
    net = expand(scenario, demands_of(scenario, state), run.events,
                 splittable=params.splittable, used=None if state is None else state.used(),
                 tables=run.tables)
    shaped = _apply_premiums(scenario, net, params)
    on_objective = params.minimize == "objective" and not shaped  # progress values: CNY
    if not net.demands:  # everything delivered: nothing to plan
        return plan_of((), 0.0, 0.0, "optimal")
    incumbent, lower = None, None
    deadline = Deadline(run.t_start + run.time_limit_s
                        - _reserve_s(run.time_limit_s, len(net.demands)))
    inc_value = math.inf
    if params.eliminate and not params.splittable:
        say("incumbent", None, None)
        incumbent, lower, inc_value = _eliminate_arcs(scenario, net, price, params, initial,
                                                      deadline)
        if on_objective:
            say("incumbent", None if incumbent is None else inc_value, lower)
        gap = None if incumbent is None else relative_gap(inc_value, lower)
        if params.minimize == "objective" and gap is not None and gap <= GAP_OPTIMAL:
            # the incumbent meets the bound: it is optimal, no MIP needed
            objective = _total(incumbent)
            if shaped:  # optimal for the shaped objective: no bound on the true one
                return plan_of(incumbent, objective, None, "feasible")
            return plan_of(incumbent, objective, min(lower, objective), "optimal")
    if incumbent is None or not deadline.passed():  # (large: only if it can stop in time)
        messages = None if progress is None else highs_messages(
            progress, objective=None if incumbent is None or not on_objective else inc_value,
            bound=lower if on_objective else None, with_values=on_objective)
        say("model", None, None)
        flows, bound, status = _solve_mip(scenario, net, price=price, params=params,
                                          deadline=deadline.at, seed=run.seed, hint=initial,
                                          messages=messages)
    else:  # elimination used the time: the incumbent is the plan
        flows, bound, status = None, None, "timeout"
    say("extract", None, None)
    itineraries = [] if flows is None else _extract(scenario, net, flows, price, params.splittable)
    value = (_value(itineraries, params.minimize) + _premium_of(net, flows, shaped)
             if flows is not None else math.inf)
    if incumbent is not None and status != "optimal" and inc_value < value:
        # stopped early: the incumbent is a plan too (and the only one if none found)
        itineraries = incumbent
    objective = _total(itineraries)
    if lower is not None and (bound is None or lower > bound):
        bound = lower
    if not itineraries:  # no incumbent at all: every shipment dropped
        drops = {(d.shipment, i): 1.0 for d in net.demands for i in net.usable[d.shipment]
                 if net.arcs[i].kind == "drop"}
        itineraries = _extract(scenario, net, drops, price, params.splittable)
        objective = _total(itineraries)
    if params.minimize != "objective" or shaped:  # the bound is not on the objective
        bound = None
        status = "feasible" if status == "optimal" else status
    elif bound is not None:
        bound = min(bound, objective)
        status = "optimal" if relative_gap(objective, bound) <= GAP_OPTIMAL else (
            "feasible" if status == "optimal" else status)
    return plan_of(itineraries, objective, bound, status)


def solve_hindsight(
    scenario: Scenario,
    realised: KnownEvents,
    *,
    time_limit_s: float,
    seed: int,
    params: PlanParams | None = None,
    tables: Tables | None = None,
    **deprecated: Any,
) -> Plan:
    """The clairvoyant plan: the same model with every realised event known from hour 0.

    Its objective is the lower bound every policy's realised cost on that episode is compared
    to (when solved to optimality). Arguments as in :func:`solve_plan`."""
    params = fold_deprecated("solve_hindsight", params or PlanParams(), deprecated,
                             DEPRECATED_PLAN_KEYWORDS)
    v.instance_of(realised, KnownEvents, "realised")
    return solve_plan(scenario, time_limit_s=time_limit_s, seed=seed, params=params,
                      events=realised, tables=tables)


def _quiet(phase: str, objective: float | None, bound: float | None) -> None:
    """No progress reports."""


def _reserve_s(time_limit_s: float, n_demands: int) -> float:
    """Seconds of ``time_limit_s`` kept for reading the solution, building the itineraries
    and checking the plan after the solver stops: :data:`EXTRACT_S_PER_SHIPMENT` per
    shipment, at least 1 % and at most half of the limit."""
    return min(0.5 * time_limit_s, max(0.01 * time_limit_s, EXTRACT_S_PER_SHIPMENT * n_demands))


def _total(itineraries) -> float:
    return sum(it.objective_cny for it in itineraries)


def _value(itineraries, minimize: str) -> float:
    """What the MIP minimises for these itineraries: the objective (CNY), or CO2 (kg) with a
    drop counted as 10^9 kg per TEU."""
    if minimize == "co2":
        return sum(DROP_CO2_KG_PER_TEU * it.teu if it.dropped else it.co2_kg for it in itineraries)
    return _total(itineraries)


def _meets(itineraries, params: PlanParams) -> bool:
    """True if the itineraries keep ``params``' CO2 cap and delivered shares."""
    if params.co2_cap_kg is not None and sum(it.co2_kg for it in itineraries) > params.co2_cap_kg:
        return False
    share = params.shares()
    moved: dict[str, float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)
    for it in itineraries:
        total[it.shipment] += it.teu
        moved[it.shipment] += 0.0 if it.dropped else it.teu
    return all(abs(moved[s] / total[s] - x) <= 1e-9 for s, x in share.items() if total[s] > 0)


def _eliminate_arcs(scenario: Scenario, net: TimeExpandedNetwork, price: float,
                    params: PlanParams, initial: Plan | None, deadline: Deadline | None = None
                    ) -> tuple[list[Itinerary] | None, float | None, float]:
    """An incumbent (the greedy plan, or ``initial`` where still feasible and better) that
    keeps the CO2 cap and delivered shares, the lower bound of :func:`prune`, which
    removes from ``net.usable`` every arc no optimal plan uses, and the incumbent's value
    (what the MIP minimises, premiums included). Exact for unsplittable plans:
    an arc is removed only if every plan through it is worse than the incumbent, and the
    incumbent meets every constraint of the model. ``(None, None, inf)`` if no incumbent
    does; the bound is ``None`` if ``deadline`` stopped :func:`prune` before it had one."""
    arr = ArcArrays.of(net)
    shaped = params.shaped
    found = []
    greedy = greedy_flows(scenario, net, price, arr, minimize=params.minimize, share=params.shares())
    if greedy is not None:
        found.append((_extract(scenario, net, greedy, price, False), greedy))
    warm = None if initial is None else _hint_flows(net, initial)
    if warm is not None:
        found.append((_extract(scenario, net, warm, price, False), warm))
    found = [(its, _value(its, params.minimize) + _premium_of(net, flows, shaped))
             for its, flows in found if _meets(its, params)]
    if not found:
        return None, None, math.inf
    incumbent, ub = min(found, key=lambda f: f[1])
    return incumbent, prune(net, arr, scenario.objective, price, ub,
                            minimize=params.minimize, deadline=deadline), ub


def _apply_premiums(scenario: Scenario, net: TimeExpandedNetwork, params: PlanParams) -> bool:
    """Put ``params.premiums`` on ``net``'s arcs (``Arc.premium_cny_per_teu``, which
    :class:`ArcArrays` adds to the arc's cost); True if some arc got one (only when the plan
    minimises the objective: a CO2 plan ignores them)."""
    if not params.shaped or params.minimize != "objective":
        return False
    extra = params.premiums.per_arc(scenario, net)
    if not extra.any():
        return False
    net.arcs = [a if not x else replace(a, premium_cny_per_teu=float(x))
                for a, x in zip(net.arcs, extra.tolist())]
    return True


def _premium_of(net: TimeExpandedNetwork, flows: Flows | None, shaped: bool) -> float:
    """The premiums (CNY) ``flows`` pay on ``net``'s arcs (0 unless ``shaped``)."""
    if not shaped or not flows:
        return 0.0
    q = {d.shipment: d.quantity_teu for d in net.demands}
    return sum(q[s] * f * net.arcs[i].premium_cny_per_teu for (s, i), f in flows.items())


def _solve_mip(scenario: Scenario, net: TimeExpandedNetwork, *, price: float, params: PlanParams,
               deadline: float, seed: int, hint: Plan | None, messages=None):
    """Build the MIP, solve it until ``deadline`` (``time.perf_counter()``), read the result:
    ``(flows, bound, status)`` with ``flows`` ``None`` if no plan was found in time. Neither
    built nor solved (``(None, None, "timeout")``) if it could not stop by ``deadline``
    (:func:`~.budget.mip_worth_starting`); HiGHS's limit leaves :func:`~.budget.beyond_limit_s`.
    ``messages``: MathOpt's message callback (the solver's log lines; ``None``: no log)."""
    n_columns = sum(len(arcs) for arcs in net.usable.values())
    if not mip_worth_starting(n_columns, deadline - time.perf_counter(), built=False):
        return None, None, "timeout"
    proto, columns = _build_model(scenario, net, price=price, params=params)
    left = deadline - time.perf_counter()
    if not mip_worth_starting(len(columns), left, built=True):
        return None, None, "timeout"
    solve_params = mathopt.SolveParameters(
        time_limit=datetime.timedelta(seconds=max(0.05, left - beyond_limit_s(len(columns)))),
        relative_gap_tolerance=GAP_OPTIMAL / 10, absolute_gap_tolerance=1e-4, random_seed=seed)
    model_params = model_parameters_pb2.ModelSolveParametersProto()
    if hint is not None and params.solver == "scip":
        _add_hint(model_params, net, columns, hint)
    result = _solve_proto(proto, params.solver, solve_params, model_params, messages)
    return _read_result(result, net, columns, params.solver)


# --- build -------------------------------------------------------------------------------


@dataclass
class _Columns:
    """The MIP's columns, one per (shipment, usable arc): the demand index, the arc, the
    shipment's TEU and the objective coefficient (CNY) of each."""

    ship: np.ndarray
    arc: np.ndarray
    teu: np.ndarray
    cost: np.ndarray

    def __len__(self) -> int:
        return len(self.arc)


@dataclass
class _Rows:
    """Constraint rows as coordinate entries (row, column, value) and row bounds."""

    rows: list[np.ndarray]
    cols: list[np.ndarray]
    vals: list[np.ndarray]
    lower: np.ndarray
    upper: np.ndarray

    def add(self, rows, cols, vals, lower, upper) -> None:
        self.rows.append(rows)
        self.cols.append(cols)
        self.vals.append(vals)
        self.lower = np.concatenate([self.lower, lower])
        self.upper = np.concatenate([self.upper, upper])


def _build_model(scenario: Scenario, net: TimeExpandedNetwork, *, price: float,
                 params: PlanParams) -> tuple[model_pb2.ModelProto, _Columns]:
    """The plan MIP as a MathOpt ``ModelProto`` (built from arrays, see :func:`_model_proto`)
    and its columns: flow conservation, binding capacities, the CO2 cap, the fixed drops."""
    arr = ArcArrays.of(net)
    columns, rows = _flow_rows(net, arr, scenario.objective, price, params.minimize)
    _capacity_rows(net, columns, rows)
    if params.co2_cap_kg is not None:
        e = arr.co2[columns.arc] * columns.teu
        nz = np.nonzero(e)[0]
        rows.add(np.full(len(nz), len(rows.lower)), nz, e[nz], [-np.inf], [params.co2_cap_kg])
    lower, upper = np.zeros(len(columns)), np.ones(len(columns))
    share = params.shares()
    if share:  # the drop arc of a named shipment carries exactly the share not delivered
        ids = np.array([share.get(d.shipment, np.nan) for d in net.demands])
        fixed = np.nonzero(arr.is_drop[columns.arc] & ~np.isnan(ids[columns.ship]))[0]
        lower[fixed] = upper[fixed] = 1.0 - ids[columns.ship[fixed]]
    proto = _model_proto(f"plan-{scenario.name}", columns, rows, integer=not params.splittable,
                         lower=lower, upper=upper)
    return proto, columns


def _flow_rows(net: TimeExpandedNetwork, arr: ArcArrays, obj: Objective, price: float,
               minimize: str) -> tuple[_Columns, _Rows]:
    """The columns, and flow conservation: one row per (shipment, event node its arcs touch),
    +1 out of its source and -1 into its sink."""
    ship, arc, teu, cost = [], [], [], []
    rows, cols, vals, rhs = [], [], [], []
    n_rows = n_cols = 0
    for k, d in enumerate(net.demands):
        idx = np.asarray(net.usable[d.shipment], dtype=np.int64)
        j = n_cols + np.arange(len(idx))
        nodes, inv = np.unique(np.concatenate([arr.tail[idx], arr.head[idx]]), return_inverse=True)
        b = np.zeros(len(nodes))
        b[np.searchsorted(nodes, net.source[d.shipment])] = 1.0
        b[np.searchsorted(nodes, net.sink[d.destination])] = -1.0
        rows += [inv[:len(idx)] + n_rows, inv[len(idx):] + n_rows]
        cols += [j, j]
        vals += [np.ones(len(idx)), -np.ones(len(idx))]
        rhs.append(b)
        ship.append(np.full(len(idx), k))
        arc.append(idx)
        teu.append(np.full(len(idx), d.quantity_teu))
        cost.append(shipment_costs(arr, idx, d, obj, price, minimize))
        n_rows += len(nodes)
        n_cols += len(idx)
    b_all = np.concatenate(rhs)
    columns = _Columns(ship=np.concatenate(ship), arc=np.concatenate(arc),
                       teu=np.concatenate(teu), cost=np.concatenate(cost))
    return columns, _Rows(rows=rows, cols=cols, vals=vals, lower=b_all, upper=b_all.copy())


def _capacity_rows(net: TimeExpandedNetwork, columns: _Columns, rows: _Rows) -> None:
    """One row per capacity resource that the columns could overload: the TEU of every column
    whose arc uses it, at most its capacity."""
    res_index: dict[tuple, int] = {}
    res_ptr = [0]
    res_ids: list[int] = []
    for a in net.arcs:
        res_ids.extend(res_index.setdefault(r, len(res_index)) for r in a.resources)
        res_ptr.append(len(res_ids))
    res_ptr_a = np.array(res_ptr, dtype=np.int64)
    res_ids_a = np.array(res_ids, dtype=np.int64)
    res_cap = np.array([net.capacity[r] for r in res_index], dtype=float)
    # one entry per (column, resource of its arc)
    counts = res_ptr_a[columns.arc + 1] - res_ptr_a[columns.arc]
    rc_cols = np.repeat(np.arange(len(columns)), counts)
    starts = np.repeat(res_ptr_a[columns.arc], counts)
    offs = np.arange(len(rc_cols)) - np.repeat(np.cumsum(counts) - counts, counts)
    rc_res = res_ids_a[starts + offs]
    rc_q = columns.teu[rc_cols]
    load = np.bincount(rc_res, weights=rc_q, minlength=len(res_cap))
    binding = load > res_cap + 1e-9
    res_row = np.full(len(res_cap), -1, dtype=np.int64)
    res_row[binding] = len(rows.lower) + np.arange(int(binding.sum()))
    keep = binding[rc_res]
    rows.add(res_row[rc_res[keep]], rc_cols[keep], rc_q[keep],
             np.full(int(binding.sum()), -np.inf), res_cap[binding])


def _model_proto(name: str, columns: _Columns, rows: _Rows, *, integer: bool,
                 lower: np.ndarray | None = None, upper: np.ndarray | None = None) -> model_pb2.ModelProto:
    """Columns in [lower, upper] (default [0, 1]; integer or not), rows as a sorted sparse
    matrix, minimise cost."""
    n_cols = len(columns)
    proto = model_pb2.ModelProto(name=name)
    proto.variables.ids.extend(range(n_cols))
    proto.variables.lower_bounds.extend((np.zeros(n_cols) if lower is None else lower).tolist())
    proto.variables.upper_bounds.extend((np.ones(n_cols) if upper is None else upper).tolist())
    proto.variables.integers.extend([integer] * n_cols)
    proto.linear_constraints.ids.extend(range(len(rows.lower)))
    proto.linear_constraints.lower_bounds.extend(rows.lower.tolist())
    proto.linear_constraints.upper_bounds.extend(rows.upper.tolist())
    r_all, c_all, v_all = np.concatenate(rows.rows), np.concatenate(rows.cols), np.concatenate(rows.vals)
    order = np.lexsort((c_all, r_all))
    mat = proto.linear_constraint_matrix
    mat.row_ids.extend(r_all[order].tolist())
    mat.column_ids.extend(c_all[order].tolist())
    mat.coefficients.extend(v_all[order].tolist())
    nz = np.nonzero(columns.cost)[0]
    proto.objective.maximize = False
    proto.objective.linear_coefficients.ids.extend(nz.tolist())
    proto.objective.linear_coefficients.values.extend(columns.cost[nz].tolist())
    return proto


def _add_hint(model_params, net: TimeExpandedNetwork, columns: _Columns, hint: Plan) -> None:
    """A solution hint that follows ``hint`` for the shipments that still can (SCIP)."""
    col_of = {(net.demands[k].shipment, int(a)): j for j, (k, a) in enumerate(
        zip(columns.ship, columns.arc))}
    values = _hint_values(net, col_of, hint)
    if values:
        ids = sorted(values)
        model_params.solution_hints.append(model_parameters_pb2.SolutionHintProto(
            variable_values=sparse_containers_pb2.SparseDoubleVectorProto(
                ids=ids, values=[values[j] for j in ids])))


# --- solve -------------------------------------------------------------------------------


def _solve_proto(proto: model_pb2.ModelProto, solver: str, solve_params: mathopt.SolveParameters,
                 model_params, messages=None) -> result_pb2.SolveResultProto:
    """MathOpt's solve on a ``ModelProto``, stopped by SIGINT / SIGTERM (mmroute.interrupt).

    This is what ``mathopt.solve`` runs after exporting its Python ``Model`` to a proto. On the
    1000-shipment plan_scaling case (1.72 M variables, 485 k rows) the proto takes 6.3 s to
    build from arrays; a Python ``Model`` would add 11.7 s for ``add_binary_variable`` alone
    (10.3 s even via ``Model.from_model_proto``) and 6.9 s for ``export_model`` in the solve."""
    interrupter = SolveInterrupter()
    try:
        with stoppable(interrupter.interrupt):
            return core_solver.solve(
                model=proto, solver_type=SOLVERS[solver].value,
                solver_initializer=init_arguments.StreamableSolverInitArguments().to_proto(),
                parameters=solve_params.to_proto(), model_parameters=model_params,
                message_callback=messages,
                callback_registration=callback.CallbackRegistration().to_proto(), user_cb=None,
                interrupter=interrupter.pybind_interrupter)
    except Exception as exc:  # the solver library's own errors
        raise SolverError(f"{solver} failed: {exc}") from exc


# --- extract -----------------------------------------------------------------------------


def _read_result(res: result_pb2.SolveResultProto, net: TimeExpandedNetwork, columns: _Columns,
                 solver: str) -> tuple[Flows | None, float | None, str]:
    """``(flows, bound, status)`` of a solve: the positive flow shares of its best solution
    (``None`` if it timed out without one), the dual bound (``None`` if infinite)."""
    TR = mathopt.TerminationReason
    reason = TR(res.termination.reason)
    if reason in (TR.INFEASIBLE, TR.INFEASIBLE_OR_UNBOUNDED):  # drops keep the model feasible unless fixed or capped
        raise InfeasibleError("no plan delivers the shipments params.delivered_share asks for "
                              "within params.co2_cap_kg")
    bound = res.termination.objective_bounds.dual_bound
    bound = None if abs(bound) == float("inf") else float(bound)
    timed_out = res.termination.limit == mathopt.Limit.TIME.value
    feasible = [sol.primal_solution for sol in res.solutions if sol.HasField("primal_solution")
                and sol.primal_solution.feasibility_status == solution_pb2.SOLUTION_STATUS_FEASIBLE]
    if not feasible:
        if not timed_out:
            raise SolverError(f"{solver} stopped without a plan ({reason.name})")
        return None, bound, "timeout"
    sol = feasible[0].variable_values
    ids = np.array(sol.ids, dtype=np.int64)
    xs = np.array(sol.values, dtype=float)
    pos = xs > 1e-7
    flows = {(net.demands[columns.ship[j]].shipment, int(columns.arc[j])): float(x)
             for j, x in zip(ids[pos], xs[pos])}
    status = "optimal" if reason == TR.OPTIMAL else "timeout" if timed_out else "feasible"
    return flows, bound, status


def _hint_paths(net: TimeExpandedNetwork, hint: Plan) -> dict[str, set[int] | None]:
    """For each remaining shipment, the arcs that follow ``hint``'s remaining legs (``None``
    where they no longer exist in ``net``, e.g. a closed link or a missed departure;
    :func:`~mmroute.routing.plan.follow.followed_paths`)."""
    return {sid: None if p is None else set(p) for sid, p in followed_paths(net, hint).items()}


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


def _extract(scenario: Scenario, net: TimeExpandedNetwork, flows: Flows, price: float,
             splittable: bool) -> list[Itinerary]:
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
        return Itinerary(shipment=d.shipment, teu=teu, legs=(), handling=(), arrival_h=None,
                         lateness_h=0.0, dropped=True, cost_cny=0.0, co2_kg=0.0,
                         objective_cny=obj.drop_penalty_cny_per_teu * teu)
    legs = tuple(
        Leg(link=lg.link, mode=lg.mode, from_node=lg.from_node, to_node=lg.to_node,
            departure_h=lg.departure_h, arrival_h=lg.arrival_h, cost_cny=lg.cost_per_teu_cny * teu,
            co2_kg=lg.co2_per_teu_kg * teu, timetable_h=lg.timetable_h)
        for a in arcs for lg in a.legs)
    handling = tuple(Handling(node=h.node, at_h=h.at_h, cost_cny=h.cost_per_teu_cny * teu)
                     for a in arcs for h in a.handling)
    arrival = arcs[-1].arrival_h
    late = max(0.0, arrival - d.due_h)
    cost = sum(lg.cost_cny for lg in legs) + sum(h.cost_cny for h in handling)
    co2 = sum(lg.co2_kg for lg in legs)
    value = (obj.cost_weight * cost + price * co2 / 1000.0
             + obj.time_value_cny_per_teu_h * teu * (arrival - d.release_h)
             + d.lateness_cny_per_teu_h * teu * late)
    return Itinerary(shipment=d.shipment, teu=teu, legs=legs, handling=handling, arrival_h=arrival,
                     lateness_h=late, dropped=False, cost_cny=cost, co2_kg=co2, objective_cny=value)
