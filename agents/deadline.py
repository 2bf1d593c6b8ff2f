"""A wall-clock budget for one call: what keeps a policy's decision within ``decision_budget_s``.

:func:`call_within` runs ``fn()`` and abandons it when the budget is spent, whatever it is
doing (building the network, the greedy incumbent, arc elimination, the MIP, the checks):
in the main thread of a Unix process a ``SIGALRM`` timer raises :class:`BudgetSpent` inside
the call at the deadline (Python code stops at its next bytecode; a native call returns
first — the MIP solver is given the remaining budget as its own time limit — and a garbage
collection under way ends first: on a loaded 2-core machine a full collection of a large
process was measured at up to 0.6 s). Elsewhere (another
thread, a platform without ``setitimer``) only that cooperative limit applies, and a call
that returns late counts as over budget. A ring that lands in a finalizer, where Python cannot
raise it, is swallowed quietly (not reported as an unraisable exception) and rings again.

The abandoned call may have filled caches only through whole assignments (what the
network builders do); the caller keeps the plan it had.
"""

from __future__ import annotations

import math
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["BudgetSpent", "call_within", "hard_deadlines", "remaining_s"]

T = TypeVar("T")
#: Seconds between the rings of an alarm whose exception was swallowed.
RING_AGAIN_S = 0.01


class BudgetSpent(BaseException):
    """Raised inside a call when its budget is spent (a ``BaseException``, like
    ``KeyboardInterrupt``: ``except Exception`` in the call does not swallow it)."""


def hard_deadlines() -> bool:
    """Whether :func:`call_within` can stop a call at its deadline here (main thread, Unix)."""
    return (hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")
            and threading.current_thread() is threading.main_thread())


def call_within(fn: Callable[[], T], budget_s: float, *,
                start: float | None = None) -> tuple[T | None, bool]:
    """``(fn(), False)`` if it returns within ``budget_s`` seconds of ``start``
    (``time.perf_counter()``; default now), else ``(None, True)``: a budget of 0 (or one
    already spent) does not call ``fn``. Without :func:`hard_deadlines` the call runs to its
    end and a late return gives ``(result, True)``."""
    t0 = time.perf_counter() if start is None else start
    left = budget_s - (time.perf_counter() - t0)
    if not left > 0.0:
        return None, True
    if not hard_deadlines():
        out = fn()
        return out, time.perf_counter() - t0 > budget_s
    armed = [True]

    def ring(signum, frame) -> None:
        if armed[0]:
            raise BudgetSpent

    old_handler = signal.signal(signal.SIGALRM, ring)
    old_hook = sys.unraisablehook

    def quiet(unraisable) -> None:
        # a ring inside a finalizer (a __del__, a gc or weakref callback) cannot stop the
        # call and is not an error: the alarm rings again; anything else goes on as before
        if unraisable.exc_type is not BudgetSpent:
            old_hook(unraisable)

    sys.unraisablehook = quiet
    # the alarm rings again every RING_AGAIN_S until the call has ended: an exception raised
    # where Python ignores it (a __del__, a gc or weakref callback) does not end the budget
    old_delay, _ = signal.setitimer(signal.ITIMER_REAL, left, RING_AGAIN_S)
    try:
        try:
            return fn(), False
        finally:
            armed[0] = False  # a ring before this line is caught below; none after it
    except BudgetSpent:
        return None, True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        signal.signal(signal.SIGALRM, old_handler)
        sys.unraisablehook = old_hook
        if old_delay > 0.0:  # someone else's timer: give it back what is left of it
            spent = time.perf_counter() - t0
            signal.setitimer(signal.ITIMER_REAL, max(1e-3, old_delay - spent))


def remaining_s(budget_s: float, start: float) -> float:
    """Seconds of ``budget_s`` left since ``start`` (``time.perf_counter()``; never < 0)."""
    return max(0.0, budget_s - (time.perf_counter() - start)) if math.isfinite(budget_s) \
        else math.inf
