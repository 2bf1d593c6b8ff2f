"""The interactive plan page: its data in Python, the file offline in headless Chromium."""

from __future__ import annotations

import dataclasses
import re

import pytest

from mmroute.routing.plan import solve_plan
from mmroute.scenarios import load
from mmroute.world.page import Page, plan_page_data
from tests.browser import SKIP_REASON, Browser, check_storm_slider


@pytest.fixture(scope="module")
def tiny():
    """The bundled tiny scenario (its map background is cached per extent)."""
    return load("tiny")


@pytest.fixture(scope="module")
def tiny_plan(tiny):
    """The optimal plan of tiny: three shipments, five legs, one late."""
    return solve_plan(tiny, time_limit_s=20, seed=0)


@pytest.fixture(scope="module")
def dropped_plan(tiny_plan):
    """The tiny plan with S2 dropped at its origin (as the MIP drops: no legs)."""
    its = tuple(dataclasses.replace(it, legs=(), handling=(), arrival_h=None, dropped=True,
                                    cost_cny=0.0, co2_kg=0.0)
                if it.shipment == "S2" else it for it in tiny_plan.itineraries)
    return dataclasses.replace(tiny_plan, itineraries=its)


@pytest.fixture(scope="module")
def page_file(tmp_path_factory, tiny, tiny_plan):
    path = tmp_path_factory.mktemp("page") / "tiny.html"
    tiny_plan.to_html(tiny).save(path)
    return path


def test_each_leg_has_its_link_geometry_dates_cost_co2_and_teu(tiny, tiny_plan):
    data = plan_page_data(tiny, tiny_plan, basemap=False)
    legs = [lg for it in data["itineraries"] for lg in it["legs"]]
    assert len(legs) == sum(len(it.legs) for it in tiny_plan.itineraries)
    first = tiny_plan.itineraries[0].legs[0]
    tip = data["itineraries"][0]["legs"][0]["tip"]
    # tiny starts 2026-03-02T00:00: the rail leaves Liuzhou at 08:00 on its first day
    assert first.departure_h == 8.0 and "departs 2026-03-02 08:00 (h 8.0)" in tip
    assert f"{first.cost_cny:,.0f} CNY" in tip and f"{first.co2_kg:,.0f} kg CO2" in tip
    assert "10 TEU" in tip
    coords = data["itineraries"][0]["legs"][0]["coords"]
    lz, qz = tiny.node("LZ"), tiny.node("QZ")
    assert coords[0] == [lz.lat, lz.lon] and coords[-1] == [qz.lat, qz.lon]
    assert data["basemap"] is None and len(data["nodes"]) == len(tiny.nodes)


def test_a_start_in_a_time_zone_gives_local_times_across_its_dst_change(tiny, tiny_plan):
    """A start naming an IANA zone (RFC 9557) is read by the scenario's clock: the leg
    leaving 8 h after 2026-03-29 00:00 +01:00 in Berlin leaves at 09:00 local (+02:00)."""
    from mmroute.scenarios import parse

    data = tiny.to_dict()
    data["start"] = "2026-03-29T00:00:00+01:00[Europe/Berlin]"
    berlin = parse(data)
    page = plan_page_data(berlin, tiny_plan, basemap=False)
    assert "departs 2026-03-29 09:00 (h 8.0)" in page["itineraries"][0]["legs"][0]["tip"]


def test_a_late_itinerary_says_by_how_much_and_a_dropped_one_why(tiny, tiny_plan, dropped_plan):
    data = plan_page_data(tiny, tiny_plan, basemap=False)
    late = [it for it in tiny_plan.itineraries if it.lateness_h > 1e-9]
    assert late
    tips = {it["shipment"]: it["tip"] for it in data["itineraries"]}
    assert f"late {late[0].lateness_h:,.1f} h" in tips[late[0].shipment]
    dropped = plan_page_data(tiny, dropped_plan, basemap=False)
    s2 = next(it for it in dropped["itineraries"] if it["shipment"] == "S2")
    # a way exists in tiny's network: the reason of a MIP's drop is "mip"
    assert s2["dropped"] and s2["drop_reason"] == "mip" and s2["legs"] == []
    assert "dropped at LZ: mip" in s2["tip"]


def test_the_page_is_self_contained_and_names_no_remote_resource(tiny, tiny_plan):
    page = tiny_plan.to_html(tiny, basemap=False)
    assert isinstance(page, Page) and page.startswith("<!DOCTYPE html>")
    markup = re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.S)  # Leaflet's own text
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", markup)
    assert "<script src" not in page
    assert re.findall(r"<link[^>]*>", markup) == ["<link rel='icon' href='data:,'>"]
    assert "iframe srcdoc=" in page._repr_html_()


def test_the_background_is_the_static_maps_coastlines_as_vectors(tiny, tiny_plan):
    data = plan_page_data(tiny, tiny_plan)
    land = data["basemap"]["land"]
    assert land and all(len(ring) >= 3 for ring in land)
    # Liuzhou is inland: some land ring's bounding box holds it
    lz = tiny.node("LZ")
    assert any(min(p[0] for p in r) <= lz.lon <= max(p[0] for p in r)
               and min(p[1] for p in r) <= lz.lat <= max(p[1] for p in r) for r in land)
    assert data["basemap"]["borders"]  # China / Vietnam


@pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or "")
def test_chromium_offline_draws_a_polyline_per_leg_a_marker_per_node_and_tooltips(
        page_file, tiny, tiny_plan, tmp_path):
    n_legs = sum(len(it.legs) for it in tiny_plan.itineraries)
    with Browser() as b:
        b.goto(page_file.as_uri())
        assert b.js("document.querySelectorAll('path.mm-leg').length") == n_legs
        assert b.js("document.querySelectorAll('path.mm-node').length") == len(tiny.nodes)
        assert b.js("document.querySelectorAll('path.mm-link').length") == len(tiny.links)
        assert b.js("document.querySelectorAll('path.mm-land').length") > 0
        assert b.js("document.querySelectorAll('rect.mm-bar-leg').length") == n_legs
        assert b.js("document.querySelectorAll('tr.mm-row').length") == len(tiny_plan.itineraries)
        # hovering the first leg opens its tooltip
        b.js("document.querySelector('path.mm-leg').dispatchEvent(new MouseEvent('mouseover', "
             "{bubbles: true, clientX: 300, clientY: 300}))")
        text = b.js("Array.from(document.querySelectorAll('.leaflet-tooltip'))"
                    ".map(e => e.innerText).join('|')")
        assert "S1 leg 1/2: rail LZ → QZ" in text and "departs 2026-03-02 08:00" in text
        assert "5,400 CNY" in text
        b.js("document.querySelector('path.mm-node').dispatchEvent(new MouseEvent('mouseover', "
             "{bubbles: true, clientX: 300, clientY: 300}))")
        assert "Liuzhou (LZ), plant" in b.js("document.body.innerText")
        # the layer control lists one overlay per mode and per itinerary
        labels = b.js("Array.from(document.querySelectorAll('.leaflet-control-layers-overlays "
                      "label')).map(e => e.innerText.trim())")
        assert {"network: road", "network: rail", "network: sea"} <= set(labels)
        assert sum(lab.lstrip("■ ").startswith(("S1 ", "S2 ", "S3 ")) for lab in labels) == 3
        shot = b.screenshot(tmp_path / "tiny-page.png")
        assert b.console == []
        # the page asked for nothing beyond its own file
        assert b.requests and all(u == page_file.as_uri() or u.startswith("data:")
                                  for u in b.requests), b.requests
    assert shot.stat().st_size > 20_000


def test_mmroute_plan_html_writes_the_page_beside_the_plan(tmp_path, capsys):
    from mmroute.cli import main

    out, page = tmp_path / "plan.json", tmp_path / "plan.html"
    assert main(["plan", "tiny", "--time-limit", "20", "--out", str(out), "--html", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert out.exists() and text.startswith("<!DOCTYPE html>") and "mm-data" in text
    assert f"page -> {page}" in capsys.readouterr().out


def test_mmroute_plan_html_refuses_another_suffix_before_solving(tmp_path, capsys):
    from mmroute.cli import main

    out = tmp_path / "plan.json"
    assert main(["plan", "tiny", "--out", str(out), "--html", str(tmp_path / "p.png")]) == 2
    assert "--html must end in .html" in capsys.readouterr().err and not out.exists()


@pytest.fixture(scope="module")
def typhoon_episode():
    """liuzhou-asean, seed 2: typhoon-tonkin closes sea links from h 105 to 161, moving
    west-north-west (-10, 4 km/h); the plan is the static MIP plan."""
    from mmroute.world.realization import realize

    sc = load("liuzhou-asean")
    return sc, realize(sc, 2), solve_plan(sc, time_limit_s=20, seed=0)


def test_the_episode_data_moves_each_cell_as_the_world_does(typhoon_episode):
    from mmroute.world.page import episode_page_data
    from mmroute.world.weather import shifted_area

    sc, r, plan = typhoon_episode
    data = episode_page_data(sc, r, plan, basemap=False)
    (w,) = [x for x in data["episode"]["weather"] if x["cell"] == "typhoon-tonkin"]
    ev = next(e for e in r.events.weather if e.cell == "typhoon-tonkin")
    moved = shifted_area(ev.area, ev.velocity_kmh, 30)
    ours = [c for p in w["area"] for c in (p[0] + 30 * w["step_deg"][0], p[1] + 30 * w["step_deg"][1])]
    assert ours == pytest.approx([c for p in moved for c in p])
    assert (w["from_h"], w["to_h"]) == (105.0, 161.0)


@pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or "")
def test_the_time_slider_moves_the_storm_cells(typhoon_episode, tmp_path):
    from mmroute.world.page import episode_page

    sc, r, plan = typhoon_episode
    path = episode_page(sc, r, plan, basemap=False).save(tmp_path / "episode.html")
    check_storm_slider(path, at_h=120, later_h=150, end_h=161,
                       screenshot=tmp_path / "episode-h120.png")


@pytest.mark.slow  # ~20 s (episode, hindsight bound, basemap); fast sibling below
def test_mmroute_evaluate_html_episode_writes_a_page_per_policy(tmp_path, capsys):
    from mmroute.cli import main

    out = tmp_path / "r.csv"
    assert main(["evaluate", "tiny", "--policies", "greedy", "--seeds", "0", "--out", str(out),
                 "--html-episode", "0"]) == 0
    page = tmp_path / "r.episode-0-greedy.html"
    text = page.read_text(encoding="utf-8")
    assert "id='mm-data'" in text and '"episode":' in text and "tiny, seed 0, greedy" in text
    assert f"episode page -> {page}" in capsys.readouterr().out


def test_mmroute_evaluate_html_episode_must_be_one_of_the_seeds(tmp_path, capsys):
    from mmroute.cli import main

    out = tmp_path / "r.csv"
    assert main(["evaluate", "tiny", "--policies", "greedy", "--seeds", "0", "--out", str(out),
                 "--html-episode", "3"]) == 2
    assert "not one of --seeds" in capsys.readouterr().err and not out.exists()
