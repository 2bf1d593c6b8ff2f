"""The cost-CO2 Pareto front by epsilon-constraint."""

from __future__ import annotations

from mmroute.routing.plan.pareto import pareto_front
from tests.routing.test_plan_helpers import links, make


def test_the_front_runs_from_cheap_road_to_green_rail_and_is_non_dominated():
    cheap_road = links()
    cheap_road[1]["cost_per_teu_km_cny"] = 1.0  # road 300/TEU and 600 kg; rail route 600, 124 kg
    front = pareto_front(make(links=cheap_road), time_limit_s=20, seed=0, points=4)
    assert [round(p.co2_kg) for p in front] == [248, 1200]
    assert [round(p.cost_cny) for p in front] == [1200, 600]
    assert all(p.status == "optimal" for p in front)
    for a, b in zip(front, front[1:]):
        assert a.co2_kg < b.co2_kg and a.cost_cny > b.cost_cny
