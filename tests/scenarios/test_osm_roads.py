"""Roads from OpenStreetMap (osmnx's test extract of central Aguascalientes, in
../shared/data/osm): legs are shortest paths on the graph and never below the great circle;
low bridges are avoided; a plan over OSM legs passes check_plan."""

from __future__ import annotations

import copy

import pytest

from mmroute.cli import main
from mmroute.errors import InputError, ScenarioError
from mmroute.scenarios import parse
from mmroute.scenarios.distances import geodesic_km

ox = pytest.importorskip("osmnx", reason="the [osm] extra (osmnx) is not installed")
osmium = pytest.importorskip("osmium", reason="the [osm] extra (pyosmium) is not installed")
nx = pytest.importorskip("networkx")

from mmroute.scenarios.osm_roads import (  # noqa: E402 - after the importorskip
    import_roads,
    load_roads,
    parse_height_m,
    parse_weight_t,
    road_legs,
)

#: Places inside the extract (lon, lat): four corners of central Aguascalientes.
PLACES = {"SW": (-102.280, 21.862), "NE": (-102.260, 21.876), "SE": (-102.262, 21.862),
          "NW": (-102.278, 21.875)}


@pytest.fixture(scope="module")
def roads(shared_data, tmp_path_factory):
    """The Aguascalientes extract imported once: (GraphML path, graph as read back)."""
    out = tmp_path_factory.mktemp("osm") / "ags.graphml"
    import_roads(shared_data / "osm" / "aguascalientes.osm.bz2", out)
    return out, load_roads(out)


def _data(graphml) -> dict:
    return {
        "name": "ags", "start": "2026-03-02T08:00:00-06:00", "horizon_h": 48,
        "roads": {"file": str(graphml)},
        "nodes": [{"id": k, "kind": kind, "lon": x, "lat": y} for (k, (x, y)), kind in zip(
            PLACES.items(), ["supplier", "plant", "warehouse", "supplier"], strict=True)],
        "links": [{"from": a, "to": b, "mode": "road", "bidirectional": True}
                  for a, b in (("SW", "NE"), ("SW", "SE"), ("SE", "NE"), ("NW", "NE"),
                               ("NW", "SW"))],
        "shipments": [{"id": "S1", "origin": "SW", "destination": "NE", "quantity_teu": 2,
                       "due_h": 10},
                      {"id": "S2", "origin": "NW", "destination": "SE", "quantity_teu": 1,
                       "release_h": 2, "due_h": 12}],
    }


def test_every_osm_leg_is_the_graphs_shortest_path_and_not_below_the_great_circle(roads):
    path, graph = roads
    sc = parse(_data(path))
    pairs = [(lk.from_node, lk.to_node) for lk in sc.links]
    legs = road_legs(graph, PLACES, pairs)
    assert len(sc.links) == 10
    assert parse(sc.to_dict()) == sc and sc.roads.file == str(path.resolve())
    for lk in sc.links:
        leg = legs[(lk.from_node, lk.to_node)]
        (ax, ay), (bx, by) = PLACES[lk.from_node], PLACES[lk.to_node]
        assert lk.distance_km == leg.distance_km >= geodesic_km(ax, ay, bx, by)
        assert lk.transit_time_h == leg.time_h
        assert lk.distance_source.startswith("osm roads, snaps")
        # the path is networkx's fastest on the same graph, its length that path's length
        u, v = leg.path[0], leg.path[-1]
        t_path = sum(min(e["travel_time"] for e in graph[p][q].values())
                     for p, q in zip(leg.path, leg.path[1:], strict=False))
        assert t_path == pytest.approx(nx.shortest_path_length(graph, u, v,
                                                               weight="travel_time"), rel=1e-12)
        length = sum(min(graph[p][q].values(), key=lambda e: e["travel_time"])["length"]
                     for p, q in zip(leg.path, leg.path[1:], strict=False))
        assert leg.distance_km * 1000 == pytest.approx(length + sum(leg.snap_m), rel=1e-12)
    # the shortest-distance legs are networkx's shortest by length
    short = road_legs(graph, PLACES, pairs, weight="length")
    for (a, b), leg in short.items():
        u, v = leg.path[0], leg.path[-1]
        assert leg.distance_km * 1000 == pytest.approx(
            nx.shortest_path_length(graph, u, v, weight="length") + sum(leg.snap_m), rel=1e-12)
        assert leg.distance_km <= legs[(a, b)].distance_km + 1e-12


def test_a_loaded_carrier_never_takes_a_road_under_a_lower_bridge(roads, tmp_path):
    _, graph = roads
    free = road_legs(graph, PLACES, [("SW", "NE")])[("SW", "NE")]
    low = graph.copy()
    mid = len(free.path) // 2
    u, v = free.path[mid], free.path[mid + 1]
    for k in low[u][v]:  # a 3.8 m bridge on the fastest path, written and read as GraphML
        low[u][v][k]["maxheight"] = "3.8"
    ox.io.save_graphml(low, tmp_path / "low.graphml")
    low = load_roads(tmp_path / "low.graphml")
    loaded = road_legs(low, PLACES, [("SW", "NE")], height_m=4.3)[("SW", "NE")]
    assert loaded is not None and (u, v) not in set(zip(loaded.path, loaded.path[1:],
                                                        strict=False))
    assert loaded.time_h >= free.time_h
    empty = road_legs(low, PLACES, [("SW", "NE")], height_m=3.5)[("SW", "NE")]
    assert empty.path == free.path  # a lower vehicle passes under it


def test_truck_tags_read_in_metres_and_tonnes():
    assert parse_height_m("4.2") == parse_height_m("4.2 m") == 4.2
    assert parse_height_m("14'6\"") == pytest.approx(4.4196)
    assert parse_height_m("default") is None and parse_height_m(None) is None
    assert parse_height_m("['4.5', '3.9']") == 3.9  # a merged edge: its lowest
    assert parse_weight_t("7.5") == parse_weight_t("7.5 t") == parse_weight_t("7500 kg")
    assert parse_weight_t("none") is None


def test_a_plan_over_osm_legs_passes_check_plan(roads):
    from mmroute.routing.plan import solve_plan
    from mmroute.world.check import check_plan

    sc = parse(_data(roads[0]))
    plan = solve_plan(sc, time_limit_s=20, seed=0)
    assert check_plan(sc, plan).ok and not any(it.dropped for it in plan.itineraries)
    assert sc.clock().iso(0) == "2026-03-02T08:00:00-06:00"


def test_roads_errors_name_the_file_and_field(roads, tmp_path, shared_data):
    data = _data(roads[0])
    bad = copy.deepcopy(data)
    bad["roads"]["file"] = str(tmp_path / "none.graphml")
    with pytest.raises(ScenarioError, match="roads.file: .*no such road graph file"):
        parse(bad, file="ags.yaml")
    bad = copy.deepcopy(data)
    bad["roads"]["weight"] = "fuel"
    with pytest.raises(ScenarioError, match="roads.weight"):
        parse(bad, file="ags.yaml")
    far = copy.deepcopy(data)  # a node 750 m west of the extract snaps; the snap is reported
    far["nodes"][0]["lon"] -= 0.01
    sc = parse(far)
    snap = sc.link("SW-NE-road").distance_source
    xs = [d["x"] for _, d in roads[1].nodes(data=True)]
    west_m = geodesic_km(far["nodes"][0]["lon"], 21.862, min(xs), 21.862) * 1000
    assert int(snap.split("snaps ")[1].split(" m")[0]) >= 0.99 * west_m  # sphere vs ellipsoid
    with pytest.raises(InputError, match=r"x\.osm\.gz: expected an OSM extract"):
        import_roads(tmp_path / "x.osm.gz", tmp_path / "x.graphml")
    with pytest.raises(InputError, match=r"none\.osm\.pbf: no such file"):
        import_roads(tmp_path / "none.osm.pbf", tmp_path / "x.graphml")
    (tmp_path / "bad.osm.pbf").write_bytes(b"not a pbf")
    with pytest.raises(InputError, match=r"bad\.osm\.pbf: cannot read the OSM extract"):
        import_roads(tmp_path / "bad.osm.pbf", tmp_path / "x.graphml")


def test_cli_roads_import_writes_graphml(shared_data, tmp_path, capsys):
    out = tmp_path / "oak.graphml"
    assert main(["roads", "import", str(shared_data / "osm" / "West-Oakland.osm.bz2"),
                 "--out", str(out)]) == 0
    assert "road edges ->" in capsys.readouterr().out
    assert len(load_roads(out)) > 10
    assert main(["roads", "import", str(shared_data / "osm" / "aguascalientes.osm.pbf"),
                 "--out", str(tmp_path / "a.graphml")]) == 0
    out, err = capsys.readouterr()
    assert "aguascalientes.osm.pbf: 771 nodes" in out
    assert "533 drivable ways of 674 highway ways; locating their 1,723 nodes" in err
    assert main(["roads", "import", str(tmp_path / "a.graphml"),
                 "--out", str(tmp_path / "b.graphml")]) == 2
    assert "expected an OSM extract" in capsys.readouterr().err


def test_a_milk_run_vrp_over_osm_legs_passes_its_checker(roads):
    from mmroute.routing.vrp.check import check_vrp
    from mmroute.routing.vrp.scenario import from_scenario_fleet
    from mmroute.routing.vrp.solve import solve_vrp

    data = _data(roads[0])
    data["roads"]["weight"] = "length"  # shortest legs: no detour through another node
    data["links"] = [{"from": a, "to": b, "mode": "road", "bidirectional": True}
                     for i, a in enumerate(PLACES) for b in list(PLACES)[i + 1:]]
    data["fleet"] = {
        "depots": [{"id": "D", "node": "NE"}],
        "vehicle_types": [{"id": "t", "depot": "D", "count": 2, "capacity_kg": 2000}],
        "customers": [{"id": f"c-{k}", "node": k, "demand_kg": 600, "window_h": [0, 8]}
                      for k in ("SW", "SE", "NW")]}
    sc = parse(data)
    problem = from_scenario_fleet(sc)
    legs = road_legs(roads[1], PLACES, [(a, b) for a in PLACES for b in PLACES if a != b],
                     weight="length")
    ids = ["NE", "SW", "SE", "NW"]  # the depot, then the customers' nodes
    for i, a in enumerate(ids):
        for j, b in enumerate(ids):
            if a != b:
                assert problem.distance[i][j] == round(legs[(a, b)].distance_km * 1000)
    sol = solve_vrp(problem, time_limit_s=2, seed=0)
    assert check_vrp(problem, sol).feasible


def test_auto_carrier_routes_keep_out_from_under_a_bridge_lower_than_a_loaded_carrier(
        roads, tmp_path):
    import yaml

    from mmroute.routing.cars import CarsProblem, check_cars_plan, solve_cars
    from mmroute.scenarios import bundled_path

    _, graph = roads
    free = road_legs(graph, PLACES, [("NE", "SW")])[("NE", "SW")]
    low = graph.copy()
    u, v = free.path[len(free.path) // 2], free.path[len(free.path) // 2 + 1]
    for k in low[u][v]:
        low[u][v][k]["maxheight"] = "3.8"  # a loaded carrier is 4.0 m (GB 1589-2016)
    ox.io.save_graphml(low, tmp_path / "low.graphml")
    bundled = yaml.safe_load(bundled_path("liuzhou-cars").read_text())
    data = _data(tmp_path / "low.graphml")
    data["nodes"][1]["kind"] = "plant"
    data["nodes"][0]["kind"] = data["nodes"][2]["kind"] = "dealer"
    data["vehicle_models"] = bundled["vehicle_models"]
    data["carrier_types"] = [{**c, "depot": "NE", "count": 2} for c in bundled["carrier_types"]]
    data["vehicle_orders"] = [
        {"id": "O1", "dealer": "SW", "model": "BAOJUN-YEP", "quantity": 3, "window_h": [0, 24]},
        {"id": "O2", "dealer": "SE", "model": "WULING-BINGO", "quantity": 2, "window_h": [0, 24]}]
    sc = parse(data)
    problem = CarsProblem.from_scenario(sc)
    carrier = road_legs(load_roads(tmp_path / "low.graphml"), PLACES, [("NE", "SW")],
                        height_m=4.0)[("NE", "SW")]
    assert (u, v) not in set(zip(carrier.path, carrier.path[1:], strict=False))
    assert problem.km("NE", "SW") == carrier.distance_km >= free.distance_km
    plan = solve_cars(problem, time_limit_s=3, seed=0)
    assert check_cars_plan(problem, plan).feasible


def _edges(graph) -> list:
    """A graph's edges with their attributes (geometry as WKT), sorted."""
    return sorted((u, v, k, sorted((a, str(x)) for a, x in d.items()))
                  for u, v, k, d in graph.edges(keys=True, data=True))


def test_a_pbf_extract_gives_the_same_graph_as_the_xml_of_the_same_area(roads, shared_data,
                                                                         tmp_path):
    pbf = import_roads(shared_data / "osm" / "aguascalientes.osm.pbf", tmp_path / "p.graphml")
    xml = roads[1]
    assert dict(pbf.nodes(data=True)) == dict(load_roads(tmp_path / "p.graphml").nodes(
        data=True)) == dict(xml.nodes(data=True))
    assert _edges(load_roads(tmp_path / "p.graphml")) == _edges(xml)
    assert len(pbf) == 771 and pbf.number_of_edges() == 1590


def test_the_streamed_graph_is_osmnx_graph_of_the_drivable_ways(shared_data, tmp_path):
    """osmnx's own XML reader, the drivable ways kept before simplification (as osmnx's
    'drive' network does), gives the same edges, lengths and travel times."""
    from mmroute.scenarios.osm_read import TRUCK_TAGS, is_drivable
    from mmroute.scenarios.osm_roads import FALLBACK_KPH

    ours = import_roads(shared_data / "osm" / "aguascalientes.osm.pbf", tmp_path / "p.graphml")
    old = ox.settings.useful_tags_way
    ox.settings.useful_tags_way = [*old, *TRUCK_TAGS]
    try:
        g = ox.graph_from_xml(shared_data / "osm" / "aguascalientes.osm.bz2",
                              simplify=False, retain_all=True)
    finally:
        ox.settings.useful_tags_way = old
    g.remove_edges_from([(u, v, k) for u, v, k, d in g.edges(keys=True, data=True)
                         if not is_drivable(d)])
    g.remove_nodes_from([n for n in list(g) if g.degree(n) == 0])
    g = ox.truncate.largest_component(ox.simplification.simplify_graph(g), strongly=True)
    g = ox.routing.add_edge_travel_times(ox.routing.add_edge_speeds(g, fallback=FALLBACK_KPH))

    def key(graph):
        return sorted((u, v, round(d["length"], 9), round(d["travel_time"], 9),
                       str(d["highway"]), d["oneway"]) for u, v, d in graph.edges(data=True))

    assert key(ours) == key(g)


def test_streaming_keeps_only_the_roads_and_reports_missing_nodes(tmp_path):
    """A hand-made extract: a road, a footway, a building and a road whose last node is
    outside the extract; only the roads' nodes are located."""
    from mmroute.scenarios.osm_read import read_road_graph

    path = tmp_path / "tiny.osm.pbf"
    with osmium.SimpleWriter(str(path)) as w:
        for i, (x, y) in enumerate([(0, 0), (0.001, 0), (0.002, 0), (0.002, 0.001),
                                    (0.0005, 0.0005), (0.0006, 0.0005), (0.0006, 0.0006)], 1):
            w.add_node(osmium.osm.mutable.Node(id=i, location=(x, y)))
        w.add_way(osmium.osm.mutable.Way(id=1, nodes=[1, 2, 3],
                                         tags={"highway": "residential", "maxheight": "3.9"}))
        w.add_way(osmium.osm.mutable.Way(id=2, nodes=[3, 4], tags={"highway": "footway"}))
        w.add_way(osmium.osm.mutable.Way(id=3, nodes=[5, 6, 7, 5], tags={"building": "yes"}))
        w.add_way(osmium.osm.mutable.Way(id=4, nodes=[3, 99], tags={"highway": "primary",
                                                                    "oneway": "yes"}))
    said: list[str] = []
    graph, stats = read_road_graph(path, way_tags=["highway", "oneway"], node_tags=[],
                                   progress=said.append)
    assert (stats.highway_ways, stats.roads, stats.nodes, stats.missing_nodes) == (3, 2, 3, 1)
    assert sorted(graph.edges()) == [(1, 2), (2, 1), (2, 3), (3, 2)]
    assert graph[1][2][0]["maxheight"] == "3.9" and graph[1][2][0]["oneway"] is False
    assert graph[1][2][0]["length"] == pytest.approx(111.2, abs=0.1)
    assert said == ["reading tiny.osm.pbf",
                    "2 drivable ways of 3 highway ways; locating their 4 nodes"]


def test_node_ids_spread_over_many_bitmap_blocks_are_located_in_several_passes(
        shared_data, monkeypatch):
    """The id filter's bitmap is capped by looking the nodes up in groups of blocks; one
    block a pass finds the same nodes as one pass."""
    from mmroute.scenarios import osm_read

    args = {"way_tags": ["highway", "oneway"], "node_tags": []}
    src = shared_data / "osm" / "aguascalientes.osm.pbf"
    one, stats = osm_read.read_road_graph(src, **args)
    monkeypatch.setattr(osm_read, "ID_BLOCKS_PER_PASS", 1)
    said: list[str] = []
    many, stats_many = osm_read.read_road_graph(src, progress=said.append, **args)
    blocks = {n >> 25 for n in one}
    passes = [m for m in said if m.startswith("nodes: pass")]
    assert len(passes) == len(blocks) > 10
    assert passes[-1] == f"nodes: pass {len(blocks)} of {len(blocks)}, 1,723 of 1,723 " \
                         "located (100 %)"
    assert stats_many == stats and dict(many.nodes(data=True)) == dict(one.nodes(data=True))
    assert _edges(many) == _edges(one)


def test_auto_carrier_routes_keep_off_roads_whose_maxweight_is_below_a_loaded_carrier(
        roads, tmp_path):
    """A 30 t limit on the fastest path: a carrier of 20 t tare + 12 t payload (32 t) goes
    round it; without a tare (12 t, the payload alone) it drives through; the tare is read,
    checked and written back."""
    import yaml

    from mmroute.routing.cars import CarsProblem, check_cars_plan, solve_cars
    from mmroute.scenarios import bundled_path

    _, graph = roads
    free = road_legs(graph, PLACES, [("NE", "SW")])[("NE", "SW")]
    limited = graph.copy()
    u, v = free.path[len(free.path) // 2], free.path[len(free.path) // 2 + 1]
    for k in limited[u][v]:
        limited[u][v][k]["maxweight"] = "30"
    ox.io.save_graphml(limited, tmp_path / "w.graphml")
    bundled = yaml.safe_load(bundled_path("liuzhou-cars").read_text())
    data = _data(tmp_path / "w.graphml")
    data["nodes"][1]["kind"] = "plant"
    data["nodes"][0]["kind"] = data["nodes"][2]["kind"] = "dealer"
    data["vehicle_models"] = bundled["vehicle_models"]
    centre = next(c for c in bundled["carrier_types"] if c["id"] == "CENTRE-AXLE-22M")
    data["carrier_types"] = [{**centre, "depot": "NE", "count": 2}]
    data["vehicle_orders"] = [
        {"id": "O1", "dealer": "SW", "model": "BAOJUN-YEP", "quantity": 3, "window_h": [0, 24]}]
    light = CarsProblem.from_scenario(parse(data))
    assert light.carrier_types[0].gross_weight_kg == 12000
    assert light.km("NE", "SW") == free.distance_km  # 12 t < 30 t: the fastest path
    data["carrier_types"][0]["tare_kg"] = 20000
    sc = parse(data)
    assert sc.cars.carrier_types[0].gross_weight_kg == 32000
    assert parse(sc.to_dict()).cars == sc.cars
    heavy = CarsProblem.from_scenario(sc)
    leg = road_legs(load_roads(tmp_path / "w.graphml"), PLACES, [("NE", "SW")], height_m=4.0,
                    weight_t=32.0)[("NE", "SW")]
    assert (u, v) not in set(zip(leg.path, leg.path[1:], strict=False))
    assert heavy.km("NE", "SW") == leg.distance_km > free.distance_km
    plan = solve_cars(heavy, time_limit_s=1, seed=0)
    assert check_cars_plan(heavy, plan).feasible
    data["carrier_types"][0]["tare_kg"] = -1
    with pytest.raises(ScenarioError, match=r"carrier_types\[0\]\.tare_kg"):
        parse(data)
