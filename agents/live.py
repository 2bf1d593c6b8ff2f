"""A live plan continued by a policy: the plan's moves up to the current time, then a policy's.

:func:`continue_with_policy` runs the simulator on a world that holds exactly the events
known (the plan's and the new ones; nominal quantities, no late orders, no road noise drawn):
each consignment takes its planned moves while its decisions fall before ``time_h`` (what is
sunk stays sunk; a planned move the new events no longer allow is the policy's to replace),
and from ``time_h`` on ``policy`` (any registered one: an OR baseline, or a learned one with
its model) chooses each next move. From ``time_h`` on the policy knows every event in full
(:attr:`Realization.announced_h <mmroute.world.realization.Realization.announced_h>`), as the
MIP re-planning at ``time_h`` is given them (:meth:`KnownEvents.known_at
<mmroute.world.events.KnownEvents.known_at>`: one rule for both); before ``time_h`` each
event becomes known at its onset, as in an episode. The result is the finished simulator (its :meth:`~mmroute.envs.Simulator.trajectory`
is the whole plan as travelled).
"""

from __future__ import annotations

from pathlib import Path

from mmroute.errors import InputError
from mmroute.scenarios.model import Scenario
from mmroute.world.events import KnownEvents
from mmroute.world.plan import Plan
from mmroute.world.realization import Realization, scenario_hash

__all__ = ["known_world", "continue_with_policy"]


def known_world(scenario: Scenario, events: KnownEvents, *, seed: int = 0,
                announced_h: float | None = None) -> Realization:
    """The realization of what is known: ``events`` (all known in full from ``announced_h``
    on; ``None``: each at its onset), the shipments as the scenario has them, no late
    orders."""
    return Realization(scenario_name=scenario.name, scenario_hash=scenario_hash(scenario),
                       seed=seed, events=events,
                       quantities_teu=tuple((s.id, s.quantity_teu) for s in scenario.shipments),
                       late_orders=(), announced_h=announced_h)


def continue_with_policy(scenario: Scenario, plan: Plan, time_h: float, events: KnownEvents,
                         policy: str, *, model: str | Path | None = None,
                         time_limit_s: float = 10.0, seed: int = 0):
    """``plan`` followed before ``time_h``, ``policy`` after (see the module docstring);
    returns the finished :class:`~mmroute.envs.Simulator`. :class:`InputError` for a
    splittable plan or an unknown policy."""
    from mmroute.agents.policies import make_policy
    from mmroute.envs.reroute import RerouteEnv
    from mmroute.envs.simulator import Move, moves_of

    if plan.splittable:
        raise InputError("a splittable plan cannot be followed move by move", field="plan")
    pol = make_policy(policy, model=model, scenario=scenario, time_limit_s=time_limit_s,
                      seed=seed)
    env = RerouteEnv(scenario)
    env.reset(options={"realization": known_world(scenario, events, seed=seed,
                                                  announced_h=float(time_h))})
    pol.reset(env)
    queue = {it.shipment: moves_of(it) for it in plan.itineraries}
    while (d := env.decision) is not None:
        sid = env.sim.consignments[d.consignment].shipment.id
        todo = queue.get(sid)
        if d.time_h < time_h and todo:
            move = todo.pop(0)
            try:
                env.step_move(move)
                continue
            except InputError:  # the new events forbid it: from here the policy decides
                queue[sid] = []
        action = pol.act(env)
        if isinstance(action, Move):
            env.step_move(action)
        else:
            env.step(action)
    return env.sim
