"""A plan solve reports its phase and its best objective and bound so far (issue 26: the
service's ``GET /jobs/{id}`` shows them while a job runs)."""

from __future__ import annotations

import pytest

from mmroute.routing.plan import PlanParams, solve_plan
from mmroute.routing.plan.progress import PHASES, highs_log_line
from mmroute.scenarios import load

#: rows of HiGHS 1.x's branch-and-bound table, as it logged them on liuzhou-asean
ROWS = [
    (" J       0       0         0   0.00%   -inf            15236172.20139     Large        0"
     "      0      0         0     2.9s", (None, 15236172.20139)),
    (" T       0       0         0   0.00%   -1388233.135465 1233662.084259   212.53%        0"
     "      0      0      3117     3.1s", (-1388233.135465, 1233662.084259)),
    ("         1       0         1 100.00%   1233662.084259  1233662.084259     0.00%        0"
     "      0      0      3117     3.1s", (1233662.084259, 1233662.084259)),
    ("         0       0         0   0.00%   -inf            inf                  inf        0"
     "      0      0         0     0.1s", (None, None)),
]


@pytest.mark.parametrize(("line", "values"), ROWS)
def test_a_row_of_highs_log_gives_its_bound_and_best_solution(line, values):
    assert highs_log_line(line) == values


@pytest.mark.parametrize("line", [
    "Presolving model", "5015 rows, 14069 cols, 36393 nonzeros  0s",
    "Src  Proc. InQueue |  Leaves   Expl. | BestBound       BestSol              Gap |",
    "  Primal bound      1233662.08426", ""])
def test_other_log_lines_are_not_rows(line):
    assert highs_log_line(line) is None


def record(calls):
    return lambda phase, objective, bound: calls.append((phase, objective, bound))


def test_the_mip_reports_its_phases_and_improving_objective_and_bound_from_highs_log():
    calls = []
    plan = solve_plan(load("tiny"), time_limit_s=20, seed=0,
                      params=PlanParams(eliminate=False), progress=record(calls))
    phases = [c[0] for c in calls]
    assert all(p in PHASES for p in phases)
    assert phases[:3] == ["network", "model", "presolve"] and phases[-1] == "extract"
    mip = [c for c in calls if c[0] == "mip"]
    assert mip, calls  # HiGHS's table was read while it solved
    objectives = [o for _, o, _ in mip if o is not None]
    bounds = [b for _, _, b in mip if b is not None]
    assert objectives == sorted(objectives, reverse=True) and bounds == sorted(bounds)
    assert objectives[-1] == pytest.approx(plan.objective, rel=1e-9)
    assert bounds[-1] == pytest.approx(plan.bound, rel=1e-9)
    assert all(b <= plan.objective * (1 + 1e-9) for b in bounds)


def test_arc_elimination_reports_its_incumbent_and_bound():
    calls = []
    plan = solve_plan(load("tiny"), time_limit_s=20, seed=0, progress=record(calls))
    assert [c[0] for c in calls] == ["network", "incumbent", "incumbent"]
    _, objective, bound = calls[-1]
    assert plan.status == "optimal"  # the greedy plan met elimination's bound: no MIP
    assert objective == pytest.approx(plan.objective) and bound == pytest.approx(plan.bound)


def test_a_co2_plan_reports_phases_without_values():
    calls = []
    solve_plan(load("tiny"), time_limit_s=20, seed=0,
               params=PlanParams(minimize="co2", eliminate=False), progress=record(calls))
    assert "mip" in [c[0] for c in calls]
    assert all(o is None and b is None for _, o, b in calls)  # CO2 is not the objective
