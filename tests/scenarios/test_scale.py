"""``scale``: many consignments drawn from a scenario's own lanes, capacities grown with the
volume; ``write_scenario``: a file that loads back to an equal scenario."""

from __future__ import annotations

import json
import math
from collections import Counter

import pytest
import yaml

from mmroute.errors import InputError
from mmroute.scenarios import Scenario, load, parse, scale, write_scenario
from mmroute.scenarios.scaling import MONTH_H, volume_factor
from mmroute.scenarios.writer import dump_json, dump_yaml


@pytest.fixture(scope="module")
def base() -> Scenario:
    return load("liuzhou-asean")


@pytest.fixture(scope="module")
def big(base) -> Scenario:
    return scale(base, consignments=3000, seed=5)


def test_the_same_seed_gives_the_same_scenario_and_file(base):
    a = scale(base, consignments=400, seed=11)
    b = scale(base, consignments=400, seed=11)
    c = scale(base, consignments=400, seed=12)
    assert a == b and dump_yaml(a) == dump_yaml(b)
    assert a.shipments != c.shipments


def test_consignments_use_only_the_files_lanes_lead_times_and_1_to_3_teu(base, big):
    lanes = {(s.origin, s.destination) for s in base.shipments}
    leads = {(s.origin, s.destination, s.due_h - s.release_h) for s in base.shipments}
    assert len(big.shipments) == 3000
    assert {(s.origin, s.destination) for s in big.shipments} <= lanes
    assert all((s.origin, s.destination, s.due_h - s.release_h) in leads for s in big.shipments)
    assert {s.quantity_teu for s in big.shipments} == {1.0, 2.0, 3.0}
    assert len({s.id for s in big.shipments}) == 3000


def test_lanes_are_drawn_in_proportion_to_the_files_teu(base, big):
    file_teu = Counter()
    for s in base.shipments:
        file_teu[(s.origin, s.destination)] += s.quantity_teu
    drawn = Counter((s.origin, s.destination) for s in big.shipments)
    total = sum(file_teu.values())
    for lane, teu in file_teu.items():
        share = teu / total
        sd = math.sqrt(share * (1 - share) / 3000)
        assert abs(drawn[lane] / 3000 - share) < 4 * sd + 1e-9, lane


def test_releases_spread_over_a_month_and_every_due_fits_in_it(big):
    assert big.horizon_h == MONTH_H
    releases = sorted(s.release_h for s in big.shipments)
    assert releases == [s.release_h for s in big.shipments]  # written in release order
    assert all(r == int(r) and 0 <= r < MONTH_H for r in releases)
    assert all(s.due_h <= MONTH_H for s in big.shipments)
    weeks = Counter(int(r // 168) for r in releases)
    assert all(weeks[w] > 600 for w in range(3))  # ~1/3 each; long lanes stop before the end
    assert weeks[3] > 100
    by_lane: dict[tuple[str, str], list[float]] = {}
    for s in big.shipments:
        by_lane.setdefault((s.origin, s.destination, s.due_h - s.release_h), []).append(s.release_h)
    for (_o, _d, lead), rel in by_lane.items():  # each lane uniform over [0, 720 - lead)
        if len(rel) >= 100:
            assert max(rel) > 0.9 * (MONTH_H - lead) and min(rel) < 0.1 * (MONTH_H - lead)


def test_total_volume_grows_linearly_with_the_consignments(base):
    totals = {n: sum(s.quantity_teu for s in scale(base, consignments=n, seed=3).shipments)
              for n in (500, 1000, 2000)}
    for n, teu in totals.items():
        assert teu == pytest.approx(2.0 * n, rel=0.06)  # mean of 1, 2, 3 TEU


def test_capacities_and_late_orders_grow_with_the_volume_per_hour(base, big):
    factor = volume_factor(base, sum(s.quantity_teu for s in big.shipments), big.horizon_h)
    assert factor == pytest.approx(
        (sum(s.quantity_teu for s in big.shipments) / 720) /
        (sum(s.quantity_teu for s in base.shipments) / base.horizon_h))
    assert factor > 10
    for old, new in zip(base.links, big.links, strict=True):
        if old.capacity_teu is None:
            assert new.capacity_teu is None
        else:
            assert new.capacity_teu == math.ceil(old.capacity_teu * factor - 1e-9)
    for old, new in zip(base.nodes, big.nodes, strict=True):
        if old.capacity_teu_per_day is not None:
            assert new.capacity_teu_per_day == math.ceil(old.capacity_teu_per_day * factor - 1e-9)
    late_old = base.uncertainty.demand.late_orders
    late_new = big.uncertainty.demand.late_orders
    assert late_new.rate_per_day == pytest.approx(late_old.rate_per_day * factor, abs=1e-4)
    assert late_new.od_pairs == late_old.od_pairs


def test_uncertainty_is_kept_with_start_windows_stretched_to_the_month(base, big):
    stretch = 720 / base.horizon_h
    assert big.uncertainty.road_traffic == base.uncertainty.road_traffic
    assert big.uncertainty.demand.quantity_cv == base.uncertainty.demand.quantity_cv
    for old, new in zip(base.uncertainty.weather + base.uncertainty.disruptions,
                        big.uncertainty.weather + big.uncertainty.disruptions, strict=True):
        assert (new.id, new.probability, new.duration_h) == (old.id, old.probability,
                                                            old.duration_h)
        assert new.start_h == pytest.approx((old.start_h[0] * stretch, old.start_h[1] * stretch),
                                            abs=1e-3)


def test_the_network_and_objective_are_unchanged_but_for_capacities(base, big):
    assert [n.id for n in big.nodes] == [n.id for n in base.nodes]
    assert [(lk.id, lk.timetable, lk.cost_per_teu_cny) for lk in big.links] == [
        (lk.id, lk.timetable, lk.cost_per_teu_cny) for lk in base.links]
    assert big.objective == base.objective and big.start == base.start


def test_a_horizon_longer_than_a_month_is_kept():
    ce = load("china-europe")
    assert ce.horizon_h > MONTH_H
    assert scale(ce, consignments=50, seed=0).horizon_h == ce.horizon_h


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_the_written_file_loads_back_to_an_equal_scenario(tmp_path, big, suffix):
    path = write_scenario(big, tmp_path / f"month{suffix}", header="a header\nof two lines")
    back = load(path)
    assert back == big
    if suffix == ".yaml":
        assert path.read_text().startswith("# a header\n# of two lines\n")


@pytest.mark.parametrize("name", ["tiny", "liuzhou-cars", "liuzhou-milkrun", "china-europe"])
def test_every_kind_of_scenario_round_trips_through_yaml_and_json(name):
    sc = load(name)
    assert parse(yaml.safe_load(dump_yaml(sc))) == sc
    assert parse(json.loads(dump_json(sc))) == sc


def test_odd_text_and_numbers_survive_the_writer(base):
    ships = list(base.to_dict()["shipments"])
    ships[0] = dict(ships[0], cargo='a "quoted": #1, [x] {y} \u00e9\u6c7d\u8f66 \U0001f697',
                    quantity_teu=1e-7, due_h=1e7)
    ships[1] = dict(ships[1], cargo="yes", quantity_teu=3)
    ships[2] = dict(ships[2], cargo="null")
    sc = parse(dict(base.to_dict(), shipments=ships))
    assert parse(yaml.safe_load(dump_yaml(sc))) == sc


def test_bad_arguments_are_input_errors(base, tmp_path):
    for kwargs in ({"consignments": 0}, {"consignments": 100_001}, {"consignments": 2.5},
                   {"seed": -1}, {"teu": (3, 1)}, {"teu": (0, 2)}, {"name": "a b"}):
        args = {"consignments": 10, "seed": 0, **kwargs}
        with pytest.raises(InputError):
            scale(base, **args)
    with pytest.raises(InputError, match="load it first"):
        scale("liuzhou-asean", consignments=10, seed=0)
    with pytest.raises(InputError, match="unknown scenario file type"):
        write_scenario(base, tmp_path / "out.txt")


def test_a_file_too_large_to_load_back_is_refused_before_writing(tmp_path, monkeypatch):
    import mmroute.scenarios.writer as writer

    monkeypatch.setattr(writer, "MAX_FILE_BYTES", 10_000)
    target = tmp_path / "x.yaml"
    with pytest.raises(InputError, match="more than a scenario file may be"):
        writer.write_scenario(load("liuzhou-asean"), target)
    assert not target.exists()


def test_teu_range_and_name_are_taken(base):
    sc = scale(base, consignments=200, seed=1, teu=(4, 4), name="four")
    assert sc.name == "four"
    assert {s.quantity_teu for s in sc.shipments} == {4.0}
