"""mmroute.envs: the episode simulator and the Gymnasium environment.

- :func:`realize` / :class:`Realization` — every exogenous draw of one episode (seeded; they
  live in :mod:`mmroute.world`, re-exported here).
- :class:`Simulator` — discrete-event dynamics of the plan MIP; :func:`replay` runs a plan.
- :class:`RerouteEnv` — ``gymnasium.make("mmroute/Reroute-v0", scenario=...)``.
- :class:`EnvTables` — the tables of a scenario an environment keeps across episodes.

Importing this package registers ``mmroute/Reroute-v0``.
"""

from __future__ import annotations

from gymnasium.envs.registration import register, registry

from mmroute._lazy import lazy_exports

ENV_ID = "mmroute/Reroute-v0"

if ENV_ID not in registry:
    # No wrappers: what gym.make returns is the RerouteEnv itself, so that action_masks(),
    # slots, decision and step_move are reachable (Gymnasium 1.x wrappers forward no
    # attributes). What the default wrappers would add, the env does itself: step or render
    # before reset raise InputError (order), every episode ends (the simulator's guard, no
    # step cap needed), and it passes Gymnasium's and SB3's env checkers (tests/envs).
    register(id=ENV_ID, entry_point="mmroute.envs.reroute:RerouteEnv",
             order_enforce=False, disable_env_checker=True, kwargs={"scenario": "tiny"})

_LAZY: dict[str, str] = {
    "Realization": "mmroute.world.realization",
    "realize": "mmroute.world.realization",
    "scenario_hash": "mmroute.world.realization",
    "Simulator": "mmroute.envs.simulator",
    "Move": "mmroute.envs.simulator",
    "Decision": "mmroute.envs.simulator",
    "EpisodeResult": "mmroute.envs.simulator",
    "replay": "mmroute.envs.simulator",
    "per_shipment": "mmroute.envs.shipments",
    "Forecast": "mmroute.envs.forecast",
    "Candidate": "mmroute.envs.candidates",
    "RerouteEnv": "mmroute.envs.reroute",
    "EnvTables": "mmroute.envs.tables",
}

__all__ = ["ENV_ID", *_LAZY]

__getattr__, __dir__ = lazy_exports(globals(), _LAZY)
