"""Files in and out: bounded strict reads, checked output targets, atomic and grouped writes.

Reading (:func:`read_text`, :func:`read_bytes`): regular files only (a folder, a FIFO, a device
or a socket is refused before it is opened, so nothing blocks or reads without end), at most
``max_bytes``, strict UTF-8; every error is an :class:`~mmroute.errors.InputError` (or the
subclass the caller names) that names the file, and for bad bytes the byte offset and line.

Writing: a temporary file in the target folder, then a rename, so a run that fails or is
interrupted leaves the previous file or none, never half of one. An existing target that is not
a regular file (a FIFO, ``/dev/null``, a folder) is refused, never replaced. Inside
:func:`output_group` the renames wait until the whole group has been produced, so a command
with several outputs writes all of them or none. :func:`check_output_path` tells before any work
starts whether a target can be written.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mmroute.errors import InputError
from mmroute.validate import is_integer, is_number

__all__ = [
    "MAX_INPUT_BYTES",
    "read_bytes",
    "read_text",
    "read_json",
    "json_int",
    "json_number",
    "check_output_path",
    "atomic_path",
    "output_group",
    "abort_outputs",
    "committing",
    "resume_outputs",
    "write_text_atomic",
    "write_json_atomic",
    "write_with",
    "immediate_outputs",
]

#: Default size limit of an input file (bytes): far above every benchmark file (X-n1001 is
#: 30 KB, a BR thpack file 70 KB), far below what would exhaust memory.
MAX_INPUT_BYTES = 64 * 1024 * 1024

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if isinstance(exc, NotADirectoryError):
        return "file not found (a folder on its path is a file)"
    if isinstance(exc, PermissionError):
        return "cannot read: permission denied"
    return f"cannot read: {exc.strerror or exc}"


def read_bytes(
    path: str | Path,
    *,
    what: str = "input file",
    max_bytes: int = MAX_INPUT_BYTES,
    error: type[InputError] = InputError,
) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; ``error`` (naming the file) if not.

    ``what`` says what was expected (``"VRPLIB file"``) in the messages.
    """
    p = Path(path)
    try:
        st = os.stat(p)
    except OSError as exc:
        raise error(_os_reason(exc), file=p) from None
    except ValueError as exc:  # an embedded NUL byte in the name
        raise error(f"not a valid file name ({exc})", file=p) from None
    if not stat.S_ISREG(st.st_mode):
        raise error(f"is {_kind(st.st_mode)}, expected a regular {what}", file=p)
    if st.st_size > max_bytes:
        raise error(f"file too large ({st.st_size} bytes > {max_bytes}), expected a {what}", file=p)
    try:
        # O_NONBLOCK: if the file was swapped for a FIFO since the stat, open must not block
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise error(_os_reason(exc), file=p) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise error(f"is {_kind(st.st_mode)}, expected a regular {what}", file=p)
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise error(_os_reason(exc), file=p) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise error(f"file too large (more than {max_bytes} bytes), expected a {what}", file=p)
    return data


def read_text(
    path: str | Path,
    *,
    what: str = "input file",
    max_bytes: int = MAX_INPUT_BYTES,
    error: type[InputError] = InputError,
) -> str:
    """The text of a regular UTF-8 file (a leading byte-order mark is dropped).

    Same contract as :func:`read_bytes`; bytes that are not UTF-8 raise ``error`` naming the
    byte offset and the line.
    """
    data = read_bytes(path, what=what, max_bytes=max_bytes, error=error)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(f"not UTF-8 text ({exc.reason} at byte {exc.start}, line {line})", file=path) from None
    return text.removeprefix("\ufeff")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def read_json(
    path: str | Path,
    *,
    what: str = "JSON file",
    max_bytes: int = MAX_INPUT_BYTES,
    error: type[InputError] = InputError,
) -> Any:
    """Plain data from a JSON file read by :func:`read_text`; ``NaN`` / ``Infinity`` and bad
    syntax raise ``error`` naming the file and the line."""
    text = read_text(path, what=what, max_bytes=max_bytes, error=error)
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise error(f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})", file=path) from None
    except ValueError as exc:  # NaN / Infinity, or an integer too long to convert
        raise error(f"not valid JSON ({exc})", file=path) from None
    except RecursionError:
        raise error("not valid JSON (nested too deeply)", file=path) from None


def json_int(
    value: Any,
    field: str,
    *,
    file: str | Path | None = None,
    limit: int = 2**62,
    nullable: bool = False,
    error: type[InputError] = InputError,
) -> int | None:
    """An integer from JSON data: an int or a float without fraction, ``|k| <= limit``.

    Never truncated (``1.5`` is an error), never converted from text or a boolean.
    """
    if value is None and nullable:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not is_integer(value) or abs(value) > limit:
        raise error(f"expected an integer, got {value!r}", file=file, field=field)
    return int(value)


def json_number(
    value: Any,
    field: str,
    *,
    file: str | Path | None = None,
    limit: float = 1e300,
    nullable: bool = False,
    error: type[InputError] = InputError,
) -> float | None:
    """A finite number from JSON data (``|x| <= limit``; never a string or a boolean)."""
    if value is None and nullable:
        return None
    if not is_number(value) or not abs(value) <= limit:
        raise error(f"expected a finite number, got {value!r}", file=file, field=field)
    return float(value)


# --- output targets ------------------------------------------------------------------------
def check_output_path(path: str | Path, *, what: str = "--out") -> Path:
    """Return ``path`` if a file can be written there, else raise :class:`InputError`.

    Refused: an existing target that is not a regular file (folder, FIFO, device, socket), a
    path below a regular file, a folder that cannot be created or written (tested by creating
    and removing a temporary file in it). Missing folders are created by the writers later, so
    the nearest existing folder must be writable. Nothing is left behind.
    """
    p = Path(path)
    if not str(path) or p.name in ("", ".", ".."):
        raise InputError(f"not a file name: {str(path)!r}", field=what)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        pass
    except NotADirectoryError:
        raise InputError(f"cannot write {p}: a folder on its path is a file", field=what) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot write {p}: {getattr(exc, 'strerror', None) or exc}", field=what) from None
    else:
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"cannot write {p}: it is {_kind(st.st_mode)}, not a regular file", field=what)
    folder = p.parent
    while True:
        try:
            fst = os.stat(folder)
        except FileNotFoundError:
            if folder.parent == folder:
                raise InputError(f"cannot write {p}: no existing folder on its path", field=what) from None
            folder = folder.parent
            continue
        except OSError as exc:
            if exc.errno == errno.ENOTDIR:
                raise InputError(f"cannot write {p}: a folder on its path is a file", field=what) from None
            raise InputError(f"cannot write {p}: {exc.strerror or exc}", field=what) from None
        break
    if not stat.S_ISDIR(fst.st_mode):
        raise InputError(f"cannot write {p}: {folder} is not a folder", field=what)
    try:
        fd, probe = tempfile.mkstemp(prefix=".mmroute-probe.", dir=folder)
    except OSError as exc:
        raise InputError(f"cannot write {p}: {exc.strerror or exc} (folder {folder})", field=what) from None
    os.close(fd)
    os.unlink(probe)
    return p


# --- atomic writes, grouped commits, abort on a signal ------------------------------------
class _State:
    """Temporary files alive now, the open output group, and whether a signal aborted output."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.live: dict[Path, list[Path]] = {}  # temporary file -> folders made for it
        self.group: list[tuple[Path, Path]] | None = None
        self.aborted = False
        self.committing = False


_STATE = _State()


def committing() -> bool:
    """True while outputs are being renamed onto their targets (a signal then waits)."""
    return _STATE.committing


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _drop(tmp: Path) -> None:
    """Remove a temporary file and the folders made for it (if still empty); call with the lock."""
    _unlink(tmp)
    for folder in _STATE.live.pop(tmp, []):
        try:
            folder.rmdir()
        except OSError:
            break


def _refuse_non_regular(target: Path) -> None:
    try:
        st = os.stat(target)
    except (FileNotFoundError, NotADirectoryError):
        return
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"cannot write {target}: it is {_kind(st.st_mode)}, not a regular file")


def _commit(pairs: list[tuple[Path, Path]]) -> None:
    """Rename every temporary file onto its target (under the lock, unless output was aborted)."""
    with _STATE.lock:
        if _STATE.aborted:
            for tmp, _ in pairs:
                _drop(tmp)
            raise KeyboardInterrupt
        for _tmp, target in pairs:
            _refuse_non_regular(target)  # it may have been swapped since the check
        _STATE.committing = True
        try:
            for tmp, target in pairs:
                os.replace(tmp, target)
                _STATE.live.pop(tmp, None)
        finally:
            _STATE.committing = False


def abort_outputs() -> None:
    """Remove every temporary output file and refuse later commits (called on SIGINT/SIGTERM)."""
    with _STATE.lock:
        _STATE.aborted = True
        for tmp in list(_STATE.live):
            _drop(tmp)


def resume_outputs() -> None:
    """Allow writes again after :func:`abort_outputs` (a new run starts)."""
    with _STATE.lock:
        _STATE.aborted = False


@contextmanager
def output_group() -> Iterator[None]:
    """Stage every atomic write inside the block; rename all when the block ends without error.

    On an error (or an interrupt) every staged file is removed: the targets keep their old
    content or stay absent. A group opened inside another one joins it.
    """
    if _STATE.group is not None:
        yield
        return
    _STATE.group = staged = []
    try:
        yield
    except BaseException:
        with _STATE.lock:
            for tmp, _ in reversed(staged):
                _drop(tmp)
        raise
    finally:
        _STATE.group = None
    try:
        _commit(staged)
    finally:
        with _STATE.lock:
            for tmp, _ in reversed(staged):
                if tmp in _STATE.live:
                    _drop(tmp)


@contextmanager
def immediate_outputs() -> Iterator[None]:
    """Atomic writes inside this block are renamed at once, even within an
    :func:`output_group`: for files that must exist while the command runs, such as training
    checkpoints (a killed run resumes from the last whole one)."""
    saved = _STATE.group
    _STATE.group = None
    try:
        yield
    finally:
        _STATE.group = saved


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it onto ``path``.

    The temporary file keeps the suffix of ``path`` so that writers that choose a format by
    suffix (matplotlib, GeoPandas) behave as they would on the real name. An existing ``path``
    that is not a regular file is refused (:class:`InputError`), never replaced. Inside
    :func:`output_group` the rename waits for the end of the group.
    """
    target = Path(path)
    _refuse_non_regular(target)
    made: list[Path] = []  # folders this write creates, deepest first (removed on failure)
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        made.append(folder)
        folder = folder.parent
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    except OSError as exc:
        for folder in made:
            try:
                folder.rmdir()
            except OSError:
                break
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    os.close(fd)
    tmp_path = Path(tmp)
    with _STATE.lock:
        _STATE.live[tmp_path] = made
    tmp_path.unlink()  # writers such as GeoPackage want to create the file themselves
    committed = False
    try:
        yield tmp_path
        if _STATE.aborted:
            raise KeyboardInterrupt
        if not tmp_path.exists():
            raise InputError(f"cannot write {target}: the writer produced no file")
        if _STATE.group is not None:
            _STATE.group.append((tmp_path, target))
        else:
            _commit([(tmp_path, target)])
        committed = True
    finally:
        if not committed:
            with _STATE.lock:
                _drop(tmp_path)


def write_with(path: str | Path, writer: Callable[[Path], Any]) -> Path:
    """Call ``writer(tmp_path)`` and move the result onto ``path`` atomically; return ``path``."""
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; return ``path``."""
    return write_with(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json_atomic(path: str | Path, data: Any) -> Path:
    """Write ``data`` as indented JSON to ``path`` atomically; return ``path``."""
    return write_text_atomic(path, json.dumps(data, indent=2, allow_nan=False) + "\n")
