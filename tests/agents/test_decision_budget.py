"""A wall-time budget per decision of the re-planning policies (issue 22, item 5): a re-plan
that does not finish in time is abandoned and the policy acts on its incumbent; rows count
the hits; without hits the rows are those of an unbudgeted run."""

from __future__ import annotations

import math
import signal
import statistics
import sys
import time

import pandas as pd
import pytest

from mmroute.agents import evaluate, make_policy
from mmroute.agents.deadline import BudgetSpent, call_within, hard_deadlines
from mmroute.agents.evaluation import COLUMNS, TIMING_COLUMNS
from mmroute.errors import InputError
from tests.cli_run import run_main

needs_timer = pytest.mark.skipif(not hard_deadlines(), reason="needs SIGALRM (Unix main thread)")


def _spin(stop_after_s: float) -> str:
    """Pure Python work that swallows every ``Exception`` (as solver wrappers do)."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < stop_after_s:
        try:
            sum(range(1000))
        except Exception:  # noqa: BLE001 - what the budget must get through
            pass
    return "done"


def test_a_call_within_its_budget_returns_its_value():
    assert call_within(lambda: 42, 5.0) == (42, False)


def test_a_budget_of_zero_does_not_call():
    called = []
    assert call_within(lambda: called.append(1), 0.0) == (None, True)
    assert called == []


@needs_timer
def test_a_call_over_budget_is_stopped_at_the_deadline_and_the_timer_is_given_back():
    """Also when the call catches ``Exception`` (a :class:`BudgetSpent` is not one)."""
    def mine(signum, frame):
        raise AssertionError("the budget's alarm reached the previous handler")

    old = signal.signal(signal.SIGALRM, mine)
    try:
        t0 = time.perf_counter()
        assert call_within(lambda: _spin(30.0), 0.2) == (None, True)
        assert time.perf_counter() - t0 < 1.5
        assert signal.getsignal(signal.SIGALRM) is mine
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGALRM, old)
    assert issubclass(BudgetSpent, BaseException) and not issubclass(BudgetSpent, Exception)


@needs_timer
def test_a_ring_inside_a_finalizer_is_not_reported_and_the_budget_still_ends_the_call():
    """The alarm lands in a ``__del__`` (where Python cannot raise it): nothing reaches
    ``sys.unraisablehook``, the alarm rings again and stops the call; other unraisable
    exceptions still do, and the hook is given back."""
    seen = []

    class SlowDel:
        def __del__(self):
            _spin(0.3)  # the first ring lands here

    class BadDel:
        def __del__(self):
            raise ValueError("not ours")

    def call():
        SlowDel()  # finalised at once (refcount 0), inside the budget
        BadDel()
        return _spin(30.0)

    old = sys.unraisablehook
    sys.unraisablehook = seen.append
    try:
        t0 = time.perf_counter()
        assert call_within(call, 0.1) == (None, True)
        assert time.perf_counter() - t0 < 1.5
        assert sys.unraisablehook == seen.append
    finally:
        sys.unraisablehook = old
    assert [u.exc_type for u in seen] == [ValueError]


def test_a_bad_budget_is_an_input_error_naming_the_field():
    for bad in (-1.0, math.nan, "1"):
        with pytest.raises(InputError, match="decision_budget_s"):
            make_policy("replan", decision_budget_s=bad)
        with pytest.raises(InputError, match="decision_budget_s"):
            evaluate("tiny", ["replan"], "0", decision_budget_s=bad)


def test_a_budget_of_zero_acts_on_the_incumbent_and_the_rows_say_so():
    df = evaluate("tiny", ["greedy", "replan", "anticipate"], "0-2", decision_budget_s=0.0)
    assert list(df.columns) == COLUMNS
    rp = df[df.policy.isin(["replan", "anticipate"])]
    assert (rp.budget_hits >= 1).all() and (rp.budget_hits == rp.solves).all()
    assert (df.decision_budget_s == 0.0).all() and (df.decisions > 0).all()
    assert (df.regret >= -1e-6 * df.bound).all()  # every episode ends, none below the bound
    # with no plan ever made, the incumbent is the best candidate at every decision
    greedy = df[df.policy == "greedy"].set_index("seed").cost
    assert (rp[rp.policy == "replan"].set_index("seed").cost >= greedy - 1e-6).all()


def test_a_budget_that_is_not_hit_gives_the_rows_of_no_budget():
    same = [c for c in COLUMNS if c not in (*TIMING_COLUMNS, "decision_budget_s")]
    free = evaluate("tiny", ["replan", "anticipate"], "0-1")
    budgeted = evaluate("tiny", ["replan", "anticipate"], "0-1", decision_budget_s=120.0)
    assert (budgeted.budget_hits == 0).all() and free.decision_budget_s.isna().all()
    pd.testing.assert_frame_equal(free[same], budgeted[same])


@needs_timer
def test_every_decision_returns_within_the_budget_when_re_plans_cannot_finish():
    """On liuzhou-asean a re-plan takes longer than 50 ms (building the network alone):
    every one is abandoned, the policy follows its incumbent, the episode ends above the
    bound, and no decision takes much longer than the budget."""
    from mmroute.agents.policies import HindsightPolicy
    from mmroute.agents.rollout import rollout
    from mmroute.envs.reroute import RerouteEnv
    from mmroute.scenarios import load
    from mmroute.world.realization import realize

    sc = load("liuzhou-asean")
    env = RerouteEnv(sc)
    pol = make_policy("replan", decision_budget_s=0.05)
    ro = rollout(env, pol, realize(sc, 0))
    assert pol.budget_hits >= 1 and pol.budget_hits <= pol.solves
    cut = [t for t in ro.decision_s if t > 0.01]  # the decisions that tried to re-plan
    # the alarm's latency (a garbage collection under way) shows on a loaded machine only
    assert len(cut) >= pol.budget_hits and statistics.median(cut) < 0.05 + 0.2
    hs = HindsightPolicy()
    rollout(env, hs, realize(sc, 0))
    assert ro.cost_cny >= hs.bound - 1e-6 * abs(hs.bound)


def test_cli_evaluate_takes_a_decision_budget(tmp_path, capfd):
    out = tmp_path / "r.csv"
    r = run_main(capfd, "evaluate", "tiny", "--policies", "replan", "--seeds", "0",
                 "--decision-budget-s", "0", "--out", str(out))
    assert r.returncode == 0, r.stderr
    df = pd.read_csv(out)
    row = df[df.policy == "replan"].iloc[0]
    assert row.budget_hits >= 1 and row.decision_budget_s == 0.0
    assert "over budget" in r.stdout
    bad = run_main(capfd, "evaluate", "tiny", "--decision-budget-s", "-1", "--out", str(out))
    assert bad.returncode == 2 and "--decision-budget-s" in bad.stderr
