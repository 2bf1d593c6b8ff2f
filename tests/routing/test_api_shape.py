"""One API shape across the solver families: checkers return one CheckReport, one gap
definition, keyword-only solver calls with a params object, old keywords deprecated."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmroute.errors import InputError
from mmroute.report import CheckReport, Violation, relative_gap
from mmroute.routing.loading import (
    BoxType,
    Container,
    LoadingInstance,
    LoadingParams,
    Placement,
    check_packing,
    solve_loading,
)
from mmroute.routing.plan import (
    PlanParams,
    pareto_front,
    replan,
    solve_hindsight,
    solve_plan,
    state_at,
)
from mmroute.routing.vrp import (
    VRPParams,
    VRPRoute,
    VRPSolution,
    check_vrp,
    read_instance,
    solve_vrp,
)
from mmroute.world.check import check_plan
from mmroute.world.plan import Plan
from mmroute.world.state import PlanState
from tests.routing.test_plan_helpers import make

DATA = Path(__file__).resolve().parents[1] / "data" / "vrp"


@pytest.fixture(scope="module")
def tiny_vrp():
    """The 5-node CVRP of tests/data (optimum 32 with two routes)."""
    return read_instance(DATA / "tiny.vrp")


@pytest.fixture(scope="module")
def boxes():
    """A 10x6x4 container and 3 boxes 5x3x2 that fit side by side."""
    return LoadingInstance(name="three", container=Container(10, 6, 4),
                           box_types=(BoxType(id=1, dims=(5, 3, 2), quantity=3),))


def test_every_checker_returns_the_one_check_report_with_where_and_why(tiny_vrp, boxes):
    vrp = check_vrp(tiny_vrp, VRPSolution(routes=(VRPRoute((1, 2)),), objective=None))
    packing = check_packing(boxes.container, boxes.box_types,
                            [Placement(1, (0, 0, 0), (5, 3, 2)), Placement(1, (4, 0, 0), (5, 3, 2))])
    sc = make()
    plan = solve_plan(sc, time_limit_s=10, seed=0)
    bad_plan = Plan.from_dict({**plan.to_dict(), "objective": plan.objective + 1.0})
    for report in (vrp, packing, check_plan(sc, bad_plan)):
        assert isinstance(report, CheckReport) and not report.feasible and not report
        assert report.n_violations >= 1 and all(isinstance(v, Violation) for v in report.violations)
        assert report.reason == str(report.violations[0])
        back = CheckReport.from_dict(report.to_dict())
        assert (back.feasible, back.violations, back.n_violations) == (False, report.violations, report.n_violations)
    assert vrp.violations[0].where == "client 3" and vrp.violations[0].why == "not visited"
    assert packing.details["counts"] == {"overlap": 1} and packing.violations[0].where == "boxes 0 and 1"
    assert check_plan(sc, plan).feasible


def test_family_figures_are_in_details(tiny_vrp):
    s = solve_vrp(tiny_vrp, time_limit_s=30, seed=0, params=VRPParams(engine="ortools", max_iterations=100))
    rep = check_vrp(tiny_vrp, s)
    assert rep.feasible and rep.objective == s.objective == 32
    assert rep.details == {"cost": 32, "num_routes": 2, "dropped": ()}


def test_the_plan_checkers_old_ok_and_errors_still_work():
    sc = make()
    plan = solve_plan(sc, time_limit_s=10, seed=0)
    bad = Plan.from_dict({**plan.to_dict(), "objective": plan.objective + 1.0})
    good, wrong = check_plan(sc, plan), check_plan(sc, bad)
    assert good.ok and good.errors == ()
    assert not wrong.ok and wrong.errors == tuple(str(v) for v in wrong.violations)
    assert "recomputed" in wrong.errors[0]


def test_one_gap_definition_for_every_result():
    assert relative_gap(100.0, 90.0) == pytest.approx(0.1)
    assert relative_gap(0.5, 0.0) == pytest.approx(0.5)  # max(1, |objective|) below 1
    assert relative_gap(None, 1.0) is None and relative_gap(1.0, float("inf")) is None
    s = VRPSolution(routes=(), objective=200.0, bound=150.0)
    assert s.gap == relative_gap(200.0, 150.0) == pytest.approx(0.25)


def test_solver_options_are_keyword_only(tiny_vrp, boxes):
    with pytest.raises(TypeError):
        solve_vrp(tiny_vrp, 1.0, 0)  # type: ignore[misc]
    with pytest.raises(TypeError):
        solve_loading(boxes, 1.0)  # type: ignore[misc]
    sc = make()
    with pytest.raises(TypeError):
        solve_plan(sc, 1.0, 0)  # type: ignore[misc]
    with pytest.raises(TypeError, match="seed"):
        solve_plan(sc, time_limit_s=1.0)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        replan(sc, PlanState(0.0), None, 1.0, 0)  # type: ignore[misc]


def test_plan_params_name_exactly_the_solvers_the_plan_mip_runs_on():
    from mmroute.routing.plan.params import PLAN_SOLVERS
    from mmroute.routing.plan.solve import SOLVERS

    assert set(PLAN_SOLVERS) == set(SOLVERS)


def test_plan_params_are_validated_with_the_field_named():
    with pytest.raises(InputError, match="params.solver: unknown solver 'cplex'"):
        solve_plan(make(), time_limit_s=1, seed=0, params=PlanParams(solver="cplex"))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="params.minimize"):
        solve_plan(make(), time_limit_s=1, seed=0, params=PlanParams(minimize="time"))  # type: ignore[arg-type]


def test_old_plan_keywords_warn_and_give_the_same_plans():
    sc = make()
    new = solve_plan(sc, time_limit_s=10, seed=0, params=PlanParams(co2_price=500.0, solver="scip"))
    with pytest.warns(DeprecationWarning, match="co2_price, solver"):
        old = solve_plan(sc, time_limit_s=10, seed=0, co2_price=500.0, solver="scip")
    assert (old.objective, old.bound, old.itineraries) == (new.objective, new.bound, new.itineraries)
    state = state_at(sc, new, 0.5)
    again = replan(sc, state, time_limit_s=10, seed=0, initial=new)
    with pytest.warns(DeprecationWarning, match="previous"):
        old_again = replan(sc, state, time_limit_s=10, seed=0, previous=new)
    assert old_again.itineraries == again.itineraries
    with pytest.warns(DeprecationWarning, match="hint"):
        hinted = solve_plan(sc, time_limit_s=10, seed=0, hint=new)
    assert hinted.objective == pytest.approx(solve_plan(sc, time_limit_s=10, seed=0, initial=new).objective)
    with pytest.raises(TypeError, match="both 'initial' and its deprecated name 'hint'"):
        solve_plan(sc, time_limit_s=10, seed=0, initial=new, hint=new)
    with pytest.warns(DeprecationWarning, match="splittable"):
        split = solve_hindsight(sc, new.events, time_limit_s=10, seed=0, splittable=True)
    assert split.splittable
    with pytest.warns(DeprecationWarning, match="solver"):
        front = pareto_front(sc, time_limit_s=10, seed=0, points=2, solver="highs")
    same = pareto_front(sc, time_limit_s=10, seed=0, points=2, params=PlanParams(solver="highs"))
    assert [(p.co2_kg, p.cost_cny) for p in front] == [(p.co2_kg, p.cost_cny) for p in same]
    with pytest.raises(TypeError, match="no_such_option"):
        solve_plan(sc, time_limit_s=1, seed=0, no_such_option=1)


def test_old_keywords_warn_and_give_the_same_result(tiny_vrp, boxes):
    new = solve_vrp(tiny_vrp, time_limit_s=5, seed=2, params=VRPParams(engine="pyvrp", max_iterations=50))
    with pytest.warns(DeprecationWarning, match="engine, max_iterations"):
        old = solve_vrp(tiny_vrp, time_limit_s=5, seed=2, engine="pyvrp", max_iterations=50)
    assert old.routes == new.routes and old.solver == new.solver
    with pytest.raises(TypeError, match="no_such_option"):
        solve_vrp(tiny_vrp, time_limit_s=1, seed=0, no_such_option=1)
    new_p = solve_loading(boxes, time_limit_s=1, seed=0, params=LoadingParams(min_support=0.5))
    with pytest.warns(DeprecationWarning, match="min_support"):
        old_p = solve_loading(boxes, time_limit_s=1, seed=0, min_support=0.5)
    assert old_p.placements == new_p.placements


def test_a_loading_warm_start_is_checked_and_never_lost(boxes):
    two = (Placement(1, (0, 0, 0), (5, 3, 2)), Placement(1, (5, 0, 0), (5, 3, 2)))
    p = solve_loading(boxes, time_limit_s=1, seed=0, initial=two)
    assert p.objective >= 60 and check_packing(boxes.container, boxes.box_types, p).feasible
    with pytest.raises(InputError, match="initial packing is infeasible"):
        solve_loading(boxes, time_limit_s=1, seed=0, initial=(two[0], two[0]))


def test_results_of_every_family_summarise_in_one_line(tiny_vrp, boxes):
    s = solve_vrp(tiny_vrp, time_limit_s=30, seed=0, params=VRPParams(max_iterations=100))
    assert s.summary().startswith("objective 32, bound none, status feasible, 2 routes")
    p = solve_loading(boxes, time_limit_s=1, seed=0)
    assert p.summary().startswith("optimal, 3 boxes, utilisation 37.50%, objective 90, bound 90")
    assert "\n" not in s.summary() + p.summary()
