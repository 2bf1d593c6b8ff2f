"""Small scenarios for the multimodal plan tests (no tests here; shared builders).

The base network, worked out by hand (no start time, so no road time-of-day profile):

    A --road 60 km, 1 h, 300/TEU--> B --rail (daily at 10 h, cut-off 2 h, 10 h, 200/TEU)--> C
    A --road 300 km, 5 h, 1500/TEU--> C
    B --road 200 km, 10/3 h, 1000/TEU--> C

B handles in 2 h at 100/TEU. One shipment of 2 TEU from A at 0 h, due at 48 h: by road to B
(arrives 1 h, ready 3 h <= cut-off 8 h), rail at 10 h, at C at 20 h: 2 x 600 = 1200 CNY.
"""

from __future__ import annotations

import copy
from typing import Any

from mmroute.scenarios import Scenario, parse

BASE: dict[str, Any] = {
    "name": "plan-test",
    "horizon_h": 120,
    "nodes": [
        {"id": "A", "kind": "plant", "lon": 109.0, "lat": 24.0},
        {"id": "B", "kind": "rail_terminal", "lon": 109.5, "lat": 24.0,
         "handling_time_h": 2, "handling_cost_cny": 100},
        {"id": "C", "kind": "dealer", "lon": 111.0, "lat": 24.0},
    ],
    "links": [
        {"id": "AB", "from": "A", "to": "B", "mode": "road", "distance_km": 60, "speed_kmh": 60,
         "cost_per_teu_km_cny": 5, "co2_kg_per_teu_km": 2.0},
        {"id": "AC", "from": "A", "to": "C", "mode": "road", "distance_km": 300,
         "speed_kmh": 60, "cost_per_teu_km_cny": 5, "co2_kg_per_teu_km": 2.0},
        {"id": "BC-rail", "from": "B", "to": "C", "mode": "rail", "distance_km": 200,
         "transit_time_h": 10, "cost_per_teu_km_cny": 1, "co2_kg_per_teu_km": 0.02,
         "capacity_teu": 10,
         "timetable": {"period_h": 24, "departures_h": [10], "cutoff_h": 2}},
    ],
    "shipments": [
        {"id": "S1", "origin": "A", "destination": "C", "quantity_teu": 2, "release_h": 0,
         "due_h": 48, "lateness_penalty_cny_per_teu_h": 100},
    ],
    "objective": {"cost_weight": 1.0, "co2_price_cny_per_t": 0, "lateness_cny_per_teu_h": 100},
}

BC_ROAD = {"id": "BC-road", "from": "B", "to": "C", "mode": "road", "distance_km": 200,
           "speed_kmh": 60, "cost_per_teu_km_cny": 5, "co2_kg_per_teu_km": 2.0}


def make(**changes: Any) -> Scenario:
    """The base scenario with top-level keys replaced, e.g. ``make(shipments=[...])``."""
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(changes))
    return parse(data)


def shipment(sid: str = "S1", **kw: Any) -> dict[str, Any]:
    """A shipment A -> C like the base one, with fields replaced."""
    d = dict(BASE["shipments"][0], id=sid)
    d.update(kw)
    return d


def links(*extra: dict[str, Any], rail_capacity: float | None = None) -> list[dict[str, Any]]:
    """The base links plus ``extra`` (and a changed rail capacity)."""
    out = copy.deepcopy(BASE["links"]) + [dict(e) for e in extra]
    if rail_capacity is not None:
        out[2]["capacity_teu"] = rail_capacity
    return out
