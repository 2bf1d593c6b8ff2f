"""Fast loading heuristic: greedy placement in reverse delivery order, several platform orders.

Vehicles are loaded the way a driver loads them: the last dealer's vehicles first, each pushed
to the front of a platform (right behind the vehicles already there), so every later-placed
vehicle sits behind — and is unloaded before — the ones placed earlier. A vehicle may go on a
platform when it fits by length (with the gap), height, platform and total weight, and no
vehicle for a later stop sits on that platform's exit chain. Which platform is tried first is a
*strategy*: deepest platform first (tractor decks before the trailer decks they exit over),
lowest sufficient clearance first (keeps tall decks for tall vehicles), tightest length fit,
then seeded random orders; the first strategy that loads every vehicle wins, else the one that
loads the most. ``first_fit`` is the practice rule alone (fixed platform order, no retries).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from mmroute.routing.cars.load import DeckPlacement, LoadItem
from mmroute.scenarios.cars_model import CarrierType, VehicleModel

__all__ = ["load_greedy", "load_heuristic", "first_fit"]

_EPS = 1e-9


def load_greedy(
    carrier: CarrierType,
    models: Mapping[str, VehicleModel],
    items: Sequence[LoadItem],
    rank: Callable[[str, float, float], tuple],
    *,
    item_order: Sequence[LoadItem] | None = None,
) -> tuple[list[DeckPlacement], list[LoadItem]]:
    """Place ``items`` greedily; ``rank(platform_id, free_m, clearance_m)`` orders the
    candidate platforms (smallest first). Returns (placements, items left over)."""
    order = list(item_order) if item_order is not None else sorted(
        items, key=lambda it: (-it.stop, -models[it.model].height_m, -models[it.model].length_m, it.id))
    plats = {p.id: p for p in carrier.platforms}
    used = {p.id: 0.0 for p in carrier.platforms}       # front length taken (incl. gaps)
    count = dict.fromkeys(plats, 0)
    kg = dict.fromkeys(plats, 0.0)
    max_stop = dict.fromkeys(plats, 0)                   # latest stop on each platform
    chains = {p.id: carrier.exit_chain(p.id) for p in carrier.platforms}
    clearance = {p.id: carrier.usable_height_m(p) for p in carrier.platforms}
    total = 0.0
    out: list[DeckPlacement] = []
    left: list[LoadItem] = []
    for it in order:
        m = models[it.model]
        best = None
        if m.width_m <= carrier.width_m + _EPS and total + m.weight_kg <= carrier.payload_kg + _EPS:
            cands = []
            for pid, p in plats.items():
                x = used[pid] + (carrier.gap_m if count[pid] else 0.0)
                if (x + m.length_m <= p.length_m + _EPS and m.height_m <= clearance[pid] + _EPS
                        and kg[pid] + m.weight_kg <= p.max_weight_kg + _EPS
                        and all(max_stop[q] <= it.stop for q in chains[pid])):
                    cands.append((rank(pid, p.length_m - x - m.length_m, clearance[pid]), pid, x))
            if cands:
                best = min(cands)
        if best is None:
            left.append(it)
            continue
        _, pid, x = best
        out.append(DeckPlacement(vehicle=it.id, model=it.model, stop=it.stop, platform=pid, x_m=x))
        used[pid] = x + m.length_m
        count[pid] += 1
        kg[pid] += m.weight_kg
        total += m.weight_kg
        max_stop[pid] = max(max_stop[pid], it.stop)
    return out, left


def _strategies(carrier: CarrierType, n_random: int, seed: int):
    depth = {p.id: len(carrier.exit_chain(p.id)) for p in carrier.platforms}
    pos = {p.id: k for k, p in enumerate(carrier.platforms)}
    yield lambda pid, free, clr: (-depth[pid], clr, pos[pid])           # deepest, then lowest clearance
    yield lambda pid, free, clr: (clr, -depth[pid], pos[pid])           # lowest clearance first
    yield lambda pid, free, clr: (free, pos[pid])                       # tightest fit
    yield lambda pid, free, clr: (-depth[pid], free, pos[pid])          # deepest, then tightest
    rng = np.random.default_rng(seed)
    for _ in range(n_random):
        w = {p.id: float(rng.random()) for p in carrier.platforms}
        yield lambda pid, free, clr, w=w: (-depth[pid], w[pid]) if w[pid] < 0.5 else (w[pid],)


def load_heuristic(
    carrier: CarrierType,
    models: Mapping[str, VehicleModel],
    items: Sequence[LoadItem],
    *,
    seed: int = 0,
    n_random: int = 12,
) -> list[DeckPlacement]:
    """The best greedy load over several strategies (every item loaded if any strategy did)."""
    best: list[DeckPlacement] = []
    for rank in _strategies(carrier, n_random, seed):
        placed, left = load_greedy(carrier, models, items, rank)
        if len(placed) > len(best):
            best = placed
        if not left:
            break
    return best


def first_fit(
    carrier: CarrierType, models: Mapping[str, VehicleModel], items: Sequence[LoadItem]
) -> tuple[list[DeckPlacement], list[LoadItem]]:
    """Practice rule: reverse dealer order, each vehicle on the first platform (file order) it fits."""
    pos = {p.id: k for k, p in enumerate(carrier.platforms)}
    order = sorted(items, key=lambda it: -it.stop)
    return load_greedy(carrier, models, items, lambda pid, free, clr: (pos[pid],), item_order=order)
