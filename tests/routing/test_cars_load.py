"""Auto-carrier loading: the checker's rules, the heuristic and the exact CP-SAT proofs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mmroute.routing.cars import (
    DeckPlacement,
    ExactLoad,
    LoadItem,
    LoadParams,
    LoadResult,
    check_load,
    first_fit,
    load_exact,
    load_heuristic,
    mix_capacity,
    solve_load,
)
from tests.routing.cars_fixtures import MODELS, carrier


def _items(*spec):
    return [LoadItem(id=f"v{k}", model=m, stop=s) for k, (m, s) in enumerate(spec)]


def test_a_valid_hand_load_passes_the_checker():
    items = _items(("sedan", 2), ("small", 1), ("small", 1))
    load = [DeckPlacement("v0", "sedan", 2, "TR", 0.0), DeckPlacement("v1", "small", 1, "TL", 0.0),
            DeckPlacement("v2", "small", 1, "TL", 3.2)]
    rep = check_load(carrier(), MODELS, items, load)
    assert rep.feasible, rep.summary()
    assert rep.objective == 3
    assert rep.details["length_utilisation"] == pytest.approx(10.8 / 16.5)


def test_the_checker_rejects_a_vehicle_running_past_the_platform_end():
    items = _items(("sedan", 1), ("sedan", 1))
    load = [DeckPlacement("v0", "sedan", 1, "TR", 0.0), DeckPlacement("v1", "sedan", 1, "TR", 1.8)]
    rep = check_load(carrier(), MODELS, items, load)
    assert not rep.feasible
    assert any("beyond platform TR" in v.why for v in rep.violations)


def test_the_checker_rejects_vehicles_closer_than_the_gap():
    items = _items(("small", 1), ("small", 1))
    load = [DeckPlacement("v0", "small", 1, "TL", 0.0), DeckPlacement("v1", "small", 1, "TL", 3.1)]
    rep = check_load(carrier(), MODELS, items, load)
    assert any("< gap" in v.why for v in rep.violations)


def test_the_checker_rejects_an_over_height_vehicle():
    rep = check_load(carrier(), MODELS, _items(("mpv", 1)), [DeckPlacement("v0", "mpv", 1, "TR", 0.0)])
    assert not rep.feasible and "clears 1.6 m" in rep.reason


def test_the_checker_rejects_a_vehicle_above_the_legal_height():
    low_roof = carrier(envelope=carrier().envelope.__class__(max_length_m=22.0, max_width_m=2.55, max_height_m=2.0))
    rep = check_load(low_roof, MODELS, _items(("small", 1)), [DeckPlacement("v0", "small", 1, "TR", 0.0)])
    assert "above the envelope" in rep.reason


def test_the_checker_rejects_an_over_weight_platform():
    light = carrier()
    tr = replace(light.platforms[0], max_weight_kg=1500)
    rep = check_load(carrier(platforms=(tr, light.platforms[1])), MODELS, _items(("small", 1), ("small", 1)),
                     [DeckPlacement("v0", "small", 1, "TR", 0.0), DeckPlacement("v1", "small", 1, "TR", 3.2)])
    assert rep.reason == "platform TR: carries 1600 kg > 1500 kg"


def test_the_checker_rejects_a_load_above_the_payload():
    items = _items(("sedan", 1), ("sedan", 1), ("small", 1))
    load = [DeckPlacement("v0", "sedan", 1, "TL", 0.0), DeckPlacement("v1", "sedan", 1, "TL", 5.0),
            DeckPlacement("v2", "small", 1, "TR", 0.0)]
    rep = check_load(carrier(payload_kg=3000), MODELS, items, load)
    assert rep.reason == "carrier: carries 3800 kg > payload 3000 kg"


def test_the_checker_rejects_a_lifo_violation_on_one_platform():
    # the stop-2 vehicle sits behind (towards the exit of) the stop-1 vehicle
    items = _items(("small", 1), ("small", 2))
    load = [DeckPlacement("v0", "small", 1, "TL", 0.0), DeckPlacement("v1", "small", 2, "TL", 3.2)]
    rep = check_load(carrier(), MODELS, items, load)
    assert not rep.feasible and "blocked by v1" in rep.reason


def test_the_checker_rejects_a_lifo_violation_across_the_exit_chain():
    # the tractor deck exits across the trailer deck: a later stop there blocks it
    items = _items(("small", 1), ("small", 2))
    load = [DeckPlacement("v0", "small", 1, "TR", 0.0), DeckPlacement("v1", "small", 2, "TL", 0.0)]
    assert "blocked by v1" in check_load(carrier(), MODELS, items, load).reason


def test_the_checker_rejects_missing_duplicate_and_foreign_vehicles():
    items = _items(("small", 1), ("small", 1))
    load = [DeckPlacement("v0", "small", 1, "TL", 0.0), DeckPlacement("v0", "small", 1, "TL", 3.2),
            DeckPlacement("zz", "small", 1, "TR", 0.0)]
    whys = {v.where: v.why for v in check_load(carrier(), MODELS, items, load).violations}
    assert whys["vehicle v1"] == "not loaded" and whys["vehicle v0"] == "placed 2 times"
    assert "not a vehicle of this load" in whys["vehicle zz"]


def test_the_heuristic_loads_later_stops_deep_and_passes_the_checker():
    items = _items(("small", 2), ("small", 2), ("mpv", 1), ("sedan", 1))
    load = load_heuristic(carrier(), MODELS, items, seed=0)
    assert len(load) == 4
    assert {p.platform for p in load if p.stop == 2} == {"TR"}
    assert check_load(carrier(), MODELS, items, load).feasible


def test_first_fit_is_a_valid_partial_load_when_not_everything_fits():
    items = _items(*[("sedan", 1)] * 5)
    placed, left = first_fit(carrier(), MODELS, items)
    assert len(placed) == 3 and len(left) == 2
    assert check_load(carrier(), MODELS, [i for i in items if i.id in {p.vehicle for p in placed}], placed).feasible


def test_the_exact_model_proves_a_hand_made_optimum():
    # 5 small cars: TL takes 3 (3x3.0 + 2x0.2 = 9.4 <= 10), TR takes 2 (6.2 <= 6.5; 1600 kg <= 2000)
    items = _items(*[("small", 1)] * 6)
    ex = load_exact(carrier(), MODELS, items, time_limit_s=10, seed=0)
    assert ex.status == "optimal" and ex.n_loaded == 5 and ex.bound == 5
    assert check_load(carrier(), MODELS, [i for i in items if i.id in {p.vehicle for p in ex.placements}],
                      ex.placements).feasible


def test_the_exact_model_proves_a_hand_made_infeasibility_the_counts_miss():
    # two MPVs (stop 1, 2) and a sedan: by length (14.4 + gaps <= 16.5) and weight they fit,
    # but MPVs only clear TL (10 m: two MPVs + gap = 9.8 m) and the sedan then needs TR,
    # where it exits across TL: with the sedan for stop 1 and an MPV for stop 2 on TL, LIFO fails.
    items = _items(("mpv", 2), ("mpv", 2), ("sedan", 1))
    res = solve_load(carrier(), MODELS, items, time_limit_s=10, seed=0)
    assert res.status == "infeasible" and res.bound == 2 and res.solver == "cp-sat"
    assert not res.loaded
    # swapping the delivery order makes it loadable
    ok = solve_load(carrier(), MODELS, _items(("mpv", 1), ("mpv", 1), ("sedan", 2)), time_limit_s=10, seed=0)
    assert ok.loaded and ok.status == "optimal"


def test_counting_bounds_prove_an_overweight_load_infeasible_without_cp_sat():
    res = solve_load(carrier(), MODELS, _items(*[("sedan", 1)] * 4), time_limit_s=5, seed=0)
    assert res.status == "infeasible" and res.solver == "bounds" and "payload" in res.reason


def test_without_the_exact_model_an_unresolved_load_is_unknown():
    items = _items(("mpv", 2), ("mpv", 2), ("sedan", 1))
    res = solve_load(carrier(), MODELS, items, time_limit_s=5, seed=0, params=LoadParams(exact=False))
    assert res.status == "unknown"


def test_mix_capacity_counts_vehicles_of_the_load_mix_the_carrier_takes():
    load = [DeckPlacement("v0", "small", 1, "TL", 0.0)]
    assert mix_capacity(carrier(), MODELS, load) == 5


def test_load_results_round_trip_and_summarise():
    items = _items(("mpv", 2), ("mpv", 2), ("sedan", 1))
    res = solve_load(carrier(), MODELS, items, time_limit_s=10, seed=0)
    assert LoadResult.from_dict(res.to_dict()) == res
    assert res.summary().startswith("2/3 vehicles loaded, infeasible (bound 2, cp-sat")
    ex = load_exact(carrier(), MODELS, items, time_limit_s=10, seed=0)
    assert ExactLoad.from_dict(ex.to_dict()) == ex and "bound 2" in ex.summary()


def test_the_top_level_package_re_exports_the_cars_solver_and_checker():
    import mmroute
    from mmroute.routing import cars

    assert mmroute.solve_cars is cars.solve_cars and mmroute.check_cars_plan is cars.check_cars_plan


def test_the_cars_old_names_resolve_with_a_deprecation_warning():
    """``Placement`` (a second class of that name beside the loading one), ``check_plan`` (a
    second function of that name beside the world's) and module ``cars.plan`` were renamed."""
    import importlib

    from mmroute.routing import cars

    with pytest.warns(DeprecationWarning, match="DeckPlacement"):
        assert cars.Placement is cars.DeckPlacement
    with pytest.warns(DeprecationWarning, match="check_cars_plan"):
        assert cars.check_plan is cars.check_cars_plan
    old = importlib.import_module("mmroute.routing.cars.plan")
    with pytest.warns(DeprecationWarning, match="has moved"):
        assert old.CarsPlan is cars.CarsPlan
