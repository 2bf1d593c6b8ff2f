"""Strict numbers from the tokens of text instance files (VRPLIB, Solomon, Li & Lim, ``.sol``).

Every error is an :class:`~mmroute.errors.InstanceError` naming the file and the line (and the
field): a number must be finite and within the stated range; an integer field takes integers
only (``1.5`` is an error, never cut to ``1``; ``3.0`` is read as ``3``).
"""

from __future__ import annotations

import math
from pathlib import Path

from mmroute.errors import InstanceError

__all__ = ["MAX_INT", "MAX_COORD", "MAX_NODES", "Lines", "number", "integer"]

#: Largest magnitude of an integer field (demands, capacities, times, costs): 2^40 keeps
#: every sum the solvers form inside int64.
MAX_INT = 2**40
#: Largest magnitude of a coordinate (and of an explicit distance): scaled by 100 and
#: multiplied by the largest unit cost, a route of :data:`MAX_NODES` arcs stays inside int64.
MAX_COORD = 1e6
#: Most nodes of an instance: the solvers hold n x n matrices (5,000 nodes: 200 MB each).
MAX_NODES = 5_000


def number(token: str, *, file: Path, where: str, lo: float = -math.inf, hi: float = math.inf) -> float:
    """``token`` as a finite number in ``[lo, hi]``."""
    try:
        value = float(token)
    except ValueError:
        raise InstanceError(f"expected a number, got {token[:40]!r}", file=file, field=where) from None
    if not math.isfinite(value):
        raise InstanceError(f"expected a finite number, got {token[:40]!r}", file=file, field=where)
    if not lo <= value <= hi:
        raise InstanceError(f"expected a number in [{lo:g}, {hi:g}], got {token[:40]!r}", file=file, field=where)
    return value


def integer(token: str, *, file: Path, where: str, lo: int = -MAX_INT, hi: int = MAX_INT) -> int:
    """``token`` as an integer in ``[lo, hi]`` (``"3.0"`` is 3; ``"3.5"`` is an error)."""
    if len(token) > 30:
        raise InstanceError(f"expected an integer in {lo}..{hi}, got {token[:40]!r}...", file=file, field=where)
    try:
        value = int(token)
    except ValueError:
        try:
            real = float(token)
        except ValueError:
            real = math.nan
        if not real.is_integer():  # NaN, infinities and fractions
            raise InstanceError(f"expected an integer, got {token[:40]!r}", file=file, field=where) from None
        value = int(real)
    if not lo <= value <= hi:
        raise InstanceError(f"expected an integer in {lo}..{hi}, got {token!r}", file=file, field=where)
    return value


class Lines:
    """The non-blank lines of a file as ``(line number from 1, tokens)``."""

    def __init__(self, text: str, file: Path):
        self.file = file
        self.rows = [(no, ln.split()) for no, ln in enumerate(text.splitlines(), 1) if ln.strip()]

    def numbers(self, row: tuple[int, list[str]], fields: tuple[str, ...], ints: frozenset[str] = frozenset(),
                lo: dict[str, float] | None = None, hi: dict[str, float] | None = None) -> list[float]:
        """The tokens of ``row`` as the named ``fields`` (exactly that many); ``ints`` are integers."""
        no, tokens = row
        if len(tokens) != len(fields):
            raise InstanceError(
                f"expected {len(fields)} numbers ({' '.join(fields)}), got {len(tokens)}",
                file=self.file, field=f"line {no}",
            )
        lo = lo or {}
        hi = hi or {}
        out: list[float] = []
        for name, tok in zip(fields, tokens):
            where = f"line {no} {name}"
            if name in ints:
                out.append(integer(tok, file=self.file, where=where, lo=int(lo.get(name, -MAX_INT)), hi=int(hi.get(name, MAX_INT))))
            else:
                out.append(number(tok, file=self.file, where=where, lo=lo.get(name, -math.inf), hi=hi.get(name, math.inf)))
        return out
