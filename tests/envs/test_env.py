"""mmroute/Reroute-v0: conformance, determinism, masks, information, vector envs."""

from __future__ import annotations

import math
from dataclasses import replace

import gymnasium as gym
import numpy as np
import pytest

import mmroute.envs  # noqa: F401  (registers mmroute/Reroute-v0)
from mmroute.envs import ENV_ID
from mmroute.envs.reroute import RerouteEnv
from mmroute.errors import InputError, ScenarioError
from mmroute.world.events import KnownEvents
from mmroute.world.realization import Realization, realize
from tests.envs.conftest import STOCHASTIC, masked_random, run_episode


@pytest.mark.parametrize("name", STOCHASTIC)
def test_gymnasium_and_sb3_env_checkers_pass(scenarios, name):
    from gymnasium.utils.env_checker import check_env as gym_check
    from stable_baselines3.common.env_checker import check_env as sb3_check

    gym_check(RerouteEnv(scenarios[name]), skip_render_check=True)
    sb3_check(RerouteEnv(scenarios[name]), warn=False)


def test_make_takes_a_bundled_name_a_path_and_any_valid_file(tmp_path):
    from mmroute.scenarios import bundled_path

    env = gym.make(ENV_ID, scenario="tiny")
    assert env.unwrapped.scenario.name == "tiny"
    copy = tmp_path / "mine.yaml"
    copy.write_text(bundled_path("tiny").read_text())
    env = gym.make(ENV_ID, scenario=str(copy))
    obs, _ = env.reset(seed=0)
    assert env.observation_space.contains(obs)


@pytest.mark.parametrize("kwargs, err, field", [
    ({"scenario": "no-such-scenario"}, ScenarioError, "no-such-scenario"),
    ({"scenario": 3}, InputError, "scenario"),
    ({"scenario": "tiny", "n_candidates": 1}, InputError, "n_candidates"),
    ({"scenario": "tiny", "forecast_lead_h": float("nan")}, InputError, "forecast_lead_h"),
    ({"scenario": "tiny", "render_mode": "human"}, InputError, "render_mode"),
    ({"scenario": "tiny", "drop": "never"}, InputError, "drop"),
    ({"scenario": "tiny", "episode_seeds": (5, 5)}, InputError, "episode_seeds"),
])
def test_bad_arguments_raise_the_projects_errors_naming_them(kwargs, err, field):
    with pytest.raises(err, match=field):
        RerouteEnv(**kwargs)


def test_a_scenario_without_shipments_is_refused(scenarios):
    from dataclasses import replace

    with pytest.raises(InputError, match="no shipments"):
        RerouteEnv(replace(scenarios["tiny"], shipments=()))


def test_bad_reset_options_are_input_errors():
    env = RerouteEnv("tiny")
    with pytest.raises(InputError, match="options"):
        env.reset(options={"realisation": None})
    with pytest.raises(InputError, match="realization"):
        env.reset(options={"realization": 42})
    with pytest.raises(InputError, match="does not belong"):
        env.reset(options={"realization": realize(RerouteEnv("liuzhou-asean").scenario, 0)})


@pytest.mark.parametrize("name", ["tiny", "liuzhou-asean"])
def test_same_seed_and_actions_give_an_identical_trajectory(scenarios, name):
    env = RerouteEnv(scenarios[name])
    a = run_episode(env, lambda e: masked_random(e, np.random.default_rng(5)), seed=11)
    b = run_episode(env, lambda e: masked_random(e, np.random.default_rng(5)), seed=11)
    assert a[0] == b[0] and a[3] == b[3]
    assert all(np.array_equal(x, y) for x, y in zip(a[2], b[2]))
    # a realization passed in replays the seed's episode
    c = run_episode(env, lambda e: masked_random(e, np.random.default_rng(5)),
                    options={"realization": realize(scenarios[name], 11).to_dict()})
    assert c[0] == a[0]


@pytest.mark.parametrize("name", STOCHASTIC)
def test_episodes_end_and_some_action_is_always_allowed(scenarios, name):
    env = RerouteEnv(scenarios[name])
    rng = np.random.default_rng(1)
    for seed in range(3):
        obs, _ = env.reset(seed=seed)
        steps = 0
        done = False
        while not done:
            mask = env.action_masks()
            assert mask.any()
            # drop only as the last resort: nothing else allowed, or every move is expected
            # to end in a drop (nothing reaches the destination or a road way on in time)
            hopeless = all(not math.isfinite(c.arrival_h) for c in env.slots[:-1] if c is not None)
            assert mask[-1] == hopeless
            obs, _, done, trunc, info = env.step(masked_random(env, rng, avoid_drop=False))
            assert env.observation_space.contains(obs)
            steps += 1
            assert steps < 5000 and not trunc
        assert all(c.done for c in env.sim.consignments)


def test_drop_always_keeps_the_drop_slot_open():
    env = RerouteEnv("liuzhou-asean", drop="always")
    env.reset(seed=0)
    for _ in range(10):
        assert env.action_masks()[-1]
        env.step(0)


def test_training_episodes_draw_their_seeds_from_the_given_range():
    env = RerouteEnv("tiny", episode_seeds=(1_000_000, 1_000_050))
    seen = set()
    for s in range(20):
        env.reset(seed=s if s == 0 else None)
        seen.add(env.realization.seed)
    assert all(1_000_000 <= x < 1_000_050 for x in seen) and len(seen) > 5


@pytest.mark.parametrize("name", ["liuzhou-asean", "china-europe"])
def test_masks_never_allow_a_closed_full_or_missed_departure(scenarios, name):
    env = RerouteEnv(scenarios[name])
    rng = np.random.default_rng(2)
    for seed in range(4):
        env.reset(seed=seed)
        while env._decision is not None:
            d, sim = env._decision, env.sim
            known = sim.known()
            q = sim.consignments[d.consignment].shipment.quantity_teu
            for cd in env.slots:
                if cd is None or cd.move.kind != "service":
                    continue
                lk = sim.links[cd.move.link]
                tt = cd.move.timetable_h
                assert lk.from_node == d.node and d.lock != "road"
                assert known.is_open(lk.id, tt + known.departure_delay_h(lk.id, tt))
                assert tt - lk.timetable.cutoff_h >= d.time_h - 1e-6
                if lk.capacity_teu is not None:
                    assert sim.dep_load.get((lk.id, tt), 0.0) + q <= lk.capacity_teu + 1e-9
            for cd in env.slots:
                if cd is not None and cd.move.kind == "road":
                    assert d.lock != "yard"
                    path = [sim.links[x] for x in cd.move.path]
                    t = d.time_h if cd.move.depart_h is None else cd.move.depart_h
                    assert known.road_trip(path, t) is not None
            env.step(masked_random(env, rng))


def test_late_orders_appear_as_new_consignments_at_their_release(scenarios):
    sc = scenarios["liuzhou-asean"]
    r = next(realize(sc, s) for s in range(20) if len(realize(sc, s).late_orders) >= 2)
    env = RerouteEnv(sc)
    _, info = env.reset(options={"realization": r})
    first_seen: dict[str, float] = {}
    while env._decision is not None:
        first_seen.setdefault(info["consignment"], info["time_h"])
        _, _, _, _, info = env.step(0)
    for lo in r.late_orders:
        assert first_seen[lo.id] == pytest.approx(lo.release_h)


def _future_changed(r: Realization, t: float) -> Realization:
    """``r`` with every draw after ``t`` changed: events with a later onset gone, weather
    cells still active after ``t`` lasting longer, later late orders gone, later road noise doubled."""
    ev = r.events
    keep = r.events.known_at(t)
    weather = tuple(replace(w, to_h=w.to_h + 100) if w.to_h > t + 1 else w
                    for w in ev.weather if w.from_h <= t)
    noise = tuple(replace(rn, factors=rn.factors[:int(t) + 1]
                          + tuple(2 * f for f in rn.factors[int(t) + 1:])) for rn in ev.road_noise)
    events = KnownEvents(closures=keep.closures, delays=keep.delays, slowdowns=keep.slowdowns,
                         node_delays=keep.node_delays, node_closures=keep.node_closures,
                         weather=weather, road_noise=noise)
    return replace(r, events=events,
                   late_orders=tuple(s for s in r.late_orders if s.release_h <= t))


@pytest.mark.parametrize("name", ["liuzhou-asean", "yangtze-inbound"])
def test_observations_never_leak_the_future(scenarios, name):
    sc = scenarios[name]
    env = RerouteEnv(sc)
    for seed in range(4):
        r = realize(sc, seed)
        t = 0.4 * sc.horizon_h
        seen = {}
        for real in (r, _future_changed(r, t)):
            obs, info = env.reset(options={"realization": real})
            trace = []
            while env._decision is not None and info["time_h"] <= t:
                trace.append((info["time_h"], info["consignment"], obs.copy(),
                              env.action_masks().copy()))
                obs, _, _, _, info = env.step(0)
            seen[id(real)] = trace
        a, b = seen.values()
        assert len(a) == len(b) and len(a) > 3
        for x, y in zip(a, b):
            assert x[:2] == y[:2]
            assert np.array_equal(x[2], y[2]) and np.array_equal(x[3], y[3])


def test_vector_envs_run_the_env(scenarios):
    from gymnasium.vector import AsyncVectorEnv, SyncVectorEnv

    fns = [lambda: RerouteEnv("tiny") for _ in range(2)]
    for vec in (SyncVectorEnv(fns), AsyncVectorEnv(fns, context="spawn")):
        obs, _ = vec.reset(seed=[3, 4])
        for _ in range(6):
            obs, r, term, trunc, info = vec.step(np.zeros(2, dtype=np.int64))
            assert obs.shape == (2, *vec.single_observation_space.shape)
        vec.close()


def test_sb3_subprocvecenv_exposes_action_masks():
    from stable_baselines3.common.vec_env import SubprocVecEnv

    vec = SubprocVecEnv([lambda: RerouteEnv("tiny") for _ in range(2)], start_method="forkserver")
    vec.seed(0)
    vec.reset()
    masks = np.stack(vec.env_method("action_masks"))
    assert masks.shape == (2, 8) and masks.any(axis=1).all()
    vec.step(np.zeros(2, dtype=np.int64))
    vec.close()


def test_render_gives_text_and_a_picture(scenarios):
    env = RerouteEnv(scenarios["liuzhou-asean"], render_mode="ansi", drop="always")
    env.reset(seed=1)
    text = env.render()
    assert "decide" in text and "[7] drop" in text
    env = RerouteEnv(scenarios["tiny"], render_mode="rgb_array")
    env.reset(seed=1)
    img = env.render()
    assert img.ndim == 3 and img.shape[2] == 3 and img.dtype == np.uint8 and img.std() > 0


def test_what_gym_make_returns_has_action_masks_and_trains_with_maskable_ppo():
    """Gymnasium 1.x wrappers forward no attributes: gym.make returns the env itself, so
    ``env.action_masks()`` works on it, and MaskablePPO learns on it."""
    from sb3_contrib import MaskablePPO

    env = gym.make(ENV_ID, scenario="tiny")
    assert isinstance(env, RerouteEnv)
    env.reset(seed=0)
    m = env.action_masks()
    assert m.dtype == bool and m.any()
    model = MaskablePPO("MlpPolicy", env, n_steps=32, batch_size=16, n_epochs=1, seed=0,
                        device="cpu")
    model.learn(64)
    obs, _ = env.reset(seed=1)
    a, _ = model.predict(obs, action_masks=env.action_masks(), deterministic=True)
    assert env.action_masks()[int(a)]


def test_step_and_render_before_reset_are_clear_errors():
    env = gym.make(ENV_ID, scenario="tiny", render_mode="ansi")
    with pytest.raises(InputError, match="reset"):
        env.step(0)
    with pytest.raises(InputError, match="reset"):
        env.render()


def test_render_defaults_to_none_and_ansi_is_a_string():
    env = gym.make(ENV_ID, scenario="tiny")
    env.reset(seed=0)
    assert env.render_mode is None and env.render() is None
    env = gym.make(ENV_ID, scenario="tiny", render_mode="ansi")
    env.reset(seed=0)
    assert isinstance(env.render(), str)


@pytest.mark.parametrize("mode", ["ansi", "rgb_array"])
def test_no_render_shows_a_late_order_before_its_release(mode, monkeypatch):
    """A view of the future the observation rightly does not have: late orders pending
    before their release were listed by the text render (and drawn by the map)."""
    env = RerouteEnv("liuzhou-asean", render_mode=mode)
    seed = next(s for s in range(200) if any(o.release_h > 5.0 for o in
                                               realize(env.scenario, s).late_orders))
    env.reset(seed=seed)
    late = [o for o in env.realization.late_orders if o.release_h > env.sim.now]
    assert late
    drawn: list[str] = []
    if mode == "rgb_array":
        real = env.sim.released_view

        def spy():
            out = real()
            drawn.extend(c.shipment.id for c in out)
            return out

        monkeypatch.setattr(env.sim, "released_view", spy)
        env.render()
    else:
        text = env.render()
        drawn = [line.split()[0] for line in text.splitlines()[1:] if line.startswith("  ")]
    assert drawn and not {o.id for o in late} & set(drawn)
