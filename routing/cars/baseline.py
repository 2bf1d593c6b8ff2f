"""The practice baseline: nearest-neighbour routes, first-fit loading in dealer order.

What a dispatcher does by hand: take the largest carrier type with a carrier left (most
deck length first), drive to the nearest dealer with vehicles still to deliver that can be
reached before its due time, add that dealer's vehicles one by one while the first-fit rule
(:func:`.heuristic.first_fit`: reverse dealer order, first platform that takes the vehicle)
still loads the whole carrier; when a vehicle does not fit, the carrier leaves (the dealer's
remaining vehicles wait for the next carrier: split delivery). No optimisation, no CP-SAT.
"""

from __future__ import annotations

import time
from collections import Counter

from mmroute import validate
from mmroute.errors import InfeasibleError
from mmroute.routing.cars.check import route_times_h
from mmroute.routing.cars.heuristic import first_fit
from mmroute.routing.cars.load import LoadItem
from mmroute.routing.cars.loading import LoadResult
from mmroute.routing.cars.problem import CarsProblem, Vehicle
from mmroute.routing.cars.result import CarsPlan
from mmroute.routing.cars.solve import finish_plan
from mmroute.routing.cars.units import Unit

__all__ = ["solve_practice"]


def _items(stops: list[tuple[str, list[Vehicle]]]) -> list[LoadItem]:
    return [LoadItem(id=v.id, model=v.model, stop=k + 1) for k, (_, vs) in enumerate(stops) for v in vs]


def solve_practice(problem: CarsProblem, *, seed: int = 0, rates: bool = True) -> CarsPlan:
    """The practice plan (see the module docstring); checked like every plan."""
    validate.instance_of(problem, CarsProblem, "problem", hint="build it with CarsProblem.from_scenario(load(path))")
    seed = validate.seed(seed)
    t0 = time.perf_counter()
    models = problem.model_map()
    todo: dict[str, list[Vehicle]] = {}
    due: dict[str, float] = {}
    opens: dict[str, float] = {}
    for v in problem.vehicles():
        todo.setdefault(v.dealer, []).append(v)
        o = problem.order(v.order)
        due[v.dealer] = min(due.get(v.dealer, float("inf")), o.due_h)
        opens[v.dealer] = max(opens.get(v.dealer, 0.0), o.open_h)
    left = Counter({c.id: c.count for c in problem.carrier_types})
    types = sorted(problem.carrier_types, key=lambda c: (-c.deck_length_m, c.id))
    loaded = []
    while any(todo.values()):
        carrier = next((c for c in types if left[c.id] > 0), None)
        if carrier is None:
            raise InfeasibleError("practice baseline: the fleet is used up before every vehicle is delivered")
        left[carrier.id] -= 1
        stops: list[tuple[str, list[Vehicle]]] = []
        here, full = carrier.depot, False
        while not full:
            cands = sorted((problem.km(here, d, carrier.id), d) for d, vs in todo.items() if vs)
            nxt = None
            for _, d in cands:
                trial = [s for s, _ in stops] + [d]
                t = route_times_h(problem, carrier, trial, [len(v) for _, v in stops] + [1],
                                  [opens[s] for s in trial])
                if t[-1] <= due[d]:
                    nxt = d
                    break
            if nxt is None:
                break
            stops.append((nxt, []))
            for v in list(todo[nxt]):
                stops[-1][1].append(v)
                _, rest = first_fit(carrier, models, _items(stops))
                if rest:
                    stops[-1][1].pop()
                    if not carrier.can_carry(models[v.model]):
                        continue  # another carrier type takes this model
                    full = True
                    break
                todo[nxt].remove(v)
            if not stops[-1][1]:
                stops.pop()
                full = True
            here = nxt
        if not stops:
            raise InfeasibleError(f"practice baseline: no vehicle left loads on a {carrier.id} in time")
        placed, _ = first_fit(carrier, models, _items(stops))
        units = [Unit(d, tuple(vs), opens[d], due[d]) for d, vs in stops]
        res = LoadResult(placements=tuple(placed), n_items=len(placed), status="unknown", bound=len(placed),
                         solver="first-fit", time_s=0.0)
        loaded.append((carrier.id, units, res))
    return finish_plan(problem, loaded, solver="practice(nn+first-fit)", seed=seed, t0=t0, rates=rates, info={})
