"""Expected effect of disruptions not seen yet, from the scenario's public uncertainty section
and the events known now: what an anticipating policy (or the environment's features) may use.

For a disruption whose onset window is not over and which has not been seen: P(it still
starts) x P(it is active at a random time of the rest of its window) x its mean extra time —
dwell for port congestion and border delays, half its mean duration for node closures, half
its mean duration plus half a headway for link closures and cancelled services.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Risk", "disruption_risk", "still_to_start"]


def still_to_start(probability: float, start_h: tuple[float, float], now_h: float) -> float:
    """P(a disruption starts after ``now_h`` | it has not started by then)."""
    lo, hi = start_h
    if now_h >= hi:
        return 0.0
    u = 0.0 if hi <= lo else min(1.0, max(0.0, (now_h - lo) / (hi - lo)))
    return probability * (1 - u) / max(1e-9, 1 - probability * u)


@dataclass(frozen=True)
class Risk:
    """One unseen disruption's expected extra time ``extra_h`` on ``node`` or ``link`` for
    departures / arrivals in ``[from_h, to_h)``."""

    node: str | None
    link: str | None
    from_h: float
    to_h: float
    extra_h: float


def disruption_risk(sim) -> list[Risk]:
    """Expected extra times of the disruptions not seen by ``sim.now``, evaluated at the
    start of the current hour (cached per onset count and hour)."""
    key = (sim.revealed(), int(sim.now))
    cache = sim.__dict__.get("_risk_cache")
    if cache is not None and cache[0] == key:
        return cache[1]
    # the discrete events known now (the known conditions' road noise is not read here)
    known = sim.known().events
    now = float(key[1])  # hour by hour: a function of the hour, whichever decision asks
    seen = {e.node for e in (*known.node_delays, *known.node_closures)} | {
        e.link for e in known.closures}
    out: list[Risk] = []
    for dis in sim.scenario.uncertainty.disruptions:
        if any(t in seen for t in dis.targets):
            continue
        p = still_to_start(dis.probability, dis.start_h, now)
        if p <= 0:
            continue
        lo, hi = max(now, dis.start_h[0]), dis.start_h[1]
        mean_dur = sum(dis.duration_h) / 2
        active = p * min(1.0, mean_dur / max(1e-6, hi - lo + mean_dur))
        end = min(sim.horizon_h, hi + mean_dur)
        for t in dis.targets:
            if dis.kind in ("port_congestion", "border_delay"):
                mean_delay = sum(dis.delay_h) / 2 if dis.delay_h else 0.0
                out.append(Risk(t, None, lo, end, active * mean_delay))
            elif dis.kind == "node_closure":
                out.append(Risk(t, None, lo, end, active * mean_dur / 2))
            else:
                lk = sim.links[t]
                headway = (lk.timetable.period_h / max(1, len(lk.timetable.departures_h))
                           if lk.timetable is not None else 0.0)
                out.append(Risk(None, t, lo, end, active * (mean_dur / 2 + headway / 2)))
    sim._risk_cache = (key, out)
    return out
