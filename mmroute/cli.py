"""The ``mmroute`` command line: a thin shell over the packages' public functions.

Each group of commands lives in its own module (``mmroute/cli_*.py``) exposing
``register(subparsers)``; every command's handler returns an exit code. User errors
(:class:`mmroute.errors.MMRouteError`) are printed on one line to stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from mmroute import __version__
from mmroute.errors import MMRouteError

# Modules that add commands; each has ``register(subparsers) -> None``.
_COMMAND_MODULES = (
    "mmroute.cli_scenarios",
    "mmroute.cli_vrp",
    "mmroute.cli_load",
    "mmroute.cli_plan",
    "mmroute.cli_agents",
    "mmroute.cli_cars",
)


class _Parser(argparse.ArgumentParser):
    """An argparse parser whose usage errors are one line and exit 2."""

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
    """Run the CLI; return the exit code (0 ok, 1 a checked solution is infeasible, 2 user
    error, 3 a policy beat the hindsight bound)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except MMRouteError as exc:
        print(f"mmroute: error: {exc}".replace("\n", " "), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mmroute: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
