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
