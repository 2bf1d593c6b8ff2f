"""mmroute.io: the reader contract (regular, bounded, UTF-8) and the output guarantees."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from mmroute.errors import InputError, InstanceError
from mmroute.io import (
    abort_outputs,
    atomic_path,
    check_output_path,
    output_group,
    read_json,
    read_text,
    write_text_atomic,
)

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    return path


def _read_in_thread(path: Path, **kw) -> BaseException | str:
    """Read ``path`` in a thread with a deadline: a hang fails the test instead of blocking it."""
    box: list = []

    def run() -> None:
        try:
            box.append(read_text(path, **kw))
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box.append(exc)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(5)
    assert box, f"reading {path} hung"
    return box[0]


@needs_fifo
def test_a_fifo_is_refused_without_blocking(fifo):
    exc = _read_in_thread(fifo, what="thpack file", error=InstanceError)
    assert isinstance(exc, InstanceError)
    assert str(exc) == "pipe.txt: is a FIFO (named pipe), expected a regular thpack file"


def test_a_device_is_refused_before_a_byte_is_read():
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    exc = _read_in_thread(Path("/dev/zero"))
    assert isinstance(exc, InputError) and "character device" in str(exc)


def test_a_directory_is_called_a_directory_not_a_missing_file(tmp_path):
    with pytest.raises(InputError, match="is a directory, expected a regular VRPLIB file"):
        read_text(tmp_path, what="VRPLIB file")
    with pytest.raises(InputError, match="nope.txt: file not found"):
        read_text(tmp_path / "nope.txt")


def test_a_file_above_the_limit_is_refused(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 101)
    with pytest.raises(InputError, match=r"big.txt: file too large \(101 bytes > 100\)"):
        read_text(big, max_bytes=100)
    assert read_text(big, max_bytes=101) == "x" * 101


def test_bad_utf8_names_the_file_byte_offset_and_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"line one\nline two \xff\n")
    with pytest.raises(InstanceError, match=r"bad.txt: not UTF-8 text \(invalid start byte at byte 18, line 2\)"):
        read_text(bad, error=InstanceError)


def test_a_byte_order_mark_is_dropped(tmp_path):
    f = tmp_path / "bom.txt"
    f.write_bytes(b"\xef\xbb\xbfNAME: x\n")
    assert read_text(f) == "NAME: x\n"


@pytest.mark.parametrize("text", ["NaN", '{"a": Infinity}', '{"a": -Infinity}', '{"a": 1', "[" * 100_000])
def test_json_without_nan_infinity_or_bad_syntax(tmp_path, text):
    f = tmp_path / "x.json"
    f.write_text(text)
    with pytest.raises(InputError, match=r"x.json: not valid JSON"):
        read_json(f)


def test_output_checks_refuse_what_cannot_be_a_file(tmp_path):
    (tmp_path / "plain").write_text("x")
    cases = {
        tmp_path: "it is a directory",
        tmp_path / "plain" / "out.json": "a folder on its path is a file",
        Path("/dev/null"): "it is a character device",
    }
    for path, why in cases.items():
        with pytest.raises(InputError, match=why):
            check_output_path(path)
    assert check_output_path(tmp_path / "new" / "deeper" / "out.json")  # folders come later
    assert not (tmp_path / "new").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain"]  # the probe left nothing


@needs_fifo
def test_output_checks_refuse_a_fifo(fifo):
    with pytest.raises(InputError, match="FIFO"):
        check_output_path(fifo)


def test_output_checks_refuse_proc():
    if not Path("/proc/self").is_dir():
        pytest.skip("no /proc")
    with pytest.raises(InputError, match="cannot write"):
        check_output_path("/proc/mmroute-test.json")


@needs_fifo
def test_bug_atomic_write_replaced_a_fifo_with_a_regular_file(fifo):
    with pytest.raises(InputError, match="FIFO"):
        write_text_atomic(fifo, "data")
    assert fifo.is_fifo()
    assert sorted(p.name for p in fifo.parent.iterdir()) == ["pipe.txt"]
    if Path("/dev/null").exists():
        with pytest.raises(InputError, match="character device"):
            write_text_atomic("/dev/null", "data")
        assert Path("/dev/null").is_char_device()


def test_a_group_writes_all_outputs_or_none(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("old")
    with pytest.raises(RuntimeError), output_group():
        write_text_atomic(a, "new")
        assert a.read_text() == "old"  # staged, not yet renamed
        raise RuntimeError("the second output failed")
    assert a.read_text() == "old" and not b.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
    with output_group():
        write_text_atomic(a, "new")
        write_text_atomic(b, "two")
    assert a.read_text() == "new" and b.read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_abort_removes_temporaries_and_refuses_the_rename(tmp_path, monkeypatch):
    from mmroute import io

    monkeypatch.setattr(io, "_STATE", io._State())
    target = tmp_path / "out.txt"
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_text("half")
        abort_outputs()
    assert list(tmp_path.iterdir()) == []


def test_folders_made_for_a_failed_group_are_removed(tmp_path):
    with pytest.raises(RuntimeError), output_group():
        write_text_atomic(tmp_path / "a" / "b" / "out.txt", "x")
        raise RuntimeError("later failure")
    assert list(tmp_path.iterdir()) == []
    with output_group():
        write_text_atomic(tmp_path / "a" / "b" / "out.txt", "x")
    assert (tmp_path / "a" / "b" / "out.txt").read_text() == "x"
