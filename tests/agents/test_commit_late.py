"""Re-planning that commits late (``replan-late``): where the plan's next move leaves later
than now, the consignment holds until then instead of booking now, and decides again then."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmroute.agents import evaluate, make_policy
from mmroute.agents.policies import commit_late
from mmroute.envs.hold import cutoff_h
from mmroute.envs.reroute import RerouteEnv
from mmroute.envs.simulator import MIN_HOLD_H, Move
from mmroute.errors import InputError
from mmroute.world.realization import realize

USER = Path(__file__).parents[1] / "data" / "user" / "shanghai-europe.yaml"


def _to(env: RerouteEnv, pol, shipment: str, node: str):
    """Play ``pol`` until ``shipment`` decides at ``node``; its action there."""
    while True:
        d = env.decision
        a = pol.act(env)
        if env.sim.consignments[d.consignment].shipment.id == shipment and d.node == node:
            return a
        env.step_move(a) if isinstance(a, Move) else env.step(a)


def test_commit_late_holds_until_a_later_truck_or_cut_off_and_keeps_the_rest():
    env = RerouteEnv("liuzhou-asean")
    env.reset(options={"realization": realize(env.scenario, 0)})
    d = env.decision
    path = next(o.move.path for o in env.sim.options(d) if o.move.kind == "road")
    assert commit_late(env, Move.road(path, d.time_h + 10.0)) == Move.hold(d.time_h + 10.0)
    assert commit_late(env, Move.road(path)) == Move.road(path)
    short = Move.road(path, d.time_h + MIN_HOLD_H / 2)
    assert commit_late(env, short) == short
    exact = Move.road(path, d.time_h + MIN_HOLD_H)  # the shortest hold the simulator allows
    assert commit_late(env, exact) == Move.hold(d.time_h + MIN_HOLD_H)
    past = Move.road(path, env.sim.horizon_h + 1.0)  # a hold past the horizon: refused
    assert commit_late(env, past) == past
    assert commit_late(env, 3) == 3 and commit_late(env, Move.drop()) == Move.drop()
    lk = next(lk for lk in env.scenario.links if lk.scheduled)
    cutoff = lk.timetable.cutoff_h
    svc = Move.service(lk.id, d.time_h + cutoff + 20.0)  # (any departure: only time counts)
    assert cutoff_h(env.sim, svc) == pytest.approx(d.time_h + 20.0)
    assert commit_late(env, svc) == Move.hold(d.time_h + 20.0)
    soon = Move.service(lk.id, d.time_h + cutoff + MIN_HOLD_H / 2)
    assert commit_late(env, soon) == soon
    with pytest.raises(InputError, match="commit"):
        make_policy("replan").__class__(commit="later")


def test_replan_late_holds_for_the_train_its_plan_waits_for_then_takes_it():
    """liuzhou-asean, seed 0: at 3.2 h K05-CKR is at the Liuzhou rail terminal and the plan
    waits for the 58 h train (tests/agents/test_policies.py: ``replan`` books it at once);
    ``replan-late`` holds until the train's cut-off and decides again then."""
    env = RerouteEnv("liuzhou-asean")
    env.reset(options={"realization": realize(env.scenario, 0)})
    pol = make_policy("replan-late")
    pol.reset(env)
    a = _to(env, pol, "K05-CKR", "LZ-RAIL")
    cutoff = env.sim.links["LZR-QZ-rail"].timetable.cutoff_h
    assert a == Move.hold(58.0 - cutoff)
    c = env.sim.consignments[env.decision.consignment]
    env.step_move(a)
    assert c.status == "ready" and c.booking is None
    a = _to(env, pol, "K05-CKR", "LZ-RAIL")
    assert env.decision.time_h == 58.0 - cutoff
    assert a.kind != "hold"  # decided now, with what is known at the cut-off


@pytest.mark.parametrize("seeds", [
    "0",  # fast: one episode (~4 s of CPU each)
    pytest.param("0-1", marks=pytest.mark.slow)])
def test_replan_late_ends_its_episodes_above_the_hindsight_bound(seeds):
    df = evaluate("liuzhou-asean", ["replan-late"], seeds=seeds, time_limit_s=10)
    assert set(df.policy) == {"replan-late", "hindsight"}
    assert (df.regret >= -1e-6 * df.bound).all()


@pytest.mark.slow
def test_replan_late_wins_the_held_booking_on_the_user_network():
    """tests/data/user/shanghai-europe.yaml, validation seed 100,031: ``replan`` books X02,
    in Yangshan's yard at 111 h, on the 208 h Suez sailing that the Red Sea closure (onset
    126 h) cancels; ``replan-late`` holds it until the sailing's cut-off (160 h) and, the
    closure known by then, sends it around the Cape (docs/agents.md, "Committing late")."""
    df = evaluate(str(USER), ["replan", "replan-late"], seeds=[100031], time_limit_s=10)
    cost = df.set_index("policy").cost
    assert cost["replan-late"] < cost["replan"] - 100_000
    assert cost["hindsight"] <= cost["replan-late"]


def _play(env: RerouteEnv, pol, seed: int) -> list:
    """The moves of one episode of ``pol`` on ``seed``, and its cost last."""
    env.reset(options={"realization": realize(env.scenario, seed)})
    pol.reset(env)
    moves, done = [], False
    while not done:
        a = pol.act(env)
        moves.append(a if isinstance(a, Move) else env.slots[a].move)
        _, _, done, _, _ = env.step_move(a) if isinstance(a, Move) else env.step(a)
    return [*moves, env.sim.result().cost]


def test_greedy_late_is_the_envs_hold_slot_and_pays_less_on_the_user_network():
    """Seeds 100,031 and 100,049 of the user network: greedy commits Europe-bound cargo to a
    Suez sailing the Red Sea closure cancels; greedy-late holds (the same holds the
    environment offers with ``hold="latest"``), decides again once the closure is known and
    pays less."""
    plain, held = RerouteEnv(str(USER)), RerouteEnv(str(USER), hold="latest")
    greedy, late = make_policy("greedy"), make_policy("greedy-late")
    for seed in (100031, 100049):
        g, gl = _play(plain, greedy, seed), _play(plain, late, seed)
        assert gl[-1] < g[-1] - 100_000
        assert any(m.kind == "hold" for m in gl[:-1])
        slot1 = _play(held, _Slot1(), seed)
        assert slot1 == gl


class _Slot1:
    """Slot 1 where the environment offers a hold there, else greedy's slot."""

    def reset(self, env):
        self.greedy = make_policy("greedy")

    def act(self, env):
        s = env.slots
        j = self.greedy.act(env)
        return 1 if j == 0 and s[1] is not None and s[1].move.kind == "hold" else j
