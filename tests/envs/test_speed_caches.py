"""The environment's hot-path twins and caches give what the plain computations give: road
trips, departures and timetable tables, weather windows (links_hit_many), forecasts, the
observation's float32 conversion, candidates, the capacity test and next hop, the count of
active events, and envs that share a scenario object run as if alone."""

from __future__ import annotations

import bisect
import dataclasses
import math

import numpy as np
import pytest
import shapely

from mmroute.envs.candidates import (
    Candidate,
    _candidate,
    _expected_cny,
    _next_service,
    _rests,
    _service_rows,
)
from mmroute.envs.forecast import Forecast
from mmroute.envs.reroute import RerouteEnv, _float32_clipped
from mmroute.envs.simulator import TOL_H, Move
from mmroute.scenarios import load
from mmroute.world.conditions import Conditions
from mmroute.world.events import DepartureDelay, KnownEvents, LinkClosure
from mmroute.world.realization import realize, stream
from mmroute.world.roads import nominal_road_paths
from mmroute.world.tables import Tables
from mmroute.world.weather import (
    km_to_deg,
    links_hit,
    links_hit_many,
    shifted_area,
    weather_windows,
)


def trip_leg_by_leg(cond: Conditions, path, start_h: float, check_open: bool = True):
    """``Conditions.road_trip`` from the public per-leg methods, as it was first written."""
    if check_open and any(not cond.is_open(lk.id, start_h) for lk in path):
        return None
    out, t = [], round(start_h, 6)
    for i, lk in enumerate(path):
        if i > 0:
            t = round(t + cond.node_delay_h(lk.from_node, t), 6)
        arr = round(t + cond.travel_time_h(lk, t), 6)
        out.append((t, arr))
        t = arr
    return out


def departures_plain(cond: Conditions, link, lo_h: float, hi_h: float, n: int | None = None):
    """Running departures from the timetable and the public per-departure methods."""
    out = []
    for d in link.timetable.departures(lo_h, hi_h):
        d = round(d, 6)
        actual = d + cond.departure_delay_h(link.id, d)
        if cond.is_open(link.id, actual):
            out.append((d, actual))
    return out if n is None else out[:n]


def weather_realization(sc, min_cells: int = 1):
    for seed in range(200):
        r = realize(sc, seed)
        if len(r.events.weather) >= min_cells:
            return r
    raise AssertionError("no realization with weather")


@pytest.fixture(scope="module")
def liuzhou():
    return load("liuzhou-asean")


def test_road_trips_agree_with_the_leg_by_leg_times_on_random_queries(liuzhou):
    rng = np.random.default_rng(0)
    paths = [p for ps in nominal_road_paths(liuzhou).values() for _, p in ps]
    r = weather_realization(liuzhou)
    sc = r.scenario(liuzhou)
    truth = Conditions(sc, r.events)
    checked = 0
    for t_known in (0.0, 37.5, 250.0, 300.2):
        base = Conditions(sc, r.events.known_at(t_known, cut_noise=False), validate=False)
        for cond in (truth, base.with_noise_until(math.floor(t_known)),
                     base.with_noise_until(math.floor(t_known) + 30)):
            for _ in range(40):
                start = float(rng.choice([t_known, rng.uniform(0, 520), round(rng.uniform(0, 520))]))
                chosen = [paths[j] for j in rng.choice(len(paths), size=4)]
                want = [trip_leg_by_leg(cond, p, start) for p in chosen]
                assert cond.road_trips(chosen, start) == want
                assert [cond.road_trip(p, start) for p in chosen] == want  # kept legs reused
                assert cond.road_trip(chosen[0], start, check_open=False) == trip_leg_by_leg(
                    cond, chosen[0], start, check_open=False)
                checked += 1
    assert checked == 480


def test_a_copy_with_less_noise_does_not_reuse_the_legs_of_its_original(liuzhou):
    r = realize(liuzhou, 3)
    sc = r.scenario(liuzhou)
    full = Conditions(sc, r.events.known_at(100.0, cut_noise=False), validate=False)
    path = next(p for ps in nominal_road_paths(liuzhou).values() for _, p in ps if len(p) > 1)
    with_noise = full.road_trip(path, 90.0)
    capped = full.with_noise_until(80)
    assert capped.road_trip(path, 90.0) == trip_leg_by_leg(capped, path, 90.0)
    assert full.road_trip(path, 90.0) == with_noise


def test_next_departures_agree_with_the_timetable_on_random_queries(liuzhou):
    rng = np.random.default_rng(1)
    services = [lk for lk in liuzhou.links if lk.scheduled]
    lk0, lk1 = services[0], services[1]
    d0 = lk0.timetable.departures(100.0, 400.0)
    extra = KnownEvents(closures=(LinkClosure(lk0.id, 150.0, 230.0),),
                        delays=(DepartureDelay(lk1.id, lk1.timetable.departures(50.0, 400.0)[2], 7.5),
                                DepartureDelay(lk0.id, d0[-1], 30.0)))
    for events in (KnownEvents(), realize(liuzhou, 5).events, extra):
        cond = Conditions(liuzhou, events)
        for _ in range(300):
            lk = services[rng.integers(len(services))] if rng.random() < 0.6 else (lk0, lk1)[
                rng.integers(2)]
            lo = float(rng.uniform(-30, 700))
            hi = float(rng.choice([liuzhou.horizon_h, rng.uniform(lo - 10, 900)]))
            n = int(rng.integers(1, 4))
            want = departures_plain(cond, lk, lo, hi)
            assert cond.departures(lk, lo, hi) == want
            assert cond.next_departures(lk, lo, hi, n) == want[:n]
            assert cond.next_departures(lk, lo, hi, n) == want[:n]  # kept
            assert list(cond.next_departures_view(lk, lo, hi, n)) == want[:n]  # no copy


def test_weather_windows_extended_hour_by_hour_equal_windows_computed_at_once(liuzhou):
    r = weather_realization(liuzhou)
    links = liuzhou.links
    for w in r.events.weather:
        def plain(ev):
            out = {}
            for j in range(ev.hours()):
                lo, hi = ev.from_h + j, min(ev.to_h, ev.from_h + j + 1.0)
                for lid in links_hit(shifted_area(ev.area, ev.velocity_kmh, j), links, ev.modes):
                    ws = out.setdefault(lid, [])
                    if ws and abs(ws[-1][1] - lo) < 1e-9:
                        ws[-1] = (ws[-1][0], hi)
                    else:
                        ws.append((lo, hi))
            return out

        ends = [w.from_h + k for k in range(1, w.hours() + 1)] + [w.to_h]
        for to_h in [*ends, *reversed(ends), w.from_h + 2.5, w.to_h]:
            ev = w if to_h >= w.to_h else dataclasses.replace(w, to_h=to_h)
            assert weather_windows(ev, links) == plain(ev)


def test_step_hits_kept_in_one_call_equal_each_step_alone(liuzhou):
    """A cell's hour steps not kept yet are computed in one vectorised call: each step's
    links are those shapely gives for that step's polygon alone; kept steps are not redone."""
    from mmroute.world.weather import WeatherMemo, _step_hits, _steps_hits

    links = liuzhou.links
    for w in weather_realization(liuzhou).events.weather:
        memo = WeatherMemo(links)
        kept = _step_hits(w.area, w.velocity_kmh, w.modes, 1, memo)
        _steps_hits(w.area, w.velocity_kmh, w.modes, range(w.hours() + 3), memo)
        assert memo.steps[(w.area, w.velocity_kmh, w.modes, 1)] is kept
        for j in range(w.hours() + 3):
            assert memo.steps[(w.area, w.velocity_kmh, w.modes, j)] == links_hit(
                shifted_area(w.area, w.velocity_kmh, j), links, w.modes)


def test_links_hit_many_equals_shapely_one_polygon_at_a_time(liuzhou):
    rng = np.random.default_rng(2)
    lon = [p[0] for lk in liuzhou.links for p in lk.geometry]
    lat = [p[1] for lk in liuzhou.links for p in lk.geometry]
    lines = [(lk.id, lk.mode, shapely.LineString(lk.geometry)) for lk in liuzhou.links]
    for n_points in (3, 6):
        areas = []
        for _ in range(40):
            cx, cy = rng.uniform(min(lon), max(lon)), rng.uniform(min(lat), max(lat))
            rad = rng.uniform(0.05, 3.0)
            ang = np.sort(rng.uniform(0, 2 * np.pi, n_points))
            areas.append(tuple((float(cx + rad * np.cos(a)), float(cy + rad * np.sin(a)))
                               for a in ang))
        for modes in (("sea",), ("road", "rail"), ("road", "rail", "sea", "barge")):
            want = [[lid for lid, mode, line in lines
                     if mode in modes and shapely.intersects(line, shapely.Polygon(a))]
                    for a in areas]
            assert links_hit_many(areas, liuzhou.links, modes) == want
            assert links_hit_many(np.asarray(areas), liuzhou.links, modes) == want
            assert [links_hit(a, liuzhou.links, modes) for a in areas] == want
    mixed = [areas[0], ((100.0, 10.0), (120.0, 10.0), (120.0, 30.0), (100.0, 30.0))]
    assert links_hit_many(mixed, liuzhou.links, ("sea",)) == [
        links_hit(a, liuzhou.links, ("sea",)) for a in mixed]


def test_forecast_cells_are_each_cell_drifted_to_its_lead_plus_the_drawn_error(liuzhou):
    r = weather_realization(liuzhou)
    f = Forecast(liuzhou, r)
    w = r.events.weather[0]  # listed first while it is active
    n = int(f.lead_h // f.step_h)
    hours = [h for h in (math.ceil(w.from_h), math.ceil(w.from_h) + 5, math.ceil(w.to_h) - 2)
             if h + 0.25 < w.to_h]
    assert hours
    for hour in hours:
        f.issue(hour + 0.25)
        cells = f.cells()[:n]
        assert len(cells) == n and all(c[0] == w.cell for c in cells)
        errs = stream(r.seed, "forecast", 0, hour).normal(size=(n, 2))
        for j, (_, time_h, area) in enumerate(cells, start=1):
            lead = j * f.step_h
            drifted = shifted_area(w.area, w.velocity_kmh, hour - w.from_h + lead)
            lat0 = sum(p[1] for p in drifted) / len(drifted)
            sd = f.error_km_per_h * lead
            dx, dy = km_to_deg(float(errs[j - 1, 0]) * sd, float(errs[j - 1, 1]) * sd, lat0)
            assert area == tuple((x + dx, y + dy) for x, y in drifted)
            assert time_h == hour + lead
            hit = links_hit(area, liuzhou.links, w.modes)
            t0 = hour + lead - f.step_h / 2
            assert [x[1] for x in f.windows() if x[0] is w and x[2] == t0] == hit


def test_the_float32_observation_is_numpys_clipped_cast():
    rng = np.random.default_rng(3)
    vals = (rng.normal(size=400) * 30).tolist() + [1e300, -1e300, math.inf, -math.inf, -0.0,
                                                   1e-50, 10.000001, -10.0, 3, True]
    with np.errstate(over="ignore"):  # the cast of +-1e300 overflows to +-inf
        want = np.clip(np.array(vals, dtype=np.float64).astype(np.float32), -10, 10)
    got = _float32_clipped(vals)
    assert got.dtype == np.float32 and got.tobytes() == want.tobytes()
    nan = _float32_clipped([math.nan, 1.0])
    assert math.isnan(nan[0]) and nan[1] == 1.0


def episode(env, seed, rng_seed, steps=None):
    """Observations and costs of an episode (or its first ``steps``) with random masked
    actions."""
    rng = np.random.default_rng(rng_seed)
    obs, _ = env.reset(seed=seed)
    trace, done = [obs], False
    while not done and (steps is None or len(trace) <= steps):
        a = int(rng.choice(np.flatnonzero(env.action_masks())))
        obs, _, done, _, info = env.step(a)
        trace += [obs, info["cost"]]
    return trace


@pytest.mark.parametrize("name", ["liuzhou-asean", "yangtze-inbound"])
def test_envs_sharing_a_scenario_object_run_as_if_alone(name):
    alone = {seed: episode(RerouteEnv(load(name)), seed, seed) for seed in (4, 5)}
    shared = load(name)  # one object: its caches (risk, departures, to-go) are shared
    a, b = RerouteEnv(shared), RerouteEnv(shared)
    ra, rb = np.random.default_rng(4), np.random.default_rng(5)
    traces = {4: [a.reset(seed=4)[0]], 5: [b.reset(seed=5)[0]]}
    done = {4: False, 5: False}
    while not all(done.values()):  # step the two episodes in turn
        for seed, env, rng in ((4, a, ra), (5, b, rb)):
            if not done[seed]:
                act = int(rng.choice(np.flatnonzero(env.action_masks())))
                obs, _, done[seed], _, info = env.step(act)
                traces[seed] += [obs, info["cost"]]
    for seed in (4, 5):
        assert len(traces[seed]) == len(alone[seed])
        for x, y in zip(traces[seed], alone[seed]):
            assert np.array_equal(x, y)


def test_the_timetable_table_slices_are_the_timetables_departures(liuzhou):
    rng = np.random.default_rng(6)
    tables = Tables(liuzhou)
    for lk in (x for x in liuzhou.links if x.scheduled):
        tt = lk.timetable
        lo_h, hi_h, times, _ = tables.timetable_table(tt)
        assert tables.timetable_table(tt)[2] is times  # kept
        assert times == tt.departures(lo_h, hi_h)
        for _ in range(50):
            a = float(rng.uniform(lo_h, hi_h))
            b = float(rng.uniform(a, hi_h))
            i, j = bisect.bisect_left(times, a), bisect.bisect_right(times, b)
            assert times[i:j] == tt.departures(a, b)


def test_the_candidate_twin_is_the_dataclass(liuzhou):
    args = dict(move=Move.service("x", 3.0), score_cny=12.5, depart_h=3.0, arrival_h=math.inf,
                end_node="n", co2_kg=0.25, transshipments=1, known_delay_share=-0.1,
                forecast_hits=2, mode="rail", risk_h=0.5, load_share=0.75)
    twin = _candidate(**args)
    assert twin == Candidate(**args) and vars(twin) == vars(Candidate(**args))
    assert hash(twin) == hash(Candidate(**args))


def next_service_plain(sim, cond, node, ready_h, q, dest, rests, terms, horizon):
    """``candidates._next_service`` without its pruning and inlined capacity test: every
    service on, the first of its next two running departures with room
    (``Simulator.has_room``), the best expected cost."""
    best = None
    for rest_cost, rest_co2, handling_h, time_h, lk, _, _, cutoff, end in _service_rows(
            sim, node, dest, rests):
        deps = cond.departures(lk, ready_h + cutoff - TOL_H, horizon)[:2]
        room = [(tt, t) for tt, t in deps if sim.has_room(lk, tt, q)]
        if not room:
            continue
        tt, dep = room[0]
        arr = dep + cond.travel_time_h(lk, dep)
        arrival = arr if end == dest else arr + handling_h + cond.node_delay_h(end, arr) + time_h
        score = _expected_cny(q, rest_cost, rest_co2, arrival, terms)
        if best is None or score < best[0]:
            best = (score, rest_cost, rest_co2, arrival, tt - cutoff)
    return best


@pytest.mark.parametrize("name", ["liuzhou-asean", "yangtze-inbound"])
def test_capacity_twins_agree_with_has_room_and_the_plain_next_service(name):
    """The services ``option_rows`` offers are the first two running departures with room
    (``has_room``), each bookable; ``_next_service`` is its plain computation; the arrivals
    the known conditions keep are departure plus travel time; the count of active known
    events is the plain count."""
    env = RerouteEnv(load(name))
    rng = np.random.default_rng(7)
    checked = full = kept = 0
    for seed in (0, 1):
        env.reset(seed=seed)
        done = False
        while not done:
            sim, d = env.sim, env.decision
            cond = sim.known()
            c = sim.consignments[d.consignment]
            s = c.shipment
            if d.lock != "road":
                offered = [o for o in sim.options(d) if o.move.kind == "service"]
                for o in offered:
                    assert sim.bookable(o.move)
                want = []
                for lk in sim.out_services.get(d.node, ()):
                    deps = cond.departures(lk, d.time_h + lk.timetable.cutoff_h - TOL_H,
                                           sim.horizon_h)
                    room = [(tt, t) for tt, t in deps if sim.has_room(lk, tt, s.quantity_teu)]
                    full += sum(1 for tt, _ in deps[:4] if not sim.has_room(lk, tt, 1e6))
                    want += [(lk.id, tt, t) for tt, t in room[:2]]
                assert [(o.move.link, o.move.timetable_h, o.depart_h) for o in offered] == want
            rests = _rests(sim.tables, s.destination)
            terms = (1.0, sim.price, 0.3, s.lateness_penalty_cny_per_teu_h, s.release_h, s.due_h)
            for _ in range(3):
                node = list(sim.out_services)[rng.integers(len(sim.out_services))]
                ready = sim.now + float(rng.uniform(0, 120))
                q = float(rng.choice([s.quantity_teu, rng.uniform(1, 200)]))
                got = _next_service(sim, cond, node, ready, q, s.destination, rests, terms,
                                    sim.horizon_h)
                assert got == next_service_plain(sim, cond, node, ready, q, s.destination,
                                                 rests, terms, sim.horizon_h)
                checked += 1
            for (lid, dep), arr in cond.service_arrivals.items():  # the kept arrivals
                assert arr == dep + cond.travel_time_h(sim.links[lid], dep)
                kept += 1
            known = cond.events
            plain = sum(1 for e in (*known.closures, *known.node_closures, *known.node_delays,
                                    *known.slowdowns, *known.weather)
                        if e.from_h <= sim.now < e.to_h)
            assert env._active_events(sim.now) == plain
            a = int(rng.choice(np.flatnonzero(env.action_masks())))
            _, _, done, _, _ = env.step(a)
    assert checked > 100 and full > 0 and kept > 0


def test_weather_windows_stopped_half_way_are_completed_not_doubled(liuzhou):
    """A re-plan abandoned at its decision budget (a signal, :mod:`mmroute.agents.deadline`)
    can stop the memo's extension after some steps or some links of a step: the next call
    gives the windows of an uninterrupted one."""
    from mmroute.world.weather import WeatherMemo, _step_hits

    links = liuzhou.links
    for w in weather_realization(liuzhou).events.weather:
        fresh = weather_windows(w, links)
        memo = WeatherMemo(links)
        half = w.hours() // 2
        runs: dict = {}

        def add(j, lids, runs=runs):  # a step merged as _whole_steps merges it
            for lid in lids:
                rs = runs.setdefault(lid, [])
                if rs and rs[-1][1] == j - 1:
                    rs[-1] = (rs[-1][0], j)
                else:
                    rs.append((j, j))

        for j in range(max(1, half)):
            add(j, _step_hits(w.area, w.velocity_kmh, w.modes, j, memo))
        hits = _step_hits(w.area, w.velocity_kmh, w.modes, half, memo)
        if half:  # half of a step's links, the count not yet moved on: as stopped
            add(half, hits[:len(hits) // 2])
        memo.windows[(w.area, w.velocity_kmh, w.modes)] = [max(1, half), runs]
        assert weather_windows(w, links, memo=memo) == fresh


def test_weather_windows_shared_across_onsets_equal_fresh_ones(liuzhou):
    """The runs kept per cell serve the same cell at another onset, seen for fewer or more
    hours, with windows equal to those computed afresh for that onset."""
    from mmroute.world.weather import WeatherMemo

    links = liuzhou.links
    memo = WeatherMemo(links)
    for w in weather_realization(liuzhou).events.weather:
        for shift, to_h in ((0.0, w.to_h), (7.0, w.from_h + 2.0), (-3.0, w.to_h + 5.5),
                            (11.0, w.from_h + 1.5), (2.0, w.to_h - 0.25)):
            ev = dataclasses.replace(w, from_h=w.from_h + shift, to_h=max(w.from_h, to_h) + shift)
            assert weather_windows(ev, links, memo=memo) == weather_windows(ev, links)


def test_the_realised_shipment_twin_is_dataclasses_replace(liuzhou):
    r = realize(liuzhou, 3)
    want = tuple(dataclasses.replace(s, quantity_teu=dict(r.quantities_teu)[s.id])
                 for s in liuzhou.shipments) + r.late_orders
    got = r.shipments(liuzhou)
    assert got == want and [vars(a) for a in got] == [vars(b) for b in want]
    assert all(a is not b for a, b in zip(got, liuzhou.shipments))
    assert hash(got[0]) == hash(want[0])


def test_timetable_times_are_the_timetables_departures_in_and_out_of_the_table(liuzhou):
    rng = np.random.default_rng(8)
    cond = Conditions(liuzhou)
    for lk in (x for x in liuzhou.links if x.scheduled):
        tt = lk.timetable
        for t in tt.departures(-tt.period_h, liuzhou.horizon_h + 3 * tt.period_h)[::7]:
            for a, b in ((t - 1e-3, t + 1e-3), (t, t), (t + 1e-3, t + 2e-3)):
                assert cond.timetable_times(lk, a, b) == tt.departures(a, b)
        for _ in range(30):
            a = float(rng.uniform(-2 * tt.period_h, liuzhou.horizon_h + 4 * tt.period_h))
            b = a + float(rng.uniform(-1.0, 3 * tt.period_h))
            assert cond.timetable_times(lk, a, b) == tt.departures(a, b)
