"""Risk-adjusted conditions for the ``anticipate`` policy: the known events, plus the expected
effect of what may still happen, folded into travel and dwell times.

* a port-congestion or border-delay disruption not seen yet adds to its node, over the rest of
  its window, the expected extra dwell of cargo passing then: P(it still starts) x P(active at
  a random time of the window) x mean delay;
* a link closure, service cancellation or node closure not seen yet slows its links by the
  expected wait it causes (same probabilities x (half its mean duration + half a headway));
* the weather forecast closes (or slows) the links the forecast cells cross, when they do.

Only the scenario's uncertainty section (public), the events known now and the forecast are
read: no draw of the realization.
"""

from __future__ import annotations

from mmroute.envs.forecast import Forecast
from mmroute.envs.simulator import Simulator
from mmroute.routing.plan import KnownEvents, LinkClosure, LinkSlowdown, NodeDelay

__all__ = ["risk_adjusted_events", "still_to_start"]


def still_to_start(probability: float, start_h: tuple[float, float], now_h: float) -> float:
    """P(a disruption starts after ``now_h`` | it has not started by then)."""
    lo, hi = start_h
    if now_h >= hi:
        return 0.0
    u = 0.0 if hi <= lo else min(1.0, max(0.0, (now_h - lo) / (hi - lo)))
    return probability * (1 - u) / max(1e-9, 1 - probability * u)


def risk_adjusted_events(sim: Simulator, forecast: Forecast | None = None) -> KnownEvents:
    """Known events now plus expected disruption effects and the forecast (see module doc)."""
    known = sim.known_events()
    now = sim.now
    seen_nodes = {e.node for e in (*known.node_delays, *known.node_closures)}
    seen_links = {e.link for e in known.closures}
    delays, slows, closures = [], [], []
    horizon = sim.horizon_h
    for dis in sim.scenario.uncertainty.disruptions:
        if any(t in seen_nodes or t in seen_links for t in dis.targets):
            continue
        p = still_to_start(dis.probability, dis.start_h, now)
        if p <= 0:
            continue
        lo, hi = max(now, dis.start_h[0]), dis.start_h[1]
        mean_dur = sum(dis.duration_h) / 2
        window = max(1e-6, hi - lo + mean_dur)
        active = p * min(1.0, mean_dur / window)
        end = min(horizon, hi + mean_dur)
        if dis.kind in ("port_congestion", "border_delay"):
            mean_delay = sum(dis.delay_h) / 2 if dis.delay_h else 0.0
            delays += [NodeDelay(node=t, from_h=lo, to_h=end, delay_h=active * mean_delay)
                       for t in dis.targets]
        elif dis.kind == "node_closure":
            delays += [NodeDelay(node=t, from_h=lo, to_h=end, delay_h=active * mean_dur / 2)
                       for t in dis.targets]
        else:  # link_closure, service_cancellation
            for t in dis.targets:
                lk = sim.links[t]
                headway = (lk.timetable.period_h / max(1, len(lk.timetable.departures_h))
                           if lk.timetable is not None else 0.0)
                extra = active * (mean_dur / 2 + headway / 2)
                tt = max(1e-6, lk.travel_time_h)
                slows.append(LinkSlowdown(link=t, from_h=lo, to_h=end,
                                          speed_factor=tt / (tt + extra)))
    if forecast is not None:
        for w, lid, a, b in forecast.windows():
            if b <= now:
                continue
            if w.effect == "close":
                closures.append(LinkClosure(link=lid, from_h=max(a, now), to_h=b))
            else:
                slows.append(LinkSlowdown(link=lid, from_h=max(a, now), to_h=b,
                                          speed_factor=w.speed_factor))
    return KnownEvents(closures=known.closures + tuple(closures), delays=known.delays,
                       slowdowns=known.slowdowns + tuple(slows),
                       node_delays=known.node_delays + tuple(delays),
                       node_closures=known.node_closures, weather=known.weather,
                       road_noise=known.road_noise)
