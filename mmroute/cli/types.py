"""argparse ``type=`` functions: every flag is checked when the command line is parsed.

A bad value ends the run before anything is read, solved or written, with one line
(``mmroute vrp solve: error: argument --seed: must be an integer >= 0, got '-1'``) and exit 2.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable

from mmroute.errors import InputError
from mmroute.io import check_output_path
from mmroute.validate import MAX_SEED, MAX_TIME_LIMIT_S  # one definition for CLI and API

__all__ = [
    "MAX_SEED",
    "MAX_TIME_LIMIT_S",
    "time_limit",
    "decision_budget",
    "seed",
    "int_in",
    "float_in",
    "output_file",
    "scenario_output",
    "identifier",
]



def _number(text: str, kind: type) -> float | int:
    try:
        value = kind(text)
    except (TypeError, ValueError, OverflowError):
        noun = "an integer" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"must be {noun}, got {text!r}") from None
    if kind is float and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def int_in(lo: int, hi: int | None = None) -> Callable[[str], int]:
    """A parser of integers ``lo <= k (<= hi)``."""

    def parse(text: str) -> int:
        value = _number(text, int)
        if value < lo or (hi is not None and value > hi):
            rng = f">= {lo}" if hi is None else f"in {lo}..{hi}"
            raise argparse.ArgumentTypeError(f"must be an integer {rng}, got {text!r}")
        return int(value)

    parse.__name__ = "integer"  # argparse names the type in its own messages
    return parse


def float_in(lo: float, hi: float, *, lo_open: bool = False) -> Callable[[str], float]:
    """A parser of finite numbers in ``[lo, hi]`` (``(lo, hi]`` with ``lo_open``)."""

    def parse(text: str) -> float:
        value = float(_number(text, float))
        if value < lo or value > hi or (lo_open and value == lo):
            left = "(" if lo_open else "["
            raise argparse.ArgumentTypeError(f"must be a finite number in {left}{lo:g}, {hi:g}], got {text!r}")
        return value

    parse.__name__ = "number"
    return parse


#: Seconds: finite, > 0, at most :data:`MAX_TIME_LIMIT_S`.
time_limit = float_in(0.0, MAX_TIME_LIMIT_S, lo_open=True)
_budget = float_in(0.0, MAX_TIME_LIMIT_S)


def decision_budget(text: str) -> float | None:
    """Seconds in [0, :data:`MAX_TIME_LIMIT_S`], or ``none`` (no budget: ``None``)."""
    return None if text.strip().lower() == "none" else _budget(text)


decision_budget.__name__ = "number"
#: A random seed: an integer in 0 .. :data:`MAX_SEED`.
seed = int_in(0, MAX_SEED)


def output_file(text: str) -> str:
    """An output path that can be written (see :func:`mmroute.io.check_output_path`)."""
    try:
        check_output_path(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(exc.reason) from None
    return text


def html_output(text: str) -> str:
    """An output page: writable and ending in ``.html`` (or ``.htm``)."""
    output_file(text)
    if not text.lower().endswith((".html", ".htm")):
        raise argparse.ArgumentTypeError("must end in .html")
    return text


def html_beside(html: str | None, out: str | None) -> None:
    """``--html`` must not be the ``--out`` file (:class:`InputError`)."""
    from pathlib import Path

    if html is not None and out is not None and Path(html).resolve() == Path(out).resolve():
        raise InputError("--html must differ from --out", file=html)


_SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")


def scenario_output(text: str) -> str:
    """An output scenario file: writable, and ``.yaml``, ``.yml`` or ``.json``."""
    output_file(text)
    suffix = "." + text.rsplit(".", 1)[-1].lower() if "." in text.rsplit("/", 1)[-1] else ""
    if suffix not in _SCENARIO_SUFFIXES:
        raise argparse.ArgumentTypeError(
            f"must end in {', '.join(_SCENARIO_SUFFIXES)}, got {text!r}")
    return text


_ID = re.compile(r"^[A-Za-z0-9_.~-]{1,64}$")  # the rule of ids in scenario files


def identifier(text: str) -> str:
    """A scenario id: 1-64 letters, digits, '_', '.', '~' and '-'."""
    if not _ID.match(text):
        raise argparse.ArgumentTypeError(
            f"must be 1-64 of letters, digits, _ . ~ -, got {text[:70]!r}")
    return text
