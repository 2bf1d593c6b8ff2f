"""Streams seeded together are numpy's ``default_rng([seed, source, key])``, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from mmroute.scenarios import load
from mmroute.world.realization import SOURCES, stream, streams
from mmroute.world.seeding import seed_words
from mmroute.world.seeding import streams as seeded


def _same(got: np.random.Generator, want: np.random.Generator) -> None:
    assert got.bit_generator.state == want.bit_generator.state
    assert got.lognormal(-0.02, 0.2, 7).tolist() == want.lognormal(-0.02, 0.2, 7).tolist()


@pytest.mark.parametrize("prefix, keys", [
    ((0, 0), [0, 1, 2, 31]), ((2**32 - 1, 4), [2**32 - 1, 0]), ((12,), [0, 5]),
    ((0, 0, 0), [9]), ((7, 2), []), ((3, 0), list(range(40))),
    ((2**32 - 1, 5), [2**32 - 1, *range(20)]),
    ((2**32, 1), list(range(20))),  # a seed of two words: numpy's own seeding
    ((1, 2, 3), [2**33, *range(20)]),  # five words: numpy's own seeding
])
def test_batch_streams_are_default_rng(prefix, keys):
    got = seeded(prefix, keys)
    assert len(got) == len(keys)
    for g, k in zip(got, keys):
        _same(g, np.random.default_rng([*prefix, k]))


def test_many_random_keys():
    rng = np.random.default_rng(3)
    for seed in rng.integers(0, 2**32, 10).tolist():
        keys = rng.integers(0, 2**32, 40).tolist()
        words = seed_words((seed, SOURCES["road_noise"]), keys)
        for row, k in zip(words, keys):
            want = np.random.SeedSequence([seed, SOURCES["road_noise"], k]).generate_state(
                4, np.uint64)
            assert row.tolist() == want.tolist()


def test_each_stream_is_its_own_generator():
    a, b, *_ = seeded((5, 0), range(1, 40))
    a.random(100)  # drawing from one leaves the other where it was
    _same(b, np.random.default_rng([5, 0, 2]))


def test_realization_streams_are_its_single_streams():
    for g, k in zip(streams(11, "quantities", range(6)), range(6)):
        _same(g, stream(11, "quantities", k))


def test_a_negative_word_is_refused_as_numpy_refuses_it():
    with pytest.raises(ValueError):
        seeded((1, 0), [-1, *range(20)])
    with pytest.raises(ValueError):
        seed_words((1, 0), [-1])


def test_road_noise_is_drawn_from_the_single_streams():
    from mmroute.world.realization import realize

    sc = load("liuzhou-asean")
    sigma = sc.uncertainty.road_traffic.noise_sigma
    noise = realize(sc, 4).events.road_noise
    road = [i for i, lk in enumerate(sc.links) if lk.mode == "road"]
    assert [rn.link for rn in noise] == [sc.links[i].id for i in road]
    for rn, i in zip(noise, road):
        f = stream(4, "road_noise", i).lognormal(-sigma * sigma / 2, sigma, size=len(rn.factors))
        assert rn.factors == tuple(f.round(4).tolist())
