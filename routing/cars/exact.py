"""Exact CP-SAT loading model: load as many of a route's vehicles as possible, with a proof.

Lengths in whole millimetres (vehicle lengths and the gap rounded up, platform lengths down,
so every answer is valid in metres). Variables and constraints:

- ``a[i, p]``: vehicle i on platform p, only where it fits alone (length, height within the
  clearance and the envelope, weight, width); ``sum_p a[i, p] <= 1``;
- ``s[i, p]``: its front; an optional interval ``[s, s + length + gap)`` inside
  ``[0, L_p + gap)``; one NoOverlap per platform (the gap keeps vehicles apart);
- weight per platform and in total;
- LIFO (:mod:`.load`): for stop(i) < stop(j), j may not block i — on a shared platform i lies
  behind j (``s_i >= s_j + len_j + gap``), and j is not on the exit chain of i's platform;
- symmetry: identical vehicles (same model and stop) on one platform keep their index order.

Objective: maximise the number of vehicles loaded. ``status``: ``"optimal"`` — all loaded
(the bound n is met) or the maximum proven; the full load is then *proven infeasible* when the
optimum is below n. The bound is CP-SAT's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from mmroute.errors import SolverError
from mmroute.routing.cars.load import DeckPlacement, LoadItem
from mmroute.scenarios.cars_model import CarrierType, VehicleModel

__all__ = ["ExactLoad", "load_exact"]


@dataclass(frozen=True)
class ExactLoad:
    """CP-SAT's answer: the best placements found, their count, CP-SAT's bound, its status."""

    placements: tuple[DeckPlacement, ...]
    n_loaded: int
    bound: int
    status: str  # "optimal" | "feasible" | "timeout"

    def summary(self) -> str:
        return f"CP-SAT: {self.n_loaded} loaded, bound {self.bound}, {self.status}"

    def to_dict(self) -> dict[str, Any]:
        return {"placements": [p.to_dict() for p in self.placements], "n_loaded": self.n_loaded,
                "bound": self.bound, "status": self.status}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ExactLoad:
        return cls(placements=tuple(DeckPlacement.from_dict(p) for p in d["placements"]),
                   n_loaded=int(d["n_loaded"]), bound=int(d["bound"]), status=str(d["status"]))


def _mm_up(x: float) -> int:
    return int(math.ceil(round(x * 1000, 6)))


def load_exact(
    carrier: CarrierType,
    models: Mapping[str, VehicleModel],
    items: Sequence[LoadItem],
    *,
    time_limit_s: float,
    seed: int = 0,
    hint: Sequence[DeckPlacement] = (),
    workers: int = 2,
) -> ExactLoad:
    """Solve the loading of ``items`` on ``carrier`` with CP-SAT within ``time_limit_s``."""
    m = cp_model.CpModel()
    gap = _mm_up(carrier.gap_m)
    plats = list(carrier.platforms)
    L = {p.id: int(math.floor(round(p.length_m * 1000, 6))) for p in plats}
    ln = [_mm_up(models[it.model].length_m) for it in items]
    kg = [int(math.ceil(models[it.model].weight_kg)) for it in items]
    a: dict[tuple[int, str], cp_model.IntVar] = {}
    s: dict[tuple[int, str], cp_model.IntVar] = {}
    per_plat: dict[str, list] = {p.id: [] for p in plats}
    for i, it in enumerate(items):
        mod = models[it.model]
        if mod.width_m > carrier.width_m + 1e-9:
            continue
        for p in plats:
            if (ln[i] <= L[p.id] and mod.height_m <= carrier.usable_height_m(p) + 1e-9
                    and mod.weight_kg <= p.max_weight_kg + 1e-9):
                a[i, p.id] = m.NewBoolVar(f"a{i}_{p.id}")
                s[i, p.id] = m.NewIntVar(0, L[p.id] - ln[i], f"s{i}_{p.id}")
                iv = m.NewOptionalFixedSizeIntervalVar(s[i, p.id], ln[i] + gap, a[i, p.id], f"iv{i}_{p.id}")
                per_plat[p.id].append(iv)
    loaded = []
    for i in range(len(items)):
        lits = [a[i, p.id] for p in plats if (i, p.id) in a]
        if lits:
            m.Add(sum(lits) <= 1)
            loaded.extend(lits)
    for p in plats:
        if per_plat[p.id]:
            m.AddNoOverlap(per_plat[p.id])
        on = [(i, a[i, p.id]) for i in range(len(items)) if (i, p.id) in a]
        if on:
            m.Add(sum(kg[i] * x for i, x in on) <= int(math.floor(p.max_weight_kg)))
    m.Add(sum(kg[i] * x for (i, _), x in a.items()) <= int(math.floor(carrier.payload_kg)))
    chains = {p.id: carrier.exit_chain(p.id) for p in plats}
    for i, it in enumerate(items):
        for j, jt in enumerate(items):
            if i == j:
                continue
            for p in plats:
                if (i, p.id) not in a:
                    continue
                if it.stop < jt.stop:
                    if (j, p.id) in a:
                        m.Add(s[i, p.id] >= s[j, p.id] + ln[j] + gap).OnlyEnforceIf([a[i, p.id], a[j, p.id]])
                    for q in chains[p.id]:
                        if (j, q) in a:
                            m.AddBoolOr([a[i, p.id].Not(), a[j, q].Not()])
                elif i < j and it.stop == jt.stop and it.model == jt.model and (j, p.id) in a:
                    m.Add(s[i, p.id] <= s[j, p.id]).OnlyEnforceIf([a[i, p.id], a[j, p.id]])
    m.Maximize(sum(loaded))
    index = {it.id: i for i, it in enumerate(items)}
    for h in hint:
        i = index.get(h.vehicle)
        if i is not None and (i, h.platform) in a:
            m.AddHint(a[i, h.platform], 1)
            m.AddHint(s[i, h.platform], _mm_up(h.x_m))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, float(time_limit_s))
    solver.parameters.random_seed = int(seed)
    solver.parameters.num_workers = workers
    code = solver.Solve(m)
    if code == cp_model.MODEL_INVALID:
        raise SolverError(f"CP-SAT rejected the loading model: {m.Validate()}")
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ExactLoad(placements=(), n_loaded=0, bound=len(items), status="timeout")
    out = []
    for (i, pid), x in a.items():
        if solver.Value(x):
            it = items[i]
            out.append(DeckPlacement(vehicle=it.id, model=it.model, stop=it.stop, platform=pid,
                                 x_m=solver.Value(s[i, pid]) / 1000.0))
    bound = min(len(items), int(math.floor(solver.BestObjectiveBound() + 1e-6)))
    status = "optimal" if code == cp_model.OPTIMAL or len(out) >= bound else "feasible"
    return ExactLoad(placements=tuple(out), n_loaded=len(out), bound=max(bound, len(out)), status=status)
