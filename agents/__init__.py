"""mmroute.agents: policies on ``mmroute/Reroute-v0`` — OR baselines, the hindsight oracle,
PPO agents — their training and their paired evaluation.

- :func:`make_policy` and the policy classes, by the names of :data:`REGISTRY` (what each
  is: OR baseline, learned, clairvoyant);
- :func:`rollout` — one episode of a policy or an SB3 model (what evaluation, validation and
  imitation run);
- :func:`train` / :class:`TrainConfig` — SB3 training with validation, checkpoints, resume,
  warm-started by :func:`demonstrations` / :func:`clone` (imitation of hindsight plans);
- :func:`evaluate` / :func:`summarize` — every policy on the same realizations, paired CIs,
  the hindsight bound checked on every seed; :func:`run_tasks` runs them in local processes
  or on Ray (``backend="ray"``);
- :func:`load_model`, :func:`shipped_model`;
- :func:`continue_with_policy` — a live plan followed to a time, a policy's moves after
  (the service's ``POST /plans/{id}/events?policy=``).

Lazy: importing this package imports neither torch nor stable-baselines3.
"""

from __future__ import annotations

from mmroute._lazy import lazy_exports

_LAZY: dict[str, str] = {
    "Policy": "mmroute.agents.policies",
    "RandomPolicy": "mmroute.agents.policies",
    "GreedyPolicy": "mmroute.agents.policies",
    "StaticPolicy": "mmroute.agents.policies",
    "ReplanPolicy": "mmroute.agents.policies",
    "AnticipatePolicy": "mmroute.agents.policies",
    "HindsightPolicy": "mmroute.agents.policies",
    "PPOPolicy": "mmroute.agents.policies",
    "make_policy": "mmroute.agents.policies",
    "POLICIES": "mmroute.agents.registry",
    "OR_POLICIES": "mmroute.agents.registry",
    "REGISTRY": "mmroute.agents.registry",
    "PolicyEntry": "mmroute.agents.registry",
    "default_policies": "mmroute.agents.registry",
    "rollout": "mmroute.agents.rollout",
    "Rollout": "mmroute.agents.rollout",
    "TrainConfig": "mmroute.agents.training",
    "train": "mmroute.agents.training",
    "demonstrations": "mmroute.agents.imitation",
    "clone": "mmroute.agents.imitation",
    "Demonstrations": "mmroute.agents.imitation",
    "evaluate": "mmroute.agents.evaluation",
    "run_episode": "mmroute.agents.evaluation",
    "episode": "mmroute.agents.evaluation",
    "evaluate_per_shipment": "mmroute.agents.evaluation",
    "summarize": "mmroute.agents.evaluation",
    "format_summary": "mmroute.agents.evaluation",
    "BoundViolation": "mmroute.agents.evaluation",
    "run_tasks": "mmroute.agents.parallel",
    "BACKENDS": "mmroute.agents.parallel",
    "load_model": "mmroute.agents.model_files",
    "shipped_model": "mmroute.agents.shipped",
    "continue_with_policy": "mmroute.agents.live",
    "parse_seeds": "mmroute.agents.seeds",
    "TRAINING": "mmroute.agents.seeds",
    "VALIDATION": "mmroute.agents.seeds",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_exports(globals(), _LAZY)
