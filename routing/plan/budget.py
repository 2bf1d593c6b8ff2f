"""The time budget of one plan call: a deadline every phase looks at, and what the MIP costs
beyond the solver's own time limit.

Measured on the ``benchmarks/plan_scaling.py`` stress row (liuzhou-asean-n1000-h504, 1.72 M
columns, 4.71 M nonzeros, capacity-starved; a 2-core machine at load 11-13): building the
model proto takes 10.5-13.8 s; MathOpt hands it to HiGHS in 11.1-15.3 s before HiGHS's clock
starts; HiGHS's presolve works in rounds of 15-23 s that its time limit does not cut (nor
MathOpt's interrupter, tried from another thread): with a limit of 10 s HiGHS stopped after
21.8 s, with 40 s after 55.5 s, with 67 s after ~94 s, with 100 s after 116 s, each time
still in presolve, without plan or bound. So, per column: build 8 us, load 9 us, overrun past
the limit up to 16 us, presolve over 32 us — the rates below.

Below :data:`MIN_COLUMNS` columns none of this applies: such models load and presolve in well
under a second, HiGHS stops close to its limit, and re-planning policies with sub-second
limits rely on its plan; there the MIP always starts and gets all the time left (as before).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

__all__ = ["Deadline", "BUILD_S_PER_COLUMN", "LOAD_S_PER_COLUMN", "OVERRUN_S_PER_COLUMN",
           "PRESOLVE_S_PER_COLUMN", "MIN_COLUMNS", "beyond_limit_s", "mip_worth_starting"]

#: building the MIP's ``ModelProto`` from the network (s per column)
BUILD_S_PER_COLUMN = 8e-6
#: MathOpt loading the proto into HiGHS, before HiGHS's time limit starts counting (s per column)
LOAD_S_PER_COLUMN = 9e-6
#: HiGHS running past its time limit (an uninterruptible presolve round or LP; s per column)
OVERRUN_S_PER_COLUMN = 1.6e-5
#: HiGHS's presolve: with less, a MIP solve yields neither plan nor bound (s per column)
PRESOLVE_S_PER_COLUMN = 3.2e-5
#: columns from which the MIP's cost beyond the solver's limit is counted
MIN_COLUMNS = 100_000


@dataclass(frozen=True)
class Deadline:
    """A point in ``time.perf_counter()`` seconds (``math.inf``: none)."""

    at: float = math.inf

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        """The deadline ``seconds`` from now."""
        return cls(at=time.perf_counter() + seconds)

    def left_s(self) -> float:
        """Seconds until the deadline (negative once passed)."""
        return self.at - time.perf_counter()

    def passed(self) -> bool:
        """True once the deadline is reached."""
        return time.perf_counter() >= self.at


def beyond_limit_s(n_columns: int) -> float:
    """Seconds a MIP of ``n_columns`` runs beyond the time limit HiGHS gets (load + overrun;
    0 below :data:`MIN_COLUMNS`)."""
    if n_columns < MIN_COLUMNS:
        return 0.0
    return n_columns * (LOAD_S_PER_COLUMN + OVERRUN_S_PER_COLUMN)


def mip_worth_starting(n_columns: int, left_s: float, *, built: bool) -> bool:
    """True if, with ``left_s`` seconds left, a MIP of ``n_columns`` (its model ``built``
    already or not) can still get through HiGHS's presolve and stop in time (always below
    :data:`MIN_COLUMNS`)."""
    if n_columns < MIN_COLUMNS:
        return True
    build = 0.0 if built else n_columns * BUILD_S_PER_COLUMN
    return left_s - build - beyond_limit_s(n_columns) >= n_columns * PRESOLVE_S_PER_COLUMN
