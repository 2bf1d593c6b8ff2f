"""Fuzzing every checker: forged solutions give a CheckReport or one project exception.

Checkers: ``check_vrp``, ``check_packing``, ``check_route_loading``, cars ``check_load`` and
``check_cars_plan``. A valid solution is mutated — as JSON read back by the solution's reader, or
as Python objects built in code, which no reader guards — with NaN, infinite, huge, negative
and fractional numbers, text and ``None`` for numbers, swapped / duplicated / deleted ids
and boxes, forged objectives, bounds and statuses. The contract: a :class:`CheckReport` or
one :class:`mmroute.errors.MMRouteError`, never another exception; and a report that accepts
the solution only when an independent oracle in this file agrees that it is feasible and
that its claims hold. ``-m slow`` runs ten times more examples.
"""

from __future__ import annotations

import copy
import math
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmroute.errors import MMRouteError
from mmroute.report import CheckReport
from mmroute.routing.cars import CarsPlan, CarsProblem, check_cars_plan, check_load, solve_practice
from mmroute.routing.cars.load import DeckPlacement as CarPlacement
from mmroute.routing.cars.load import LoadItem
from mmroute.routing.cars.problem import geodesic_matrix_km
from mmroute.routing.loading.check import check_packing
from mmroute.routing.loading.model import Packing, Placement
from mmroute.routing.loading.thpack import read_thpack
from mmroute.routing.vrp.check import check_vrp
from mmroute.routing.vrp.readers import read_vrplib
from mmroute.routing.vrp.solution import VRPRoute, VRPSolution
from mmroute.scenarios.cars_model import VehicleOrder
from tests.routing.cars_fixtures import MODELS, carrier
from tests.routing.packing_reference import reference_check

DATA = Path(__file__).resolve().parents[1] / "data"
FAST = int(os.environ.get("MMROUTE_FUZZ_EXAMPLES", "300"))

#: Values a forger puts where a number belongs.
HOSTILE: list[Any] = [math.nan, math.inf, -math.inf, 1e309 * 0, 10**30, -(10**30), 2**63, -1, 0, 1.5, -0.5,
                      2.0, True, None, "1", "nan", [], {}, 1e300]

def _fuzz_settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def _outcome(check, *args, **kw) -> CheckReport | MMRouteError:
    """The checker's report, or the project exception it raised (anything else fails)."""
    try:
        report = check(*args, **kw)
    except MMRouteError as exc:
        assert "\n" not in str(exc).strip()
        return exc
    assert isinstance(report, CheckReport)
    assert report.n_violations >= len(report.violations)
    assert report.feasible == (report.n_violations == 0)
    return report


def _claims_hold(objective: Any, bound: Any, status: Any, recomputed: float, tol: float, sense: str = "min") -> bool:
    """The oracle of claims: finite objective near the recomputed one, bound on the right
    side, optimal only with bound = objective."""
    def finite(x: Any) -> bool:
        return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)

    if objective is not None and not (finite(objective) and abs(objective - recomputed) <= tol):
        return False
    if bound is not None:
        if not finite(bound):
            return False
        if (sense == "min" and bound > recomputed + tol) or (sense == "max" and bound < recomputed - tol):
            return False
    if status not in ("optimal", "feasible", "infeasible", "timeout"):
        return False
    return status != "optimal" or (bound is not None and abs(bound - recomputed) <= tol)


def _integral(v: Any) -> bool:
    """An integer, or a float without fraction (``2.0`` is node 2: nothing is cut)."""
    return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())


# --- mutation helpers -----------------------------------------------------------------------
@st.composite
def _edits(draw, paths: list[tuple], claims: tuple[str, ...]) -> list[tuple]:
    """One to three edits: ("set", path, value), ("swap", p, q), ("dup", list path, i),
    ("del", list path, i), ("claim", key, value)."""
    out = []
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["set", "swap", "dup", "del", "claim", "claim"]))
        if op in ("set", "swap"):
            p = draw(st.sampled_from(paths))
            if op == "set":
                out.append(("set", p, draw(st.sampled_from(HOSTILE + [draw(st.integers(-5, 50))]))))
            else:
                out.append(("swap", p, draw(st.sampled_from(paths))))
        elif op in ("dup", "del"):
            p = draw(st.sampled_from(paths))
            out.append((op, p[:-1], p[-1]))
        else:
            out.append(("claim", draw(st.sampled_from(claims)),
                        draw(st.sampled_from(HOSTILE + ["optimal", "feasible", "timeout", "bogus", 0.0, 31, 32, 33]))))
    return out


def _get(data: Any, path: tuple) -> Any:
    for k in path:
        data = data[k]
    return data


def _apply(data: Any, edits: list[tuple]) -> Any:
    data = copy.deepcopy(data)
    for op, a, b in edits:
        try:
            if op == "set":
                _get(data, a[:-1])[a[-1]] = b
            elif op == "swap":
                pa, pb = _get(data, a[:-1]), _get(data, b[:-1])
                pa[a[-1]], pb[b[-1]] = pb[b[-1]], pa[a[-1]]
            elif op == "dup":
                seq = _get(data, a)
                seq.insert(b, copy.deepcopy(seq[b]))
            elif op == "del":
                del _get(data, a)[b]
            else:
                data[a] = b
        except (IndexError, KeyError, TypeError, AttributeError):
            continue  # a path into a dict (no list), or an earlier edit changed the shape: skip this one
    return data


def _leaf_paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _leaf_paths(v, (*prefix, k))]
    if isinstance(data, list):
        return [p for k, v in enumerate(data) for p in _leaf_paths(v, (*prefix, k))]
    return [prefix]


CLAIMS = ("objective", "bound", "status", "time_s", "seed")


def _forge(data, raw: dict, lists: tuple[str, ...], from_dict, build):
    """Edits of ``raw`` (its leaves under ``lists``, and its claims) drawn from ``data``; then
    the forged object read by ``from_dict`` (the reader may refuse: ``None``) or built in code
    by ``build`` (``None`` when not even the dataclasses can be built)."""
    paths = [p for key in lists for p in _leaf_paths(raw[key], (key,))]
    mutated = _apply(raw, data.draw(_edits(paths, CLAIMS)))
    if data.draw(st.booleans()):
        try:
            return from_dict(mutated)
        except MMRouteError:
            return None
    try:
        return build(mutated)
    except (TypeError, KeyError, AttributeError):
        return None


# --- VRP ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def vrp_case():
    """tiny.vrp (capacity 10, demands 4 4 5 5) and its optimum: routes 1-3 and 2-4, cost 32."""
    problem = read_vrplib(DATA / "vrp" / "tiny.vrp")
    sol = VRPSolution(routes=(VRPRoute(visits=(1, 3)), VRPRoute(visits=(2, 4))), objective=32.0,
                      status="optimal", bound=32.0)
    assert check_vrp(problem, sol).feasible
    return problem, sol


def _vrp_oracle(problem, sol: VRPSolution, report: CheckReport) -> None:
    """An accepted solution visits every client once within capacity and its claims hold."""
    visits = [v for r in sol.routes for v in r.visits]
    assert sorted(visits) == list(problem.clients)
    assert all(_integral(v) for v in visits)
    for r in sol.routes:
        assert r.vehicle_type == 0
        assert sum(problem.demand[int(v)] for v in r.visits) <= problem.vehicle_types[0].capacity
    assert _claims_hold(sol.objective, sol.bound, sol.status, report.objective, 1e-6)


def _vrp_fuzz(examples: int):
    @_fuzz_settings(examples)
    @given(data=st.data())
    def run(vrp_case, data):
        problem, sol = vrp_case

        def build(m: dict) -> VRPSolution:
            types = m.get("vehicle_types") or [0] * len(m["routes"])
            return VRPSolution(routes=tuple(VRPRoute(visits=tuple(r), vehicle_type=t) for r, t in zip(m["routes"], types)),
                               objective=m.get("objective"), bound=m.get("bound"), status=m.get("status"),
                               time_s=m.get("time_s"))

        forged = _forge(data, sol.to_dict(), ("routes", "vehicle_types"), VRPSolution.from_dict, build)
        if forged is None:
            return
        report = _outcome(check_vrp, problem, forged)
        if isinstance(report, CheckReport) and report.feasible:
            _vrp_oracle(problem, forged, report)

    return run


def test_forged_vrp_solutions_are_reported_never_accepted(vrp_case):
    _vrp_fuzz(FAST)(vrp_case)


@pytest.mark.slow
def test_forged_vrp_solutions_are_reported_never_accepted_long(vrp_case):
    _vrp_fuzz(10 * FAST)(vrp_case)


# --- packing --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def packing_case():
    """tiny.txt problem 1 (container 10 x 6 x 4) with a valid packing: two boxes stacked, one
    upright beside them."""
    inst = read_thpack(DATA / "loading" / "tiny.txt")[0]
    boxes = (Placement(1, (0, 0, 0), (5, 3, 2)), Placement(1, (0, 0, 2), (5, 3, 2)), Placement(2, (5, 0, 0), (2, 2, 4)))
    vol = sum(p.volume for p in boxes)
    packing = Packing(container=inst.container, placements=boxes, objective=vol, bound=inst.volume_bound,
                      status="feasible", time_s=0.0, solver="test")
    assert check_packing(inst.container, inst.box_types, packing).feasible
    return inst, packing


def _packing_oracle(inst, packing: Packing, report: CheckReport, min_support: float) -> None:
    """An accepted packing passes the former pairwise checker on integer geometry, and its
    claims hold (objective = packed volume, bound not below it)."""
    for p in packing.placements:
        assert isinstance(p.type_id, int) and all(_integral(v) for v in (*p.position, *p.dims))
    assert reference_check(inst.container, inst.box_types, packing.placements, min_support) == {}
    assert _claims_hold(packing.objective, packing.bound, packing.status, report.objective, 0.5, "max")


def _packing_fuzz(examples: int):
    @_fuzz_settings(examples)
    @given(data=st.data())
    def run(packing_case, data):
        inst, packing = packing_case

        def build(m: dict) -> Packing:
            placements = tuple(Placement(b.get("type"), b.get("position"), b.get("dims")) for b in m["boxes"])
            return Packing(container=inst.container, placements=placements, objective=m.get("objective"),
                           bound=m.get("bound"), status=m.get("status"), time_s=m.get("time_s"), solver="fuzz")

        forged = _forge(data, packing.to_dict(), ("boxes",), Packing.from_dict, build)
        support = data.draw(st.sampled_from([1.0, 0.5, 0.0]))
        if forged is None:
            return
        report = _outcome(check_packing, inst.container, inst.box_types, forged, min_support=support)
        if isinstance(report, CheckReport) and report.feasible:
            _packing_oracle(inst, forged, report, support)

    return run


def test_forged_packings_are_reported_never_accepted(packing_case):
    _packing_fuzz(FAST)(packing_case)


@pytest.mark.slow
def test_forged_packings_are_reported_never_accepted_long(packing_case):
    _packing_fuzz(10 * FAST)(packing_case)


# --- cars -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cars_case():
    """Two dealers (two sedans, one small car) and the practice plan for them."""
    coords = ((109.50, 24.40), (109.55, 24.45), (109.45, 24.35))
    orders = (VehicleOrder(id="A", dealer="A", model="sedan", quantity=2, open_h=0.0, due_h=48.0),
              VehicleOrder(id="B", dealer="B", model="small", quantity=1, open_h=0.0, due_h=48.0))
    problem = CarsProblem(name="two", models=tuple(MODELS.values()), carrier_types=(carrier(),), orders=orders,
                          places=("P", "A", "B"), coords=coords, distance_km=geodesic_matrix_km(coords))
    plan = solve_practice(problem, rates=False)
    assert check_cars_plan(problem, plan).feasible
    return problem, plan


def _cars_oracle(problem: CarsProblem, plan: CarsPlan, report: CheckReport) -> None:
    """An accepted plan delivers every vehicle once, at finite positions, and its claims hold."""
    placed = sorted(p.vehicle for r in plan.routes for p in r.placements)
    assert placed == sorted(v.id for v in problem.vehicles())
    for r in plan.routes:
        for p in r.placements:
            assert math.isfinite(p.x_m) and isinstance(p.stop, int) and not isinstance(p.stop, bool)
    assert _claims_hold(plan.objective, plan.bound, plan.status, report.objective, 0.01)


def _cars_fuzz(examples: int):
    @_fuzz_settings(examples)
    @given(data=st.data())
    def run(cars_case, data):
        problem, plan = cars_case
        raw = plan.to_dict()
        raw["objective"] = float(plan.objective)

        def build(m: dict) -> CarsPlan:  # placements built in code
            routes = tuple(replace(r, placements=tuple(CarPlacement(**p) for p in mr["placements"]))
                           for r, mr in zip(plan.routes, m["routes"]))
            return replace(plan, routes=routes, objective=m.get("objective"), bound=m.get("bound"),
                           status=m.get("status"), time_s=m.get("time_s"))

        forged = _forge(data, raw, ("routes",), CarsPlan.from_dict, build)
        if forged is None:
            return
        report = _outcome(check_cars_plan, problem, forged)
        if isinstance(report, CheckReport) and report.feasible:
            _cars_oracle(problem, forged, report)
        route = forged.routes[0] if forged.routes else None
        if route is not None and isinstance(route.placements, tuple):
            items = [LoadItem(id=v.id, model=v.model, stop=1) for v in problem.vehicles()[:1]]
            _outcome(check_load, carrier(), MODELS, items, route.placements)

    return run


def test_forged_car_plans_are_reported_never_accepted(cars_case):
    _cars_fuzz(FAST)(cars_case)


@pytest.mark.slow
def test_forged_car_plans_are_reported_never_accepted_long(cars_case):
    _cars_fuzz(5 * FAST)(cars_case)


# --- loading-aware routes -------------------------------------------------------------------
@pytest.fixture(scope="module")
def loadroute_case():
    """Three suppliers with one tall pallet each, and a VRP solution of their fleet."""
    from mmroute.routing.vrp import VRPParams, from_scenario_fleet, solve_vrp
    from tests.routing.test_loadroute import pallet_scenario

    scenario = pallet_scenario(quantity=1)
    problem = from_scenario_fleet(scenario)
    sol = solve_vrp(problem, time_limit_s=2, seed=0, params=VRPParams(max_iterations=50))
    return scenario, problem, sol


def _loadroute_fuzz(examples: int):
    from mmroute.routing.loadroute import LoadingCheckParams, check_route_loading

    quick = LoadingCheckParams(max_passes=2, exact_max_boxes=0)

    @_fuzz_settings(examples)
    @given(data=st.data())
    def run(loadroute_case, data):
        scenario, problem, sol = loadroute_case

        def build(m: dict) -> VRPSolution:
            return VRPSolution(routes=tuple(VRPRoute(visits=tuple(r), vehicle_type=t)
                                            for r, t in zip(m["routes"], m["vehicle_types"])), objective=None)

        forged = _forge(data, sol.to_dict(), ("routes", "vehicle_types"), VRPSolution.from_dict, build)
        if forged is None:
            return
        report = _outcome(check_route_loading, scenario, problem, forged, time_limit_s_per_route=0.5,
                          params=quick)
        if isinstance(report, CheckReport) and report.feasible:
            for r in forged.routes:  # accepted: every route names real clients by integer ids
                assert isinstance(r.vehicle_type, int) and 0 <= r.vehicle_type < len(problem.vehicle_types)
                assert all(_integral(v) and v in problem.clients
                           for v in r.visits)

    return run


def test_forged_routes_are_reported_by_the_route_loading_checker(loadroute_case):
    _loadroute_fuzz(max(10, FAST // 15))(loadroute_case)


@pytest.mark.slow
def test_forged_routes_are_reported_by_the_route_loading_checker_long(loadroute_case):
    _loadroute_fuzz(FAST)(loadroute_case)
