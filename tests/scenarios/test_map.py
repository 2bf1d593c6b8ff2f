"""Maps of the network: PNG and HTML, written atomically, with highlighted routes."""

from __future__ import annotations

import pytest

from mmroute.errors import ScenarioError
from mmroute.scenarios import load, plot_map
from mmroute.scenarios.mapplot import map_extent

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def tiny():
    """The bundled tiny scenario (the map's background is cached per extent)."""
    return load("tiny")


def test_png_is_written_with_routes(tmp_path, tiny):
    routes = tiny.network().k_shortest_paths("LZ", "HPH", 2)
    path = plot_map(tiny, tmp_path / "map.png", routes=routes, title="tiny")
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 50_000  # coastlines, land and links, not an empty canvas
    assert [p.name for p in tmp_path.iterdir()] == ["map.png"]


def test_routes_may_be_a_mapping_of_link_ids(tmp_path, tiny):
    routes = {"S1": ["LZ-QZ-rail", "QZ-HPH-sea"], "S2": ["LZ-QZ-rail", "QZ-HPH-sea"]}
    assert plot_map(tiny, tmp_path / "m.png", routes=routes).stat().st_size > 50_000


def test_html_embeds_the_map_and_tables(tmp_path, tiny):
    text = plot_map(tiny, tmp_path / "map.html").read_text()
    assert "data:image/png;base64," in text and "QZ-HPH-sea" in text


def test_failed_write_leaves_no_file(tmp_path, tiny, monkeypatch):
    from matplotlib.figure import Figure

    def broken(self, fname, *args, **kwargs):
        open(fname, "wb").write(b"\x89PNG half")
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(OSError, match="disk full"):
        plot_map(tiny, tmp_path / "map.png")
    assert list(tmp_path.iterdir()) == []


def test_unknown_suffix_and_unknown_route_link_are_scenario_errors(tmp_path, tiny):
    with pytest.raises(ScenarioError, match=r"'\.jpg'.*\.png, \.html"):
        plot_map(tiny, tmp_path / "map.jpg")
    with pytest.raises(ScenarioError, match="unknown link 'nope'"):
        plot_map(tiny, tmp_path / "map.png", routes=[["nope"]])
    assert list(tmp_path.iterdir()) == []


def test_extent_covers_nodes_and_sea_lanes_with_a_margin(tiny):
    x0, x1, y0, y1 = map_extent(tiny)
    lons = [p[0] for lk in tiny.links for p in lk.geometry] + [n.lon for n in tiny.nodes]
    lats = [p[1] for lk in tiny.links for p in lk.geometry] + [n.lat for n in tiny.nodes]
    assert x0 < min(lons) and x1 > max(lons) and y0 < min(lats) and y1 > max(lats)


# --- continental scale: insets, labels, parallel routes, units -----------------------------
from mmroute.scenarios import parse  # noqa: E402 (grouped with the tests that use it)
from mmroute.scenarios.mapclusters import dense_clusters  # noqa: E402
from mmroute.scenarios.maplabels import overlaps  # noqa: E402
from mmroute.scenarios.mapplot import MapRoute, map_figure  # noqa: E402

_SHANGHAI = [("SH-A", "Anting supplier park", 121.16, 31.29), ("SH-W", "Waigaoqiao terminal", 121.59, 31.36),
             ("SH-Y", "Yangshan deep-water port", 122.06, 30.63), ("SH-R", "Shanghai rail hub", 121.45, 31.25),
             ("SH-T", "Taicang port", 121.10, 31.65)]


@pytest.fixture(scope="module")
def continental():
    """Five Shanghai nodes within ~1 degree and three European ones ~8,000 km away: at the
    scale of the whole map the Shanghai group is a dot."""
    nodes = [{"id": i, "name": n, "kind": "rail_terminal", "lon": x, "lat": y} for i, n, x, y in _SHANGHAI]
    nodes += [{"id": "WAW", "name": "Warsaw terminal", "kind": "rail_terminal", "lon": 21.0, "lat": 52.23},
              {"id": "HAM", "name": "Port of Hamburg", "kind": "port", "lon": 9.99, "lat": 53.55},
              {"id": "RTM", "name": "Port of Rotterdam", "kind": "port", "lon": 4.05, "lat": 51.95}]
    links = [{"from": i, "to": "SH-R", "mode": "road", "distance_km": 60, "bidirectional": True}
             for i, *_ in _SHANGHAI if i != "SH-R"]
    weekly = {"period_h": 168, "departures_h": [10], "cutoff_h": 6}
    links += [{"id": "SH-WAW", "from": "SH-R", "to": "WAW", "mode": "rail", "distance_km": 10500,
               "timetable": weekly},
              {"id": "WAW-HAM", "from": "WAW", "to": "HAM", "mode": "rail", "distance_km": 800,
               "timetable": weekly},
              {"id": "WAW-RTM", "from": "WAW", "to": "RTM", "mode": "rail", "distance_km": 1200,
               "timetable": weekly}]
    return parse({"name": "continental", "start": "2026-03-02T00:00", "horizon_h": 2000,
                  "nodes": nodes, "links": links,
                  "shipments": [{"id": "S1", "origin": "SH-A", "destination": "HAM",
                                 "quantity_teu": 2, "due_h": 900}]})


@pytest.fixture(scope="module")
def china_europe():
    """The bundled continental scenario (Chongqing/Wuhan/Shanghai to Hamburg/Rotterdam)."""
    return load("china-europe")


def _labels(fig):
    """(axes, text) of every node label of the figure."""
    return [(ax, t) for ax in fig.axes for t in ax.texts
            if (t.get_gid() or "").startswith("label:")]


def _box(artist, renderer):
    b = artist.get_window_extent(renderer)
    return (b.x0, b.y0, b.x1, b.y1)


def test_a_dense_cluster_far_from_the_rest_is_found():
    pts = [(x, y) for _, _, x, y in _SHANGHAI] + [(21.0, 52.23), (9.99, 53.55)]
    (cluster,) = dense_clusters(pts, (0.0, 125.0, 25.0, 58.0))
    assert cluster.members == (0, 1, 2, 3, 4)
    x0, x1, y0, y1 = cluster.extent
    assert all(x0 < x < x1 and y0 < y < y1 for x, y in pts[:5])
    assert x1 - x0 < 10  # a zoom, not the whole map
    assert dense_clusters(pts[:5], (120.5, 122.5, 30.0, 32.0)) == []  # the cluster is the map


def test_a_city_map_gets_no_inset():
    milkrun = load("liuzhou-milkrun")
    pts = [(n.lon, n.lat) for n in milkrun.nodes]
    assert dense_clusters(pts, map_extent(milkrun)) == []


def test_a_dense_cluster_gets_an_inset_that_shows_and_labels_its_nodes(continental):
    fig = map_figure(continental)
    names = [ax.get_label() for ax in fig.axes]
    assert names == ["map", "inset A"]
    renderer = fig.canvas.get_renderer()
    inset = fig.axes[1]
    labelled = {t.get_gid() for ax, t in _labels(fig) if ax is inset}
    assert labelled == {f"label:{i}" for i, *_ in _SHANGHAI}
    assert inset.get_window_extent(renderer).width > 150  # a readable panel, not a thumbnail


@pytest.mark.parametrize("which", ["continental", "china_europe"])
def test_labels_neither_overlap_nor_leave_their_axes_and_every_node_has_one(which, request):
    scenario = request.getfixturevalue(which)
    fig = map_figure(scenario)
    renderer = fig.canvas.get_renderer()
    labels = _labels(fig)
    for ax, t in labels:
        frame = _box(ax, renderer)
        b = _box(t, renderer)
        assert frame[0] <= b[0] and b[2] <= frame[2] and frame[1] <= b[1] and b[3] <= frame[3], t.get_text()
    for k, (ax, t) in enumerate(labels):
        for ax2, t2 in labels[k + 1:]:
            if ax is ax2:
                assert not overlaps(_box(t, renderer), _box(t2, renderer)), (t.get_text(), t2.get_text())
    assert {t.get_gid() for _, t in labels} == {f"label:{n.id}" for n in scenario.nodes}


def test_china_europe_has_insets_for_china_and_for_the_rhine_ports(china_europe):
    fig = map_figure(china_europe)
    insets = {ax.get_label(): ax for ax in fig.axes if ax.get_label().startswith("inset")}
    labelled = {ax.get_label(): {t.get_gid()[6:] for a, t in _labels(fig) if a is ax}
                for ax in insets.values()}
    assert any({"SHA", "WH-WJS", "CQ-TJC"} <= ids for ids in labelled.values())
    assert any({"RTM", "HAM", "DUI"} <= ids for ids in labelled.values())


def test_routes_that_share_a_link_are_drawn_side_by_side(continental):
    to_ham = ["SH-A-SH-R-road", "SH-WAW", "WAW-HAM"]
    to_rtm = ["SH-T-SH-R-road", "SH-WAW", "WAW-RTM"]
    assert {lk.id for lk in continental.links} >= set(to_ham) | set(to_rtm)
    fig = map_figure(continental, routes={"S1": to_ham, "S2": to_rtm})
    main = fig.axes[0]
    offset = {line.get_gid(): line.get_path_effects()[0].offset_pt for line in main.lines
              if (line.get_gid() or "").startswith("route:")}
    assert offset["route:0:SH-WAW"] != offset["route:1:SH-WAW"]
    assert abs(offset["route:0:SH-WAW"] - offset["route:1:SH-WAW"]) >= 2.0  # points, >= a line width
    assert offset["route:0:WAW-HAM"] == 0.0  # alone on its link: centred


def test_an_offset_line_is_parallel_at_the_given_distance():
    from mmroute.scenarios.maplines import offset_polyline

    out = offset_polyline([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0]], 2.0)
    assert out.ravel().tolist() == pytest.approx([0, 2, 8, 2, 8, 10])  # left of travel, mitred
    back = offset_polyline([[10.0, 10.0], [10.0, 0.0], [0.0, 0.0]], 2.0)
    assert back.ravel().tolist() == pytest.approx([12, 10, 12, -2, 0, -2])


def _legend_texts(fig):
    """Legend titles and lines, line breaks of the wrapped titles undone."""
    return [" ".join(t.get_text().split()) for leg in fig.legends
            for t in [leg.get_title(), *leg.get_texts()]]


def test_the_route_legend_states_door_to_door_time_and_per_teu_units(continental):
    planned = {"S1": MapRoute(links=("SH-A-SH-R-road", "SH-WAW", "WAW-HAM"), teu=2,
                              door_to_door_h=509.0, cost_cny=40_000.0, co2_kg=3_000.0)}
    texts = _legend_texts(map_figure(continental, routes=planned))
    line = next(t for t in texts if t.startswith("S1"))
    assert line == "S1 (2 TEU): door to door 509 h, 20,000 CNY/TEU, 1,500 kg CO2/TEU"
    assert any("door to door = release to arrival" in t for t in texts)


def test_a_bare_route_says_its_time_is_nominal(continental):
    route = continental.network().route(["SH-A-SH-R-road", "SH-WAW", "WAW-HAM"])
    texts = _legend_texts(map_figure(continental, routes=[route]))
    line = next(t for t in texts if t.startswith("route 1"))
    assert f"nominal {route.time_h:,.0f} h" in line and "CNY/TEU" in line and "kg CO2/TEU" in line
    assert any("no waiting for departures" in t for t in texts)


def test_the_continental_html_map_still_embeds_a_png(tmp_path, continental):
    text = plot_map(continental, tmp_path / "map.html").read_text()
    assert "data:image/png;base64," in text and "SH-WAW" in text
