"""Paired evaluation: every policy on the same realizations, scored by the same simulator, with
the hindsight bound of each seed and confidence intervals from paired differences.

:func:`run_episode` is a pure function of (scenario, policy, seed) — what a process pool or a
Ray cluster runs (:mod:`mmroute.agents.parallel`); :func:`evaluate` fans it out and checks
that no policy beats the hindsight bound on any seed (that would be a leak or a bug, never
noise).
"""

from __future__ import annotations

import hashlib
import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmroute.agents.parallel import check_backend, run_tasks
from mmroute.agents.registry import BOUND, REGISTRY, SUMMARY_ORDER, default_policies, entry
from mmroute.errors import MMRouteError
from mmroute.scenarios import as_scenario
from mmroute.world.shipments import COLUMNS as SHIPMENT_ROW_COLUMNS

__all__ = ["COLUMNS", "TIMING_COLUMNS", "SHIPMENT_COLUMNS", "BoundViolation", "run_episode", "episode",
           "evaluate", "evaluate_per_shipment", "summarize", "format_summary", "BOUND_TOL"]

#: The evaluation CSV's columns (DESIGN.md's, then what helps reading them).
COLUMNS = ["scenario", "policy", "seed", "cost", "time_h", "lateness_h", "co2_kg",
           "on_time_share", "regret", "decision_ms", "bound", "dropped_teu", "decisions",
           "solves", "overflow_teu", "decision_p95_ms", "budget_hits", "decision_budget_s", "episode_s"]
#: Columns measured on the wall clock: they differ between runs and machines. ``budget_hits``
#: (and, where it is above 0, every result of that episode) depends on the machine too.
TIMING_COLUMNS = ("decision_ms", "decision_p95_ms", "episode_s")
#: The per-shipment CSV's columns: one row per (policy, seed, shipment)
#: (:class:`mmroute.world.shipments.ShipmentRow` after the episode's keys).
SHIPMENT_COLUMNS = ["scenario", "policy", "seed", *SHIPMENT_ROW_COLUMNS]
#: Relative tolerance of the bound check (solver tolerances, float sums).
BOUND_TOL = 1e-6


class BoundViolation(MMRouteError):
    """A policy cost less than the hindsight bound on some seed: a leak or a bug."""


def run_episode(scenario, policy: str, seed: int, *, model: str | Path | None = None,
                time_limit_s: float = 10.0,
                decision_budget_s: float | None = None) -> dict[str, Any]:
    """One episode of ``policy`` on the realization of ``seed``: a row of the evaluation
    (``regret`` left NaN: it needs the seed's hindsight bound). ``decision_ms`` is the
    policy's wall time (its own reset, e.g. a plan at time 0, included) per decision,
    ``decision_p95_ms`` the 95th percentile of its decisions' wall times (reset not
    included); ``budget_hits`` how many re-plans ran out of ``decision_budget_s`` (the
    wall-time budget of a decision of ``replan`` / ``anticipate``; ``None``: none);
    ``episode_s`` the episode's wall time (simulator, policy and its reset, scoring)."""
    return episode(scenario, policy, seed, model=model, time_limit_s=time_limit_s,
                   decision_budget_s=decision_budget_s)[0]


def episode(scenario, policy: str, seed: int, *, model: str | Path | None = None,
            time_limit_s: float = 10.0, decision_budget_s: float | None = None):
    """:func:`run_episode`'s row and the finished :class:`~mmroute.envs.Simulator` (for its
    :meth:`~mmroute.envs.Simulator.trajectory`, e.g. to draw the episode)."""
    return _Episodes(as_scenario(scenario), model, time_limit_s,
                     decision_budget_s).run(policy, seed)


class _Episodes:
    """Episodes of one scenario, as a worker runs them: the scenario, the model and the time
    limit travel once (pickled without the rest); one env (its per-scenario tables) and one
    instance per policy are made on first use and reused for every episode after — a policy's
    ``reset`` starts each episode afresh, so rows equal those of fresh objects."""

    def __init__(self, scenario, model, time_limit_s: float,
                 decision_budget_s: float | None = None):
        from mmroute.agents.policies import decision_budget

        self.scenario, self.model, self.time_limit_s = scenario, model, time_limit_s
        self.decision_budget_s = decision_budget(decision_budget_s)
        self._envs: dict[tuple, Any] = {}  # by the env options a policy asks for (hold)
        self._policies: dict[str, Any] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "model": self.model, "time_limit_s": self.time_limit_s,
                "decision_budget_s": self.decision_budget_s, "_envs": {}, "_policies": {}}

    def env(self, options: dict[str, Any] | None = None):
        """The scenario's :class:`~mmroute.envs.reroute.RerouteEnv` with ``options`` (a
        policy's ``env_options``; none: the default env), made on first use, then reused."""
        from mmroute.envs.reroute import RerouteEnv

        key = tuple(sorted((options or {}).items()))
        env = self._envs.get(key)
        if env is None:
            env = self._envs[key] = RerouteEnv(self.scenario, **(options or {}))
        return env

    def run(self, policy: str, seed: int):
        """One episode's row and its finished simulator."""
        from mmroute.agents.policies import HindsightPolicy, make_policy
        from mmroute.agents.rollout import rollout
        from mmroute.world.realization import realize

        t0 = time.perf_counter()
        sc = self.scenario
        pol = self._policies.get(policy)
        if pol is None:
            model = self.model.path() if isinstance(self.model, _ModelFile) else self.model
            pol = self._policies[policy] = make_policy(
                policy, model=model, scenario=sc, time_limit_s=self.time_limit_s,
                decision_budget_s=self.decision_budget_s)
        env = self.env(getattr(pol, "env_options", None))  # a model trained with hold: its env
        ro = rollout(env, pol, realize(sc, seed))
        res = ro.result
        bound = pol.bound if isinstance(pol, HindsightPolicy) else math.nan
        row = {"scenario": sc.name, "policy": policy, "seed": int(seed), "cost": ro.cost_cny,
               "time_h": res.time_h, "lateness_h": res.lateness_h, "co2_kg": res.co2_kg,
               "on_time_share": res.on_time_share, "regret": math.nan,
               "decision_ms": 1000.0 * ro.policy_s / max(1, res.decisions), "bound": bound,
               "dropped_teu": res.dropped_teu, "decisions": res.decisions,
               "solves": getattr(pol, "solves", 0), "overflow_teu": ro.sim.overflow_teu,
               "decision_p95_ms": _p95_ms(ro.decision_s),
               "budget_hits": int(getattr(pol, "budget_hits", 0)),
               "decision_budget_s": (math.nan if self.decision_budget_s is None
                                     else self.decision_budget_s),
               "episode_s": time.perf_counter() - t0}
        return row, ro.sim


def _p95_ms(times_s) -> float:
    """The 95th percentile (linear interpolation) of ``times_s`` in ms (NaN if empty)."""
    import numpy as np

    return 1000.0 * float(np.percentile(times_s, 95)) if len(times_s) else math.nan


@dataclass(frozen=True)
class _ModelFile:
    """A model zip and its card as bytes: what a task carries to a worker that may not share
    this machine's disk (a Ray cluster)."""

    name: str
    zip_bytes: bytes
    card_bytes: bytes

    @classmethod
    def read(cls, path: str | Path) -> _ModelFile:
        from mmroute.agents.model_files import card_path, model_file

        p = model_file(path)
        return cls(name=p.name, zip_bytes=p.read_bytes(), card_bytes=card_path(p).read_bytes())

    def path(self) -> Path:
        """The model written once per worker under the temporary directory (by content)."""
        from mmroute.agents.model_files import card_path
        from mmroute.io import write_with

        digest = hashlib.sha256(self.zip_bytes + self.card_bytes).hexdigest()[:16]
        p = Path(tempfile.gettempdir()) / "mmroute-models" / digest / self.name
        if not p.is_file():
            p.parent.mkdir(parents=True, exist_ok=True)
            write_with(card_path(p), lambda tmp: tmp.write_bytes(self.card_bytes))
            write_with(p, lambda tmp: tmp.write_bytes(self.zip_bytes))
        return p


def _run(shared: _Episodes, task):
    policy, seed = task
    return shared.run(policy, seed)[0]


def _run_with_shipments(shared: _Episodes, task):
    """:func:`_run`'s row and the episode's per-shipment rows (dicts of
    :data:`SHIPMENT_COLUMNS`)."""
    from mmroute.envs.shipments import per_shipment

    policy, seed = task
    row, sim = shared.run(policy, seed)
    keys = {"scenario": row["scenario"], "policy": policy, "seed": row["seed"]}
    return row, [{**keys, **r.to_dict()} for r in per_shipment(sim)]


def evaluate(scenario, policies=None, seeds=range(30), *, model: str | Path | None = None,
             jobs: int = 1, time_limit_s: float = 10.0, progress=None,
             backend: str = "local", allow_training_seeds: bool = False,
             decision_budget_s: float | None = None):
    """Run every policy on every seed (and the hindsight bound, always); return a DataFrame
    with :data:`COLUMNS`, ``regret`` = cost - the seed's hindsight bound.

    ``policies``: registered names (default: every baseline, plus the model's algorithm
    with ``model``: :func:`~mmroute.agents.registry.default_policies`);
    ``jobs`` > 1 runs episodes in that many processes; ``backend="ray"`` runs them as Ray
    tasks (:func:`mmroute.agents.parallel.run_tasks`; the model travels with them);
    ``progress(done, total)`` is called as episodes finish. ``decision_budget_s``: the
    wall-time budget of each decision of the policies that re-plan (``replan``,
    ``anticipate``; ``None``: none, results reproducible; the command line's default is
    1 s): rows count the re-plans that ran out of it (``budget_hits``), and an episode with
    hits depends on the machine's speed. :class:`BoundViolation` if a
    policy beats the bound on some seed. A model is not evaluated on the seeds its card says
    it was trained or selected on (:class:`InputError`) unless ``allow_training_seeds``.
    """
    return _evaluate(scenario, policies, seeds, model=model, jobs=jobs,
                     time_limit_s=time_limit_s, progress=progress, backend=backend,
                     allow_training_seeds=allow_training_seeds, shipments=False,
                     decision_budget_s=decision_budget_s)[0]


def evaluate_per_shipment(scenario, policies=None, seeds=range(30), *,
                          model: str | Path | None = None, jobs: int = 1,
                          time_limit_s: float = 10.0, progress=None, backend: str = "local",
                          allow_training_seeds: bool = False,
                          decision_budget_s: float | None = None):
    """:func:`evaluate`'s DataFrame and a second one with :data:`SHIPMENT_COLUMNS`: each
    episode's shipments (route, times, lateness, CO2, cost, dropped TEU, where and why
    dropped: :mod:`mmroute.world.shipments`), from the same episodes."""
    return _evaluate(scenario, policies, seeds, model=model, jobs=jobs,
                     time_limit_s=time_limit_s, progress=progress, backend=backend,
                     allow_training_seeds=allow_training_seeds, shipments=True,
                     decision_budget_s=decision_budget_s)


def _evaluate(scenario, policies, seeds, *, model, jobs: int, time_limit_s: float, progress,
              backend: str, allow_training_seeds: bool, shipments: bool,
              decision_budget_s: float | None = None):
    """:func:`evaluate` (and, with ``shipments``, the per-shipment frame; else ``None``)."""
    import pandas as pd

    from mmroute.agents.model_files import check_evaluation, check_policy_names
    from mmroute.agents.seeds import parse_seeds
    from mmroute.errors import InputError
    from mmroute.validate import time_limit_s as check_time_limit

    sc = as_scenario(scenario)
    seeds = parse_seeds(seeds if not isinstance(seeds, int) else [seeds])
    check_time_limit(time_limit_s)
    from mmroute.agents.policies import decision_budget

    decision_budget(decision_budget_s)
    check_policy_names(policies)
    if policies is None:
        policies = default_policies(model)
    policies = list(dict.fromkeys(policies))
    learned = [p for p in policies if entry(p).learned]
    if BOUND not in policies:
        policies.append(BOUND)
    check_backend(backend, jobs)
    if learned:
        if model is None:
            raise InputError("ppo / maskable-ppo need a model", field="model")
        from mmroute.agents.model_files import load_model, model_card

        card = model_card(model, scenario=sc)  # a model without a card or for another scenario
        check_evaluation(card, sc, seeds, allow_training_seeds=allow_training_seeds,
                         model=model)  # seeds refused before the weights are read
        for p in learned:
            if card["algo"] != p:
                raise InputError(f"{model}: a {card['algo']} model, not {p}", field="model")
        load_model(model, scenario=sc)  # corrupt weights fail before the first episode
    shipped = _ModelFile.read(model) if backend == "ray" and model is not None else model
    tasks = [(p, s) for s in seeds for p in policies]
    rows = run_tasks(_run_with_shipments if shipments else _run, tasks,
                     shared=_Episodes(sc, shipped, time_limit_s, decision_budget_s), jobs=jobs,
                     backend=backend,
                     progress=progress)
    ship_df = None
    if shipments:
        ship_df = pd.DataFrame([r for _, rs in rows for r in rs], columns=SHIPMENT_COLUMNS)
        rows = [row for row, _ in rows]
    df = pd.DataFrame(rows, columns=COLUMNS)
    bounds = df[df.policy == BOUND].set_index("seed")["bound"]
    df["bound"] = df["seed"].map(bounds)
    df["regret"] = df["cost"] - df["bound"]
    bad = df[df.cost < df.bound - BOUND_TOL * df.bound.abs().clip(lower=1.0)]
    if len(bad):
        worst = bad.iloc[0]
        raise BoundViolation(
            f"{len(bad)} episodes beat the hindsight bound (a leak or a bug), e.g. "
            f"{worst.policy} on seed {worst.seed}: {worst.cost:,.2f} < {worst.bound:,.2f}")
    return df, ship_df


def summarize(df):
    """Per policy: mean cost with its 95 % CI, the paired difference to the best baseline with
    its 95 % CI (Student t on per-seed differences), mean gap to hindsight (%), on-time share,
    decision time (mean, and the mean of the episodes' 95th percentiles) and re-plans out of
    budget per episode (``budget_hits``; a frame without these columns gives NaN).

    The best baseline (column ``vs``) is the policy with the lowest mean cost among those
    that ran and are neither clairvoyant nor learned (the registry's baselines: greedy and
    random as well as the OR policies): a learned policy is judged against the best
    policy that needs no training and no foresight."""
    import numpy as np
    import pandas as pd
    from scipy import stats

    means = df.groupby("policy")["cost"].mean()
    ors = [p for p, e in REGISTRY.items() if e.baseline and p in means.index]
    best = min(ors, key=lambda p: means[p]) if ors else None
    wide = df.pivot(index="seed", columns="policy", values="cost")
    out = []
    for policy, g in df.groupby("policy", sort=False):
        n = len(g)
        tq = stats.t.ppf(0.975, n - 1) if n > 1 else math.nan
        row = {"policy": policy, "n": n, "cost_mean": g.cost.mean(),
               "cost_ci95": tq * g.cost.std(ddof=1) / math.sqrt(n) if n > 1 else math.nan,
               "vs": best, "diff_mean": math.nan, "diff_lo": math.nan, "diff_hi": math.nan,
               "gap_to_hindsight_pct": 100.0 * ((g.cost - g.bound) / g.bound.abs().clip(lower=1.0)).mean(),
               "on_time_share": g.on_time_share.mean(), "decision_ms": g.decision_ms.mean(),
               "decision_p95_ms": _mean_of(g, "decision_p95_ms"),
               "budget_hits": _mean_of(g, "budget_hits")}
        if best is not None and policy != best:
            d = (wide[policy] - wide[best]).dropna()
            if len(d) > 1:
                half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
                row.update(diff_mean=d.mean(), diff_lo=d.mean() - half, diff_hi=d.mean() + half)
            elif len(d) == 1:
                row.update(diff_mean=d.mean())
        out.append(row)
    res = pd.DataFrame(out)
    order = {p: i for i, p in enumerate(SUMMARY_ORDER)}
    res["_o"] = res.policy.map(lambda p: order.get(p, 99))
    return res.sort_values("_o").drop(columns="_o").reset_index(drop=True).replace(
        {np.inf: math.nan})


def _mean_of(g, column: str) -> float:
    """The mean of ``column`` in ``g`` (NaN if ``g`` has no such column, e.g. an older CSV)."""
    return float(g[column].mean()) if column in g else math.nan


def format_summary(summary) -> str:
    """The summary as a text table (CNY)."""
    best = next((r.vs for r in summary.itertuples() if isinstance(r.vs, str)), None)
    head = f"vs best baseline {best} (95% CI)" if best else "vs best baseline"
    lines = [f"{'policy':<13}{'n':>4}{'mean cost':>16}{'± 95% CI':>13}"
             f"{head:>38}{'gap to HS':>11}{'on time':>9}{'ms/dec':>9}{'p95 ms':>9}"
             f"{'over budget':>12}"]
    for r in summary.itertuples():
        diff = ""
        if not math.isnan(r.diff_mean):
            lo = "" if math.isnan(r.diff_lo) else f" [{r.diff_lo:,.0f}, {r.diff_hi:,.0f}]"
            diff = f"{r.diff_mean:+,.0f}{lo}"
        elif r.vs == r.policy:
            diff = "(best baseline)"
        ci = "" if math.isnan(r.cost_ci95) else f"{r.cost_ci95:,.0f}"
        gap = 0.0 if abs(r.gap_to_hindsight_pct) < 5e-5 else r.gap_to_hindsight_pct
        p95 = getattr(r, "decision_p95_ms", math.nan)
        hits = getattr(r, "budget_hits", math.nan)
        lines.append(f"{r.policy:<13}{r.n:>4}{r.cost_mean:>16,.0f}{ci:>13}{diff:>38}"
                     f"{gap:>10.2f}%{r.on_time_share:>9.2f}{r.decision_ms:>9.2f}"
                     f"{'' if math.isnan(p95) else f'{p95:.2f}':>9}"
                     f"{'' if math.isnan(hits) else f'{hits:.1f}/ep':>12}")
    return "\n".join(lines)
