"""Where a training run's time goes: wall and CPU seconds per phase (measuring, imitation,
cloning, DAgger, PPO, validation), recorded on the run's cards as ``phase_seconds``.

CPU seconds are this process's (:func:`time.process_time`): the PPO phase's env worker
processes (``n_envs > 1``) are not in them; ``/usr/bin/time -v`` gives a run's total.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Any

__all__ = ["PhaseClock"]


class PhaseClock:
    """Wall and CPU seconds per phase name, summed over the phase's spans."""

    def __init__(self) -> None:
        self.wall_s: dict[str, float] = {}
        self.cpu_s: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str):
        """Time the block as (part of) phase ``name``."""
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - wall, time.process_time() - cpu)

    def add(self, name: str, wall_s: float, cpu_s: float) -> None:
        """Add ``wall_s`` / ``cpu_s`` seconds to phase ``name`` (negative: taken off, e.g. a
        validation inside PPO's span)."""
        self.wall_s[name] = self.wall_s.get(name, 0.0) + wall_s
        self.cpu_s[name] = self.cpu_s.get(name, 0.0) + cpu_s

    def to_dict(self) -> dict[str, Any]:
        """``{phase: {"wall_s": .., "cpu_s": ..}}`` (0.1 s), phases in the order first seen."""
        return {k: {"wall_s": round(max(0.0, w), 1), "cpu_s": round(max(0.0, self.cpu_s[k]), 1)}
                for k, w in self.wall_s.items()}

    def summary(self) -> str:
        """One line: ``phase wall s (CPU s)`` for every phase."""
        return ", ".join(f"{k} {v['wall_s']:.0f} s ({v['cpu_s']:.0f} s CPU)"
                         for k, v in self.to_dict().items())
