"""A frozen Scenario stays frozen: no module stashes tables on it (or on its nodes, links,
timetables, shipments) — per-scenario tables belong to the layer that builds them
(``mmroute.world.tables.Tables``, ``mmroute.envs.tables.EnvTables``, a policy's own plan).
Only the scenario class's own look-up caches may appear."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from mmroute.agents.evaluation import run_episode
from mmroute.envs.known import known_scenario, plan_state
from mmroute.envs.reroute import RerouteEnv
from mmroute.envs.simulator import Simulator
from mmroute.envs.tables import EnvTables
from mmroute.errors import InputError
from mmroute.routing.plan import replan, solve_plan
from mmroute.scenarios import Scenario, load
from mmroute.world.conditions import Conditions
from mmroute.world.realization import realize
from mmroute.world.roads import nominal_road_paths
from mmroute.world.tables import Tables

#: What the Scenario class itself caches (its look-ups, its network graph, its hash, its clock).
OWN_CACHES = {"_nodes_by_id", "_links_by_id", "_network", "_content_hash", "_clock"}


def foreign_attributes(sc: Scenario) -> dict[str, set[str]]:
    """Instance attributes that are neither dataclass fields nor the class's own caches, per
    object of the scenario (the scenario, every node, link, timetable and shipment, the
    uncertainty and objective sections)."""
    out = {}
    objs = [("scenario", sc), ("uncertainty", sc.uncertainty), ("objective", sc.objective)]
    objs += [(f"node {n.id}", n) for n in sc.nodes]
    objs += [(f"link {lk.id}", lk) for lk in sc.links]
    objs += [(f"timetable {lk.id}", lk.timetable) for lk in sc.links if lk.timetable is not None]
    objs += [(f"shipment {s.id}", s) for s in sc.shipments]
    for where, obj in objs:
        own = {f.name for f in dataclasses.fields(obj)}
        extra = set(vars(obj)) - own - (OWN_CACHES if isinstance(obj, Scenario) else set())
        if extra:
            out[where] = extra
    return out


@pytest.fixture(scope="module")
def liuzhou():
    return load("liuzhou-asean")


def test_an_env_reset_step_loop_leaves_the_scenario_as_loaded(liuzhou):
    env = RerouteEnv(liuzhou)
    for seed in (0, 1):
        rng = np.random.default_rng(seed)
        env.reset(seed=seed)
        done = False
        while not done:
            _, _, done, _, _ = env.step(int(rng.choice(np.flatnonzero(env.action_masks()))))
        assert foreign_attributes(env.sim.realised_scenario) == {}
    assert foreign_attributes(liuzhou) == {}


def test_a_plan_and_a_replan_leave_the_scenario_as_loaded():
    sc = load("tiny")
    r = realize(sc, 0)
    sim = Simulator(sc, r)
    for _ in range(3):
        d = sim.next_decision()
        if d is None:
            break
        sim.apply(sim.moves()[0])
    plan = solve_plan(sc, time_limit_s=20, seed=0)
    known = known_scenario(sim)
    replan(known, plan_state(sim), sim.known_events(), time_limit_s=20, seed=0, initial=plan,
           tables=sim.tables.world)
    assert foreign_attributes(sc) == {}
    assert foreign_attributes(known) == {}


@pytest.mark.parametrize("policy", ["random", "greedy", "static", "replan", "anticipate",
                                    "hindsight"])
def test_an_episode_of_every_policy_leaves_the_scenario_as_loaded(policy):
    sc = load("tiny")
    row = run_episode(sc, policy, 1, time_limit_s=5.0)
    assert row["decisions"] > 0
    assert foreign_attributes(sc) == {}


def test_tables_of_another_network_are_refused(liuzhou):
    tiny = load("tiny")
    with pytest.raises(InputError, match="another network"):
        Conditions(tiny, tables=Tables(liuzhou))
    with pytest.raises(InputError, match="another network"):
        nominal_road_paths(tiny, Tables(liuzhou))
    with pytest.raises(InputError, match="another network"):
        solve_plan(tiny, time_limit_s=5, seed=0, tables=Tables(liuzhou))
    with pytest.raises(InputError, match="another scenario"):
        Simulator(tiny, realize(tiny, 0), tables=EnvTables(liuzhou))
    # a realised scenario shares its base's network, and so its tables
    r = realize(liuzhou, 2)
    tables = Tables(liuzhou)
    realised = r.scenario(liuzhou)
    assert Conditions(realised, r.events, tables=tables).tables is tables
    assert nominal_road_paths(realised, tables) is nominal_road_paths(liuzhou, tables)
    # a copy of the conditions shares them
    assert Conditions(realised, tables=tables).with_noise_until(5).tables is tables


def test_an_env_keeps_its_tables_across_resets_and_they_equal_fresh_ones(liuzhou):
    env = RerouteEnv(liuzhou)
    env.reset(seed=3)
    first = env.sim.tables
    env.reset(seed=4)
    assert env.sim.tables is first is env.tables
    assert nominal_road_paths(liuzhou) == first.world.nominal_road_paths()
    assert Simulator(liuzhou, realize(liuzhou, 4)).tables is not first


def test_the_simulators_old_scenario_names_warn_and_give_the_new_ones(liuzhou):
    r = realize(liuzhou, 0)
    sim = Simulator(liuzhou, r)
    assert sim.nominal_scenario is liuzhou
    assert sim.realised_scenario.shipments == r.shipments(liuzhou)
    assert sim.realised_scenario.links is liuzhou.links  # the same network, the same tables
    with pytest.warns(DeprecationWarning, match="nominal_scenario"):
        assert sim.base is sim.nominal_scenario
    with pytest.warns(DeprecationWarning, match="realised_scenario"):
        assert sim.scenario is sim.realised_scenario
    # a realization's scenario is made afresh each call (no cache on the base)
    assert r.scenario(liuzhou) == sim.realised_scenario
    assert r.scenario(liuzhou) is not r.scenario(liuzhou)
