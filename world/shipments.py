"""Per-shipment rows of a plan or an episode: route, times, lateness, CO2, cost and, for a
drop, where and why (what ``mmroute plan/evaluate --per-shipment`` write).

Drop reasons (:data:`DROP_REASONS`). From an episode (:mod:`mmroute.envs.shipments`), read
from the simulator's state at the drop, the first that holds:

* ``policy`` — a way on existed: a departure or road trip the decision allowed that reaches
  the destination by the horizon, or a node from which the fastest chain of links (nominal
  travel times, no waits) still could; the policy dropped anyway;
* ``capacity`` — no way on, but there would be one if the departures had room;
* ``closure`` — no way on even with room, but there would be one without the closures,
  cancellations and weather known at the time;
* ``released-too-late`` — a late order, dropped at its origin before it moved, with no way on
  even on the undisturbed network with empty departures (its release leaves no route that
  arrives before the horizon);
* ``no-service`` — the same for any other shipment or node: no route from the node arrives
  before the horizon.

From a plan, from the network alone, at the origin at release (a MIP drops there, before
any leg) or, for a drop on the way kept in a plan of an episode, at the node its legs end
at, from its arrival there:

* ``no-service`` — no chain of links leads from the origin to the destination;
* ``after-horizon`` — the fastest chain, at nominal travel times and without waiting for any
  departure, arrives after the horizon (a lower bound: no route arrives by the horizon);
* ``mip`` — a way exists in the network; the MIP dropped the shipment (timetables, capacity,
  known closures or a drop penalty cheaper than the trip; not told apart without re-solving).
"""

from __future__ import annotations

import csv
import heapq
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from mmroute.io import write_with
from mmroute.scenarios.clock import Clock, iso_key, node_of
from mmroute.scenarios.model import Scenario
from mmroute.world.plan import Itinerary, Plan

__all__ = ["ShipmentRow", "COLUMNS", "ISO_COLUMNS", "DROP_REASONS", "with_iso_columns", "PLAN_DROP_REASONS", "plan_rows",
           "row_of", "format_rows",
           "fastest_h", "write_csv"]

#: Reasons of a drop in an episode.
DROP_REASONS = ("policy", "capacity", "closure", "released-too-late", "no-service")
#: Reasons of a drop in a MIP plan.
PLAN_DROP_REASONS = ("no-service", "after-horizon", "mip")


@dataclass(frozen=True)
class ShipmentRow:
    """One itinerary of a shipment (one per shipment unless the plan splits it).

    ``route`` the nodes travelled (``A>B>C``; the origin alone if it never moved),
    ``modes`` per leg (``road>sea``); ``departure_h`` of the first leg and ``arrival_h`` at
    the destination (``None``: no leg / not delivered); ``lateness_h`` vs the due time;
    ``co2_kg`` and ``cost_cny`` (transport + handling) of what was travelled;
    ``objective_cny`` its share of the objective (with the drop penalty); ``dropped_teu``
    (0 if delivered), ``drop_node``/``drop_h`` where and when it was dropped and
    ``drop_reason`` (:data:`DROP_REASONS` / :data:`PLAN_DROP_REASONS`; ``None`` if delivered).
    """

    shipment: str
    teu: float
    origin: str
    destination: str
    release_h: float | None
    due_h: float | None
    route: str
    modes: str
    departure_h: float | None
    arrival_h: float | None
    lateness_h: float
    co2_kg: float
    cost_cny: float
    objective_cny: float
    dropped_teu: float
    drop_node: str | None
    drop_h: float | None
    drop_reason: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


#: Column names of :class:`ShipmentRow`, in order.
COLUMNS = tuple(f.name for f in fields(ShipmentRow))
#: Instants of a row in hours from the scenario start, and the ISO 8601 columns that the CSV
#: files of a scenario with a ``start`` add after :data:`COLUMNS` (same order).
_INSTANTS = ("release_h", "due_h", "departure_h", "arrival_h", "drop_h")
ISO_COLUMNS = tuple(iso_key(k) for k in _INSTANTS)


def row_of(it: Itinerary, origin: str, destination: str, release_h: float | None,
           due_h: float | None, *, legs=None, cost_cny: float | None = None,
           co2_kg: float | None = None, drop_node: str | None = None,
           drop_h: float | None = None, drop_reason: str | None = None) -> ShipmentRow:
    """The row of ``it``; ``legs``/``cost_cny``/``co2_kg`` override the itinerary's (an
    episode's drop keeps what it travelled before the drop)."""
    legs = it.legs if legs is None else tuple(legs)
    nodes = [legs[0].from_node, *(lg.to_node for lg in legs)] if legs else [origin]
    return ShipmentRow(
        shipment=it.shipment, teu=it.teu, origin=origin, destination=destination,
        release_h=release_h, due_h=due_h, route=">".join(nodes),
        modes=">".join(lg.mode for lg in legs),
        departure_h=legs[0].departure_h if legs else None,
        arrival_h=None if it.dropped else it.arrival_h, lateness_h=it.lateness_h,
        co2_kg=it.co2_kg if co2_kg is None else co2_kg,
        cost_cny=it.cost_cny if cost_cny is None else cost_cny,
        objective_cny=it.objective_cny, dropped_teu=it.teu if it.dropped else 0.0,
        drop_node=drop_node if it.dropped else None, drop_h=drop_h if it.dropped else None,
        drop_reason=drop_reason if it.dropped else None)


def plan_rows(plan: Plan, scenario: Scenario) -> list[ShipmentRow]:
    """The rows of a plan of ``scenario`` (its shipments give origin, destination, release
    and due; a drop's node, time and reason from the plan and the network: see the module
    doc)."""
    ships = {s.id: s for s in scenario.shipments}
    out = []
    for it in plan.itineraries:
        s = ships.get(it.shipment)
        origin = s.origin if s else (it.legs[0].from_node if it.legs else "")
        dest = s.destination if s else (it.legs[-1].to_node if it.legs else "")
        release = s.release_h if s else None
        reason = at_node = at_h = None
        if it.dropped:  # at the origin at release, or where its legs end (an episode's plan)
            at_node = it.legs[-1].to_node if it.legs else origin
            at_h = it.legs[-1].arrival_h if it.legs else release
            start = max(plan.from_h, at_h or 0.0)
            reason = _plan_drop_reason(scenario, at_node, dest, start) if s else "mip"
        out.append(row_of(it, origin, dest, release, s.due_h if s else None,
                          drop_node=at_node, drop_h=at_h, drop_reason=reason))
    return out


def _plan_drop_reason(scenario: Scenario, origin: str, dest: str, start_h: float) -> str:
    """``no-service`` / ``after-horizon`` / ``mip`` for a shipment dropped at ``origin``."""
    fastest = fastest_h(scenario, origin, dest)
    if fastest is None:
        return "no-service"
    if start_h + fastest > scenario.horizon_h + 1e-6:
        return "after-horizon"
    return "mip"


def fastest_h(scenario: Scenario, origin: str, dest: str) -> float | None:
    """Shortest nominal travel time (h) over links from ``origin`` to ``dest`` (no waits,
    no handling; ``None`` if unreachable)."""
    out: dict[str, list[tuple[str, float]]] = {}
    for lk in scenario.links:
        out.setdefault(lk.from_node, []).append((lk.to_node, lk.travel_time_h))
    best = {origin: 0.0}
    heap = [(0.0, origin)]
    while heap:
        t, v = heapq.heappop(heap)
        if v == dest:
            return t
        if t > best.get(v, float("inf")):
            continue
        for w, dt in out.get(v, ()):
            if t + dt < best.get(w, float("inf")):
                best[w] = t + dt
                heapq.heappush(heap, (t + dt, w))
    return None


def format_rows(rows: list[ShipmentRow], *, only_issues: bool = True) -> str:
    """A short table: the dropped and late rows (all with ``only_issues=False``)."""
    pick = [r for r in rows if not only_issues or r.dropped_teu > 0 or r.lateness_h > 1e-9]
    if not pick:
        return "no shipment dropped or late"
    lines = [f"{'shipment':<12} {'TEU':>6} {'late h':>8} {'dropped':>7}  {'at':<12} "
             f"{'reason':<17} route"]
    for r in pick:
        lines.append(f"{r.shipment[:12]:<12} {r.teu:>6g} {r.lateness_h:>8.1f} "
                     f"{r.dropped_teu:>7g}  {(r.drop_node or '-')[:12]:<12} "
                     f"{(r.drop_reason or '-'):<17} {r.route}")
    return "\n".join(lines)


def write_csv(rows: list[ShipmentRow], path: str | Path, clock: Clock | None = None) -> Path:
    """Write ``rows`` as CSV (header :data:`COLUMNS`, then :data:`ISO_COLUMNS` with the
    scenario's ``clock``, each in the local time of its node: release and departure at the
    origin, due and arrival at the destination, a drop at its node; ``None`` as an empty
    cell) to ``path`` atomically; return ``path``."""
    def write(tmp: Path) -> None:
        with tmp.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(COLUMNS + (ISO_COLUMNS if clock is not None else ()))
            for r in rows:
                cells = [getattr(r, c) for c in COLUMNS]
                if clock is not None:
                    d = r.to_dict()
                    cells += [clock.iso(d[k], node=node_of(d, k)) for k in _INSTANTS]
                w.writerow(["" if v is None else v for v in cells])

    return write_with(path, write)


def with_iso_columns(df, clock: Clock | None):  # pandas.DataFrame -> pandas.DataFrame
    """A copy of a frame of rows (columns :data:`COLUMNS`, e.g. ``evaluate --per-shipment``'s)
    with :data:`ISO_COLUMNS` appended (empty where the hours are; local to each instant's
    node as in :func:`write_csv`); ``df`` without a clock."""
    import math

    if clock is None:
        return df
    out = df.copy()
    places = [c for c in ("origin", "destination", "drop_node") if c in df.columns]
    records = [{c: (v if isinstance(v, str) else None) for c, v in zip(places, vals)}
               for vals in zip(*(df[c] for c in places))] if places else [{}] * len(df)
    for k in _INSTANTS:
        out[iso_key(k)] = [None if v is None or (isinstance(v, float) and math.isnan(v))
                           else clock.iso(v, node=node_of(rec, k))
                           for v, rec in zip(df[k], records)]
    return out
