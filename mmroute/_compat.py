"""Deprecated keyword arguments of solver entry points, folded into their params object."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, TypeVar

__all__ = ["fold_deprecated", "pop_renamed"]

P = TypeVar("P")


def fold_deprecated(func: str, params: P, old: Mapping[str, Any], fields: Mapping[str, str]) -> P:
    """``params`` with each deprecated keyword of ``old`` set on its field (``fields``: old
    keyword -> params field); warns once per call, raises :class:`TypeError` on an unknown
    keyword, as Python would."""
    unknown = sorted(set(old) - set(fields))
    if unknown:
        raise TypeError(f"{func}() got an unexpected keyword argument {unknown[0]!r}")
    if not old:
        return params
    names = ", ".join(sorted(old))
    warnings.warn(f"{func}(): the keyword(s) {names} are deprecated; pass params=... instead",
                  DeprecationWarning, stacklevel=3)
    return replace(params, **{fields[k]: v for k, v in old.items()})


def pop_renamed(func: str, old: dict[str, Any], old_name: str, new_name: str, value: Any) -> Any:
    """``value`` of keyword ``new_name``, or the deprecated spelling ``old_name`` popped from
    ``old`` (with a :class:`DeprecationWarning`); :class:`TypeError` if both are given."""
    if old_name not in old:
        return value
    if value is not None:
        raise TypeError(f"{func}() got both {new_name!r} and its deprecated name {old_name!r}")
    warnings.warn(f"{func}(): the keyword {old_name} is deprecated; pass {new_name}=... instead",
                  DeprecationWarning, stacklevel=3)
    return old.pop(old_name)
