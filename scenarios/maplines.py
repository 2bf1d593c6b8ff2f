"""Parallel route lines: a polyline shifted sideways by a fixed width on the page.

Routes that share a link are drawn side by side, each shifted by its own offset in points.
The shift is applied when the line is drawn (a path effect, in display pixels), so it is
the same on a continental map and on a zoomed inset. Imported by the map code only (it
imports matplotlib).
"""

from __future__ import annotations

import numpy as np
from matplotlib.path import Path
from matplotlib.patheffects import AbstractPathEffect
from matplotlib.transforms import IdentityTransform

__all__ = ["offset_polyline", "ParallelOffset", "bundle_offsets"]


def offset_polyline(xy: np.ndarray, d: float, miter_limit: float = 3.0) -> np.ndarray:
    """``xy`` (n x 2) shifted ``d`` to the left of the direction of travel (right if
    negative); corners are mitred, the mitre at most ``miter_limit`` times ``d``."""
    xy = np.asarray(xy, dtype=float)
    keep = np.ones(len(xy), dtype=bool)
    keep[1:] = np.any(np.abs(np.diff(xy, axis=0)) > 1e-9, axis=1)
    xy = xy[keep]
    if len(xy) < 2 or d == 0:
        return xy.copy()
    seg = np.diff(xy, axis=0)
    normals = np.column_stack([-seg[:, 1], seg[:, 0]]) / np.hypot(seg[:, 0], seg[:, 1])[:, None]
    out = np.empty_like(xy)
    out[0] = xy[0] + d * normals[0]
    out[-1] = xy[-1] + d * normals[-1]
    for i in range(1, len(xy) - 1):
        n1, n2 = normals[i - 1], normals[i]
        m = n1 + n2
        dot = float(np.dot(m, n1))  # 1 + cos(turn) = 2 cos^2(half turn)
        if dot < 1e-6:  # a U-turn: no mitre, shift along the incoming normal
            out[i] = xy[i] + d * n1
            continue
        miter = m / dot  # along m, of length 1 / cos(half turn)
        length = float(np.hypot(*miter))
        if length > miter_limit:
            miter *= miter_limit / length
        out[i] = xy[i] + d * miter
    return out


class ParallelOffset(AbstractPathEffect):
    """Draw a line shifted ``offset_pt`` points to the left of its direction."""

    def __init__(self, offset_pt: float):
        super().__init__()
        self.offset_pt = float(offset_pt)

    def draw_path(self, renderer, gc, tpath, affine, rgbFace=None):  # noqa: N803 (matplotlib's name)
        xy = affine.transform(tpath.vertices)
        shifted = offset_polyline(xy, renderer.points_to_pixels(self.offset_pt))
        renderer.draw_path(gc, Path(shifted), IdentityTransform(), rgbFace)


def bundle_offsets(count: int, spacing_pt: float) -> list[float]:
    """Offsets (points) of ``count`` parallel lines ``spacing_pt`` apart, centred on the link."""
    return [(j - (count - 1) / 2) * spacing_pt for j in range(count)]
