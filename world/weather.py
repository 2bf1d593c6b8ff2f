"""Where a drifting weather cell crosses links: the hour windows it closes or slows each one.

Shared by :class:`~mmroute.routing.plan.events.Conditions` (and so by the MIP, the checker and
the simulator) and by the environment's forecasts, so that a cell affects exactly the links its
polygon crosses during exactly the hours it does.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["KM_PER_DEG_LAT", "shifted_area", "mean_lat", "km_to_deg", "km_per_deg_lon",
           "weather_windows", "links_hit",
           "links_hit_many", "WeatherMemo"]

KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON_EQUATOR = 111.320


def shifted_area(area, velocity_kmh, hours: float):
    """``area`` ((lon, lat) points) moved by ``velocity_kmh`` (east, north) for ``hours``;
    degrees per km taken at the area's mean latitude."""
    ve, vn = velocity_kmh
    dx, dy = km_to_deg(ve * hours, vn * hours, mean_lat(area))
    return tuple((x + dx, y + dy) for x, y in area)


def mean_lat(area) -> float:
    """Mean latitude of ``area``'s points."""
    return sum(p[1] for p in area) / len(area)


def km_to_deg(east_km: float, north_km: float, lat: float) -> tuple[float, float]:
    """A move of ``east_km``, ``north_km`` in degrees (lon, lat) at latitude ``lat``."""
    return east_km / km_per_deg_lon(lat), north_km / KM_PER_DEG_LAT


def km_per_deg_lon(lat: float) -> float:
    """Kilometres per degree of longitude at latitude ``lat`` (at least 5 % of the equator's),
    the divisor of :func:`km_to_deg`'s east move."""
    return KM_PER_DEG_LON_EQUATOR * max(0.05, math.cos(math.radians(lat)))


class WeatherMemo:
    """What the crossings of weather cells with one network's ``links`` keep between calls:
    the links' prepared lines, the links each cell hits in each hour step (a step never
    changes) and the merged runs of each cell's whole steps (extended hour by hour as a
    cell is seen; whatever its onset, so every episode of a scenario shares them). Owned by whoever holds the network's tables
    (:class:`~mmroute.world.tables.Tables`); a call without one computes afresh."""

    def __init__(self, links: tuple):
        self.links = links
        self._lines: tuple | None = None
        self.steps: dict[tuple, list[str]] = {}  # (area, velocity, modes, j) -> links hit
        self.windows: dict[tuple, list] = {}  # (area, velocity, modes) -> [m, step runs]

    def lines(self) -> tuple[tuple[str, str], object, object, dict]:
        if self._lines is None:
            self._lines = _make_lines(self.links)
        return self._lines


def _memo(links: tuple, memo: WeatherMemo | None) -> WeatherMemo:
    if memo is None:
        return WeatherMemo(links)
    if memo.links is not links:
        raise ValueError("a weather memo of another network")
    return memo


def _make_lines(links: tuple) -> tuple[tuple[str, str], object, object, dict]:
    """(id, mode) of the links, their prepared lines and bounds, and a dict for the mask of
    the links of each modes tuple."""
    import shapely

    ids = tuple((lk.id, lk.mode) for lk in links)
    lines = np.array([shapely.LineString(lk.geometry) for lk in links], dtype=object)
    shapely.prepare(lines)
    return ids, lines, shapely.bounds(lines), {}


def links_hit(area, links: tuple, modes: tuple[str, ...]) -> list[str]:
    """Ids of the links of ``modes`` whose geometry the polygon ``area`` crosses (shapely
    ``intersects``), in the links' order. The definition; :func:`links_hit_many` is its
    hot-path twin."""
    import shapely

    poly = shapely.Polygon(area)
    return [lk.id for lk in links
            if lk.mode in modes and shapely.intersects(shapely.LineString(lk.geometry), poly)]


def links_hit_many(areas, links: tuple, modes: tuple[str, ...], *,
                   memo: WeatherMemo | None = None) -> list[list[str]]:
    """Hot-path twin of :func:`links_hit`: its answer for each polygon of ``areas``, with the
    exact test (shapely ``intersects`` on prepared lines) only for the pairs whose bounding
    boxes overlap, in one vectorised call (tests/envs/test_speed_caches.py checks they
    agree)."""
    import shapely

    out: list[list[str]] = [[] for _ in areas]
    if not len(areas):
        return out
    ids, lines, lb, masks = _memo(links, memo).lines()
    same = isinstance(areas, np.ndarray) or len({len(a) for a in areas}) == 1
    if same:
        pts = np.asarray(areas, dtype=float)  # (polygon, point, lon/lat)
        box = np.concatenate([pts.min(axis=1), pts.max(axis=1)], axis=1)
    else:
        box = np.array([(min(p[0] for p in a), min(p[1] for p in a), max(p[0] for p in a),
                         max(p[1] for p in a)) for a in areas], dtype=float)
    near = ((lb[None, :, 0] <= box[:, None, 2]) & (lb[None, :, 2] >= box[:, None, 0])
            & (lb[None, :, 1] <= box[:, None, 3]) & (lb[None, :, 3] >= box[:, None, 1]))
    of_modes = masks.get(modes)
    if of_modes is None:
        of_modes = masks[modes] = np.array([mode in modes for _, mode in ids], dtype=bool)
    near &= of_modes[None, :]
    pi, li = np.nonzero(near)
    if not len(pi):
        return out
    used = np.flatnonzero(near.any(axis=1))
    polys = np.empty(len(areas), dtype=object)
    if same:
        polys[used] = shapely.polygons(pts[used])
    else:
        for k in used.tolist():
            polys[k] = shapely.Polygon(areas[k])
    hit = shapely.intersects(lines[li], polys[pi])
    for k, j in zip(pi[hit].tolist(), li[hit].tolist()):  # row-major: links in their order
        out[k].append(ids[j][0])
    return out


def weather_windows(ev, links: tuple, *, memo: WeatherMemo | None = None
                    ) -> dict[str, list[tuple[float, float]]]:
    """``{link: [(from_h, to_h), ...]}``: the hour steps in which the cell of ``ev`` (a
    :class:`~mmroute.routing.plan.events.WeatherEvent`) crosses each link of its modes,
    consecutive steps merged (the steps' crossings are cached, see :func:`_step_hits`).

    Which steps a cell's track crosses a link in does not depend on its onset: the merged
    runs of its whole hour steps are kept per cell as step numbers (see :func:`_whole_steps`),
    extended as the cell is seen hour by hour and shared by every episode in which the
    scenario's cell happens, whatever its onset; a call shifts them by ``from_h`` (the times
    the step-by-step merge gives: ``from_h + j`` and ``from_h + j + 1.0``, bit for bit)."""
    n = ev.hours()
    whole = n
    if n and ev.from_h + (n - 1) + 1.0 > ev.to_h:  # the last step is cut short by to_h
        whole = n - 1
    memo = _memo(links, memo)
    f = ev.from_h
    done, runs = _whole_steps(ev, memo, whole)
    if done == whole:
        out = {lid: [(f + a, f + b + 1.0) for a, b in rs] for lid, rs in runs.items()}
    else:  # the memo holds more steps than this cell has seen: its first ``whole`` only
        out = {}
        for lid, rs in runs.items():
            w = [(f + a, f + (b if b < whole else whole - 1) + 1.0) for a, b in rs if a < whole]
            if w:
                out[lid] = w
    for j in range(whole, n):
        _merge(out, _step_hits(ev.area, ev.velocity_kmh, ev.modes, j, memo), f + j,
               min(ev.to_h, f + j + 1.0))
    return out


def _merge(out: dict[str, list[tuple[float, float]]], hits, lo: float, hi: float) -> None:
    """Add the window ``[lo, hi)`` of each link hit (steps come in time order)."""
    for lid in hits:
        w = out.setdefault(lid, [])
        if w and abs(w[-1][1] - lo) < 1e-9:
            w[-1] = (w[-1][0], hi)
        else:
            w.append((lo, hi))


def _whole_steps(ev, memo: WeatherMemo, m: int) -> tuple[int, dict[str, list[tuple[int, int]]]]:
    """``(steps merged, runs)``: per link, the runs ``(first, last)`` of consecutive hour
    steps (numbers from the onset, both included) in which the cell of ``ev`` crosses it, over
    at least its first ``m`` steps (read only: callers copy). Kept per cell in ``memo``
    (whatever its onset) and extended step by step. A step merged again is skipped: a call
    stopped half-way (a policy's decision budget, :mod:`mmroute.agents.deadline`) leaves a
    memo that the next call completes, not doubles."""
    key = (ev.area, ev.velocity_kmh, ev.modes)
    hit = memo.windows.get(key)
    if hit is None:
        hit = memo.windows[key] = [0, {}]
    runs = hit[1]
    if m - hit[0] > 1:  # the steps not kept yet, in one vectorised call
        _steps_hits(ev.area, ev.velocity_kmh, ev.modes, range(hit[0], m), memo)
    for j in range(hit[0], m):
        for lid in _step_hits(ev.area, ev.velocity_kmh, ev.modes, j, memo):
            rs = runs.setdefault(lid, [])
            if rs and rs[-1][1] >= j:
                continue  # merged before the stop
            if rs and rs[-1][1] == j - 1:
                rs[-1] = (rs[-1][0], j)
            else:
                rs.append((j, j))
        hit[0] = j + 1
    return hit[0], runs


def _step_hits(area, velocity_kmh, modes, j: int, memo: WeatherMemo) -> list[str]:
    """Links hit by a cell in its ``j``-th hour step (kept in ``memo``: a cell seen hour by
    hour is rebuilt often, its steps never change)."""
    key = (area, velocity_kmh, modes, j)
    out = memo.steps.get(key)
    if out is None:
        out = memo.steps[key] = links_hit_many([shifted_area(area, velocity_kmh, j)], memo.links,
                                               modes, memo=memo)[0]
    return out


def _steps_hits(area, velocity_kmh, modes, steps, memo: WeatherMemo) -> None:
    """:func:`_step_hits` of each of ``steps`` not kept yet, computed in one
    :func:`links_hit_many` call (its answer for each polygon is the one it gives alone) and
    kept in ``memo``: a cell first seen for ``n`` hours costs one call, not ``n``."""
    todo = [j for j in steps if (area, velocity_kmh, modes, j) not in memo.steps]
    if not todo:
        return
    hits = links_hit_many([shifted_area(area, velocity_kmh, j) for j in todo], memo.links,
                          modes, memo=memo)
    for j, out in zip(todo, hits):
        memo.steps[area, velocity_kmh, modes, j] = out
