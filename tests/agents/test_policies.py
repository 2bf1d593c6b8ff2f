"""Every policy on the same realizations; the hindsight bound below all of them."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from mmroute.agents import evaluate, make_policy, summarize
from mmroute.agents.evaluation import COLUMNS, BoundViolation, format_summary
from mmroute.agents.registry import BASELINES as REGISTERED_BASELINES
from mmroute.agents.registry import BOUND
from mmroute.agents.seeds import check_disjoint, parse_seeds
from mmroute.errors import InputError

BASELINES = [*REGISTERED_BASELINES, BOUND]


def test_every_policy_finishes_episodes_on_tiny_and_hindsight_bounds_them(tiny_model):
    df = evaluate("tiny", BASELINES + ["maskable-ppo"], seeds="0-3",
                  model=tiny_model / "best.zip")
    assert list(df.columns) == COLUMNS
    assert len(df) == 7 * 4
    assert (df.regret >= -1e-6 * df.bound).all()
    assert (df.decisions > 0).all()
    hs = df[df.policy == "hindsight"]
    assert (hs.cost - hs.bound).abs().max() <= 1e-6 * hs.bound.max()


@pytest.mark.parametrize("name, seeds", [
    ("liuzhou-asean", "0"),  # fast: one seed (~8 s of CPU each); tiny's 4 seeds above
    pytest.param("liuzhou-asean", "0-1", marks=pytest.mark.slow),
    pytest.param("china-europe", "0-1", marks=pytest.mark.slow)])
def test_hindsight_is_below_every_or_policy_on_every_seed(name, seeds):
    df = evaluate(name, ["greedy", "static", "replan", "anticipate"], seeds=seeds,
                  time_limit_s=10)
    assert (df.regret >= -1e-6 * df.bound).all()
    s = summarize(df)
    assert set(s.policy) == {"hindsight", "greedy", "static", "replan", "anticipate"}
    best = s[s.policy == s.vs.iloc[0]]
    assert best.cost_mean.iloc[0] == min(s[s.policy != "hindsight"].cost_mean)
    assert f"vs best baseline {s.vs.iloc[0]}" in format_summary(s)


def test_the_best_baseline_is_greedy_when_greedy_is_cheapest():
    """A learned policy is judged against the best policy that needs neither training nor
    foresight — greedy included (a user's network where greedy beat re-planning)."""
    import pandas as pd

    rows = []
    for seed in range(4):
        for policy, cost in (("hindsight", 90.0), ("greedy", 100.0), ("replan", 110.0),
                             ("maskable-ppo", 95.0 + seed)):
            rows.append({"scenario": "x", "policy": policy, "seed": seed, "cost": cost + seed,
                         "bound": 90.0 + seed, "on_time_share": 1.0, "decision_ms": 1.0})
    s = summarize(pd.DataFrame(rows))
    assert set(s.vs) == {"greedy"}
    text = format_summary(s)
    assert "vs best baseline greedy" in text and "(best baseline)" in text


def test_a_policy_beating_the_bound_is_reported_as_a_leak(monkeypatch):
    import mmroute.agents.evaluation as ev

    real = ev._Episodes.run

    def leaky(self, policy, seed):
        row, sim = real(self, policy, seed)
        if policy == "greedy":
            row["cost"] = 0.5 * row["cost"]  # a policy that could see the future
        return row, sim

    monkeypatch.setattr(ev._Episodes, "run", leaky)
    with pytest.raises(BoundViolation, match="beat the hindsight bound"):
        ev.evaluate("tiny", ["greedy"], seeds="0")


def test_static_follows_its_plan_where_it_can():
    from mmroute.envs.reroute import RerouteEnv
    from mmroute.world.realization import realize

    env = RerouteEnv("tiny")
    pol = make_policy("static")
    env.reset(options={"realization": realize(env.scenario, 0)})
    pol.reset(env)
    assert pol.plan.status == "optimal"
    followed = 0
    while env.decision is not None:
        move = pol.next_move(env)
        a = pol.act(env)
        followed += a == move
        env.step_move(a) if not isinstance(a, int) else env.step(a)
    assert followed >= 3


def test_bug_replan_could_not_wait_for_the_departure_its_plan_chose():
    # liuzhou-asean, seed 0: at 3.2 h K05-CKR is at the Liuzhou rail terminal and the plan
    # waits for the 58 h train to Qinzhou; the decision offers only the next two departures
    # of each service (10 h, 22 h), so the follower fell back to the best-ranked candidate
    # (via Nanning, 14k CNY dearer), on most seeds and for many consignments (replan was
    # 47k CNY above hindsight on this seed; following the plan, 6 CNY)
    from mmroute.envs.reroute import RerouteEnv
    from mmroute.world.realization import realize

    env = RerouteEnv("liuzhou-asean")
    env.reset(options={"realization": realize(env.scenario, 0)})
    pol = make_policy("replan")
    pol.reset(env)
    while True:
        d = env.decision
        c = env.sim.consignments[d.consignment]
        a = pol.act(env)
        if c.shipment.id == "K05-CKR" and d.node == "LZ-RAIL":
            break
        env.step_move(a) if not isinstance(a, int) else env.step(a)
    assert a == pol.next_move(env)
    assert (a.link, a.timetable_h) == ("LZR-QZ-rail", 58.0)
    assert a not in [o.move for o in env.sim.options(d)]
    assert env.sim.bookable(a)
    env.step_move(a)
    assert env.sim.consignments[d.consignment].booking == ("LZR-QZ-rail", 58.0)


def test_unknown_policies_and_bad_seeds_are_input_errors():
    with pytest.raises(InputError, match="unknown policy"):
        make_policy("clairvoyant")
    with pytest.raises(InputError, match="needs a model"):
        make_policy("ppo")
    with pytest.raises(InputError, match="unknown policy"):
        evaluate("tiny", ["greedy", "oracle"], seeds="0")
    for bad in ("3-1", "a-b", "-1", ""):
        with pytest.raises(InputError, match="seed"):
            parse_seeds(bad)
    assert parse_seeds("0-2,5,2") == [0, 1, 2, 5]


def test_overlapping_seed_ranges_are_an_error():
    from mmroute.agents.seeds import EVALUATION, TRAINING, VALIDATION

    check_disjoint(training=TRAINING, validation=VALIDATION, evaluation=EVALUATION)
    with pytest.raises(InputError, match="overlap"):
        check_disjoint(training=(0, 100), evaluation=(50, 60))


def test_evaluation_rows_are_a_pure_function_of_scenario_policy_and_seed():
    from mmroute.agents.evaluation import run_episode

    a = run_episode("liuzhou-asean", "static", 4)
    b = run_episode("liuzhou-asean", "static", 4)
    for k in ("cost", "time_h", "lateness_h", "co2_kg", "decisions"):
        assert a[k] == b[k]
    assert math.isnan(a["regret"])
    assert isinstance(pd.DataFrame([a]), pd.DataFrame)


def test_misuse_of_the_rl_entry_points_names_the_argument():
    from mmroute.agents import train
    from mmroute.world.realization import realize

    with pytest.raises(InputError, match="scenario"):
        realize("tiny", 0)
    with pytest.raises(InputError, match="scenario"):
        evaluate(3, ["greedy"], "0")
    with pytest.raises(InputError, match="scenario"):
        train(None, timesteps=10, seed=0, out="unused")
    with pytest.raises(InputError, match="jobs"):
        evaluate("tiny", ["greedy"], "0", jobs=0)
    with pytest.raises(InputError, match="algo"):
        train("tiny", algo="dqn", timesteps=10, seed=0, out="unused")
    with pytest.raises(InputError, match="timesteps"):
        train("tiny", timesteps=0, seed=0, out="unused")


def test_a_worker_reuses_its_env_and_policies_and_rows_equal_fresh_ones():
    """evaluate's worker keeps one env (its tables) and one instance per policy across
    episodes; every row equals the row of a fresh env and policy."""
    import mmroute.agents.evaluation as ev
    from mmroute.scenarios import load

    sc = load("tiny")
    worker = ev._Episodes(sc, None, 10.0)
    for policy, seed in [("static", 0), ("greedy", 1), ("static", 2), ("replan", 1),
                         ("static", 1), ("replan", 2)]:
        row = worker.run(policy, seed)[0]
        fresh = ev.run_episode(sc, policy, seed)
        keys = [k for k in row if k not in ev.TIMING_COLUMNS]
        assert [row[k] for k in keys] == [fresh[k] for k in keys]
    assert len(worker._policies) == 3 and len(worker._envs) == 1  # one env, reused
    import pickle

    sent = pickle.loads(pickle.dumps(worker))  # what a worker process receives
    assert sent._envs == {} and sent._policies == {} and sent.scenario == sc
