"""What a training run does besides learning (SB3's ``callbacks.py``): write models with their
cards (:class:`ModelWriter`), score the model on validation seeds and keep the best
(:class:`Validator`), and do both on schedule while PPO learns (:class:`Periodic`).

Imports stable-baselines3: :func:`mmroute.agents.train` imports this module when it runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stable_baselines3.common.callbacks import BaseCallback

from mmroute.agents.model_files import write_model
from mmroute.io import immediate_outputs

__all__ = ["ModelWriter", "Validator", "Periodic", "PPOProgress", "finite"]


def finite(x: float) -> float | None:
    """``x``, or ``None`` if it is infinite (no validation yet) — for JSON cards."""
    return x if math.isfinite(x) else None


class ModelWriter:
    """Writes ``model`` into the run folder ``out`` as ``NAME.zip`` + card (``card``, the
    step count and what the caller adds), atomically and at once (checkpoints exist while
    the run goes on)."""

    def __init__(self, model, out: Path, card: dict[str, Any]):
        self.model = model
        self.out = out
        self.card = card

    def save(self, name: str, extra: dict[str, Any]) -> None:
        """``NAME.zip`` and its card as a pair (both or neither); the card carries the step and
        update counters a resumed run restores (nothing is unpickled)."""
        path = self.out / f"{name}.zip"
        with immediate_outputs():
            write_model(path, lambda tmp: self.model.save(tmp),
                        {**self.card, "timesteps": int(self.model.num_timesteps),
                         "n_updates": int(self.model._n_updates), **extra})


class Validator:
    """Scores the writer's model (mean episode cost, CNY, deterministic) on the validation
    ``seeds``, appends it to ``OUT/validation.csv``, logs it, and saves ``best`` when it is
    the lowest so far (``best``: the lowest before, e.g. of a resumed run)."""

    def __init__(self, writer: ModelWriter, scenario, *, seeds: list[int], n_candidates: int,
                 maskable: bool, best: float = math.inf, log: Callable[[str], Any] = print,
                 clock=None, hold: str = "off"):
        self.writer = writer
        self.scenario = scenario
        self.seeds = seeds
        self.n_candidates = n_candidates
        self.hold = hold
        self.maskable = maskable
        self.best = best
        self.log = log
        self.clock = clock  # a PhaseClock: validations timed as the phase "validation"

    def __call__(self, n: int, logger=None) -> float:
        """Validate at step ``n``; ``logger``: SB3's, to record the score (inside ``learn``)."""
        from contextlib import nullcontext

        from mmroute.agents.training import validate_model

        with self.clock.phase("validation") if self.clock is not None else nullcontext():
            cost = validate_model(self.writer.model, self.scenario, seeds=self.seeds,
                                  n_candidates=self.n_candidates, maskable=self.maskable,
                                  hold=self.hold)
        if logger is not None:
            logger.record("validation/mean_cost_cny", cost)
        with open(self.writer.out / "validation.csv", "a", encoding="utf-8") as fh:
            if fh.tell() == 0:
                fh.write("timesteps,mean_cost_cny\n")
            fh.write(f"{n},{cost:.4f}\n")
        self.log(f"step {n:>8}: validation mean cost {cost:,.0f} CNY"
                 f"{' (best)' if cost < self.best else ''}")
        if cost < self.best:
            self.best = cost
            self.writer.save("best", {"validation_cost": cost})
        return cost


class Periodic(BaseCallback):
    """Every ``eval_every`` steps a validation, every ``checkpoint_every`` steps
    ``checkpoint.zip``, counted from the model's step count when the callback is made."""

    def __init__(self, validator: Validator, *, eval_every: int, checkpoint_every: int):
        super().__init__()
        self.validator = validator
        self.eval_every = eval_every
        self.checkpoint_every = checkpoint_every
        self.last_eval = self.last_ckpt = validator.writer.model.num_timesteps

    def _on_step(self) -> bool:
        n = self.validator.writer.model.num_timesteps
        if n - self.last_eval >= self.eval_every:
            self.last_eval = n
            self.validate(n)
        if n - self.last_ckpt >= self.checkpoint_every:
            self.last_ckpt = n
            self.checkpoint()
        return True

    def validate(self, n: int) -> None:
        """A validation at step ``n`` (recorded in SB3's log once ``learn`` has begun)."""
        inside = getattr(self, "model", None) is not None
        self.validator(n, self.logger if inside else None)

    def checkpoint(self) -> None:
        """``checkpoint.zip`` with the best validation cost so far."""
        self.validator.writer.save("checkpoint",
                                   {"best_validation_cost": finite(self.validator.best)})


class PPOProgress(BaseCallback):
    """A progress bar of ``total`` PPO steps with its ETA (:func:`mmroute.agents.progress`)."""

    def __init__(self, total: int, *, enabled: bool):
        super().__init__()
        from mmroute.agents.progress import progress

        self._ctx = progress("PPO", total, "step", enabled)
        self.bar = self._ctx.__enter__()

    def _on_step(self) -> bool:
        self.bar.update(self.training_env.num_envs)
        return True

    def close(self) -> None:
        self._ctx.__exit__(None, None, None)
