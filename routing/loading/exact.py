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
from dataclasses import dataclass

from ortools.sat.python import cp_model

from mmroute.errors import InputError, SolverError
from mmroute.interrupt import stoppable
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
    time_limit_s: float,
    *,
    seed: int = 0,
    min_support: float = 1.0,
    hint: tuple[Placement, ...] = (),
    workers: int = 2,
) -> ExactResult:
    """Solve the instance with CP-SAT; ``hint`` (a feasible packing) seeds the search."""
    if not 0.0 <= min_support <= 1.0:
        raise InputError(f"min_support must be in [0, 1], got {min_support}", field="min_support")
    L, W, H = instance.container.dims
    cvol = instance.container.volume
    copies: list[int] = []  # type index per copy
    for ti, t in enumerate(instance.box_types):
        if not t.orientations() or all(o[0] > L or o[1] > W or o[2] > H for o in t.orientations()):
            continue
        copies += [ti] * min(t.quantity, cvol // t.volume)
    n = len(copies)
    if n > MAX_EXACT_BOXES:
        raise InputError(
            f"the exact model takes at most {MAX_EXACT_BOXES} boxes that could fit, this instance "
            f"has {n}; use the heuristic",
            field="--exact",
        )
    types = instance.box_types
    m = cp_model.CpModel()
    pres, xs, ys, zs, dxs, dys, dzs, orient = [], [], [], [], [], [], [], []
    for i, ti in enumerate(copies):
        t = types[ti]
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
        pres.append(p)
        xs.append(x)
        ys.append(y)
        zs.append(z)
        dxs.append(dx)
        dys.append(dy)
        dzs.append(dz)
        orient.append((lits, oris))

    # symmetry between copies of one type
    for i in range(n - 1):
        if copies[i] == copies[i + 1]:
            m.AddImplication(pres[i + 1], pres[i])
            m.Add(xs[i] <= xs[i + 1]).OnlyEnforceIf(pres[i + 1])

    def overlap(a0, a1, b0, b1, ub, name):  # max(0, min(a1, b1) - max(a0, b0))
        lo = m.NewIntVar(0, ub, f"lo{name}")
        hi = m.NewIntVar(0, ub, f"hi{name}")
        m.AddMaxEquality(lo, [a0, b0])
        m.AddMinEquality(hi, [a1, b1])
        d = m.NewIntVar(-ub, ub, f"d{name}")
        m.Add(d == hi - lo)
        ov = m.NewIntVar(0, ub, f"ov{name}")
        m.AddMaxEquality(ov, [d, 0])
        return ov

    ends = [
        (m.NewIntVar(0, L, f"ex{i}"), m.NewIntVar(0, W, f"ey{i}"), m.NewIntVar(0, H, f"ez{i}"))
        for i in range(n)
    ]
    for i in range(n):
        m.Add(ends[i][0] == xs[i] + dxs[i])
        m.Add(ends[i][1] == ys[i] + dys[i])
        m.Add(ends[i][2] == zs[i] + dzs[i])

    ovx: dict[tuple[int, int], cp_model.IntVar] = {}
    ovy: dict[tuple[int, int], cp_model.IntVar] = {}
    ovz: dict[tuple[int, int], cp_model.IntVar] = {}
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
            m.AddBoolOr([*seps, pres[i].Not(), pres[j].Not()])
            ovx[i, j] = ovx[j, i] = overlap(xs[i], ends[i][0], xs[j], ends[j][0], L, f"x{i}_{j}")
            ovy[i, j] = ovy[j, i] = overlap(ys[i], ends[i][1], ys[j], ends[j][1], W, f"y{i}_{j}")
            ovz[i, j] = ovz[j, i] = overlap(zs[i], ends[i][2], zs[j], ends[j][2], H, f"z{i}_{j}")

    # support and stackability
    pct = round(min_support * 1000)
    if n > 1:
        for i in range(n):
            on_floor = m.NewBoolVar(f"floor{i}")
            m.Add(zs[i] == 0).OnlyEnforceIf(on_floor)
            contrib = []
            for j in range(n):
                if j == i:
                    continue
                area = m.NewIntVar(0, L * W, f"a{i}_{j}")
                m.AddMultiplicationEquality(area, [ovx[i, j], ovy[i, j]])
                touch = m.NewBoolVar(f"t{i}_{j}")  # j's top is exactly i's base
                m.Add(ends[j][2] == zs[i]).OnlyEnforceIf(touch)
                m.Add(ends[j][2] != zs[i]).OnlyEnforceIf(touch.Not())
                if not types[copies[j]].stackable:
                    m.Add(area == 0).OnlyEnforceIf([touch, pres[i], pres[j]])
                    continue
                s = m.NewIntVar(0, L * W, f"s{i}_{j}")
                m.Add(s <= area)
                m.Add(s == 0).OnlyEnforceIf(touch.Not())
                contrib.append(s)
            lits, oris = orient[i]
            base = sum(lit * (o[0] * o[1]) for lit, o in zip(lits, oris))
            m.Add(1000 * sum(contrib) >= pct * base).OnlyEnforceIf([on_floor.Not(), pres[i]])

    # payload
    payload = instance.container.payload_kg
    if payload is not None:
        scale = 1000
        m.Add(
            sum(round(types[ti].weight_kg * scale) * pres[i] for i, ti in enumerate(copies))
            <= math.floor(payload * scale)
        )

    # unloading order: b (later stop) neither in front of nor above a (earlier stop)
    for a in range(n):
        for b in range(n):
            sa, sb = types[copies[a]].stop, types[copies[b]].stop
            if a == b or sa is None or sb is None or sb <= sa:
                continue
            both = [pres[a].Not(), pres[b].Not()]
            front = m.NewBoolVar("")
            m.Add(xs[b] >= ends[a][0]).OnlyEnforceIf(front)
            m.Add(xs[b] < ends[a][0]).OnlyEnforceIf(front.Not())
            above = m.NewBoolVar("")
            m.Add(zs[b] >= ends[a][2]).OnlyEnforceIf(above)
            m.Add(zs[b] < ends[a][2]).OnlyEnforceIf(above.Not())
            gx, gy, gz = m.NewBoolVar(""), m.NewBoolVar(""), m.NewBoolVar("")
            for g, ov in ((gx, ovx[a, b]), (gy, ovy[a, b]), (gz, ovz[a, b])):
                m.Add(ov >= 1).OnlyEnforceIf(g)
                m.Add(ov == 0).OnlyEnforceIf(g.Not())
            m.AddBoolOr([front.Not(), gy.Not(), gz.Not(), *both])
            m.AddBoolOr([above.Not(), gx.Not(), gy.Not(), *both])

    vol = [types[ti].volume for ti in copies]
    total = sum(v * p for v, p in zip(vol, pres))
    m.Add(total <= cvol)  # redundant: the container volume bounds the objective
    m.Maximize(total)

    _add_hint(m, instance, copies, hint, pres, xs, ys, zs, orient)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_s)
    solver.parameters.random_seed = int(seed)
    solver.parameters.num_workers = int(workers)
    solver.parameters.catch_sigint_signal = False  # SIGINT stays with Python (mmroute.interrupt)
    with stoppable(solver.stop_search):
        code = solver.Solve(m)
    if code == cp_model.INFEASIBLE:  # cannot happen: packing nothing is feasible
        raise SolverError("CP-SAT reported the loading model infeasible")
    if code == cp_model.MODEL_INVALID:
        raise SolverError(f"CP-SAT rejected the model: {m.Validate()}")
    bound = int(math.floor(solver.BestObjectiveBound() + 1e-6))
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ExactResult((), 0, min(bound, cvol), "timeout", n)
    out: list[Placement] = []
    for i, ti in enumerate(copies):
        if not solver.Value(pres[i]):
            continue
        lits, oris = orient[i]
        o = next(o for lit, o in zip(lits, oris) if solver.Value(lit))
        pos = (solver.Value(xs[i]), solver.Value(ys[i]), solver.Value(zs[i]))
        out.append(Placement(types[ti].id, pos, o))
    obj = int(round(solver.ObjectiveValue()))
    status = "optimal" if code == cp_model.OPTIMAL and bound <= obj else "feasible"
    return ExactResult(tuple(out), obj, max(bound, obj), status, n)


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
