"""Re-planning JIS dispatches from the current state: a delayed truck, a slowed or closed road,
a supplier's outage.

:func:`replan_jis` keeps the trips already loaded (``state.trips``: as driven so far, or as
expected), and plans the racks still at the suppliers with the exact model of
:mod:`.exact` from where things stand: each truck is free when it is back, nothing loads before
``state.time_s`` (or before a supplier's outage ends), racks already at a station hold its
buffer, racks stay in sequence. Road times come from the problem it is given — build it with
the conditions known now (``JisProblem.from_scenario(scenario, Conditions(scenario,
events.known_at(now_h)))``), so the re-plan uses what is known at that time and nothing later.
Where no plan without a line stop exists any more, racks may be late at
``late_cny_per_min`` per minute (minimising the damage); the checker's ``line_stops`` says how
many are.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from mmroute import validate
from mmroute.routing.jis.check import check_jis_plan
from mmroute.routing.jis.exact import SupplierStart, solve_station
from mmroute.routing.jis.problem import JisProblem, ceil_s
from mmroute.routing.jis.result import JisPlan, JisTrip
from mmroute.routing.jis.sequence import load_after
from mmroute.routing.jis.solve import JisParams, inflated

__all__ = ["JisState", "replan_jis", "replan_changes", "forward_trips", "split_loaded", "due_order", "state_starts",
           "unavoidable_stops"]


@dataclass(frozen=True)
class JisState:
    """Where the day stands at ``time_s``: the trips loaded so far (their racks are shipped;
    times as driven or expected) and, per supplier, when its loading resumes after an outage
    (``resume_s``) and the windows ``[from, to)`` (s) in which it may not load (``blocked_s``:
    outages known ahead, e.g. in hindsight)."""

    time_s: int
    trips: tuple[JisTrip, ...] = ()
    resume_s: Mapping[str, int] = field(default_factory=dict)
    blocked_s: Mapping[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)


def replan_jis(problem: JisProblem, state: JisState, *, time_limit_s: float, seed: int,
               late_cny_per_min: float = 1000.0, hint: tuple[JisTrip, ...] = (),
               params: JisParams | None = None) -> JisPlan:
    """The trips of ``state`` plus a new plan for the racks not yet shipped (checked).
    ``hint``: trips of an earlier plan for those racks (CP-SAT starts from them); ``params``:
    the robust settings of :class:`.solve.JisParams` (gate leads, drive factor) the new trips
    are planned with (checked on the roads as given). Each station is planned first with no
    rack late (its racks due by their need minus the safety time); when that model is
    infeasible or finds nothing in its time, with the racks that cannot be on time even if
    loaded at once late at ``late_cny_per_min``; then with any rack late at that price; and if
    CP-SAT finds nothing, the earliest dispatch (:func:`forward_trips`).

    After sequence changes (:func:`.sequence.apply_changes`) ``problem`` is the day as known now:
    the racks shipped keep their numbers (a started rack keeps its composition), the others are
    formed again from the changed sequence and planned here."""
    validate.instance_of(problem, JisProblem, "problem")
    validate.instance_of(state, JisState, "state")
    limit = validate.time_limit_s(time_limit_s)
    seed = validate.seed(seed)
    validate.integer(state.time_s, "state.time_s", lo=0)
    t0 = time.perf_counter()
    starts, standing = state_starts(problem, state)
    new: list[JisTrip] = []
    statuses: dict[str, str] = {}
    n_left = {s.id: len(starts[s.id].left_racks(len(problem.racks(s.id)))) for s in problem.suppliers}
    total = sum(n_left.values()) or 1
    params = validate.params_of(params, JisParams)
    validate.number(params.lead_short_cny_per_min, "params.lead_short_cny_per_min", lo=0.0)
    validate.integer(params.hedge_lead_s, "params.hedge_lead_s", lo=0)
    validate.number(params.gate_wait_cny_per_min, "params.gate_wait_cny_per_min", lo=0.0)
    planned = inflated(problem, params.drive_factor, params.gate_lead_s)  # robust re-plans: the same leads
    # where the leads leave no plan, the stages on the roads as they are keep them where they can
    # (and the hedge lead, where it is longer, is wanted in every stage)
    hard = {s.id: int(params.gate_lead_s.get(s.id, 0)) for s in problem.suppliers}
    want = {sid: max(lead, int(params.hedge_lead_s)) for sid, lead in hard.items()}
    # a trip of a supplier with a lead to keep waits at the gate no longer than that lead
    wait = {sid: params.gate_wait_cny_per_min if lead > 0 else 0.0 for sid, lead in want.items()}
    soft = {"soft_lead_s": want, "lead_short_cny_per_min": params.lead_short_cny_per_min,
            "gate_wait_cny_per_min": wait}
    soft_planned = {**soft, "soft_lead_s": {sid: want[sid] - hard[sid] for sid in want}}
    for group in problem.station_groups():
        station = problem.supplier(group[0]).station
        left = [sid for sid in group if n_left[sid]]
        if not left:
            statuses[station] = "done"
            continue
        share = sum(n_left[sid] for sid in left) / total
        old = {sid: [t for t in hint if t.supplier == sid] for sid in left}
        here = standing.get(station, [])
        cands: dict[str, list[JisTrip]] = {
            "earliest dispatch": forward_trips(problem, tuple(left), starts, here),
            "kept schedule": [t for sid in left for t in _kept(problem, sid, old[sid], starts[sid], here)]}
        latest = _latest_from(planned, tuple(left), starts, here)
        if latest is None and planned is not problem:
            latest = _latest_from(problem, tuple(left), starts, here)
        if latest is not None:
            cands["latest full trucks"] = latest
        kw = dict(start=starts, standing=tuple(here), deterministic=True)
        budget = max(0.1, limit * share)
        # CP-SAT: first with no rack late (a tight model, usually proven fast), with the robust
        # gate leads and, if they leave no plan, without them; then with the racks late that
        # cannot be on time even if loaded at once; then any rack late
        hint0 = _by_supplier(latest) if latest is not None else {
            sid: _relaid(problem, sid, old[sid], starts[sid]) for sid in left}
        stages: list[tuple[JisProblem, float | None, bool]] = [(planned, None, False)]
        if planned is not problem:
            stages.append((problem, None, False))
        stages += [(problem, late_cny_per_min, True), (problem, late_cny_per_min, False)]
        res = None
        left_s = budget
        for i, (roads_of, late, only) in enumerate(stages):
            if res is not None and res.trips is not None:
                break
            # half of what is left, all of it for the last stage; a stage proven infeasible
            # (deterministic time: the same on a loaded machine) hands its share on
            rest = max(0.1, left_s if i == len(stages) - 1 else left_s * 0.5)
            res = solve_station(roads_of, tuple(left), time_limit_s=rest, seed=seed, late_cny_per_min=late,
                                late_only_hopeless=only,
                                hint=_by_supplier(cands["kept schedule"]) if late is not None and not only else hint0,
                                **kw, **(soft_planned if roads_of is planned and planned is not problem else soft))
            if res.status != "INFEASIBLE":
                left_s -= rest
        if res is not None and res.trips is not None:
            cands[f"cp-sat {res.status.lower()}"] = list(res.trips)
        # the best: buffer kept, fewest line stops, least lateness, least cost
        name = min(cands, key=lambda k: _score(problem, station, cands[k], here, soft))
        statuses[station] = name
        new.extend(cands[name])
    trips = tuple(state.trips) + tuple(new)
    draft = JisPlan(trips=trips, objective=0.0, status="infeasible", instance=problem.name)
    rep = check_jis_plan(problem, draft)
    # racks late, and racks of trips already loaded that a later sequence change left in a full buffer
    # (and what has happened to the trips of the state: the checker reads the hourly table of
    # the roads known now, a drive that began mid-hour may have been shorter)
    past = {f"trip {k} " for k in range(len(state.trips))}
    # (racks of the state's trips out of sequence as expected: what has happened, not the re-plan)
    shipped = {f"{t.supplier} rack {r}" for t in state.trips for r in t.racks}
    late_only = all("line stop" in v.why or "safety time" in v.why or v.where.startswith("station ")
                    or any(v.where.startswith(x) for x in past)
                    or ("out of sequence" in v.why and v.where in shipped) for v in rep.violations)
    if not (rep.feasible or late_only) or rep.n_violations > len(rep.violations) and not late_only:
        from mmroute.errors import SolverError

        raise SolverError(f"{problem.name}: the re-plan fails the checker: {rep.reason}")
    return JisPlan(trips=trips, objective=float(rep.objective or 0.0), status="feasible" if rep.feasible else "infeasible",
                   time_s=time.perf_counter() - t0, solver="cp-sat re-plan from state", seed=seed,
                   instance=problem.name, info={**rep.details, "stations": statuses, "replanned_trips": len(new)})


def state_starts(problem: JisProblem, state: JisState) -> tuple[dict[str, SupplierStart],
                                                             dict[str, list[tuple[int, int]]]]:
    """Per supplier, where a plan from ``state`` starts (:class:`.exact.SupplierStart`: the racks
    left, trucks back, last arrival, earliest loading, windows without loading), and per station
    the racks shipped that still stand there or will (``(arrive_s, release_s)``)."""
    now = state.time_s
    starts: dict[str, SupplierStart] = {}
    standing: dict[str, list[tuple[int, int]]] = {}
    for s in problem.suppliers:
        mine = [t for t in state.trips if t.supplier == s.id]
        racks = problem.racks(s.id)
        shipped = {r for t in mine for r in t.racks}
        plain = [rk.index for rk in racks if not rk.rush]
        k0 = next((i for i, r in enumerate(plain) if r not in shipped), len(plain))
        if any(r in shipped for r in plain[k0:]):
            from mmroute.errors import InputError

            raise InputError(f"{s.id}: the racks shipped must be the first ones in sequence (rush racks aside), "
                             f"got {sorted(shipped)[:8]}", field="state.trips")
        free = [0] * s.fleet
        for t in mine:
            free[t.truck] = max(free[t.truck], t.return_s)
        left = tuple(rk.index for rk in racks if rk.index not in shipped)
        starts[s.id] = SupplierStart(first_rack=plain[k0] if k0 < len(plain) else len(racks),
                                     earliest_load_s=max(now, state.resume_s.get(s.id, 0)),
                                     truck_free_s=tuple(free),
                                     last_arrival_s=max((t.arrive_s for t in mine for r in t.racks
                                                         if not racks[r].rush), default=0),
                                     left=left, blocked_s=tuple(state.blocked_s.get(s.id, ())))
        standing.setdefault(s.station, []).extend(
            (t.arrive_s, racks[r].release_s) for t in mine for r in t.racks if racks[r].release_s > now)
    return starts, standing


def _relaid(problem: JisProblem, sid: str, old: list[JisTrip], start: SupplierStart) -> list[JisTrip]:
    """A hint for the racks left of ``sid``: the earlier plan's trips (their times and sizes,
    later if their racks are not ready) carrying the racks left in the order of their cars
    (:func:`due_order`: a rush rack beside the racks of the cars around its car)."""
    s = problem.supplier(sid)
    road = problem.roads[sid]
    racks = problem.racks(sid)
    left = due_order(problem, sid, start.left_racks(len(racks)))
    todo = set(left)
    old = sorted((t for t in old if todo & set(t.racks)), key=lambda t: min(t.racks))
    out: list[JisTrip] = []
    i = 0
    while i < len(left):
        t = old.pop(0) if old else None
        group = left[i:i + (len(t.racks) if t is not None else s.racks_per_truck)]
        load = max(t.load_s if t is not None else 0, *(racks[r].ready_s for r in group), start.earliest_load_s, 0)
        depart = load + s.loading_s
        arrive = max(depart + road.drive_out_s(depart), t.arrive_s if t is not None else 0)
        out.append(JisTrip(supplier=sid, truck=0, load_s=load, depart_s=depart, arrive_s=arrive, return_s=arrive,
                           racks=tuple(sorted(group))))
        i += len(group)
    return out


def due_order(problem: JisProblem, sid: str, left: tuple[int, ...]) -> tuple[int, ...]:
    """The racks ``left`` in the order their cars need them (a rush rack among the racks of the
    cars around its car; the other racks stay in sequence)."""
    racks = problem.racks(sid)
    return tuple(sorted(left, key=lambda g: (racks[g].due_s, g)))


def _latest_from(problem: JisProblem, suppliers: tuple[str, ...], starts: Mapping[str, SupplierStart],
                 standing: list[tuple[int, int]] | tuple[tuple[int, int], ...]) -> list[JisTrip] | None:
    """The heuristic of :mod:`.heuristic` (groups placed from the last backwards, as late as
    their due times allow) on the racks left, if its plan fits the state: every load after
    ``earliest_load_s``, trucks matched to the times they are back, racks in sequence after the
    last one shipped, the buffer beside the racks standing; else ``None``."""
    from mmroute.routing.jis.heuristic import _place, supplier_cost_cny

    out: list[JisTrip] = []
    for sid in suppliers:
        s = problem.supplier(sid)
        st0 = starts[sid]
        every = problem.racks(sid)
        racks = [every[g] for g in due_order(problem, sid, st0.left_racks(len(every)))]
        best, cost = None, float("inf")
        for q, alone in [(q, a) for q in range(1, s.racks_per_truck + 1) for a in (False, True)]:
            groups: list[list] = []
            for rk in racks:  # chunks of q racks in the order of their cars; a rush rack alone or beside them
                if not groups or len(groups[-1]) == q or alone and (rk.rush or groups[-1][-1].rush):
                    groups.append([rk])
                else:
                    groups[-1].append(rk)
            trips = _place(problem, sid, groups)
            if trips is None or any(t.load_s < st0.earliest_load_s for t in trips):
                continue
            if any(load_after(st0.blocked_s, t.load_s) != t.load_s for t in trips):
                continue
            if any(t.arrive_s < st0.last_arrival_s for t in trips if not all(every[r].rush for r in t.racks)):
                continue
            first: dict[int, int] = {}
            for t in trips:
                first[t.truck] = min(first.get(t.truck, t.load_s), t.load_s)
            free = sorted(range(s.fleet), key=lambda j: st0.truck_free_s[j] if st0.truck_free_s else 0)
            used = sorted(first, key=lambda j: first[j])
            relabel = dict(zip(used, free))
            if any((st0.truck_free_s[relabel[j]] if st0.truck_free_s else 0) > first[j] for j in used):
                continue
            trips = [replace(t, truck=relabel[t.truck], racks=tuple(sorted(t.racks))) for t in trips]
            c = supplier_cost_cny(problem, sid, trips)
            if c < cost:
                best, cost = trips, c
        if best is None:
            return None
        out.extend(best)
    station = problem.supplier(suppliers[0]).station
    if not _fits_with(problem, station, out, standing):
        return None
    return out


def _fits_with(problem: JisProblem, station: str, trips: list[JisTrip],
               standing: list[tuple[int, int]] | tuple[tuple[int, int], ...]) -> bool:
    cap = problem.station(station).buffer_racks
    ev = [(a, 1) for a, r in standing if r > a] + [(r, -1) for a, r in standing if r > a]
    for t in trips:
        for r in t.racks:
            rel = problem.racks(t.supplier)[r].release_s
            if rel > t.arrive_s:
                ev += [(t.arrive_s, 1), (rel, -1)]
    level = 0
    for _, d in sorted(ev):
        level += d
        if level > cap:
            return False
    return True


def _score(problem: JisProblem, station: str, trips: list[JisTrip], standing: list[tuple[int, int]],
           soft: Mapping[str, Any] | None = None) -> tuple[bool, int, int, float]:
    """(buffer overflowed, racks after their need, s after their due, cost CNY) of a station's
    trips; the cost with each rack-minute short of its supplier's gate lead, and each waited at
    the gate beyond it, at the prices of ``soft`` (``soft_lead_s``, ``lead_short_cny_per_min``,
    ``gate_wait_cny_per_min``), as the re-plan's CP-SAT counts them."""
    stops, late, rack_s, cost = 0, 0, 0, 0.0
    leads = dict((soft or {}).get("soft_lead_s") or {})
    per_s = float((soft or {}).get("lead_short_cny_per_min") or 0.0) / 60
    wait_s = {sid: float(x) / 60 for sid, x in dict((soft or {}).get("gate_wait_cny_per_min") or {}).items()}
    for t in trips:
        cost += problem.trip_cost_cny(t.supplier)
        lead = leads.get(t.supplier, 0)
        gate = t.depart_s + problem.roads[t.supplier].drive_out_s(t.depart_s)
        if lead and per_s:
            cost += per_s * len(t.racks) * min(lead, max(0, gate + lead - t.arrive_s))
        cost += wait_s.get(t.supplier, 0.0) * len(t.racks) * max(0, t.arrive_s - gate - lead)
        for r in t.racks:
            rk = problem.racks(t.supplier)[r]
            stops += t.arrive_s > rk.need_s
            late += max(0, t.arrive_s - rk.due_s)
            rack_s += max(0, rk.release_s - t.arrive_s)
    return (not _fits_with(problem, station, trips, standing), stops, late,
            cost + problem.inventory_rate_cny_per_rack_h * rack_s / 3600)


def _kept(problem: JisProblem, sid: str, old: list[JisTrip], start: SupplierStart,
          standing: list[tuple[int, int]]) -> list[JisTrip]:
    """The earlier plan's trips kept (their sizes; each loads when planned, or later when its
    racks are not ready, no truck is back or the supplier may not load yet; it unloads when
    planned, or later when the drive, the racks before it or the buffer make it); a rush rack on
    a trip of its own at once; racks beyond the earlier plan on full trucks at once."""
    from mmroute.routing.jis.baseline import _unload_s

    s = problem.supplier(sid)
    road = problem.roads[sid]
    racks = problem.racks(sid)
    unload = problem.jis.line.unload_s
    cap = problem.station(s.station).buffer_racks
    held = list(standing)
    free = list(start.truck_free_s) or [0] * s.fleet
    last = start.last_arrival_s
    out: list[JisTrip] = []
    trips = _relaid(problem, sid, old, start)
    plain = [t for t in trips if not all(racks[r].rush for r in t.racks)]
    order: list[JisTrip] = []  # the racks in sequence; a rush rack when it loads (its truck is free first)
    for t in plain:
        order += [r for r in trips if r not in plain and r not in order and r.load_s <= t.load_s] + [t]
    order += [r for r in trips if r not in order]
    for t in order:
        rush = all(racks[r].rush for r in t.racks)
        truck = min(range(s.fleet), key=lambda j: free[j])
        load = load_after(start.blocked_s, max(t.load_s, free[truck], max(racks[r].ready_s for r in t.racks),
                                               start.earliest_load_s, 0))
        depart = load + s.loading_s
        gate = max(t.arrive_s, depart + road.drive_out_s(depart), 0 if rush else last)
        releases = [racks[r].release_s for r in t.racks]
        arrive = _unload_s(held, gate, releases, cap)
        ret = arrive + unload + road.drive_back_s(arrive + unload)
        out.append(JisTrip(supplier=sid, truck=truck, load_s=load, depart_s=depart, arrive_s=arrive, return_s=ret,
                           racks=t.racks))
        held += [(arrive, r) for r in releases]
        free[truck] = ret
        last = last if rush else arrive
    return out


def _by_supplier(trips: list[JisTrip]) -> dict[str, list[JisTrip]]:
    out: dict[str, list[JisTrip]] = {}
    for t in trips:
        out.setdefault(t.supplier, []).append(t)
    return out


def forward_trips(problem: JisProblem, suppliers: tuple[str, ...], starts: Mapping[str, SupplierStart],
                  standing: list[tuple[int, int]] | tuple[tuple[int, int], ...] = ()) -> list[JisTrip]:
    """The earliest dispatch from a state, always a plan (racks possibly late): each supplier's
    truck back first loads as soon as the next rack (in the order of their cars, :func:`due_order`)
    is ready (and the supplier may load), takes every rack ready then up to a truckload (at most
    the station's buffer), and unloads when the station's buffer has room beside the racks
    there; racks stay in sequence. A rush rack that misses its car even loaded at once does not
    hold a trip back: it rides on the first trip that loads after it is ready, where there is a
    place (on its own after the last)."""
    from mmroute.routing.jis.baseline import _unload_s
    from mmroute.routing.jis.bound import earliest_arrival_s

    unload = problem.jis.line.unload_s
    cap = problem.station(problem.supplier(suppliers[0]).station).buffer_racks
    held = [(a, r) for a, r in standing]
    out: list[JisTrip] = []
    for sid in suppliers:
        s = problem.supplier(sid)
        road = problem.roads[sid]
        racks = problem.racks(sid)
        st0 = starts[sid]
        free = list(st0.truck_free_s) or [0] * s.fleet
        left = due_order(problem, sid, st0.left_racks(len(racks)))
        lost = sorted((g for g in left if racks[g].rush and earliest_arrival_s(road, load_after(
            st0.blocked_s, max(0, racks[g].ready_s, st0.earliest_load_s)) + s.loading_s) > racks[g].need_s),
            key=lambda g: (racks[g].ready_s, g))
        order = [g for g in left if g not in lost]
        i, last = 0, st0.last_arrival_s
        size = max(1, min(s.racks_per_truck, cap))
        while i < len(order) or lost:
            truck = min(range(s.fleet), key=lambda j: free[j])
            head = order[i] if i < len(order) else lost[0]
            load = load_after(st0.blocked_s, max(free[truck], racks[head].ready_s, st0.earliest_load_s, 0))
            n = 1 if i < len(order) else 0
            while 0 < n < size and i + n < len(order) and racks[order[i + n]].ready_s <= load:
                n += 1
            riders = [g for g in lost if racks[g].ready_s <= load][:size - n]
            lost = [g for g in lost if g not in riders]
            group = order[i:i + n] + riders
            depart = load + s.loading_s
            releases = [racks[r].release_s for r in group]
            gate = depart + road.drive_out_s(depart)
            rush = all(racks[r].rush for r in group)
            arrive = _unload_s(held, gate if rush else max(gate, last), releases, cap)
            ret = arrive + unload + road.drive_back_s(arrive + unload)
            out.append(JisTrip(supplier=sid, truck=truck, load_s=load, depart_s=depart, arrive_s=arrive,
                               return_s=ret, racks=tuple(sorted(group))))
            held += [(arrive, r) for r in releases]
            free[truck], i = ret, i + n
            last = last if rush else arrive
    return out


def split_loaded(problem: JisProblem, trips: tuple[JisTrip, ...] | list[JisTrip],
                 now_s: int) -> tuple[tuple[JisTrip, ...], tuple[JisTrip, ...]]:
    """``trips`` split into those that stay at ``now_s`` (loaded by then, and the trips of the
    racks before theirs in sequence, rush racks aside) and the rest (to re-plan)."""
    done: list[JisTrip] = []
    for s in problem.suppliers:
        racks = problem.racks(s.id)
        mine = [t for t in trips if t.supplier == s.id]
        plain = {t: [r for r in t.racks if not racks[r].rush] for t in mine}
        top = max((max(plain[t]) for t in mine if t.load_s <= now_s and plain[t]), default=-1)
        done += [t for t in mine if t.load_s <= now_s or (plain[t] and max(plain[t]) <= top)]
    keep = set(done)
    return tuple(t for t in trips if t in keep), tuple(t for t in trips if t not in keep)


def unavoidable_stops(problem: JisProblem) -> int:
    """Racks that reach their station after their first car even if loaded the moment they are
    ready and driven at once on the fastest hour (a car inserted at too short notice)."""
    from mmroute.routing.jis.bound import earliest_arrival_s

    n = 0
    for s in problem.suppliers:
        road = problem.roads[s.id]
        n += sum(earliest_arrival_s(road, max(0, rk.ready_s) + s.loading_s) > rk.need_s for rk in problem.racks(s.id))
    return n


def replan_changes(problem: JisProblem, plan: JisPlan, events: Any, *, time_limit_s: float, seed: int,
                   params: JisParams | None = None) -> JisPlan:
    """Re-sequence ``plan`` (of the published day ``problem``) through the sequence changes and
    outages of ``events`` (:class:`.sequence.JisEvents`) on the problem's roads: at each report,
    the trips loaded by then stay (as kept so far) and :func:`replan_jis` plans the racks left
    on the sequence as changed by then. The result is checked against the changed day; ``info``
    adds ``line_stops_kept`` (the plan's schedule kept, :func:`.sequence.keep_schedule`),
    ``line_stops_avoided``, ``unavoidable_line_stops`` (:func:`unavoidable_stops`), ``replans``
    and ``parts_to_stock``."""
    from mmroute.routing.jis.sequence import JisEvents, apply_changes, keep_schedule

    validate.instance_of(problem, JisProblem, "problem")
    validate.instance_of(plan, JisPlan, "plan")
    validate.instance_of(events, JisEvents, "events")
    limit = validate.time_limit_s(time_limit_s)
    seed = validate.seed(seed)
    t0 = time.perf_counter()
    final = apply_changes(problem, events)
    kept = check_jis_plan(final, replace(plan, trips=keep_schedule(final, plan), status="infeasible"))
    trips = plan.trips
    replans = 0
    for h in events.news_h():
        now = ceil_s(h)
        known = apply_changes(problem, events, h)
        done, rest = split_loaded(known, tuple(trips), now)  # as planned so far (racks started keep their numbers)
        told = events.known_at(h)  # outages reported by then: their whole windows
        re = replan_jis(known, JisState(time_s=now, trips=done, resume_s=told.resume_s(now), blocked_s=told.blocked_s()),
                        time_limit_s=limit, seed=seed, hint=rest, params=params)
        trips, replans = re.trips, replans + 1
    rep = check_jis_plan(final, JisPlan(trips=tuple(trips), objective=0.0, status="infeasible", instance=problem.name))
    stops = rep.details["line_stops"]
    return JisPlan(trips=tuple(trips), objective=float(rep.objective or 0.0),
                   status="feasible" if rep.feasible else "infeasible", time_s=time.perf_counter() - t0,
                   solver="cp-sat re-plans at each sequence change", seed=seed, instance=problem.name,
                   info={**rep.details, "line_stops_kept": kept.details["line_stops"],
                         "line_stops_avoided": kept.details["line_stops"] - stops,
                         "unavoidable_line_stops": unavoidable_stops(final), "replans": replans,
                         "parts_to_stock": dict(final.meta.get("parts_to_stock", {}))})
