"""Fitting :class:`~mmroute.agents.hedge.HedgeParams` by direct search (coordinate search
over a small grid) with common random numbers, chosen on validation seeds.

1. Training: every candidate runs on the same training seeds (:data:`~mmroute.agents.seeds.
   TRAINING`: the same realizations, so candidates differ by their decisions only). From the
   zero point (``replan``), each coordinate in turn tries its grid values with the others
   held; the best mean cost moves the point if it beats the current one.
2. Selection: the ``top`` best candidates by training mean, and the zero point, run on the
   validation seeds (:data:`~mmroute.agents.seeds.VALIDATION`); the lowest validation mean
   is chosen (the zero point when nothing beats it there: the card then says ``replan``).

Evaluation seeds are never touched here. The fit's record (every candidate's means, each validated
one's paired difference to the zero point with its 95 % CI, the
seeds, episodes run and their summed wall seconds: the training cost) goes into the card.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace

from mmroute.agents.evaluation import _Episodes
from mmroute.agents.hedge import HedgeCard, HedgeParams
from mmroute.agents.seeds import TRAINING, VALIDATION
from mmroute.errors import InputError

__all__ = ["fit_hedge", "default_grid", "episode_cost"]


def default_grid(scenario) -> dict[str, tuple[float, ...]]:
    """Grid values per parameter, scaled by the scenario's objective (``L`` lateness, ``V``
    time value, CNY per TEU-hour): risk ``L/4, L, 4L``; the waiting tie ``8V, 32V, 128V``
    per TEU (a TEU's waits over the whole plan pay at most 8-128 hours of its time value);
    tight connections ``3L, 12L, 48L`` per TEU (``tight_h`` held at 12 h) — the default
    recipe, the same for a scenario never seen."""
    obj = scenario.objective
    lat, val = obj.lateness_cny_per_teu_h, max(obj.time_value_cny_per_teu_h, 1.0)
    return {"risk_cny_per_teu_h": (0.25 * lat, lat, 4 * lat),
            "wait_tie_cny_per_teu": (8 * val, 32 * val, 128 * val),
            "tight_cny_per_teu": (3 * lat, 12 * lat, 48 * lat)}


class _Runner(_Episodes):
    """What a worker needs to run hedge episodes of one scenario: the scenario and the time
    limit travel once, the env is made on first use and reused (:class:`~mmroute.agents.
    evaluation._Episodes`'s cache); a fresh policy per episode (its parameters vary)."""

    def __init__(self, scenario, time_limit_s: float):
        super().__init__(scenario, None, time_limit_s)

    def run_params(self, params: HedgeParams, seed: int) -> tuple[float, float]:
        """One episode of ``params`` on ``seed``: ``(cost CNY, wall s)``."""
        from mmroute.agents.hedge import HedgePolicy
        from mmroute.agents.rollout import rollout
        from mmroute.world.realization import realize

        env = self.env()
        t0 = time.perf_counter()
        pol = HedgePolicy(params=params, time_limit_s=self.time_limit_s)
        ro = rollout(env, pol, realize(self.scenario, seed))
        return float(ro.cost_cny), time.perf_counter() - t0


def episode_cost(runner: _Runner, task: tuple[dict, int]) -> tuple[float, float]:
    """One episode's ``(cost, wall s)`` (a task of :func:`~mmroute.agents.run_tasks`)."""
    params, seed = task
    return runner.run_params(HedgeParams(**params), seed)


def fit_hedge(scenario, *, training_seeds: Sequence[int], validation_seeds: Sequence[int],
              grid: dict[str, Sequence[float]] | None = None, sweeps: int = 1, top: int = 2,
              time_limit_s: float = 10.0, jobs: int = 1, command: str = "",
              log: Callable[[str], None] | None = None) -> HedgeCard:
    """The card of the chosen parameters (see the module doc); ``grid`` defaults to
    :func:`default_grid`; ``jobs`` episodes at a time (local processes)."""
    from mmroute.agents.parallel import run_tasks
    from mmroute.world.realization import scenario_hash

    train, val = [int(s) for s in training_seeds], [int(s) for s in validation_seeds]
    if not train or any(s not in TRAINING for s in train):
        raise InputError(f"training seeds must be in [{TRAINING.lo}, {TRAINING.hi})",
                         field="training_seeds")
    if not val or any(s not in VALIDATION for s in val):
        raise InputError(f"validation seeds must be in [{VALIDATION.lo}, {VALIDATION.hi})",
                         field="validation_seeds")
    grid = {k: tuple(float(x) for x in v) for k, v in (grid or default_grid(scenario)).items()}
    runner = _Runner(scenario, time_limit_s)
    spent = {"episodes": 0, "wall_s": 0.0}
    say = log or (lambda _: None)

    def costs(points: list[HedgeParams], seeds: list[int]) -> list[list[float]]:
        tasks = [(asdict(p), s) for p in points for s in seeds]
        out = run_tasks(episode_cost, tasks, shared=runner, jobs=jobs)
        spent["episodes"] += len(out)
        spent["wall_s"] += sum(w for _, w in out)
        n = len(seeds)
        return [[c for c, _ in out[k * n:(k + 1) * n]] for k in range(len(points))]

    seen: dict[HedgeParams, float] = {}

    def train_means(points: list[HedgeParams]) -> None:
        todo = [p for p in dict.fromkeys(points) if p not in seen]
        for p, cs in zip(todo, costs(todo, train) if todo else []):
            seen[p] = sum(cs) / len(cs)
            say(f"train {_short(p)}: {seen[p]:,.0f}")

    zero = HedgeParams()
    point = zero
    train_means([point])
    for _ in range(sweeps):
        for name, values in grid.items():
            cands = [replace(point, **{name: v}) for v in values]
            train_means(cands)
            best = min([point, *cands], key=lambda p: seen[p])
            if seen[best] < seen[point]:
                point = best
    ranked = sorted(seen, key=lambda p: seen[p])
    chosen_from = list(dict.fromkeys([*ranked[:top], zero]))
    val_costs = dict(zip(chosen_from, costs(chosen_from, val)))
    val_means = {p: sum(cs) / len(cs) for p, cs in val_costs.items()}
    for p in chosen_from:
        say(f"validation {_short(p)}: {val_means[p]:,.0f}")
    chosen = min(chosen_from, key=lambda p: (val_means[p], p != zero))
    diff = [a - b for a, b in zip(val_costs[chosen], val_costs[zero])]
    fit = {
        "method": "coordinate search on a grid, common random numbers; chosen on validation",
        "grid": {k: list(v) for k, v in grid.items()}, "sweeps": sweeps,
        "time_limit_s": time_limit_s,
        "training_seeds": _span(train), "validation_seeds": _span(val),
        "training": [{**asdict(p), "mean_cost_cny": round(m, 2)} for p, m in
                     sorted(seen.items(), key=lambda kv: kv[1])],
        "validation": [{**asdict(p), "mean_cost_cny": round(val_means[p], 2),
                        "vs_replan_cny": _mean_ci([a - b for a, b in
                                                   zip(val_costs[p], val_costs[zero])])}
                       for p in chosen_from],
        "validation_vs_replan_cny": _mean_ci(diff),
        "episodes": spent["episodes"], "episode_wall_s": round(spent["wall_s"], 1),
        "command": command,
    }
    return HedgeCard(params=chosen, scenario=scenario.name,
                     scenario_hash=scenario_hash(scenario), fit=fit)


def _short(p: HedgeParams) -> str:
    return (f"risk {p.risk_cny_per_teu_h:g} wait tie {p.wait_tie_cny_per_teu:g} "
            f"tight {p.tight_cny_per_teu:g}/{p.tight_h:g}h")


def _span(seeds: list[int]) -> str:
    """``"lo-hi"`` for a run of consecutive seeds, else the list."""
    s = sorted(seeds)
    if s == list(range(s[0], s[-1] + 1)):
        return f"{s[0]}-{s[-1]}"
    return ",".join(map(str, s))


def _mean_ci(d: list[float]) -> list[float]:
    """``[mean, lo, hi]`` of paired differences (95 %, Student t; NaN-free: the mean thrice
    for one value)."""
    from scipy import stats

    n = len(d)
    m = sum(d) / n
    if n < 2:
        return [round(m, 2)] * 3
    sd = math.sqrt(sum((x - m) ** 2 for x in d) / (n - 1))
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return [round(m, 2), round(m - half, 2), round(m + half, 2)]
