"""The project's exception types.

Every error a user can cause (a bad file, a bad field, an infeasible problem) is one of these;
the CLI prints ``str(error)`` on one line and exits 2.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "MMRouteError",
    "InputError",
    "ScenarioError",
    "InstanceError",
    "InfeasibleError",
    "SolverError",
]


class MMRouteError(Exception):
    """Base of every error mmroute raises on purpose."""


class InputError(MMRouteError, ValueError):
    """Bad input: a file or a field that cannot be used.

    ``file`` is the file's name (or ``None``), ``field`` the path to the field inside it
    (e.g. ``links[LZ-QZ-rail].mode``: list items by id where it is known, else by index as
    ``links[3].mode``; or ``None`` for the whole file); the message says what was expected.
    """

    def __init__(self, message: str, *, file: str | Path | None = None, field: str | None = None):
        self.file = None if file is None else Path(file).name
        self.field = field
        self.reason = message
        parts = [p for p in (self.file, field) if p]
        super().__init__(_one_line(": ".join([*parts, message])))


def _one_line(text: str) -> str:
    """``text`` with line breaks and other unprintable characters escaped (``\\n``): a
    field name or value read from a file must not break the CLI's one-line message."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class ScenarioError(InputError):
    """A scenario file is missing, unreadable or invalid."""


class InstanceError(InputError):
    """A benchmark instance or solution file (VRPLIB, Solomon, thpack, JSON) is invalid."""


class InfeasibleError(MMRouteError):
    """The problem has no feasible solution (e.g. a demand above every vehicle's capacity)."""


class SolverError(MMRouteError):
    """A solver failed for a reason other than bad input or infeasibility."""
