"""Pictures of an episode: a text table (``"ansi"``) and a map (``"rgb_array"``) with the
consignments, the links known closed now and the weather cells seen and forecast."""

from __future__ import annotations

import numpy as np

__all__ = ["render_ansi", "render_rgb"]

MODE_COLOURS = {"road": "#7f7f7f", "rail": "#d62728", "sea": "#1f77b4", "barge": "#2ca02c"}


def render_ansi(env) -> str:
    """The clock, the decision and its candidates, and where every consignment is; instants
    in hours from the start, with their timestamps (to the minute) when the scenario has a
    ``start`` (a due time local to the destination, a departure to the decision's node,
    when those nodes have their own ``time_zone``)."""
    from mmroute.scenarios.clock import label_h

    sim = env.sim
    clock = sim.nominal_scenario.clock()
    lines = [f"t = {label_h(sim.now, clock, '8.2f')}   cost so far {sim.total:,.0f} CNY"]
    d = env.decision
    if d is not None:
        c = sim.consignments[d.consignment]
        lines.append(f"decide {c.shipment.id} ({c.shipment.quantity_teu:g} TEU) at {d.node}"
                     f"{' [yard]' if d.lock == 'yard' else ''}, due "
                     f"{label_h(c.shipment.due_h, clock, node=c.shipment.destination)}")
        width = 48 if clock is None else 64
        for j, cd in enumerate(env.slots):
            if cd is None:
                continue
            m = cd.move
            what = (f"{m.link} @ {label_h(m.timetable_h, clock, node=d.node)}" if m.kind == "service" else
                    "drop" if m.kind == "drop" else
                    f"hold until {label_h(m.until_h, clock, node=d.node)}" if m.kind == "hold" else
                    " > ".join(m.path) + ("" if m.depart_h is None else
                                          f" @ {label_h(m.depart_h, clock, node=d.node)}"))
            lines.append(f"  [{j}] {what:<{width}} expected {cd.score_cny:>14,.0f} CNY")
    released = sim.released_view()
    for c in released:
        lines.append(f"  {c.shipment.id:<10} {c.status:<9} {c.node:<10} {c.objective_cny:>14,.0f}")
    planned = sum(1 for s in sim.nominal_scenario.shipments if s.release_h > sim.now)
    if planned:  # the scenario's own shipments are known ahead; late orders are not
        lines.append(f"  ({planned} scenario shipments released later)")
    return "\n".join(lines)


def render_rgb(env, *, width_px: int = 800, height_px: int = 600) -> np.ndarray:
    """A map of the network (modes coloured), links closed as known now (black, dashed),
    weather cells (orange: now; light: forecast) and consignments (dots)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mmroute.scenarios.clock import label_h
    from mmroute.world.weather import shifted_area

    sim = env.sim
    fig = plt.figure(figsize=(width_px / 100, height_px / 100), dpi=100)
    ax = fig.add_subplot(1, 1, 1)
    known = sim.known()
    for lk in sim.realised_scenario.links:
        xs, ys = zip(*lk.geometry)
        closed = not known.is_open(lk.id, sim.now)
        ax.plot(xs, ys, color="black" if closed else MODE_COLOURS.get(lk.mode, "grey"),
                lw=2.0 if closed else 1.0, ls="--" if closed else "-", alpha=0.8)
    for w in known.events.weather:
        if w.from_h <= sim.now < w.to_h:
            area = shifted_area(w.area, w.velocity_kmh, int(sim.now - w.from_h))
            xs, ys = zip(*area, area[0])
            ax.fill(xs, ys, color="orange", alpha=0.35)
    for _, _, area in env.forecast.cells():
        xs, ys = zip(*area, area[0])
        ax.plot(xs, ys, color="orange", alpha=0.4, lw=0.8)
    for n in sim.realised_scenario.nodes:
        ax.plot(n.lon, n.lat, "k.", ms=3)
    pos = {n.id: (n.lon, n.lat) for n in sim.realised_scenario.nodes}
    for c in sim.released_view():  # never a late order before its release
        if c.status in ("pending", "dropped"):
            continue
        x, y = pos[c.node]
        ax.plot(x, y, "o", color="green" if c.status == "delivered" else "purple", ms=6, alpha=0.7)
    ax.set_title(f"{sim.realised_scenario.name}  t = "
                 f"{label_h(sim.now, sim.nominal_scenario.clock(), '.1f')}")
    ax.set_aspect("equal", adjustable="datalim")
    fig.tight_layout()
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].copy()
    plt.close(fig)
    return img


def plot_episode(scenario, realization, plan, path, *, title: str | None = None):
    """A map of an episode: the routes each consignment took (``plan``, e.g.
    :meth:`Simulator.trajectory`), door to door from the realised release times, and the
    realization's weather cells where they appeared and where they ended (labelled with the
    hour, and its timestamp when the scenario has a ``start``). Written atomically to
    ``path`` (PNG); returns ``path``."""
    from mmroute.scenarios import plot_map
    from mmroute.scenarios.clock import label_h
    from mmroute.world.weather import shifted_area

    clock = scenario.clock()
    areas = {}
    for w in realization.events.weather:
        areas[f"{w.cell} @ {label_h(w.from_h, clock)}"] = w.area
        areas[f"{w.cell} @ {label_h(w.to_h, clock)}"] = shifted_area(w.area, w.velocity_kmh,
                                                                     w.to_h - w.from_h)
    routes = plan.map_routes(realization.shipments(scenario))
    return plot_map(scenario, path, routes=routes, areas=areas,
                    title=title or f"{scenario.name}, seed {realization.seed}: "
                                   f"{plan.objective:,.0f} CNY")
