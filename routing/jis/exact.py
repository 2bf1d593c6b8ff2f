"""The exact JIS model (CP-SAT) for the suppliers of one station: a proof or a gap.

Per supplier and rack k: ``b[k]`` (a trip starts with rack k; racks of a trip are consecutive,
at most ``racks_per_truck``, via the position ``p[k]``), the trip's loading start ``L``, its
departure ``D = L + loading`` and its arrival ``A`` (equal along a trip; ``A`` non-decreasing
in k: racks in sequence). ``A >= D + out(hour of D)`` and the return ``R = A + unload +
back(hour of A + unload)`` read the hourly driving times of :class:`.problem.SupplierRoad`
with element constraints, so the model has exactly the checker's rules. Trips are optional
intervals ``[L, R)`` on a cumulative of the fleet (identical trucks: an interval graph, so a
load of at most ``fleet`` at every instant is a truck assignment); racks are intervals
``[A, release)`` on a cumulative of the station's buffer. A rush rack (the part of a car
inserted among racks already started) either makes a trip of its own (``b``) or rides beside
the racks of a trip (``ride[k, j]``: it loads and arrives with the trip started by rack j,
whose regular racks then leave it a place on the truck). Objective in units of 1/360000 CNY:
``3600 x trip cost (fen) x trips + rate (fen per rack-hour) x rack-seconds``, exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ortools.sat.python import cp_model

from mmroute.errors import SolverError
from mmroute.routing.jis.problem import JisProblem
from mmroute.routing.jis.result import JisTrip
from mmroute.routing.jis.sequence import load_after

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
    arrival of its last rack shipped (racks stay in sequence); ``left``: the racks still to
    ship when not ``first_rack..`` (rush racks shipped or left out of order); ``blocked_s``:
    half-open windows (s) in which nothing loads (an outage known ahead)."""

    first_rack: int = 0
    earliest_load_s: int = 0
    truck_free_s: tuple[int, ...] = ()
    last_arrival_s: int = 0
    left: tuple[int, ...] | None = None
    blocked_s: tuple[tuple[int, int], ...] = ()

    def left_racks(self, n: int) -> tuple[int, ...]:
        """The racks still to ship (numbers, in order): ``left``, by default ``first_rack..n-1``."""
        return tuple(range(self.first_rack, n)) if self.left is None else self.left


def solve_station(problem: JisProblem, suppliers: tuple[str, ...], *, time_limit_s: float, seed: int,
                  hint: dict[str, list[JisTrip]] | None = None, workers: int = 1,
                  start: dict[str, SupplierStart] | None = None, standing: tuple[tuple[int, int], ...] = (),
                  late_cny_per_min: float | None = None, late_only_hopeless: bool = False,
                  deterministic: bool = False, rush_alone: bool = False,
                  soft_lead_s: Mapping[str, int] | None = None, lead_short_cny_per_min: float = 0.0,
                  gate_wait_cny_per_min: Mapping[str, float] | None = None) -> ExactJis:
    """Solve the suppliers of one station together (they share its buffer).

    Re-planning from a state: ``start`` per supplier, ``standing`` racks already shipped to the
    station (``(arrive_s, release_s)``, held in its buffer), and ``late_cny_per_min``: racks
    may then arrive after their due time at this cost per minute (``None``: never);
    ``late_only_hopeless``: only the racks that cannot be on time even if loaded at once (a
    car inserted at short notice) may be late. ``deterministic``: the time limit counts
    CP-SAT's deterministic time (same seed, same result on a loaded machine; wall time at most
    10 x the limit + 60 s, a cap that a loaded machine should not reach). ``rush_alone``: every rush rack on a trip of its own (the model before rush
    racks could ride beside other racks; for comparisons). ``soft_lead_s``: per supplier, a gate
    lead (s) wanted but not required: each rack costs ``lead_short_cny_per_min`` per minute its
    trip reaches the gate less than the lead before it unloads (a margin against a slow road,
    kept where the fleet and the racks' ready times allow it). ``gate_wait_cny_per_min``: per
    supplier, each rack-minute a trip waits at the gate beyond that lead (or beyond arriving,
    without one) costs this: a trip loads as late as its lead allows, for a rack loaded is
    committed (a later report can no longer regroup it, e.g. put a rush rack beside it)."""
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
        idx = st0.left_racks(len(racks))
        b, p, L, A, R, trip_iv = [], [], [], [], [], []
        soft: list[bool] = []
        lo_arr: list[int] = []
        hi_arr: list[int] = []
        regs: list[int] = []  # positions (in idx) of the racks that are not rush racks
        for tf in st0.truck_free_s:  # trucks still away
            if tf > 0:
                trip_iv.append(m.NewIntervalVar(0, tf, tf, f"busy_{sid}_{len(trip_iv)}"))
        blocked = _load_domain(st0.blocked_s, top)
        for k, g in enumerate(idx):
            rk = racks[g]
            lo_l = load_after(st0.blocked_s, max(0, rk.ready_s, st0.earliest_load_s))
            hi_a = rk.due_s
            hopeless = lo_l + s.loading_s + min(out_tab) > hi_a
            may_be_late = late_cny_per_min is not None and (hopeless or not late_only_hopeless)
            if may_be_late:
                hi_a = max(hi_a, lo_l + s.loading_s + max(out_tab)) + 3600 * 4
            elif lo_l + s.loading_s + min(out_tab) > hi_a:
                m.AddBoolOr([])  # this rack cannot reach its station in time: infeasible
            first_plain = not rk.rush and not regs
            bk = m.NewConstant(1) if first_plain else m.NewBoolVar(f"b_{sid}_{k}")
            pk = m.NewIntVar(1, s.racks_per_truck, f"p_{sid}_{k}")
            lk = m.NewIntVar(lo_l, max(lo_l, min(hi_a, top - s.loading_s)), f"L_{sid}_{k}")
            if blocked is not None:
                m.AddLinearExpressionInDomain(lk, blocked)
            dk = m.NewIntVar(lo_l + s.loading_s, max(lo_l + s.loading_s, min(hi_a, top)), f"D_{sid}_{k}")
            m.Add(dk == lk + s.loading_s)
            ak = m.NewIntVar(lo_l + s.loading_s + min(out_tab), max(hi_a, lo_l + s.loading_s + min(out_tab)), f"A_{sid}_{k}")
            hd = m.NewIntVar(0, hours - 1, f"hd_{sid}_{k}")
            m.AddDivisionEquality(hd, dk, 3600)
            ok = m.NewIntVar(min(out_tab), max(out_tab), f"out_{sid}_{k}")
            m.AddElement(hd, out_tab, ok)
            m.Add(ak >= dk + ok)
            lead = int((soft_lead_s or {}).get(sid, 0))
            if lead > 0 and lead_short_cny_per_min > 0:  # a soft gate lead: minutes short of it cost
                short = m.NewIntVar(0, lead, f"short_{sid}_{k}")
                m.Add(short >= dk + ok + lead - ak)
                obj.append((-int(round(lead_short_cny_per_min * 100 * 60)), 0, short))
            price = float((gate_wait_cny_per_min or {}).get(sid, 0.0))
            if price > 0:  # waiting at the gate beyond the lead: loaded too soon
                wait = m.NewIntVar(0, max(0, hi_a - lo_l), f"wait_{sid}_{k}")
                m.Add(wait >= ak - dk - ok - lead)
                obj.append((-int(round(price * 100 * 60)), 0, wait))
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
            if rk.rush:  # a rush rack: a trip of its own, or beside the racks of a trip (below)
                m.Add(pk == 1)
            elif first_plain:
                m.Add(pk == 1)
                m.Add(ak >= st0.last_arrival_s)
            else:
                j = regs[-1]
                m.Add(pk == 1).OnlyEnforceIf(bk)
                m.Add(pk == p[j] + 1).OnlyEnforceIf(bk.Not())
                m.Add(lk == L[j]).OnlyEnforceIf(bk.Not())
                m.Add(ak == A[j]).OnlyEnforceIf(bk.Not())
                m.Add(ak >= A[j])  # racks arrive in sequence (rush racks out of it)
                # redundant (LP strength): unless a trip starts among the racks after rack q
                # (up to k), rack k travels with rack q and arrives by its due time
                if not may_be_late:
                    back_regs = regs[-(s.racks_per_truck - 1):] if s.racks_per_truck > 1 else []
                    for i, q in enumerate(back_regs):
                        rq = racks[idx[q]]
                        if rk.due_s <= rq.due_s or soft[q]:  # implied, or not a due
                            continue
                        m.Add(ak <= rq.due_s + (rk.due_s - rq.due_s) * sum([b[x] for x in back_regs[i + 1:]] + [bk]))
            if len(suppliers) == 1 and not rk.rush and g >= station.buffer_racks and not any(x.rush for x in racks):
                # redundant: room frees in order
                m.Add(ak >= racks[g - station.buffer_racks].release_s)
            b.append(bk)
            soft.append(may_be_late)
            p.append(pk)
            L.append(lk)
            A.append(ak)
            R.append(rk_)
            lo_arr.append(lo_l + s.loading_s + min(out_tab))
            hi_arr.append(hi_a)
            if not rk.rush:
                regs.append(k)
        for i in range(1, len(regs) - s.racks_per_truck + 1):  # redundant: a trip starts in every window
            m.Add(sum(b[x] for x in regs[i:i + s.racks_per_truck]) >= 1)
        if rush_alone:
            for k in range(len(idx)):
                if k not in regs:
                    m.Add(b[k] == 1)
            rides: dict[int, dict[int, object]] = {}
        else:
            rides = _rush_rides(m, sid, idx, racks, regs, b, p, L, A, lo_arr, hi_arr, s.racks_per_truck)
        m.AddCumulative(trip_iv, [1] * len(trip_iv), s.fleet)
        obj.append((trip_units, None, b))
        vars_by[sid] = (b, L, A, R, idx, regs, rides)
        if hint and hint.get(sid):
            _add_hint(m, hint[sid], idx, racks, regs, b, p, L, A, rides)
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
    solver.parameters.max_time_in_seconds = float(time_limit_s) * 10 + 60 if deterministic else float(time_limit_s)
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
        b, L, A, R, idx, regs, rides = vars_by[sid]
        st0 = start.get(sid, SupplierStart())
        free = list(st0.truck_free_s) or [0] * s.fleet
        groups: dict[int, list[int]] = {}  # position of a trip's first rack -> its racks (positions)
        head = -1
        for k in regs:
            if solver.Value(b[k]):
                head = k
            groups.setdefault(head, []).append(k)
        regset = set(regs)
        for k in range(len(idx)):
            if k in regset:
                continue
            if solver.Value(b[k]):
                groups[k] = [k]
            else:
                j = next((j for j, x in rides.get(k, {}).items() if solver.Value(x)), None)
                if j is None:  # the model makes every rush rack ride or travel: a broken model
                    raise SolverError(f"{problem.name}: rush rack {idx[k]} of {sid} neither rides nor travels")
                groups[j].append(k)
        found = [(solver.Value(L[k]), solver.Value(A[k]), tuple(sorted(idx[x] for x in ks))) for k, ks in groups.items()]
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


def _load_domain(blocked: tuple[tuple[int, int], ...], top: int):
    """The loading times outside the half-open windows ``blocked`` (an outage), or ``None``."""
    cuts = sorted((max(0, a), min(b, top + 1)) for a, b in blocked if b > a)
    if not cuts:
        return None
    free, lo = [], 0
    for a, b in cuts:
        if a > lo:
            free.append([lo, a - 1])
        lo = max(lo, b)
    free.append([lo, max(lo, top * 2)])
    return cp_model.Domain.FromIntervals(free)


def _rush_rides(m: cp_model.CpModel, sid: str, idx: tuple[int, ...], racks, regs: list[int], b, p, L, A,
                lo_arr: list[int], hi_arr: list[int], cap: int) -> dict[int, dict[int, object]]:
    """Let each rush rack ride beside the racks of a trip (the trip of the regular rack at
    position j that starts it), or travel on its own (``b`` of the rush rack): then it loads and
    arrives with that trip, and the trip's regular racks leave it a place (position + rush
    racks on board <= ``racks_per_truck``). Candidates: the trips whose arrival windows meet
    the rush rack's, the nearest ``2 x racks_per_truck`` by due time."""
    rush = [k for k in range(len(idx)) if racks[idx[k]].rush]
    if not rush or not regs:  # no trip to ride on: every rush rack travels on its own
        for k in rush:
            m.Add(b[k] == 1)
        return {}
    rides: dict[int, dict[int, object]] = {}
    extra: dict[int, list] = {}
    for k in rush:
        due = racks[idx[k]].due_s
        cands = [j for j in regs if lo_arr[j] <= hi_arr[k] and lo_arr[k] <= hi_arr[j]]
        cands = sorted(cands, key=lambda j: abs(racks[idx[j]].due_s - due))[:2 * cap]
        rides[k] = {}
        for j in cands:
            x = m.NewBoolVar(f"ride_{sid}_{k}_{j}")
            m.AddImplication(x, b[j])
            m.Add(L[k] == L[j]).OnlyEnforceIf(x)
            m.Add(A[k] == A[j]).OnlyEnforceIf(x)
            rides[k][j] = x
            extra.setdefault(j, []).append(x)
        m.Add(b[k] + sum(rides[k].values()) == 1)
    e_prev = None
    for j in regs:  # rush racks on board along a trip: its regular racks' positions leave room
        e = m.NewIntVar(0, cap - 1, f"extra_{sid}_{j}")
        here = sum(extra.get(j, []))
        if e_prev is None:
            m.Add(e == here)
        else:
            m.Add(e == here).OnlyEnforceIf(b[j])
            m.Add(e == e_prev).OnlyEnforceIf(b[j].Not())
        m.Add(p[j] + e <= cap)
        e_prev = e
    return rides


def _add_hint(m: cp_model.CpModel, trips, idx: tuple[int, ...], racks, regs: list[int], b, p, L, A,
              rides: dict[int, dict[int, object]]) -> None:
    """CP-SAT hints from earlier trips of the racks ``idx`` (what they do not cover is left free)."""
    pos = {g: k for k, g in enumerate(idx)}
    regset = set(regs)
    for t in trips:
        mine = [pos[g] for g in t.racks if g in pos]
        plain = sorted(k for k in mine if k in regset)
        for i, k in enumerate(plain):
            if k != regs[0]:
                m.AddHint(b[k], i == 0)
            m.AddHint(p[k], i + 1)
            m.AddHint(L[k], t.load_s)
            m.AddHint(A[k], t.arrive_s)
        for k in mine:
            if k in regset:
                continue
            m.AddHint(L[k], t.load_s)
            m.AddHint(A[k], t.arrive_s)
            head = plain[0] if plain else None
            if head is None or head not in rides.get(k, {}):
                m.AddHint(b[k], True)
                for x in rides.get(k, {}).values():
                    m.AddHint(x, False)
            else:
                m.AddHint(b[k], False)
                for j, x in rides[k].items():
                    m.AddHint(x, j == head)
