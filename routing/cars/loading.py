"""``solve_load``: load one route's vehicles on one carrier — heuristic first, CP-SAT for proofs.

Steps: (1) quick counting bounds (a vehicle that fits no platform, weight above the payload,
length above the decks) prove infeasibility at once; (2) the heuristic (:mod:`.heuristic`);
when it loads every vehicle the load is optimal (it meets the bound n); (3) otherwise the exact
model (:mod:`.exact`) within the time limit: it loads all (optimal), proves the full load
infeasible, or runs out of time (``unknown``). Every returned load passes :func:`.check.check_load`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mmroute import validate
from mmroute.errors import InputError, SolverError
from mmroute.routing.cars.check import check_load, load_arguments
from mmroute.routing.cars.exact import load_exact
from mmroute.routing.cars.heuristic import load_heuristic
from mmroute.routing.cars.load import DeckPlacement, LoadItem, length_utilisation
from mmroute.scenarios.cars_model import CarrierType, VehicleModel

__all__ = ["LoadParams", "LoadResult", "solve_load", "quick_infeasibility", "mix_capacity", "load_rates"]


@dataclass(frozen=True)
class LoadParams:
    """Settings of :func:`solve_load`: ``exact`` — run CP-SAT when the heuristic fails;
    ``max_exact_vehicles`` — larger loads skip it; ``n_random`` — random heuristic strategies;
    ``workers`` — CP-SAT threads."""

    exact: bool = True
    max_exact_vehicles: int = 40
    n_random: int = 12
    workers: int = 2

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class LoadResult:
    """A load of ``n_items`` vehicles: ``placements`` (all of them when ``loaded``); ``status``
    ``"optimal"`` (all loaded), ``"infeasible"`` (proven: not all fit) or ``"unknown"``;
    ``bound``: most vehicles that can be loaded (proven), ``solver``: who decided."""

    placements: tuple[DeckPlacement, ...]
    n_items: int
    status: str
    bound: int
    solver: str
    time_s: float
    reason: str = ""

    @property
    def loaded(self) -> bool:
        return self.status == "optimal" and len(self.placements) == self.n_items

    def summary(self) -> str:
        return (f"{len(self.placements)}/{self.n_items} vehicles loaded, {self.status} "
                f"(bound {self.bound}, {self.solver}, {self.time_s:.2f} s){' ' + self.reason if self.reason else ''}")

    def to_dict(self) -> dict[str, Any]:
        return {"placements": [p.to_dict() for p in self.placements], "n_items": self.n_items,
                "status": self.status, "bound": self.bound, "solver": self.solver,
                "time_s": self.time_s, "reason": self.reason}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> LoadResult:
        return cls(placements=tuple(DeckPlacement.from_dict(p) for p in d["placements"]),
                   n_items=int(d["n_items"]), status=str(d["status"]), bound=int(d["bound"]),
                   solver=str(d["solver"]), time_s=float(d["time_s"]), reason=str(d.get("reason", "")))


def quick_infeasibility(carrier: CarrierType, models: Mapping[str, VehicleModel],
                        items: Sequence[LoadItem]) -> str | None:
    """A reason the vehicles plainly cannot all be loaded, or ``None``."""
    for it in items:
        if not carrier.can_carry(models[it.model]):
            return f"a {it.model} fits no platform of {carrier.id}"
    kg = sum(models[it.model].weight_kg for it in items)
    if kg > carrier.payload_kg + 1e-9:
        return f"{kg:g} kg exceeds the payload {carrier.payload_kg:g} kg"
    need = sum(models[it.model].length_m for it in items) + carrier.gap_m * max(0, len(items) - len(carrier.platforms))
    if need > carrier.deck_length_m + 1e-9:
        return f"vehicles and gaps need {need:.2f} m of deck, the carrier has {carrier.deck_length_m:.2f} m"
    return None


def solve_load(
    carrier: CarrierType,
    models: Mapping[str, VehicleModel],
    items: Sequence[LoadItem],
    *,
    time_limit_s: float,
    seed: int,
    params: LoadParams | None = None,
    initial: Sequence[DeckPlacement] | None = None,
) -> LoadResult:
    """Load ``items`` on ``carrier``; see the module docstring. ``initial`` hints CP-SAT."""
    items, _ = load_arguments(carrier, models, items, () if initial is None else initial)
    params = validate.params_of(params, LoadParams)
    seed = validate.seed(seed)
    time_limit_s = validate.number(time_limit_s, "time_limit_s", lo=0.0, hi=validate.MAX_TIME_LIMIT_S)
    for name in ("max_exact_vehicles", "n_random", "workers"):
        validate.integer(getattr(params, name), f"params.{name}", lo=0 if name != "workers" else 1)
    unknown = [it.model for it in items if it.model not in models]
    if unknown:
        raise InputError(f"unknown vehicle model {unknown[0]!r}", field="items")
    t0 = time.perf_counter()
    n = len(items)
    reason = quick_infeasibility(carrier, models, items)
    if reason:
        best = load_heuristic(carrier, models, items, seed=seed, n_random=0)
        return _checked(carrier, models, items, best, "infeasible", len(best) if n == 0 else n - 1,
                        "bounds", t0, reason)
    best = load_heuristic(carrier, models, items, seed=seed, n_random=params.n_random)
    if len(best) == n:
        return _checked(carrier, models, items, best, "optimal", n, "heuristic", t0)
    if not params.exact or n > params.max_exact_vehicles or time_limit_s <= 0:
        return _checked(carrier, models, items, best, "unknown", n, "heuristic", t0)
    ex = load_exact(carrier, models, items, time_limit_s=time_limit_s, seed=seed,
                    hint=tuple(initial or best), workers=params.workers)
    if ex.n_loaded == n:
        return _checked(carrier, models, items, list(ex.placements), "optimal", n, "cp-sat", t0)
    placed = list(ex.placements) if ex.n_loaded > len(best) else best
    if ex.status == "optimal":
        return _checked(carrier, models, items, placed, "infeasible", ex.bound, "cp-sat", t0,
                        f"at most {ex.bound} of {n} vehicles fit (proven)")
    return _checked(carrier, models, items, placed, "unknown", ex.bound, "cp-sat", t0, "time limit")


def _checked(carrier, models, items, placements, status, bound, solver, t0, reason="") -> LoadResult:
    loaded_ids = {p.vehicle for p in placements}
    sub = [it for it in items if it.id in loaded_ids]
    rep = check_load(carrier, models, sub, placements)
    if not rep.feasible:
        raise SolverError(f"{solver} produced a load the checker rejects: {rep.reason}")
    return LoadResult(placements=tuple(placements), n_items=len(items), status=status, bound=bound,
                      solver=solver, time_s=time.perf_counter() - t0, reason=reason)


def mix_capacity(carrier: CarrierType, models: Mapping[str, VehicleModel],
                 placements: Sequence[DeckPlacement], *, seed: int = 0) -> int:
    """How many vehicles of this load's model mix the carrier takes (delivery order ignored).

    The largest n for which n vehicles in the load's model proportions (largest-remainder
    rounding) are loaded by the heuristic — a lower bound on the true capacity, so the rate
    loaded / capacity is at most 1 and may overstate the true rate slightly.
    """
    n0 = len(placements)
    if n0 == 0:
        return 0
    share: dict[str, int] = {}
    for p in placements:
        share[p.model] = share.get(p.model, 0) + 1
    best = n0
    for n in range(n0 + 1, 4 * n0 + 8):
        quota = {k: v * n / n0 for k, v in share.items()}
        counts = {k: int(q) for k, q in quota.items()}
        rest = n - sum(counts.values())
        for k in sorted(quota, key=lambda k: (-(quota[k] - counts[k]), k))[:rest]:
            counts[k] += 1
        items = [LoadItem(id=f"{k}-{j}", model=k, stop=1) for k, c in sorted(counts.items()) for j in range(c)]
        if len(load_heuristic(carrier, models, items, seed=seed, n_random=4)) < n:
            break
        best = n
    return best


def load_rates(carrier: CarrierType, models: Mapping[str, VehicleModel],
               placements: Sequence[DeckPlacement], *, seed: int = 0) -> dict[str, float]:
    """``vehicle_rate`` (loaded / :func:`mix_capacity`), ``length_utilisation`` and ``capacity``."""
    cap = mix_capacity(carrier, models, placements, seed=seed)
    return {"vehicle_rate": len(placements) / cap if cap else 0.0,
            "length_utilisation": length_utilisation(carrier, dict(models), placements) if placements else 0.0,
            "capacity": float(cap)}
