"""Every bundled scenario loads, validates, has paths for its shipments, exports and maps."""

from __future__ import annotations

import pytest

from mmroute.scenarios import bundled_names, export, load, plot_map, read_export

NAMES = bundled_names()


def test_the_tiny_scenario_is_bundled():
    assert "tiny" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_bundled_scenario_loads_and_exports(tmp_path, name):
    scenario = load(name)
    assert scenario.name == name
    assert scenario.summary().startswith(f"{name}: ")
    net = scenario.network()
    for s in scenario.shipments:
        route = net.shortest_path(s.origin, s.destination, "cost")
        assert route.origin == s.origin and route.destination == s.destination
    nodes, links = read_export(export(scenario, tmp_path / f"{name}.geojson"))
    assert len(nodes) == len(scenario.nodes) and len(links) == len(scenario.links)


#: Maps drawn by default: a small network and a sea-rail one; every other bundled map (2-9 s of
#: CPU each: liuzhou-cars' 30 dealers the most) is a slow test; test_map.py draws china-europe.
MAPPED_FAST = {"tiny", "liuzhou-asean"}


@pytest.mark.parametrize("name", [n if n in MAPPED_FAST else pytest.param(n, marks=pytest.mark.slow)
                                  for n in NAMES])
def test_bundled_scenario_maps(tmp_path, name):
    png = plot_map(load(name), tmp_path / f"{name}.png")
    assert png.stat().st_size > 30_000
