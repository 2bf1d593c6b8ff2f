"""Road noise factors: finite and > 0, whatever form they come in."""

from __future__ import annotations

import math

import pytest

from mmroute.errors import InputError
from mmroute.scenarios import load
from mmroute.world.events import KnownEvents, RoadNoise


@pytest.fixture(scope="module")
def scenario():
    return load("tiny")


def _road(scenario) -> str:
    return next(lk.id for lk in scenario.links if lk.mode == "road")


@pytest.mark.parametrize("factors", [(1.0, 0.9, 1.2), (), (1, 2), (1e308, 1e308)])
def test_finite_positive_factors_pass(scenario, factors):
    KnownEvents(road_noise=(RoadNoise(_road(scenario), 0, factors),)).validate(scenario)


@pytest.mark.parametrize("factors", [(1.0, math.nan), (math.inf, 1.0), (1.0, 0.0), (-1.0, 2.0),
                                     (1e308, 1e308, -math.inf)])
def test_a_factor_not_finite_or_not_positive_is_refused(scenario, factors):
    with pytest.raises(InputError, match="finite and > 0"):
        KnownEvents(road_noise=(RoadNoise(_road(scenario), 0, factors),)).validate(scenario)


def test_drawn_factors_are_checked_once_and_equal_the_draws_one_by_one():
    """realize checks the drawn factors as one array and keeps them packed (CheckedFactors:
    validate skips them); they are the draws of each road link's own stream, rounded, the
    same floats a plain tuple holds: equal to it, hashed and shown as it, indexed alike."""
    import numpy as np

    from mmroute.world.events import CheckedFactors
    from mmroute.world.realization import NOISE_SLACK_H, realize, stream

    sc = load("liuzhou-asean")
    r = realize(sc, 5)
    sigma = sc.uncertainty.road_traffic.noise_sigma
    hours = int(math.ceil(sc.horizon_h)) + NOISE_SLACK_H
    road = [i for i, lk in enumerate(sc.links) if lk.mode == "road"]
    assert [rn.link for rn in r.events.road_noise] == [sc.links[i].id for i in road]
    for i, rn in zip(road, r.events.road_noise):
        want = tuple(stream(5, "road_noise", i).lognormal(-sigma * sigma / 2, sigma, size=hours)
                     .round(4).tolist())
        f = rn.factors
        assert type(f) is CheckedFactors and f == want and want == f and not f != want
        assert len(f) == len(want) and tuple(f) == want and list(f) == list(want)
        assert all(type(f[k]) is float and f[k] == want[k] for k in (0, 1, -1, hours // 2))
        assert hash(f) == hash(want) and repr(f) == repr(want)
        assert np.isfinite(f).all() and min(f) > 0
        assert rn == RoadNoise(rn.link, 0, want) and hash(rn) == hash(RoadNoise(rn.link, 0, want))
        assert type(f[:3]) is tuple and f[:3] == want[:3]  # a slice is a plain tuple
        assert f[:2] + (1.0,) == want[:2] + (1.0,) and (1.0,) + f == (1.0,) + want
        assert f != list(want)  # a tuple's equality: not equal to a list
        assert RoadNoise.from_dict(rn.to_dict()) == rn
    r.events.validate(sc)


def test_packed_factors_give_the_travel_times_of_the_tuple():
    """Conditions read packed factors (their array) and a tuple of the same floats alike."""
    import dataclasses

    from mmroute.world.conditions import Conditions
    from mmroute.world.realization import realize

    sc = load("liuzhou-asean")
    ev = realize(sc, 3).events
    plain = dataclasses.replace(ev, road_noise=tuple(
        RoadNoise(rn.link, rn.from_hour, tuple(rn.factors)) for rn in ev.road_noise))
    packed, tupled = Conditions(sc, ev), Conditions(sc, plain)
    for lk in sc.links:
        if lk.mode == "road":
            for t in (0.0, 7.5, 100.25, 333.0, 1e5):
                assert packed.travel_time_h(lk, t) == tupled.travel_time_h(lk, t)
                assert packed.noise_factor(lk.id, t) == tupled.noise_factor(lk.id, t)


def test_packed_factors_take_only_an_array_of_doubles():
    from array import array

    from mmroute.world.events import CheckedFactors

    assert CheckedFactors(array("d", [1.0, 2.5]))[1] == 2.5
    for bad in ((1.0, 2.0), array("f", [1.0]), [1.0]):
        with pytest.raises(TypeError):
            CheckedFactors(bad)


def test_a_drawn_factor_rounded_to_zero_is_refused_as_before():
    """With a noise so wide that a factor rounds to 0, the draw is left unchecked (a plain
    tuple) and validate refuses it, naming the field."""
    import dataclasses

    from mmroute.world.realization import realize

    sc = load("tiny")
    rt = dataclasses.replace(sc.uncertainty.road_traffic, noise_sigma=6.0)
    wide = dataclasses.replace(sc, uncertainty=dataclasses.replace(sc.uncertainty,
                                                                  road_traffic=rt))
    r = realize(wide, 0)
    assert all(type(rn.factors) is tuple for rn in r.events.road_noise)
    with pytest.raises(InputError, match="finite and > 0") as exc:
        r.events.validate(wide)
    assert exc.value.field.startswith("events.road_noise[")
