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
    """realize checks the drawn factors as one array (CheckedFactors: validate skips them);
    they are the draws of each road link's own stream, rounded, as plain tuples would be."""
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
        assert type(rn.factors) is CheckedFactors and rn.factors == want
        assert np.isfinite(rn.factors).all() and min(rn.factors) > 0
        assert rn == RoadNoise(rn.link, 0, want) and hash(rn) == hash(RoadNoise(rn.link, 0, want))
        assert type(rn.factors[:3]) is tuple  # a slice is unchecked
    r.events.validate(sc)


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
