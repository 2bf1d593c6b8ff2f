"""The independent checker catches each kind of violation, one crafted case each."""

from __future__ import annotations

import re

import pytest

from mmroute.routing.loading.check import check_packing
from mmroute.routing.loading.model import BoxType, Container, Packing, Placement

C = Container(10, 6, 4, payload_kg=100.0)
A = BoxType(1, (5, 3, 2), 4, weight_kg=10.0, vertical=(False, False, True))
N = BoxType(2, (2, 2, 2), 2, weight_kg=60.0, stackable=False)
TYPES = (A, N)


def P(t, pos, dims):
    return Placement(t, pos, dims)


def check(pl, **kw):
    return check_packing(C, TYPES, pl, **kw)


def test_a_valid_packing_passes_and_utilisation_is_recomputed():
    pl = [P(1, (0, 0, 0), (5, 3, 2)), P(1, (5, 0, 0), (5, 3, 2)), P(1, (0, 0, 2), (5, 3, 2))]
    r = check(pl)
    assert r.feasible, r.violations
    assert r.details["packed_volume"] == 90
    assert r.details["utilisation"] == pytest.approx(90 / 240)


@pytest.mark.parametrize(
    ("placements", "match"),
    [
        ([P(1, (6, 0, 0), (5, 3, 2))], "not inside"),
        ([P(1, (0, 0, 0), (5, 3, 2)), P(1, (4, 0, 0), (5, 3, 2))], "overlap"),
        ([P(1, (0, 0, 0), (2, 3, 5))], "orientation"),
        ([P(9, (0, 0, 0), (5, 3, 2))], "unknown type"),
        ([P(1, (5 * (i % 2), 3 * (i // 2 % 2), 2 * (i // 4)), (5, 3, 2)) for i in range(5)], "only 4 available"),
        ([P(1, (0, 0, 2), (5, 3, 2))], "supported"),
        ([P(2, (0, 0, 0), (2, 2, 2)), P(2, (2, 0, 0), (2, 2, 2))], "payload"),
        ([P(2, (0, 0, 0), (2, 2, 2)), P(1, (0, 0, 2), (3, 5, 2))], "not stackable|supported"),
    ],
    ids=["outside", "overlap", "orientation", "type", "count", "floating", "payload", "stackable"],
)
def test_checker_catches_each_violation(placements, match):
    r = check(placements)
    assert not r.feasible
    assert any(re.search(match, str(v)) for v in r.violations), r.violations


def test_partial_support_passes_at_75_percent_but_not_at_100():
    base = P(1, (0, 0, 0), (5, 3, 2))
    top = P(1, (1, 0, 2), (5, 3, 2))  # 4/5 of its base on the box below
    assert not check([base, top]).feasible
    assert check([base, top], min_support=0.75).feasible
    assert not check([base, top], min_support=0.85).feasible


def test_nothing_rests_on_a_non_stackable_box_even_when_fully_supported_elsewhere():
    types = (BoxType(1, (4, 4, 2), 2), BoxType(2, (2, 2, 2), 1, stackable=False))
    pl = [P(1, (0, 0, 0), (4, 4, 2)), P(2, (4, 0, 0), (2, 2, 2)), P(1, (2, 0, 2), (4, 4, 2))]
    r = check_packing(Container(10, 6, 4), types, pl, min_support=0.5)
    assert any("not stackable" in str(v) for v in r.violations)


def test_reported_objective_must_match_the_packed_volume():
    pl = (P(1, (0, 0, 0), (5, 3, 2)),)
    bad = Packing(C, pl, 31, None, "feasible", 0.0, "test")
    assert any("objective" in str(v) for v in check(bad).violations)


STOPS = (
    BoxType(1, (2, 6, 2), 3, vertical=(False, False, True), stop=0),
    BoxType(2, (2, 6, 2), 3, vertical=(False, False, True), stop=1),
)


def test_unloading_order_later_stop_in_front_of_earlier_stop_is_caught():
    # stop 1 (unloaded later) nearer the door than stop 0 at the same height
    pl = [P(1, (0, 0, 0), (2, 6, 2)), P(2, (4, 0, 0), (2, 6, 2))]
    r = check_packing(Container(10, 6, 4), STOPS, pl)
    assert any("in front" in str(v) for v in r.violations)
    ok = [P(2, (0, 0, 0), (2, 6, 2)), P(1, (4, 0, 0), (2, 6, 2))]
    assert check_packing(Container(10, 6, 4), STOPS, ok).feasible


def test_unloading_order_later_stop_on_top_of_earlier_stop_is_caught():
    pl = [P(1, (0, 0, 0), (2, 6, 2)), P(2, (0, 0, 2), (2, 6, 2))]
    r = check_packing(Container(10, 6, 4), STOPS, pl)
    assert any("above" in str(v) for v in r.violations)
    ok = [P(2, (0, 0, 0), (2, 6, 2)), P(1, (0, 0, 2), (2, 6, 2))]  # earlier stop on top: fine
    assert check_packing(Container(10, 6, 4), STOPS, ok).feasible


def test_violation_counts_are_complete_while_the_list_is_capped():
    floating = [P(2, (2 * (i % 10), 2 * (i // 10), 2), (2, 2, 2)) for i in range(25)]
    types = (BoxType(2, (2, 2, 2), 30),)
    r = check_packing(Container(20, 6, 4), types, floating)
    assert r.details["counts"] == {"support": 25}
    assert len(r.violations) == 20 and r.n_violations == 25  # 20 listed, all counted
