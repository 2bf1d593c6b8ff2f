"""The interactive pages of a cars plan and of a VRP solution: their data in Python, the
files offline in headless Chromium (one browser for the module), the CLI's ``--html``."""

from __future__ import annotations

import pytest

from mmroute.errors import InputError
from mmroute.routing.cars import CarsProblem, solve_cars
from mmroute.routing.cars.check import route_times_h
from mmroute.routing.vrp.check import route_schedule
from mmroute.routing.vrp.page import vrp_page_data
from mmroute.routing.vrp.problem import VRPProblem, VRPVehicleType
from mmroute.routing.vrp.readers import read_instance
from mmroute.routing.vrp.solution import VRPRoute, VRPSolution
from mmroute.routing.vrp.solve import VRPParams, solve_vrp
from mmroute.scenarios import load
from tests.browser import SKIP_REASON, Browser

SOLOMON = "tests/data/vrp/tiny_solomon.txt"
needs_chromium = pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or "")


@pytest.fixture(scope="module")
def cars():
    """liuzhou-cars (starts 2026-03-02 00:00 +08:00) and a 1-second plan of it."""
    problem = CarsProblem.from_scenario(load("liuzhou-cars"))
    return problem, solve_cars(problem, time_limit_s=1.0, seed=0)


@pytest.fixture(scope="module")
def milkrun():
    """liuzhou-milkrun's fleet as a VRP (lon/lat, times in s from the start) and a solution
    found in 50 iterations (reproducible whatever the load)."""
    problem = read_instance("liuzhou-milkrun")
    return problem, solve_vrp(problem, time_limit_s=5, seed=0,
                              params=VRPParams(max_iterations=50))


@pytest.fixture(scope="module")
def solomon():
    """A 3-customer Solomon instance (a plane, the instance's own time units)."""
    problem = read_instance(SOLOMON)
    return problem, solve_vrp(problem, time_limit_s=5, seed=0, params=VRPParams(max_iterations=50))


@pytest.fixture(scope="module")
def browser():
    if SKIP_REASON is not None:
        pytest.skip(SKIP_REASON)
    with Browser() as b:
        yield b


def test_a_carrier_has_a_leg_per_drive_and_unloads_when_the_checker_says(cars):
    from mmroute.routing.cars.page import cars_page_data

    problem, plan = cars
    data = cars_page_data(problem, plan, basemap=False)
    assert len(data["itineraries"]) == plan.carriers_used
    assert data["unit"] == "vehicles" and data["timeline_title"] == "Timeline per carrier"
    for it, r in zip(data["itineraries"], plan.routes):
        assert len(it["legs"]) == len(r.stops) + 1 and len(it["handling"]) == len(r.stops)
        depot = problem.carrier(r.carrier_type).depot
        assert it["legs"][0]["from"] == depot == it["legs"][-1]["to"]
        n_at = [sum(p.stop == k + 1 for p in r.placements) for k in range(len(r.stops))]
        assert sum(n_at) == it["teu"] == r.n_vehicles
    r = plan.routes[0]
    it = data["itineraries"][0]
    carrier = problem.carrier(r.carrier_type)
    n_at = [sum(p.stop == k + 1 for p in r.placements) for k in range(len(r.stops))]
    opens = [max(problem.order(o).open_h for o in {next(v.order for v in problem.vehicles()
                                                        if v.id == p.vehicle)
                                                   for p in r.placements if p.stop == k + 1})
             for k in range(len(r.stops))]
    assert [h["at_h"] for h in it["handling"]] == pytest.approx(
        route_times_h(problem, carrier, r.stops, n_at, opens))
    tip = it["legs"][0]["tip"]
    assert "departs 2026-03-02 00:00 (h 0.0)" in tip and f"on board {r.n_vehicles} vehicles" in tip
    assert f"unloads {n_at[0]} vehicles at {r.stops[0]}" in it["handling"][0]["tip"]


def test_a_vrp_route_has_loads_on_board_and_dates_from_the_scenarios_start(milkrun):
    problem, sol = milkrun
    data = vrp_page_data(problem, sol, basemap=False)
    assert data["crs"] == "lonlat" and len(data["nodes"]) == problem.num_nodes
    for it, r in zip(data["itineraries"], sol.routes):
        sched = route_schedule(problem, r.visits, r.vehicle_type)
        assert len(it["legs"]) == len(r.visits) + 1 and len(it["handling"]) == len(r.visits)
        assert it["legs"][0]["dep_h"] == pytest.approx(sched.departure / 3600)
        assert it["legs"][-1]["arr_h"] == pytest.approx(sched.arrival / 3600)
        assert it["teu"] == sched.max_load[0]
        # the load after the last stop is the sum of the route's demands
        total = sum(problem.demand[v] for v in r.visits)
        assert f"on board {total:,} kg" in it["legs"][-1]["tip"]
    assert "2026-03-02" in data["itineraries"][0]["legs"][0]["tip"]
    assert data["ticks"] and all(":" in t["label"] for t in data["ticks"])


def test_a_benchmark_instance_is_drawn_on_its_plane_in_its_own_units(solomon):
    problem, sol = solomon
    data = vrp_page_data(problem, sol)
    assert data["crs"] == "xy" and data["basemap"] is None and data["start"] is None
    assert data["ticks"] and all(t["label"].startswith("t ") for t in data["ticks"])
    assert "departs t " in data["itineraries"][0]["legs"][0]["tip"]


def test_an_instance_without_coordinates_has_no_page():
    problem = VRPProblem(distance=[[0, 1], [1, 0]], duration=[[0, 1], [1, 0]], demand=[0, 1],
                         vehicle_types=(VRPVehicleType(capacity=5, count=1),))
    sol = VRPSolution(routes=(VRPRoute(visits=(1,)),), objective=2.0)
    with pytest.raises(InputError, match="no node coordinates") as err:
        sol.to_html(problem)
    assert err.value.field == "coords"


def _hover_text(b: Browser, selector: str) -> str:
    b.js(f"document.querySelector('{selector}').dispatchEvent(new MouseEvent('mouseover', "
         "{bubbles: true, clientX: 300, clientY: 300}))")
    return b.js("Array.from(document.querySelectorAll('.leaflet-tooltip'))"
                ".map(e => e.innerText).join('|')")


@needs_chromium
def test_chromium_draws_a_polyline_per_carrier_leg_and_a_marker_per_place(cars, browser, tmp_path):
    problem, plan = cars
    path = plan.to_html(problem, basemap=False).save(tmp_path / "cars.html")
    n_legs = sum(len(r.stops) + 1 for r in plan.routes)
    b = browser
    b.requests.clear()
    b.goto(path.as_uri())
    assert b.js("document.querySelectorAll('path.mm-leg').length") == n_legs
    assert b.js("document.querySelectorAll('path.mm-node').length") == len(problem.places)
    assert b.js("document.querySelectorAll('rect.mm-bar-leg').length") == n_legs
    assert b.js("document.querySelectorAll('rect.mm-bar-handling').length") == sum(
        len(r.stops) for r in plan.routes)
    assert b.js("document.querySelectorAll('tr.mm-row').length") == plan.carriers_used
    text = _hover_text(b, "path.mm-leg")
    assert f"carrier 1: {plan.routes[0].carrier_type} leg 1/" in text and "on board" in text
    assert "departs 2026-03-02 00:00" in text
    labels = b.js("Array.from(document.querySelectorAll('.leaflet-control-layers-overlays "
                  "label')).map(e => e.innerText.trim())")
    assert sum("vehicles)" in lab for lab in labels) == plan.carriers_used
    assert "Timeline per carrier" in b.js("document.body.innerText")
    b.screenshot(tmp_path / "cars.png")
    assert b.console == []
    assert all(u == path.as_uri() or u.startswith("data:") for u in b.requests), b.requests


@needs_chromium
def test_chromium_draws_a_polyline_per_vrp_leg_on_a_map_and_on_a_plane(
        milkrun, solomon, browser, tmp_path):
    b = browser
    for name, (problem, sol) in (("milkrun", milkrun), ("solomon", solomon)):
        path = sol.to_html(problem, basemap=False).save(tmp_path / f"{name}.html")
        n_legs = sum(len(r.visits) + 1 for r in sol.routes)
        b.requests.clear()
        b.goto(path.as_uri())
        assert b.js("document.querySelectorAll('path.mm-leg').length") == n_legs
        assert b.js("document.querySelectorAll('path.mm-node').length") == problem.num_nodes
        assert b.js("document.querySelectorAll('rect.mm-bar-leg').length") == n_legs
        text = _hover_text(b, "path.mm-leg")
        assert "vehicle 1" in text and "on board 0 " in text
        assert ("departs 2026-03-02" if name == "milkrun" else "departs t ") in text
        assert b.console == [], name
        assert all(u == path.as_uri() or u.startswith("data:") for u in b.requests), b.requests


@pytest.mark.slow  # ~10 s: the basemap of Guangxi's extent; fast siblings: the page from
# Python above and the argument checks below
def test_mmroute_cars_solve_html_writes_the_page(tmp_path, capsys):
    from mmroute.cli import main

    page = tmp_path / "cars.html"
    assert main(["cars", "solve", "liuzhou-cars", "--time-limit", "1", "--html", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and '"entity":"carrier"' in text
    assert f"page -> {page}" in capsys.readouterr().out


def test_mmroute_vrp_solve_html_writes_the_page(tmp_path, capsys):
    from mmroute.cli import main

    page = tmp_path / "routes.html"
    assert main(["vrp", "solve", SOLOMON, "--max-iterations", "50", "--html", str(page)]) == 0
    assert '"crs":"xy"' in page.read_text(encoding="utf-8")
    assert f"page -> {page}" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["cars", "solve", "liuzhou-cars", "--html", "{tmp}/p.png"],
    ["vrp", "solve", SOLOMON, "--html", "{tmp}/p.png"],
    ["vrp", "solve", SOLOMON, "--out", "{tmp}/p.html", "--html", "{tmp}/p.html"],
])
def test_a_bad_html_path_exits_2_before_solving(argv, tmp_path, capsys):
    from mmroute.cli import main

    try:
        code = main([a.replace("{tmp}", str(tmp_path)) for a in argv])
    except SystemExit as exc:  # argparse's own refusal
        code = exc.code
    assert code == 2 and "--html" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@needs_chromium
def test_bug_a_name_with_markup_is_shown_as_text_not_run(solomon, browser, tmp_path):
    """Labels reached Leaflet's layer control (innerHTML) unescaped: a vehicle type named
    with markup from a scenario document or a service request ran as HTML."""
    from dataclasses import replace

    problem, sol = solomon
    hostile = "<img src=x class=mm-evil>"
    problem = replace(problem, vehicle_types=tuple(replace(vt, name=hostile)
                                                   for vt in problem.vehicle_types))
    path = sol.to_html(problem).save(tmp_path / "hostile.html")
    browser.goto(path.as_uri())
    assert browser.js("document.querySelectorAll('.mm-evil').length") == 0
    assert hostile in browser.js("document.body.innerText")
