"""The basemap vectors of the interactive pages, kept on disk so that a new process draws a
page without reading GSHHS again (issue 26: a page took 6-8 s of basemap in every process).
Times are measured by ``benchmarks/basemap_cache.py``, not asserted here."""

from __future__ import annotations

import json

import pytest

from mmroute.scenarios import mapvectors as mv

#: a wide extent (low-resolution GSHHS: under a second to compute)
EXTENT = (100.0, 130.0, 10.0, 30.0)


@pytest.fixture(scope="module")
def computed():
    """The vectors of :data:`EXTENT` computed from GSHHS, as without a cache."""
    return mv._compute(EXTENT, 3)


@pytest.fixture
def cache(tmp_path, monkeypatch, computed):
    """An empty cache folder of the test's own; ``calls`` counts the computations (each
    gives the vectors computed once above: the same function's output)."""
    monkeypatch.setenv("MMROUTE_CACHE_DIR", str(tmp_path))
    calls = []

    def compute(extent, digits):
        calls.append(extent)
        assert extent == EXTENT and digits == 3
        return computed

    monkeypatch.setattr(mv, "_compute", compute)
    mv.basemap_vectors.cache_clear()
    yield calls
    mv.basemap_vectors.cache_clear()


def fresh():
    """:func:`basemap_vectors` as a new process calls it (nothing in memory)."""
    mv.basemap_vectors.cache_clear()
    return mv.basemap_vectors(EXTENT)


def test_the_vectors_are_computed_once_then_read_back_equal(cache, computed, tmp_path):
    first = fresh()
    assert first == computed and len(cache) == 1
    path = mv.cache_path(EXTENT)
    assert path.parent == tmp_path / "basemap" and path.exists()
    assert json.loads(path.read_text(encoding="utf-8")) == computed.to_dict()  # JSON, no pickle
    again = fresh()
    assert again == computed and len(cache) == 1  # read, not computed
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left over


@pytest.mark.parametrize("content", [
    "", "{", "[]", '{"extent": [1, 2, 3]}', "null",
    '{"extent": [100, 130, 10, 30], "land": [[[1, "x"]]], "lakes": [], "borders": []}',
    '{"extent": [100, 130, 10, 30], "land": [[[1, NaN]]], "lakes": [], "borders": []}',
    '{"extent": [0, 1, 0, 1], "land": [], "lakes": [], "borders": []}',  # another extent's
])
def test_a_corrupt_cache_file_is_ignored_and_written_again(cache, computed, content):
    path = mv.cache_path(EXTENT)
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    assert fresh() == computed and len(cache) == 1
    assert json.loads(path.read_text(encoding="utf-8")) == computed.to_dict()


def test_a_cache_folder_that_cannot_be_written_only_costs_time(cache, computed, tmp_path):
    (tmp_path / "basemap").write_text("a file where the folder should be", encoding="utf-8")
    assert fresh() == computed and fresh() == computed and len(cache) == 2


def test_the_key_holds_the_extent_digits_format_and_library_versions(monkeypatch, tmp_path):
    monkeypatch.setenv("MMROUTE_CACHE_DIR", str(tmp_path))
    path = mv.cache_path(EXTENT)
    assert mv.cache_path(EXTENT) == path
    assert mv.cache_path((100.0, 130.0, 10.0, 30.5)) != path
    assert mv.cache_path(EXTENT, 4) != path
    monkeypatch.setattr(mv, "CACHE_FORMAT", mv.CACHE_FORMAT + 1)
    assert mv.cache_path(EXTENT) != path
    monkeypatch.setattr(mv, "CACHE_FORMAT", mv.CACHE_FORMAT - 1)
    versions = mv._versions()
    monkeypatch.setattr(mv, "_versions", lambda: {**versions, "basemap-data": "9.9"})
    assert mv.cache_path(EXTENT) != path


def test_without_an_own_folder_the_cache_is_the_users(monkeypatch, tmp_path):
    monkeypatch.delenv("MMROUTE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert mv.cache_dir() == tmp_path / "mmroute" / "basemap"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # not absolute: ignored (XDG spec)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert mv.cache_dir() == tmp_path / "home" / ".cache" / "mmroute" / "basemap"
