"""Ground floor shared by every solver family: the checkers' report and the gap definition.

Every independent checker (``check_vrp``, ``check_packing``, ``check_plan``, ...) returns one
:class:`CheckReport`: ``feasible``, the ``violations`` found (each with where and why) and the
objective it recomputed from the problem data. Imports nothing of the project but the errors.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Violation", "ViolationList", "CheckReport", "relative_gap", "claim_violations", "MAX_LISTED"]

#: Violations listed per report; the rest are only counted (memory linear in the input).
MAX_LISTED = 50


@dataclass(frozen=True)
class Violation:
    """One reason a solution is infeasible: ``where`` (e.g. ``"route 3"``, ``"box 17"``,
    ``"S1 leg 2 (QZ-HPH-sea)"``; empty for the whole solution) and ``why``."""

    where: str
    why: str

    def __str__(self) -> str:
        return f"{self.where}: {self.why}" if self.where else self.why

    def to_dict(self) -> dict[str, str]:
        return {"where": self.where, "why": self.why}


class ViolationList:
    """Violations as a checker finds them: the first :data:`MAX_LISTED` kept, all counted.

    Behaves like the list :meth:`CheckReport.of` takes (``append``, ``extend``, ``len``,
    slicing, truth), in memory bounded however many violations a forged solution has.
    """

    def __init__(self) -> None:
        self._kept: list[Violation] = []
        self._count = 0

    def append(self, violation: Violation) -> None:
        self._count += 1
        if len(self._kept) < MAX_LISTED:
            self._kept.append(violation)

    def extend(self, violations: Any) -> None:
        for v in violations:
            self.append(v)

    def add_report(self, report: CheckReport, prefix: str = "") -> None:
        """Every violation of ``report`` (the listed ones with ``prefix`` before ``where``)."""
        for v in report.violations:
            self.append(Violation(f"{prefix} {v.where}".strip(), v.why))
        self._count += report.n_violations - len(report.violations)

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __getitem__(self, index: Any) -> Any:
        return self._kept[index]

    def __iter__(self) -> Any:
        return iter(self._kept)


@dataclass(frozen=True)
class CheckReport:
    """An independent checker's verdict.

    ``feasible`` iff no violation was found; ``violations`` lists at most :data:`MAX_LISTED`
    of them and ``n_violations`` counts all; ``objective`` is recomputed from the problem
    data (``None`` where it cannot be, e.g. a route through an unknown node); ``details``
    holds family-specific recomputed figures (e.g. ``utilisation``, ``num_routes``).
    """

    feasible: bool
    violations: tuple[Violation, ...] = ()
    objective: float | None = None
    n_violations: int = 0
    details: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.feasible

    @property
    def ok(self) -> bool:
        """Deprecated name of :attr:`feasible` (the plan checker's former ``CheckResult.ok``)."""
        return self.feasible

    @property
    def errors(self) -> tuple[str, ...]:
        """Deprecated: the listed violations as lines (the former ``CheckResult.errors``)."""
        return tuple(str(v) for v in self.violations)

    @property
    def reason(self) -> str:
        """The first violation, or ``"feasible"``."""
        return str(self.violations[0]) if self.violations else "feasible"

    def summary(self) -> str:
        """One line: verdict, recomputed objective, first violations."""
        obj = "n/a" if self.objective is None else f"{self.objective:,.4f}"
        if self.feasible:
            return f"feasible, objective {obj}"
        first = "; ".join(str(v) for v in self.violations[:3])
        return f"infeasible ({self.n_violations} violations), objective {obj}: {first}"

    def to_dict(self) -> dict[str, Any]:
        return {"feasible": self.feasible, "objective": self.objective,
                "n_violations": self.n_violations,
                "violations": [v.to_dict() for v in self.violations],
                "details": dict(self.details)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CheckReport:
        """Inverse of :meth:`to_dict`: the verdict as a plain :class:`CheckReport` (also when
        called on a family's subclass, whose extra data JSON does not carry back)."""
        return CheckReport(feasible=bool(d["feasible"]), objective=d.get("objective"),
                   n_violations=int(d.get("n_violations", 0)),
                   violations=tuple(Violation(**v) for v in d.get("violations", ())),
                   details=dict(d.get("details", {})))

    @classmethod
    def of(cls, violations: list[Violation], objective: float | None = None,
           **details: Any) -> CheckReport:
        """Build a report from every violation found (listed up to :data:`MAX_LISTED`)."""
        return cls(feasible=not violations, violations=tuple(violations[:MAX_LISTED]),
                   objective=objective, n_violations=len(violations), details=details)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """The one gap definition: ``|objective - bound| / max(1, |objective|)`` (``None``
    without both, or if either is not finite)."""
    if objective is None or bound is None:
        return None
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return None
    return abs(objective - bound) / max(1.0, abs(objective))


def _finite(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def claim_violations(
    recomputed: float,
    *,
    objective: object,
    bound: object,
    status: object,
    statuses: tuple[str, ...],
    tol: float,
    sense: str = "min",
    time_s: object = 0.0,
) -> list[Violation]:
    """What is wrong with a solution's claims, given the objective a checker ``recomputed``.

    ``objective`` (``None``: not claimed) must be a finite number within ``tol`` of the
    recomputed value; ``bound`` (``None``: no bound) a finite number on the right side of it
    (``sense="min"``: a lower bound, at most the objective; ``"max"``: an upper bound, at
    least it); ``status`` one of ``statuses``, and ``"optimal"`` only with a bound equal to
    the objective (within ``tol``); ``time_s`` a finite number >= 0. Every checker compares
    claims through this one function.
    """
    bad: list[Violation] = []
    if not (_finite(time_s) and time_s >= 0):  # type: ignore[operator]
        bad.append(Violation("time_s", f"claimed time {time_s!r} is not a finite number >= 0"))
    if objective is not None:
        if not _finite(objective):
            bad.append(Violation("", f"objective {objective!r} differs from the recomputed {recomputed:g} "
                                    "(not a finite number)"))
        elif not abs(float(objective) - recomputed) <= tol:  # type: ignore[arg-type]
            bad.append(Violation("", f"objective {objective:g} differs from the recomputed {recomputed:g}"))
    if bound is not None:
        if not _finite(bound):
            bad.append(Violation("bound", f"claimed bound {bound!r} is not a finite number"))
        elif sense == "min" and float(bound) > recomputed + tol:  # type: ignore[arg-type]
            bad.append(Violation("bound", f"claimed lower bound {bound:g} is above the recomputed objective {recomputed:g}"))
        elif sense == "max" and float(bound) < recomputed - tol:  # type: ignore[arg-type]
            bad.append(Violation("bound", f"claimed upper bound {bound:g} is below the recomputed objective {recomputed:g}"))
    if not isinstance(status, str) or status not in statuses:
        bad.append(Violation("status", f"status must be one of {', '.join(statuses)}, got {status!r}"))
    elif status == "optimal":
        if bound is None:
            bad.append(Violation("status", "claimed optimal without a bound"))
        elif _finite(bound) and not abs(float(bound) - recomputed) <= tol:  # type: ignore[arg-type]
            bad.append(Violation("status", f"claimed optimal but the bound {bound:g} differs from the "
                                           f"recomputed objective {recomputed:g}"))
    return bad
