"""Weather forecasts: where the cells seen so far will be over the next hours.

At time ``t`` a forecast covers the cells whose onset has passed and that are still active, and
predicts their polygon at ``t + lead`` for lead steps up to ``lead_h``: the cell's known drift
plus a position error that grows with the lead (``error_km_per_h`` x lead, per axis, normal),
drawn from the episode's own forecast stream keyed by (cell, issue hour). It uses nothing of
the realization beyond what is known at ``t`` — not when the cell will dissipate.
"""

from __future__ import annotations

import math

import numpy as np

from mmroute.scenarios import Scenario
from mmroute.world.realization import Realization, stream
from mmroute.world.weather import (
    KM_PER_DEG_LAT,
    WeatherMemo,
    km_per_deg_lon,
    km_to_deg,
    links_hit_many,
    mean_lat,
)

__all__ = ["Forecast"]


class Forecast:
    """Forecasts of an episode's weather, issued hour by hour (cached per issue hour)."""

    def __init__(self, scenario: Scenario, realization: Realization, *, lead_h: float = 48.0,
                 step_h: float = 6.0, error_km_per_h: float = 3.0,
                 weather: WeatherMemo | None = None):
        self.links = tuple(scenario.links)
        # where cells cross the links, kept with the network's tables (``weather``) if given
        self.weather = (weather if weather is not None and weather.links is self.links
                        else WeatherMemo(self.links))
        self.realization = realization
        self.lead_h = lead_h
        self.step_h = step_h
        self.error_km_per_h = error_km_per_h
        self._index = {w: k for k, w in enumerate(realization.events.weather)}
        self._hour: int | None = None
        self._hits: dict[str, list[tuple[float, float]]] = {}
        self.crossing = False  # whether the forecast has a cell crossing a link at all
        # per cell forecast now: (event, start of each lead step's window, polygons, links hit)
        self._issued: list[tuple[object, list[float], np.ndarray, list[list[str]]]] = []
        self._areas: dict[int, tuple[np.ndarray, float]] = {}

    @property
    def issued_hour(self) -> int | None:
        """The hour of the forecast now issued (``None`` before the first)."""
        return self._hour

    def issue(self, time_h: float) -> None:
        """Issue the forecast of the current hour (no-op within the same hour)."""
        hour = math.floor(time_h + 1e-9)
        if hour == self._hour:
            return
        self._hour = hour
        self._hits = {}
        self.crossing = False
        self._issued = []
        step = self.step_h
        for w in self.realization.events.weather:
            if not (w.from_h <= time_h + 1e-9 and time_h < w.to_h):
                continue  # not seen yet, or over (both known at time_h)
            k = self._index[w]
            rng = stream(self.realization.seed, "forecast", k, hour)
            n = int(self.lead_h // step)
            errs = rng.normal(size=(n, 2)).tolist()
            if k not in self._areas:  # the cell's points, their latitudes, its lon divisor
                pts = np.asarray(w.area, dtype=float)
                self._areas[k] = (pts, pts[:, 1].tolist(), km_per_deg_lon(mean_lat(w.area)))
            pts0, lats, per_lon = self._areas[k]
            ve, vn = w.velocity_kmh
            drift, error, starts = [], [], []
            for j in range(1, n + 1):  # the cell's drift to the lead, then the position error
                lead = j * step
                at = hour - w.from_h + lead
                dx, dy = ve * at / per_lon, vn * at / KM_PER_DEG_LAT  # km_to_deg at its lat
                sd = self.error_km_per_h * lead
                lat0 = sum([y + dy for y in lats]) / len(lats)  # of the drifted polygon
                drift.append((dx, dy))
                error.append(km_to_deg(errs[j - 1][0] * sd, errs[j - 1][1] * sd, lat0))
                starts.append(hour + lead - step / 2)
            areas = (pts0[None, :, :] + np.array(drift)[:, None, :]) + np.array(error)[:, None, :]
            hit = links_hit_many(areas, self.links, w.modes, memo=self.weather)
            self._issued.append((w, starts, areas, hit))
            for t0, ids in zip(starts, hit):
                for lid in ids:
                    self._hits.setdefault(lid, []).append((t0, t0 + step))
            self.crossing = bool(self._hits)

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
        return [(w, lid, t0, t0 + self.step_h) for w, starts, _, hit in self._issued
                for t0, ids in zip(starts, hit) for lid in ids]

    def cells(self) -> list[tuple[str, float, tuple]]:
        """``(cell, time_h, area)`` of every forecast position of the current issue."""
        return [(w.cell, t0 + self.step_h / 2, tuple(map(tuple, area)))
                for w, starts, areas, _ in self._issued
                for t0, area in zip(starts, areas.tolist())]
