"""Fixtures for scenario tests: a small valid scenario as plain data."""

from __future__ import annotations

import copy
from typing import Any

import pytest

_BASE: dict[str, Any] = {
    "name": "mini",
    "start": "2026-03-02T00:00",
    "horizon_h": 200,
    "nodes": [
        {"id": "A", "kind": "plant", "lon": 109.41, "lat": 24.33},
        {"id": "B", "kind": "port", "lon": 108.60, "lat": 21.68, "handling_time_h": 3,
         "handling_cost_cny": 100, "capacity_teu_per_day": 100},
        {"id": "C", "kind": "port", "lon": 106.68, "lat": 20.86},
    ],
    "links": [
        {"from": "A", "to": "B", "mode": "road", "bidirectional": True},
        {"from": "A", "to": "B", "mode": "rail", "capacity_teu": 50,
         "timetable": {"period_h": 24, "departures_h": [8], "cutoff_h": 4}},
        {"from": "B", "to": "C", "mode": "sea", "distance_km": 535, "capacity_teu": 80,
         "timetable": {"period_h": 48, "departures_h": [20], "cutoff_h": 6}},
    ],
    "shipments": [
        {"id": "S1", "origin": "A", "destination": "C", "quantity_teu": 5, "due_h": 96},
        {"id": "S2", "origin": "A", "destination": "B", "quantity_teu": 2, "release_h": 10,
         "due_h": 40},
    ],
    "fleet": {
        "depots": [{"id": "D", "node": "A"}],
        "vehicle_types": [{"id": "t", "depot": "D", "count": 2, "capacity_kg": 10000,
                           "inner_dims_m": [9.6, 2.3, 2.5]}],
        "customers": [{"id": "c1", "node": "B", "demand_kg": 500, "window_h": [8, 12],
                       "boxes": [{"type": "p", "dims_m": [1.2, 1.0, 1.0], "weight_kg": 250,
                                  "quantity": 2}]}],
    },
    "uncertainty": {
        "road_traffic": {"hourly_multipliers": [1.0] * 24, "noise_sigma": 0.1},
        "weather": [{"id": "ty", "kind": "typhoon", "probability": 0.3, "months": [8, 9],
                     "area": [[107, 19], [110, 19], [110, 22], [107, 22]],
                     "start_h": [0, 100], "duration_h": [24, 48], "effect": "close"}],
        "disruptions": [{"id": "cong", "kind": "port_congestion", "target": "B",
                         "probability": 0.5, "start_h": [0, 50], "duration_h": [10, 20],
                         "delay_h": [5, 10]}],
        "demand": {"quantity_cv": 0.1},
    },
    "objective": {"co2_price_cny_per_t": 50},
}


@pytest.fixture
def base_data() -> dict[str, Any]:
    """A fresh deep copy of a small valid scenario (3 nodes, road/rail/sea, fleet, uncertainty)."""
    return copy.deepcopy(_BASE)
