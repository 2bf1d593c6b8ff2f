"""Realizations: seeded, independent streams per source, JSON round trip, event vocabulary."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import shapely

from mmroute.errors import InputError
from mmroute.world.conditions import Conditions
from mmroute.world.events import KnownEvents, NodeClosure, WeatherEvent
from mmroute.world.realization import Realization, realize
from mmroute.world.weather import KM_PER_DEG_LAT


@pytest.mark.parametrize("name", ["tiny", "liuzhou-asean", "china-europe"])
def test_same_seed_gives_the_same_realization_and_json_round_trips_it(scenarios, name):
    sc = scenarios[name]
    a, b = realize(sc, 7), realize(sc, 7)
    assert a == b
    back = Realization.from_dict(json.loads(json.dumps(a.to_dict())))
    assert back == a
    assert realize(sc, 8) != a


def test_sources_draw_from_independent_streams(scenarios):
    sc = scenarios["liuzhou-asean"]
    base = realize(sc, 3)
    # more late orders (a higher rate) leaves storms, disruptions and noise where they were
    lo = sc.uncertainty.demand.late_orders
    busier = replace(sc, uncertainty=replace(sc.uncertainty, demand=replace(
        sc.uncertainty.demand, late_orders=replace(lo, rate_per_day=lo.rate_per_day * 4))))
    other = realize(busier, 3)
    assert len(other.late_orders) > len(base.late_orders)
    assert other.events == base.events
    assert other.quantities_teu == base.quantities_teu


def test_every_seed_has_mean_one_road_noise_and_drawn_quantities(scenarios):
    sc = scenarios["liuzhou-asean"]
    r = realize(sc, 0)
    factors = [f for rn in r.events.road_noise for f in rn.factors]
    assert abs(sum(factors) / len(factors) - 1.0) < 0.01
    q = dict(r.quantities_teu)
    assert any(q[s.id] != s.quantity_teu for s in sc.shipments)
    realised = r.scenario(sc)
    assert len(realised.shipments) == len(sc.shipments) + len(r.late_orders)


def test_a_negative_or_non_integer_seed_is_an_input_error(scenarios):
    for bad in (-1, 1.5, "3", True):
        with pytest.raises(InputError, match="seed"):
            realize(scenarios["tiny"], bad)


def test_a_realization_of_another_scenario_is_refused(scenarios):
    r = realize(scenarios["tiny"], 0)
    with pytest.raises(InputError, match="does not belong"):
        r.scenario(scenarios["liuzhou-asean"])


def test_storm_drifting_across_a_sea_lane_closes_exactly_the_links_it_crosses_while_it_does(
        scenarios):
    sc = scenarios["tiny"]
    sea = sc.link("QZ-HPH-sea")
    # a 0.4 x 0.4 degree cell west of the lane, drifting east at 40 km/h for 30 hours
    lon0, lat0 = 106.2, 21.0
    area = ((lon0, lat0), (lon0 + 0.4, lat0), (lon0 + 0.4, lat0 + 0.4), (lon0, lat0 + 0.4))
    storm = WeatherEvent(cell="test", from_h=10.0, to_h=40.0, area=area,
                         velocity_kmh=(40.0, 0.0), effect="close", modes=("sea",))
    cond = Conditions(sc, KnownEvents(weather=(storm,)))
    import math

    lane = shapely.LineString(sea.geometry)
    deg_per_h = 40.0 / (111.32 * math.cos(math.radians(lat0 + 0.2)))
    expected = set()
    for j in range(30):
        poly = shapely.Polygon([(x + deg_per_h * j, y) for x, y in area])
        if poly.intersects(lane):
            expected.add(10 + j)
    assert expected, "the test cell must cross the lane"
    assert len(expected) < 30, "and leave it again"
    closed = {h for h in range(0, 60) if not cond.is_open(sea.id, h + 0.5)}
    assert closed == expected
    # links of other modes are untouched, even where the cell crosses them
    for lk in sc.links:
        if lk.mode != "sea":
            assert all(cond.is_open(lk.id, h + 0.5) for h in range(60))
    assert KM_PER_DEG_LAT > 110


def test_a_node_closure_closes_every_link_touching_the_node(scenarios):
    sc = scenarios["tiny"]
    cond = Conditions(sc, KnownEvents(node_closures=(NodeClosure(node="QZ", from_h=5, to_h=9),)))
    for lk in sc.links:
        touches = "QZ" in (lk.from_node, lk.to_node)
        assert cond.is_open(lk.id, 6.0) is not touches
        assert cond.is_open(lk.id, 9.0)


def test_known_at_reveals_events_by_onset_and_weather_hour_by_hour(scenarios):
    sc = scenarios["liuzhou-asean"]
    r = next(realize(sc, s) for s in range(50) if realize(sc, s).events.weather)
    w = r.events.weather[0]
    k = r.events.known_at(w.from_h + 2.5)
    (kw,) = [x for x in k.weather if x.cell == w.cell]
    assert kw.to_h == min(w.to_h, w.from_h + 3.0)
    assert not any(x.cell == w.cell for x in r.events.known_at(w.from_h - 0.5).weather)
    noise = k.road_noise[0]
    assert len(noise.factors) == int(w.from_h + 2.5) + 1
