"""The optional ``uncertainty`` section of a scenario file: road traffic, weather cells,
disruptions, demand noise and late orders."""

from __future__ import annotations

from typing import Any

from mmroute.scenarios import defaults as D
from mmroute.scenarios.fields import Fields
from mmroute.scenarios.model import (
    DemandNoise,
    Disruption,
    LateOrders,
    Node,
    RoadTraffic,
    Uncertainty,
    WeatherCell,
)

__all__ = ["parse_uncertainty", "DISRUPTION_KINDS", "WEATHER_KINDS"]

DISRUPTION_KINDS = (
    "link_closure",
    "node_closure",
    "port_congestion",
    "border_delay",
    "service_cancellation",
)
_LINK_TARGETS = frozenset({"link_closure", "service_cancellation"})
WEATHER_KINDS = ("typhoon", "storm", "fog", "ice")


def parse_uncertainty(
    f: Fields, raw: Any, nodes: dict[str, Node], link_ids: set[str], start: str | None
) -> Uncertainty:
    """The ``uncertainty`` mapping (``{}`` gives no uncertainty at all)."""
    p = "uncertainty"
    f.mapping(raw, p, optional=("road_traffic", "weather", "disruptions", "demand"))
    traffic = RoadTraffic()
    if raw.get("road_traffic") is not None:
        rt = f.mapping(
            raw["road_traffic"],
            f"{p}.road_traffic",
            optional=("hourly_multipliers", "noise_sigma"),
        )
        mult = traffic.hourly_multipliers
        if "hourly_multipliers" in rt:
            seq = f.sequence(
                rt["hourly_multipliers"],
                f"{p}.road_traffic.hourly_multipliers",
                min_len=24,
                max_len=24,
            )
            mult = tuple(
                f.number(x, f"{p}.road_traffic.hourly_multipliers[{j}]", ge=0.5, le=10)
                for j, x in enumerate(seq)
            )
        traffic = RoadTraffic(
            hourly_multipliers=mult,
            noise_sigma=f.number(rt.get("noise_sigma", 0.0), f"{p}.road_traffic.noise_sigma", ge=0, le=2),
        )
    weather = tuple(
        _weather(f, w, f.item_of(f"{p}.weather", i, w), start)
        for i, w in enumerate(
            f.sequence(raw.get("weather") or [], f"{p}.weather", max_len=1000)
        )
    )
    f.unique([w.id for w in weather], f"{p}.weather", "weather cell")
    disruptions = tuple(
        _disruption(f, d, f.item_of(f"{p}.disruptions", i, d), nodes, link_ids)
        for i, d in enumerate(
            f.sequence(raw.get("disruptions") or [], f"{p}.disruptions", max_len=10_000)
        )
    )
    f.unique([d.id for d in disruptions], f"{p}.disruptions", "disruption")
    demand = DemandNoise()
    if raw.get("demand") is not None:
        dm = f.mapping(raw["demand"], f"{p}.demand", optional=("quantity_cv", "late_orders"))
        late = None
        if dm.get("late_orders") is not None:
            q = f"{p}.demand.late_orders"
            lo = f.mapping(
                dm["late_orders"],
                q,
                required=("rate_per_day", "quantity_teu", "lead_time_h", "od_pairs"),
            )
            pairs = []
            for j, pair in enumerate(f.sequence(lo["od_pairs"], f"{q}.od_pairs", min_len=1)):
                seq = f.sequence(pair, f"{q}.od_pairs[{j}]", min_len=2, max_len=2)
                a = f.reference(seq[0], f"{q}.od_pairs[{j}][0]", nodes, "node")
                b = f.reference(seq[1], f"{q}.od_pairs[{j}][1]", nodes, "node")
                pairs.append((a, b))
            late = LateOrders(
                rate_per_day=f.number(lo["rate_per_day"], f"{q}.rate_per_day", ge=0, le=1000),
                quantity_teu=f.interval(lo["quantity_teu"], f"{q}.quantity_teu", gt=0),
                lead_time_h=f.interval(lo["lead_time_h"], f"{q}.lead_time_h", gt=0),
                od_pairs=tuple(pairs),
            )
        demand = DemandNoise(
            quantity_cv=f.number(dm.get("quantity_cv", 0.0), f"{p}.demand.quantity_cv", ge=0, le=2),
            late_orders=late,
        )
    return Uncertainty(road_traffic=traffic, weather=weather, disruptions=disruptions, demand=demand)


def _weather(f: Fields, w: Any, p: str, start: str | None) -> WeatherCell:
    """One weather cell: where (a valid polygon), when, how it moves, what it does."""
    f.mapping(
        w,
        p,
        required=("id", "kind", "probability", "area", "start_h", "duration_h", "effect"),
        optional=("months", "velocity_kmh", "speed_factor", "modes"),
    )
    effect = f.choice(w["effect"], f"{p}.effect", ("close", "slow"))
    factor = None
    if effect == "slow":
        if "speed_factor" not in w:
            raise f.error(f"{p}.speed_factor", "required when effect is slow")
        factor = f.number(w["speed_factor"], f"{p}.speed_factor", gt=0, lt=1)
    pts = f.sequence(w["area"], f"{p}.area", min_len=3, max_len=10_000)
    area = tuple(f.lonlat(pt, f"{p}.area[{j}]") for j, pt in enumerate(pts))
    if not _polygon_ok(area):
        raise f.error(f"{p}.area", "not a valid polygon (self-intersecting or zero area)")
    months: tuple[int, ...] = ()
    if w.get("months") is not None:
        seq = f.sequence(w["months"], f"{p}.months", min_len=1, max_len=12)
        months = tuple(f.integer(m, f"{p}.months[{j}]", ge=1, le=12) for j, m in enumerate(seq))
        if start is None:
            raise f.error(f"{p}.months", "a seasonal cell needs the scenario's 'start' date")
    vel = (0.0, 0.0)
    if w.get("velocity_kmh") is not None:
        seq = f.sequence(w["velocity_kmh"], f"{p}.velocity_kmh", min_len=2, max_len=2)
        vel = (
            f.number(seq[0], f"{p}.velocity_kmh[0]", ge=-200, le=200),
            f.number(seq[1], f"{p}.velocity_kmh[1]", ge=-200, le=200),
        )
    modes = tuple(
        f.choice(m, f"{p}.modes[{j}]", D.MODES)
        for j, m in enumerate(
            f.sequence(w.get("modes", ["sea", "barge"]), f"{p}.modes", min_len=1, max_len=4)
        )
    )
    return WeatherCell(
        id=f.identifier(w["id"], f"{p}.id"),
        kind=f.choice(w["kind"], f"{p}.kind", WEATHER_KINDS),
        probability=f.number(w["probability"], f"{p}.probability", ge=0, le=1),
        area=area,
        start_h=f.interval(w["start_h"], f"{p}.start_h", ge=0),
        duration_h=f.interval(w["duration_h"], f"{p}.duration_h", gt=0),
        effect=effect,
        modes=modes,
        velocity_kmh=vel,
        speed_factor=factor,
        months=months,
    )


def _polygon_ok(area: tuple[tuple[float, float], ...]) -> bool:
    """A simple polygon with positive area."""
    from shapely.geometry import Polygon

    poly = Polygon(area)
    return bool(poly.is_valid and poly.area > 0)


def _disruption(f: Fields, d: Any, p: str, nodes: dict[str, Node], link_ids: set[str]) -> Disruption:
    """One disruption: its targets (links or nodes by kind), window, delay."""
    f.mapping(
        d,
        p,
        required=("id", "kind", "probability", "start_h", "duration_h"),
        optional=("target", "targets", "delay_h"),
    )
    kind = f.choice(d["kind"], f"{p}.kind", DISRUPTION_KINDS)
    known, what = (link_ids, "link") if kind in _LINK_TARGETS else (nodes, "node")
    if ("target" in d) == ("targets" in d):
        raise f.error(f"{p}.target", "give either target (one id) or targets (a list of ids)")
    if "target" in d:
        targets = (f.reference(d["target"], f"{p}.target", known, what),)
    else:
        seq = f.sequence(d["targets"], f"{p}.targets", min_len=1, max_len=10_000)
        targets = tuple(f.reference(t, f"{p}.targets[{j}]", known, what) for j, t in enumerate(seq))
        if len(set(targets)) != len(targets):
            raise f.error(f"{p}.targets", "ids must be distinct")
    delay = None
    if kind in ("port_congestion", "border_delay"):
        if "delay_h" not in d:
            raise f.error(f"{p}.delay_h", f"required for {kind} ([min, max] extra dwell in h)")
        delay = f.interval(d["delay_h"], f"{p}.delay_h", ge=0)
    elif "delay_h" in d:
        raise f.error(f"{p}.delay_h", f"only port_congestion and border_delay take delay_h, not {kind}")
    return Disruption(
        id=f.identifier(d["id"], f"{p}.id"),
        kind=kind,
        targets=targets,
        probability=f.number(d["probability"], f"{p}.probability", ge=0, le=1),
        start_h=f.interval(d["start_h"], f"{p}.start_h", ge=0),
        duration_h=f.interval(d["duration_h"], f"{p}.duration_h", gt=0),
        delay_h=delay,
    )
