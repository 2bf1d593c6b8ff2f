"""The training budget and the recipe it buys: one count of environment steps for every phase.

``timesteps`` (``mmroute train --timesteps N``) bounds the environment steps of the whole run:
the measuring episodes, the imitation demonstrations, the DAgger episodes and PPO. Validation
episodes (scoring the model on validation seeds) are not training and are not counted.

The rule (:func:`recipe`), from the budget ``N`` and the decisions per episode ``d`` (the
mean of :data:`MEASURE_EPISODES` greedy training episodes, whose steps count):

- the budget buys ``E = N // d`` episodes;
- imitation: ``min(600, E * 50 %)`` hindsight episodes (none if fewer than
  :data:`MIN_EPISODES` *and* fewer than :data:`MIN_DECISIONS` decisions: a month-scale
  episode of ~5,800 decisions holds more demonstrations than a hundred small ones; then no
  DAgger either);
- DAgger: 2 rounds of ``min(100, E * 10 %)`` episodes each (none if fewer than
  :data:`MIN_EPISODES` per round, however long: DAgger's labels are clairvoyant re-plans of
  every state the learner led off the plan, seconds each at month scale, hundreds per episode);
- PPO: the rest, rounded down to whole rollouts (``n_steps * n_envs``);
- validation (not counted in the budget): ``min(30, ceil(VAL_DECISIONS / d))`` validation
  episodes (30 small ones, 3 of a month's), every ``max(4096, val_episodes * d)`` PPO
  steps (never more validation steps than training steps).

On the bundled small scenarios (``d`` below ``MIN_DECISIONS / MIN_EPISODES`` = 400 and
``30 d`` below 4096) the rule gives what it gave before the decision clauses were added.

A value given in the config (``imitation_episodes``, ``dagger_rounds``, ``dagger_episodes``,
``val_episodes``, ``eval_every``) wins over the rule; PPO still gets only what is left of
the budget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Recipe", "recipe", "ppo_steps", "DEFAULT_TIMESTEPS", "MEASURE_EPISODES",
           "MIN_EPISODES", "MIN_DECISIONS", "VAL_EPISODES", "VAL_DECISIONS", "EVAL_EVERY",
           "validation_episodes"]

#: The budget of ``mmroute train`` without ``--timesteps`` (env steps).
DEFAULT_TIMESTEPS = 50_000

#: Greedy training episodes run to measure the decisions per episode.
MEASURE_EPISODES = 3
#: Fewest episodes worth an imitation phase or a DAgger round.
MIN_EPISODES = 5
#: Fewest decisions worth an imitation phase when they come in fewer than
#: :data:`MIN_EPISODES` (long episodes: at month scale one holds ~5,800).
MIN_DECISIONS = 2_000
#: Most validation episodes, and the decisions a validation should see (30 episodes of
#: liuzhou-asean hold ~1,700; 3 of a month's ~17,000), and the fewest PPO steps between
#: validations.
VAL_EPISODES, VAL_DECISIONS, EVAL_EVERY = 30, 15_000, 4096
#: Shares of the budget's episodes, and the most episodes (the former fixed recipe).
IMITATION_SHARE, IMITATION_MAX = 0.5, 600
DAGGER_SHARE, DAGGER_MAX, DAGGER_ROUNDS = 0.1, 100, 2


@dataclass(frozen=True)
class Recipe:
    """What a budget buys: imitation episodes, DAgger rounds of ``dagger_episodes`` each,
    the steps planned for them (``d`` x episodes) and for PPO (``ppo_steps``, whole
    rollouts); and the validation: ``val_episodes`` every ``eval_every`` PPO steps."""

    imitation_episodes: int
    dagger_rounds: int
    dagger_episodes: int
    warm_start_steps: int
    ppo_steps: int
    val_episodes: int = VAL_EPISODES
    eval_every: int = EVAL_EVERY


def recipe(timesteps: int, steps_per_episode: float, *, rollout_steps: int,
           imitation_episodes: int | None = None, dagger_rounds: int | None = None,
           dagger_episodes: int | None = None, val_episodes: int | None = None,
           eval_every: int | None = None, spent: int = 0) -> Recipe:
    """The recipe a budget of ``timesteps`` env steps buys on a scenario of
    ``steps_per_episode`` decisions per episode (``spent``: steps used already, e.g. by the
    measuring episodes); values given win over the rule (module docstring)."""
    d = max(1.0, float(steps_per_episode))
    episodes = int((timesteps - spent) // d)
    if imitation_episodes is None:
        imitation_episodes = min(IMITATION_MAX, int(episodes * IMITATION_SHARE))
        if imitation_episodes < MIN_EPISODES and imitation_episodes * d < MIN_DECISIONS:
            imitation_episodes = 0
    if dagger_episodes is None:
        dagger_episodes = max(1, min(DAGGER_MAX, int(episodes * DAGGER_SHARE)))
    if dagger_rounds is None:
        dagger_rounds = (DAGGER_ROUNDS if imitation_episodes > 0 and dagger_episodes >= MIN_EPISODES
                         else 0)
    if imitation_episodes == 0:
        dagger_rounds = 0
    warm = int(round(d * (imitation_episodes + dagger_rounds * dagger_episodes)))
    if val_episodes is None:
        val_episodes = validation_episodes(d)
    if eval_every is None:
        eval_every = max(EVAL_EVERY, math.ceil(val_episodes * d))
    return Recipe(imitation_episodes=imitation_episodes, dagger_rounds=dagger_rounds,
                  dagger_episodes=dagger_episodes, warm_start_steps=warm,
                  ppo_steps=ppo_steps(timesteps - spent - warm, rollout_steps),
                  val_episodes=val_episodes, eval_every=eval_every)


def validation_episodes(steps_per_episode: float) -> int:
    """Validation episodes for episodes of ``steps_per_episode`` decisions: as many as hold
    :data:`VAL_DECISIONS` decisions, at most :data:`VAL_EPISODES` (at least 1)."""
    d = max(1.0, float(steps_per_episode))
    return max(1, min(VAL_EPISODES, math.ceil(VAL_DECISIONS / d)))


def ppo_steps(left: int, rollout_steps: int) -> int:
    """The PPO steps that fit in ``left`` steps: whole rollouts of ``rollout_steps`` (SB3
    finishes the rollout it began, so a partial one would pass the budget)."""
    return max(0, left) // rollout_steps * rollout_steps
