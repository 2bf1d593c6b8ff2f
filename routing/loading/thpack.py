"""Reader for OR-Library thpack files (Bischoff & Ratcliff BR0–BR15, Loh & Nee).

Format (whitespace separated): the number of problems P; then per problem a line
``number seed`` (``number`` alone in thpack8), the container ``L W H``, the number of box
types n and n lines ``type d1 v1 d2 v2 d3 v3 count`` where ``vK = 1`` means dimension K may
stand vertical. thpack files carry no weights and no payload.
"""

from __future__ import annotations

from pathlib import Path

from mmroute.errors import InstanceError
from mmroute.routing.loading.model import BoxType, Container, LoadingInstance

__all__ = ["read_thpack", "read_thpack_instance"]


def _lines(path: Path) -> list[list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InstanceError(f"cannot read ({exc.strerror})", file=path) from None
    return [ln.split() for ln in text.splitlines() if ln.strip()]


def _ints(tokens: list[str], path: Path, field: str) -> list[int]:
    try:
        return [int(t) for t in tokens]
    except ValueError:
        raise InstanceError(f"expected integers, got {' '.join(tokens)!r}", file=path, field=field) from None


def read_thpack(path: str | Path) -> list[LoadingInstance]:
    """Read every problem of a thpack file; names are ``<file stem>-<k>`` with k from 1."""
    path = Path(path)
    lines = _lines(path)
    if not lines:
        raise InstanceError("empty file", file=path)
    head = _ints(lines[0], path, "line 1")
    if len(head) != 1 or head[0] <= 0:
        raise InstanceError("first line must be the number of problems", file=path, field="line 1")
    n_problems = head[0]
    out: list[LoadingInstance] = []
    i = 1
    for k in range(1, n_problems + 1):
        where = f"problem {k}"
        if i + 2 >= len(lines):
            raise InstanceError(f"file ends before problem {k} of {n_problems}", file=path, field=where)
        _ints(lines[i], path, f"{where} header (line {i + 1})")
        dims = _ints(lines[i + 1], path, f"{where} container (line {i + 2})")
        if len(dims) != 3:
            raise InstanceError("container line needs L W H", file=path, field=f"{where} container (line {i + 2})")
        n_types = _ints(lines[i + 2], path, f"{where} box types (line {i + 3})")
        if len(n_types) != 1 or n_types[0] <= 0:
            raise InstanceError("expected the number of box types", file=path, field=f"{where} (line {i + 3})")
        i += 3
        types: list[BoxType] = []
        for _ in range(n_types[0]):
            if i >= len(lines):
                raise InstanceError("file ends inside the box list", file=path, field=where)
            f = _ints(lines[i], path, f"{where} box line {i + 1}")
            if len(f) != 8:
                raise InstanceError(
                    f"box line needs 8 fields 'type d1 v1 d2 v2 d3 v3 count', got {len(f)}",
                    file=path,
                    field=f"{where} (line {i + 1})",
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
                raise InstanceError(exc.reason, file=path, field=f"{where} (line {i + 1})") from None
            i += 1
        try:
            container = Container(*dims)
            out.append(LoadingInstance(f"{path.stem}-{k}", container, tuple(types)))
        except InstanceError as exc:
            raise InstanceError(exc.reason, file=path, field=f"{where}: {exc.field}") from None
    return out


def read_thpack_instance(path: str | Path, k: int = 1) -> LoadingInstance:
    """Problem ``k`` (counted from 1 in file order) of a thpack file."""
    problems = read_thpack(path)
    if not 1 <= k <= len(problems):
        raise InstanceError(f"instance {k} out of range 1..{len(problems)}", file=path, field="--instance")
    return problems[k - 1]
