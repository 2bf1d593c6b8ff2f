"""The environment's hold candidate (``RerouteEnv(hold="latest")`` or ``"reserved"``): the best candidate's move,
committed as late as it still makes its connection.

A scheduled departure is held until the latest whole hour by its cut-off; a road trip into a
terminal until the latest whole hour from which the truck (known conditions) still delivers
the cargo ready, :data:`SLACK_H` to spare, for the cut-off of the departure the candidates'
next hop expects there (:func:`~mmroute.envs.candidates._next_service`). The consignment
stays where it is, committed to nothing (:meth:`Move.hold <mmroute.envs.Move.hold>`), and
decides again then with what is known: the same move if nothing changed (the same
connection, the same expected cost), another one if a closure was revealed meanwhile.
"""

from __future__ import annotations

import math

from mmroute.envs.candidates import Candidate, _next_service, _rests
from mmroute.envs.simulator import MIN_HOLD_H, TOL_H, Decision, Move, Simulator
from mmroute.world.conditions import Conditions

__all__ = ["HOLDS", "SLACK_H", "cutoff_h", "latest_hold_h", "hold_candidate"]

#: ``RerouteEnv``'s ``hold`` argument: ``"off"`` (no hold candidate: the default, the
#: observation and action spaces of every shipped model), ``"latest"`` (slot 1 the hold where
#: one is offered, else the next move) or ``"reserved"`` (slot 1 the hold or empty: the
#: slot always means "hold").
HOLDS = ("off", "latest", "reserved")
#: Hours to spare between a held truck's expected readiness at the terminal and the cut-off
#: of its connection (road travel times are noisy; timetables are not).
SLACK_H = 2.0
#: Hours above the trip's duration now at which the search for the latest truck starts (a
#: later truck can be faster: the time-of-day profile).
_SEARCH_H = 6


def cutoff_h(sim: Simulator, move: Move) -> float:
    """The hour by which cargo must be at the terminal to take ``move``, a scheduled
    departure: its timetable time minus its service's cut-off (h)."""
    return move.timetable_h - sim.links[move.link].timetable.cutoff_h


def latest_hold_h(sim: Simulator, d: Decision, move: Move, cond: Conditions) -> float | None:
    """The latest whole hour until which decision ``d`` can hold and still take ``move``'s
    connection (see the module doc), or ``None``: no connection to keep (a drop, a road trip
    to the destination or one waiting for its links to reopen), or no hour at least
    :data:`~mmroute.envs.simulator.MIN_HOLD_H` after the decision makes it."""
    lo = d.time_h + MIN_HOLD_H - TOL_H
    if move.kind == "service":
        t = math.floor(cutoff_h(sim, move) + 1e-9)
        return float(t) if t >= lo and t <= sim.horizon_h else None
    if move.kind != "road" or (move.depart_h is not None and move.depart_h > d.time_h + TOL_H):
        return None
    s = sim.consignments[d.consignment].shipment
    path = [sim.links[x] for x in move.path]
    end = sim.nodes[path[-1].to_node]
    if end.id == s.destination:
        return None

    def ready_h(t: float) -> float | None:
        times = cond.road_trip(path, t)
        if times is None:
            return None
        arr = times[-1][1]
        return arr + end.handling_time_h + cond.node_delay_h(end.id, arr)

    now = ready_h(d.time_h)
    if now is None:
        return None
    obj = sim.realised_scenario.objective
    terms = (obj.cost_weight, sim.price, obj.time_value_cny_per_teu_h,
             s.lateness_penalty_cny_per_teu_h, s.release_h, s.due_h)
    hop = _next_service(sim, cond, end.id, now, s.quantity_teu, s.destination,
                        _rests(sim.tables, s.destination), terms, sim.horizon_h)
    if hop is None:
        return None
    need = hop[4] - SLACK_H
    t = float(min(math.floor(need), math.floor(need - (now - d.time_h)) + _SEARCH_H))
    while t >= lo:
        r = ready_h(t)
        if r is not None and r <= need:
            return t
        t -= 1.0
    return None


def hold_candidate(sim: Simulator, d: Decision, best: Candidate, cond: Conditions
                   ) -> Candidate | None:
    """``best`` held until :func:`latest_hold_h` (its expected cost and arrival: the same
    connection), or ``None``; its mode ``"hold"`` (no mode one-hot in the features), its
    departure the end of the hold."""
    until = latest_hold_h(sim, d, best.move, cond)
    if until is None:
        return None
    return Candidate(move=Move.hold(until), score_cny=best.score_cny, depart_h=until,
                     arrival_h=best.arrival_h, end_node=d.node, co2_kg=best.co2_kg,
                     transshipments=best.transshipments,
                     known_delay_share=best.known_delay_share,
                     forecast_hits=best.forecast_hits, mode="hold", risk_h=best.risk_h,
                     load_share=best.load_share)
