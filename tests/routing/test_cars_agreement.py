"""The heuristic, the exact model and the checker agree on random loads of the bundled carriers."""

from __future__ import annotations

import numpy as np
import pytest

from mmroute.routing.cars import LoadItem, check_load, load_exact, load_heuristic
from mmroute.scenarios import load

_SC = load("liuzhou-cars")
_MODELS = {m.id: m for m in _SC.cars.models}


@pytest.mark.parametrize("carrier_index", [0, 1, 2])
def test_heuristic_and_exact_loads_pass_the_checker_and_the_exact_bound_holds(carrier_index):
    carrier = _SC.cars.carrier_types[carrier_index]
    rng = np.random.default_rng(carrier_index)
    ids = list(_MODELS)
    for trial in range(8):
        n = int(rng.integers(3, 9))
        items = [LoadItem(id=f"v{k}", model=ids[int(rng.integers(len(ids)))], stop=int(rng.integers(1, 4)))
                 for k in range(n)]
        heur = load_heuristic(carrier, _MODELS, items, seed=trial)
        loaded = {p.vehicle for p in heur}
        assert check_load(carrier, _MODELS, [i for i in items if i.id in loaded], heur).feasible
        ex = load_exact(carrier, _MODELS, items, time_limit_s=5, seed=trial, hint=heur)
        got = {p.vehicle for p in ex.placements}
        assert check_load(carrier, _MODELS, [i for i in items if i.id in got], ex.placements).feasible
        assert ex.status == "optimal"
        assert len(heur) <= ex.n_loaded == ex.bound <= n
