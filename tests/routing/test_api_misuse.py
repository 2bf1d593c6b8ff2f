"""Misusing the public Python API gives the project's exception naming the argument.

About 130 wrong calls of the vrp, loading, loadroute and cars entry points — ``None``, text
for numbers, NaN / infinite / negative time limits, negative seeds, a path where a problem
object belongs, wrong types for ``params`` and ``initial`` — each must raise an
:class:`mmroute.errors.InputError` (or a subclass) whose message names the argument, never a
raw ``TypeError`` / ``AttributeError`` from deep inside (issue 12, item 5). None of them
reaches a solver.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from mmroute.errors import InputError
from mmroute.routing.cars import (
    CarsParams,
    CarsPlan,
    CarsProblem,
    LoadItem,
    LoadParams,
    check_cars_plan,
    check_load,
    solve_cars,
    solve_load,
    solve_practice,
)
from mmroute.routing.cars.problem import geodesic_matrix_km
from mmroute.routing.loading import (
    BoxType,
    Container,
    HeuristicParams,
    LoadingParams,
    check_packing,
    pack_blocks,
    pack_exact,
    read_loading_instance,
    read_thpack,
    solve_loading,
)
from mmroute.routing.loadroute import (
    LoadingAwareParams,
    check_route,
    check_route_loading,
    solve_loading_aware,
)
from mmroute.routing.vrp import (
    ExactParams,
    VRPParams,
    VRPProblem,
    VRPRoute,
    VRPSolution,
    VRPVehicleType,
    check_vrp,
    from_scenario_fleet,
    read_instance,
    solve_vrp,
    solve_vrp_exact,
    solve_vrptw_exact,
)
from mmroute.scenarios.cars_model import VehicleOrder
from tests.routing.cars_fixtures import MODELS, carrier

DATA = Path(__file__).resolve().parents[1] / "data"
VRP_FILE = DATA / "vrp" / "tiny.vrp"


@pytest.fixture(scope="module")
def ctx() -> SimpleNamespace:
    """One small valid object of every kind the calls below misuse."""
    from tests.routing.test_loadroute import pallet_scenario

    vrp = read_instance(VRP_FILE)
    inst = read_thpack(DATA / "loading" / "tiny.txt")[0]
    scenario = pallet_scenario(quantity=1)
    coords = ((109.50, 24.40), (109.55, 24.45))
    cars = CarsProblem(name="one", models=tuple(MODELS.values()), carrier_types=(carrier(),),
                       orders=(VehicleOrder(id="A", dealer="A", model="sedan", quantity=1, open_h=0, due_h=48),),
                       places=("P", "A"), coords=coords, distance_km=geodesic_matrix_km(coords))
    return SimpleNamespace(
        vrp=vrp, sol=VRPSolution(routes=(VRPRoute(visits=(1, 3)), VRPRoute(visits=(2, 4))), objective=32),
        inst=inst, scenario=scenario, fleet=from_scenario_fleet(scenario), cars=cars,
        plan=CarsPlan(routes=(), objective=0.0), items=[LoadItem(id="A#1", model="sedan", stop=1)],
    )


Call = Callable[[SimpleNamespace], Any]
BAD_TIMES: list[Any] = [None, "1", math.nan, math.inf, -1, 0, True, 1e12]
BAD_SEEDS: list[Any] = [-1, None, "0", 1.5, 2**40]


def _vrp(**kw) -> Call:
    args = {"time_limit_s": 1, "seed": 0, **kw}
    return lambda c: solve_vrp(args.pop("problem", c.vrp), **args)


CALLS: list[tuple[str, str, Call]] = [
    # --- vrp ---------------------------------------------------------------------------------
    ("solve_vrp(None)", "problem", lambda c: solve_vrp(None, time_limit_s=1, seed=0)),
    ("solve_vrp(path str)", "problem", lambda c: solve_vrp(str(VRP_FILE), time_limit_s=1, seed=0)),
    ("solve_vrp(Path)", "problem", lambda c: solve_vrp(VRP_FILE, time_limit_s=1, seed=0)),
    *[(f"solve_vrp(time_limit_s={t!r})", "time_limit_s", _vrp(time_limit_s=t)) for t in BAD_TIMES],
    *[(f"solve_vrp(seed={s!r})", "seed", _vrp(seed=s)) for s in BAD_SEEDS],
    ("solve_vrp(params='fast')", "params", _vrp(params="fast")),
    ("solve_vrp(params=ExactParams())", "params", _vrp(params=ExactParams())),
    ("solve_vrp(params=dict)", "params", _vrp(params={"engine": "pyvrp"})),
    ("solve_vrp(max_iterations=-5)", "max_iterations", _vrp(params=VRPParams(max_iterations=-5))),
    ("solve_vrp(engine='x')", "engine", _vrp(params=VRPParams(engine="x"))),
    ("solve_vrp(initial='x')", "initial", _vrp(initial="x")),
    ("solve_vrp(initial=[[1, 3]])", "initial", _vrp(initial=[[1, 3]])),
    ("solve_vrp(initial=5)", "initial", _vrp(initial=5)),
    ("solve_vrp_exact(path)", "problem", lambda c: solve_vrp_exact(str(VRP_FILE), time_limit_s=1, seed=0)),
    ("solve_vrp_exact(nan)", "time_limit_s", lambda c: solve_vrp_exact(c.vrp, time_limit_s=math.nan, seed=0)),
    ("solve_vrp_exact(inf)", "time_limit_s", lambda c: solve_vrp_exact(c.vrp, time_limit_s=math.inf, seed=0)),
    ("solve_vrp_exact(seed=-1)", "seed", lambda c: solve_vrp_exact(c.vrp, time_limit_s=1, seed=-1)),
    ("solve_vrp_exact(params=VRPParams())", "params", lambda c: solve_vrp_exact(c.vrp, time_limit_s=1, seed=0, params=VRPParams())),
    ("solve_vrp_exact(initial='x')", "initial", lambda c: solve_vrp_exact(c.vrp, time_limit_s=1, seed=0, initial="x")),
    ("solve_vrptw_exact(None)", "problem", lambda c: solve_vrptw_exact(None, time_limit_s=1, seed=0)),
    ("solve_vrptw_exact(nan)", "time_limit_s", lambda c: solve_vrptw_exact(c.vrp, time_limit_s=math.nan, seed=0)),
    ("solve_vrptw_exact(seed='1')", "seed", lambda c: solve_vrptw_exact(c.vrp, time_limit_s=1, seed="1")),
    ("solve_vrptw_exact(params=1)", "params", lambda c: solve_vrptw_exact(c.vrp, time_limit_s=1, seed=0, params=1)),
    ("check_vrp(None, sol)", "problem", lambda c: check_vrp(None, c.sol)),
    ("check_vrp(path, sol)", "problem", lambda c: check_vrp(str(VRP_FILE), c.sol)),
    ("check_vrp(problem, None)", "solution", lambda c: check_vrp(c.vrp, None)),
    ("check_vrp(problem, dict)", "solution", lambda c: check_vrp(c.vrp, c.sol.to_dict())),
    ("check_vrp(problem, 'sol.json')", "solution", lambda c: check_vrp(c.vrp, "sol.json")),
    ("check_vrp(objective_tol=nan)", "objective_tol", lambda c: check_vrp(c.vrp, c.sol, objective_tol=math.nan)),
    ("check_vrp(objective_tol=-1)", "objective_tol", lambda c: check_vrp(c.vrp, c.sol, objective_tol=-1)),
    ("check_vrp(objective_tol='0')", "objective_tol", lambda c: check_vrp(c.vrp, c.sol, objective_tol="0")),
    ("check_vrp(routes=None)", "solution.routes", lambda c: check_vrp(c.vrp, VRPSolution(routes=None, objective=None))),
    ("read_instance(None)", "path", lambda c: read_instance(None)),
    ("read_instance(5)", "path", lambda c: read_instance(5)),
    ("read_instance(rounding='up')", "rounding", lambda c: read_instance(VRP_FILE, rounding="up")),
    ("read_instance(n_customers=0)", "n_customers", lambda c: read_instance(DATA / "vrp" / "tiny_solomon.txt", n_customers=0)),
    ("read_instance(n_customers=1.5)", "n_customers", lambda c: read_instance(DATA / "vrp" / "tiny_solomon.txt", n_customers=1.5)),
    ("VRPProblem(demand=None)", "demand", lambda c: VRPProblem(distance=[[0]], duration=[[0]], demand=None,
                                                               vehicle_types=(VRPVehicleType(capacity=1, count=1),))),
    ("VRPProblem(distance='x')", "distance", lambda c: VRPProblem(distance="x", duration=[[0]], demand=[0],
                                                                  vehicle_types=(VRPVehicleType(capacity=1, count=1),))),
    ("VRPVehicleType(capacity='10')", "capacity", lambda c: VRPProblem(distance=[[0]], duration=[[0]], demand=[0],
                                                                       vehicle_types=(VRPVehicleType(capacity="10", count=1),))),
    ("VRPProblem(vehicle_types=dict)", "vehicle_types", lambda c: VRPProblem(distance=[[0]], duration=[[0]], demand=[0],
                                                                             vehicle_types={"capacity": 1})),
    ("VRPProblem(drop_penalty=['x'])", "drop_penalty", lambda c: VRPProblem(distance=[[0]], duration=[[0]], demand=[0],
                                                                            vehicle_types=(VRPVehicleType(capacity=1, count=1),),
                                                                            drop_penalty=["x"])),
    # --- loading -----------------------------------------------------------------------------
    ("solve_loading(None)", "instance", lambda c: solve_loading(None, time_limit_s=1, seed=0)),
    ("solve_loading(path)", "instance", lambda c: solve_loading(str(DATA / "loading" / "tiny.txt"), time_limit_s=1, seed=0)),
    *[(f"solve_loading(time_limit_s={t!r})", "time_limit_s", lambda c, t=t: solve_loading(c.inst, time_limit_s=t, seed=0))
      for t in (None, math.nan, math.inf, -1)],
    *[(f"solve_loading(seed={s!r})", "seed", lambda c, s=s: solve_loading(c.inst, time_limit_s=1, seed=s)) for s in (-1, None, "3")],
    ("solve_loading(params='x')", "params", lambda c: solve_loading(c.inst, time_limit_s=1, seed=0, params="x")),
    ("solve_loading(min_support=-1)", "min_support", lambda c: solve_loading(c.inst, time_limit_s=1, seed=0,
                                                                             params=LoadingParams(min_support=-1))),
    ("solve_loading(min_support=nan)", "min_support", lambda c: solve_loading(c.inst, time_limit_s=1, seed=0,
                                                                              params=LoadingParams(min_support=math.nan))),
    ("solve_loading(initial='x')", "initial", lambda c: solve_loading(c.inst, time_limit_s=1, seed=0, initial="x")),
    ("solve_loading(initial=[1])", "initial", lambda c: solve_loading(c.inst, time_limit_s=1, seed=0, initial=[1])),
    ("pack_blocks(None)", "instance", lambda c: pack_blocks(None, time_limit_s=1, seed=0)),
    ("pack_blocks(nan)", "time_limit_s", lambda c: pack_blocks(c.inst, time_limit_s=math.nan, seed=0)),
    ("pack_blocks(params=LoadingParams())", "params", lambda c: pack_blocks(c.inst, time_limit_s=1, seed=0, params=LoadingParams())),
    ("pack_blocks(max_passes=-1)", "max_passes", lambda c: pack_blocks(c.inst, time_limit_s=1, seed=0,
                                                                       params=HeuristicParams(max_passes=-1))),
    ("pack_exact(seed=-1)", "seed", lambda c: pack_exact(c.inst, time_limit_s=1, seed=-1)),
    ("pack_exact(min_support=nan)", "min_support", lambda c: pack_exact(c.inst, time_limit_s=1, seed=0, min_support=math.nan)),
    ("pack_exact(hint='x')", "hint", lambda c: pack_exact(c.inst, time_limit_s=1, seed=0, hint="x")),
    ("pack_exact(workers=0)", "workers", lambda c: pack_exact(c.inst, time_limit_s=1, seed=0, workers=0)),
    ("check_packing(None, ...)", "container", lambda c: check_packing(None, c.inst.box_types, [])),
    ("check_packing(container, None, ...)", "box_types", lambda c: check_packing(c.inst.container, None, [])),
    ("check_packing(..., None)", "packing", lambda c: check_packing(c.inst.container, c.inst.box_types, None)),
    ("check_packing(..., 'packing.json')", "packing", lambda c: check_packing(c.inst.container, c.inst.box_types, "p.json")),
    ("check_packing(..., [dict])", "packing[0]", lambda c: check_packing(c.inst.container, c.inst.box_types,
                                                                         [{"type": 1, "position": [0, 0, 0]}])),
    ("check_packing(duplicate type ids)", "box_types", lambda c: check_packing(c.inst.container, c.inst.box_types * 2, [])),
    ("check_packing(min_support='1')", "min_support", lambda c: check_packing(c.inst.container, c.inst.box_types, [],
                                                                              min_support="1")),
    ("read_loading_instance(None)", "file", lambda c: read_loading_instance(None)),
    ("read_loading_instance(instance=0)", "instance", lambda c: read_loading_instance(DATA / "loading" / "tiny.txt", 0)),
    ("read_loading_instance(instance=1.5)", "instance", lambda c: read_loading_instance(DATA / "loading" / "tiny.txt", 1.5)),
    ("read_thpack(None)", "path", lambda c: read_thpack(None)),
    ("BoxType(id='a')", "id", lambda c: BoxType(id="a", dims=(1, 1, 1), quantity=1)),
    ("BoxType(weight_kg=nan)", "weight_kg", lambda c: BoxType(id=1, dims=(1, 1, 1), quantity=1, weight_kg=math.nan)),
    ("BoxType(stop=-1)", "stop", lambda c: BoxType(id=1, dims=(1, 1, 1), quantity=1, stop=-1)),
    ("Container(payload_kg=inf)", "payload_kg", lambda c: Container(1, 1, 1, payload_kg=math.inf)),
    ("Container(length=1.5)", "length", lambda c: Container(1.5, 1, 1)),
    # --- loadroute ---------------------------------------------------------------------------
    ("check_route_loading(None, ...)", "scenario", lambda c: check_route_loading(None, c.fleet, c.sol, time_limit_s_per_route=1)),
    ("check_route_loading(path, ...)", "scenario", lambda c: check_route_loading("tiny.yaml", c.fleet, c.sol,
                                                                                 time_limit_s_per_route=1)),
    ("check_route_loading(problem=None)", "problem", lambda c: check_route_loading(c.scenario, None, c.sol,
                                                                                   time_limit_s_per_route=1)),
    ("check_route_loading(another problem)", "problem", lambda c: check_route_loading(c.scenario, c.vrp, c.sol,
                                                                                      time_limit_s_per_route=1)),
    ("check_route_loading(solution=None)", "solution", lambda c: check_route_loading(c.scenario, c.fleet, None,
                                                                                     time_limit_s_per_route=1)),
    ("check_route_loading(time nan)", "time_limit_s_per_route", lambda c: check_route_loading(
        c.scenario, c.fleet, c.sol, time_limit_s_per_route=math.nan)),
    ("check_route_loading(min_support=-1)", "min_support", lambda c: check_route_loading(
        c.scenario, c.fleet, c.sol, time_limit_s_per_route=1, min_support=-1)),
    ("check_route_loading(seed=-1)", "seed", lambda c: check_route_loading(c.scenario, c.fleet, c.sol,
                                                                           time_limit_s_per_route=1, seed=-1)),
    ("check_route_loading(params='x')", "params", lambda c: check_route_loading(c.scenario, c.fleet, c.sol,
                                                                                time_limit_s_per_route=1, params="x")),
    ("check_route(visits=[99])", "visits", lambda c: check_route(c.scenario, c.fleet, [99], 0, time_limit_s=1)),
    ("check_route(visits='1')", "visits", lambda c: check_route(c.scenario, c.fleet, "1", 0, time_limit_s=1)),
    ("check_route(vehicle_type=5)", "vehicle_type", lambda c: check_route(c.scenario, c.fleet, [1], 5, time_limit_s=1)),
    ("check_route(time_limit_s=nan)", "time_limit_s", lambda c: check_route(c.scenario, c.fleet, [1], 0,
                                                                            time_limit_s=math.nan)),
    ("solve_loading_aware(None)", "scenario", lambda c: solve_loading_aware(None, time_limit_s=1, seed=0)),
    ("solve_loading_aware(path)", "scenario", lambda c: solve_loading_aware("liuzhou-milkrun", time_limit_s=1, seed=0)),
    ("solve_loading_aware(time inf)", "time_limit_s", lambda c: solve_loading_aware(c.scenario, time_limit_s=math.inf, seed=0)),
    ("solve_loading_aware(seed=-1)", "seed", lambda c: solve_loading_aware(c.scenario, time_limit_s=1, seed=-1)),
    ("solve_loading_aware(params='x')", "params", lambda c: solve_loading_aware(c.scenario, time_limit_s=1, seed=0, params="x")),
    ("solve_loading_aware(min_support=2)", "min_support", lambda c: solve_loading_aware(
        c.scenario, time_limit_s=1, seed=0, params=LoadingAwareParams(min_support=2))),
    ("solve_loading_aware(initial='x')", "initial", lambda c: solve_loading_aware(c.scenario, time_limit_s=1, seed=0, initial="x")),
    # --- cars --------------------------------------------------------------------------------
    ("solve_cars(None)", "problem", lambda c: solve_cars(None, time_limit_s=1, seed=0)),
    ("solve_cars(path)", "problem", lambda c: solve_cars("liuzhou-cars", time_limit_s=1, seed=0)),
    ("solve_cars(time nan)", "time_limit_s", lambda c: solve_cars(c.cars, time_limit_s=math.nan, seed=0)),
    ("solve_cars(seed=-1)", "seed", lambda c: solve_cars(c.cars, time_limit_s=1, seed=-1)),
    ("solve_cars(params='x')", "params", lambda c: solve_cars(c.cars, time_limit_s=1, seed=0, params="x")),
    ("solve_cars(max_solves=0)", "max_solves", lambda c: solve_cars(c.cars, time_limit_s=1, seed=0, params=CarsParams(max_solves=0))),
    ("solve_cars(initial='x')", "initial", lambda c: solve_cars(c.cars, time_limit_s=1, seed=0, initial="x")),
    ("solve_load(carrier='x')", "carrier", lambda c: solve_load("x", MODELS, c.items, time_limit_s=1, seed=0)),
    ("solve_load(models=None)", "models", lambda c: solve_load(carrier(), None, c.items, time_limit_s=1, seed=0)),
    ("solve_load(items=None)", "items", lambda c: solve_load(carrier(), MODELS, None, time_limit_s=1, seed=0)),
    ("solve_load(unknown model)", "items", lambda c: solve_load(carrier(), MODELS, [LoadItem(id="x", model="bus", stop=1)],
                                                                time_limit_s=1, seed=0)),
    ("solve_load(time nan)", "time_limit_s", lambda c: solve_load(carrier(), MODELS, c.items, time_limit_s=math.nan, seed=0)),
    ("solve_load(seed=-1)", "seed", lambda c: solve_load(carrier(), MODELS, c.items, time_limit_s=1, seed=-1)),
    ("solve_load(params='x')", "params", lambda c: solve_load(carrier(), MODELS, c.items, time_limit_s=1, seed=0, params="x")),
    ("solve_load(workers=0)", "workers", lambda c: solve_load(carrier(), MODELS, c.items, time_limit_s=1, seed=0,
                                                              params=LoadParams(workers=0))),
    ("check_load(None, ...)", "carrier", lambda c: check_load(None, MODELS, c.items, [])),
    ("check_load(models=[])", "models", lambda c: check_load(carrier(), [], c.items, [])),
    ("check_load(items='x')", "items", lambda c: check_load(carrier(), MODELS, "x", [])),
    ("check_load(placements=None)", "placements", lambda c: check_load(carrier(), MODELS, c.items, None)),
    ("solve_practice(path)", "problem", lambda c: solve_practice("liuzhou-cars")),
    ("solve_practice(seed=-1)", "seed", lambda c: solve_practice(c.cars, seed=-1)),
    ("from_scenario_fleet(path)", "scenario", lambda c: from_scenario_fleet("liuzhou-milkrun")),
    ("check_cars_plan(None, plan)", "problem", lambda c: check_cars_plan(None, c.plan)),
    ("check_cars_plan(problem, None)", "plan", lambda c: check_cars_plan(c.cars, None)),
    ("check_cars_plan(problem, 'plan.json')", "plan", lambda c: check_cars_plan(c.cars, "plan.json")),
    ("check_cars_plan(problem, dict)", "plan", lambda c: check_cars_plan(c.cars, {"routes": []})),
]


@pytest.mark.parametrize(("argument", "call"), [(a, f) for _, a, f in CALLS], ids=[n for n, _, _ in CALLS])
def test_a_misused_entry_point_raises_an_input_error_naming_the_argument(ctx, argument, call):
    with pytest.raises(InputError) as info:
        call(ctx)
    message = str(info.value)
    assert argument in message, message
    assert "\n" not in message


def test_the_misuse_list_is_long_enough():
    assert len(CALLS) >= 80
