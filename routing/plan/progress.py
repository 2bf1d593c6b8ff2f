"""Where a plan solve is: its phase, and the best plan and bound found so far.

:func:`~mmroute.routing.plan.solve_plan` calls ``progress(phase, objective, bound)`` as it
goes (``progress`` given): ``phase`` one of :data:`PHASES`; ``objective`` the best plan's
objective so far (CNY; ``None`` before there is one), ``bound`` the best lower bound on the
optimum (CNY; ``None`` before there is one). Both are reported only when the solve minimises
the objective without shaping premiums (otherwise what it minimises is not the objective).

=============  ==========================================================================
``network``    building the time-expanded network
``incumbent``  the greedy plan (and the warm start) and arc elimination; reported again when
               done with the incumbent's objective and elimination's bound
``model``      building the MIP
``presolve``   the MIP solver's presolve (HiGHS)
``mip``        branch and bound: objective and bound from each line of HiGHS's log
               (:func:`highs_log_line`); SCIP reports the phase only
``extract``    reading the solver's result, building and checking the itineraries
=============  ==========================================================================
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

__all__ = ["PHASES", "Progress", "highs_log_line", "highs_messages"]

PHASES = ("network", "incumbent", "model", "presolve", "mip", "extract")

#: ``progress(phase, objective_cny, bound_cny)``
Progress = Callable[[str, "float | None", "float | None"], None]

#: a line of HiGHS's branch-and-bound table: source letter (optional), nodes processed, in
#: queue, leaves, explored %, best bound, best solution, gap, ...
_HIGHS_ROW = re.compile(
    r"^\s*[A-Za-z]?\s+\d+\s+\d+\s+\d+\s+[\d.]+%\s+(\S+)\s+(\S+)\s+")


def highs_log_line(line: str) -> tuple[float | None, float | None] | None:
    """``(bound, objective)`` of a row of HiGHS's MIP log (``None`` for each that is still
    infinite), or ``None`` if ``line`` is not such a row."""
    m = _HIGHS_ROW.match(line)
    if m is None:
        return None
    try:
        bound, objective = float(m.group(1)), float(m.group(2))
    except ValueError:
        return None
    return (bound if math.isfinite(bound) else None,
            objective if math.isfinite(objective) else None)


def highs_messages(progress: Progress, *, objective: float | None, bound: float | None,
                   with_values: bool) -> Callable[[Sequence[str]], None]:
    """A MathOpt ``message_callback`` that turns HiGHS's log into ``progress`` calls:
    ``presolve`` when it starts presolving, then ``mip`` with each row of its table. The
    reported objective is the better of the row's and ``objective`` (the incumbent found
    before the MIP), the bound the higher of the row's and ``bound`` (arc elimination's);
    without ``with_values`` only phases are reported."""
    best = {"objective": objective, "bound": bound}

    def better(key: str, value: float | None, pick) -> float | None:
        old = best[key]
        best[key] = value if old is None else old if value is None else pick(old, value)
        return best[key]

    def on_messages(lines: Sequence[str]) -> None:
        for line in lines:
            if line.startswith("Presolving model"):
                progress("presolve", *_values(best, with_values))
                continue
            row = highs_log_line(line)
            if row is None:
                continue
            better("bound", row[0], max)
            better("objective", row[1], min)
            progress("mip", *_values(best, with_values))

    return on_messages


def _values(best: dict[str, float | None], with_values: bool) -> tuple[float | None, float | None]:
    if not with_values:
        return None, None
    return best["objective"], best["bound"]
