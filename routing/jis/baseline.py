"""The practice baseline: a supplier's truck leaves when a truckload of racks is ready, or every
``interval`` minutes with what is ready (at least one rack), as soon as a truck is back.

Racks go to the line as they arrive (no waiting at the gate): early racks overflow the buffer,
late ones stop the line; the checker counts both. A plain simulation, one supplier at a time.
"""

from __future__ import annotations

import time

from mmroute import validate
from mmroute.routing.jis.check import check_jis_plan
from mmroute.routing.jis.problem import JisProblem
from mmroute.routing.jis.result import JisPlan, JisTrip

__all__ = ["solve_practice", "practice_trips"]


def practice_trips(problem: JisProblem, sid: str, interval_min: float) -> list[JisTrip]:
    """The practice trips of supplier ``sid``."""
    s = problem.supplier(sid)
    road = problem.roads[sid]
    unload = problem.jis.line.unload_s
    racks = problem.racks(sid)
    free = [0] * s.fleet
    out: list[JisTrip] = []
    k, last = 0, None
    step = int(round(interval_min * 60))
    while k < len(racks):
        full = racks[min(k + s.racks_per_truck, len(racks)) - 1].ready_s
        first = max(0, racks[k].ready_s)
        timer = first if last is None else max(first, last + step)
        truck = min(range(s.fleet), key=lambda j: free[j])
        go = max(min(full, timer), free[truck], 0)
        n = 1
        while n < s.racks_per_truck and k + n < len(racks) and racks[k + n].ready_s <= go:
            n += 1
        depart = go + s.loading_s
        arrive = depart + road.drive_out_s(depart)
        ret = arrive + unload + road.drive_back_s(arrive + unload)
        out.append(JisTrip(supplier=sid, truck=truck, load_s=go, depart_s=depart, arrive_s=arrive,
                           return_s=ret, racks=tuple(range(k, k + n))))
        free[truck], last, k = ret, go, k + n
    return out


def solve_practice(problem: JisProblem, *, interval_min: float | None = None, seed: int = 0) -> JisPlan:
    """The practice plan, checked: ``status`` ``feasible`` or ``infeasible`` (line stops or full
    buffers; see ``info``). ``interval_min``: ``None`` takes the scenario's
    ``practice_interval_min``."""
    validate.instance_of(problem, JisProblem, "problem")
    seed = validate.seed(seed)
    interval = problem.jis.practice_interval_min if interval_min is None else validate.number(
        interval_min, "interval_min", lo=1e-3)
    t0 = time.perf_counter()
    trips = tuple(t for s in problem.suppliers for t in practice_trips(problem, s.id, interval))
    plan = JisPlan(trips=trips, objective=0.0, status="infeasible", solver=f"practice (full or every {interval:g} min)",
                   seed=seed, instance=problem.name)
    rep = check_jis_plan(problem, plan)
    return JisPlan(trips=trips, objective=float(rep.objective or 0.0), status="feasible" if rep.feasible else "infeasible",
                   time_s=time.perf_counter() - t0, solver=plan.solver, seed=seed, instance=problem.name,
                   info={**rep.details, "violations": rep.n_violations})
