"""The fast JIS heuristic: full trucks, dispatched as late as the sequence allows.

For each supplier and each trip size q = 1 .. ``racks_per_truck``, racks go in consecutive
groups of q; groups are placed from the last to the first: each arrives at its first rack's
due time (or with the next group, racks stay in sequence), on the truck that is free latest,
early enough for that truck to be back for its next trip; it leaves when the driving time of
its departure hour allows and loads just before. A size whose groups cannot be loaded after
their racks are ready or overflow the station's buffer is dropped. The groups of the
segmentation bound (:mod:`.bound`, the best split when the fleet is ignored) are placed the same
way. The cheapest plan left wins. Linear in the racks per size: a day or a week in well under a
second.
"""

from __future__ import annotations

from mmroute.routing.jis.bound import segment_bound
from mmroute.routing.jis.problem import JisProblem, Rack, SupplierRoad
from mmroute.routing.jis.result import JisTrip

__all__ = ["heuristic_trips", "latest_departure_s", "supplier_cost_cny", "station_buffer_ok"]


def latest_departure_s(road: SupplierRoad, arrive_s: int) -> int:
    """The latest departure (s) from the supplier that reaches the plant by ``arrive_s``."""
    best = arrive_s - max(road.out_s)
    h = max(arrive_s, 0) // 3600
    for hour in range(max(0, h - 3), h + 1):  # a departure in an earlier hour may be faster
        d = min(arrive_s - road.drive_out_s(hour * 3600), hour * 3600 + 3599)
        if d // 3600 == hour and d + road.drive_out_s(d) <= arrive_s:
            best = max(best, d)
    return best


def _place(problem: JisProblem, sid: str, groups: list[list[Rack]]) -> list[JisTrip] | None:
    s = problem.supplier(sid)
    road = problem.roads[sid]
    unload = problem.jis.line.unload_s
    free = [2**40] * s.fleet  # next trip's loading start of each truck
    out: list[JisTrip] = []
    arrive_next = 2**40
    for g in reversed(groups):
        truck = max(range(s.fleet), key=lambda k: free[k])
        rush = all(r.rush for r in g)  # a rush rack (a car inserted) comes out of the racks' order
        due = min(r.due_s for r in g)  # a rush rack may ride beside regular racks
        ready = max(r.ready_s for r in g)
        arrive = due if rush else min(due, arrive_next)
        for _ in range(4):  # back in time for the truck's next trip
            ret = arrive + unload + road.drive_back_s(arrive + unload)
            if ret <= free[truck]:
                break
            arrive -= ret - free[truck]
        ret = arrive + unload + road.drive_back_s(arrive + unload)
        depart = latest_departure_s(road, arrive)
        load = depart - s.loading_s
        if rush and load < max(0, ready):  # too late for its car: as soon as it is ready
            load = max(0, ready)
            depart = load + s.loading_s
            arrive = depart + road.drive_out_s(depart)
            ret = arrive + unload + road.drive_back_s(arrive + unload)
        if ret > free[truck] or load < max(0, ready):
            return None
        free[truck] = load
        arrive_next = arrive_next if rush else arrive
        out.append(JisTrip(supplier=sid, truck=truck, load_s=load, depart_s=depart, arrive_s=arrive,
                           return_s=ret, racks=tuple(r.index for r in g)))
    out.reverse()
    return out


def _buffer_ok(problem: JisProblem, sid: str, trips: list[JisTrip]) -> bool:
    return station_buffer_ok(problem, problem.supplier(sid).station, trips)


def station_buffer_ok(problem: JisProblem, station: str, trips: list[JisTrip]) -> bool:
    """Whether the racks of ``trips`` (of suppliers feeding ``station``) fit its buffer."""
    st = problem.station(station)
    ev = sorted([(t.arrive_s, 1) for t in trips for r in t.racks if t.arrive_s < problem.racks(t.supplier)[r].release_s]
                + [(problem.racks(t.supplier)[r].release_s, -1) for t in trips for r in t.racks
                   if t.arrive_s < problem.racks(t.supplier)[r].release_s])
    level = 0
    for _, d in ev:
        level += d
        if level > st.buffer_racks:
            return False
    return True


def supplier_cost_cny(problem: JisProblem, sid: str, trips: list[JisTrip]) -> float:
    """Trip cost + line-side inventory cost (CNY) of one supplier's trips."""
    racks = problem.racks(sid)
    rack_s = sum(max(0, racks[r].release_s - t.arrive_s) for t in trips for r in t.racks)
    return len(trips) * problem.trip_cost_cny(sid) + problem.inventory_rate_cny_per_rack_h * rack_s / 3600


def heuristic_trips(problem: JisProblem, sid: str) -> list[JisTrip] | None:
    """The cheapest plan of the heuristic for supplier ``sid`` (``None`` if no size works)."""
    s = problem.supplier(sid)
    racks = list(problem.racks(sid))
    best, best_cost = None, float("inf")
    splits = []
    for q in range(1, s.racks_per_truck + 1):
        for first in (0, len(racks) % q):  # full groups from the start, or the partial one first
            splits.append(([racks[:first]] if first else []) + [racks[i:i + q] for i in range(first, len(racks), q)])
    seg = segment_bound(problem, sid)
    if seg is not None and seg.groups:
        splits.append([racks[a:b + 1] for a, b in seg.groups])
    for groups in splits:
        trips = _place(problem, sid, groups)
        if trips is None or not _buffer_ok(problem, sid, trips):
            continue
        cost = supplier_cost_cny(problem, sid, trips)
        if cost < best_cost - 1e-9:
            best, best_cost = trips, cost
    return best
