"""The just-in-sequence supply problem: a line's sequence, racks, suppliers' shuttles, roads.

:class:`JisProblem` is plain frozen data: a scenario's ``jis`` section
(:class:`mmroute.scenarios.jis_model.Jis`), the line-start time of every car and, per
supplier, the road trip to the plant and back, read from the scenario network through
:class:`mmroute.world.Conditions` (the one source of travel times): the fastest nominal road
path (:func:`mmroute.world.roads.nominal_road_paths`), its km and its driving time (s, rounded
up) for a departure in each hour of the horizon (the time-of-day profile; known road noise and
slowdowns when the conditions carry them).

Conventions shared by the planners, the checker and the pictures (times in whole seconds
from the scenario's hour 0):

- Car ``i`` (0-based, sequence order) enters the line at ``car_start_s[i]`` and needs its part
  of supplier ``s`` at ``car_start_s[i] + offset_s`` of ``s``'s station.
- Supplier ``s`` ships racks of ``rack_size`` consecutive cars: rack ``k`` holds cars
  ``k * rack_size .. min((k+1) * rack_size, n) - 1``. It is **ready** (built in sequence) at
  ``start(last car) - broadcast + sequencing lead``; it must be at its station by ``due`` =
  need of its first car - ``safety_s``; it stands in the line-side buffer from its arrival to
  its **release**, the need time of its last car (the half-open interval ``[arrive, release)``).
- A trip of one of ``s``'s trucks: load from ``load_s`` (>= every rack's ready time) for
  ``loading_s``, leave at ``depart_s``, arrive at ``arrive_s`` >= depart + driving time of the
  departure hour (waiting at the gate allowed), unload ``unload_s``, drive back: the truck is
  free again at ``return_s`` >= arrive + unload + driving time back.
- Cost (CNY) = trips x (cost per trip + cost per km x round-trip km), rounded to 0.01 per
  trip, + inventory rate x rack-hours at the line (the rate rounded to 0.01).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mmroute.errors import InputError
from mmroute.scenarios.fields import Fields
from mmroute.scenarios.jis_model import Jis, JisStation, JisSupplier
from mmroute.scenarios.jis_section import line_slots_s, parse_jis

__all__ = ["Rack", "SupplierRoad", "JisProblem", "ceil_s"]


@dataclass(frozen=True)
class Rack:
    """Rack ``index`` of ``supplier``: cars ``first..last`` (inclusive), times in s; ``cars``:
    the cars it holds when not all of ``first..last`` (a re-sequenced day, :mod:`.sequence`:
    a pulled car's slot stays empty); ``rush``: the part of a car inserted among racks already
    started, in a rack of its own that comes out of the racks' order (before cars of racks
    numbered lower)."""

    supplier: str
    index: int
    first: int
    last: int
    ready_s: int
    due_s: int
    need_s: int
    release_s: int
    cars: tuple[int, ...] = ()
    rush: bool = False

    @property
    def n_parts(self) -> int:
        return len(self.cars) if self.cars else self.last - self.first + 1


@dataclass(frozen=True)
class SupplierRoad:
    """The road trip supplier -> plant (``out``) and back: km, link ids, and the driving time (s)
    for a departure in hour h (``out_s[h]``, ``back_s[h]``; the last entry beyond the table)."""

    km_out: float
    km_back: float
    out_s: tuple[int, ...]
    back_s: tuple[int, ...]
    links_out: tuple[str, ...] = ()
    links_back: tuple[str, ...] = ()

    def drive_out_s(self, depart_s: int) -> int:
        return self.out_s[min(max(depart_s, 0) // 3600, len(self.out_s) - 1)]

    def drive_back_s(self, depart_s: int) -> int:
        return self.back_s[min(max(depart_s, 0) // 3600, len(self.back_s) - 1)]

    def to_dict(self) -> dict[str, Any]:
        return {"km_out": self.km_out, "km_back": self.km_back, "out_s": list(self.out_s),
                "back_s": list(self.back_s), "links_out": list(self.links_out),
                "links_back": list(self.links_back)}


@dataclass(frozen=True, eq=False)
class JisProblem:
    """A JIS instance: the scenario's section ``jis``, car line-start times and supplier roads."""

    name: str
    jis: Jis
    car_start_s: tuple[int, ...]
    roads: Mapping[str, SupplierRoad]
    meta: Mapping[str, Any] = field(default_factory=dict)
    rack_cars: Mapping[str, tuple[tuple[int, ...], ...]] = field(default_factory=dict)
    calloff_s: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.jis, Jis):
            raise InputError("expected the scenario's jis section", field="jis")
        if len(self.car_start_s) != self.jis.n_cars:
            raise InputError(f"expected {self.jis.n_cars} car start times, got {len(self.car_start_s)}",
                             field="car_start_s")
        if any(b < a + self.jis.line.takt_s for a, b in zip(self.car_start_s, self.car_start_s[1:])):
            raise InputError("cars must start at least one takt apart, in order", field="car_start_s")
        for s in self.jis.suppliers:
            r = self.roads.get(s.id)
            if not isinstance(r, SupplierRoad):
                raise InputError(f"no road for supplier {s.id}", field=f"roads.{s.id}")
            if not r.out_s or not r.back_s or min(*r.out_s, *r.back_s) < 0:
                raise InputError("driving times must be non-empty and >= 0", field=f"roads.{s.id}")
            if not (r.km_out >= 0 and r.km_back >= 0 and math.isfinite(r.km_out + r.km_back)):
                raise InputError("road km must be finite and >= 0", field=f"roads.{s.id}")
        if self.calloff_s and len(self.calloff_s) != self.jis.n_cars:
            raise InputError(f"expected {self.jis.n_cars} call-off times, got {len(self.calloff_s)}", field="calloff_s")
        ids = {s.id for s in self.jis.suppliers}
        for sid, racks in self.rack_cars.items():
            if sid not in ids:
                raise InputError(f"unknown supplier {sid!r}", field="rack_cars")
            flat = [c for cars in racks for c in cars]
            if sorted(flat) != list(range(self.jis.n_cars)) or any(not cars for cars in racks):
                raise InputError("every car must be in exactly one rack, no rack empty", field=f"rack_cars.{sid}")

    # --- look-ups -------------------------------------------------------------------------
    @property
    def suppliers(self) -> tuple[JisSupplier, ...]:
        return self.jis.suppliers

    @property
    def n_cars(self) -> int:
        return self.jis.n_cars

    def supplier(self, sid: str) -> JisSupplier:
        for s in self.jis.suppliers:
            if s.id == sid:
                return s
        raise KeyError(sid)

    def station(self, station_id: str) -> JisStation:
        for st in self.jis.line.stations:
            if st.id == station_id:
                return st
        raise KeyError(station_id)

    def racks(self, sid: str) -> tuple[Rack, ...]:
        """The racks of supplier ``sid`` in sequence order (kept per problem): ``rack_size``
        consecutive cars each, or the compositions of ``rack_cars``; a rack is ready
        ``sequencing_lead_h`` after the call-off of its last car called off (``calloff_s``;
        default: ``broadcast_h`` before the car enters the line)."""
        memo = self.__dict__.setdefault("_racks", {})
        if sid not in memo:
            s = self.supplier(sid)
            line = self.jis.line
            off = self.station(s.station).offset_s
            out = []
            if sid not in self.rack_cars and not self.calloff_s:
                lead = s.sequencing_lead_h * 3600 - line.broadcast_h * 3600
                for k, first in enumerate(range(0, self.n_cars, s.rack_size)):
                    last = min(first + s.rack_size, self.n_cars) - 1
                    need = self.car_start_s[first] + off
                    out.append(Rack(supplier=sid, index=k, first=first, last=last,
                                    ready_s=int(math.ceil(self.car_start_s[last] + lead - 1e-9)),
                                    due_s=need - line.safety_s, need_s=need,
                                    release_s=self.car_start_s[last] + off))
            else:
                groups = self.rack_cars.get(sid) or tuple(
                    tuple(range(a, min(a + s.rack_size, self.n_cars))) for a in range(0, self.n_cars, s.rack_size))
                top = -1
                for k, cars in enumerate(groups):
                    need = min(self.car_start_s[c] for c in cars) + off
                    ready = max(self.calloff(c) for c in cars) + s.sequencing_lead_h * 3600
                    consecutive = list(cars) == list(range(min(cars), max(cars) + 1))
                    out.append(Rack(supplier=sid, index=k, first=min(cars), last=max(cars),
                                    ready_s=int(math.ceil(ready - 1e-9)), due_s=need - line.safety_s, need_s=need,
                                    release_s=max(self.car_start_s[c] for c in cars) + off,
                                    cars=() if consecutive else tuple(cars), rush=max(cars) < top))
                    top = max(top, *cars)
            memo[sid] = tuple(out)
        return memo[sid]

    def calloff(self, car: int) -> float:
        """When the sequence of ``car`` reached the suppliers (s): ``calloff_s``, by default
        ``broadcast_h`` before the car enters the line."""
        if self.calloff_s:
            return self.calloff_s[car]
        return self.car_start_s[car] - self.jis.line.broadcast_h * 3600

    def part(self, sid: str, car: int) -> str:
        """The part number supplier ``sid`` sends for car ``car`` (the bill of sequenced parts)."""
        variants = {v.id: v for v in self.jis.variants}
        return variants[self.jis.sequence[car]].part(sid)

    def trip_cost_cny(self, sid: str) -> float:
        """Cost of one round trip of ``sid``'s truck (CNY, rounded to 0.01)."""
        r = self.roads[sid]
        return round(self.jis.cost_per_trip_cny + self.jis.cost_per_km_cny * (r.km_out + r.km_back), 2)

    @property
    def inventory_rate_cny_per_rack_h(self) -> float:
        return round(self.jis.inventory_cny_per_rack_h, 2)

    def station_groups(self) -> list[tuple[str, ...]]:
        """Suppliers grouped by the station they feed (groups share line-side buffers)."""
        groups: dict[str, list[str]] = {}
        for s in self.jis.suppliers:
            groups.setdefault(s.station, []).append(s.id)
        return [tuple(g) for g in groups.values()]

    # --- construction ---------------------------------------------------------------------
    @classmethod
    def from_scenario(cls, scenario: Any, conditions: Any = None) -> JisProblem:
        """The problem of a scenario's ``jis`` section; road times from ``conditions``
        (:class:`mmroute.world.Conditions`; ``None``: the scenario's own, no events)."""
        from mmroute.world import Conditions
        from mmroute.world.roads import nominal_road_paths

        jis = getattr(scenario, "jis", None)
        src = getattr(scenario, "source_file", None)
        if jis is None:
            raise InputError(f"scenario '{scenario.name}' has no jis section", file=src, field="jis")
        cond = conditions if conditions is not None else Conditions(scenario)
        paths = nominal_road_paths(scenario, cond.tables)
        hours = int(math.ceil(scenario.horizon_h)) + 24
        roads = {}
        for s in jis.suppliers:
            where = f"jis.suppliers[{s.id}].node"
            out = _fastest(paths, s.node, jis.plant)
            back = _fastest(paths, jis.plant, s.node)
            if out is None or back is None:
                raise InputError(f"no road path between {s.node} and the plant {jis.plant} in both "
                                 "directions", file=src, field=where)
            roads[s.id] = SupplierRoad(
                km_out=round(sum(lk.distance_km for lk in out), 3),
                km_back=round(sum(lk.distance_km for lk in back), 3),
                out_s=tuple(_drive_s(cond, out, h) for h in range(hours)),
                back_s=tuple(_drive_s(cond, back, h) for h in range(hours)),
                links_out=tuple(lk.id for lk in out), links_back=tuple(lk.id for lk in back))
        return cls(name=scenario.name, jis=jis, car_start_s=tuple(line_slots_s(jis.line, jis.n_cars)),
                   roads=roads)

    def to_dict(self) -> dict[str, Any]:
        d = {"name": self.name, **self.jis.to_dict(), "car_start_s": list(self.car_start_s),
             "roads": {k: r.to_dict() for k, r in self.roads.items()}}
        if self.rack_cars:
            d["rack_cars"] = {k: [list(c) for c in v] for k, v in self.rack_cars.items()}
        if self.calloff_s:
            d["calloff_s"] = list(self.calloff_s)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, file: str | None = None) -> JisProblem:
        """Inverse of :meth:`to_dict`; errors name ``file`` and the field."""
        f = Fields(file or "problem")
        f.mapping(d, "", required=("name", "jis", "car_start_s", "roads"), optional=("rack_cars", "calloff_s"))
        raw = d["jis"]
        nodes = {raw.get("plant"): None} if isinstance(raw, Mapping) else {}
        if isinstance(raw, Mapping) and isinstance(raw.get("suppliers"), list):
            nodes.update({s.get("node"): None for s in raw["suppliers"] if isinstance(s, Mapping)})
        horizon = max((float(x) for x in [0, *_shift_ends(raw)]), default=0.0) or 1.0
        jis = parse_jis(f, {"jis": raw}, {k: v for k, v in nodes.items() if isinstance(k, str)}, horizon)
        starts = [f.integer(x, f"car_start_s[{i}]", ge=0)
                  for i, x in enumerate(f.sequence(d["car_start_s"], "car_start_s"))]
        roads = {}
        f.mapping(d["roads"], "roads", required=[s.id for s in jis.suppliers])  # type: ignore[union-attr]
        for sid, r in d["roads"].items():
            p = f"roads.{sid}"
            f.mapping(r, p, required=("km_out", "km_back", "out_s", "back_s"), optional=("links_out", "links_back"))
            roads[sid] = SupplierRoad(
                km_out=f.number(r["km_out"], f"{p}.km_out", ge=0), km_back=f.number(r["km_back"], f"{p}.km_back", ge=0),
                out_s=tuple(f.integer(x, f"{p}.out_s", ge=0) for x in f.sequence(r["out_s"], f"{p}.out_s", min_len=1)),
                back_s=tuple(f.integer(x, f"{p}.back_s", ge=0) for x in f.sequence(r["back_s"], f"{p}.back_s", min_len=1)),
                links_out=tuple(str(x) for x in r.get("links_out", ())),
                links_back=tuple(str(x) for x in r.get("links_back", ())))
        rack_cars = {}
        for sid, racks in f.mapping(d.get("rack_cars", {}), "rack_cars",
                                       optional=[s.id for s in jis.suppliers]).items():
            rack_cars[sid] = tuple(tuple(f.integer(c, f"rack_cars.{sid}[{k}]", ge=0) for c in f.sequence(
                cars, f"rack_cars.{sid}[{k}]", min_len=1)) for k, cars in enumerate(f.sequence(racks, f"rack_cars.{sid}")))
        calloff = tuple(f.number(x, f"calloff_s[{i}]") for i, x in enumerate(f.sequence(d.get("calloff_s", []), "calloff_s")))
        try:
            return cls(name=f.identifier(d["name"], "name"), jis=jis, car_start_s=tuple(starts), roads=roads,
                       rack_cars=rack_cars, calloff_s=calloff)
        except InputError as exc:
            raise InputError(exc.reason, file=file, field=exc.field) from None


def _shift_ends(raw: Any) -> list[float]:
    try:
        return [float(s["end_h"]) for s in raw["line"]["shifts"]]
    except (KeyError, TypeError, ValueError):
        return []


def ceil_s(h: float) -> int:
    """Hours as whole seconds, rounded up (a float's last bits below a second forgiven: 1e-6 s)."""
    return int(math.ceil(h * 3600 - 1e-6))


def _fastest(paths: Mapping[str, list], a: str, b: str):
    """The road path a -> b with the least nominal time (links' travel time), or ``None``."""
    cands = [p for w, p in paths.get(a, ()) if w == b]
    if not cands:
        return None
    return min(cands, key=lambda p: (sum(lk.travel_time_h for lk in p), len(p)))


def _drive_s(cond: Any, path, hour: int) -> int:
    """Driving time (s, rounded up) of ``path`` leaving at the start of ``hour`` under ``cond``."""
    legs = cond.road_trip(path, float(hour), check_open=False)
    return ceil_s(legs[-1][1] - legs[0][0])
