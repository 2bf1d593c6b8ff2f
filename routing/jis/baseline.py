"""The practice baseline, as a plant runs it: a supplier's truck leaves when a truckload of racks
is ready, or ``interval`` minutes after the first rack of its load is ready with what is ready
then (a rack waits at most that long for a full truckload), as soon as one of its trucks is back; at the plant it unloads only when the station's buffer has room for its
racks (it waits at the dock otherwise, and its racks stay in sequence); a rack unloaded after its
first car needs it is a line stop.

A truckload is ``racks_per_truck`` racks, at most the station's buffer (a bigger set could never
be unloaded). The rule needs no forecast: :func:`practice_trips` runs it with any road times —
the nominal ones of the problem (:func:`solve_practice`) or the realised ones of a drawn day
(:func:`.disrupt.execute_practice`). Stations are simulated one at a time; trucks of the
suppliers of one station are unloaded in the order they reach the dock.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from mmroute import validate
from mmroute.routing.jis.check import check_jis_plan
from mmroute.routing.jis.problem import JisProblem
from mmroute.routing.jis.result import JisPlan, JisTrip

__all__ = ["solve_practice", "practice_trips", "Drive"]

#: ``(supplier, wanted start s) -> (start s, driving time s)``: a truck that wants to leave at a
#: time leaves then (or when a closed road reopens) and drives this long.
Drive = Callable[[str, int], tuple[int, int]]


def _nominal(problem: JisProblem, back: bool) -> Drive:
    def drive(sid: str, t_s: int) -> tuple[int, int]:
        r = problem.roads[sid]
        return t_s, (r.drive_back_s(t_s) if back else r.drive_out_s(t_s))
    return drive


def _fits(held: list[tuple[int, int]], t_s: int, releases: list[int], cap: int) -> bool:
    """Whether racks unloaded at ``t_s`` (leaving at ``releases``) fit beside ``held``
    (``(arrive, release)`` of the racks unloaded so far) at every instant from ``t_s`` on."""
    ev = [(max(a, t_s), 1) for a, r in held if r > t_s and a < r] + [(r, -1) for a, r in held if r > t_s and a < r]
    ev += [(t_s, 1) for r in releases if r > t_s] + [(r, -1) for r in releases if r > t_s]
    level = 0
    for _, d in sorted(ev):  # releases first at equal times
        level += d
        if level > cap:
            return False
    return True


def _unload_s(held: list[tuple[int, int]], gate_s: int, releases: list[int], cap: int) -> int:
    """The earliest time >= ``gate_s`` at which the racks fit in the buffer."""
    for t in sorted({gate_s} | {r for _, r in held if r > gate_s}):
        if _fits(held, t, releases, cap):
            return t
    return max([gate_s, *(r for _, r in held)])  # unreachable when len(releases) <= cap


def practice_trips(problem: JisProblem, interval_min: float, *, drive_out: Drive | None = None,
                   drive_back: Drive | None = None,
                   may_load: Callable[[str, int], int] | None = None) -> list[JisTrip]:
    """The practice trips of every supplier, with ``drive_out`` / ``drive_back`` road times
    (default: the problem's nominal ones). ``arrive_s`` is when a trip unloads (after any wait
    at the dock). ``may_load(supplier, t)``: the earliest time >= t a supplier may load (an
    outage; default t)."""
    out_f = drive_out or _nominal(problem, back=False)
    back_f = drive_back or _nominal(problem, back=True)
    unload = problem.jis.line.unload_s
    step = int(round(interval_min * 60))
    trips: list[JisTrip] = []
    for group in problem.station_groups():
        cap = problem.station(problem.supplier(group[0]).station).buffer_racks
        state = {sid: {"k": 0, "free": [0] * problem.supplier(sid).fleet, "seq": 0} for sid in group}
        held: list[tuple[int, int]] = []
        while True:
            cands = []
            for sid in group:
                st = state[sid]
                s = problem.supplier(sid)
                racks = problem.racks(sid)
                k = st["k"]
                if k >= len(racks):
                    continue
                size = max(1, min(s.racks_per_truck, cap))
                full = racks[min(k + size, len(racks)) - 1].ready_s
                first = max(0, racks[k].ready_s)
                timer = first + step  # a rack waits at most the interval for a full truckload
                truck = min(range(s.fleet), key=lambda j: st["free"][j])
                go = max(min(full, timer), st["free"][truck], 0)
                if may_load is not None:
                    go = may_load(sid, go)
                n = 1
                while n < size and k + n < len(racks) and racks[k + n].ready_s <= go:
                    n += 1
                depart, drive = out_f(sid, go + s.loading_s)
                cands.append((depart + drive, sid, truck, go, depart, n))
            if not cands:
                break
            gate, sid, truck, go, depart, n = min(cands)
            st = state[sid]
            racks = problem.racks(sid)
            k = st["k"]
            releases = [racks[r].release_s for r in range(k, k + n)]
            arrive = _unload_s(held, max(gate, st["seq"]), releases, cap)
            back_start, back = back_f(sid, arrive + unload)
            ret = back_start + back
            trips.append(JisTrip(supplier=sid, truck=truck, load_s=go, depart_s=depart, arrive_s=arrive,
                                 return_s=ret, racks=tuple(range(k, k + n))))
            held = [(a, r) for a, r in held if r > gate] + [(arrive, r) for r in releases]
            st["free"][truck], st["k"], st["seq"] = ret, k + n, arrive
    return trips


def solve_practice(problem: JisProblem, *, interval_min: float | None = None, seed: int = 0) -> JisPlan:
    """The practice plan on the nominal roads, checked: ``status`` ``feasible``, or
    ``infeasible`` when racks come late (``info["line_stops"]``: after their first car's need;
    other violations: inside the safety time). ``info["dock_wait_h"]``: truck-hours waiting at
    the dock for room. ``interval_min``: ``None`` takes the scenario's ``practice_interval_min``."""
    validate.instance_of(problem, JisProblem, "problem")
    seed = validate.seed(seed)
    interval = problem.jis.practice_interval_min if interval_min is None else validate.number(
        interval_min, "interval_min", lo=1e-3)
    t0 = time.perf_counter()
    trips = tuple(practice_trips(problem, interval))
    solver = f"practice (full, or {interval:g} min after its first rack; waits at the dock for room)"
    plan = JisPlan(trips=trips, objective=0.0, status="infeasible", solver=solver, seed=seed, instance=problem.name)
    rep = check_jis_plan(problem, plan)
    wait_s = sum(t.arrive_s - t.depart_s - problem.roads[t.supplier].drive_out_s(t.depart_s) for t in trips)
    return JisPlan(trips=trips, objective=float(rep.objective or 0.0), status="feasible" if rep.feasible else "infeasible",
                   time_s=time.perf_counter() - t0, solver=solver, seed=seed, instance=problem.name,
                   info={**rep.details, "violations": rep.n_violations, "dock_wait_h": round(wait_s / 3600, 2)})
