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
from mmroute.errors import MMRouteError

__all__ = ["COLUMNS", "BoundViolation", "run_episode", "episode", "evaluate", "summarize",
           "format_summary", "BOUND_TOL"]

#: The evaluation CSV's columns (DESIGN.md's, then what helps reading them).
COLUMNS = ["scenario", "policy", "seed", "cost", "time_h", "lateness_h", "co2_kg",
           "on_time_share", "regret", "decision_ms", "bound", "dropped_teu", "decisions",
           "solves", "overflow_teu"]
#: Relative tolerance of the bound check (solver tolerances, float sums).
BOUND_TOL = 1e-6


class BoundViolation(MMRouteError):
    """A policy cost less than the hindsight bound on some seed: a leak or a bug."""


def _scenario(scenario):
    """A Scenario, or one loaded from a bundled name or a path (:class:`InputError` else)."""
    from pathlib import PurePath

    from mmroute.scenarios import Scenario, load
    from mmroute.validate import instance_of

    if isinstance(scenario, Scenario):
        return scenario
    return load(instance_of(scenario, (str, PurePath), "scenario"))


def run_episode(scenario, policy: str, seed: int, *, model: str | Path | None = None,
                time_limit_s: float = 10.0) -> dict[str, Any]:
    """One episode of ``policy`` on the realization of ``seed``: a row of the evaluation
    (``regret`` left NaN: it needs the seed's hindsight bound). ``decision_ms`` is the
    policy's wall time (its own reset, e.g. a plan at time 0, included) per decision."""
    return episode(scenario, policy, seed, model=model, time_limit_s=time_limit_s)[0]


def episode(scenario, policy: str, seed: int, *, model: str | Path | None = None,
            time_limit_s: float = 10.0):
    """:func:`run_episode`'s row and the finished :class:`~mmroute.envs.Simulator` (for its
    :meth:`~mmroute.envs.Simulator.trajectory`, e.g. to draw the episode)."""
    from mmroute.agents.policies import HindsightPolicy, make_policy
    from mmroute.envs.reroute import RerouteEnv
    from mmroute.envs.simulator import Move
    from mmroute.world.realization import realize

    sc = _scenario(scenario)
    env = RerouteEnv(sc)
    pol = make_policy(policy, model=model, scenario=sc, time_limit_s=time_limit_s)
    env.reset(options={"realization": realize(sc, seed)})
    t0 = time.perf_counter()
    pol.reset(env)
    spent = time.perf_counter() - t0
    done = False
    cost = 0.0
    while not done:
        t0 = time.perf_counter()
        a = pol.act(env)
        spent += time.perf_counter() - t0
        _, _, done, _, info = env.step_move(a) if isinstance(a, Move) else env.step(a)
        cost += info["cost"]
    res = env.sim.result()
    bound = pol.bound if isinstance(pol, HindsightPolicy) else math.nan
    row = {"scenario": sc.name, "policy": policy, "seed": int(seed), "cost": cost,
           "time_h": res.time_h, "lateness_h": res.lateness_h, "co2_kg": res.co2_kg,
           "on_time_share": res.on_time_share, "regret": math.nan,
           "decision_ms": 1000.0 * spent / max(1, res.decisions), "bound": bound,
           "dropped_teu": res.dropped_teu, "decisions": res.decisions,
           "solves": getattr(pol, "solves", 0), "overflow_teu": env.sim.overflow_teu}
    return row, env.sim


@dataclass(frozen=True)
class _ModelFile:
    """A model zip and its card as bytes: what a task carries to a worker that may not share
    this machine's disk (a Ray cluster)."""

    name: str
    zip_bytes: bytes
    card_bytes: bytes

    @classmethod
    def read(cls, path: str | Path) -> _ModelFile:
        from mmroute.agents.model import card_path, model_file

        p = model_file(path)
        return cls(name=p.name, zip_bytes=p.read_bytes(), card_bytes=card_path(p).read_bytes())

    def path(self) -> Path:
        """The model written once per worker under the temporary directory (by content)."""
        from mmroute.agents.model import card_path
        from mmroute.io import write_with

        digest = hashlib.sha256(self.zip_bytes + self.card_bytes).hexdigest()[:16]
        p = Path(tempfile.gettempdir()) / "mmroute-models" / digest / self.name
        if not p.is_file():
            p.parent.mkdir(parents=True, exist_ok=True)
            write_with(card_path(p), lambda tmp: tmp.write_bytes(self.card_bytes))
            write_with(p, lambda tmp: tmp.write_bytes(self.zip_bytes))
        return p


def _run(shared, task):
    scenario, model, limit = shared
    policy, seed = task
    if isinstance(model, _ModelFile):
        model = model.path()
    return run_episode(scenario, policy, seed, model=model, time_limit_s=limit)


def evaluate(scenario, policies=None, seeds=range(30), *, model: str | Path | None = None,
             jobs: int = 1, time_limit_s: float = 10.0, progress=None,
             backend: str = "local", allow_training_seeds: bool = False):
    """Run every policy on every seed (and the hindsight bound, always); return a DataFrame
    with :data:`COLUMNS`, ``regret`` = cost - the seed's hindsight bound.

    ``policies``: names (default: every baseline, plus ``maskable-ppo`` with ``model``);
    ``jobs`` > 1 runs episodes in that many processes; ``backend="ray"`` runs them as Ray
    tasks (:func:`mmroute.agents.parallel.run_tasks`; the model travels with them);
    ``progress(done, total)`` is called as episodes finish. :class:`BoundViolation` if a
    policy beats the bound on some seed. A model is not evaluated on the seeds its card says
    it was trained or selected on (:class:`InputError`) unless ``allow_training_seeds``.
    """
    import pandas as pd

    from mmroute.agents.model import check_evaluation, check_policy_names
    from mmroute.agents.policies import POLICIES
    from mmroute.agents.seeds import parse_seeds
    from mmroute.errors import InputError
    from mmroute.validate import time_limit_s as check_time_limit

    sc = _scenario(scenario)
    seeds = parse_seeds(seeds if not isinstance(seeds, int) else [seeds])
    check_time_limit(time_limit_s)
    check_policy_names(policies)
    if policies is None:
        policies = ["random", "greedy", "static", "replan", "anticipate"]
        if model is not None:
            policies.append("maskable-ppo")
    policies = list(dict.fromkeys(policies))
    for p in policies:
        if p not in POLICIES:
            raise InputError(f"unknown policy {p!r}; choose from {', '.join(POLICIES)}",
                             field="policies")
    if "hindsight" not in policies:
        policies.append("hindsight")
    check_backend(backend, jobs)
    if any(p in ("ppo", "maskable-ppo") for p in policies):
        if model is None:
            raise InputError("ppo / maskable-ppo need a model", field="model")
        from mmroute.agents.model import load_model

        _, card = load_model(model, scenario=sc)  # a wrong or corrupt model fails first
        check_evaluation(card, sc, seeds, allow_training_seeds=allow_training_seeds,
                         model=model)
        for p in policies:
            if p in ("ppo", "maskable-ppo") and card["algo"] != p:
                raise InputError(f"{model}: a {card['algo']} model, not {p}", field="model")
    shipped = _ModelFile.read(model) if backend == "ray" and model is not None else model
    tasks = [(p, s) for s in seeds for p in policies]
    rows = run_tasks(_run, tasks, shared=(sc, shipped, time_limit_s), jobs=jobs,
                     backend=backend, progress=progress)
    df = pd.DataFrame(rows, columns=COLUMNS)
    bounds = df[df.policy == "hindsight"].set_index("seed")["bound"]
    df["bound"] = df["seed"].map(bounds)
    df["regret"] = df["cost"] - df["bound"]
    bad = df[df.cost < df.bound - BOUND_TOL * df.bound.abs().clip(lower=1.0)]
    if len(bad):
        worst = bad.iloc[0]
        raise BoundViolation(
            f"{len(bad)} episodes beat the hindsight bound (a leak or a bug), e.g. "
            f"{worst.policy} on seed {worst.seed}: {worst.cost:,.2f} < {worst.bound:,.2f}")
    return df


def summarize(df):
    """Per policy: mean cost with its 95 % CI, the paired difference to the best
    non-clairvoyant OR policy (lowest mean cost among static, replan, anticipate) with its
    95 % CI (Student t on per-seed differences), mean gap to hindsight (%), on-time share and
    decision time."""
    import numpy as np
    import pandas as pd
    from scipy import stats

    from mmroute.agents.policies import OR_POLICIES

    means = df.groupby("policy")["cost"].mean()
    ors = [p for p in OR_POLICIES if p in means.index]
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
               "on_time_share": g.on_time_share.mean(), "decision_ms": g.decision_ms.mean()}
        if best is not None and policy != best:
            d = (wide[policy] - wide[best]).dropna()
            if len(d) > 1:
                half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
                row.update(diff_mean=d.mean(), diff_lo=d.mean() - half, diff_hi=d.mean() + half)
            elif len(d) == 1:
                row.update(diff_mean=d.mean())
        out.append(row)
    res = pd.DataFrame(out)
    order = {p: i for i, p in enumerate(["hindsight", *OR_POLICIES, "maskable-ppo", "ppo",
                                         "greedy", "random"])}
    res["_o"] = res.policy.map(lambda p: order.get(p, 99))
    return res.sort_values("_o").drop(columns="_o").reset_index(drop=True).replace(
        {np.inf: math.nan})


def format_summary(summary) -> str:
    """The summary as a text table (CNY)."""
    lines = [f"{'policy':<13}{'n':>4}{'mean cost':>16}{'± 95% CI':>13}"
             f"{'vs best OR (95% CI)':>38}{'gap to HS':>11}{'on time':>9}{'ms/dec':>9}"]
    for r in summary.itertuples():
        diff = ""
        if not math.isnan(r.diff_mean):
            lo = "" if math.isnan(r.diff_lo) else f" [{r.diff_lo:,.0f}, {r.diff_hi:,.0f}]"
            diff = f"{r.diff_mean:+,.0f}{lo}"
        elif r.vs == r.policy:
            diff = "(best OR)"
        ci = "" if math.isnan(r.cost_ci95) else f"{r.cost_ci95:,.0f}"
        gap = 0.0 if abs(r.gap_to_hindsight_pct) < 5e-5 else r.gap_to_hindsight_pct
        lines.append(f"{r.policy:<13}{r.n:>4}{r.cost_mean:>16,.0f}{ci:>13}{diff:>38}"
                     f"{gap:>10.2f}%{r.on_time_share:>9.2f}{r.decision_ms:>9.2f}")
    return "\n".join(lines)
