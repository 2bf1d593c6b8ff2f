"""Regression tests for the checker classes of issue 12 (item 2), one per class found."""

from __future__ import annotations

import math
import tracemalloc
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmroute.errors import InstanceError
from mmroute.routing.cars import CarsPlan, check_cars_plan, check_load
from mmroute.routing.cars.load import DeckPlacement as CarPlacement
from mmroute.routing.cars.load import LoadItem
from mmroute.routing.loading.check import check_packing
from mmroute.routing.loading.model import BoxType, Container, Packing, Placement
from mmroute.routing.vrp.check import check_vrp
from mmroute.routing.vrp.readers import read_vrplib
from mmroute.routing.vrp.solution import VRPRoute, VRPSolution
from tests.routing.cars_fixtures import MODELS, carrier
from tests.routing.packing_reference import reference_check

DATA = Path(__file__).resolve().parents[1] / "data"
ROUTES = (VRPRoute(visits=(1, 3)), VRPRoute(visits=(2, 4)))  # the optimum of tiny.vrp: cost 32


@pytest.fixture(scope="module")
def tiny():
    return read_vrplib(DATA / "vrp" / "tiny.vrp")


# --- VRP ------------------------------------------------------------------------------------
def test_bug_vrp_check_did_not_compare_the_bound_under_status_optimal(tiny):
    ok = VRPSolution(routes=ROUTES, objective=32, status="optimal", bound=32)
    assert check_vrp(tiny, ok).feasible
    for forged in (dict(bound=None), dict(bound=30), dict(bound=math.nan)):
        report = check_vrp(tiny, replace(ok, **forged))
        assert not report.feasible and any(v.where == "status" or v.where == "bound" for v in report.violations)


def test_bug_vrp_check_accepted_a_bound_above_the_objective(tiny):
    report = check_vrp(tiny, VRPSolution(routes=ROUTES, objective=32, status="timeout", bound=40))
    assert not report.feasible and "above the recomputed objective 32" in report.reason
    assert check_vrp(tiny, VRPSolution(routes=ROUTES, objective=32, status="timeout", bound=31)).feasible


@pytest.mark.parametrize("bound", [math.inf, -math.inf, math.nan, "31", True])
def test_bug_vrp_check_accepted_a_bound_that_is_not_a_finite_number(tiny, bound):
    report = check_vrp(tiny, VRPSolution(routes=ROUTES, objective=32, status="timeout", bound=bound))
    assert not report.feasible and report.violations[0].where == "bound"


@pytest.mark.parametrize("status", ["proven", None, 1])
def test_bug_vrp_check_accepted_an_unknown_status(tiny, status):
    assert not check_vrp(tiny, VRPSolution(routes=ROUTES, objective=32, status=status)).feasible


@pytest.mark.parametrize("node", [1.5, "1", None, True, 10**30, -1, math.nan])
def test_bug_vrp_check_crashed_or_truncated_on_node_ids_built_in_code(tiny, node):
    report = check_vrp(tiny, VRPSolution(routes=(VRPRoute(visits=(node, 3)), VRPRoute(visits=(2, 4))), objective=None))
    assert not report.feasible
    assert check_vrp(tiny, VRPSolution(routes=(VRPRoute(visits=(1.0, 3)), VRPRoute(visits=(2, 4))),
                                       objective=None)).feasible  # 1.0 is node 1: nothing cut


# --- packing --------------------------------------------------------------------------------
C = Container(10, 6, 4)
T = (BoxType(1, (5, 3, 2), 8), BoxType(2, (2, 2, 4), 3, vertical=(False, False, True)))
GOOD = (Placement(1, (0, 0, 0), (5, 3, 2)), Placement(1, (0, 0, 2), (5, 3, 2)))


def _packing(**kw) -> Packing:
    base = dict(container=C, placements=GOOD, objective=60, bound=240, status="feasible", time_s=0.0, solver="t")
    return Packing(**{**base, **kw})


def test_bug_load_check_did_not_compare_the_bound_or_the_status():
    assert check_packing(C, T, _packing()).feasible
    assert check_packing(C, T, _packing(status="optimal", bound=60)).feasible
    for forged in (dict(bound=59), dict(status="optimal"), dict(status="optimal", bound=None),
                   dict(bound=math.nan), dict(status="done"), dict(objective=math.inf)):
        report = check_packing(C, T, _packing(**forged))
        assert not report.feasible, forged
        assert set(report.details["counts"]) <= {"bound", "objective"}


@pytest.mark.parametrize("value", [0.5, 1e-9, math.nan, math.inf, "0", None, True, 10**30])
def test_bug_load_check_truncated_or_crashed_on_positions_built_in_code(value):
    """A Placement built in code skips the JSON reader: a fractional position must be a
    violation, not cut to an integer (0.5 -> 0 would make this stacked pair look fine)."""
    forged = (GOOD[0], Placement(1, (value, 0, 2), (5, 3, 2)))
    report = check_packing(C, T, forged)
    assert not report.feasible and "value" in report.details["counts"]


def test_an_integral_float_position_is_the_integer():
    assert check_packing(C, T, (GOOD[0], Placement(1, (0.0, 0, 2.0), (5, 3, 2)))).feasible


def _peak_bytes(run):
    """``run()``'s result and the peak of memory allocated by Python meanwhile (bytes)."""
    tracemalloc.start()
    try:
        out = run()
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_bug_load_check_built_a_pairwise_matrix_8000_boxes_needed_gigabytes():
    """8,000 boxes on one spot (a 472 KB packing file): every pair overlaps. The former checker
    built n x n matrices and a message per pair (> 3 GB); now memory stays bounded and the
    count is still exact (8000 * 7999 / 2 pairs)."""
    types = (BoxType(1, (10, 10, 10), 10**6),)
    boxes = [Placement(1, (0, 0, 0), (10, 10, 10))] * 8000
    report, peak = _peak_bytes(lambda: check_packing(Container(1000, 1000, 1000), types, boxes))
    assert report.details["counts"] == {"overlap": 8000 * 7999 // 2}
    assert len(report.violations) <= 50
    assert peak < 150e6, f"peak {peak / 1e6:.0f} MB"


def test_a_tight_packing_of_8000_boxes_is_checked_in_bounded_memory():
    types = (BoxType(1, (10, 10, 10), 10**6),)
    boxes = [Placement(1, (10 * (k % 20), 10 * (k // 20 % 20), 10 * (k // 400)), (10, 10, 10)) for k in range(8000)]
    report, peak = _peak_bytes(lambda: check_packing(Container(200, 200, 200), types, boxes))
    assert report.feasible and report.details["utilisation"] == 1.0
    assert peak < 150e6, f"peak {peak / 1e6:.0f} MB"


STOPS = (BoxType(1, (2, 2, 2), 6, stop=0), BoxType(2, (2, 2, 2), 6, stop=1, stackable=False),
         BoxType(3, (4, 2, 2), 4, vertical=(False, False, True)))


@st.composite
def _random_packing(draw):
    n = draw(st.integers(0, 14))
    out = []
    for _ in range(n):
        t = draw(st.sampled_from(STOPS + (BoxType(9, (1, 1, 1), 1),)))
        dims = draw(st.sampled_from(list(t.orientations()) + [(1, 2, 3)]))
        pos = tuple(draw(st.integers(-1, 6)) for _ in range(3))
        out.append(Placement(t.id, pos, dims))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(boxes=_random_packing(), support=st.sampled_from([0.0, 0.5, 1.0]))
def test_the_sweep_checker_agrees_with_the_former_pairwise_checker(boxes, support):
    """Same verdict, same counts per kind, same listed violations, on random small packings
    with stops, non-stackable boxes, unknown types and boxes outside the container."""
    container = Container(8, 6, 6)
    report = check_packing(container, STOPS, boxes, min_support=support)
    counts, listed = reference_check(container, STOPS, boxes, support, messages=True)
    assert report.details["counts"] == counts
    assert [str(v) for v in report.violations] == listed[: len(report.violations)]


# --- cars -----------------------------------------------------------------------------------
ITEMS = [LoadItem(id="a", model="sedan", stop=1), LoadItem(id="b", model="sedan", stop=1)]
LOAD = (CarPlacement("a", "sedan", 1, "TL", 0.0), CarPlacement("b", "sedan", 1, "TL", 5.0))


@pytest.mark.parametrize("x", [math.nan, math.inf, -math.inf, "0", None])
def test_bug_cars_check_accepted_a_nan_position(x):
    """Comparisons with NaN are all false, so a NaN position passed every rule."""
    assert check_load(carrier(), MODELS, ITEMS, LOAD).feasible
    report = check_load(carrier(), MODELS, ITEMS, (LOAD[0], replace(LOAD[1], x_m=x)))
    assert not report.feasible and "x_m" in report.reason


@pytest.mark.parametrize("stop", [1.5, True, "1", None])
def test_bug_cars_check_took_a_stop_that_is_not_an_integer(stop):
    assert not check_load(carrier(), MODELS, ITEMS, (LOAD[0], replace(LOAD[1], stop=stop))).feasible


def test_bug_cars_plan_json_truncated_a_fractional_stop():
    route = {"carrier_type": "c", "stops": ["A"], "placements": [
        {"vehicle": "a", "model": "sedan", "stop": 1.5, "platform": "TL", "x_m": 0.0}]}
    with pytest.raises(InstanceError, match=r"routes\[0\]\.placements\[0\]\.stop: expected an integer"):
        CarsPlan.from_dict({"objective": 1.0, "routes": [route]})
    with pytest.raises(InstanceError, match="objective"):
        CarsPlan.from_dict({"objective": "1", "routes": []})


def test_bug_cars_check_did_not_compare_the_claimed_objective(cars_plan):
    problem, plan = cars_plan
    assert check_cars_plan(problem, plan).feasible
    for forged in (dict(objective=plan.objective / 2), dict(objective=math.nan), dict(bound=plan.objective + 1),
                   dict(status="optimal"), dict(status="optimal", bound=plan.objective - 5)):
        assert not check_cars_plan(problem, replace(plan, **forged)).feasible, forged
    assert check_cars_plan(problem, replace(plan, status="optimal", bound=plan.objective)).feasible


@pytest.fixture(scope="module")
def cars_plan():
    from mmroute.routing.cars import CarsProblem, solve_practice
    from mmroute.routing.cars.problem import geodesic_matrix_km
    from mmroute.scenarios.cars_model import VehicleOrder

    coords = ((109.50, 24.40), (109.55, 24.45))
    problem = CarsProblem(name="one", models=tuple(MODELS.values()), carrier_types=(carrier(),),
                          orders=(VehicleOrder(id="A", dealer="A", model="sedan", quantity=2, open_h=0, due_h=48),),
                          places=("P", "A"), coords=coords, distance_km=geodesic_matrix_km(coords))
    return problem, solve_practice(problem, rates=False)


# --- loading-aware routes -------------------------------------------------------------------
def test_bug_route_loading_check_crashed_on_unknown_nodes_and_vehicle_types():
    from mmroute.routing.loadroute import check_route_loading
    from mmroute.routing.vrp import from_scenario_fleet
    from tests.routing.test_loadroute import pallet_scenario

    scenario = pallet_scenario(quantity=1)
    problem = from_scenario_fleet(scenario)
    forged = VRPSolution(routes=(VRPRoute(visits=(1, 99)), VRPRoute(visits=(2.5,)), VRPRoute(visits=(3,), vehicle_type=7),
                                 VRPRoute(visits=(0,))), objective=None)
    report = check_route_loading(scenario, problem, forged, time_limit_s_per_route=0.5)
    assert not report.feasible and report.n_violations == 4
    assert [v.where for v in report.violations] == ["route 1", "route 2", "route 3", "route 4"]
