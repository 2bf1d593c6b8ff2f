"""Delivery units: the clients the routing sees — a dealer's vehicles with one time window.

A dealer's vehicles are grouped by their orders' window; a group that cannot ride on one
carrier (its vehicles' length with gaps is above the largest deck, or its weight above the
largest payload) is cut into pieces that can, and with ``split`` every group is cut into
pieces of at most ``chunk`` vehicles, so that carriers may share a dealer (split deliveries).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mmroute.routing.cars.load import LoadItem
from mmroute.routing.cars.problem import CarsProblem, Vehicle

__all__ = ["Unit", "build_units", "route_items", "route_stops"]


@dataclass(frozen=True)
class Unit:
    """Vehicles for one dealer delivered together, within ``[open_h, due_h]``."""

    dealer: str
    vehicles: tuple[Vehicle, ...]
    open_h: float
    due_h: float

    def split(self) -> list[Unit]:
        """One unit per vehicle."""
        return [Unit(self.dealer, (v,), self.open_h, self.due_h) for v in self.vehicles]


def build_units(problem: CarsProblem, *, split: bool, chunk: int,
                fits: Callable[[Sequence[Vehicle]], bool] | None = None) -> list[Unit]:
    """The delivery units of ``problem`` (see the module docstring); ``fits(vehicles)``, when
    given, is a further test that a unit can ride on one carrier."""
    models = problem.model_map()
    gap = min(c.gap_m for c in problem.carrier_types)
    max_len = max(c.deck_length_m + gap * len(c.platforms) for c in problem.carrier_types)
    max_kg = max(c.payload_kg for c in problem.carrier_types)
    groups: dict[tuple[str, float, float], list[Vehicle]] = {}
    for v in problem.vehicles():
        o = problem.order(v.order)
        groups.setdefault((v.dealer, o.open_h, o.due_h), []).append(v)
    out: list[Unit] = []
    for (dealer, open_h, due_h), vs in groups.items():
        vs = sorted(vs, key=lambda v: (v.model, v.id))
        cur: list[Vehicle] = []
        length = kg = 0.0
        for v in vs:
            m = models[v.model]
            full = (length + m.length_m + gap > max_len or kg + m.weight_kg > max_kg
                    or (split and len(cur) >= chunk) or (fits is not None and not fits([*cur, v])))
            if cur and full:
                out.append(Unit(dealer, tuple(cur), open_h, due_h))
                cur, length, kg = [], 0.0, 0.0
            cur.append(v)
            length += m.length_m + gap
            kg += m.weight_kg
        if cur:
            out.append(Unit(dealer, tuple(cur), open_h, due_h))
    return out


def route_stops(units: Sequence[Unit]) -> list[str]:
    """The route's stops: dealers in visiting order, consecutive visits of one dealer merged."""
    stops: list[str] = []
    for u in units:
        if not stops or stops[-1] != u.dealer:
            stops.append(u.dealer)
    return stops


def route_items(units: Sequence[Unit]) -> list[LoadItem]:
    """The vehicles of a route as load items, ``stop`` numbered as in :func:`route_stops`."""
    items: list[LoadItem] = []
    stop, last = 0, None
    for u in units:
        if u.dealer != last:
            stop, last = stop + 1, u.dealer
        items.extend(LoadItem(id=v.id, model=v.model, stop=stop) for v in u.vehicles)
    return items
