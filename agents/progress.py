"""Progress bars of a training run's phases (tqdm, on stderr): episodes of measuring,
imitation and DAgger, PPO steps; each with its rate and ETA."""

from __future__ import annotations

import sys
from contextlib import contextmanager

__all__ = ["progress"]


@contextmanager
def progress(desc: str, total: int, unit: str, enabled: bool):
    """A tqdm bar of ``total`` ``unit``\\ s on stderr (shown at once), closed at the end;
    a bar that shows nothing when not ``enabled``. Not a terminal: one line at most every
    5 s."""
    from tqdm import tqdm

    tty = sys.stderr.isatty()
    bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=not enabled,
               mininterval=0.1 if tty else 5.0, dynamic_ncols=tty, ascii=not tty)
    try:
        yield bar
    finally:
        bar.close()
