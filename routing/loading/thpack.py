"""Reader for OR-Library thpack files (Bischoff & Ratcliff BR0–BR15, Loh & Nee).

Format (whitespace separated): the number of problems P; then per problem a line
``number seed`` (``number`` alone in thpack8), the container ``L W H``, the number of box
types n and n lines ``type d1 v1 d2 v2 d3 v3 count`` where ``vK = 1`` means dimension K may
stand vertical. thpack files carry no weights and no payload.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from mmroute import validate
from mmroute.errors import InstanceError
from mmroute.io import read_text
from mmroute.routing.loading.model import BoxType, Container, LoadingInstance

__all__ = ["read_thpack", "read_thpack_instance"]


#: Largest length, count and number of problems / box types read from a thpack file; the
#: published files stay below 1,000.
MAX_VALUE = 10**6
#: Most boxes one problem may hold (the solvers build one record per box).
MAX_BOXES = 100_000


def _lines(path: Path) -> list[tuple[int, list[str]]]:
    """Non-blank lines as (line number from 1, tokens)."""
    text = read_text(path, what="thpack file", error=InstanceError)
    return [(no, ln.split()) for no, ln in enumerate(text.splitlines(), 1) if ln.strip()]


def _ints(line: tuple[int, list[str]], path: Path, field: str, n: int | tuple[int, ...], hi: int = MAX_VALUE) -> list[int]:
    """The line's tokens as ``n`` integers in ``0 .. hi``."""
    no, tokens = line
    where = f"{field} (line {no})"
    counts = (n,) if isinstance(n, int) else n
    if len(tokens) not in counts:
        want = " or ".join(str(c) for c in counts)
        raise InstanceError(f"expected {want} fields (integers), got {len(tokens)}: {' '.join(tokens)[:80]!r}", file=path, field=where)
    out = []
    for t in tokens:
        if not (t.isascii() and t.isdigit()) or len(t) > 12 or int(t) > hi:
            raise InstanceError(f"expected integers in 0..{hi}, got {t[:40]!r}", file=path, field=where)
        out.append(int(t))
    return out


def read_thpack(path: str | Path) -> list[LoadingInstance]:
    """Read every problem of a thpack file; names are ``<file stem>-<k>`` with k from 1.

    Strict: integers only (no sign, no fraction), orientation flags 0 or 1, as many problems
    and box lines as the counts say and nothing after the last problem; errors name the line.
    """
    path = Path(validate.instance_of(path, (str, PathLike), "path"))
    lines = _lines(path)
    if not lines:
        raise InstanceError("empty file, expected a thpack file", file=path)
    (n_problems,) = _ints(lines[0], path, "number of problems", 1)
    if n_problems <= 0:
        raise InstanceError("the number of problems must be >= 1", file=path, field=f"line {lines[0][0]}")
    out: list[LoadingInstance] = []
    i = 1
    for k in range(1, n_problems + 1):
        where = f"problem {k}"
        if i + 2 >= len(lines):
            raise InstanceError(f"file ends before problem {k} of {n_problems} is complete", file=path, field=where)
        _ints(lines[i], path, f"{where} header 'number seed'", (1, 2), hi=10**12)
        dims = _ints(lines[i + 1], path, f"{where} container 'L W H'", 3)
        (n_types,) = _ints(lines[i + 2], path, f"{where} number of box types", 1)
        if n_types <= 0:
            raise InstanceError("expected the number of box types (>= 1)", file=path, field=f"{where} (line {lines[i + 2][0]})")
        i += 3
        types: list[BoxType] = []
        for _ in range(n_types):
            if i >= len(lines):
                raise InstanceError(f"file ends inside the box list ({len(types)} of {n_types} box types)", file=path, field=where)
            no = lines[i][0]
            f = _ints(lines[i], path, f"{where} box line 'type d1 v1 d2 v2 d3 v3 count'", 8)
            if any(v not in (0, 1) for v in (f[2], f[4], f[6])):
                raise InstanceError(
                    f"orientation flags must be 0 or 1, got {f[2]} {f[4]} {f[6]}", file=path, field=f"{where} (line {no})"
                )
            try:
                types.append(
                    BoxType(
                        id=f[0],
                        dims=(f[1], f[3], f[5]),
                        quantity=f[7],
                        vertical=(f[2] == 1, f[4] == 1, f[6] == 1),
                    )
                )
            except InstanceError as exc:
                raise InstanceError(exc.reason, file=path, field=f"{where} (line {no}): {exc.field}") from None
            i += 1
        n_boxes = sum(t.quantity for t in types)
        if n_boxes > MAX_BOXES:
            raise InstanceError(f"{n_boxes} boxes, at most {MAX_BOXES} are supported", file=path, field=where)
        try:
            container = Container(*dims)
            out.append(LoadingInstance(f"{path.stem}-{k}", container, tuple(types)))
        except InstanceError as exc:
            raise InstanceError(exc.reason, file=path, field=f"{where}: {exc.field}") from None
    if i < len(lines):
        raise InstanceError(
            f"unexpected text after the last of {n_problems} problems", file=path, field=f"line {lines[i][0]}"
        )
    return out


def read_thpack_instance(path: str | Path, k: int = 1) -> LoadingInstance:
    """Problem ``k`` (counted from 1 in file order) of a thpack file."""
    if not validate.is_integer(k) or k < 1:
        raise InstanceError(f"instance numbers count from 1, got {k!r}", file=path, field="--instance")
    problems = read_thpack(path)
    if not 1 <= k <= len(problems):
        raise InstanceError(f"instance {k} out of range 1..{len(problems)}", file=path, field="--instance")
    return problems[k - 1]
