"""The loading model: orientations, validation, JSON round trip; the thpack reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmroute.errors import InstanceError
from mmroute.routing.loading.model import BoxType, Container, Packing, Placement
from mmroute.routing.loading.thpack import read_thpack, read_thpack_instance

DATA = Path(__file__).resolve().parents[1] / "data" / "loading"


def test_orientations_follow_the_vertical_flags():
    t = BoxType(1, (5, 3, 2), 1, vertical=(False, False, True))
    assert set(t.orientations()) == {(5, 3, 2), (3, 5, 2)}
    free = BoxType(2, (5, 3, 2), 1)
    assert len(free.orientations()) == 6
    cube = BoxType(3, (2, 2, 2), 1)
    assert cube.orientations() == ((2, 2, 2),)


def test_bad_model_fields_raise_instance_errors_naming_the_field():
    with pytest.raises(InstanceError, match="container.width"):
        Container(10, 0, 5)
    with pytest.raises(InstanceError, match="vertical"):
        BoxType(1, (1, 2, 3), 1, vertical=(False, False, False))
    with pytest.raises(InstanceError, match="quantity"):
        BoxType(1, (1, 2, 3), -1)


def test_packing_json_round_trip_gives_an_equal_packing():
    p = Packing(Container(10, 6, 4, 100.0), (Placement(1, (0, 0, 0), (5, 3, 2)),), 30, 240, "feasible", 0.5, "test", 3)
    d = p.to_dict()
    assert d["boxes"] == [{"type": 1, "position": [0, 0, 0], "dims": [5, 3, 2]}]
    assert {"objective", "bound", "status", "time_s", "solver", "seed"} <= set(d)
    assert Packing.from_dict(d) == p


def test_packing_json_with_a_bad_box_names_the_field():
    with pytest.raises(InstanceError, match=r"boxes\[0\]"):
        Packing.from_dict({"boxes": [{"type": 1, "position": [0, 0]}], "container": {"length": 1, "width": 1, "height": 1}})


def test_thpack_reader_reads_the_tiny_file():
    probs = read_thpack(DATA / "tiny.txt")
    assert [p.name for p in probs] == ["tiny-1", "tiny-2"]
    a = probs[0]
    assert a.container.dims == (10, 6, 4)
    assert a.box_types[1] == BoxType(2, (2, 2, 4), 3, vertical=(False, False, True))
    assert read_thpack_instance(DATA / "tiny.txt", 2).box_types[0].quantity == 9


@pytest.mark.parametrize(
    ("name", "match"),
    [("bad_fields.txt", "8 fields"), ("truncated.txt", "ends"), ("not_numbers.txt", "integers")],
)
def test_thpack_reader_rejects_malformed_files_with_the_file_name(name, match):
    with pytest.raises(InstanceError, match=match) as err:
        read_thpack(DATA / name)
    assert name in str(err.value)


def test_instance_out_of_range_is_an_instance_error():
    with pytest.raises(InstanceError, match="out of range"):
        read_thpack_instance(DATA / "tiny.txt", 3)


def test_thpack_reader_reads_br1_as_published(shared_data):
    probs = read_thpack(shared_data / "thpack" / "BR1.txt")
    assert len(probs) == 100
    first = probs[0]
    assert first.container.dims == (587, 233, 220)
    assert first.box_types[0] == BoxType(1, (108, 76, 30), 40, vertical=(False, False, True))
