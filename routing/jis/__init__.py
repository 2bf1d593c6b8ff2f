"""mmroute.routing.jis: just-in-sequence (JIS) supply of an assembly line.

Table of contents:

- :class:`JisProblem`, :class:`Rack`, :class:`SupplierRoad` — the problem, from a scenario's
  ``jis`` section with road times from :class:`mmroute.world.Conditions` (``problem.py``)
- :func:`check_jis_plan` — the independent checker (``check.py``; imports no solver)
- :func:`solve_jis`, :class:`JisParams` — heuristic, segmentation bound, then CP-SAT per
  station (``solve.py``, ``heuristic.py``, ``bound.py``, ``exact.py``); its result :class:`JisPlan`,
  :class:`JisTrip` (``result.py``)
- :func:`solve_practice` — the practice baseline: a truck leaves when full or N minutes after
  its first rack is ready, and waits at the dock for room (``baseline.py``)
- :func:`write_plan`, :func:`read_plan` — plan JSON (``io.py``)
- :func:`replan_jis`, :class:`JisState` — re-plan the racks not yet shipped from where the day
  stands (a delayed truck, a slowed or closed road, a supplier's outage, a changed sequence);
  :func:`replan_changes` — re-plans at each sequence change, with the line stops avoided
  against keeping the schedule (``replan.py``)
- :class:`JisEvents`, :class:`CarPulled`, :class:`CarInserted`, :class:`SupplierOutage`,
  :func:`apply_changes`, :func:`keep_schedule`, :func:`draw_changes`, :func:`read_jis_events` —
  the JIS event vocabulary: cars pulled from or inserted into the sequence, suppliers'
  outages; the day as changed, the schedule kept without a re-plan (``sequence.py``)
- :func:`choose_gate_leads`, :class:`RobustChoice` — robust plans: how long before unloading
  each supplier's trucks should reach the gate, chosen on training days (``robust.py``)
- :func:`execute`, :func:`execute_practice`, :class:`Execution` — a plan (or the practice
  rule) on a drawn day (road noise, closures, sequence changes), departures static, re-timed,
  early, or a rolling re-plan on news (``disrupt.py``)
- :func:`classify_day`, :class:`DayClass` — the day in hindsight: whether any plan (from hour 0,
  or from a reveal time) could have kept the line running, with the proof (``hindsight.py``)
"""

from mmroute.routing.jis.baseline import solve_practice
from mmroute.routing.jis.check import check_jis_plan
from mmroute.routing.jis.disrupt import Execution, execute, execute_practice
from mmroute.routing.jis.heuristic import heuristic_trips
from mmroute.routing.jis.hindsight import DayClass, classify_day
from mmroute.routing.jis.io import read_plan, write_plan
from mmroute.routing.jis.problem import JisProblem, Rack, SupplierRoad
from mmroute.routing.jis.replan import JisState, replan_changes, replan_jis
from mmroute.routing.jis.result import JisPlan, JisTrip
from mmroute.routing.jis.robust import RobustChoice, choose_gate_leads
from mmroute.routing.jis.sequence import (
    CarInserted,
    CarPulled,
    JisEvents,
    SupplierOutage,
    apply_changes,
    draw_changes,
    keep_schedule,
    read_jis_events,
)
from mmroute.routing.jis.solve import JisParams, solve_jis

__all__ = [
    "CarInserted",
    "CarPulled",
    "DayClass",
    "Execution",
    "JisEvents",
    "JisParams",
    "JisPlan",
    "JisProblem",
    "JisState",
    "JisTrip",
    "Rack",
    "RobustChoice",
    "SupplierOutage",
    "SupplierRoad",
    "apply_changes",
    "check_jis_plan",
    "choose_gate_leads",
    "classify_day",
    "draw_changes",
    "execute",
    "execute_practice",
    "heuristic_trips",
    "keep_schedule",
    "read_jis_events",
    "read_plan",
    "replan_changes",
    "replan_jis",
    "solve_jis",
    "solve_practice",
    "write_plan",
]
