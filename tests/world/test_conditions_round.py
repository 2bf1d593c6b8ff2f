"""``round_h``'s fast path agrees with ``round(t, 6)`` bit for bit."""

from __future__ import annotations

import math

import numpy as np

from mmroute.world.conditions import round_h


def _same(a: float, b: float) -> bool:
    return a.hex() == b.hex() or (math.isnan(a) and math.isnan(b))


def test_round_h_is_round_to_six_decimals_bit_for_bit():
    rng = np.random.default_rng(0)
    n = 20_000
    micro = rng.integers(-10**10, 10**10, n)
    values = [
        *rng.uniform(-1e4, 1e4, n).tolist(),
        *rng.uniform(0.0, 5e6, n).tolist(),
        *(micro / 1e6).tolist(),  # on the grid
        *((micro + 0.5) / 1e6).tolist(),  # halves: round half to even on the exact value
        *((micro / 1e6) + rng.choice([1e-12, -1e-12, 4e-7, 5e-7, -5e-7], n)).tolist(),
        *rng.uniform(-1e-6, 1e-6, n).tolist(),  # rounds to +-0.0
        *(rng.integers(0, 2000, n) + rng.integers(0, 60, n) / 60).tolist(),  # minutes
        0.0, -0.0, 5e-7, -5e-7, 1.5e-6, 2.5e-6, 4e6, -4e6, 3.9999999e6, 1e15 + 0.3, 1e300,
        -1e300, math.inf, -math.inf, math.nan, 0.1 + 0.2, 24.000000499999998,
    ]
    bad = [t for t in values if not _same(round_h(t), round(t, 6))]
    assert bad == []
