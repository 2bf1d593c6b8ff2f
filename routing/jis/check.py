"""Independent checker of a JIS plan (imports no solver).

:func:`check_jis_plan` verifies a :class:`.result.JisPlan` against its problem with the rules
of :mod:`.problem`: every rack delivered exactly once; a trip carries consecutive racks of its
own supplier, at most ``racks_per_truck`` (a rush rack of an inserted car, :mod:`.sequence`,
may ride on any trip beside them, capacity permitting); it loads after every rack is ready (and not before
hour 0), leaves after loading, arrives no earlier than the driving time of its departure hour
allows, and its truck is back no earlier than unloading and the drive back allow; a truck never
starts a trip before it is back from the last (never in two places); a supplier's racks
arrive in sequence (a rush rack of an inserted car, :mod:`.sequence`, out of it); each rack is at its station by its first car's need time minus the safety
time (later than the need time itself: a **line stop**); the racks standing at each station
never exceed its buffer at any instant. It recomputes the cost and compares the plan's claims
(objective, bound, status) with it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from mmroute import validate
from mmroute.report import CheckReport, Violation, ViolationList, claim_violations
from mmroute.routing.jis.problem import JisProblem
from mmroute.routing.jis.result import JisPlan, JisTrip

__all__ = ["check_jis_plan", "plan_figures", "regular_positions", "PLAN_STATUSES", "OBJECTIVE_TOL_CNY"]

PLAN_STATUSES = ("optimal", "feasible", "infeasible", "timeout")
#: How far a claimed objective may be from the recomputed cost (CNY; plan JSON keeps 2 decimals).
OBJECTIVE_TOL_CNY = 0.01


def _malformed(t: Any, problem: JisProblem) -> str | None:
    if not isinstance(t, JisTrip):
        return f"expected a JisTrip, got {validate.describe(t)}"
    if not isinstance(t.supplier, str):
        return f"supplier {t.supplier!r} is not text"
    try:
        s = problem.supplier(t.supplier)
    except KeyError:
        return f"unknown supplier {t.supplier!r}"
    if not validate.is_integer(t.truck) or not 0 <= t.truck < s.fleet:
        return f"truck {t.truck!r} is not one of the supplier's {s.fleet} trucks (0..{s.fleet - 1})"
    for name in ("load_s", "depart_s", "arrive_s", "return_s"):
        if not validate.is_integer(getattr(t, name)):
            return f"{name} {getattr(t, name)!r} is not a whole number of seconds"
    n = len(problem.racks(t.supplier))
    if not isinstance(t.racks, (tuple, list)) or not t.racks:
        return "carries no racks"
    if not all(validate.is_integer(r) and 0 <= r < n for r in t.racks):
        return f"racks must be numbers 0..{n - 1}, got {list(t.racks)}"
    return None


def regular_positions(problem: JisProblem, sid: str) -> dict[int, int]:
    """Rack number -> position among ``sid``'s racks that are not rush racks (a trip carries
    consecutive positions; rush racks ride on any trip)."""
    return {rk.index: i for i, rk in enumerate(rk for rk in problem.racks(sid) if not rk.rush)}


def check_jis_plan(problem: JisProblem, plan: JisPlan) -> CheckReport:
    """Check ``plan`` against ``problem`` (see the module docstring).

    ``objective``: the recomputed cost (CNY); details: :func:`plan_figures` (``trips``,
    ``km``, ``inventory_rack_h``, ``line_stops``, ``line_stop_min``, ``in_safety_time`` (racks
    after their due time but before their need: inside the safety time), ``buffer_overflows``,
    ``buffer_peak`` per station, ``trip_cost_cny``, ``inventory_cost_cny``, ``cars``).
    """
    validate.instance_of(problem, JisProblem, "problem")
    validate.instance_of(plan, JisPlan, "plan")
    bad = ViolationList()
    trips: list[JisTrip] = []
    ok: set[int] = set()
    for k, t in enumerate(plan.trips):
        why = _malformed(t, problem)
        if why:
            bad.append(Violation(f"trip {k}", why))
        else:
            trips.append(t)
            ok.add(k)
    arrive: dict[tuple[str, int], int] = {}
    seen: dict[tuple[str, int], int] = defaultdict(int)
    line = problem.jis.line
    positions = {s.id: regular_positions(problem, s.id) for s in problem.suppliers}
    for k, t in enumerate(plan.trips):
        if k not in ok:
            continue
        s = problem.supplier(t.supplier)
        racks = problem.racks(s.id)
        road = problem.roads[s.id]
        w = f"trip {k} ({s.id} truck {t.truck})"
        if len(t.racks) > s.racks_per_truck:
            bad.append(Violation(w, f"{len(t.racks)} racks on a truck for {s.racks_per_truck}"))
        if len(set(t.racks)) != len(t.racks):
            bad.append(Violation(w, f"racks {list(t.racks)} carry a rack twice"))
        where = positions[s.id]
        plain = sorted(where[r] for r in t.racks if r in where)  # rush racks ride anywhere
        if plain and plain != list(range(plain[0], plain[0] + len(plain))):
            bad.append(Violation(w, f"racks {list(t.racks)} are not consecutive in sequence"))
        ready = max(racks[r].ready_s for r in t.racks)
        if t.load_s < max(0, ready):
            bad.append(Violation(w, f"loads at {t.load_s} s before its last rack is ready ({ready} s)"
                                 if t.load_s < ready else f"loads at {t.load_s} s, before hour 0"))
        if t.depart_s < t.load_s + s.loading_s:
            bad.append(Violation(w, f"leaves at {t.depart_s} s before loading ends ({t.load_s + s.loading_s} s)"))
        drive = road.drive_out_s(t.depart_s)
        if t.arrive_s < t.depart_s + drive:
            bad.append(Violation(w, f"arrives at {t.arrive_s} s, before the {drive} s drive allows"))
        back = road.drive_back_s(t.arrive_s + line.unload_s)
        if t.return_s < t.arrive_s + line.unload_s + back:
            bad.append(Violation(w, f"back at {t.return_s} s, before unloading and the {back} s drive allow"))
        for r in t.racks:
            seen[(s.id, r)] += 1
            arrive[(s.id, r)] = t.arrive_s
    for s in problem.suppliers:
        for rk in problem.racks(s.id):
            n = seen.get((s.id, rk.index), 0)
            if n != 1:
                bad.append(Violation(f"{s.id} rack {rk.index}", "never delivered" if n == 0 else f"delivered {n} times"))
        # truck timelines
        by_truck: dict[int, list[JisTrip]] = defaultdict(list)
        for t in trips:
            if t.supplier == s.id:
                by_truck[t.truck].append(t)
        for truck, ts in by_truck.items():
            ts.sort(key=lambda x: (x.load_s, x.return_s))
            for a, b in zip(ts, ts[1:]):
                if b.load_s < a.return_s:
                    bad.append(Violation(f"{s.id} truck {truck}", f"loads at {b.load_s} s before it is back "
                                                                 f"from its trip at {a.return_s} s"))
        # sequence
        racks = [rk for rk in problem.racks(s.id) if not rk.rush]  # rush racks come out of order
        for a, b in zip(racks, racks[1:]):
            ta, tb = arrive.get((s.id, a.index)), arrive.get((s.id, b.index))
            if ta is not None and tb is not None and tb < ta:
                bad.append(Violation(f"{s.id} rack {b.index}", f"arrives at {tb} s before rack {a.index} ({ta} s): out of sequence"))
    fig = plan_figures(problem, trips, arrive)
    for where, why in fig.pop("_violations"):
        bad.append(Violation(where, why))
    objective = fig.pop("_cost_cny")
    bad.extend(claim_violations(objective, objective=plan.objective, bound=plan.bound, status=plan.status,
                                statuses=PLAN_STATUSES, tol=OBJECTIVE_TOL_CNY, time_s=plan.time_s)
               if plan.status != "infeasible" else [])
    return CheckReport(feasible=not bad, violations=tuple(bad), objective=round(objective, 2),
                       n_violations=len(bad), details=fig)


def plan_figures(problem: JisProblem, trips: Any, arrive: dict[tuple[str, int], int]) -> dict[str, Any]:
    """Trips, km, line-side rack-hours, line stops and buffer use of the racks' ``arrive`` times
    (``(supplier, rack) -> s``); ``_violations``: (where, why) of late racks and full buffers."""
    line = problem.jis.line
    viol: list[tuple[str, str]] = []
    n_trips = len(trips)
    km = sum(problem.roads[t.supplier].km_out + problem.roads[t.supplier].km_back for t in trips
             if t.supplier in problem.roads)
    trip_cost = sum(problem.trip_cost_cny(t.supplier) for t in trips if t.supplier in problem.roads)
    rack_s, stops, stop_s, in_safety = 0, 0, 0, 0
    events: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for s in problem.suppliers:
        for rk in problem.racks(s.id):
            a = arrive.get((s.id, rk.index))
            if a is None:
                continue
            rack_s += max(0, rk.release_s - a)
            if a > rk.need_s:
                stops += 1
                stop_s += a - rk.need_s
                viol.append((f"{s.id} rack {rk.index}", f"arrives at {a} s after car {rk.first} needs it "
                                                        f"({rk.need_s} s): line stop"))
            elif a > rk.due_s:
                in_safety += 1
                viol.append((f"{s.id} rack {rk.index}", f"arrives at {a} s, inside the safety time "
                                                        f"(due {rk.due_s} s)"))
            if a < rk.release_s:
                events[s.station].append((a, 1))
                events[s.station].append((rk.release_s, -1))
    peak: dict[str, int] = {}
    overflows = 0
    for st in line.stations:
        level, top = 0, 0
        for t, d in sorted(events.get(st.id, ())):  # at equal times releases (-1) come first
            level += d
            top = max(top, level)
            if d > 0 and level > st.buffer_racks:
                overflows += 1
                viol.append((f"station {st.id}", f"{level} racks at {t} s, buffer {st.buffer_racks}"))
        peak[st.id] = top
    inv_h = rack_s / 3600
    return {"cars": problem.n_cars, "trips": n_trips, "km": round(km, 3), "inventory_rack_h": round(inv_h, 4),
            "line_stops": stops, "line_stop_min": round(stop_s / 60, 2), "in_safety_time": in_safety,
            "buffer_overflows": overflows,
            "buffer_peak": peak, "trip_cost_cny": round(trip_cost, 2),
            "inventory_cost_cny": round(problem.inventory_rate_cny_per_rack_h * rack_s / 3600, 2),
            "_cost_cny": trip_cost + problem.inventory_rate_cny_per_rack_h * rack_s / 3600,
            "_violations": viol}
