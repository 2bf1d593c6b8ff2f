"""A stream is ``default_rng([seed, source id, *keys])`` whatever form its keys take."""

from __future__ import annotations

import numpy as np
import pytest

from mmroute.world.realization import SOURCES, stream


@pytest.mark.parametrize("seed, source, keys", [
    (0, "road_noise", (0,)), (7, "forecast", (3, 120)), (2**32 - 1, "weather", (2**32 - 1,)),
    (2**32, "quantities", (5,)), (2**40 + 3, "forecast", (0, 0)), (12, "late_orders", ()),
    (3, "disruptions", (2**33,)), (0, "forecast", (0, 0)),
])
def test_stream_is_default_rng_of_the_key_list(seed, source, keys):
    want = np.random.default_rng([seed, SOURCES[source], *keys])
    got = stream(seed, source, *keys)
    assert got.bit_generator.state == want.bit_generator.state
    assert got.random(5).tolist() == want.random(5).tolist()


def test_streams_of_many_keys_are_the_list_streams():
    rng = np.random.default_rng(0)
    for _ in range(200):
        seed, k, hour = (int(x) for x in rng.integers(0, 2**31, 3))
        want = np.random.default_rng([seed, SOURCES["forecast"], k, hour]).bit_generator.state
        assert stream(seed, "forecast", k, hour).bit_generator.state == want


def test_a_negative_key_is_refused_as_numpy_refuses_it():
    with pytest.raises(ValueError):
        stream(-1, "weather", 0)
