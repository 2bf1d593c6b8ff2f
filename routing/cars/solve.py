"""``solve_cars``: route auto-carriers from the plant to the dealers and load every route.

Steps (the pattern of :mod:`mmroute.routing.loadroute`):

1. **Route** with :func:`mmroute.routing.vrp.solve_vrp` over delivery units (:mod:`.units`).
   The VRP sees each carrier type's capacity *by length*: a vehicle takes its length plus the
   smallest gap, a carrier offers its deck length plus one gap per platform; for every deck
   clearance h below the tallest model, the vehicles taller than h must fit by length on the
   decks that clear more than h (one more dimension each); weight is the last dimension,
   against the payload. These are necessary conditions only ("fits by count"). Time: the slowest carrier's speed, the orders'
   windows, unloading time per vehicle. Cost: fixed cost per carrier used + cost per km.
   Where carrier types drive different legs (OSM roads with height or weight limits) the VRP
   sees the longest per leg (so its routes are on time for every type); every later step
   costs and times a route on its own type's legs.
2. **Load** every route with :func:`.loading.solve_load` (heuristic, then CP-SAT). A route
   whose vehicles fit by length and weight but not on the platforms (heights per deck, gaps,
   LIFO) is *detected* here.
3. **Repair** each such route: keep the most vehicles its carrier loads, re-insert the others
   into routes that still load and stay on time, or put them on spare carriers (:func:`_repair`).
4. **Re-solve** while time is left (at most ``max_solves`` VRP solves in all), each with another
   seed and ``restart_time_share`` of the time: after a solve with failing routes, each
   failing type's length capacity is cut to ``tighten`` x its smallest failing load; after a
   clean solve (or when the cuts leave no routing) the capacities are reset. Keep the
   cheapest repaired plan.
5. **Eliminate routes** with the time left: empty the carrier with the fewest vehicles into
   the others (cheapest insertions that still load and stay on time) when that is cheaper.

The returned plan passes :func:`.check.check_cars_plan`; ``initial`` (a plan) is kept when cheaper.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from mmroute import validate
from mmroute.errors import InfeasibleError, InputError, SolverError
from mmroute.routing.cars.check import check_cars_plan, route_times_h
from mmroute.routing.cars.loading import LoadParams, LoadResult, load_rates, solve_load
from mmroute.routing.cars.problem import CarsProblem
from mmroute.routing.cars.result import CarrierRoute, CarsPlan
from mmroute.routing.cars.units import Unit, build_units, route_items, route_stops
from mmroute.routing.vrp import VRPProblem, VRPVehicleType, solve_vrp

__all__ = ["CarsParams", "solve_cars", "finish_plan", "COST_SCALE"]

#: VRP cost units per CNY.
COST_SCALE = 10**5


@dataclass(frozen=True)
class CarsParams:
    """Settings of :func:`solve_cars`.

    split_deliveries: cut every dealer's vehicles into units of at most ``chunk_vehicles`` so
    carriers can share a dealer (dealers with more than a carrier-load are always cut);
    vrp_time_share: share of the time limit for the first VRP solve; restart_time_share: share
    for each further solve (at least 1 s); max_solves: most VRP solves; tighten: capacity cut
    after failing routes (step 4); load_time_limit_s: CP-SAT seconds per load the heuristic
    cannot do; rates: compute each route's loading rate.
    """

    split_deliveries: bool = False
    chunk_vehicles: int = 4
    vrp_time_share: float = 0.3
    restart_time_share: float = 0.1
    max_solves: int = 50
    load_time_limit_s: float = 1.0
    tighten: float = 0.9
    rates: bool = True
    load: LoadParams = field(default_factory=LoadParams)

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["load"] = self.load.to_dict()
        return out


class _Loader:
    """Loads runs of units on a carrier type, with a cache and counts of proofs."""

    def __init__(self, problem: CarsProblem, params: CarsParams, seed: int, deadline: float):
        self.problem, self.params, self.seed, self.deadline = problem, params, seed, deadline
        self.models = problem.model_map()
        self.cache: dict[tuple, LoadResult] = {}
        self.stats: Counter[str] = Counter()

    def load(self, type_id: str, units: Sequence[Unit], *, exact: bool = True) -> LoadResult:
        """The load of ``units`` on a carrier of ``type_id`` (``exact=False``: heuristic only)."""
        items = route_items(units)
        key = (type_id, tuple((it.id, it.stop) for it in items))
        hit = self.cache.get(key)
        if hit is not None and (hit.status != "unknown" or not exact or hit.solver == "cp-sat"):
            return hit
        left = max(0.0, self.deadline - time.perf_counter())
        load = self.params.load if exact else replace(self.params.load, exact=False)
        res = solve_load(self.problem.carrier(type_id), self.models, items,
                         time_limit_s=min(self.params.load_time_limit_s, left), seed=self.seed, params=load)
        self.cache[key] = res
        if exact:
            self.stats[res.status] += 1
        return res


def _thresholds(problem: CarsProblem) -> list[float]:
    """Deck clearances below which some ordered model is too tall (one VRP dimension each)."""
    tall = max(m.height_m for m in problem.models)
    hs = {round(c.usable_height_m(p), 6) for c in problem.carrier_types for p in c.platforms}
    return sorted(h for h in hs if h < tall)


class _Dims:
    """Load dimensions of the VRP (see the module docstring): deck length in cm, the deck
    length of vehicles taller than each threshold (they need decks with more clearance), and
    weight in kg; :meth:`row` for a set of vehicles, ``caps`` per carrier type."""

    def __init__(self, problem: CarsProblem):
        self.models = problem.model_map()
        self.gap = min(c.gap_m for c in problem.carrier_types)
        self.hs = [-1.0, *_thresholds(problem)]
        self.caps: dict[str, list[int]] = {}
        for c in problem.carrier_types:
            row = []
            for h in self.hs:
                deck = sum(p.length_m + self.gap for p in c.platforms if c.usable_height_m(p) > h + 1e-9)
                row.append(int(math.floor(deck * 100 + 1e-6)))
            row.append(int(math.floor(c.payload_kg)))
            self.caps[c.id] = row

    def row(self, vehicles) -> list[int]:
        ms = [self.models[v.model] for v in vehicles]
        out = [math.ceil(sum(m.length_m + self.gap for m in ms if m.height_m > h + 1e-9) * 100 - 1e-6)
               for h in self.hs]
        out.append(sum(math.ceil(m.weight_kg) for m in ms))
        return out

    def fits(self, vehicles) -> bool:
        """True if the vehicles fit some carrier type by every dimension."""
        r = self.row(vehicles)
        return any(all(a <= b for a, b in zip(r, cap)) for cap in self.caps.values())


def _vrp(problem: CarsProblem, units: Sequence[Unit], demands: list[list[int]],
         caps: Mapping[str, list[int]]) -> VRPProblem:
    depots = list(dict.fromkeys(c.depot for c in problem.carrier_types))
    places = depots + [u.dealer for u in units]
    idx = [problem.index(p) for p in places]
    km = problem.longest_km()[np.ix_(idx, idx)]  # per leg, the longest of any carrier type
    dist_m = np.rint(km * 1000).astype(np.int64)
    speed = min(c.speed_kmh for c in problem.carrier_types)
    time_s = np.rint(km / speed * 3600).astype(np.int64)
    nd = len(depots)
    rows = [tuple([0] * nd + list(d)) for d in demands]
    early = [0] * nd + [int(u.open_h * 3600) for u in units]
    late = [2**40] * nd + [int(u.due_h * 3600) for u in units]
    service = [0] * nd + [int(round(problem.unload_h_per_vehicle * len(u.vehicles) * 3600)) for u in units]
    types = [VRPVehicleType(capacity=caps[c.id][0], capacity_extra=tuple(caps[c.id][1:]), count=c.count,
                         start_depot=depots.index(c.depot), end_depot=depots.index(c.depot),
                         fixed_cost=int(round(c.fixed_cost_cny * COST_SCALE)),
                         cost_per_distance=int(round(c.cost_per_km_cny * COST_SCALE / 1000)), name=c.id)
             for c in problem.carrier_types]
    return VRPProblem(distance=dist_m, duration=time_s, demand=rows[0], demand_extra=tuple(rows[1:]),
                      vehicle_types=tuple(types), depots=tuple(range(nd)), tw_early=early, tw_late=late,
                      service=service, scale=COST_SCALE, name=problem.name,
                      coords=np.array([problem.coords[i] for i in idx]))


def _run_cost(problem: CarsProblem, type_id: str, units: Sequence[Unit]) -> float:
    c = problem.carrier(type_id)
    return c.fixed_cost_cny + c.cost_per_km_cny * problem.route_km(c.depot, route_stops(units), type_id)


def _on_time(problem: CarsProblem, type_id: str, units: Sequence[Unit]) -> bool:
    """True if every stop of the route is reached within its units' windows."""
    stops = route_stops(units)
    n_at = [0] * len(stops)
    due = [math.inf] * len(stops)
    opens = [0.0] * len(stops)
    k, last = -1, None
    for u in units:
        if u.dealer != last:
            k, last = k + 1, u.dealer
        n_at[k] += len(u.vehicles)
        due[k] = min(due[k], u.due_h)
        opens[k] = max(opens[k], u.open_h)
    times = route_times_h(problem, problem.carrier(type_id), stops, n_at, opens)
    return all(t <= d + 1e-9 for t, d in zip(times, due))


def _place(problem, loader, units, spare: Counter, prefer: str) -> tuple[str, LoadResult] | None:
    """The cheapest type with a carrier to spare on which ``units`` load (``prefer`` wins ties)."""
    best = None
    for c in problem.carrier_types:
        if spare[c.id] <= 0 or not _on_time(problem, c.id, units):
            continue
        res = loader.load(c.id, units)
        if res.loaded:
            key = (_run_cost(problem, c.id, units), c.id != prefer)
            if best is None or key < best[0]:
                best = (key, c.id, res)
    return None if best is None else (best[1], best[2])


def _insertions(problem: CarsProblem, units: list[Unit], type_id: str, v, unit: Unit):
    """Candidate routes with vehicle ``v`` (of ``unit``) added, with their extra cost (CNY)."""
    c = problem.carrier(type_id)
    one = Unit(unit.dealer, (v,), unit.open_h, unit.due_h)
    for k, u in enumerate(units):
        if u.dealer == unit.dealer and u.open_h == unit.open_h and u.due_h == unit.due_h:
            yield 0.0, [*units[:k], Unit(u.dealer, (*u.vehicles, v), u.open_h, u.due_h), *units[k + 1:]]
            return
    base = _run_cost(problem, type_id, units) - c.fixed_cost_cny
    for k in range(len(units) + 1):
        trial = [*units[:k], one, *units[k:]]
        yield _run_cost(problem, type_id, trial) - c.fixed_cost_cny - base, trial


def _insert(problem, loader, done: list[list], v, unit: Unit, tries: int) -> bool:
    """Put vehicle ``v`` into the route of ``done`` where it adds least cost and still loads
    (heuristic) and stays on time, trying the ``tries`` cheapest positions; False if none."""
    cands = []
    for r, (type_id, units, _) in enumerate(done):
        for extra, trial in _insertions(problem, units, type_id, v, unit):
            cands.append((extra, r, trial))
    cands.sort(key=lambda x: (x[0], x[1]))
    for _extra, r, trial in cands[:tries]:
        type_id = done[r][0]
        if not _on_time(problem, type_id, trial):
            continue
        res = loader.load(type_id, trial, exact=False)
        if res.loaded:
            done[r] = [type_id, trial, res]
            return True
    return False


def _eliminate(problem, loader, done: list[list], deadline: float, *, tries: int = 4) -> int:
    """Route elimination: empty the carrier with the fewest vehicles into the others when every
    vehicle finds a place and the plan gets cheaper; repeat until no carrier can go. Returns
    the number of carriers saved."""
    saved = 0
    progress = True
    while progress and time.perf_counter() < deadline:
        progress = False
        cost = sum(_run_cost(problem, t, u) for t, u, _ in done)
        for k in sorted(range(len(done)), key=lambda k: sum(len(u.vehicles) for u in done[k][1])):
            if time.perf_counter() >= deadline:
                break
            trial = [list(d) for i, d in enumerate(done) if i != k]
            if all(_insert(problem, loader, trial, v, u, tries) for u in done[k][1] for v in u.vehicles):
                if sum(_run_cost(problem, t, u) for t, u, _ in trial) < cost - 1e-6:
                    done[:] = trial
                    saved += 1
                    progress = True
                    break
    return saved


def _repair(problem, loader, routes, spare: Counter, *, tries: int = 3) -> tuple[list, int]:
    """Load every route; repair the ones that do not load.

    A failing route keeps the most vehicles its carrier can load (the loading solver's best
    partial load) and *peels* the rest; each peeled vehicle goes, cheapest first, into a route
    that still loads and stays on time (at most ``tries`` candidate insertions per vehicle, by
    extra cost); vehicles left over ride on new carriers: runs of them in nearest-neighbour
    order, each on the cheapest spare type that loads it.
    """
    done: list[list] = []
    pool: list[tuple[Any, Unit]] = []
    n_fail = 0
    for type_id, units in routes:
        res = loader.load(type_id, units)
        if res.loaded:
            done.append([type_id, units, res])
            continue
        n_fail += 1
        kept = {p.vehicle for p in res.placements}
        pool += [(v, u) for u in units for v in u.vehicles if v.id not in kept]
        rest = [Unit(u.dealer, tuple(v for v in u.vehicles if v.id in kept), u.open_h, u.due_h) for u in units]
        rest = [u for u in rest if u.vehicles]
        res2 = loader.load(type_id, rest) if rest else None
        if res2 is not None and res2.loaded:
            done.append([type_id, rest, res2])
        else:
            pool += [(v, u) for u in rest for v in u.vehicles]
            spare[type_id] += 1
    leftover: list[Unit] = []
    for v, unit in sorted(pool, key=lambda x: (x[1].dealer, x[0].model, x[0].id)):
        if not _insert(problem, loader, done, v, unit, tries):
            leftover.append(Unit(unit.dealer, (v,), unit.open_h, unit.due_h))
    here = None
    queue: list[Unit] = []
    todo = list(leftover)
    while todo:  # nearest-neighbour order from the depot
        at = here or problem.carrier_types[0].depot
        todo.sort(key=lambda u: (problem.km(at, u.dealer), u.dealer))
        queue.append(todo.pop(0))
        here = queue[-1].dealer
    cur: list[Unit] = []
    cur_fit = None
    while queue:
        u = queue.pop(0)
        if cur and cur[-1].dealer == u.dealer and cur[-1].due_h == u.due_h and cur[-1].open_h == u.open_h:
            trial = [*cur[:-1], Unit(u.dealer, (*cur[-1].vehicles, *u.vehicles), u.open_h, u.due_h)]
        else:
            trial = [*cur, u]
        fit = _place(problem, loader, trial, spare, problem.carrier_types[0].id)
        if fit is not None:
            cur, cur_fit = trial, fit
            continue
        if not cur:
            raise SolverError(f"repair: vehicle {u.vehicles[0].id} loads on no carrier still free "
                              "(the fleet is used up; give more carriers or time)")
        done.append([cur_fit[0], cur, cur_fit[1]])
        spare[cur_fit[0]] -= 1
        cur, cur_fit = [], None
        queue.insert(0, u)
    if cur:
        done.append([cur_fit[0], cur, cur_fit[1]])
        spare[cur_fit[0]] -= 1
    return [tuple(d) for d in done], n_fail


def finish_plan(problem: CarsProblem, loaded, *, solver: str, seed: int, t0: float, rates: bool,
                info: Mapping[str, Any]) -> CarsPlan:
    """Build, rate and check a plan from (type id, units, load) triples; raise if it fails the checker."""
    models = problem.model_map()
    routes = []
    for type_id, units, res in loaded:
        c = problem.carrier(type_id)
        stops = tuple(route_stops(units))
        km = problem.route_km(c.depot, stops, type_id)
        r = load_rates(c, models, res.placements, seed=seed) if rates else {}
        routes.append(CarrierRoute(carrier_type=type_id, stops=stops, placements=res.placements,
                                   load_status=res.status, load_solver=res.solver, distance_km=km,
                                   cost_cny=c.fixed_cost_cny + c.cost_per_km_cny * km,
                                   vehicle_rate=r.get("vehicle_rate"), length_utilisation=r.get("length_utilisation")))
    claimed = float(sum(r.cost_cny for r in routes))  # the checker recomputes it from the problem
    plan = CarsPlan(routes=tuple(routes), objective=claimed, instance=problem.name, solver=solver, seed=seed)
    report = check_cars_plan(problem, plan)
    if not report.feasible:
        raise SolverError(f"{solver}: the plan fails the checker: {report.reason}")
    extra = dict(info)
    if rates and routes:
        extra["vehicle_rate"] = float(np.mean([r.vehicle_rate for r in routes]))
        extra["length_utilisation"] = float(np.mean([r.length_utilisation for r in routes]))
    extra["loads_optimal"] = sum(r.load_status == "optimal" for r in routes)
    return CarsPlan(routes=plan.routes, objective=float(report.objective), status="feasible", bound=None,
                    time_s=time.perf_counter() - t0, solver=solver, seed=seed, instance=problem.name, info=extra)


def solve_cars(
    problem: CarsProblem,
    *,
    time_limit_s: float,
    seed: int,
    params: CarsParams | None = None,
    initial: CarsPlan | None = None,
) -> CarsPlan:
    """Route and load the auto-carriers of ``problem`` (see the module docstring).

    Raises :class:`InfeasibleError` when a vehicle loads on no carrier type or the fleet is too
    small, :class:`SolverError` when the routing finds no feasible solution in time.
    """
    validate.instance_of(problem, CarsProblem, "problem", hint="build it with CarsProblem.from_scenario(load(path))")
    params = validate.params_of(params, CarsParams)
    time_limit_s, seed = validate.time_limit_s(time_limit_s), validate.seed(seed)
    validate.instance_of(initial, (CarsPlan, type(None)), "initial")
    validate.instance_of(params.load, LoadParams, "params.load")
    for name in ("chunk_vehicles", "max_solves"):
        validate.integer(getattr(params, name), f"params.{name}", lo=1)
    for name in ("vrp_time_share", "restart_time_share"):
        validate.number(getattr(params, name), f"params.{name}", lo=0.0, hi=1.0, lo_open=True)
    validate.number(params.load_time_limit_s, "params.load_time_limit_s", lo=0.0)
    if not 0 < validate.number(params.tighten, "params.tighten", lo=0.0, hi=1.0) < 1:
        raise InputError("chunk_vehicles and max_solves must be >= 1, tighten in (0, 1)", field="params")
    t0 = time.perf_counter()
    deadline = t0 + time_limit_s
    models = problem.model_map()
    for o in problem.orders:
        if not any(c.can_carry(models[o.model]) for c in problem.carrier_types):
            raise InfeasibleError(f"order {o.id}: no carrier type can carry a {o.model}")
    loader = _Loader(problem, params, seed, deadline)
    dims = _Dims(problem)
    units = build_units(problem, split=params.split_deliveries, chunk=params.chunk_vehicles, fits=dims.fits)
    cols = [dims.row(u.vehicles) for u in units]
    demands = [list(col) for col in zip(*cols)]
    caps = {k: list(v) for k, v in dims.caps.items()}
    best = None
    best_cost = math.inf
    detected = repaired = n_solves = 0
    for rnd in range(params.max_solves):
        left = deadline - time.perf_counter()
        t_vrp = params.vrp_time_share * time_limit_s if rnd == 0 else max(1.0, params.restart_time_share * time_limit_s)
        if rnd > 0 and left < t_vrp:
            break
        vrp = _vrp(problem, units, demands, caps)
        try:
            sol = solve_vrp(vrp, time_limit_s=max(0.5, min(left, t_vrp)), seed=seed + rnd)
        except (InfeasibleError, SolverError):
            if rnd == 0:
                raise
            caps = {k: list(v) for k, v in dims.caps.items()}  # the cuts leave no routing: reset
            continue
        n_solves += 1
        nd = len(vrp.depots)
        routes = [(problem.carrier_types[r.vehicle_type].id, [units[i - nd] for i in r.visits])
                  for r in sol.routes if r.visits]
        spare = Counter({c.id: c.count for c in problem.carrier_types})
        for type_id, _ in routes:
            spare[type_id] -= 1
        loaded, n_fail = _repair(problem, loader, routes, spare)
        if rnd == 0:
            detected = n_fail
        cost = sum(_run_cost(problem, t, u) for t, u, _ in loaded)
        if cost < best_cost - 1e-6:
            best, best_cost, repaired = loaded, cost, n_fail
        if n_fail == 0:
            caps = {k: list(v) for k, v in dims.caps.items()}
            continue
        failing_len: dict[str, int] = {}
        for (type_id, us) in routes:
            if not loader.load(type_id, us).loaded:
                need = int(sum(vrp.demand[nd + units.index(u)] for u in us))
                failing_len[type_id] = min(failing_len.get(type_id, need), need)
        biggest = max(demands[0])  # units that fitted a type alone still do
        for type_id, need in failing_len.items():
            floor_cm = min(dims.caps[type_id][0], biggest)
            caps[type_id][0] = max(floor_cm, min(caps[type_id][0] - 1, int(params.tighten * need)))
    best = [list(d) for d in best]
    saved = _eliminate(problem, loader, best, deadline)
    info = {"routes_not_loading_detected": detected, "carriers_saved_by_elimination": saved, "routes_repaired": repaired,
            "loads_proven_infeasible": loader.stats["infeasible"], "loads_unknown": loader.stats["unknown"],
            "loads_checked": sum(loader.stats.values()), "split_deliveries": params.split_deliveries,
            "vrp_solves": n_solves}
    plan = finish_plan(problem, best, solver="mmroute-cars", seed=seed, t0=t0, rates=params.rates, info=info)
    if initial is not None:
        rep = check_cars_plan(problem, initial)
        if rep.feasible and rep.objective < plan.objective:
            return CarsPlan(routes=initial.routes, objective=float(rep.objective), time_s=plan.time_s,
                            solver="mmroute-cars(initial)", seed=seed, instance=problem.name, info=initial.info)
    return plan
