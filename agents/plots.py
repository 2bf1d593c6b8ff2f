"""Figures of an evaluation: cost per policy with 95 % CIs, regret per seed."""

from __future__ import annotations

from pathlib import Path

__all__ = ["plot_costs", "plot_regret", "plot_learning_curve"]


def plot_costs(df, path: str | Path | None = None, *, title: str = "",
               leave_out: tuple[str, ...] = ("random",)):
    """Episode costs per policy (dots) with mean and 95 % CI (bars), ``leave_out`` policies
    not drawn (random's costs would flatten the others); returns the figure and writes it
    atomically to ``path`` if given."""
    from matplotlib.figure import Figure

    from mmroute.agents.evaluation import summarize

    s = summarize(df)
    s = s[~s.policy.isin(leave_out)].reset_index(drop=True)
    fig = Figure(figsize=(8, 4), layout="constrained")
    ax = fig.add_subplot()
    for i, r in enumerate(s.itertuples()):
        g = df[df.policy == r.policy].cost / 1e6
        ax.scatter([i] * len(g), g, s=8, alpha=0.4, color="grey")
        ax.errorbar(i, r.cost_mean / 1e6, yerr=(r.cost_ci95 or 0) / 1e6, fmt="o", capsize=4,
                    color="C0" if r.policy != "hindsight" else "C2")
    ax.set_xticks(range(len(s)), s.policy, rotation=20)
    ax.set_ylabel("episode cost (million CNY)")
    ax.set_title(title or f"{df.scenario.iloc[0]}: {df.seed.nunique()} seeds, mean and 95 % CI")
    _save(fig, path)
    return fig


def plot_regret(df, path: str | Path | None = None, *, policies=None):
    """Regret (cost - hindsight bound) per seed for each policy (hindsight left out)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4), layout="constrained")
    ax = fig.add_subplot()
    for p in policies or [p for p in df.policy.unique() if p not in ("hindsight", "random")]:
        g = df[df.policy == p].sort_values("seed")
        ax.plot(g.seed, g.regret / 1e3, marker="o", ms=3, label=p)
    ax.set_xlabel("seed")
    ax.set_ylabel("regret (thousand CNY)")
    ax.legend(fontsize=8)
    _save(fig, path)
    return fig


def _save(fig, path) -> None:
    if path is not None:
        from mmroute.io import write_with

        write_with(path, lambda tmp: fig.savefig(tmp, dpi=110))


def plot_learning_curve(run_dir: str | Path, path: str | Path | None = None, *, baselines=None):
    """Validation mean cost against training steps (``run_dir/validation.csv``), with
    horizontal lines for ``baselines`` (name -> mean cost on the same validation seeds)."""
    import pandas as pd
    from matplotlib.figure import Figure

    v = pd.read_csv(Path(run_dir) / "validation.csv")
    fig = Figure(figsize=(7, 3.5), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(v.timesteps, v.mean_cost_cny / 1e6, marker="o", ms=3, label="agent (validation)")
    for k, (name, cost) in enumerate((baselines or {}).items()):
        ax.axhline(cost / 1e6, ls="--", lw=1, color=f"C{k + 1}", label=name)
    ax.set_xlabel("training steps")
    ax.set_ylabel("mean episode cost (million CNY)")
    ax.legend(fontsize=8)
    _save(fig, path)
    return fig
