"""The exact JIS model (CP-SAT) for the suppliers of one station: a proof or a gap.

Per supplier and rack k: ``b[k]`` (a trip starts with rack k; racks of a trip are consecutive,
at most ``racks_per_truck``, via the position ``p[k]``), the trip's loading start ``L``, its
departure ``D = L + loading`` and its arrival ``A`` (equal along a trip; ``A`` non-decreasing
in k: racks in sequence). ``A >= D + out(hour of D)`` and the return ``R = A + unload +
back(hour of A + unload)`` read the hourly driving times of :class:`.problem.SupplierRoad`
with element constraints, so the model has exactly the checker's rules. Trips are optional
intervals ``[L, R)`` on a cumulative of the fleet (identical trucks: an interval graph, so a
load of at most ``fleet`` at every instant is a truck assignment); racks are intervals
``[A, release)`` on a cumulative of the station's buffer. Objective in units of 1/360000 CNY:
``3600 x trip cost (fen) x trips + rate (fen per rack-hour) x rack-seconds``, exact.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from mmroute.routing.jis.problem import JisProblem
from mmroute.routing.jis.result import JisTrip

__all__ = ["ExactJis", "SupplierStart", "solve_station", "UNITS_PER_CNY"]

UNITS_PER_CNY = 360_000


@dataclass(frozen=True)
class ExactJis:
    """One station group's CP-SAT run: trips (``None`` if none found), status text, the
    objective and bound (CNY), wall time (s)."""

    trips: tuple[JisTrip, ...] | None
    status: str
    objective: float | None
    bound: float | None
    time_s: float


@dataclass(frozen=True)
class SupplierStart:
    """Where a re-plan of one supplier starts: its first rack still to ship, the earliest
    loading (now, or the end of an outage), each truck's time back at the supplier, and the
    arrival of its last rack shipped (racks stay in sequence)."""

    first_rack: int = 0
    earliest_load_s: int = 0
    truck_free_s: tuple[int, ...] = ()
    last_arrival_s: int = 0


def solve_station(problem: JisProblem, suppliers: tuple[str, ...], *, time_limit_s: float, seed: int,
                  hint: dict[str, list[JisTrip]] | None = None, workers: int = 1,
                  start: dict[str, SupplierStart] | None = None, standing: tuple[tuple[int, int], ...] = (),
                  late_cny_per_min: float | None = None, late_only_hopeless: bool = False,
                  deterministic: bool = False) -> ExactJis:
    """Solve the suppliers of one station together (they share its buffer).

    Re-planning from a state: ``start`` per supplier, ``standing`` racks already shipped to the
    station (``(arrive_s, release_s)``, held in its buffer), and ``late_cny_per_min``: racks
    may then arrive after their due time at this cost per minute (``None``: never);
    ``late_only_hopeless``: only the racks that cannot be on time even if loaded at once (a
    car inserted at short notice) may be late. ``deterministic``: the time limit counts
    CP-SAT's deterministic time (same seed, same result on a loaded machine; wall time at most
    4 x the limit)."""
    m = cp_model.CpModel()
    start = start or {}
    line = problem.jis.line
    unload = line.unload_s
    station = problem.station(problem.supplier(suppliers[0]).station)
    obj = []
    buffer_iv = []
    vars_by: dict[str, tuple] = {}
    for sid in suppliers:
        s = problem.supplier(sid)
        road = problem.roads[sid]
        racks = problem.racks(sid)
        trip_units = int(round(problem.trip_cost_cny(sid) * 100)) * 3600
        rate = int(round(problem.inventory_rate_cny_per_rack_h * 100))
        hours = len(road.out_s)
        top = hours * 3600 - 1
        out_tab = list(road.out_s)
        back_tab = list(road.back_s)
        st0 = start.get(sid, SupplierStart())
        r0 = st0.first_rack
        b, p, L, A, R, trip_iv = [], [], [], [], [], []
        soft: list[bool] = []
        rush_next: list[int] = []
        for tf in st0.truck_free_s:  # trucks still away
            if tf > 0:
                trip_iv.append(m.NewIntervalVar(0, tf, tf, f"busy_{sid}_{len(trip_iv)}"))
        n_busy = len(trip_iv)
        for k, rk in enumerate(racks[r0:]):
            lo_l = max(0, rk.ready_s, st0.earliest_load_s)
            hi_a = rk.due_s
            hopeless = lo_l + s.loading_s + min(out_tab) > hi_a
            may_be_late = late_cny_per_min is not None and (hopeless or not late_only_hopeless)
            if may_be_late:
                hi_a = max(hi_a, lo_l + s.loading_s + max(out_tab)) + 3600 * 4
            elif lo_l + s.loading_s + min(out_tab) > hi_a:
                m.AddBoolOr([])  # this rack cannot reach its station in time: infeasible
            bk = m.NewConstant(1) if k == 0 else m.NewBoolVar(f"b_{sid}_{k}")
            pk = m.NewIntVar(1, s.racks_per_truck, f"p_{sid}_{k}")
            lk = m.NewIntVar(lo_l, max(lo_l, min(hi_a, top - s.loading_s)), f"L_{sid}_{k}")
            dk = m.NewIntVar(lo_l + s.loading_s, max(lo_l + s.loading_s, min(hi_a, top)), f"D_{sid}_{k}")
            m.Add(dk == lk + s.loading_s)
            ak = m.NewIntVar(lo_l + s.loading_s + min(out_tab), max(hi_a, lo_l + s.loading_s + min(out_tab)), f"A_{sid}_{k}")
            hd = m.NewIntVar(0, hours - 1, f"hd_{sid}_{k}")
            m.AddDivisionEquality(hd, dk, 3600)
            ok = m.NewIntVar(min(out_tab), max(out_tab), f"out_{sid}_{k}")
            m.AddElement(hd, out_tab, ok)
            m.Add(ak >= dk + ok)
            ua = m.NewIntVar(0, top + 3600 * 24, f"ua_{sid}_{k}")
            m.Add(ua == ak + unload)
            ha = m.NewIntVar(0, hours - 1, f"ha_{sid}_{k}")
            # the hour of A + unload, capped at the table's last hour (as the checker reads it)
            cap = m.NewIntVar(0, top, f"cap_{sid}_{k}")
            m.AddMinEquality(cap, [ua, m.NewConstant(top)])
            m.AddDivisionEquality(ha, cap, 3600)
            bkv = m.NewIntVar(min(back_tab), max(back_tab), f"back_{sid}_{k}")
            m.AddElement(ha, back_tab, bkv)
            rk_ = m.NewIntVar(0, top + 3600 * 48, f"R_{sid}_{k}")
            m.Add(rk_ == ua + bkv)
            size = m.NewIntVar(0, 3600 * 72, f"ts_{sid}_{k}")
            trip_iv.append(m.NewOptionalIntervalVar(lk, size, rk_, bk, f"trip_{sid}_{k}"))
            bsize = m.NewIntVar(0, max(0, rk.release_s), f"bs_{sid}_{k}")
            if not may_be_late or hi_a <= rk.release_s:
                buffer_iv.append(m.NewIntervalVar(ak, bsize, rk.release_s, f"rack_{sid}_{k}"))
                obj.append((rate, rk.release_s - 0, ak))
            else:  # a rack may come after its last car's need: it stands there for no time
                end = m.NewIntVar(rk.release_s, max(rk.release_s, hi_a), f"e_{sid}_{k}")
                m.AddMaxEquality(end, [ak, m.NewConstant(rk.release_s)])
                buffer_iv.append(m.NewIntervalVar(ak, bsize, end, f"rack_{sid}_{k}"))
                obj.append((rate, 0, ak))
                obj.append((-rate, 0, end))
            if may_be_late and rk.due_s < hi_a:
                late = m.NewIntVar(0, hi_a - rk.due_s, f"late_{sid}_{k}")
                m.Add(late >= ak - rk.due_s)
                obj.append((-int(round(late_cny_per_min * 100 * 60)), 0, late))  # CNY/min -> 1/360000 CNY per s
            if k == 0:
                m.Add(pk == 1)
            else:
                m.Add(pk == 1).OnlyEnforceIf(bk)
                m.Add(pk == p[-1] + 1).OnlyEnforceIf(bk.Not())
                m.Add(lk == L[-1]).OnlyEnforceIf(bk.Not())
                m.Add(ak == A[-1]).OnlyEnforceIf(bk.Not())
            if rk.rush:  # a rush rack travels on a trip of its own
                m.Add(bk == 1)
                if r0 + k + 1 < len(racks):
                    rush_next.append(k + 1)
            if k in rush_next:
                m.Add(bk == 1)
            if not rk.rush:  # racks arrive in sequence (a rush rack out of it)
                prev = next((A[q] for q in range(k - 1, -1, -1) if not racks[r0 + q].rush), None)
                m.Add(ak >= (st0.last_arrival_s if prev is None else prev))
                # redundant (LP strength): unless a trip starts among racks k-j+1..k, rack k
                # travels with rack k-j and arrives by its due time
                if not may_be_late:
                    for j in range(1, min(k, s.racks_per_truck - 1) + 1):
                        if rk.due_s <= racks[r0 + k - j].due_s or soft[k - j]:  # implied, or not a due
                            continue
                        m.Add(ak <= racks[r0 + k - j].due_s
                              + (rk.due_s - racks[r0 + k - j].due_s) * sum(b[k - j + 1:] + [bk]))
            g = r0 + k
            if len(suppliers) == 1 and g >= station.buffer_racks and not any(x.rush for x in racks):
                # redundant: room frees in order
                m.Add(ak >= racks[g - station.buffer_racks].release_s)
            b.append(bk)
            soft.append(may_be_late)
            p.append(pk)
            L.append(lk)
            A.append(ak)
            R.append(rk_)
        for k in range(1, len(b) - s.racks_per_truck + 1):  # redundant: a trip starts in every window
            m.Add(sum(b[k:k + s.racks_per_truck]) >= 1)
        m.AddCumulative(trip_iv, [1] * len(trip_iv), s.fleet)
        obj.append((trip_units, None, b))
        del n_busy
        vars_by[sid] = (b, L, A, R)
        if hint and hint.get(sid):
            lead = {t.racks[0] - r0: t for t in hint[sid]}
            cur = None
            pos = 0
            for k in range(len(b)):
                t = lead.get(k)
                if t is not None:
                    cur, pos = t, 1
                else:
                    pos += 1
                if cur is None:  # the hint does not start at the first rack left
                    break
                if k > 0:
                    m.AddHint(b[k], t is not None)
                m.AddHint(p[k], pos)
                m.AddHint(L[k], cur.load_s)
                m.AddHint(A[k], cur.arrive_s)
    for a, rel in standing:
        if rel > a:
            buffer_iv.append(m.NewIntervalVar(a, rel - a, rel, f"standing_{len(buffer_iv)}"))
    # racks already there may fill more than the buffer after a sequence change (a car inserted
    # holds them a takt longer): the model then allows that level, never more
    m.AddCumulative(buffer_iv, [1] * len(buffer_iv), max(station.buffer_racks, _peak(standing)))
    terms = []
    const = 0
    for coef, rel, v in obj:
        if rel is None:
            terms.append(coef * sum(v))
        else:
            const += coef * rel
            terms.append(-coef * v)
    m.Minimize(sum(terms) + const)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_s) * (4 if deterministic else 1)
    if deterministic:
        solver.parameters.max_deterministic_time = float(time_limit_s)
    solver.parameters.random_seed = int(seed)
    solver.parameters.num_workers = int(workers)
    solver.parameters.linearization_level = 2
    code = solver.Solve(m)
    name = solver.StatusName(code)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ExactJis(None, name, None, None if code != cp_model.INFEASIBLE else float("inf"), solver.WallTime())
    trips: list[JisTrip] = []
    for sid in suppliers:
        s = problem.supplier(sid)
        road = problem.roads[sid]
        b, L, A, R = vars_by[sid]
        n = len(b)
        st0 = start.get(sid, SupplierStart())
        free = list(st0.truck_free_s) or [0] * s.fleet
        starts = [k for k in range(n) if solver.Value(b[k])]
        found = []
        for j, k in enumerate(starts):
            end = starts[j + 1] if j + 1 < len(starts) else n
            load, arrive = solver.Value(L[k]), solver.Value(A[k])
            found.append((load, arrive, tuple(range(st0.first_rack + k, st0.first_rack + end))))
        mine = []
        for load, arrive, racks_ in sorted(found):  # interval colouring in start order
            ret = arrive + unload + road.drive_back_s(arrive + unload)
            ready = [i for i in range(s.fleet) if free[i] <= load]
            truck = max(ready, key=lambda i: free[i]) if ready else min(range(s.fleet), key=lambda i: free[i])
            free[truck] = ret
            mine.append(JisTrip(supplier=sid, truck=truck, load_s=load, depart_s=load + s.loading_s,
                                arrive_s=arrive, return_s=ret, racks=racks_))
        trips.extend(sorted(mine, key=lambda t: t.racks[0]))
    return ExactJis(tuple(trips), name, solver.ObjectiveValue() / UNITS_PER_CNY,
                    solver.BestObjectiveBound() / UNITS_PER_CNY, solver.WallTime())



def _peak(intervals: tuple[tuple[int, int], ...]) -> int:
    """Most of the half-open intervals ``[a, b)`` open at one instant."""
    level, top = 0, 0
    for _, d in sorted([(a, 1) for a, b in intervals if b > a] + [(b, -1) for a, b in intervals if b > a]):
        level += d
        top = max(top, level)
    return top
