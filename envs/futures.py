"""Sampled futures for scenario-based re-planning (the ``consensus`` / ``expectation`` policies):
one possible rest of the episode, drawn from the scenario's uncertainty model conditioned on
what a policy knows at ``sim.now``.

Kept as known: events whose onset has passed (a disruption with its announced end), weather
cells seen so far (their elapsed part), road noise of departure hours up to the current one,
released shipments with their realised quantities and released late orders. Drawn (from the
caller's ``numpy.random.Generator`` only — never from the episode's realization):

* road noise of later hours (the scenario's mean-one lognormal);
* how long a cell still active lasts (its duration range, at least what has elapsed); whether,
  when and how long a cell not seen yet occurs, given that it has not started by now;
* whether, when, how long (and how much extra dwell) a disruption not seen yet occurs, given
  that it has not started by now (:func:`~mmroute.envs.risk.still_to_start`); a disruption
  counts as seen once an event on one of its targets is known (as in :mod:`mmroute.envs.risk`);
* the quantity of each scenario shipment not yet released (mean-one lognormal, its CV);
* late orders released after now (the scenario's Poisson rate; memoryless, so drawn from now).

A cell's track follows from its spec (area, drift), so a seen cell's sampled future is its
known track for the sampled remaining duration; the forecast's position error is not added.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from mmroute.envs.known import known_scenario
from mmroute.envs.risk import still_to_start
from mmroute.envs.simulator import Simulator
from mmroute.scenarios import Scenario, Shipment
from mmroute.world.events import (
    KnownEvents,
    LinkClosure,
    NodeClosure,
    NodeDelay,
    RoadNoise,
    WeatherEvent,
)
from mmroute.world.realization import NOISE_SLACK_H, Realization, _month_at, late_order_draw

__all__ = ["Future", "sample_future", "as_realization", "dynamism"]

_DIGITS = 4  # noise factors to 4 decimals, as in a realization


@dataclass(frozen=True)
class Future:
    """One sampled rest of the episode: the ``scenario`` with sampled quantities and late
    orders, and every ``events`` (known ones plus sampled ones) for a deterministic re-plan."""

    scenario: Scenario
    events: KnownEvents


def sample_future(sim: Simulator, rng: np.random.Generator) -> Future:
    """A future of ``sim``'s episode from ``sim.now`` on (see the module doc); draws only
    from ``rng``, in a fixed order, so equal known pasts and equal generators give equal
    futures."""
    now = sim.now
    sc = sim.nominal_scenario
    known = sim.known_events()
    noise = _road_noise(sc, known, now, rng)
    weather = _weather(sc, known, now, rng)
    dis = _disruptions(sc, known, now, rng)
    ships = _shipments(sc, sim, now, rng)
    events = KnownEvents(
        closures=known.closures + dis["closures"], delays=known.delays,
        slowdowns=known.slowdowns, node_delays=known.node_delays + dis["node_delays"],
        node_closures=known.node_closures + dis["node_closures"], weather=weather,
        road_noise=noise)
    return Future(scenario=replace(sc, shipments=ships), events=events)


def as_realization(future: Future, base: Realization) -> Realization:
    """``future`` as a realization of ``base``'s episode: ``base``'s identity (scenario, seed),
    the future's events, realised quantities and late orders. Its past (what was known when
    the future was sampled) is ``base``'s, so a non-anticipative policy takes the same moves
    on both up to that time; from then on it plays the sampled rest (what a rollout over
    futures simulates, :mod:`benchmarks.hedge_gap`)."""
    ships = future.scenario.shipments
    ids = {sid for sid, _ in base.quantities_teu}
    return replace(base, events=future.events,
                   quantities_teu=tuple((s.id, s.quantity_teu) for s in ships if s.id in ids),
                   late_orders=tuple(s for s in ships if s.id not in ids))


def _road_noise(sc: Scenario, known: KnownEvents, now: float,
                rng: np.random.Generator) -> tuple[RoadNoise, ...]:
    sigma = sc.uncertainty.road_traffic.noise_sigma
    if sigma <= 0:
        return known.road_noise
    hours = int(math.ceil(sc.horizon_h)) + NOISE_SLACK_H
    seen = {rn.link: rn for rn in known.road_noise}
    out = []
    for lk in sc.links:
        if lk.mode != "road":
            continue
        rn = seen.get(lk.id)
        past = () if rn is None else (1.0,) * rn.from_hour + tuple(rn.factors)
        n = max(0, hours - len(past))
        f = rng.lognormal(-sigma * sigma / 2, sigma, size=n)
        out.append(RoadNoise(link=lk.id, from_hour=0,
                             factors=past + tuple(np.round(f, _DIGITS).tolist())))
    return tuple(out)


def _durations(lo: float, hi: float) -> list[float]:
    """The durations (whole h) a weather cell may last, as :func:`realize` draws them."""
    top = float(max(1, math.floor(hi)))
    return sorted({min(float(max(1, math.floor(lo + j))), top)
                   for j in range(int(math.floor(hi - lo)) + 2)})


def _month_ok(sc: Scenario, cell, onset: float) -> bool:
    month = _month_at(sc, onset)
    return not (cell.months and month is not None and month not in cell.months)


def _weather(sc: Scenario, known: KnownEvents, now: float,
             rng: np.random.Generator) -> tuple[WeatherEvent, ...]:
    seen = {w.cell: w for w in known.weather}
    out = []
    for cell in sc.uncertainty.weather:
        u_happen, u_start, u_dur = rng.random(3).tolist()  # always three: draws stay aligned
        w = seen.get(cell.id)
        if w is not None:
            shown = w.from_h + math.floor(now - w.from_h + 1e-9) + 1.0  # end of this hour step
            if w.to_h < shown - 1e-9:
                out.append(w)  # over: known whole
                continue
            elapsed = w.to_h - w.from_h
            durs = [d for d in _durations(*cell.duration_h) if d >= elapsed - 1e-9]
            dur = durs[min(len(durs) - 1, int(u_dur * len(durs)))] if durs else elapsed
            out.append(replace(w, to_h=w.from_h + dur))
            continue
        lo, hi = cell.start_h
        onsets = sorted({min(float(math.floor(lo + j)), float(math.floor(hi)))
                         for j in range(int(math.floor(hi - lo)) + 2)})
        ok = [t for t in onsets if _month_ok(sc, cell, t)]
        if not ok:
            continue
        later = [t for t in ok if t > now + 1e-9]
        q_later = len(later) / len(onsets)
        q_before = (len(ok) - len(later)) / len(onsets)
        p = cell.probability * q_later / max(1e-12, 1 - cell.probability * q_before)
        if not later or u_happen >= p:
            continue
        onset = later[min(len(later) - 1, int(u_start * len(later)))]
        durs = _durations(*cell.duration_h)
        dur = durs[min(len(durs) - 1, int(u_dur * len(durs)))]
        out.append(WeatherEvent(cell=cell.id, from_h=onset, to_h=onset + dur, area=cell.area,
                                velocity_kmh=cell.velocity_kmh, effect=cell.effect,
                                modes=cell.modes, speed_factor=cell.speed_factor))
    return tuple(out)


def _disruptions(sc: Scenario, known: KnownEvents, now: float,
                 rng: np.random.Generator) -> dict[str, tuple]:
    names = ({e.node for e in known.node_delays} | {e.node for e in known.node_closures}
             | {e.link for e in known.closures})
    closures, node_closures, node_delays = [], [], []
    for dis in sc.uncertainty.disruptions:
        u_happen, u_start, u_dur, u_delay = rng.random(4).tolist()
        lo, hi = dis.start_h
        if not names.isdisjoint(dis.targets) or now >= hi:
            continue  # seen (its events are known), or it can no longer start
        if u_happen >= still_to_start(dis.probability, dis.start_h, now):
            continue
        a = max(lo, now)
        start = max(round(float(a + u_start * (hi - a)), 2), round(now + 0.01, 2))
        end = round(float(start + dis.duration_h[0]
                          + u_dur * (dis.duration_h[1] - dis.duration_h[0])), 2)
        if dis.kind in ("link_closure", "service_cancellation"):
            closures += [LinkClosure(link=t, from_h=start, to_h=end) for t in dis.targets]
        elif dis.kind == "node_closure":
            node_closures += [NodeClosure(node=t, from_h=start, to_h=end) for t in dis.targets]
        else:  # port congestion, border delay: extra dwell
            dlo, dhi = dis.delay_h if dis.delay_h is not None else (0.0, 0.0)
            delay = round(float(dlo + u_delay * (dhi - dlo)), 2)
            node_delays += [NodeDelay(node=t, from_h=start, to_h=end, delay_h=delay)
                            for t in dis.targets]
    return {"closures": tuple(closures), "node_closures": tuple(node_closures),
            "node_delays": tuple(node_delays)}


def _shipments(sc: Scenario, sim: Simulator, now: float,
               rng: np.random.Generator) -> tuple[Shipment, ...]:
    """Released shipments as known; scenario shipments not yet released with a sampled
    quantity; late orders released by now; sampled late orders after now."""
    t = now + 1e-9
    cv = sc.uncertainty.demand.quantity_cv
    s2 = math.log(1 + cv * cv)
    out = []
    for s in known_scenario(sim).shipments:
        m = float(rng.lognormal(-s2 / 2, math.sqrt(s2))) if cv > 0 else 1.0  # always drawn
        if s.release_h > t and cv > 0:
            s = replace(s, quantity_teu=max(0.1, round(s.quantity_teu * m, 1)))
        out.append(s)
    spec = sc.uncertainty.demand.late_orders
    if spec is None or spec.rate_per_day <= 0:
        return tuple(out)
    taken = {s.id for s in out}
    k = 0
    tt = now
    while True:
        tt += float(rng.exponential(24.0 / spec.rate_per_day))
        if tt >= sc.horizon_h:
            break
        origin, dest, qty, lead = late_order_draw(spec, rng)
        k += 1
        sid = f"future-{k}"
        while sid in taken:
            sid += "'"
        taken.add(sid)
        release = max(round(tt, 2), round(now + 0.01, 2))
        out.append(Shipment(id=sid, origin=origin, destination=dest, quantity_teu=qty,
                            release_h=release, due_h=round(release + lead, 2),
                            lateness_penalty_cny_per_teu_h=sc.objective.lateness_cny_per_teu_h,
                            cargo="late order"))
    return tuple(out)


def dynamism(scenario: Scenario, realization) -> tuple[float, float]:
    """Degree of dynamism of one episode (Ulmer): the share of consignments unknown at t = 0
    (late orders: the scenario file's shipments are known from the start, a policy plans them
    at their nominal quantity before their release) and the share of events (disruption and
    weather onsets) after t = 0."""
    ships = realization.shipments(scenario)
    late_ships = len(realization.late_orders)
    ev = realization.events
    onsets = [e.from_h for e in (*ev.closures, *ev.slowdowns, *ev.node_delays,
                                 *ev.node_closures, *ev.weather)]
    onsets += [d.departure_h for d in ev.delays]
    share_ships = late_ships / len(ships) if ships else 0.0
    share_events = (sum(1 for t in onsets if t > 1e-9) / len(onsets)) if onsets else math.nan
    return share_ships, share_events
