"""Argument checks of the env's entry points (``reset``, ``step``): a bad argument is an
:class:`~mmroute.errors.InputError` naming it, never a ``ValueError`` from deep inside or a
silent conversion (``step(1.9)`` taking slot 1)."""

from __future__ import annotations

from typing import Any

import numpy as np

from mmroute.errors import InputError
from mmroute.validate import describe, integer, is_integer

__all__ = ["action_slot", "reset_seed"]


def action_slot(action: Any) -> int:
    """The slot an action names: an ``int``, a numpy integer or a 0-d integer array (what
    SB3's ``predict`` returns for one observation); a float, a boolean, text or an array of
    another shape is refused. (A slot out of range or not allowed is the env's business: it
    takes slot 0 and says so in ``info["invalid_action"]``.)"""
    if type(action) is int:  # the common case, without the checks below
        return action
    if isinstance(action, np.ndarray) and action.shape == () and action.dtype.kind in "iu":
        return int(action)
    if is_integer(action):
        return int(action)
    raise InputError(f"an action is an integer slot, got {describe(action)}"
                     f"{' of shape ' + str(action.shape) if isinstance(action, np.ndarray) else ''}",
                     field="action")


def reset_seed(seed: Any) -> int | None:
    """``reset``'s seed: ``None`` or an integer >= 0 (numpy integers too)."""
    if seed is None:
        return None
    if not is_integer(seed):
        raise InputError(f"expected an integer >= 0 or None, got {describe(seed)}", field="seed")
    return integer(seed, "seed", lo=0)
