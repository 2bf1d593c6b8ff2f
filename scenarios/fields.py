"""Field readers that validate one value and name it in their errors.

A :class:`Fields` carries the file name; each method takes the value and its field path
(e.g. ``links[LZ-QZ-rail].mode``: list items by id where it is known, see
:meth:`Fields.item`, else by index, ``links[3].mode``) and returns the value converted, or
raises :class:`mmroute.errors.ScenarioError` saying what was expected.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from mmroute.errors import ScenarioError
from mmroute.validate import is_number

__all__ = ["Fields", "MISSING", "check_suffix"]

MISSING: Any = object()
_ID = re.compile(r"^[A-Za-z0-9_.~-]{1,64}$")
#: Most items any list in a scenario may hold (oversized input is refused, not churned on).
MAX_ITEMS = 20_000


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def type_name(value: Any, *, json: bool = False) -> str:
    """What ``value`` is, for an error message: ``"a number"``, ``"null"``...; ``json``: in
    JSON's words (``"an object"``, ``"an array"``) instead of YAML's (mapping, list)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object" if json else "a mapping"
    if isinstance(value, (list, tuple)):
        return "an array" if json else "a list"
    return type(value).__name__


_type_name = type_name


class Fields:
    """Validating readers for one file (``file`` is named in every error)."""

    def __init__(self, file: str):
        self.file = file

    def error(self, path: str, message: str) -> ScenarioError:
        """An error about field ``path``."""
        return ScenarioError(message, file=self.file, field=path or None)

    # --- containers -----------------------------------------------------------------------
    def mapping(
        self,
        value: Any,
        path: str,
        *,
        required: Iterable[str] = (),
        optional: Iterable[str] = (),
    ) -> Mapping[str, Any]:
        """A mapping with only the listed keys, every required one present."""
        if not isinstance(value, Mapping):
            raise self.error(path, f"expected a mapping, got {_type_name(value)}")
        required = tuple(required)
        allowed = (*required, *optional)
        for key in value:
            if not isinstance(key, str):
                raise self.error(path, f"keys must be strings, got {_show(key)}")
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise self.error(
                    _join(path, key),
                    f"unknown field{hint}; expected one of {', '.join(allowed)}",
                )
        for key in required:
            if key not in value:
                raise self.error(_join(path, key), "required field is missing")
        return value

    def sequence(
        self, value: Any, path: str, *, min_len: int = 0, max_len: int = MAX_ITEMS
    ) -> Sequence[Any]:
        """A list of ``min_len`` to ``max_len`` items."""
        if not isinstance(value, (list, tuple)):
            raise self.error(path, f"expected a list, got {_type_name(value)}")
        if len(value) < min_len:
            what = "item" if min_len == 1 else "items"
            raise self.error(path, f"expected at least {min_len} {what}, got {len(value)}")
        if len(value) > max_len:
            raise self.error(path, f"too many items ({len(value)} > {max_len})")
        return value

    # --- scalars --------------------------------------------------------------------------
    def number(
        self,
        value: Any,
        path: str,
        *,
        ge: float | None = None,
        gt: float | None = None,
        le: float | None = None,
        lt: float | None = None,
    ) -> float:
        """A finite real number within the bounds given."""
        if not is_number(value):
            raise self.error(path, f"expected a number, got {_type_name(value)} {_show(value)}")
        try:
            x = float(value)
        except OverflowError:
            x = math.inf if value > 0 else -math.inf
        if not math.isfinite(x):
            raise self.error(path, f"expected a finite number, got {_show(value)}")
        if gt is not None and not x > gt:
            raise self.error(path, f"must be > {gt:g}, got {x:g}")
        if ge is not None and not x >= ge:
            raise self.error(path, f"must be >= {ge:g}, got {x:g}")
        if lt is not None and not x < lt:
            raise self.error(path, f"must be < {lt:g}, got {x:g}")
        if le is not None and not x <= le:
            raise self.error(path, f"must be <= {le:g}, got {x:g}")
        return x

    def integer(self, value: Any, path: str, *, ge: int | None = None, le: int | None = None) -> int:
        """An integer (a float with an integral value is accepted) within the bounds."""
        x = self.number(value, path, ge=ge, le=le)
        if x != int(x):
            raise self.error(path, f"expected an integer, got {_show(value)}")
        return int(x)

    def boolean(self, value: Any, path: str) -> bool:
        """true or false."""
        if not isinstance(value, bool):
            raise self.error(path, f"expected true or false, got {_type_name(value)} {_show(value)}")
        return value

    def string(self, value: Any, path: str, *, max_len: int = 10_000) -> str:
        """A string of at most ``max_len`` characters."""
        if not isinstance(value, str):
            raise self.error(path, f"expected a string, got {_type_name(value)} {_show(value)}")
        if len(value) > max_len:
            raise self.error(path, f"string too long ({len(value)} > {max_len} characters)")
        return value

    def identifier(self, value: Any, path: str) -> str:
        """An id: 1-64 characters of letters, digits, '_', '.', '~' and '-'."""
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        text = self.string(value, path)
        if not _ID.match(text):
            raise self.error(
                path, f"{_show(text)} is not a valid id (1-64 of letters, digits, _ . ~ -)"
            )
        return text

    def choice(self, value: Any, path: str, options: Sequence[str]) -> str:
        """One of ``options``."""
        if not isinstance(value, str) or value not in options:
            raise self.error(path, f"{_show(value)} is not one of {', '.join(options)}")
        return value

    def reference(self, value: Any, path: str, known: Mapping[str, Any] | set[str], what: str) -> str:
        """The id of an existing ``what`` (e.g. a node)."""
        ident = self.identifier(value, path)
        if ident not in known:
            close = [k for k in known if k.lower() == ident.lower()]
            close = close or difflib.get_close_matches(ident, list(known), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise self.error(path, f"unknown {what} '{ident}'{hint}")
        return ident

    def interval(
        self, value: Any, path: str, *, ge: float | None = None, gt: float | None = None
    ) -> tuple[float, float]:
        """A pair [lo, hi] of numbers with lo <= hi."""
        seq = self.sequence(value, path, min_len=2, max_len=2)
        lo = self.number(seq[0], f"{path}[0]", ge=ge, gt=gt)
        hi = self.number(seq[1], f"{path}[1]", ge=ge, gt=gt)
        if hi < lo:
            raise self.error(path, f"expected [min, max] with min <= max, got [{lo:g}, {hi:g}]")
        return lo, hi

    def lonlat(self, value: Any, path: str) -> tuple[float, float]:
        """A [lon, lat] point in degrees."""
        seq = self.sequence(value, path, min_len=2, max_len=2)
        return (
            self.number(seq[0], f"{path}[0]", ge=-180, le=180),
            self.number(seq[1], f"{path}[1]", ge=-90, le=90),
        )

    def item(self, list_path: str, index: int, ident: Any) -> str:
        """The path of item ``index`` of the list at ``list_path``: ``list[ID]`` when its id
        ``ident`` is a valid id (e.g. ``links[LZ-QZ-rail]``), else ``list[index]`` (also for
        ids of digits only, which would read as an index)."""
        if isinstance(ident, int) and not isinstance(ident, bool):
            ident = str(ident)
        if isinstance(ident, str) and _ID.match(ident) and not ident.isdigit():
            return f"{list_path}[{ident}]"
        return f"{list_path}[{index}]"

    def item_of(self, list_path: str, index: int, raw: Any) -> str:
        """:meth:`item` for a raw entry, named by its ``id`` field if it has a valid one."""
        return self.item(list_path, index, raw.get("id") if isinstance(raw, Mapping) else None)

    def unique(self, ids: Sequence[str], path: str, what: str) -> None:
        """Raise on the first duplicate id in ``ids`` (``path`` is the list's path)."""
        seen: dict[str, int] = {}
        for i, ident in enumerate(ids):
            if ident in seen:
                raise self.error(
                    f"{path}[{i}].id", f"duplicate {what} id '{ident}' (first at {path}[{seen[ident]}])"
                )
            seen[ident] = i


def check_suffix(path: Path, allowed: Sequence[str], what: str) -> str:
    """The lower-case suffix of ``path`` if it is one of ``allowed``, else a ScenarioError
    naming the file and saying ``what`` could not be done (e.g. "draw a map as")."""
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise ScenarioError(
            f"cannot {what} '{suffix or path.name}', expected one of {', '.join(allowed)}",
            file=path.name,
        )
    return suffix


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
