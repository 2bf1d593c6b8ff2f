"""Per-shipment rows of an episode and of a plan: route, costs, and where and why a drop
happened (mmroute.world.shipments, mmroute.envs.shipments, --per-shipment of the CLI)."""

from __future__ import annotations

import csv
import dataclasses
import json

import numpy as np
import pytest

from mmroute.envs import replay
from mmroute.envs.shipments import per_shipment
from mmroute.envs.simulator import Move, Simulator
from mmroute.errors import InputError
from mmroute.routing.plan import solve_plan
from mmroute.scenarios import load
from mmroute.scenarios.model import Shipment
from mmroute.world.check import check_plan
from mmroute.world.events import KnownEvents, LinkClosure
from mmroute.world.plan import Itinerary, Plan
from mmroute.world.realization import Realization, realize
from mmroute.world.shipments import COLUMNS, DROP_REASONS, ISO_COLUMNS, plan_rows
from tests.cli_run import run_main


def _closed(scenario, late_orders=()) -> Realization:
    """tiny with the sea service QZ-HPH and the road QZ->LZ closed all horizon long."""
    base = realize(scenario, 0)
    closures = (LinkClosure(link="QZ-HPH-sea", from_h=0, to_h=240),
                LinkClosure(link="LZ-QZ-road~r", from_h=0, to_h=240))
    return Realization(scenario_name=base.scenario_name, scenario_hash=base.scenario_hash, seed=0,
                       events=KnownEvents(closures=closures), quantities_teu=base.quantities_teu,
                       late_orders=tuple(late_orders))


def _run(sim: Simulator, first: dict[str, Move]) -> None:
    """Each shipment's first decision takes ``first[id]`` if given; every other one drops."""
    seen: set[str] = set()
    while (d := sim.next_decision()) is not None:
        sid = sim.consignments[d.consignment].shipment.id
        move = first.get(sid) if sid not in seen else None
        seen.add(sid)
        sim.apply(move or Move.drop())


def test_a_closure_that_leaves_no_way_on_is_the_reason_and_the_node_is_where_the_cargo_waited(
        scenarios):
    late = Shipment(id="late-1", origin="QZ", destination="HPH", quantity_teu=2.0,
                    release_h=233.0, due_h=239.0, lateness_penalty_cny_per_teu_h=10.0)
    sim = Simulator(scenarios["tiny"], _closed(scenarios["tiny"], [late]))
    _run(sim, {"S1": Move.service("LZ-QZ-rail", 8.0)})
    rows = {r.shipment: r for r in per_shipment(sim)}
    s1 = rows["S1"]
    assert (s1.drop_node, s1.drop_reason, s1.route, s1.modes) == ("QZ", "closure", "LZ>QZ", "rail")
    assert s1.drop_h == 21.0 and s1.departure_h == 8.0 and s1.arrival_h is None
    assert s1.dropped_teu == 10.0 and s1.cost_cny > 0 and s1.co2_kg > 0  # the rail leg was paid
    # a late order whose release leaves no route arriving by the horizon
    assert (rows["late-1"].drop_reason, rows["late-1"].drop_node) == ("released-too-late", "QZ")
    # S3 could have gone by rail or road: the policy's choice
    assert rows["S3"].drop_reason == "policy" and rows["S3"].route == "LZ"
    assert {r.drop_reason for r in rows.values()} <= set(DROP_REASONS)
    # the rows hold everything the episode charged
    assert sum(r.objective_cny for r in rows.values()) == pytest.approx(sim.total, rel=1e-12)


def test_a_departure_without_room_for_the_consignment_is_the_reason_capacity(scenarios):
    sc = scenarios["tiny"]
    links = tuple(dataclasses.replace(lk, capacity_teu=5.0) if lk.id == "QZ-HPH-sea" else lk
                  for lk in sc.links)
    small = dataclasses.replace(sc, links=links)  # S1's 10 TEU never fit on the sea service
    base = realize(small, 0)
    closures = (LinkClosure(link="LZ-QZ-road~r", from_h=0, to_h=240),)
    r = Realization(scenario_name=base.scenario_name, scenario_hash=base.scenario_hash, seed=0,
                    events=KnownEvents(closures=closures), quantities_teu=base.quantities_teu,
                    late_orders=())
    sim = Simulator(small, r)
    _run(sim, {"S1": Move.service("LZ-QZ-rail", 8.0)})
    s1 = {x.shipment: x for x in per_shipment(sim)}["S1"]
    assert (s1.drop_node, s1.drop_reason) == ("QZ", "capacity")


def test_the_same_late_order_on_the_open_network_is_dropped_by_the_policy(scenarios):
    sc = scenarios["tiny"]
    base = realize(sc, 0)
    late = Shipment(id="late-1", origin="QZ", destination="HPH", quantity_teu=2.0,
                    release_h=120.0, due_h=200.0, lateness_penalty_cny_per_teu_h=10.0)
    r = Realization(scenario_name=base.scenario_name, scenario_hash=base.scenario_hash, seed=0,
                    events=KnownEvents(), quantities_teu=base.quantities_teu, late_orders=(late,))
    sim = Simulator(sc, r)
    _run(sim, {})
    assert {x.shipment: x.drop_reason for x in per_shipment(sim)}["late-1"] == "policy"


def test_delivered_rows_match_the_episode(scenarios):
    sc = scenarios["tiny"]
    sim = Simulator(sc, realize(sc, 3))
    while (d := sim.next_decision()) is not None:
        sim.apply(sim.moves(d)[0])
    rows = per_shipment(sim)
    res = sim.result()
    assert all(r.dropped_teu == 0 and r.drop_reason is None and r.drop_node is None for r in rows)
    assert sum(r.co2_kg for r in rows) == pytest.approx(res.co2_kg)
    assert sum(r.objective_cny for r in rows) == pytest.approx(res.cost)
    for r in rows:
        assert r.route.split(">")[0] == r.origin and r.route.split(">")[-1] == r.destination
        assert r.arrival_h >= r.departure_h >= r.release_h


def test_plan_rows_give_the_reason_of_a_mip_drop_from_the_network(scenarios):
    sc = scenarios["tiny"]
    ships = tuple(dataclasses.replace(s, origin="HPH", destination="LZ") if s.id == "S3" else s
                  for s in sc.shipments)
    sc2 = dataclasses.replace(sc, shipments=ships)  # nothing leaves HPH
    plan = solve_plan(sc2, time_limit_s=30, seed=0)
    rows = {r.shipment: r for r in per_shipment(plan, sc2)}
    assert (rows["S3"].drop_reason, rows["S3"].drop_node, rows["S3"].route) == ("no-service", "HPH", "HPH")
    assert rows["S1"].drop_reason is None and rows["S1"].route.startswith("LZ>")
    # a shipment released after the horizon: no chain of links arrives by it
    late = tuple(dataclasses.replace(s, release_h=300.0, due_h=320.0) if s.id == "S2" else s
                 for s in sc.shipments)
    sc3 = dataclasses.replace(sc, shipments=late)
    dropped = Itinerary("S2", 4.0, (), (), None, 0.0, True, 0.0, 0.0, 400_000.0)
    plan3 = dataclasses.replace(plan, itineraries=(dropped,))
    assert plan_rows(plan3, sc3)[0].drop_reason == "after-horizon"
    with pytest.raises(InputError, match="needs its scenario"):
        per_shipment(plan)


def test_cli_plan_writes_the_per_shipment_csv_and_checks_it_before_the_solve(tmp_path, capfd):
    out, ships = tmp_path / "p.json", tmp_path / "s.csv"
    r = run_main(capfd, "plan", "tiny", "--out", str(out), "--per-shipment", str(ships))
    assert r.returncode == 0, r.stderr
    with ships.open() as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == COLUMNS + ISO_COLUMNS  # tiny has a start: timestamps after
    assert {x["shipment"] for x in rows} == {"S1", "S2", "S3"}
    clock = load("tiny").clock()
    for x in rows:  # each timestamp is its hours from the start, to the second
        for col in ("release", "due", "departure", "arrival"):
            if x[f"{col}_h"]:
                assert clock.hours(x[f"{col}_iso"]) == pytest.approx(float(x[f"{col}_h"]),
                                                                     abs=0.5 / 3600)
                assert x[f"{col}_iso"].endswith("+08:00")
    assert "late h" in r.stdout  # the late ones are printed
    bad = run_main(capfd, "plan", "tiny", "--out", str(tmp_path / "q.json"), "--per-shipment",
                   str(tmp_path / "s.txt"))
    assert bad.returncode == 2 and "--per-shipment must end in .csv" in bad.stderr
    assert not (tmp_path / "q.json").exists()


def test_cli_evaluate_writes_one_row_per_policy_seed_and_shipment(tmp_path, capfd):
    out, ships = tmp_path / "r.csv", tmp_path / "s.csv"
    r = run_main(capfd, "evaluate", "tiny", "--policies", "greedy", "--seeds", "0-1", "--out",
                 str(out), "--per-shipment", str(ships))
    assert r.returncode == 0, r.stderr
    with ships.open() as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == ("scenario", "policy", "seed", *COLUMNS, *ISO_COLUMNS)
    clock = load("tiny").clock()
    assert all(clock.iso(float(x["release_h"])) == x["release_iso"] for x in rows)
    assert len(rows) == 2 * 2 * 3  # (greedy, hindsight) x 2 seeds x 3 shipments
    with out.open() as f:
        episodes = list(csv.DictReader(f))
    for e in episodes:  # each episode's rows add up to its cost
        mine = [x for x in rows if x["policy"] == e["policy"] and x["seed"] == e["seed"]]
        assert sum(float(x["objective_cny"]) for x in mine) == pytest.approx(float(e["cost"]))
    bad = run_main(capfd, "evaluate", "tiny", "--policies", "greedy", "--seeds", "0", "--out",
                   str(out), "--per-shipment", str(out))
    assert bad.returncode == 2 and "must differ from --out" in bad.stderr


def _dropped_on_the_way(scenarios):
    """tiny's closure case: S1 dropped at QZ after its rail leg; its trajectory."""
    sc = scenarios["tiny"]
    r = _closed(sc)
    sim = Simulator(sc, r)
    _run(sim, {"S1": Move.service("LZ-QZ-rail", 8.0), "S3": Move.service("LZ-QZ-rail", 8.0)})
    return sc, r, sim, sim.trajectory()


def test_a_drop_on_the_way_keeps_its_legs_and_the_checker_and_replay_charge_them(scenarios):
    sc, r, sim, plan = _dropped_on_the_way(scenarios)
    s1 = plan.itinerary("S1")[0]
    assert s1.dropped and [lg.link for lg in s1.legs] == ["LZ-QZ-rail"]
    assert s1.drop_node == "QZ" and [h.node for h in s1.handling] == ["QZ"]
    assert plan.objective == pytest.approx(sim.total, rel=1e-12)  # what the episode charged
    report = check_plan(r.scenario(sc), plan)
    assert report.feasible, report.summary()
    assert report.objective == pytest.approx(plan.objective, rel=1e-9)
    back = Plan.from_dict(json.loads(json.dumps(plan.to_dict())))
    assert back == plan
    assert replay(sc, r, back).total == pytest.approx(plan.objective, rel=1e-12)
    assert "S1" not in plan.routes() and "S1" not in plan.map_routes(sc.shipments)
    row = {x.shipment: x for x in plan_rows(plan, r.scenario(sc))}["S1"]
    assert (row.drop_node, row.route, row.drop_h) == ("QZ", "LZ>QZ", 17.0)


def test_the_checker_rejects_a_drop_whose_legs_are_inconsistent(scenarios):
    sc, r, _, plan = _dropped_on_the_way(scenarios)
    real = r.scenario(sc)
    s1 = plan.itinerary("S1")[0]

    def with_s1(**kw):
        its = tuple(dataclasses.replace(it, **kw) if it.shipment == "S1" else it
                    for it in plan.itineraries)
        return check_plan(real, dataclasses.replace(plan, itineraries=its))

    leg = s1.legs[0]
    late_leg = dataclasses.replace(leg, arrival_h=leg.arrival_h + 5.0)
    cases = {
        "arrives": with_s1(legs=(late_leg,)),
        "dropped at PX, its legs end at QZ": with_s1(drop_node="PX"),
        "handling": with_s1(handling=()),
        "objective share": with_s1(objective_cny=s1.objective_cny - 1000.0),
        "starts at": with_s1(legs=(dataclasses.replace(
            leg, link="QZ-HPH-sea", from_node="QZ", to_node="HPH"),)),
    }
    for what, report in cases.items():
        assert not report.feasible and what in report.summary(), (what, report.summary())
    # the old form (dropped at the origin, no legs) still reads and checks
    old = dict(s1.to_dict(), legs=[], handling=[], cost_cny=0.0, co2_kg=0.0,
               objective_cny=real.objective.drop_penalty_cny_per_teu * s1.teu)
    del old["drop_node"]
    assert Itinerary.from_dict(old).drop_node is None
    assert with_s1(**{k: v for k, v in Itinerary.from_dict(old).to_dict().items()
                      if k in ("legs", "handling", "cost_cny", "co2_kg", "objective_cny")}
                   ).violations  # objective of the plan no longer adds up


@pytest.mark.parametrize("name", ["liuzhou-asean", "china-europe"])
def test_episodes_dropping_on_the_way_give_checked_plans_that_replay_to_their_cost(scenarios, name):
    sc = scenarios[name]
    r = realize(sc, 1)
    rng = np.random.default_rng(1)
    sim = Simulator(sc, r)
    while (d := sim.next_decision()) is not None:
        moves = sim.moves(d)  # drop last
        moved = bool(sim.consignments[d.consignment].legs)
        if len(moves) == 1 or (moved and rng.random() < 0.5):
            sim.apply(Move.drop())
        else:
            sim.apply(moves[int(rng.integers(len(moves) - 1))])
    plan = sim.trajectory()
    assert sum(it.dropped and bool(it.legs) for it in plan.itineraries) >= 5
    report = check_plan(r.scenario(sc), plan)
    assert report.feasible, report.summary()
    assert plan.objective == pytest.approx(sim.total, rel=1e-9)
    assert replay(sc, r, Plan.from_dict(plan.to_dict())).total == pytest.approx(plan.objective,
                                                                                 rel=1e-9)
