"""Exact CP-SAT model for small instances (tens of boxes): maximise packed volume.

Every box copy ``i`` gets a presence literal, one literal per allowed orientation (exactly one
when present), and integer corner coordinates. Constraints:

- inside: ``x_i + dx_i <= L`` etc., with ``dx_i`` a linear expression of the orientation
  literals;
- no overlap: for every pair, six half-reified separation literals (``i`` left of ``j``, …)
  of which one holds when both are present;
- support (exact for any share): a box is on the floor (``z_i = 0``) or the sum of the x–y
  overlap areas of the boxes ``j`` whose top is exactly at ``z_i`` is at least
  ``min_support`` times its base area. Overlap lengths are ``max(0, min(ends) - max(starts))``
  (min/max equalities), areas are products (multiplication equalities). Boxes with their top at
  ``z_i`` all cross the plane just below ``z_i``, so their footprints are disjoint and the sum
  is exactly the supported area;
- stackability: nothing touches the top of a non-stackable box with positive overlap area;
- payload, and the unloading order of :mod:`mmroute.routing.loading.model` (reified relations);
- symmetry breaking between copies of one type: present copies first, ordered by x.

The objective bound is CP-SAT's; ``status = "optimal"`` only when it equals the objective.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from mmroute import validate
from mmroute.errors import InputError, SolverError
from mmroute.interrupt import stoppable
from mmroute.routing.loading.arguments import placements_of, solver_arguments
from mmroute.routing.loading.model import LoadingInstance, Placement

__all__ = ["ExactResult", "pack_exact", "MAX_EXACT_BOXES"]

MAX_EXACT_BOXES = 60  # box copies; above this the pairwise model is too large to be useful


@dataclass(frozen=True)
class ExactResult:
    """CP-SAT's answer: placements (empty if none found), objective, bound, solver status."""

    placements: tuple[Placement, ...]
    objective: int
    bound: int
    status: str  # "optimal" | "feasible" | "infeasible" | "timeout"
    n_copies: int


def pack_exact(
    instance: LoadingInstance,
    *,
    time_limit_s: float,
    seed: int,
    min_support: float = 1.0,
    hint: tuple[Placement, ...] = (),
    workers: int = 2,
) -> ExactResult:
    """Solve the instance with CP-SAT; ``hint`` (a feasible packing) seeds the search.

    Phases: build (:func:`_box_copies`, :func:`_build_model`), solve, extract
    (:func:`_extract`).
    """
    time_limit_s, seed = solver_arguments(instance, time_limit_s, seed)
    min_support = validate.share(min_support, "min_support")
    hint = placements_of(hint, "hint")
    validate.integer(workers, "workers", lo=1, hi=256)
    copies = _box_copies(instance)
    pm = _build_model(instance, copies, min_support)
    _add_hint(pm.m, instance, copies, hint, pm.pres, pm.xs, pm.ys, pm.zs, pm.orient)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_s)
    solver.parameters.random_seed = int(seed)
    solver.parameters.num_workers = int(workers)
    solver.parameters.catch_sigint_signal = False  # SIGINT stays with Python (mmroute.interrupt)
    with stoppable(solver.stop_search):
        code = solver.Solve(pm.m)
    return _extract(instance, pm, solver, code)


@dataclass
class _PackModel:
    """The CP-SAT model and its variables, per box copy ``i``: presence, corner, far corner
    (``ends``), orientation literals with their dims, and pairwise overlap lengths."""

    m: cp_model.CpModel
    copies: list[int]
    pres: list = field(default_factory=list)
    xs: list = field(default_factory=list)
    ys: list = field(default_factory=list)
    zs: list = field(default_factory=list)
    dxs: list = field(default_factory=list)
    dys: list = field(default_factory=list)
    dzs: list = field(default_factory=list)
    orient: list = field(default_factory=list)
    ends: list = field(default_factory=list)
    ovx: dict = field(default_factory=dict)
    ovy: dict = field(default_factory=dict)
    ovz: dict = field(default_factory=dict)


def _box_copies(instance: LoadingInstance) -> list[int]:
    """Type index per box copy that could fit (at most what the container volume holds)."""
    L, W, H = instance.container.dims
    cvol = instance.container.volume
    copies: list[int] = []
    for ti, t in enumerate(instance.box_types):
        if not t.orientations() or all(o[0] > L or o[1] > W or o[2] > H for o in t.orientations()):
            continue
        copies += [ti] * min(t.quantity, cvol // t.volume)
    if len(copies) > MAX_EXACT_BOXES:
        raise InputError(
            f"the exact model takes at most {MAX_EXACT_BOXES} boxes that could fit, this instance "
            f"has {len(copies)}; use the heuristic",
            field="--exact",
        )
    return copies


def _build_model(instance: LoadingInstance, copies: list[int], min_support: float) -> _PackModel:
    """Variables and constraints of the module docstring, objective: packed volume."""
    pm = _PackModel(m=cp_model.CpModel(), copies=copies)
    _add_boxes(pm, instance)
    _add_symmetry(pm)
    _add_no_overlap(pm, instance)
    _add_support(pm, instance, min_support)
    _add_payload(pm, instance)
    _add_unloading_order(pm, instance)
    total = sum(instance.box_types[ti].volume * p for ti, p in zip(copies, pm.pres))
    pm.m.Add(total <= instance.container.volume)  # redundant: the container volume bounds the objective
    pm.m.Maximize(total)
    return pm


def _add_boxes(pm: _PackModel, instance: LoadingInstance) -> None:
    """Presence, orientation literals (one when present) and corner inside the container."""
    m = pm.m
    L, W, H = instance.container.dims
    for i, ti in enumerate(pm.copies):
        t = instance.box_types[ti]
        p = m.NewBoolVar(f"p{i}")
        oris = [o for o in t.orientations() if o[0] <= L and o[1] <= W and o[2] <= H]
        lits = [m.NewBoolVar(f"o{i}_{k}") for k in range(len(oris))]
        m.Add(sum(lits) == p)
        dx = sum(lit * o[0] for lit, o in zip(lits, oris))
        dy = sum(lit * o[1] for lit, o in zip(lits, oris))
        dz = sum(lit * o[2] for lit, o in zip(lits, oris))
        x, y, z = m.NewIntVar(0, L, f"x{i}"), m.NewIntVar(0, W, f"y{i}"), m.NewIntVar(0, H, f"z{i}")
        m.Add(x + dx <= L)
        m.Add(y + dy <= W)
        m.Add(z + dz <= H)
        for v in (x, y, z):
            m.Add(v == 0).OnlyEnforceIf(p.Not())
        pm.pres.append(p)
        pm.xs.append(x)
        pm.ys.append(y)
        pm.zs.append(z)
        pm.dxs.append(dx)
        pm.dys.append(dy)
        pm.dzs.append(dz)
        pm.orient.append((lits, oris))


def _add_symmetry(pm: _PackModel) -> None:
    """Copies of one type: present copies first, ordered by x."""
    for i in range(len(pm.copies) - 1):
        if pm.copies[i] == pm.copies[i + 1]:
            pm.m.AddImplication(pm.pres[i + 1], pm.pres[i])
            pm.m.Add(pm.xs[i] <= pm.xs[i + 1]).OnlyEnforceIf(pm.pres[i + 1])


def _overlap(m: cp_model.CpModel, a0, a1, b0, b1, ub: int, name: str):
    """An integer variable equal to ``max(0, min(a1, b1) - max(a0, b0))``."""
    lo = m.NewIntVar(0, ub, f"lo{name}")
    hi = m.NewIntVar(0, ub, f"hi{name}")
    m.AddMaxEquality(lo, [a0, b0])
    m.AddMinEquality(hi, [a1, b1])
    d = m.NewIntVar(-ub, ub, f"d{name}")
    m.Add(d == hi - lo)
    ov = m.NewIntVar(0, ub, f"ov{name}")
    m.AddMaxEquality(ov, [d, 0])
    return ov


def _add_no_overlap(pm: _PackModel, instance: LoadingInstance) -> None:
    """Far corners, one separating direction per present pair, overlap lengths per axis."""
    m, n = pm.m, len(pm.copies)
    L, W, H = instance.container.dims
    xs, ys, zs = pm.xs, pm.ys, pm.zs
    pm.ends = [
        (m.NewIntVar(0, L, f"ex{i}"), m.NewIntVar(0, W, f"ey{i}"), m.NewIntVar(0, H, f"ez{i}"))
        for i in range(n)
    ]
    ends = pm.ends
    for i in range(n):
        m.Add(ends[i][0] == xs[i] + pm.dxs[i])
        m.Add(ends[i][1] == ys[i] + pm.dys[i])
        m.Add(ends[i][2] == zs[i] + pm.dzs[i])
    for i in range(n):
        for j in range(i + 1, n):
            seps = []
            for (a, ea, b, eb) in (
                (xs[i], ends[i][0], xs[j], ends[j][0]),
                (ys[i], ends[i][1], ys[j], ends[j][1]),
                (zs[i], ends[i][2], zs[j], ends[j][2]),
            ):
                s1, s2 = m.NewBoolVar(""), m.NewBoolVar("")
                m.Add(ea <= b).OnlyEnforceIf(s1)
                m.Add(eb <= a).OnlyEnforceIf(s2)
                seps += [s1, s2]
            m.AddBoolOr([*seps, pm.pres[i].Not(), pm.pres[j].Not()])
            pm.ovx[i, j] = pm.ovx[j, i] = _overlap(m, xs[i], ends[i][0], xs[j], ends[j][0], L, f"x{i}_{j}")
            pm.ovy[i, j] = pm.ovy[j, i] = _overlap(m, ys[i], ends[i][1], ys[j], ends[j][1], W, f"y{i}_{j}")
            pm.ovz[i, j] = pm.ovz[j, i] = _overlap(m, zs[i], ends[i][2], zs[j], ends[j][2], H, f"z{i}_{j}")


def _add_support(pm: _PackModel, instance: LoadingInstance, min_support: float) -> None:
    """On the floor or ``min_support`` of the base on tops at exactly its height; nothing
    touches the top of a non-stackable box."""
    m, n = pm.m, len(pm.copies)
    L, W, _ = instance.container.dims
    types = instance.box_types
    pct = round(min_support * 1000)
    if n <= 1:
        return
    for i in range(n):
        on_floor = m.NewBoolVar(f"floor{i}")
        m.Add(pm.zs[i] == 0).OnlyEnforceIf(on_floor)
        contrib = []
        for j in range(n):
            if j == i:
                continue
            area = m.NewIntVar(0, L * W, f"a{i}_{j}")
            m.AddMultiplicationEquality(area, [pm.ovx[i, j], pm.ovy[i, j]])
            touch = m.NewBoolVar(f"t{i}_{j}")  # j's top is exactly i's base
            m.Add(pm.ends[j][2] == pm.zs[i]).OnlyEnforceIf(touch)
            m.Add(pm.ends[j][2] != pm.zs[i]).OnlyEnforceIf(touch.Not())
            if not types[pm.copies[j]].stackable:
                m.Add(area == 0).OnlyEnforceIf([touch, pm.pres[i], pm.pres[j]])
                continue
            s = m.NewIntVar(0, L * W, f"s{i}_{j}")
            m.Add(s <= area)
            m.Add(s == 0).OnlyEnforceIf(touch.Not())
            contrib.append(s)
        lits, oris = pm.orient[i]
        base = sum(lit * (o[0] * o[1]) for lit, o in zip(lits, oris))
        m.Add(1000 * sum(contrib) >= pct * base).OnlyEnforceIf([on_floor.Not(), pm.pres[i]])


def _add_payload(pm: _PackModel, instance: LoadingInstance) -> None:
    """Total weight within the payload (kg, to the gram)."""
    payload = instance.container.payload_kg
    if payload is None:
        return
    scale = 1000
    pm.m.Add(
        sum(round(instance.box_types[ti].weight_kg * scale) * pm.pres[i] for i, ti in enumerate(pm.copies))
        <= math.floor(payload * scale)
    )


def _add_unloading_order(pm: _PackModel, instance: LoadingInstance) -> None:
    """A box ``b`` of a later stop is neither in front of nor above a box ``a`` of an earlier one."""
    m, n = pm.m, len(pm.copies)
    types, xs, zs, ends = instance.box_types, pm.xs, pm.zs, pm.ends
    for a in range(n):
        for b in range(n):
            sa, sb = types[pm.copies[a]].stop, types[pm.copies[b]].stop
            if a == b or sa is None or sb is None or sb <= sa:
                continue
            both = [pm.pres[a].Not(), pm.pres[b].Not()]
            front = m.NewBoolVar("")
            m.Add(xs[b] >= ends[a][0]).OnlyEnforceIf(front)
            m.Add(xs[b] < ends[a][0]).OnlyEnforceIf(front.Not())
            above = m.NewBoolVar("")
            m.Add(zs[b] >= ends[a][2]).OnlyEnforceIf(above)
            m.Add(zs[b] < ends[a][2]).OnlyEnforceIf(above.Not())
            gx, gy, gz = m.NewBoolVar(""), m.NewBoolVar(""), m.NewBoolVar("")
            for g, ov in ((gx, pm.ovx[a, b]), (gy, pm.ovy[a, b]), (gz, pm.ovz[a, b])):
                m.Add(ov >= 1).OnlyEnforceIf(g)
                m.Add(ov == 0).OnlyEnforceIf(g.Not())
            m.AddBoolOr([front.Not(), gy.Not(), gz.Not(), *both])
            m.AddBoolOr([above.Not(), gx.Not(), gy.Not(), *both])


def _extract(instance: LoadingInstance, pm: _PackModel, solver: cp_model.CpSolver, code) -> ExactResult:
    """Placements, objective, bound and status from CP-SAT's answer."""
    if code == cp_model.INFEASIBLE:  # cannot happen: packing nothing is feasible
        raise SolverError("CP-SAT reported the loading model infeasible")
    if code == cp_model.MODEL_INVALID:
        raise SolverError(f"CP-SAT rejected the model: {pm.m.Validate()}")
    n = len(pm.copies)
    bound = int(math.floor(solver.BestObjectiveBound() + 1e-6))
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ExactResult(placements=(), objective=0, bound=min(bound, instance.container.volume),
                           status="timeout", n_copies=n)
    out: list[Placement] = []
    for i, ti in enumerate(pm.copies):
        if not solver.Value(pm.pres[i]):
            continue
        lits, oris = pm.orient[i]
        o = next(o for lit, o in zip(lits, oris) if solver.Value(lit))
        pos = (solver.Value(pm.xs[i]), solver.Value(pm.ys[i]), solver.Value(pm.zs[i]))
        out.append(Placement(type_id=instance.box_types[ti].id, position=pos, dims=o))
    obj = int(round(solver.ObjectiveValue()))
    status = "optimal" if code == cp_model.OPTIMAL and bound <= obj else "feasible"
    return ExactResult(placements=tuple(out), objective=obj, bound=max(bound, obj), status=status, n_copies=n)


def _add_hint(m, instance, copies, hint, pres, xs, ys, zs, orient) -> None:
    """Map a feasible packing onto the box copies as a solution hint."""
    if not hint:
        return
    free: dict[int, list[int]] = {}
    for i, ti in enumerate(copies):
        free.setdefault(instance.box_types[ti].id, []).append(i)
    # copies of one type are ordered by x (symmetry breaking): hint in that order
    used: set[int] = set()
    for p in sorted(hint, key=lambda p: p.position[0]):
        slots = free.get(p.type_id)
        if not slots:
            return  # hint does not match the copies: give no (partial) hint
        i = slots.pop(0)
        lits, oris = orient[i]
        if p.dims not in oris:
            return
        used.add(i)
        m.AddHint(pres[i], 1)
        m.AddHint(xs[i], p.position[0])
        m.AddHint(ys[i], p.position[1])
        m.AddHint(zs[i], p.position[2])
        for lit, o in zip(lits, oris):
            m.AddHint(lit, int(o == p.dims))
    for i in range(len(copies)):
        if i not in used:
            m.AddHint(pres[i], 0)
