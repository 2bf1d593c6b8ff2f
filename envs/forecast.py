"""Weather forecasts: where the cells seen so far will be over the next hours.

At time ``t`` a forecast covers the cells whose onset has passed and that are still active, and
predicts their polygon at ``t + lead`` for lead steps up to ``lead_h``: the cell's known drift
plus a position error that grows with the lead (``error_km_per_h`` x lead, per axis, normal),
drawn from the episode's own forecast stream keyed by (cell, issue hour). It uses nothing of
the realization beyond what is known at ``t`` — not when the cell will dissipate.
"""

from __future__ import annotations

import math

from mmroute.envs.realization import Realization, stream
from mmroute.routing.plan.weather import KM_PER_DEG_LAT, links_hit_many, shifted_area
from mmroute.scenarios import Scenario

__all__ = ["Forecast"]


class Forecast:
    """Forecasts of an episode's weather, issued hour by hour (cached per issue hour)."""

    def __init__(self, scenario: Scenario, realization: Realization, *, lead_h: float = 48.0,
                 step_h: float = 6.0, error_km_per_h: float = 3.0):
        self.links = tuple(scenario.links)
        self.realization = realization
        self.lead_h = lead_h
        self.step_h = step_h
        self.error_km_per_h = error_km_per_h
        self._index = {w: k for k, w in enumerate(realization.events.weather)}
        self._hour: int | None = None
        self._hits: dict[str, list[tuple[float, float]]] = {}
        self._cells: list[tuple[str, float, tuple]] = []
        self._windows: list[tuple[object, str, float, float]] = []

    def issue(self, time_h: float) -> None:
        """Issue the forecast of the current hour (no-op within the same hour)."""
        hour = math.floor(time_h + 1e-9)
        if hour == self._hour:
            return
        self._hour = hour
        self._hits = {}
        self._cells = []
        self._windows = []
        for w in self.realization.events.weather:
            if not (w.from_h <= time_h + 1e-9 and time_h < w.to_h):
                continue  # not seen yet, or over (both known at time_h)
            rng = stream(self.realization.seed, "forecast", self._index[w], hour)
            n = int(self.lead_h // self.step_h)
            errs = rng.normal(size=(n, 2)).tolist()
            areas, starts = [], []
            for j in range(1, n + 1):
                lead = j * self.step_h
                at = hour - w.from_h + lead
                area = shifted_area(w.area, w.velocity_kmh, at)
                sd = self.error_km_per_h * lead
                lat0 = sum(p[1] for p in area) / len(area)
                dx = errs[j - 1][0] * sd / (111.32 * max(0.05, math.cos(math.radians(lat0))))
                dy = errs[j - 1][1] * sd / KM_PER_DEG_LAT
                area = tuple((x + dx, y + dy) for x, y in area)
                t0 = hour + lead - self.step_h / 2
                self._cells.append((w.cell, t0 + self.step_h / 2, area))
                areas.append(area)
                starts.append(t0)
            for t0, hit in zip(starts, links_hit_many(areas, self.links, w.modes)):
                for lid in hit:
                    self._hits.setdefault(lid, []).append((t0, t0 + self.step_h))
                    self._windows.append((w, lid, t0, t0 + self.step_h))

    def hits(self, links: tuple[str, ...], from_h: float, to_h: float) -> int:
        """How many of ``links`` a forecast cell crosses in ``[from_h, to_h]``."""
        n = 0
        for lid in links:
            for a, b in self._hits.get(lid, ()):
                if a <= to_h and from_h <= b:
                    n += 1
                    break
        return n

    def windows(self) -> list[tuple[object, str, float, float]]:
        """``(weather event, link, from_h, to_h)``: when the forecast has each cell crossing
        each link (the event is read for its effect and modes only, never its end)."""
        return list(self._windows)

    def cells(self) -> list[tuple[str, float, tuple]]:
        """``(cell, time_h, area)`` of every forecast position of the current issue."""
        return list(self._cells)
