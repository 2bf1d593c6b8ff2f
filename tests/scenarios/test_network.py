"""The multimodal network: shortest and k-shortest paths, transshipment handling, errors."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mmroute.errors import ScenarioError
from mmroute.scenarios import Network, Route, load, parse

_DAILY = {"period_h": 24, "departures_h": [8], "cutoff_h": 4}

# A plant A and a dealer D, three ways between them (all numbers given, no defaults):
#   rail  A -> T -> D   two scheduled services, transshipment at terminal T: cheapest
#   road  A -> B -> D   through a border B, road to road (no handling): fastest
#   mixed A -> P -> Q -> D  road, sea, road: handling at ports P and Q
_NET: dict[str, Any] = {
    "name": "net",
    "horizon_h": 500,
    "nodes": [
        {"id": "A", "kind": "plant", "lon": 109.0, "lat": 24.0},
        {"id": "T", "kind": "rail_terminal", "lon": 108.0, "lat": 23.0, "handling_time_h": 2,
         "handling_cost_cny": 50},
        {"id": "B", "kind": "border", "lon": 107.0, "lat": 22.5, "handling_time_h": 9,
         "handling_cost_cny": 999},
        {"id": "P", "kind": "port", "lon": 108.6, "lat": 21.7, "handling_time_h": 5,
         "handling_cost_cny": 100},
        {"id": "Q", "kind": "port", "lon": 106.7, "lat": 20.9, "handling_time_h": 3,
         "handling_cost_cny": 70},
        {"id": "D", "kind": "dealer", "lon": 106.0, "lat": 21.0},
    ],
    "links": [
        {"id": "AT", "from": "A", "to": "T", "mode": "rail", "distance_km": 200,
         "speed_kmh": 40, "cost_per_teu_km_cny": 1.0, "co2_kg_per_teu_km": 0.2,
         "timetable": _DAILY},
        {"id": "TD", "from": "T", "to": "D", "mode": "rail", "distance_km": 300,
         "speed_kmh": 40, "cost_per_teu_km_cny": 1.0, "co2_kg_per_teu_km": 0.2,
         "timetable": _DAILY},
        {"id": "AB", "from": "A", "to": "B", "mode": "road", "distance_km": 250,
         "speed_kmh": 100, "cost_per_teu_km_cny": 4.0, "co2_kg_per_teu_km": 0.6},
        {"id": "BD", "from": "B", "to": "D", "mode": "road", "distance_km": 150,
         "speed_kmh": 100, "cost_per_teu_km_cny": 4.0, "fixed_cost_cny": 200,
         "co2_kg_per_teu_km": 0.6},
        {"id": "AP", "from": "A", "to": "P", "mode": "road", "distance_km": 300,
         "speed_kmh": 60, "cost_per_teu_km_cny": 2.0, "co2_kg_per_teu_km": 0.6},
        {"id": "PQ", "from": "P", "to": "Q", "mode": "sea", "distance_km": 500,
         "speed_kmh": 25, "cost_per_teu_km_cny": 0.5, "co2_kg_per_teu_km": 0.1,
         "timetable": {"period_h": 48, "departures_h": [20], "cutoff_h": 6}},
        {"id": "QD", "from": "Q", "to": "D", "mode": "road", "distance_km": 60,
         "speed_kmh": 60, "cost_per_teu_km_cny": 2.0, "co2_kg_per_teu_km": 0.6},
    ],
    "shipments": [{"id": "S1", "origin": "A", "destination": "D", "quantity_teu": 1,
                   "due_h": 100}],
}


@pytest.fixture
def net() -> Network:
    """Three ways from A to D with hand-computable totals (see _NET)."""
    return parse(copy.deepcopy(_NET), file="net.yaml").network()


def _all_simple_paths(net: Network, origin: str, destination: str) -> list[tuple[str, ...]]:
    """Every node-simple path as link ids, by exhaustive search (the reference for Yen)."""
    out: list[tuple[str, ...]] = []

    def walk(node: str, seen: set[str], links: list[str]) -> None:
        if node == destination:
            out.append(tuple(links))
            return
        for lk in net.out_links(node):
            if lk.to_node not in seen:
                walk(lk.to_node, seen | {lk.to_node}, [*links, lk.id])

    walk(origin, {origin}, [])
    return out


def test_cheapest_and_fastest_paths_differ(net):
    cheap = net.shortest_path("A", "D", "cost")
    fast = net.shortest_path("A", "D", "time")
    assert cheap.link_ids == ("AT", "TD")
    assert fast.link_ids == ("AB", "BD")
    assert cheap.cost_cny == pytest.approx(200 + 300 + 50)  # links + handling at T
    assert fast.time_h == pytest.approx(2.5 + 1.5)  # road through a border: no handling


def test_changing_rail_services_is_a_transshipment_with_time_and_cutoffs(net):
    r = net.shortest_path("A", "D", "cost")
    assert r.transshipments == ("T",)
    assert r.handling_cost_cny == 50 and r.handling_time_h == 2
    # travel 5 h + 7.5 h, two cut-offs of 4 h, handling 2 h
    assert r.time_h == pytest.approx(5 + 7.5 + 4 + 4 + 2)
    assert r.co2_kg == pytest.approx(0.2 * 500)
    assert r.distance_km == pytest.approx(500)


def test_road_to_road_through_a_border_has_no_handling(net):
    r = net.route(["AB", "BD"])
    assert r.transshipments == ()
    assert r.handling_cost_cny == 0 and r.handling_time_h == 0
    assert r.cost_cny == pytest.approx(4 * 250 + 4 * 150 + 200)


def test_handling_is_added_exactly_once_per_mode_change(net):
    r = net.route(["AP", "PQ", "QD"])
    assert r.modes == ("road", "sea", "road")
    assert r.transshipments == ("P", "Q")
    assert r.cost_cny == pytest.approx(600 + 250 + 120 + 100 + 70)
    assert r.time_h == pytest.approx(5 + 20 + 1 + 6 + 5 + 3)  # travel, cut-off, handling
    assert r.handling_time_h == 8 and r.handling_cost_cny == 170


def test_no_handling_at_origin_or_destination():
    data = copy.deepcopy(_NET)
    for n in data["nodes"]:
        if n["id"] in ("A", "D"):
            n.update(handling_time_h=10, handling_cost_cny=1000)
    r = parse(data).network().route(["AT", "TD"])
    assert r.handling_cost_cny == 50


def test_co2_weight_prefers_rail(net):
    assert net.shortest_path("A", "D", "co2").link_ids == ("AT", "TD")


@pytest.mark.parametrize("weight", ["cost", "time", "co2"])
def test_k_shortest_paths_match_exhaustive_enumeration(net, weight):
    paths = net.k_shortest_paths("A", "D", 10, weight)
    reference = sorted(net.route(p).value(weight) for p in _all_simple_paths(net, "A", "D"))
    assert [r.value(weight) for r in paths] == pytest.approx(reference)


@pytest.mark.parametrize("weight", ["cost", "time", "co2"])
def test_k_shortest_paths_on_tiny_are_distinct_simple_and_non_decreasing(weight):
    net = load("tiny").network()
    paths = net.k_shortest_paths("LZ", "HPH", 10, weight)
    values = [r.value(weight) for r in paths]
    assert values == sorted(values)
    assert len({r.link_ids for r in paths}) == len(paths)
    assert all(len(set(r.node_ids)) == len(r.node_ids) for r in paths)
    assert len(paths) == len(_all_simple_paths(net, "LZ", "HPH"))


def test_parallel_sea_links_are_both_found():
    data = copy.deepcopy(_NET)
    sea = {"from": "P", "to": "Q", "mode": "sea", "speed_kmh": 28,
           "timetable": {"period_h": 168, "departures_h": [10], "cutoff_h": 24}}
    data["links"] += [
        {**sea, "id": "PQ-suez", "distance_km": 19537},
        {**sea, "id": "PQ-cape", "distance_km": 24945, "avoid": ["suez"]},
    ]
    net = parse(data).network()
    assert {lk.id for lk in net.links_between("P", "Q")} == {"PQ", "PQ-suez", "PQ-cape"}
    paths = net.k_shortest_paths("P", "Q", 5, "time")
    assert [r.link_ids for r in paths] == [("PQ",), ("PQ-suez",), ("PQ-cape",)]
    assert net.to_networkx().number_of_edges("P", "Q") == 3


def test_closed_links_and_nodes_reroute(net):
    assert net.shortest_path("A", "D", "cost", closed_links=["TD"]).link_ids == (
        "AP", "PQ", "QD")
    assert net.shortest_path("A", "D", "time", closed_nodes=["B"]).link_ids == ("AT", "TD")
    assert net.shortest_path("A", "D", "time", closed_nodes=["B", "T"]).link_ids == (
        "AP", "PQ", "QD")


def test_fewer_paths_than_k_are_returned_when_fewer_exist(net):
    assert len(net.k_shortest_paths("A", "D", 50)) == 3


def test_unknown_node_is_a_scenario_error_naming_it(net):
    with pytest.raises(ScenarioError, match=r"^origin: unknown node 'XX' in scenario 'net'"):
        net.shortest_path("XX", "D")
    with pytest.raises(ScenarioError, match=r"^tiny\.yaml: destination: unknown node 'YY'"):
        load("tiny").network().k_shortest_paths("LZ", "YY", 3)


def test_no_path_is_a_scenario_error(net):
    with pytest.raises(ScenarioError, match="no path of links from 'D' to 'A'"):
        net.shortest_path("D", "A")
    with pytest.raises(ScenarioError, match="closed"):
        net.shortest_path("A", "D", closed_links=["AT", "AB", "AP"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"weight": "money"}, "unknown weight 'money'"),
        ({"k": 0}, "k must be an integer"),
        ({"closed_links": ["nope"]}, "closed_links: unknown link"),
        ({"closed_nodes": ["A"]}, "origin or destination is closed"),
    ],
)
def test_bad_arguments_are_scenario_errors(net, kwargs, match):
    args = {"origin": "A", "destination": "D", "k": 2, **kwargs}
    with pytest.raises(ScenarioError, match=match):
        net.k_shortest_paths(**args)


def test_same_origin_and_destination_is_an_error(net):
    with pytest.raises(ScenarioError, match="same node 'A'"):
        net.shortest_path("A", "A")


def test_route_of_links_that_do_not_join_is_an_error(net):
    with pytest.raises(ScenarioError, match=r"route\[1\]: link 'TD' starts at 'T'"):
        net.route(["AB", "TD"])


def test_network_is_cached_on_the_scenario_and_route_round_trips_to_dict():
    s = load("tiny")
    assert s.network() is s.network()
    r = s.network().shortest_path("LZ", "HPH")
    assert isinstance(r, Route)
    d = r.to_dict()
    assert d["link_ids"] == list(r.link_ids) and d["cost_cny"] == r.cost_cny
    assert r.origin == "LZ" and r.destination == "HPH"
