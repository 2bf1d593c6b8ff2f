"""Choosing a robust plan's gate leads on training days.

:func:`choose_gate_leads` plans with growing ``JisParams.gate_lead_s`` (each trip of a supplier
planned to reach the plant gate that long before it unloads: trucks leave earlier and wait at
the gate), runs each plan on the given training days (realizations drawn from the scenario's
uncertainty, which must be other days than the ones the plans are later judged on) and keeps,
per station (stations are planned independently), the smallest lead whose plan has no line
stop at that station on at least ``target`` of the days; when no lead does, the smallest lead
with the most stop-free days (a longer lead only helps until the fleet cannot absorb it: where
it cannot, the plan costs more trips, or no plan exists and longer leads are not tried).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from mmroute import validate
from mmroute.errors import InfeasibleError, InputError
from mmroute.routing.jis.disrupt import POLICIES, Execution, execute
from mmroute.routing.jis.problem import JisProblem
from mmroute.routing.jis.solve import JisParams, solve_jis

__all__ = ["RobustChoice", "choose_gate_leads", "DEFAULT_LEADS_S"]

#: Candidate gate leads (s): none, then 10 minutes to 2 hours.
DEFAULT_LEADS_S = (0, 600, 1200, 1800, 2700, 3600, 5400, 7200)


@dataclass(frozen=True)
class RobustChoice:
    """The chosen ``gate_lead_s`` per supplier, and the trials: ``(station, lead s, share of
    training days without a line stop there, plan cost CNY)``; share ``None``: no plan."""

    gate_lead_s: Mapping[str, int]
    table: tuple[tuple[str, int, float | None, float | None], ...]


def _stops_at(problem: JisProblem, run: Execution, suppliers: tuple[str, ...]) -> int:
    return sum(t.arrive_s > problem.racks(t.supplier)[r].need_s for t in run.trips if t.supplier in suppliers
               for r in t.racks)


def choose_gate_leads(problem: JisProblem, scenario: Any, training: Sequence[Any], *,
                      policy: str = "resequence", target: float = 0.95,
                      leads_s: Sequence[int] = DEFAULT_LEADS_S, time_limit_s: float = 10.0,
                      seed: int = 0, params: JisParams | None = None) -> RobustChoice:
    """Per station, the gate lead (see the module docstring) for ``policy`` on ``training``."""
    validate.instance_of(problem, JisProblem, "problem")
    validate.number(target, "target", lo=0.0, hi=1.0)
    if policy not in POLICIES:
        raise InputError(f"policy must be one of {', '.join(POLICIES)}, got {policy!r}", field="policy")
    if not training:
        raise InputError("needs at least one training day", field="training")
    params = validate.params_of(params, JisParams)
    leads = sorted({validate.integer(x, "leads_s", lo=0) for x in leads_s})
    groups = problem.station_groups()
    best: dict[tuple[str, ...], tuple[float, int]] = {}  # group -> (share, lead)
    open_ = list(groups)
    table: list[tuple[str, int, float | None, float | None]] = []

    def chosen(g: tuple[str, ...]) -> int:
        return best[g][1] if g in best else 0

    def plan_with(lead: int, trying: list[tuple[str, ...]]):
        gl = {sid: chosen(g) for g in groups for sid in g} | {sid: lead for g in trying for sid in g}
        return solve_jis(problem, time_limit_s=time_limit_s, seed=seed, params=replace(params, gate_lead_s=gl))

    for lead in leads:
        if not open_:
            break
        try:
            plans = {g: plan_with(lead, open_) for g in open_[:1]}
            plans = {g: plans[open_[0]] for g in open_}
        except InfeasibleError:
            plans = {}
            for g in open_:
                try:
                    plans[g] = plan_with(lead, [g])
                except InfeasibleError:
                    plans[g] = None
        runs: dict[int, list[Execution]] = {}
        for g in list(open_):
            station = problem.supplier(g[0]).station
            plan = plans[g]
            if plan is None:  # longer leads cannot help: keep the best so far
                table.append((station, lead, None, None))
                open_.remove(g)
                continue
            key = id(plan)
            if key not in runs:
                runs[key] = [execute(problem, plan, scenario, r, policy=policy) for r in training]
            share = sum(_stops_at(problem, run, g) == 0 for run in runs[key]) / len(training)
            table.append((station, lead, share, plan.objective))
            if g not in best or share > best[g][0] + 1e-12:
                best[g] = (share, lead)
            if share >= target - 1e-12:
                open_.remove(g)
    return RobustChoice(gate_lead_s={sid: chosen(g) for g in groups for sid in g}, table=tuple(table))
