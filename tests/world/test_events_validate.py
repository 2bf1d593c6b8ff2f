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
