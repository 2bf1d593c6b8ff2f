"""What a re-planning policy may know mid-episode, in the plan MIP's terms: the scenario as
known now (released shipments with their realised quantities, the rest nominal, late orders
only once released) and the :class:`~mmroute.routing.plan.PlanState` of every consignment.

Nothing here reads the realization beyond what is known at the current time: a consignment on
its way is placed at the end of its leg at the arrival expected under the known conditions.
"""

from __future__ import annotations

import math
from dataclasses import replace

from mmroute.envs.simulator import Simulator
from mmroute.scenarios import Scenario
from mmroute.world.state import PlanState, Position

__all__ = ["known_scenario", "plan_state"]


def known_scenario(sim: Simulator) -> Scenario:
    """The scenario as known at ``sim.now``: released shipments as realised, scenario
    shipments not yet released at their nominal quantity, late orders once released."""
    t = sim.now + 1e-9
    realised = {c.shipment.id: c.shipment for c in sim.consignments}
    base = sim.nominal_scenario
    base_ids = {s.id for s in base.shipments}
    ships = [realised[s.id] if s.release_h <= t else s for s in base.shipments]
    ships += [c.shipment for c in sim.consignments
              if c.shipment.id not in base_ids and c.shipment.release_h <= t]
    key = tuple((s.id, s.quantity_teu) for s in ships)
    cache = sim.memo.known_scenarios  # the last one, kept for the episode
    if key not in cache:
        cache.clear()
        cache[key] = replace(base, shipments=tuple(ships))
    return cache[key]


def plan_state(sim: Simulator) -> PlanState:
    """The state of every known consignment at ``sim.now`` for :func:`replan`."""
    cond = sim.known()
    now = sim.now
    positions = []
    for c in sim.released():
        sid = c.shipment.id
        if c.done:
            positions.append(Position(shipment=sid, delivered=True))
        elif c.status == "ready":
            positions.append(Position(shipment=sid, node=c.node, since_h=max(c.ready_h, now)))
        elif c.status == "booked" and c.booking is not None:  # committed to a departure
            lid, tt = c.booking
            lk = sim.links[lid]
            dep = tt + cond.departure_delay_h(lid, tt)
            arr = dep + cond.travel_time_h(lk, dep)
            positions.append(Position(shipment=sid, node=lk.to_node, since_h=max(arr, now),
                                      last_link=lid))
        elif c.status == "booked":  # a truck ordered for later
            path = [sim.links[x] for x in c.road_plan]
            arr = cond.road_trip(path, c.ready_h, check_open=False)[-1][1]
            positions.append(Position(shipment=sid, node=path[-1].to_node, since_h=max(arr, now),
                                      last_link=path[-1].id))
        elif c.status == "moving":
            positions.append(_on_the_way(sim, c, cond, now))
        else:  # pending: at its origin
            continue
    today = math.floor(now / 24 + 1e-9)
    handled = tuple((n, d, teu) for (n, d), teu in sorted(sim.node_load.items()) if d == today)
    road = tuple((lk, d, teu) for (lk, d), teu in sorted(sim.road_load.items()) if d == today)
    return PlanState(time_h=now, positions=tuple(positions), handled_teu=handled, road_teu=road)


def _on_the_way(sim: Simulator, c, cond, now: float) -> Position:
    """A consignment on a leg: at the leg's end at its expected arrival (known conditions)."""
    last = c.legs[-1]
    lk = sim.links[last.link]
    if lk.scheduled:
        arr = last.departure_h + cond.travel_time_h(lk, last.departure_h)
    else:  # the road trip it is on: its legs since the last scheduled one
        k = len(c.legs)
        while k > 0 and c.legs[k - 1].timetable_h is None:
            k -= 1
        trip = c.legs[k:]
        times = cond.road_trip([sim.links[lg.link] for lg in trip], trip[0].departure_h,
                               check_open=False)
        arr = times[-1][1]
    return Position(shipment=c.shipment.id, node=lk.to_node, since_h=max(arr, now + 1e-6),
                    last_link=lk.id)
