"""The ``mmroute`` command line: a thin shell over the packages' public functions.

Each group of commands lives in its own module of this package (``mmroute/cli/vrp.py``, ...)
exposing ``register(subparsers)``; every command's handler returns an exit code. Flags are
checked while parsing (:mod:`mmroute.cli.types`). User errors (:class:`mmroute.errors.MMRouteError`)
and files that cannot be written are printed on one line to stderr with exit code 2. A
command's output files are written together when it ends (:func:`mmroute.io.output_group`):
all of them or none. SIGINT / SIGTERM stop it with exit code 130 / 143 and nothing written
(:mod:`mmroute.interrupt`).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import textwrap
from collections.abc import Sequence

from mmroute import __version__
from mmroute.errors import MMRouteError
from mmroute.interrupt import exit_code, handle_signals
from mmroute.io import output_group

__all__ = ["build_parser", "main"]

# Modules that add commands; each has ``register(subparsers) -> None``.
_COMMAND_MODULES = (
    "mmroute.cli.scenarios",
    "mmroute.cli.vrp",
    "mmroute.cli.load",
    "mmroute.cli.plan",
    "mmroute.cli.agents",
    "mmroute.cli.cars",
    "mmroute.cli.schedules",
    "mmroute.cli.roads",
    "mmroute.cli.jis",
    "mmroute.cli.serve",
)


class _Formatter(argparse.HelpFormatter):
    """argparse's help, wrapped without breaking at hyphens (policy names like
    ``replan-late`` stay whole)."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        text = self._whitespace_matcher.sub(" ", text).strip()
        return textwrap.wrap(text, width, break_on_hyphens=False)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        text = self._whitespace_matcher.sub(" ", text).strip()
        return textwrap.fill(text, width, initial_indent=indent, subsequent_indent=indent,
                             break_on_hyphens=False)


class _Parser(argparse.ArgumentParser):
    """An argparse parser whose usage errors are one line and exit 2 (help wrapped by
    :class:`_Formatter` unless another is given)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the full ``mmroute`` argument parser."""
    parser = _Parser(prog="mmroute", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"mmroute {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code: 0 ok, 1 a checked solution is infeasible, 2 user
    error (bad flag, file or field; an output that cannot be written), 3 a policy beat the
    hindsight bound (``evaluate``), 130 / 143 interrupted by SIGINT / SIGTERM."""
    with handle_signals():
        try:
            args = build_parser().parse_args(argv)  # SystemExit(2) on a bad flag
            with output_group():
                return int(args.func(args) or 0)
        except MMRouteError as exc:
            return _fail(str(exc))
        except OSError as exc:  # disk full, a folder removed meanwhile: the run writes nothing
            where = f" {exc.filename}" if exc.filename else ""
            return _fail(f"cannot read or write{where}: {exc.strerror or exc}")
        except KeyboardInterrupt:
            print("mmroute: interrupted", file=sys.stderr)
            return exit_code()


def _fail(message: str) -> int:
    print(f"mmroute: error: {message}".replace("\n", " "), file=sys.stderr)
    return 2
