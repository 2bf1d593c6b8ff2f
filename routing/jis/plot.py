"""The timeline picture of a JIS plan (PNG, atomic): one panel of trucks per supplier (each
truck a lane; a trip drawn as loading, driving to the plant, waiting at the gate, unloading and
driving back) and one panel of line-side stock per station (racks standing, a step line)
against its buffer limit (dashed). Hours on the x axis from the scenario's hour 0."""

from __future__ import annotations

from pathlib import Path

from mmroute.io import write_with
from mmroute.routing.jis.problem import JisProblem
from mmroute.routing.jis.result import JisPlan

__all__ = ["plot_timeline", "plot_plan"]

_PHASES = (("loading", "#8c564b"), ("to plant", "#1f77b4"), ("at gate", "#bbbbbb"), ("unloading", "#2ca02c"),
           ("back", "#aec7e8"))


def plot_timeline(problem: JisProblem, plan: JisPlan, path: str | Path, *, title: str | None = None) -> Path:
    """Trucks per supplier and line-side stock per station, written to ``path`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sups = problem.suppliers
    stations = problem.jis.line.stations
    unload = problem.jis.line.unload_s
    fig, axes = plt.subplots(2, 1, figsize=(12, 2.2 + 0.28 * sum(s.fleet for s in sups) + 2.4), sharex=True,
                             gridspec_kw={"height_ratios": [sum(s.fleet for s in sups) + 1, 6]})
    ax = axes[0]
    lane, ticks, labels = 0, [], []
    for s in sups:
        road = problem.roads[s.id]
        for k in range(s.fleet):
            for t in plan.trips:
                if t.supplier != s.id or t.truck != k:
                    continue
                reach = t.depart_s + road.drive_out_s(t.depart_s)
                parts = ((t.load_s, t.depart_s), (t.depart_s, reach), (reach, t.arrive_s),
                         (t.arrive_s, t.arrive_s + unload), (t.arrive_s + unload, t.return_s))
                for (a, b), (_, colour) in zip(parts, _PHASES):
                    if b > a:
                        ax.barh(lane, (b - a) / 3600, left=a / 3600, height=0.7, color=colour, lw=0)
            ticks.append(lane)
            labels.append(f"{s.id} {k + 1}")
            lane += 1
    ax.set_yticks(ticks, labels, fontsize=7)
    ax.invert_yaxis()
    for name, colour in _PHASES:
        ax.barh(-10, 0, color=colour, label=name)
    ax.set_ylim(lane - 0.5, -1.6)  # room above the first lane for the legend
    ax.legend(loc="upper right", fontsize=7, ncol=5, frameon=False)
    if plan.trips:
        ax.set_xlim(min(t.load_s for t in plan.trips) / 3600 - 0.25, max(t.return_s for t in plan.trips) / 3600 + 0.25)
    ax.set_title(title or f"{problem.name}: {len(plan.trips)} truck trips, {plan.status}", fontsize=9)
    ax2 = axes[1]
    for j, st in enumerate(stations):
        ev = []
        for t in plan.trips:
            if problem.supplier(t.supplier).station != st.id:
                continue
            for r in t.racks:
                ev += [(t.arrive_s, 1), (problem.racks(t.supplier)[r].release_s, -1)]
        level, xs, ys = 0, [], []
        for x, d in sorted(ev):
            level += d
            xs.append(x / 3600)
            ys.append(level)
        line, = ax2.step(xs, ys, where="post", lw=1.1, label=f"{st.id} (limit {st.buffer_racks})")
        ax2.axhline(st.buffer_racks + 0.04 * j, ls="--", lw=0.7, color=line.get_color())
    ax2.set_ylabel("racks line-side")
    ax2.set_xlabel("hour")
    ax2.legend(fontsize=7, ncol=2, loc="upper left")
    fig.tight_layout()
    out = write_with(path, lambda tmp: fig.savefig(tmp, dpi=110))
    plt.close(fig)
    return out


def plot_plan(problem: JisProblem, plan: JisPlan, folder: str | Path, *, baseline: JisPlan | None = None) -> list[Path]:
    """``timeline.png`` (and ``timeline-practice.png`` with ``baseline``) in ``folder``."""
    folder = Path(folder)
    out = [plot_timeline(problem, plan, folder / "timeline.png")]
    if baseline is not None:
        out.append(plot_timeline(problem, baseline, folder / "timeline-practice.png",
                                 title=f"{problem.name}: practice, {len(baseline.trips)} truck trips"))
    return out
