"""Expected effect of disruptions not seen yet, from the scenario's public uncertainty section
and the events known now: what an anticipating policy (or the environment's features) may use.

For a disruption whose onset window is not over and which has not been seen: P(it still
starts) x P(it is active at a random time of the rest of its window) x its mean extra time —
dwell for port congestion and border delays, half its mean duration for node closures, half
its mean duration plus half a headway for link closures and cancelled services.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Risk", "disruption_risk", "risk_by_target", "still_to_start"]

#: Most (seen, hour) risk tables kept per scenario (see :func:`_cached`)
RISK_AT_MAX = 4096


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
    return [Risk(*r) for r in _cached(sim)[2]]


def risk_by_target(sim) -> tuple[dict[str, list[tuple[float, float, float]]],
                                 dict[str, list[tuple[float, float, float]]]]:
    """:func:`disruption_risk` grouped by node and by link: ``(from_h, to_h, extra_h)`` per
    target (read only; cached alike)."""
    hit = _cached(sim)
    return hit[0], hit[1]


def _cached(sim) -> tuple:
    """``(by node, by link, rows)`` of the current onset count and hour, kept by the
    simulator's :class:`~mmroute.envs.tables.EpisodeMemo` until either changes; computed
    once per (disruptions seen, hour) for the scenario's episodes (a function of those and
    the scenario's tables alone), kept in its :class:`~mmroute.envs.tables.EnvTables`
    (``risk_at``, emptied past :data:`RISK_AT_MAX` entries: a table of every hour of every
    combination would grow, and make the garbage collector run)."""
    key = (sim.revealed(), int(sim.now))
    memo = sim.memo
    mine = memo.risk
    if mine is not None and mine[0] == key:
        return mine[1]
    # the discrete events known now (the known conditions' road noise is not read here)
    known = sim.known().events
    static = _static(sim)
    if mine is not None and mine[2] is known:
        seen = mine[3]
    else:
        names = {e.node for e in known.node_delays} | {e.node for e in known.node_closures} | {
            e.link for e in known.closures}
        seen = frozenset(j for j, d in enumerate(static) if not names.isdisjoint(d[0]))
    shared = sim.tables.risk_at
    hit = shared.get((seen, key[1]))
    if hit is None:
        if len(shared) >= RISK_AT_MAX:
            shared.clear()
        hit = shared[seen, key[1]] = _risk(static, seen, float(key[1]), sim.horizon_h)
    memo.risk = (key, hit, known, seen)
    return hit


def _risk(static: list[tuple], seen: frozenset[int], now: float, horizon_h: float) -> tuple:
    """``(by node, by link, rows)`` of the disruptions not ``seen`` (indices) at hour
    ``now``; rows ``(node, link, from_h, to_h, extra_h)`` of the :class:`Risk` list."""
    rows: list[tuple] = []
    node_risk: dict[str, list[tuple[float, float, float]]] = {}
    link_risk: dict[str, list[tuple[float, float, float]]] = {}
    for j, (_, probability, start_h, mean_dur, effects) in enumerate(static):
        if now >= start_h[1] or j in seen:
            continue  # its start window is over (still_to_start is 0), or it has been seen
        p = still_to_start(probability, start_h, now)
        if p <= 0:
            continue
        lo, hi = max(now, start_h[0]), start_h[1]
        active = p * min(1.0, mean_dur / max(1e-6, hi - lo + mean_dur))
        end = min(horizon_h, hi + mean_dur)
        for node, link, x in effects:
            extra = active * x
            rows.append((node, link, lo, end, extra))
            (node_risk.setdefault(node, []) if node else link_risk.setdefault(link, [])).append(
                (lo, end, extra))
    return node_risk, link_risk, rows


def _static(sim) -> list[tuple]:
    """Per disruption of the scenario: targets, probability, start window, mean duration and
    per target ``(node, link, x)``: the expected extra hours while active, which :func:`_risk`
    scales by the chance it is active; kept in the simulator's
    :class:`~mmroute.envs.tables.EnvTables`."""
    tables = sim.tables
    if tables.risk is not None:
        return tables.risk
    out = []
    for dis in sim.nominal_scenario.uncertainty.disruptions:
        mean_dur = sum(dis.duration_h) / 2
        effects = []
        for t in dis.targets:
            if dis.kind in ("port_congestion", "border_delay"):  # the mean delay
                effects.append((t, None, sum(dis.delay_h) / 2 if dis.delay_h else 0.0))
            elif dis.kind == "node_closure":  # half the mean duration
                effects.append((t, None, mean_dur / 2))
            else:  # link closure, cancellation: half the duration, half a headway
                lk = sim.links[t]
                headway = (lk.timetable.period_h / max(1, len(lk.timetable.departures_h))
                           if lk.timetable is not None else 0.0)
                effects.append((None, t, mean_dur / 2 + headway / 2))
        out.append((tuple(dis.targets), dis.probability, dis.start_h, mean_dur, tuple(effects)))
    tables.risk = out
    return out
