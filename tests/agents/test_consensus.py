"""The scenario-based re-planners (consensus, expectation) and the futures they sample."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from mmroute.agents.consensus import ConsensusPolicy, ExpectationPolicy, future_rng
from mmroute.agents.evaluation import evaluate
from mmroute.agents.policies import make_policy
from mmroute.envs.futures import dynamism, sample_future
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


def test_dynamism_counts_what_is_revealed_after_time_zero():
    sc = RerouteEnv("tiny").scenario
    r = realize(sc, 100_000)
    ships, events = dynamism(sc, r)
    assert ships == pytest.approx(1 / 3)  # S2 is released at 12 h
    assert np.isnan(events) or 0.0 <= events <= 1.0
