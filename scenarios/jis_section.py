"""Read and validate the ``jis`` key of a scenario file (just-in-sequence supply).

Besides each field's type and range this checks what makes the section unusable: unknown
nodes, stations or suppliers, a variant without a part of every supplier, overlapping shifts
or shifts beyond the horizon, more cars than the shifts can build. ``sequence`` is a list of
variant ids in build order, or ``{cars: N, seed: S}``: N cars drawn from the variants'
``share`` with ``numpy.random.default_rng(S)`` (read back as the drawn list). Every error names
the file and the field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from mmroute.scenarios.fields import Fields
from mmroute.scenarios.jis_model import Jis, JisLine, JisStation, JisSupplier, JisVariant

__all__ = ["JIS_KEY", "parse_jis", "line_slots_s"]

JIS_KEY = "jis"
#: Most cars a sequence may hold (a week of a fast line: 7 x 24 h at 30 s).
MAX_CARS = 20_160


def parse_jis(f: Fields, data: Mapping[str, Any], nodes: Mapping[str, Any], horizon_h: float) -> Jis | None:
    """The :class:`Jis` of a scenario's top-level mapping ``data`` (``None`` if it has none)."""
    raw = data.get(JIS_KEY)
    if raw is None:
        return None
    p = JIS_KEY
    f.mapping(raw, p, required=("plant", "line", "variants", "sequence", "suppliers", "trucks"),
              optional=("inventory_cny_per_rack_h", "practice_interval_min"))
    plant = f.reference(raw["plant"], f"{p}.plant", nodes, "node")
    line = _line(f, raw["line"], f"{p}.line", horizon_h)
    stations = {s.id for s in line.stations}
    suppliers = tuple(_supplier(f, s, f.item_of(f"{p}.suppliers", i, s), nodes, stations)
                      for i, s in enumerate(f.sequence(raw["suppliers"], f"{p}.suppliers", min_len=1, max_len=50)))
    f.unique([s.id for s in suppliers], f"{p}.suppliers", "supplier")
    for s in suppliers:
        if s.node == plant:
            raise f.error(f"{p}.suppliers[{s.id}].node", "a supplier cannot sit at the plant node")
    sup_ids = [s.id for s in suppliers]
    variants = tuple(_variant(f, v, f.item_of(f"{p}.variants", i, v), sup_ids)
                     for i, v in enumerate(f.sequence(raw["variants"], f"{p}.variants", min_len=1, max_len=1000)))
    f.unique([v.id for v in variants], f"{p}.variants", "variant")
    sequence = _sequence(f, raw["sequence"], f"{p}.sequence", variants)
    slots = line_slots_s(line, len(sequence))
    if len(slots) < len(sequence):
        raise f.error(f"{p}.sequence", f"{len(sequence)} cars do not fit in the shifts "
                                       f"({len(slots)} takts of {line.takt_s} s)")
    trucks = f.mapping(raw["trucks"], f"{p}.trucks", required=("cost_per_trip_cny", "cost_per_km_cny"))
    return Jis(plant=plant, line=line, variants=variants, sequence=sequence, suppliers=suppliers,
               cost_per_trip_cny=f.number(trucks["cost_per_trip_cny"], f"{p}.trucks.cost_per_trip_cny", ge=0, le=1e6),
               cost_per_km_cny=f.number(trucks["cost_per_km_cny"], f"{p}.trucks.cost_per_km_cny", ge=0, le=1e4),
               inventory_cny_per_rack_h=f.number(raw.get("inventory_cny_per_rack_h", 10.0),
                                                 f"{p}.inventory_cny_per_rack_h", ge=0, le=1e5),
               practice_interval_min=f.number(raw.get("practice_interval_min", 60.0),
                                              f"{p}.practice_interval_min", gt=0, le=24 * 60))


def line_slots_s(line: JisLine, n: int) -> list[int]:
    """Line-start times (s) of the first ``n`` cars: one per takt inside the shifts, in order."""
    out: list[int] = []
    for a, b in line.shifts:
        t, end = int(round(a * 3600)), int(round(b * 3600))
        while t + line.takt_s <= end and len(out) < n:
            out.append(t)
            t += line.takt_s
    return out


def _line(f: Fields, raw: Any, p: str, horizon_h: float) -> JisLine:
    f.mapping(raw, p, required=("takt_s", "shifts", "stations", "broadcast_h", "safety_s"),
              optional=("unload_s",))
    shifts = []
    for i, s in enumerate(f.sequence(raw["shifts"], f"{p}.shifts", min_len=1, max_len=1000)):
        q = f"{p}.shifts[{i}]"
        f.mapping(s, q, required=("start_h", "end_h"))
        a = f.number(s["start_h"], f"{q}.start_h", ge=0, le=horizon_h)
        b = f.number(s["end_h"], f"{q}.end_h", gt=a, le=horizon_h)
        if shifts and a < shifts[-1][1]:
            raise f.error(q, "shifts must be in time order and must not overlap")
        shifts.append((a, b))
    stations = []
    for i, s in enumerate(f.sequence(raw["stations"], f"{p}.stations", min_len=1, max_len=100)):
        q = f.item_of(f"{p}.stations", i, s)
        f.mapping(s, q, required=("id", "offset_s", "buffer_racks"))
        stations.append(JisStation(id=f.identifier(s["id"], f"{q}.id"),
                                   offset_s=f.integer(s["offset_s"], f"{q}.offset_s", ge=0, le=7 * 86400),
                                   buffer_racks=f.integer(s["buffer_racks"], f"{q}.buffer_racks", ge=1, le=1000)))
    f.unique([s.id for s in stations], f"{p}.stations", "station")
    return JisLine(takt_s=f.integer(raw["takt_s"], f"{p}.takt_s", ge=1, le=3600), shifts=tuple(shifts),
                   stations=tuple(stations),
                   broadcast_h=f.number(raw["broadcast_h"], f"{p}.broadcast_h", ge=0, le=24 * 14),
                   safety_s=f.integer(raw["safety_s"], f"{p}.safety_s", ge=0, le=86400),
                   unload_s=f.integer(raw.get("unload_s", 600), f"{p}.unload_s", ge=0, le=86400))


def _supplier(f: Fields, raw: Any, p: str, nodes: Mapping[str, Any], stations: set[str]) -> JisSupplier:
    f.mapping(raw, p, required=("id", "node", "family", "station", "rack_size", "sequencing_lead_h",
                                "loading_s", "racks_per_truck", "fleet"), optional=("source",))
    return JisSupplier(
        id=f.identifier(raw["id"], f"{p}.id"),
        node=f.reference(raw["node"], f"{p}.node", nodes, "node"),
        family=f.string(raw["family"], f"{p}.family", max_len=100),
        station=f.reference(raw["station"], f"{p}.station", stations, "station"),
        rack_size=f.integer(raw["rack_size"], f"{p}.rack_size", ge=1, le=200),
        sequencing_lead_h=f.number(raw["sequencing_lead_h"], f"{p}.sequencing_lead_h", ge=0, le=24 * 14),
        loading_s=f.integer(raw["loading_s"], f"{p}.loading_s", ge=0, le=86400),
        racks_per_truck=f.integer(raw["racks_per_truck"], f"{p}.racks_per_truck", ge=1, le=100),
        fleet=f.integer(raw["fleet"], f"{p}.fleet", ge=1, le=100),
        source=f.string(raw.get("source", ""), f"{p}.source", max_len=1000),
    )


def _variant(f: Fields, raw: Any, p: str, suppliers: list[str]) -> JisVariant:
    f.mapping(raw, p, required=("id", "parts"), optional=("share",))
    parts = f.mapping(raw["parts"], f"{p}.parts", required=suppliers)
    return JisVariant(id=f.identifier(raw["id"], f"{p}.id"),
                      parts=tuple((s, f.identifier(parts[s], f"{p}.parts.{s}")) for s in suppliers),
                      share=f.number(raw.get("share", 0.0), f"{p}.share", ge=0, le=1))


def _sequence(f: Fields, raw: Any, p: str, variants: tuple[JisVariant, ...]) -> tuple[str, ...]:
    ids = [v.id for v in variants]
    if isinstance(raw, Mapping):
        import numpy as np  # only to draw a sequence (import mmroute.scenarios stays light)

        f.mapping(raw, p, required=("cars", "seed"))
        n = f.integer(raw["cars"], f"{p}.cars", ge=1, le=MAX_CARS)
        seed = f.integer(raw["seed"], f"{p}.seed", ge=0)
        shares = np.array([v.share for v in variants])
        if not math.isclose(float(shares.sum()), 1.0, abs_tol=1e-6):
            raise f.error(f"{p}", f"drawing a sequence needs variant shares summing to 1, got {shares.sum():g}")
        draw = np.random.default_rng(seed).choice(len(ids), size=n, p=shares / shares.sum())
        return tuple(ids[int(k)] for k in draw)
    items = f.sequence(raw, p, min_len=1, max_len=MAX_CARS)
    return tuple(f.reference(v, f"{p}[{i}]", set(ids), "variant") for i, v in enumerate(items))
