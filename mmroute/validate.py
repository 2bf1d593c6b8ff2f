"""Argument checks at the public entry points: one message style, the project's exceptions.

Every public solver and checker calls these first, so that ``None``, a string for a number, a
NaN or infinite time limit, a negative seed or a path where a problem object belongs raise an
:class:`~mmroute.errors.InputError` naming the argument, never a ``TypeError`` or
``AttributeError`` from deep inside. Imports nothing of the project but the errors.
"""

from __future__ import annotations

import math
import numbers
from os import PathLike
from typing import Any, TypeVar

from mmroute.errors import InputError

__all__ = [
    "MAX_SEED",
    "MAX_SHIPMENTS",
    "MAX_TIME_LIMIT_S",
    "time_limit_s",
    "seed",
    "number",
    "integer",
    "share",
    "flag",
    "instance_of",
    "params_of",
    "sequence_of",
    "describe",
]

#: Seeds go to CP-SAT, HiGHS, SCIP and PyVRP; all take a non-negative 31-bit integer
#: (the same limit as the CLI's ``--seed``).
MAX_SEED = 2**31 - 1
#: Most shipments a scenario may hold (a carmaker's month at scale, ``mmroute scenarios
#: scale --consignments``); one definition for the scenario format, the API and the CLI.
MAX_SHIPMENTS = 100_000
#: Longest time limit accepted (seconds, about 115 days): larger values overflow solvers' timers.
MAX_TIME_LIMIT_S = 1e7

T = TypeVar("T")


def describe(value: Any) -> str:
    """A short description of a value for messages: ``str 'abc'``, ``NoneType``, ``list of 3``."""
    kind = type(value).__name__
    if value is None:
        return "None"
    if isinstance(value, str | bytes | PathLike):
        text = repr(str(value) if isinstance(value, PathLike) else value)
        return f"{kind} {text[:60]}"
    if isinstance(value, list | tuple | dict | set):
        return f"{kind} of {len(value)}"
    if isinstance(value, numbers.Number):
        return f"{kind} {value!r}"
    return kind


def is_number(value: Any) -> bool:
    """A real number that is not a boolean (numpy scalars included; NaN and inf too)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_integer(value: Any) -> bool:
    """An integer (numpy integers included) that is not a boolean; ``1.0`` is not one."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


_real = is_number


def number(value: Any, name: str, *, lo: float = -math.inf, hi: float = math.inf,
           lo_open: bool = False, nullable: bool = False) -> float | None:
    """A finite real number in ``[lo, hi]`` (``(lo, hi]`` with ``lo_open``); never from text."""
    if value is None and nullable:
        return None
    if not _real(value):
        raise InputError(f"expected a number, got {describe(value)}", field=name)
    x = float(value)
    if not math.isfinite(x) or x < lo or x > hi or (lo_open and x == lo):
        left = "(" if lo_open else "["
        raise InputError(f"expected a finite number in {left}{lo:g}, {hi:g}], got {value!r}", field=name)
    return x


def integer(value: Any, name: str, *, lo: int | None = None, hi: int | None = None,
            nullable: bool = False) -> int | None:
    """An integer in ``[lo, hi]``: an ``int`` (numpy ints too) or a float without fraction;
    never truncated, never a boolean or text."""
    if value is None and nullable:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not is_integer(value):
        raise InputError(f"expected an integer, got {describe(value)}", field=name)
    k = int(value)
    if (lo is not None and k < lo) or (hi is not None and k > hi):
        rng = f">= {lo}" if hi is None else f"<= {hi}" if lo is None else f"in {lo}..{hi}"
        raise InputError(f"expected an integer {rng}, got {k}", field=name)
    return k


def time_limit_s(value: Any, name: str = "time_limit_s") -> float:
    """Seconds: finite, > 0, at most :data:`MAX_TIME_LIMIT_S`."""
    return number(value, name, lo=0.0, hi=MAX_TIME_LIMIT_S, lo_open=True)  # type: ignore[return-value]


def seed(value: Any, name: str = "seed") -> int:
    """A random seed: an integer in ``0 .. MAX_SEED``."""
    return integer(value, name, lo=0, hi=MAX_SEED)  # type: ignore[return-value]


def share(value: Any, name: str) -> float:
    """A share in ``[0, 1]`` (e.g. ``min_support``; NaN is refused)."""
    if not (_real(value) and 0.0 <= value <= 1.0):
        raise InputError(f"must be in [0, 1], got {describe(value)}", field=name)
    return float(value)


def flag(value: Any, name: str) -> bool:
    """A boolean: ``True`` or ``False``, never ``0`` / ``1`` or text."""
    if not isinstance(value, bool):
        raise InputError(f"expected true or false, got {describe(value)}", field=name)
    return value


def instance_of(value: Any, cls: type[T] | tuple[type, ...], name: str, *, hint: str = "") -> T:
    """``value`` if it is a ``cls``; else :class:`InputError` saying what was given.

    ``hint`` is added when a path or a string was given (e.g. ``"read it first with
    read_instance(path)"``).
    """
    if isinstance(value, cls):
        return value  # type: ignore[return-value]
    names = " or ".join("None" if c is type(None) else c.__name__ for c in (cls if isinstance(cls, tuple) else (cls,)))
    article = "an" if names[0] in "AEIOU" else "a"
    extra = f"; {hint}" if hint and isinstance(value, str | PathLike) else ""
    raise InputError(f"expected {article} {names}, got {describe(value)}{extra}", field=name)


def params_of(value: Any, cls: type[T], name: str = "params") -> T:
    """``value`` if it is a ``cls``, the defaults ``cls()`` for ``None``, else :class:`InputError`."""
    if value is None:
        return cls()
    return instance_of(value, cls, name)


def sequence_of(value: Any, cls: type[T] | tuple[type, ...], name: str) -> tuple[T, ...]:
    """A tuple of ``cls`` items from a list or tuple (not a string, a mapping or a generator)."""
    if not isinstance(value, list | tuple):
        raise InputError(f"expected a list or tuple, got {describe(value)}", field=name)
    for k, item in enumerate(value):
        instance_of(item, cls, f"{name}[{k}]")
    return tuple(value)
