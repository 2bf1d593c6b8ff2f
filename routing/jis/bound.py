"""A lower bound on a supplier's cost by dynamic programming over consecutive rack groups.

A plan splits a supplier's racks into consecutive trips of at most ``racks_per_truck`` racks;
a trip's racks arrive together, by the due time of its first rack, so a trip of racks ``i..j``
costs at least ``trip cost + rate x sum(release_r - due_i)``. Dropping the fleet and the other
suppliers at the station, each group can arrive exactly at ``due_i`` if that is no earlier than

- the earliest arrival after its last rack is ready (loading, then the fastest departure at or
  after that: the hourly driving times of :class:`.problem.SupplierRoad`), and
- the release of rack ``r - buffer`` for every rack ``r`` of the group (racks of one supplier
  arrive in sequence, so rack ``r`` arriving before rack ``r - buffer`` leaves would make
  ``buffer + 1`` racks stand at the station).

The best split of this relaxation (an O(racks x racks_per_truck) recursion) is a valid lower
bound of :mod:`.exact`'s model for the supplier, in the same integer units (1/360000 CNY), and
its groups make a good first plan when the fleet and the full buffer allow them.
"""

from __future__ import annotations

from dataclasses import dataclass

from mmroute.routing.jis.problem import JisProblem, SupplierRoad

__all__ = ["SegmentBound", "segment_bound", "earliest_arrival_s"]


@dataclass(frozen=True)
class SegmentBound:
    """The relaxation's optimum for one supplier: ``units`` (1/360000 CNY) and its ``groups``
    (first and last rack of each trip, in sequence)."""

    units: int
    groups: tuple[tuple[int, int], ...]


def earliest_arrival_s(road: SupplierRoad, depart_s: int) -> int:
    """The earliest arrival at the plant of a truck that may leave at ``depart_s`` or later."""
    best = depart_s + road.drive_out_s(depart_s)
    h = max(depart_s, 0) // 3600 + 1
    while h < len(road.out_s) and h * 3600 < best:
        best = min(best, h * 3600 + road.out_s[h])
        h += 1
    return best


def segment_bound(problem: JisProblem, sid: str) -> SegmentBound | None:
    """The relaxation's optimum for supplier ``sid`` (``None``: no split is feasible, so no
    plan without a line stop exists). Rush racks (:mod:`.sequence`) may ride on any trip: the
    split is then over the other racks, and each rush rack adds only its least stock (from its
    due time to its release) and must be able to arrive by its due time; ``groups`` are then
    those of the split over every rack in number order (a first plan, not the bound's)."""
    s = problem.supplier(sid)
    racks = problem.racks(sid)
    cap = problem.station(s.station).buffer_racks
    rate = int(round(problem.inventory_rate_cny_per_rack_h * 100))
    plain = [rk for rk in racks if not rk.rush]
    if len(plain) == len(racks):
        return _split(problem, sid, list(racks), cap)
    road = problem.roads[sid]
    extra = 0
    for rk in racks:
        if rk.rush:
            if earliest_arrival_s(road, max(0, rk.ready_s) + s.loading_s) > rk.due_s:
                return None
            extra += rate * max(0, rk.release_s - rk.due_s)
    lower = _split(problem, sid, plain, cap) if plain else SegmentBound(0, ())
    if lower is None:
        return None
    first = _split(problem, sid, list(racks), None)
    return SegmentBound(units=lower.units + extra, groups=first.groups if first is not None else ())


def _split(problem: JisProblem, sid: str, racks: list, cap: int | None) -> SegmentBound | None:
    """The best split of ``racks`` (in this order) into consecutive trips; ``cap``: the
    station's buffer (``None``: no buffer term). Groups are rack numbers (first, last)."""
    s = problem.supplier(sid)
    road = problem.roads[sid]
    trip_units = int(round(problem.trip_cost_cny(sid) * 100)) * 3600
    rate = int(round(problem.inventory_rate_cny_per_rack_h * 100))
    n = len(racks)
    inf = float("inf")
    best: list[float] = [0.0] + [inf] * n
    came: list[int] = [0] * (n + 1)
    for j in range(1, n + 1):  # racks 0..j-1 covered; the last group is i..j-1
        for i in range(j - 1, max(-1, j - 1 - s.racks_per_truck), -1):
            if best[i] == inf:
                continue
            due = min(racks[r].due_s for r in range(i, j))
            ready = max(racks[r].ready_s for r in range(i, j))
            lo = earliest_arrival_s(road, max(0, ready) + s.loading_s)
            if cap is not None:
                lo = max(lo, max((racks[r - cap].release_s for r in range(i, j) if r >= cap), default=lo))
            if lo > due:
                continue
            cost = best[i] + trip_units + rate * sum(max(0, racks[r].release_s - due) for r in range(i, j))
            if cost < best[j]:
                best[j], came[j] = cost, i
    if best[n] == inf:
        return None
    groups = []
    j = n
    while j > 0:
        groups.append((racks[came[j]].index, racks[j - 1].index))
        j = came[j]
    return SegmentBound(units=int(best[n]), groups=tuple(reversed(groups)))
