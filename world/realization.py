"""One episode's exogenous draws: :func:`realize` makes them once, from the scenario's
``uncertainty`` section, so that every policy faces the same realization of a seed.

Each source draws from its own numpy stream, keyed by ``(seed, source, item)``: road noise per
road link, weather per cell, disruptions per disruption, quantities per shipment, late orders
from one stream of their own. Adding a late order therefore never moves a storm, and a new cell
in the scenario file leaves the other cells' draws as they were.

A :class:`Realization` is plain data: its :attr:`~Realization.events` are the
:class:`~mmroute.routing.plan.KnownEvents` that the simulator, the hindsight MIP and the checker
all read through one :class:`~mmroute.routing.plan.Conditions`; :meth:`~Realization.scenario`
gives the realised scenario (quantities drawn, late orders added).
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from mmroute.errors import InputError
from mmroute.scenarios import Scenario, Shipment
from mmroute.validate import instance_of, is_integer
from mmroute.world import seeding
from mmroute.world.events import (
    CheckedFactors,
    KnownEvents,
    LinkClosure,
    NodeClosure,
    NodeDelay,
    RoadNoise,
    WeatherEvent,
)

__all__ = ["Realization", "realize", "scenario_hash", "SOURCES", "NOISE_SLACK_H"]

#: Stream ids of the sources (part of every stream's key: never renumber).
SOURCES = {"road_noise": 0, "weather": 1, "disruptions": 2, "quantities": 3, "late_orders": 4,
           "forecast": 5}
#: Road noise is drawn for departure hours up to the horizon plus this slack (trucks may leave
#: after the horizon to finish a delivery); later departures have factor 1.
NOISE_SLACK_H = 168
_DIGITS = 4  # noise factors are stored to 4 decimals (the JSON is exact)


def stream(seed: int, source: str, *keys: int) -> np.random.Generator:
    """The generator of one source (and item) of an episode: ``default_rng([seed, source id,
    *keys])``. Keys that are one 32-bit word each are given as a ``uint32`` array, the same
    entropy words as the list (numpy's ``SeedSequence`` splits each int into 32-bit words),
    which it reads without converting every int (half the cost of a stream; a reset draws
    dozens; tests/world/test_streams.py checks they are the same generator)."""
    words = [int(seed), SOURCES[source], *map(int, keys)]
    if all(0 <= w <= _WORD for w in words):
        return np.random.default_rng(np.array(words, dtype=np.uint32))
    return np.random.default_rng(words)


_WORD = 0xFFFFFFFF


def streams(seed: int, source: str, keys) -> list[np.random.Generator]:
    """:func:`stream` ``(seed, source, k)`` for each ``k`` of ``keys``: the same generators,
    seeded together (:func:`mmroute.world.seeding.streams`)."""
    return seeding.streams((int(seed), SOURCES[source]), [int(k) for k in keys])


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 (hex, first 16) of the resolved scenario: which scenario a realization or a
    model belongs to (:meth:`Scenario.content_hash`)."""
    return scenario.content_hash()


@dataclass(frozen=True)
class Realization:
    """Every exogenous draw of one episode of ``scenario`` for ``seed``.

    ``events``: the disruptions, weather cells and road noise that happen; ``quantities_teu``:
    the realised quantity of each scenario shipment; ``late_orders``: shipments released during
    the horizon. Equal seeds give equal realizations. ``announced_h``: from this time on
    every event is known in full (a live plan's events, posted then:
    :meth:`KnownEvents.known_at`); ``None`` (an episode): each from its onset.
    """

    scenario_name: str
    scenario_hash: str
    seed: int
    events: KnownEvents
    quantities_teu: tuple[tuple[str, float], ...]
    late_orders: tuple[Shipment, ...]
    announced_h: float | None = None

    def known_at(self, time_h: float, *, cut_noise: bool = True) -> KnownEvents:
        """The events a policy knows at ``time_h`` (:meth:`KnownEvents.known_at`, with
        :attr:`announced_h`)."""
        return self.events.known_at(time_h, cut_noise=cut_noise, announced_h=self.announced_h)

    def shipments(self, scenario: Scenario) -> tuple[Shipment, ...]:
        """The realised shipment list: quantities drawn, late orders appended."""
        q = dict(self.quantities_teu)
        base = tuple(_with_quantity(s, q.get(s.id, s.quantity_teu)) for s in scenario.shipments)
        return base + self.late_orders

    def scenario(self, scenario: Scenario) -> Scenario:
        """``scenario`` with the realised shipments (what :func:`solve_hindsight` plans): a
        new object each call, sharing ``scenario``'s network (its nodes and links), so its
        :class:`~mmroute.world.tables.Tables` too. The simulator makes it once per episode
        (:attr:`Simulator.realised_scenario <mmroute.envs.Simulator.realised_scenario>`)."""
        self.check_scenario(scenario)
        self.validate_shipments(scenario)
        return replace(scenario, shipments=self.shipments(scenario))

    def check_scenario(self, scenario: Scenario) -> None:
        """Raise :class:`InputError` if this realization was drawn for another scenario."""
        if scenario_hash(scenario) != self.scenario_hash:
            raise InputError(
                f"realization of {self.scenario_name!r} ({self.scenario_hash}) does not belong "
                f"to scenario {scenario.name!r} ({scenario_hash(scenario)})", field="realization")

    def validate_shipments(self, scenario: Scenario) -> None:
        """Raise :class:`InputError` naming the field if a realised quantity or a late order
        cannot be routed: a quantity for an unknown shipment or one that is not a finite
        number in (0, 10^6] TEU; a late order with an id already taken, an unknown or equal
        origin and destination, times that are not finite with ``0 <= release_h <= due_h``,
        or a penalty that is not finite and >= 0. (Events are checked by
        :meth:`KnownEvents.validate` when the simulator reads them.)"""
        from mmroute.validate import is_number

        def number(x, field: str, lo: float, hi: float, *, lo_open: bool = False) -> None:
            if not (is_number(x) and math.isfinite(x) and lo <= x <= hi
                    and not (lo_open and x == lo)):
                side = "(" if lo_open else "["
                raise InputError(f"expected a finite number in {side}{lo:g}, {hi:g}], got {x!r}",
                                 field=field)

        ids = {s.id for s in scenario.shipments}
        seen: set[str] = set()
        for i, pair in enumerate(self.quantities_teu):
            where = f"realization.quantities_teu[{i}]"
            if not (isinstance(pair, tuple | list) and len(pair) == 2):
                raise InputError("expected [shipment id, TEU]", field=where)
            sid, q = pair
            if sid not in ids or sid in seen:
                raise InputError(f"{'unknown' if sid not in ids else 'repeated'} shipment "
                                 f"{sid!r}", field=where)
            seen.add(sid)
            number(q, where, 0.0, 1e6, lo_open=True)
        nodes = {n.id for n in scenario.nodes}
        for i, s in enumerate(self.late_orders):
            where = f"realization.late_orders[{i}]"
            if not isinstance(s, Shipment) or not isinstance(s.id, str):
                raise InputError("expected a shipment with a text id", field=where)
            if s.id in ids:
                raise InputError(f"shipment id {s.id!r} already taken", field=f"{where}.id")
            ids.add(s.id)
            for end in ("origin", "destination"):
                if not isinstance(getattr(s, end), str) or getattr(s, end) not in nodes:
                    raise InputError(f"unknown node {getattr(s, end)!r}", field=f"{where}.{end}")
            if s.origin == s.destination:
                raise InputError("origin and destination are the same node",
                                 field=f"{where}.destination")
            number(s.quantity_teu, f"{where}.quantity_teu", 0.0, 1e6, lo_open=True)
            number(s.release_h, f"{where}.release_h", 0.0, 1e7)
            number(s.due_h, f"{where}.due_h", s.release_h, 1e7)
            number(s.lateness_penalty_cny_per_teu_h, f"{where}.lateness_penalty_cny_per_teu_h",
                   0.0, 1e12)
            if s.cargo is not None and not isinstance(s.cargo, str):
                raise InputError("expected text or null", field=f"{where}.cargo")

    def onsets_h(self, *, late_orders: bool = True) -> list[float]:
        """Sorted times at which something new becomes known (event onsets, weather hour
        steps, late-order releases unless ``late_orders=False``, :attr:`announced_h`); road
        noise is revealed hour by hour and not listed."""
        ev = self.events
        ts = {e.from_h for e in (*ev.closures, *ev.slowdowns, *ev.node_delays, *ev.node_closures)}
        ts.update(d.departure_h for d in ev.delays)
        for w in ev.weather:
            ts.update(w.from_h + j for j in range(w.hours()))
        if late_orders:
            ts.update(s.release_h for s in self.late_orders)
        if self.announced_h is not None:
            ts.add(self.announced_h)
        return sorted(ts)

    def summary(self) -> str:
        ev = self.events
        return (f"{self.scenario_name} seed {self.seed}: {len(ev.weather)} weather cells, "
                f"{len(ev.closures)} link closures, {len(ev.node_closures)} node closures, "
                f"{len(ev.node_delays)} node delays, {len(self.late_orders)} late orders")

    def to_dict(self) -> dict[str, Any]:
        return {"scenario": self.scenario_name, "scenario_hash": self.scenario_hash,
                "seed": self.seed, "events": self.events.to_dict(),
                "quantities_teu": [[s, q] for s, q in self.quantities_teu],
                "late_orders": [s.to_dict() for s in self.late_orders],
                **({} if self.announced_h is None else {"announced_h": self.announced_h})}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Realization:
        """Read :meth:`to_dict` output; :class:`InputError` naming the field otherwise."""
        try:
            return cls(
                scenario_name=str(d["scenario"]), scenario_hash=str(d["scenario_hash"]),
                seed=int(d["seed"]), events=KnownEvents.from_dict(d.get("events") or {}),
                quantities_teu=tuple((str(s), float(q)) for s, q in d.get("quantities_teu", ())),
                late_orders=tuple(Shipment(**s) for s in d.get("late_orders", ())),
                announced_h=None if d.get("announced_h") is None else float(d["announced_h"]))
        except InputError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"not a realization: {exc!r}", field="realization") from None


def _with_quantity(s: Shipment, quantity_teu: float) -> Shipment:
    """Hot-path twin of ``replace(s, quantity_teu=quantity_teu)`` (a shipment has no
    ``__post_init__``: the same fields, set without the frozen dataclass's
    ``object.__setattr__`` per field; a reset makes one per shipment;
    tests/envs/test_speed_caches.py checks they are equal)."""
    new = object.__new__(Shipment)
    new.__dict__.update(s.__dict__, quantity_teu=quantity_teu)
    return new


def realize(scenario: Scenario, seed: int) -> Realization:
    """Draw every exogenous quantity of one episode of ``scenario`` (seed >= 0)."""
    instance_of(scenario, Scenario, "scenario",
                hint="load it first with mmroute.scenarios.load(path_or_name)")
    if not is_integer(seed) or seed < 0:
        raise InputError(f"seed must be an integer >= 0, not {seed!r}", field="seed")
    seed = int(seed)
    events = KnownEvents(
        road_noise=_road_noise(scenario, seed),
        weather=_weather(scenario, seed),
        **_disruptions(scenario, seed),
    )
    return Realization(
        scenario_name=scenario.name, scenario_hash=scenario_hash(scenario), seed=seed,
        events=events, quantities_teu=_quantities(scenario, seed),
        late_orders=_late_orders(scenario, seed))


def _road_noise(scenario: Scenario, seed: int) -> tuple[RoadNoise, ...]:
    sigma = scenario.uncertainty.road_traffic.noise_sigma
    if sigma <= 0:
        return ()
    hours = int(math.ceil(scenario.horizon_h)) + NOISE_SLACK_H
    road = [i for i, lk in enumerate(scenario.links) if lk.mode == "road"]
    if not road:
        return ()
    # mean-one lognormal: E[factor] = 1, so the nominal time is the expected time; each road
    # link from its own stream, rounded, checked and converted as one array
    f = np.empty((len(road), hours))
    for row, rng in zip(f, streams(seed, "road_noise", road)):
        row[:] = rng.lognormal(-sigma * sigma / 2, sigma, size=hours)
    f = f.round(_DIGITS)
    links = [scenario.links[i].id for i in road]
    # finite and > 0 (a factor rounded to 0 is not): KnownEvents.validate need not check
    # again; kept packed, the doubles as they are (no Python float per factor)
    if bool(np.isfinite(f).all() and (f > 0).all()):
        packed = array("d", f.tobytes())  # C order: the links' rows one after the other
        return tuple(RoadNoise(link=lid, from_hour=0,
                               factors=CheckedFactors(packed[k * hours:(k + 1) * hours]))
                     for k, lid in enumerate(links))
    return tuple(RoadNoise(link=lid, from_hour=0, factors=tuple(row))
                 for lid, row in zip(links, f.tolist()))


def _month_at(scenario: Scenario, time_h: float) -> int | None:
    if scenario.start is None:
        return None
    return scenario.clock().at(time_h).month


def _weather(scenario: Scenario, seed: int) -> tuple[WeatherEvent, ...]:
    out = []
    cells = scenario.uncertainty.weather
    for cell, rng in zip(cells, streams(seed, "weather", range(len(cells)))):
        happens, u_start, u_dur = rng.random(3).tolist()  # always three draws: streams aligned
        lo, hi = cell.start_h
        onset = float(math.floor(lo + u_start * (hi - lo + 1)))  # whole hours in [lo, hi]
        onset = min(onset, float(math.floor(hi)))
        dlo, dhi = cell.duration_h
        dur = float(max(1, math.floor(dlo + u_dur * (dhi - dlo + 1))))
        dur = min(dur, float(max(1, math.floor(dhi))))
        month = _month_at(scenario, onset)
        if happens >= cell.probability or (cell.months and month is not None
                                           and month not in cell.months):
            continue
        out.append(WeatherEvent(cell=cell.id, from_h=onset, to_h=onset + dur, area=cell.area,
                                velocity_kmh=cell.velocity_kmh, effect=cell.effect,
                                modes=cell.modes, speed_factor=cell.speed_factor))
    return tuple(out)


def _disruptions(scenario: Scenario, seed: int) -> dict[str, tuple]:
    closures, node_closures, node_delays = [], [], []
    disruptions = scenario.uncertainty.disruptions
    for dis, rng in zip(disruptions, streams(seed, "disruptions", range(len(disruptions)))):
        happens, u_start, u_dur, u_delay = rng.random(4).tolist()
        if happens >= dis.probability:
            continue
        start = round(float(dis.start_h[0] + u_start * (dis.start_h[1] - dis.start_h[0])), 2)
        end = round(float(start + dis.duration_h[0] + u_dur * (dis.duration_h[1] - dis.duration_h[0])), 2)
        if dis.kind in ("link_closure", "service_cancellation"):
            closures += [LinkClosure(link=t, from_h=start, to_h=end) for t in dis.targets]
        elif dis.kind == "node_closure":
            node_closures += [NodeClosure(node=t, from_h=start, to_h=end) for t in dis.targets]
        else:  # port_congestion, border_delay: extra dwell
            lo, hi = dis.delay_h if dis.delay_h is not None else (0.0, 0.0)
            delay = round(float(lo + u_delay * (hi - lo)), 2)
            node_delays += [NodeDelay(node=t, from_h=start, to_h=end, delay_h=delay)
                            for t in dis.targets]
    return {"closures": tuple(closures), "node_closures": tuple(node_closures),
            "node_delays": tuple(node_delays)}


def _quantities(scenario: Scenario, seed: int) -> tuple[tuple[str, float], ...]:
    cv = scenario.uncertainty.demand.quantity_cv
    if cv <= 0:
        return tuple((s.id, s.quantity_teu) for s in scenario.shipments)
    out = []
    s2 = math.log(1 + cv * cv)  # mean-one lognormal with this coefficient of variation
    for s, rng in zip(scenario.shipments, streams(seed, "quantities", range(len(scenario.shipments)))):
        m = rng.lognormal(-s2 / 2, math.sqrt(s2))
        out.append((s.id, max(0.1, round(s.quantity_teu * float(m), 1))))
    return tuple(out)


def late_order_draw(spec: Any, rng: np.random.Generator) -> tuple[str, str, float, float]:
    """One late order's (origin, destination, quantity in TEU, lead time in h) drawn from
    ``spec`` (a scenario's ``LateOrders``) — in this order from ``rng``, which the
    realization's and the sampled futures' (:mod:`mmroute.envs.futures`) draws share."""
    origin, dest = spec.od_pairs[int(rng.integers(len(spec.od_pairs)))]
    qlo, qhi = spec.quantity_teu
    if float(qlo).is_integer() and float(qhi).is_integer():
        qty = float(rng.integers(int(qlo), int(qhi) + 1))
    else:
        qty = round(float(rng.uniform(qlo, qhi)), 1)
    return origin, dest, qty, float(rng.uniform(*spec.lead_time_h))


def _late_orders(scenario: Scenario, seed: int) -> tuple[Shipment, ...]:
    lo_spec = scenario.uncertainty.demand.late_orders
    if lo_spec is None or lo_spec.rate_per_day <= 0:
        return ()
    rng = stream(seed, "late_orders")
    taken = {s.id for s in scenario.shipments}
    out: list[Shipment] = []
    t = 0.0
    while True:
        t += float(rng.exponential(24.0 / lo_spec.rate_per_day))
        if t >= scenario.horizon_h:
            break
        origin, dest, qty, lead = late_order_draw(lo_spec, rng)
        n = len(out) + 1
        sid = f"late-{n}"
        while sid in taken:
            sid = f"late-{n}-{len(taken)}"
            taken.add(sid)
        release = round(t, 2)
        out.append(Shipment(id=sid, origin=origin, destination=dest, quantity_teu=qty,
                            release_h=release, due_h=round(release + lead, 2),
                            lateness_penalty_cny_per_teu_h=scenario.objective.lateness_cny_per_teu_h,
                            cargo="late order"))
    return tuple(out)
