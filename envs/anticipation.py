"""Risk-adjusted conditions for the ``anticipate`` policy: the known events, plus the expected
effect of what may still happen (:func:`mmroute.envs.risk.disruption_risk`), folded into travel
and dwell times, and the weather forecast.

* an unseen port-congestion, border-delay or node-closure disruption adds its expected extra
  dwell to its node over the rest of its window;
* an unseen link closure or service cancellation slows its link by its expected extra wait;
* the forecast closes (or slows) the links the forecast cells cross, when they do.

Only the scenario's uncertainty section (public), the events known now and the forecast are
read: no draw of the realization.
"""

from __future__ import annotations

from mmroute.envs.forecast import Forecast
from mmroute.envs.risk import disruption_risk
from mmroute.envs.simulator import Simulator
from mmroute.world.events import KnownEvents, LinkClosure, LinkSlowdown, NodeDelay

__all__ = ["risk_adjusted_events"]


def risk_adjusted_events(sim: Simulator, forecast: Forecast | None = None) -> KnownEvents:
    """Known events now plus expected disruption effects and the forecast (see module doc)."""
    known = sim.known_events()
    now = sim.now
    delays, slows, closures = [], [], []
    for r in disruption_risk(sim):
        if r.extra_h <= 0:
            continue
        if r.node is not None:
            delays.append(NodeDelay(node=r.node, from_h=r.from_h, to_h=r.to_h, delay_h=r.extra_h))
        else:
            tt = max(1e-6, sim.links[r.link].travel_time_h)
            slows.append(LinkSlowdown(link=r.link, from_h=r.from_h, to_h=r.to_h,
                                      speed_factor=tt / (tt + r.extra_h)))
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
