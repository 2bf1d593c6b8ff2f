"""JIS supply (mmroute.routing.jis): the scenario section, the problem's roads from Conditions,
the checker catching each broken rule, the heuristic, CP-SAT with a proof, the practice
baseline, plan JSON and the CLI."""

from __future__ import annotations

import copy
import json
from dataclasses import replace

import pytest
import yaml

from mmroute.cli import main
from mmroute.errors import InputError, InstanceError, ScenarioError
from mmroute.routing.jis import (
    JisParams,
    JisPlan,
    JisProblem,
    check_jis_plan,
    heuristic_trips,
    read_plan,
    solve_jis,
    solve_practice,
    write_plan,
)
from mmroute.scenarios import Scenario, bundled_path, load
from mmroute.world import Conditions
from mmroute.world.events import LinkClosure


def _raw() -> dict:
    return yaml.safe_load(bundled_path("liuzhou-jis").read_text())


def _small(cars: int = 96, **line) -> Scenario:
    """liuzhou-jis cut to ``cars`` cars (a 60 s takt: 96 cars in 1.6 h) — a fast instance."""
    d = _raw()
    d["jis"]["sequence"] = {"cars": cars, "seed": 7}
    d["jis"]["line"].update(line)
    return Scenario.from_dict(d, file="small-jis.yaml")


@pytest.fixture(scope="module")
def small() -> JisProblem:
    """96 cars, 4 suppliers, one station each: CP-SAT proves it in about a second."""
    return JisProblem.from_scenario(_small())


@pytest.fixture(scope="module")
def small_plan(small) -> JisPlan:
    return solve_jis(small, time_limit_s=20, seed=0)


def test_the_bundled_scenario_holds_a_shift_of_480_cars_from_four_suppliers():
    sc = load("liuzhou-jis")
    assert sc.jis.n_cars == 480 and len(sc.jis.suppliers) == 4
    assert Scenario.from_dict(sc.to_dict()).jis == sc.jis  # the section reads back equal
    assert "480 cars in sequence" in sc.summary()


def test_road_times_come_from_the_scenario_conditions():
    sc = load("liuzhou-jis")
    p = JisProblem.from_scenario(sc)
    cond = Conditions(sc)
    road = p.roads["WHEEL"]
    link = sc.link(road.links_out[0])
    for hour in (3, 8, 17):
        legs = cond.road_trip((link,), float(hour))
        assert road.out_s[hour] == pytest.approx((legs[-1][1] - legs[0][0]) * 3600, abs=1)
    assert road.out_s[17] > road.out_s[3]  # the evening peak is slower than the night
    assert road.km_out == pytest.approx(link.distance_km, abs=1e-3)


def test_the_problem_reads_back_from_its_dict(small):
    back = JisProblem.from_dict(json.loads(json.dumps(small.to_dict())))
    assert back.jis == small.jis and back.car_start_s == small.car_start_s and back.roads == small.roads


def test_racks_hold_consecutive_cars_and_are_ready_before_they_are_due(small):
    racks = small.racks("SEAT")
    assert [r.first for r in racks[:3]] == [0, 6, 12] and racks[-1].last == small.n_cars - 1
    assert all(r.ready_s < r.due_s < r.need_s <= r.release_s for r in racks)


@pytest.mark.parametrize("path, value, field", [
    (("jis", "suppliers", 0, "station"), "ST-NOPE", "jis.suppliers[SEAT].station"),
    (("jis", "suppliers", 0, "rack_size"), 0, "jis.suppliers[SEAT].rack_size"),
    (("jis", "line", "takt_s"), "fast", "jis.line.takt_s"),
    (("jis", "plant"), "NOWHERE", "jis.plant"),
    (("jis", "sequence"), ["SEDAN-STD", "NO-SUCH"], "jis.sequence[1]"),
    (("jis", "sequence"), {"cars": 600, "seed": 1}, "jis.sequence"),  # 600 > 480 takts in the shift
])
def test_a_bad_field_is_named_with_the_file(path, value, field):
    d = _raw()
    node = d
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(ScenarioError) as err:
        Scenario.from_dict(d, file="bad-jis.yaml")
    assert err.value.field == field and "bad-jis.yaml" in str(err.value)


def test_a_variant_needs_a_part_of_every_supplier():
    d = _raw()
    del d["jis"]["variants"][1]["parts"]["WHEEL"]
    with pytest.raises(ScenarioError, match=r"variants\[SEDAN-LUX\]\.parts\.WHEEL"):
        Scenario.from_dict(d, file="bad-jis.yaml")


def test_the_heuristic_plan_passes_the_checker(small):
    trips = [t for s in small.suppliers for t in heuristic_trips(small, s.id)]
    rep = check_jis_plan(small, JisPlan(trips=tuple(trips), objective=0.0, status="infeasible"))
    assert rep.feasible, rep.summary()
    assert rep.details["line_stops"] == 0


def test_cp_sat_proves_the_small_shift_optimal_and_no_worse_than_the_heuristic(small, small_plan):
    assert small_plan.status == "optimal" and small_plan.bound == pytest.approx(small_plan.objective, abs=0.01)
    rep = check_jis_plan(small, small_plan)
    assert rep.feasible and rep.objective == pytest.approx(small_plan.objective, abs=0.01)
    heur = [t for s in small.suppliers for t in heuristic_trips(small, s.id)]
    h = check_jis_plan(small, JisPlan(trips=tuple(heur), objective=0.0, status="infeasible"))
    assert small_plan.objective <= h.objective + 0.01
    assert small_plan.info["line_stops"] == 0 and small_plan.info["buffer_overflows"] == 0


def test_the_heuristic_alone_plans_a_long_horizon_quickly():
    d = _raw()
    d["jis"]["line"]["shifts"] = [{"start_h": 8 + 24 * k, "end_h": 16 + 24 * k} for k in range(5)]
    d["horizon_h"] = 24 * 5
    d["jis"]["sequence"] = {"cars": 2400, "seed": 3}
    p = JisProblem.from_scenario(Scenario.from_dict(d, file="week.yaml"))
    plan = solve_jis(p, time_limit_s=5, seed=0, params=JisParams(exact=False))
    assert plan.bound is not None and plan.bound <= plan.objective and plan.info["line_stops"] == 0
    assert plan.info["cars"] == 2400


def _broken(plan: JisPlan, k: int, **change) -> JisPlan:
    trips = list(plan.trips)
    trips[k] = replace(trips[k], **change)
    return replace(plan, trips=tuple(trips), status="feasible", bound=None)


def test_the_checker_finds_a_line_stop(small, small_plan):
    t = small_plan.trips[0]
    late = small.racks(t.supplier)[t.racks[0]].need_s + 60
    bad = _broken(small_plan, 0, arrive_s=late, return_s=late + 10**5)
    rep = check_jis_plan(small, bad)
    assert not rep.feasible and rep.details["line_stops"] >= 1
    assert any("line stop" in v.why for v in rep.violations)


def test_the_checker_finds_a_truck_in_two_places(small, small_plan):
    seat = [k for k, t in enumerate(small_plan.trips) if t.supplier == "SEAT"]
    a, b = small_plan.trips[seat[0]], small_plan.trips[seat[1]]
    bad = _broken(small_plan, seat[1], truck=a.truck, load_s=a.return_s - 1,
                  depart_s=max(b.depart_s, a.return_s - 1 + 900))
    rep = check_jis_plan(small, bad)
    assert not rep.feasible


def test_the_checker_finds_missing_racks_gaps_and_overfull_trucks(small, small_plan):
    t = small_plan.trips[0]
    rep = check_jis_plan(small, _broken(small_plan, 0, racks=t.racks[1:]))
    assert any("never delivered" in v.why for v in rep.violations)
    rep = check_jis_plan(small, _broken(small_plan, 0, racks=(t.racks[0], t.racks[0] + 2)))
    assert any("not consecutive" in v.why for v in rep.violations)
    many = tuple(range(0, small.supplier(t.supplier).racks_per_truck + 1))
    rep = check_jis_plan(small, _broken(small_plan, 0, racks=many))
    assert any("racks on a truck" in v.why for v in rep.violations)


def test_the_checker_finds_an_early_departure_and_a_false_claim(small, small_plan):
    t = small_plan.trips[0]
    rep = check_jis_plan(small, _broken(small_plan, 0, load_s=small.racks(t.supplier)[t.racks[-1]].ready_s - 1))
    assert any("before its last rack is ready" in v.why for v in rep.violations)
    rep = check_jis_plan(small, replace(small_plan, objective=small_plan.objective - 5))
    assert not rep.feasible and "differs from the recomputed" in rep.reason
    rep = check_jis_plan(small, replace(small_plan, bound=small_plan.objective + 5))
    assert not rep.feasible


def test_practice_waits_at_the_dock_for_room_and_holds_more_stock_than_the_plan(small, small_plan):
    base = solve_practice(small)
    rep = check_jis_plan(small, base)
    assert base.info["buffer_overflows"] == 0 == rep.details["buffer_overflows"]
    assert all(rep.details["buffer_peak"][st.id] <= st.buffer_racks for st in small.jis.line.stations)
    assert base.info["dock_wait_h"] > 1  # full trucks come early and wait for room
    assert any(t.arrive_s > t.depart_s + small.roads[t.supplier].drive_out_s(t.depart_s) for t in base.trips)
    assert base.info["inventory_rack_h"] > 2 * small_plan.info["inventory_rack_h"]
    # fewer trips than the optimal plan only by unloading racks inside the safety time
    assert base.info["trips"] >= small_plan.info["trips"] or base.info["in_safety_time"] > 0
    full = {s.id: min(s.racks_per_truck, small.station(s.station).buffer_racks) for s in small.suppliers}
    last = {s.id: max(t.racks[-1] for t in base.trips if t.supplier == s.id) for s in small.suppliers}
    assert all(len(t.racks) == full[t.supplier] for t in base.trips if t.racks[-1] != last[t.supplier])


def test_practice_on_a_drawn_day_runs_its_rule_on_the_realised_roads(small):
    from mmroute.routing.jis import execute_practice
    from mmroute.world import Realization
    from mmroute.world.events import KnownEvents

    sc = _small()
    calm = Realization(scenario_name=sc.name, scenario_hash=sc.content_hash(), seed=0, events=KnownEvents(),
                       quantities_teu=(), late_orders=())
    base = solve_practice(small)
    assert execute_practice(small, sc, calm).trips == base.trips  # nominal roads: the plan itself
    closed = KnownEvents(closures=(LinkClosure(link="PLANT-J-WHEEL-road~r", from_h=6.0, to_h=8.5),))
    day = Realization(scenario_name=sc.name, scenario_hash=sc.content_hash(), seed=0, events=closed,
                      quantities_teu=(), late_orders=())
    run = execute_practice(small, sc, day)
    wheel = [t for t in run.trips if t.supplier == "WHEEL"]
    assert all(not 6 * 3600 <= t.depart_s < 8.5 * 3600 for t in wheel)  # nobody drives a closed road
    assert run.line_stops > 0  # the wheel racks of the first cars wait behind the closure


def test_the_plan_json_reads_back_and_rejects_a_fractional_time(tmp_path, small, small_plan):
    path = write_plan(tmp_path / "plan.json", small_plan)
    assert check_jis_plan(small, read_plan(path)).feasible
    data = json.loads(path.read_text())
    data["trips"][0]["arrive_s"] = 1.5
    path.write_text(json.dumps(data))
    with pytest.raises(InstanceError, match=r"plan.json: trips\[0\].arrive_s"):
        read_plan(path)


def test_cli_solves_checks_and_fails_in_one_line(tmp_path, capsys):
    d = _raw()
    d["jis"]["sequence"] = {"cars": 96, "seed": 7}
    scen = tmp_path / "small-jis.yaml"
    scen.write_text(yaml.safe_dump(d))
    out = tmp_path / "plan.json"
    assert main(["jis", "solve", str(scen), "--time-limit", "20", "--seed", "1", "--out", str(out), "--baseline",
                 "--plot", str(tmp_path / "pics")]) == 0
    assert (tmp_path / "pics" / "timeline.png").stat().st_size > 20_000
    assert (tmp_path / "pics" / "timeline-practice.png").exists()
    text = capsys.readouterr().out
    assert "line stops 0" in text and "practice:" in text and "mmroute / practice" in text
    assert {"objective", "bound", "status", "time_s", "solver", "seed", "trips"} <= set(json.loads(out.read_text()))
    assert main(["jis", "check", str(scen), str(out)]) == 0
    data = json.loads(out.read_text())
    data["trips"][0]["racks"] = data["trips"][0]["racks"][1:]
    out.write_text(json.dumps(data))
    assert main(["jis", "check", str(scen), str(out)]) == 1
    capsys.readouterr()
    assert main(["jis", "solve", "liuzhou-cars", "--time-limit", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no jis section" in err


def test_a_copy_of_the_raw_section_is_not_mutated_by_loading():
    d = _raw()
    before = copy.deepcopy(d)
    Scenario.from_dict(d, file="x.yaml")
    assert d == before


def test_re_planned_departures_avoid_the_line_stops_of_the_static_plan_under_road_noise(small, small_plan):
    from mmroute.routing.jis import execute
    from mmroute.world import realize

    sc = _small()
    static, reseq = 0, 0
    for seed in range(6):
        real = realize(sc, seed)
        a = execute(small, small_plan, sc, real, policy="static")
        b = execute(small, small_plan, sc, real, policy="resequence")
        assert b.line_stops <= a.line_stops or b.worst_late_s <= a.worst_late_s
        static += a.line_stops > 0
        reseq += b.line_stops > 0
        assert execute(small, small_plan, sc, real, policy="static") == a  # same draws, same day
    assert static > reseq


def test_a_plan_on_a_day_without_noise_has_no_line_stop(small, small_plan):
    from mmroute.routing.jis import execute
    from mmroute.world import Realization
    from mmroute.world.events import KnownEvents

    sc = _small()
    calm = Realization(scenario_name=sc.name, scenario_hash=sc.content_hash(), seed=0, events=KnownEvents(),
                       quantities_teu=(), late_orders=())
    run = execute(small, small_plan, sc, calm, policy="static")
    assert run.line_stops == 0  # the roads as planned: every trip arrives as planned
    planned = {(t.supplier, t.racks): t.arrive_s for t in small_plan.trips}
    assert all(t.arrive_s == planned[(t.supplier, t.racks)] for t in run.trips)


def test_suppliers_feeding_one_station_share_its_buffer():
    d = _raw()
    d["jis"]["sequence"] = {"cars": 96, "seed": 7}
    d["jis"]["suppliers"][1]["station"] = "ST-SEAT"  # cockpit racks stand at the seat station too
    d["jis"]["line"]["stations"][3]["buffer_racks"] = 10
    p = JisProblem.from_scenario(Scenario.from_dict(d, file="shared.yaml"))
    assert ("SEAT", "COCKPIT") in p.station_groups()
    plan = solve_jis(p, time_limit_s=3, seed=0)
    rep = check_jis_plan(p, plan)
    assert rep.feasible and 6 < rep.details["buffer_peak"]["ST-SEAT"] <= 10


def test_the_planner_proves_that_a_one_rack_buffer_stops_the_line():
    from mmroute.errors import InfeasibleError

    d = _raw()
    d["jis"]["sequence"] = {"cars": 96, "seed": 7}
    # a seat rack lasts 6 min, the safety time is 10 min: the next rack must stand beside it
    d["jis"]["line"]["stations"][3]["buffer_racks"] = 1
    p = JisProblem.from_scenario(Scenario.from_dict(d, file="tight.yaml"))
    with pytest.raises(InfeasibleError, match="ST-SEAT.*proven by"):
        solve_jis(p, time_limit_s=20, seed=0)


def test_a_re_plan_from_the_state_avoids_most_line_stops_of_a_reported_accident(small, small_plan):
    from mmroute.routing.jis import JisState, replan_jis
    from mmroute.world.events import KnownEvents, LinkSlowdown

    sc = _small()
    now = 7 * 3600  # at 07:00 the Liujiang road is reported at half speed until 10:00
    ev = KnownEvents(slowdowns=(LinkSlowdown(link="PLANT-J-WHEEL-road~r", from_h=7.0, to_h=10.0, speed_factor=0.5),))
    known = JisProblem.from_scenario(sc, Conditions(sc, ev))

    def driven(t):  # a trip as it goes under the event: later arrival, later return
        r = known.roads[t.supplier]
        arrive = max(t.arrive_s, t.depart_s + r.drive_out_s(t.depart_s))
        u = arrive + known.jis.line.unload_s
        return replace(t, arrive_s=arrive, return_s=max(t.return_s, u + r.drive_back_s(u)))

    static = check_jis_plan(known, replace(small_plan, trips=tuple(driven(t) for t in small_plan.trips),
                                           status="infeasible"))
    state = JisState(time_s=now, trips=tuple(driven(t) for t in small_plan.trips if t.load_s <= now))
    re = replan_jis(known, state, time_limit_s=20, seed=0)
    assert static.details["line_stops"] >= 4
    assert re.info["line_stops"] < static.details["line_stops"] / 2
    assert all(t in re.trips for t in state.trips)  # what was loaded stays as it is
    assert all(t.load_s >= now for t in re.trips if t not in state.trips)  # nothing loads in the past


def test_a_supplier_outage_delays_its_loading_in_the_re_plan(small, small_plan):
    from mmroute.routing.jis import JisState, replan_jis

    now = 7 * 3600
    state = JisState(time_s=now, trips=tuple(t for t in small_plan.trips if t.load_s <= now),
                     resume_s={"SEAT": 7 * 3600 + 1800})
    re = replan_jis(small, state, time_limit_s=20, seed=0)
    assert all(t.load_s >= 7 * 3600 + 1800 for t in re.trips if t.supplier == "SEAT" and t not in state.trips)


def test_a_bad_problem_dict_names_the_file_and_the_field(small):
    d = json.loads(json.dumps(small.to_dict()))
    d["roads"]["SEAT"]["out_s"][3] = -5
    with pytest.raises(ScenarioError) as err:
        JisProblem.from_dict(d, file="problem.json")
    assert err.value.field == "roads.SEAT.out_s" and "problem.json" in str(err.value)


@pytest.mark.parametrize("call, field", [
    (lambda p: solve_jis(None, time_limit_s=1, seed=0), "problem"),
    (lambda p: solve_jis("liuzhou-jis", time_limit_s=1, seed=0), "problem"),
    (lambda p: solve_jis(p, time_limit_s=float("nan"), seed=0), "time_limit_s"),
    (lambda p: solve_jis(p, time_limit_s=1, seed=-1), "seed"),
    (lambda p: solve_jis(p, time_limit_s=1, seed=0, params="x"), "params"),
    (lambda p: solve_jis(p, time_limit_s=1, seed=0, initial="x"), "initial"),
    (lambda p: solve_practice(p, interval_min=0), "interval_min"),
    (lambda p: check_jis_plan(p, None), "plan"),
])
def test_a_wrong_call_raises_an_input_error_naming_the_argument(small, call, field):

    with pytest.raises(InputError) as err:
        call(small)
    assert err.value.field == field


def test_the_segmentation_bound_is_below_every_exact_optimum_and_met_by_the_plan():
    from mmroute.routing.jis.bound import segment_bound
    from mmroute.routing.jis.exact import UNITS_PER_CNY, solve_station

    p = JisProblem.from_scenario(_small(cars=72))
    for s in p.suppliers:
        seg = segment_bound(p, s.id)
        exact = solve_station(p, (s.id,), time_limit_s=10, seed=0)  # CP-SAT alone, no hint
        assert exact.status == "OPTIMAL"
        assert seg is not None and seg.units / UNITS_PER_CNY <= exact.objective + 1e-6
        assert [g[0] for g in seg.groups] == sorted(g[0] for g in seg.groups) and seg.groups[-1][1] == len(p.racks(s.id)) - 1
    plan = solve_jis(p, time_limit_s=10, seed=0)
    assert plan.status == "optimal" and plan.bound == pytest.approx(plan.objective, abs=0.01)


def test_a_gate_lead_makes_trucks_wait_at_the_gate_and_the_plan_still_checks(small, small_plan):
    lead = 1200
    plan = solve_jis(small, time_limit_s=10, seed=0, params=JisParams(gate_lead_s={"WHEEL": lead}))
    assert check_jis_plan(small, plan).feasible
    road = small.roads["WHEEL"]
    assert all(t.arrive_s >= t.depart_s + road.drive_out_s(t.depart_s) + lead for t in plan.trips if t.supplier == "WHEEL")
    assert plan.bound is not None and plan.bound <= small_plan.objective + 0.01  # a bound of the roads as given
    assert plan.objective >= small_plan.objective - 0.01 and plan.info["gate_lead_s"] == {"WHEEL": lead}
    with pytest.raises(InputError, match="gate_lead_s"):
        solve_jis(small, time_limit_s=1, seed=0, params=JisParams(gate_lead_s={"TYRES": 60}))


def _day(sc: Scenario, **events):
    from mmroute.world import Realization
    from mmroute.world.events import KnownEvents

    return Realization(scenario_name=sc.name, scenario_hash=sc.content_hash(), seed=0, events=KnownEvents(**events),
                       quantities_teu=(), late_orders=())


def test_early_departures_carry_racks_past_a_closure_without_adding_line_side_stock(small, small_plan):
    from mmroute.routing.jis import execute

    sc = _small()
    day = _day(sc, closures=(LinkClosure(link="PLANT-J-WHEEL-road~r", from_h=7.7, to_h=8.6),))
    static = execute(small, small_plan, sc, day, policy="static")
    early = execute(small, small_plan, sc, day, policy="early")
    assert static.line_stops > 0 and early.line_stops < static.line_stops
    calm = execute(small, small_plan, sc, _day(sc), policy="early")
    assert calm.line_stops == 0
    assert calm.inventory_rack_h == pytest.approx(small_plan.info["inventory_rack_h"], abs=1e-3)  # unloads as planned
    assert all(e.depart_s <= t.depart_s for e, t in zip(sorted(calm.trips, key=lambda t: (t.supplier, t.racks)),
                                                        sorted(small_plan.trips, key=lambda t: (t.supplier, t.racks))))


def test_gate_leads_are_chosen_per_station_on_training_days():
    from mmroute.routing.jis import choose_gate_leads
    from mmroute.world import realize

    sc = _small(cars=48)
    p = JisProblem.from_scenario(sc)
    train = [realize(sc, s) for s in range(1000, 1006)]
    choice = choose_gate_leads(p, sc, train, policy="static", leads_s=(0, 1200, 2400), time_limit_s=2)
    assert set(choice.gate_lead_s) == {s.id for s in p.suppliers}
    assert all(v in (0, 1200, 2400) for v in choice.gate_lead_s.values())
    assert choice.gate_lead_s["SEAT"] == 0  # a 5-minute drive: noise never eats the 10-minute safety time
    for station, lead, share, _cost in choice.table:  # the chosen lead has the best share of its station
        sid = next(s.id for s in p.suppliers if s.station == station)
        best = max(x[2] for x in choice.table if x[0] == station and x[2] is not None)
        if lead == choice.gate_lead_s[sid]:
            assert share == best
