"""The cost-CO2 Pareto front by epsilon-constraint: non-dominated, never cut by dropping cargo,
every point with its checked plan, status and marks."""

from __future__ import annotations

import csv

import pytest

from mmroute.routing.plan import PlanParams, solve_plan
from mmroute.routing.plan.pareto import (
    PARETO_COLUMNS,
    ParetoPoint,
    non_dominated,
    pareto_front,
    plot_pareto,
    point_ends,
    write_pareto_csv,
)
from mmroute.world.check import check_plan
from tests.routing.test_plan_helpers import BASE, links, make, shipment


def test_the_front_runs_from_cheap_road_to_green_rail_and_is_non_dominated():
    cheap_road = links()
    cheap_road[1]["cost_per_teu_km_cny"] = 1.0  # road 300/TEU and 600 kg; rail route 600, 124 kg
    front = pareto_front(make(links=cheap_road), time_limit_s=20, seed=0, points=4)
    assert [round(p.co2_kg) for p in front] == [248, 1200]
    assert [round(p.cost_cny) for p in front] == [1200, 600]
    assert all(p.status == "optimal" and p.proven for p in front)
    for a, b in zip(front, front[1:]):
        assert a.co2_kg < b.co2_kg and a.cost_cny > b.cost_cny


def _drop_trap():
    """S1 (2 TEU A -> C): road 600 CNY / 1200 kg or rail 1200 CNY / 248 kg. S2 (2 TEU A -> B)
    has road only, 120 CNY / 240 kg. A drop costs 680 CNY: the cheapest plan delivers both,
    but under a cap of 1200 kg dropping S1 (+80 CNY) is cheaper than moving it by rail."""
    cheap_road = links()
    cheap_road[0]["cost_per_teu_km_cny"] = 1.0
    cheap_road[1]["cost_per_teu_km_cny"] = 1.0
    objective = dict(BASE["objective"], drop_penalty_cny_per_teu=340.0)
    return make(links=cheap_road, objective=objective,
                shipments=[shipment("S1"), shipment("S2", destination="B")])


def test_bug_the_front_never_cuts_co2_by_dropping_cargo():
    sc = _drop_trap()
    trap = solve_plan(sc, time_limit_s=20, seed=0, params=PlanParams(co2_price=0.0, co2_cap_kg=1200.0))
    assert any(it.dropped for it in trap.itineraries)  # the trap is real
    front = pareto_front(sc, time_limit_s=20, seed=0, points=5)
    assert [round(p.co2_kg) for p in front] == [488, 1440]
    for p in front:
        assert p.dropped_teu == 0.0
        assert not any(it.dropped for it in p.plan.itineraries)
        assert check_plan(sc, p.plan).ok
        assert (p.co2_kg, p.cost_cny) == (p.plan.co2_kg, p.plan.objective)


def test_every_point_delivers_what_the_cost_optimal_plan_delivers_and_drops_the_rest():
    # S3 cannot reach C in time at any price below its drop penalty: the cheapest plan drops
    # it, and so does every point (delivering it would not be the same cargo)
    late = shipment("S3", due_h=1, lateness_penalty_cny_per_teu_h=1e6)
    sc = make(links=_drop_trap_links(), shipments=[shipment("S1"), late])
    front = pareto_front(sc, time_limit_s=20, seed=0, points=4)
    assert len(front) == 2
    for p in front:
        assert p.dropped_teu == 2.0
        assert [it.shipment for it in p.plan.itineraries if it.dropped] == ["S3"]


def _drop_trap_links():
    out = links()
    out[1]["cost_per_teu_km_cny"] = 1.0
    return out


def test_delivered_share_holds_a_shipment_delivered_or_dropped():
    sc = _drop_trap()
    held = PlanParams(co2_price=0.0, co2_cap_kg=1200.0,
                      delivered_share=(("S1", 1.0), ("S2", 1.0)))
    plan = solve_plan(sc, time_limit_s=20, seed=0, params=held)
    assert not any(it.dropped for it in plan.itineraries)
    assert plan.co2_kg <= 1200.0 and check_plan(sc, plan).ok
    dropped = solve_plan(sc, time_limit_s=20, seed=0,
                         params=PlanParams(delivered_share=(("S1", 0.0),)))
    assert [it.shipment for it in dropped.itineraries if it.dropped] == ["S1"]


@pytest.mark.parametrize("pairs, message", [
    ((("S1", 0.5),), "0 or 1 unless splittable"),
    ((("S1", 2.0),), "in [0, 1]"),
    ((("S1", 1.0), ("S1", 1.0)), "named twice"),
    ((("nope", 1.0),), "unknown shipment 'nope'"),
])
def test_a_bad_delivered_share_names_the_pair(pairs, message):
    from mmroute.errors import InputError

    with pytest.raises(InputError, match="params.delivered_share") as err:
        solve_plan(_drop_trap(), time_limit_s=5, seed=0, params=PlanParams(delivered_share=pairs))
    assert message in str(err.value)


def test_held_deliveries_under_a_cap_no_plan_meets_are_infeasible():
    from mmroute.errors import InfeasibleError

    held = PlanParams(co2_cap_kg=100.0, delivered_share=(("S1", 1.0), ("S2", 1.0)))
    with pytest.raises(InfeasibleError):
        solve_plan(_drop_trap(), time_limit_s=5, seed=0, params=held)


def _point(co2, cost, status="optimal", gap=0.0):
    return ParetoPoint(co2_kg=co2, cost_cny=cost, transport_cny=cost, co2_cap_kg=None,
                       status=status, gap=gap, time_s=1.0)


def test_a_timeout_point_is_marked_in_the_csv_and_the_ends_are_labelled(tmp_path):
    front = (_point(100, 900, "timeout", 0.63), _point(200, 500), _point(300, 400))
    path = write_pareto_csv(front, tmp_path / "f.csv")
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == PARETO_COLUMNS
    assert [r["status"] for r in rows] == ["timeout", "optimal", "optimal"]
    assert [r["proven"] for r in rows] == ["no", "yes", "yes"]
    assert [r["end"] for r in rows] == ["co2", "", "cost"]
    assert [r["point"] for r in rows] == ["1", "2", "3"]
    assert float(rows[0]["gap"]) == 0.63 and [float(r["dropped_teu"]) for r in rows] == [0, 0, 0]
    assert plot_pareto(front, tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"


def test_the_plot_draws_unproven_points_with_their_own_marker_and_legend(tmp_path, monkeypatch):
    import matplotlib.axes

    calls = []
    real = matplotlib.axes.Axes.scatter
    monkeypatch.setattr(matplotlib.axes.Axes, "scatter",
                        lambda self, x, y, **kw: calls.append((list(x), kw)) or real(self, x, y, **kw))
    plot_pareto((_point(100, 900, "timeout", 0.63), _point(300, 400)), tmp_path / "f.png")
    assert [(x, kw["marker"], kw["label"].split()[0]) for x, kw in calls] == [
        ([0.3], "o", "optimal"), ([0.1], "X", "not")]


def test_one_point_is_both_ends_and_dominated_or_repeated_points_go():
    assert point_ends((_point(1, 1),)) == ["both"]
    pts = [_point(200, 500, "feasible", None), _point(200, 500), _point(250, 600), _point(300, 400)]
    front = non_dominated(pts)
    assert [(p.co2_kg, p.status) for p in front] == [(200, "optimal"), (300, "optimal")]


def test_old_keywords_and_hand_built_points_still_work():
    p = ParetoPoint(co2_kg=1.0, cost_cny=2.0, transport_cny=2.0, co2_cap_kg=None,
                    status="optimal", gap=0.0, time_s=0.1)
    assert p.plan is None and p.dropped_teu == 0.0
    with pytest.warns(DeprecationWarning):
        front = pareto_front(make(), time_limit_s=10, seed=0, points=2, solver="highs")
    assert front and all(q.plan is not None for q in front)
