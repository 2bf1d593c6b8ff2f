"""The ``hedge`` policy (re-planning with fitted premiums), its card and its fit."""

from __future__ import annotations

import json

import pytest

from mmroute.agents.evaluation import run_episode
from mmroute.agents.hedge import (
    CARD_FORMAT,
    HedgeCard,
    HedgeParams,
    HedgePolicy,
    read_hedge_card,
    write_hedge_card,
)
from mmroute.agents.hedge_fit import default_grid, fit_hedge
from mmroute.agents.policies import HindsightPolicy, ReplanPolicy, make_policy
from mmroute.agents.rollout import rollout
from mmroute.envs.reroute import RerouteEnv
from mmroute.errors import InputError
from mmroute.scenarios import load
from mmroute.world.realization import realize, scenario_hash

SOME = HedgeParams(risk_cny_per_teu_h=200.0, wait_tie_cny_per_teu=100.0, tight_cny_per_teu=800.0)


def _episode(env, policy, seed):
    ro = rollout(env, policy, realize(env.scenario, seed))
    return ro.cost_cny, ro.result.decisions, policy.solves, ro.sim.trajectory().itineraries


@pytest.mark.parametrize("name, seeds", [("tiny", (0, 1, 2))])
def test_zero_premiums_reproduce_replan_episode_for_episode(name, seeds):
    env = RerouteEnv(name)
    for seed in seeds:
        assert _episode(env, HedgePolicy(), seed) == _episode(env, ReplanPolicy(), seed)


@pytest.mark.slow
def test_zero_premiums_reproduce_replan_on_liuzhou_asean():
    env = RerouteEnv("liuzhou-asean")
    assert _episode(env, HedgePolicy(), 1_000_000) == _episode(env, ReplanPolicy(), 1_000_000)


@pytest.mark.slow
def test_the_wait_premium_takes_the_earlier_of_two_equal_trains():
    """docs/agents.md: on validation seed 100,005 of the user file, replan takes the 620 h
    train of two equally good ones and a congestion not yet known makes it miss the 639 h
    connection (+6,845 CNY); a waiting tie takes the 608 h one."""
    env = RerouteEnv(load("tests/data/user/shanghai-europe.yaml"))
    plain = _episode(env, ReplanPolicy(), 100_005)[0]
    tie = HedgeParams(wait_tie_cny_per_teu=147.2)  # 32 V, a grid value of the default recipe
    hedged = _episode(env, HedgePolicy(params=tie), 100_005)[0]
    assert plain - hedged == pytest.approx(6_845, abs=1.0)


def test_the_risk_premium_prices_the_unseen_disruption_at_its_node():
    env = RerouteEnv("tiny")
    env.reset(options={"realization": realize(env.scenario, 0)})
    p = HedgeParams(risk_cny_per_teu_h=100.0).premiums(env.sim)
    assert p.nodes and {n for n, *_ in p.nodes} == {"PX"}  # tiny's border delay
    assert all(x > 0 for *_, x in p.nodes) and not p.links
    assert HedgeParams(risk_cny_per_teu_h=200.0).premiums(env.sim).nodes[0][3] == pytest.approx(
        2 * p.nodes[0][3])
    assert HedgeParams().premiums(env.sim).empty


def test_the_policy_ends_and_never_beats_hindsight_on_tiny():
    env = RerouteEnv("tiny")
    for seed in range(4):
        cost, decisions, solves, _ = _episode(env, HedgePolicy(params=SOME), seed)
        hs = HindsightPolicy()
        rollout(env, hs, realize(env.scenario, seed))
        assert decisions > 0 and solves > 0
        assert cost >= hs.bound - 1e-6 * abs(hs.bound)


def _card(sc, **params) -> HedgeCard:
    return HedgeCard(params=HedgeParams(**params), scenario=sc.name,
                     scenario_hash=scenario_hash(sc), fit={"training_seeds": "1000000-1000001"})


def test_a_card_round_trips_and_the_policy_loads_it(tmp_path):
    sc = load("tiny")
    card = _card(sc, risk_cny_per_teu_h=50.0, tight_h=6.0)
    path = write_hedge_card(tmp_path / "tiny.hedge.json", card)
    assert read_hedge_card(path, scenario=sc) == card
    assert json.loads(path.read_text())["format"] == CARD_FORMAT
    assert HedgePolicy.from_card(path, scenario=sc).params == card.params


def test_a_card_of_another_scenario_is_refused(tmp_path):
    path = write_hedge_card(tmp_path / "c.json", _card(load("tiny")))
    with pytest.raises(InputError, match="fitted on scenario") as e:
        read_hedge_card(path, scenario=load("liuzhou-asean"))
    assert e.value.file == "c.json" and e.value.field == "scenario_hash"


GOOD = {"format": CARD_FORMAT, "policy": "hedge", "scenario": "tiny", "scenario_hash": "ab",
        "params": {"risk_cny_per_teu_h": 1.0}, "fit": {}}


@pytest.mark.parametrize("text, field", [
    ("not json", None),
    ("[1, 2]", None),
    (json.dumps({**GOOD, "format": 2}), "format"),
    (json.dumps({**GOOD, "scenario": None}), "scenario"),
    (json.dumps({**GOOD, "params": [1]}), "params"),
    (json.dumps({**GOOD, "params": {"__class__": 1}}), "params"),
    (json.dumps({**GOOD, "params": {"risk_cny_per_teu_h": -1}}), "params.risk_cny_per_teu_h"),
    (json.dumps({**GOOD, "params": {"wait_tie_cny_per_teu": "5"}}), "params.wait_tie_cny_per_teu"),
    (json.dumps({**GOOD, "params": {"tight_h": True}}), "params.tight_h"),
    (json.dumps({**GOOD, "params": {"tight_cny_per_teu": 1e300}}), "params.tight_cny_per_teu"),
    (json.dumps(GOOD).replace("1.0", "NaN"), None),
    (json.dumps({**GOOD, "fit": "x"}), "fit"),
    (json.dumps({**GOOD, "fit": {"x": "y" * 70_000}}), None),
])
def test_a_hostile_card_raises_input_error_naming_the_file(tmp_path, text, field):
    path = tmp_path / "bad.hedge.json"
    path.write_text(text)
    with pytest.raises(InputError) as e:
        read_hedge_card(path)
    assert e.value.file == "bad.hedge.json" and e.value.field == field


def test_hedge_is_run_when_named_and_needs_a_card():
    with pytest.raises(InputError, match="no hedge card"):
        make_policy("hedge", scenario=load("tiny"))
    with pytest.raises(InputError, match="scenario"):
        make_policy("hedge")


def test_the_fit_uses_training_and_validation_seeds_only_and_records_itself():
    sc = load("tiny")
    with pytest.raises(InputError, match="training seeds"):
        fit_hedge(sc, training_seeds=[0], validation_seeds=[100_000])
    with pytest.raises(InputError, match="validation seeds"):
        fit_hedge(sc, training_seeds=[1_000_000], validation_seeds=[5])
    grid = {k: v[:1] for k, v in default_grid(sc).items()}
    card = fit_hedge(sc, training_seeds=[1_000_000, 1_000_001], validation_seeds=[100_000],
                     grid=grid)
    # every candidate costs the same on tiny: the tie goes to replan (zero premiums)
    assert card.params == HedgeParams()
    assert len(card.fit["training"]) == 4 and card.fit["episodes"] == 4 * 2 + 2 * 1
    assert card.fit["training_seeds"] == "1000000-1000001"
    assert card.fit["validation_vs_replan_cny"] == [0.0, 0.0, 0.0]
    assert all(v["vs_replan_cny"] == [0.0, 0.0, 0.0] for v in card.fit["validation"])
    assert card.scenario_hash == scenario_hash(sc)


def test_the_fit_worker_reuses_one_env_sends_none_and_costs_equal_fresh_episodes():
    """The fit's worker keeps one env (evaluation's cache) across episodes of different
    parameters; it is pickled without it; each cost equals a fresh env's."""
    import pickle

    from mmroute.agents.hedge_fit import _Runner

    sc = load("tiny")
    runner = _Runner(sc, 10.0)
    for params, seed in [(HedgeParams(), 1_000_000), (SOME, 1_000_001), (HedgeParams(), 1_000_001)]:
        cost, _ = runner.run_params(params, seed)
        assert cost == _episode(RerouteEnv(sc), HedgePolicy(params=params), seed)[0]
    assert len(runner._envs) == 1
    sent = pickle.loads(pickle.dumps(runner))  # what a worker process receives
    assert sent._envs == {} and sent.scenario == sc and sent.time_limit_s == 10.0


def test_an_evaluation_row_of_hedge_equals_replans_with_a_zero_card(tmp_path, monkeypatch):
    import mmroute.agents.hedge as hedge

    sc = load("tiny")
    monkeypatch.setattr(hedge, "MODELS_DIR", tmp_path)
    write_hedge_card(hedge.hedge_card_path("tiny", tmp_path), _card(sc))
    a = run_episode(sc, "hedge", 3)
    b = run_episode(sc, "replan", 3)
    keys = ("cost", "time_h", "lateness_h", "co2_kg", "decisions", "solves", "dropped_teu")
    assert [a[k] for k in keys] == [b[k] for k in keys] and a["policy"] == "hedge"


def test_the_shipped_liuzhou_asean_card_loads_by_name():
    from mmroute.agents.hedge import shipped_hedge_card

    sc = load("liuzhou-asean")
    card = read_hedge_card(shipped_hedge_card(sc), scenario=sc)
    pol = make_policy("hedge", scenario=sc)
    assert isinstance(pol, HedgePolicy) and pol.params == card.params
    assert card.fit["training_seeds"].startswith("1000000") and card.fit["episodes"] > 0
