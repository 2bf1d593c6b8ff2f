"""The scenario-based re-planners (consensus, expectation) and the futures they sample."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from mmroute.agents.consensus import ConsensusPolicy, ExpectationPolicy, future_rng
from mmroute.agents.evaluation import evaluate
from mmroute.agents.policies import make_policy
from mmroute.envs.futures import as_realization, dynamism, sample_future
from mmroute.envs.reroute import RerouteEnv
from mmroute.envs.simulator import Move
from mmroute.errors import InputError
from mmroute.scenarios import Shipment
from mmroute.world.events import NodeDelay, RoadNoise
from mmroute.world.realization import realize


def _changed_after(sc, r, t_h: float):
    """``r`` with its unrevealed part after ``t_h`` changed: a border delay and a port
    closure-like delay starting later, other road noise after the current hour, a late order
    released later, other quantities of shipments released later."""
    ev = r.events
    hour = int(t_h) + 1
    noise = tuple(RoadNoise(link=rn.link, from_hour=rn.from_hour,
                            factors=rn.factors[:hour] + tuple(2.5 for _ in rn.factors[hour:]))
                  for rn in ev.road_noise)
    delays = ev.node_delays + tuple(NodeDelay(node=n, from_h=t_h + 2, to_h=t_h + 200,
                                              delay_h=40.0) for n in ("PX", "QZ"))
    late = Shipment(id="late-x", origin="LZ", destination="HPH", quantity_teu=30.0,
                    release_h=t_h + 3, due_h=t_h + 40, lateness_penalty_cny_per_teu_h=50.0,
                    cargo="late order")
    later = {s.id for s in sc.shipments if s.release_h > t_h}
    qty = tuple((sid, q * 3 if sid in later else q) for sid, q in r.quantities_teu)
    return replace(r, events=replace(ev, road_noise=noise, node_delays=delays),
                   late_orders=r.late_orders + (late,), quantities_teu=qty)


def _decisions_before(env, pol, r, t_h: float):
    """The moves ``pol`` takes on ``r`` at decisions before ``t_h``, and the futures it
    sampled there (scenario shipments and events of each)."""
    env.reset(options={"realization": r})
    pol.reset(env)
    moves, futures = [], []
    while env.sim.now < t_h:
        a = pol.act(env)
        moves.append((env.sim.now, env.decision.consignment, a))
        futures.append([(f.scenario.shipments, f.events) for f in pol._point.futures])
        _, _, done, _, _ = env.step_move(a) if isinstance(a, Move) else env.step(a)
        if done:
            break
    return moves, futures


@pytest.mark.parametrize("cls", [ConsensusPolicy, ExpectationPolicy])
def test_the_decision_ignores_the_unrevealed_part_of_the_realization(cls):
    """Two realizations equal up to t and different after: the same moves (and the same
    sampled futures) at every decision before t."""
    env = RerouteEnv("tiny")
    t_h = 12.5  # after the releases at 0 and 12
    r1 = realize(env.scenario, 100_003)
    r2 = _changed_after(env.scenario, r1, t_h)
    assert r1.events.known_at(t_h) == r2.events.known_at(t_h) and r1 != r2
    m1, f1 = _decisions_before(env, cls(n_futures=3, time_limit_s=5.0), r1, t_h)
    m2, f2 = _decisions_before(env, cls(n_futures=3, time_limit_s=5.0), r2, t_h)
    assert len(m1) >= 3 and {t for t, _, _ in m1} >= {0.0, 12.0}
    assert m1 == m2
    assert f1 == f2


def test_a_future_keeps_what_is_known_and_draws_the_rest_from_its_generator():
    env = RerouteEnv("liuzhou-asean")
    r = realize(env.scenario, 100_005)
    env.reset(options={"realization": r})
    while env.sim.now < 30:
        env.step(0)
    sim = env.sim
    now = sim.now
    f = sample_future(sim, future_rng(r.seed, sim.decisions))
    g = sample_future(sim, future_rng(r.seed, sim.decisions))
    assert f == g  # a function of (seed, decision index) and the known past
    h = sample_future(sim, future_rng(r.seed, sim.decisions + 1))
    assert h != f
    known = sim.known_events()
    for kind in ("closures", "node_delays", "node_closures"):
        assert set(getattr(known, kind)) <= set(getattr(f.events, kind))
        assert all(e.from_h > now for e in set(getattr(f.events, kind)) - set(getattr(known, kind)))
    hour = int(now)
    noise = {rn.link: rn.factors for rn in f.events.road_noise}
    for rn in known.road_noise:
        assert noise[rn.link][:hour + 1] == rn.factors
        assert len(noise[rn.link]) > hour + 100
    released = {c.shipment.id: c.shipment for c in sim.released()}
    ships = {s.id: s for s in f.scenario.shipments}
    assert all(ships[sid] == s for sid, s in released.items())
    assert not {s.id for s in r.late_orders if s.release_h > now} & set(ships) - set(released)
    assert all(s.release_h > now for sid, s in ships.items() if sid not in released)
    assert any(sid.startswith("future-") for sid in ships)  # the scenario has late orders


def test_a_future_as_a_realization_has_the_episode_past_and_the_sampled_rest():
    """Greedy takes the same moves on the future's realization as on the episode up to the
    time it was sampled; after it the events are the future's, and the episode ends."""
    env = RerouteEnv("tiny")
    r = realize(env.scenario, 100_003)
    env.reset(options={"realization": r})
    pol = make_policy("greedy")
    pol.reset(env)
    before = []
    while env.sim.now < 12.5:
        a = pol.act(env)
        before.append((env.sim.now, env.decision.consignment, a))
        env.step(a)
    now = env.sim.now
    f = sample_future(env.sim, future_rng(r.seed, env.sim.decisions))
    fr = as_realization(f, r)
    assert fr.seed == r.seed and fr.scenario_hash == r.scenario_hash and fr != r
    assert fr.events == f.events and fr.events.known_at(now) == r.events.known_at(now)
    fr.scenario(env.scenario)  # validated as a realization of the scenario
    env.reset(options={"realization": fr})
    pol.reset(env)
    again, done = [], False
    while not done:
        if env.sim.now < now:
            again.append((env.sim.now, env.decision.consignment, pol.act(env)))
            a = again[-1][2]
        else:
            a = pol.act(env)
        _, _, done, _, _ = env.step(a)
    assert again == before and len(before) >= 2
    realised = {s.id: s.quantity_teu for s in fr.shipments(env.scenario)}
    assert realised == {s.id: s.quantity_teu for s in f.scenario.shipments}


@pytest.mark.parametrize("name", ["consensus", "expectation"])
def test_scenario_based_policies_end_and_never_beat_hindsight(name):
    """Registered, built by name, evaluated beside replan (the harness checks every cost
    against the seed's hindsight bound)."""
    pol = make_policy(name, time_limit_s=5.0)
    assert pol.name == name and pol.n_futures == 8
    df = evaluate("tiny", ["replan", name], seeds="100000-100002", time_limit_s=5.0)
    got = df[df.policy == name]
    assert len(got) == 3 and (got.cost >= got.bound - 1e-6).all()
    assert (got.solves >= 1).all() if "solves" in got else True


def test_bad_parameters_are_input_errors():
    with pytest.raises(InputError, match="n_futures"):
        ConsensusPolicy(n_futures=0)
    with pytest.raises(InputError, match="budget_s"):
        ConsensusPolicy(budget_s=-1)


def test_a_budget_caps_the_solves_of_a_point():
    env = RerouteEnv("tiny")
    pol = ConsensusPolicy(n_futures=4, budget_s=1e-3, time_limit_s=5.0)
    r = realize(env.scenario, 100_000)
    env.reset(options={"realization": r})
    pol.reset(env)
    pol.act(env)
    plans = pol._point.plans
    assert plans[0] is not None and plans.count(None) >= 1  # the first always, then out of time


def test_dynamism_counts_what_is_unknown_at_time_zero():
    sc = RerouteEnv("tiny").scenario
    r = realize(sc, 100_000)
    ships, events = dynamism(sc, r)
    assert ships == 0.0  # tiny has no late orders (S2, released at 12 h, is known at 0)
    lz = RerouteEnv("liuzhou-asean").scenario
    r = realize(lz, 100_000)
    share = len(r.late_orders) / (len(lz.shipments) + len(r.late_orders))
    assert r.late_orders and dynamism(lz, r)[0] == pytest.approx(share)
    assert np.isnan(events) or 0.0 <= events <= 1.0


def test_value_of_information_from_paired_rows():
    import pandas as pd

    from mmroute.agents.voi import summary_with_voi, value_of_information

    rows = []
    for seed in range(100_000, 100_004):
        for policy, cost in (("hindsight", 90.0), ("replan", 110.0 + seed % 2),
                             ("consensus", 104.0), ("expectation", 106.0), ("greedy", 130.0)):
            rows.append({"scenario": "tiny", "policy": policy, "seed": seed, "cost": cost,
                         "bound": 90.0, "on_time_share": 1.0, "decision_ms": 1.0})
    df = pd.DataFrame(rows)
    voi = value_of_information(df, "tiny")
    assert voi.best_policy == "consensus" and voi.evpi_cny == pytest.approx(14.0)
    assert voi.best_sampled == "consensus" and voi.vss_cny == pytest.approx(6.5)
    assert voi.vss_lo_cny < 6.5 < voi.vss_hi_cny
    assert voi.dynamism_shipments == 0.0
    text = voi.format()
    assert "EVPI bound 14 CNY" in text and "VSS 6 [" in text and "(replan - consensus)" in text
    s = summary_with_voi(df, voi=voi)
    assert set(s.policy) == {"hindsight", "replan", "consensus", "expectation", "greedy"}
    assert (s.evpi_cny == 14.0).all() and "dynamism_events" in s
    without = value_of_information(df[~df.policy.isin(["consensus", "expectation"])])
    assert without.best_policy == "replan" and np.isnan(without.vss_cny)
    assert "VSS n/a" in without.format() and np.isnan(without.dynamism_shipments)


def test_cli_evaluate_prints_and_writes_the_value_of_information(tmp_path, capfd):
    import csv

    from tests.cli_run import run_main

    out, summary = tmp_path / "r.csv", tmp_path / "s.csv"
    r = run_main(capfd, "evaluate", "tiny", "--policies", "replan,consensus", "--seeds",
                 "100000-100001", "--time-limit", "5", "--out", str(out), "--summary",
                 str(summary))
    assert r.returncode == 0, r.stderr
    assert "EVPI bound" in r.stdout and "VSS" in r.stdout and "dynamism: 0 % of consignments" in r.stdout
    with summary.open() as f:
        rows = list(csv.DictReader(f))
    assert {x["policy"] for x in rows} == {"hindsight", "replan", "consensus"}
    assert {"evpi_cny", "vss_cny", "vss_lo_cny", "dynamism_shipments"} <= set(rows[0])
    bad = run_main(capfd, "evaluate", "tiny", "--policies", "greedy", "--seeds", "0", "--out",
                   str(out), "--summary", str(tmp_path / "s.txt"))
    assert bad.returncode == 2 and "--summary must end in .csv" in bad.stderr
