"""Plausibility warnings: what a valid scenario file says that is probably a mistake.

:func:`mmroute.scenarios.load` accepts every file whose fields are well formed; it cannot know
that a node meant to be in Wuhan sits in Africa (lon/lat swapped or mistyped), that a declared
distance is shorter than the straight line, or that a shipment is due before any route can
bring it. :func:`plausibility_warnings` looks for such things and returns them as
:class:`Implausible` records (file, field, message); it never raises for them and never prints.
``mmroute validate FILE`` prints them after the summary.

The checks (thresholds are module constants):

* **nodes far from every node they link to**: a node whose every link is longer, as the crow
  flies, than :data:`MAX_REACH_KM` of the link's mode (sea links never count: ports may be a
  world apart);
* **declared distances** (``distance_km`` given in the file) below the great-circle distance
  between the link's nodes (less :data:`DISTANCE_SLACK_KM` and :data:`DISTANCE_SLACK_REL` for
  approximate coordinates) or above :data:`MAX_CIRCUITY` x it (sea links: or above
  :data:`MAX_SEA_LANE_RATIO` x the sea-lane distance with the link's ``avoid``, whichever is
  larger: round the Cape is ~3x the great circle);
* **weather cells** that never cross a link of their modes during their longest duration
  (drift included, the same geometry as :mod:`mmroute.world.weather`), whose onset window
  lies beyond the horizon, or whose ``months`` never occur in their onset window;
* **due times** shorter than the fastest nominal route (:meth:`Network.shortest_path` by
  time: link times, cut-offs, handling and dwell, no waiting for departures), and **late
  orders** whose shortest lead time is below it;
* **shipments no route delivers on time**: the earliest arrival over the timetables (cargo
  ready at release, each service's next departure after its cut-off, handling and dwell as
  in :func:`mmroute.world.check_plan`, no events) is after the due time, or no departure
  before the horizon reaches the destination at all.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from pathlib import Path

from mmroute.errors import ScenarioError
from mmroute.scenarios import Link, Scenario, Shipment, WeatherCell, is_transshipment
from mmroute.scenarios.distances import geodesic_km, sea_route
from mmroute.scenarios.network_section import DERIVED_DISTANCE_SOURCES

__all__ = [
    "Implausible",
    "plausibility_warnings",
    "earliest_arrival_h",
    "MAX_REACH_KM",
    "MAX_CIRCUITY",
    "MAX_SEA_LANE_RATIO",
    "DISTANCE_SLACK_KM",
    "DISTANCE_SLACK_REL",
]

#: Longest plausible great-circle length (km) of one link per mode; sea is unbounded.
MAX_REACH_KM = {"road": 4000.0, "barge": 3500.0, "rail": 8000.0}
#: A declared distance above this multiple of the great-circle distance is suspicious.
MAX_CIRCUITY = 3.0
#: ... for sea links, unless it is within this multiple of the sea-lane distance.
MAX_SEA_LANE_RATIO = 1.25
#: Slack for approximate coordinates (points within ~2-3 km) when comparing a declared
#: distance with the great circle: below ``gc x (1 - rel) - km`` is suspicious.
DISTANCE_SLACK_KM = 5.0
DISTANCE_SLACK_REL = 0.02

_LATE = "uncertainty.demand.late_orders"


@dataclass(frozen=True)
class Implausible:
    """A plausibility warning: ``field`` is the path of the field in ``file`` (links, nodes,
    shipments and weather cells by id, e.g. ``links[CQ-SH-rail].distance_km``)."""

    field: str
    message: str
    file: str | None = None

    def __str__(self) -> str:
        return ": ".join(p for p in (self.file, self.field, self.message) if p)


def plausibility_warnings(scenario: Scenario) -> list[Implausible]:
    """Every plausibility warning of ``scenario``, in file order (nodes, links, shipments,
    weather, late orders)."""
    file = Path(scenario.source_file).name if scenario.source_file else None
    out: list[tuple[str, str]] = []
    out += _far_nodes(scenario)
    out += _distances(scenario)
    out += _due_times(scenario)
    out += _weather(scenario)
    out += _late_orders(scenario)
    return [Implausible(field=f, message=m, file=file) for f, m in out]


# --- geography -------------------------------------------------------------------------------
def _gc_km(scenario: Scenario, a: str, b: str) -> float:
    na, nb = scenario.node(a), scenario.node(b)
    return geodesic_km(na.lon, na.lat, nb.lon, nb.lat)


def _far_nodes(scenario: Scenario) -> list[tuple[str, str]]:
    """Nodes whose every (non-sea) link is longer than the mode's reach, as the crow flies."""
    touching: dict[str, list[Link]] = {}
    for lk in scenario.links:
        touching.setdefault(lk.from_node, []).append(lk)
        touching.setdefault(lk.to_node, []).append(lk)
    out = []
    for node in scenario.nodes:
        links = touching.get(node.id, [])
        if not links or any(lk.mode not in MAX_REACH_KM for lk in links):
            continue
        dist = {}
        for lk in links:
            other = lk.to_node if lk.from_node == node.id else lk.from_node
            dist[other] = (_gc_km(scenario, node.id, other), lk.mode)
        if not all(d > MAX_REACH_KM[mode] for d, mode in dist.values()):
            continue
        near, (km, mode) = min(dist.items(), key=lambda kv: kv[1][0])
        hint = "lon and lat mistyped?"
        if abs(node.lon) <= 90:  # would the swapped point fit?
            o = scenario.node(near)
            if geodesic_km(node.lat, node.lon, o.lon, o.lat) <= MAX_REACH_KM[mode]:
                hint = "lon and lat swapped?"
        out.append((f"nodes[{node.id}]",
                    f"'{node.id}' (lon {node.lon:g}, lat {node.lat:g}) is {km:,.0f} km from "
                    f"'{near}', the nearest node it links to ({mode}; more than "
                    f"{MAX_REACH_KM[mode]:,.0f} km for every link): {hint}"))
    return out


def _distances(scenario: Scenario) -> list[tuple[str, str]]:
    """Declared distances below the great circle or far above it."""
    out = []
    ids = {lk.id for lk in scenario.links}
    for lk in scenario.links:
        if lk.distance_source in DERIVED_DISTANCE_SOURCES:
            continue
        if lk.id.endswith("~r") and lk.id.removesuffix("~r") in ids:
            continue  # the reverse of a bidirectional entry: the same figures
        gc = _gc_km(scenario, lk.from_node, lk.to_node)
        where = f"links[{lk.id}].distance_km"
        between = f"'{lk.from_node}' and '{lk.to_node}'"
        if lk.distance_km < gc * (1 - DISTANCE_SLACK_REL) - DISTANCE_SLACK_KM:
            out.append((where, f"{lk.distance_km:,.0f} km is shorter than the great-circle "
                               f"distance {gc:,.0f} km between {between}: a wrong distance "
                               "or wrong coordinates?"))
            continue
        limit, what = MAX_CIRCUITY * gc, f"{MAX_CIRCUITY:g}x the great-circle distance {gc:,.0f} km"
        if lk.mode == "sea" and lk.distance_km > limit:
            lane = _sea_lane_km(scenario, lk)
            if lane is not None and MAX_SEA_LANE_RATIO * lane > limit:
                limit = MAX_SEA_LANE_RATIO * lane
                what = f"{MAX_SEA_LANE_RATIO:g}x the sea-lane distance {lane:,.0f} km"
        if lk.distance_km > limit:
            out.append((where, f"{lk.distance_km:,.0f} km is more than {what} between "
                               f"{between}: a wrong distance or wrong coordinates?"))
    return out


def _sea_lane_km(scenario: Scenario, lk: Link) -> float | None:
    a, b = scenario.node(lk.from_node), scenario.node(lk.to_node)
    try:
        return sea_route(a.lon, a.lat, b.lon, b.lat, lk.avoid)[0]
    except Exception:  # noqa: BLE001 - searoute fails on points it cannot snap: no lane known
        return None


# --- weather ---------------------------------------------------------------------------------
def _weather(scenario: Scenario) -> list[tuple[str, str]]:
    out = []
    for w in scenario.uncertainty.weather:
        p = f"uncertainty.weather[{w.id}]"
        lo, hi = w.start_h
        if lo >= scenario.horizon_h:
            out.append((f"{p}.start_h", f"the earliest onset {lo:g} h is not before the horizon "
                                        f"{scenario.horizon_h:g} h: the cell never occurs"))
            continue
        months = _months(scenario, lo, min(hi, scenario.horizon_h))
        if w.months and months is not None and not set(w.months) & months:
            out.append((f"{p}.months", f"onsets in [{lo:g}, {min(hi, scenario.horizon_h):g}] h "
                                       f"fall in months {sorted(months)}, none of "
                                       f"{list(w.months)}: the cell never occurs"))
            continue
        if not _ever_hits(scenario, w, lo):
            modes = "/".join(w.modes)
            if not any(lk.mode in w.modes for lk in scenario.links):
                msg = f"the scenario has no {modes} links for this cell to affect"
            else:
                drift = ("" if w.velocity_kmh == (0.0, 0.0)
                         else f", drifting [{w.velocity_kmh[0]:g}, {w.velocity_kmh[1]:g}] km/h")
                msg = (f"the cell never crosses a {modes} link in its longest duration "
                       f"{w.duration_h[1]:g} h{drift}: wrong area or modes?")
            out.append((f"{p}.area", msg))
    return out


def _months(scenario: Scenario, lo_h: float, hi_h: float) -> set[int] | None:
    """Calendar months of the hours ``[lo_h, hi_h]`` (``None`` without a ``start``)."""
    if scenario.start is None:
        return None
    clock = scenario.clock()
    out = set()
    h = lo_h
    while h < hi_h:
        out.add(clock.at(h).month)
        h += 24.0
    out.add(clock.at(hi_h).month)
    return out


def _ever_hits(scenario: Scenario, w: WeatherCell, onset_h: float) -> bool:
    """True if the cell crosses a link of its modes in some hour step of its longest
    duration (cut at the horizon for the earliest onset); the position does not depend on
    the onset, only on the hours since it."""
    from mmroute.world.weather import links_hit_many, shifted_area

    steps = max(1, math.ceil(min(w.duration_h[1], scenario.horizon_h - onset_h) - 1e-9))
    areas = [shifted_area(w.area, w.velocity_kmh, j) for j in range(steps)]
    return any(links_hit_many(areas, scenario.links, w.modes))


# --- time ------------------------------------------------------------------------------------
def _route_text(route) -> str:
    modes = []
    for m in route.modes:
        if not modes or modes[-1] != m:
            modes.append(m)
    return f"{' -> '.join(route.node_ids)} by {', '.join(modes)}"


def _due_times(scenario: Scenario) -> list[tuple[str, str]]:
    from mmroute.world.conditions import Conditions

    net = scenario.network()
    cond = Conditions(scenario)
    out = []
    for s in scenario.shipments:
        p = f"shipments[{s.id}].due_h"
        allowed = s.due_h - s.release_h
        fastest = net.shortest_path(s.origin, s.destination, "time")
        if fastest.time_h > allowed + 1e-6:
            out.append((p, f"due {allowed:g} h after release ({s.due_h:g} h), but the fastest "
                           f"route takes {fastest.time_h:.1f} h ({_route_text(fastest)}): late "
                           "on every route"))
            continue
        arrival = earliest_arrival_h(scenario, s, conditions=cond)
        if arrival is None:
            out.append((p, f"no route from '{s.origin}' reaches '{s.destination}' with the "
                           f"departures before the horizon {scenario.horizon_h:g} h"))
        elif arrival > s.due_h + 1e-6:
            out.append((p, f"no route delivers by {s.due_h:g} h: with the timetables the "
                           f"earliest arrival is {arrival:.1f} h (release {s.release_h:g} h)"))
    return out


def _late_orders(scenario: Scenario) -> list[tuple[str, str]]:
    late = scenario.uncertainty.demand.late_orders
    if late is None:
        return []
    net = scenario.network()
    out = []
    lead_min, lead_max = late.lead_time_h
    for j, (a, b) in enumerate(late.od_pairs):
        if a == b:
            out.append((f"{_LATE}.od_pairs[{j}]", f"origin and destination are the same node '{a}'"))
            continue
        try:
            fastest = net.shortest_path(a, b, "time")
        except ScenarioError:
            out.append((f"{_LATE}.od_pairs[{j}]", f"no path of links from '{a}' to '{b}'"))
            continue
        if fastest.time_h > lead_min + 1e-6:
            share = "every" if fastest.time_h > lead_max else "some"
            out.append((f"{_LATE}.lead_time_h",
                        f"lead times [{lead_min:g}, {lead_max:g}] h: {share} late order from "
                        f"'{a}' to '{b}' will be late, the fastest route takes "
                        f"{fastest.time_h:.1f} h ({_route_text(fastest)})"))
    return out


def earliest_arrival_h(scenario: Scenario, shipment: Shipment, *, conditions=None) -> float | None:
    """Earliest arrival (h) of ``shipment`` at its destination under ``conditions`` (default:
    no events), over every path: cargo ready at release; a scheduled link takes the first
    running departure whose cut-off the cargo makes (departures up to the horizon), a road
    link leaves as soon as the cargo is ready; dwell and transshipment handling at
    intermediate nodes as in :func:`mmroute.world.check_plan`. ``None`` if no departure
    before the horizon gets it there. (Road legs leave at once: a later, less congested
    departure that arrives earlier is not looked for.)"""
    from mmroute.world.conditions import Conditions

    cond = conditions if conditions is not None else Conditions(scenario)
    out: dict[str, list[Link]] = {}
    for lk in scenario.links:
        out.setdefault(lk.from_node, []).append(lk)
    best: dict[str, float] = {}
    heap: list[tuple[float, int, str | None]] = [(shipment.release_h, 0, None)]
    count = 0
    while heap:
        t, _, lid = heapq.heappop(heap)
        prev = None if lid is None else scenario.link(lid)
        if prev is not None:
            if best.get(lid, math.inf) < t:
                continue
            if prev.to_node == shipment.destination:
                return t
        node = shipment.origin if prev is None else prev.to_node
        for lk in out.get(node, ()):
            if lk.to_node == shipment.origin:
                continue
            ready = t
            if prev is not None:
                ready += cond.node_delay_h(node, t)
                if is_transshipment(prev, lk):
                    ready += scenario.node(node).handling_time_h
            if lk.timetable is not None:
                deps = cond.next_departures(lk, ready + lk.timetable.cutoff_h,
                                            scenario.horizon_h, 1)
                if not deps:
                    continue
                dep = deps[0][1]
            else:
                dep = ready
            arr = dep + cond.travel_time_h(lk, dep)
            if arr < best.get(lk.id, math.inf):
                best[lk.id] = arr
                count += 1
                heapq.heappush(heap, (arr, count, lk.id))
    return None
