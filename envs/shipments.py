"""Per-shipment rows of a finished episode (or of a plan): :func:`per_shipment`. The rows and
the drop reasons are those of :mod:`mmroute.world.shipments`."""

from __future__ import annotations

from dataclasses import replace

from mmroute.envs.simulator import Simulator
from mmroute.errors import InputError
from mmroute.scenarios.model import Scenario
from mmroute.world.plan import Plan
from mmroute.world.shipments import ShipmentRow, plan_rows, row_of

__all__ = ["per_shipment"]


def per_shipment(sim_or_plan: Simulator | Plan, scenario: Scenario | None = None
                 ) -> list[ShipmentRow]:
    """One :class:`~mmroute.world.shipments.ShipmentRow` per consignment of a simulator (its
    episode so far; ``objective_cny`` what the episode charged it; a drop keeps the route, cost and CO2 travelled before it, the node and
    time of the drop and its reason as the simulator found it), or per itinerary of a
    ``Plan`` of ``scenario`` (required then: a plan does not hold its shipments)."""
    if isinstance(sim_or_plan, Plan):
        if scenario is None:
            raise InputError("per_shipment of a plan needs its scenario", field="scenario")
        return plan_rows(sim_or_plan, scenario)
    if not isinstance(sim_or_plan, Simulator):
        raise InputError(f"expected a Simulator or a Plan, got {type(sim_or_plan).__name__}")
    sim = sim_or_plan
    its = {it.shipment: it for it in sim.trajectory().itineraries}
    out = []
    for c in sim.consignments:
        s = c.shipment
        it = its[s.id]
        row = row_of(it, s.origin, s.destination, s.release_h, s.due_h, legs=c.legs,
                     cost_cny=c.cost_cny, co2_kg=c.co2_kg, drop_node=c.drop_node,
                     drop_h=c.drop_h, drop_reason=c.drop_reason)
        out.append(replace(row, objective_cny=c.objective_cny))  # what the episode charged
    return out
