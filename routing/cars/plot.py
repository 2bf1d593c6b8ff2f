"""Pictures of a plan: a side view of each carrier's load and a map of the routes (PNG, atomic).

Side view: every platform is drawn at its deck height, the lower and upper decks each laid
out front (cab, left) to rear (right), tractor decks before trailer decks; vehicles are
outlines to scale (length x height) coloured and numbered by their stop (1 = first dealer);
the envelope's height and length are dashed. Map: the offline basemap background of
:mod:`mmroute.scenarios.mapplot`, routes as depot -> dealers -> depot polylines.
"""

from __future__ import annotations

from pathlib import Path

from mmroute.io import write_with
from mmroute.routing.cars.problem import CarsProblem
from mmroute.routing.cars.result import CarrierRoute, CarsPlan
from mmroute.scenarios.cars_model import CarrierType, VehicleModel

__all__ = ["plot_load", "plot_route_map", "plot_plan"]

_UNIT_GAP_M = 0.6  # drawn gap between tractor and trailer decks


def _deck_offsets(carrier: CarrierType) -> dict[str, float]:
    """x offset (m) of each platform's front end in the drawing."""
    out: dict[str, float] = {}
    for level in ("lower", "upper"):
        x = 0.0
        for unit in ("tractor", "trailer"):
            for p in carrier.platforms:
                if p.level == level and p.unit == unit:
                    out[p.id] = x
                    x += p.length_m + 0.2
            if unit == "tractor":
                x += _UNIT_GAP_M
    return out


def plot_load(route: CarrierRoute, carrier: CarrierType, models: dict[str, VehicleModel],
              path: str | Path, *, title: str | None = None) -> Path:
    """Side view of one carrier's load, written to ``path`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    off = _deck_offsets(carrier)
    n_stops = max(len(route.stops), 1)
    cmap = plt.get_cmap("viridis", n_stops + 1)
    fig, ax = plt.subplots(figsize=(11, 3.6))
    for p in carrier.platforms:
        x0 = off[p.id]
        ax.plot([x0, x0 + p.length_m], [p.floor_height_m] * 2, color="#333333", lw=3)
        ax.text(x0, p.floor_height_m - 0.12, f"{p.id} ({p.length_m:g} m, clears {carrier.usable_height_m(p):.2f} m)",
                fontsize=6.5, va="top", color="#333333")
    for pl in route.placements:
        m = models[pl.model]
        p = carrier.platform(pl.platform)
        x = off[p.id] + pl.x_m
        ax.add_patch(Rectangle((x, p.floor_height_m), m.length_m, m.height_m, fill=True, alpha=0.35,
                               facecolor=cmap(pl.stop - 1), edgecolor="black", lw=0.8))
        ax.text(x + m.length_m / 2, p.floor_height_m + m.height_m / 2, f"{pl.stop}\n{pl.model}",
                ha="center", va="center", fontsize=6)
    env = carrier.envelope
    ax.axhline(env.max_height_m, ls="--", color="#c00000", lw=0.8)
    ax.text(0, env.max_height_m + 0.05, f"legal height {env.max_height_m:g} m", fontsize=7, color="#c00000")
    ax.axvline(env.max_length_m, ls=":", color="#c00000", lw=0.8)
    ax.set_xlim(-0.5, max(env.max_length_m, max(off[p.id] + p.length_m for p in carrier.platforms)) + 0.5)
    ax.set_ylim(-0.4, env.max_height_m + 0.4)
    ax.set_aspect("equal")
    ax.set_xlabel("m from the front (cab)  ->  rear (vehicles drive off to the right)")
    stops = ", ".join(f"{k + 1} {s}" for k, s in enumerate(route.stops))
    ax.set_title(title or f"{carrier.id}: {route.n_vehicles} vehicles; stops {stops}", fontsize=8)
    fig.tight_layout()
    out = write_with(path, lambda tmp: fig.savefig(tmp, dpi=110))
    plt.close(fig)
    return out


def plot_route_map(problem: CarsProblem, plan: CarsPlan, path: str | Path, *, title: str | None = None) -> Path:
    """The routes on the offline basemap, written to ``path`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mmroute.scenarios.mapplot import _basemap  # the cached offline background

    lons = [c[0] for c in problem.coords]
    lats = [c[1] for c in problem.coords]
    dx, dy = max((max(lons) - min(lons)) * 0.08, 0.2), max((max(lats) - min(lats)) * 0.08, 0.2)
    bm = _basemap(min(lons) - dx, max(lons) + dx, min(lats) - dy, max(lats) + dy)
    fig, ax = plt.subplots(figsize=(9, 8))
    bm.drawmapboundary(fill_color="#dfeef7", ax=ax)
    bm.fillcontinents(color="#f4f1ea", lake_color="#dfeef7", ax=ax)
    bm.drawcoastlines(linewidth=0.4, color="#777777", ax=ax)
    bm.drawcountries(linewidth=0.6, color="#999999", ax=ax)
    cmap = plt.get_cmap("tab20")
    for k, r in enumerate(plan.routes):
        depot = problem.carrier(r.carrier_type).depot
        pts = [problem.coords[problem.index(s)] for s in (depot, *r.stops, depot)]
        xs, ys = bm([p[0] for p in pts], [p[1] for p in pts])
        ax.plot(xs, ys, color=cmap(k % 20), lw=1.1, alpha=0.85)
    for place, (lon, lat) in zip(problem.places, problem.coords):
        x, y = bm(lon, lat)
        is_depot = any(c.depot == place for c in problem.carrier_types)
        ax.plot(x, y, marker="s" if is_depot else "o", color="#b2182b" if is_depot else "#2166ac",
                markersize=8 if is_depot else 4, ls="")
        ax.annotate(place, (x, y), xytext=(3, 3), textcoords="offset points", fontsize=6)
    ax.set_title(title or plan.summary(), fontsize=8)
    out = write_with(path, lambda tmp: fig.savefig(tmp, dpi=110, bbox_inches="tight"))
    plt.close(fig)
    return out


def plot_plan(problem: CarsProblem, plan: CarsPlan, folder: str | Path) -> list[Path]:
    """``routes.png`` (map) and ``load-NN.png`` (side view per carrier) in ``folder``."""
    folder = Path(folder)
    models = problem.model_map()
    out = [plot_route_map(problem, plan, folder / "routes.png")]
    for k, r in enumerate(plan.routes, start=1):
        out.append(plot_load(r, problem.carrier(r.carrier_type), models, folder / f"load-{k:02d}.png"))
    return out
