"""Lazy re-exports for package ``__init__`` modules (PEP 562 module ``__getattr__``).

A package lists ``public name -> defining module`` in a table; a name's module is imported on
first use, so ``import mmroute.routing.vrp`` does not pay for CP-SAT, MathOpt or pandas.
Deprecated names map to their new name and warn once per use.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports", "moved_module"]


def lazy_exports(
    namespace: dict[str, Any],
    table: Mapping[str, str],
    deprecated: Mapping[str, str] | None = None,
    renamed: Mapping[str, str] | None = None,
    moved: Mapping[str, str] | None = None,
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for the module whose ``globals()`` is ``namespace``.

    table: public name -> module that defines it; deprecated: old name -> new public name
    (the old name still resolves, with a :class:`DeprecationWarning`); renamed: public name ->
    the name it has in its module (two packages define a ``check_plan``); moved: public name ->
    the package it now lives in (the name still resolves here, with a
    :class:`DeprecationWarning`).
    """
    package = namespace["__name__"]
    old_names = dict(deprecated or {})
    moved_to = dict(moved or {})

    def __getattr__(name: str) -> Any:
        if name in moved_to:
            warnings.warn(f"{package}.{name} has moved; import it from {moved_to[name]}",
                          DeprecationWarning, stacklevel=2)
            return getattr(importlib.import_module(moved_to[name]), name)
        if name in old_names:
            new = old_names[name]
            warnings.warn(f"{package}.{name} is deprecated; use {package}.{new}", DeprecationWarning, stacklevel=2)
            return __getattr__(new)
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), (renamed or {}).get(name, name))
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace.get("__all__", ())) | set(table))

    return __getattr__, __dir__


def moved_module(old: str, *new: str) -> Callable[[str], Any]:
    """``__getattr__`` for a module that has moved: a name of the first of the ``new`` modules
    that has it resolves, with a :class:`DeprecationWarning` naming where it lives now."""

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        for target in new:
            module = importlib.import_module(target)
            if hasattr(module, name):
                warnings.warn(f"{old} has moved; import {name} from {target}",
                              DeprecationWarning, stacklevel=2)
                return getattr(module, name)
        raise AttributeError(f"module {old!r} has no attribute {name!r}")

    return __getattr__
