"""What a job's worker process runs: read the job's folder, solve, write the result.

One process per job (started by :class:`mmroute.serve.jobs.JobStore`), so that a crashing or
runaway solve never takes the service down. The worker reads ``request.json`` and
``scenario.json`` (the resolved scenario document) from its folder and writes exactly one
file, atomically: ``result.json`` (the checked plan) or ``error.json`` (a user error: the
scenario is infeasible, a field the solver rejects). As it goes it keeps ``progress.json``
(written atomically, :class:`ProgressFile`): the solver's phase, the best objective and bound
so far (plans), the episodes done of the total (evaluations). SIGTERM (the service's ``DELETE``)
stops the solver through its interrupter, as Ctrl-C does in the CLI
(:mod:`mmroute.interrupt`), and the process exits with 143 having written nothing.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["ProgressFile", "episode_page_name", "run_episode_page", "run_job", "run_page",
           "solve"]


class ProgressFile:
    """A job's ``progress.json``, written atomically: ``phase`` (``start``; a plan's
    :data:`~mmroute.routing.plan.progress.PHASES`, ``policy`` when a policy continues a live
    plan, ``episodes`` for an evaluation, ``solve`` for VRP and cars; ``check`` when the
    independent checker runs), ``elapsed_s`` since the worker started, the job's
    ``time_limit_s``, the best ``objective`` and ``bound`` so far (in the result's units: CNY
    for plans, of what is still to come for a re-plan; ``None`` until the solver has one),
    ``done`` and ``total`` episodes (evaluations), ``updated`` (Unix time).
    Rewritten at most every ``min_interval_s`` unless the phase changes or the episodes are
    all done. ``path`` ``None``: the state is kept, nothing written. A file that cannot be
    written is skipped (the solve goes on)."""

    def __init__(self, path: Path | None, time_limit_s: float | None, *,
                 min_interval_s: float = 0.2) -> None:
        import time

        self.path = path
        self.min_interval_s = min_interval_s
        self._clock = time.monotonic
        self._wall = time.time
        self._t0 = self._clock()
        self._last = -float("inf")
        self.state: dict[str, Any] = {"phase": "start", "elapsed_s": 0.0,
                                      "time_limit_s": time_limit_s, "objective": None,
                                      "bound": None, "done": None, "total": None,
                                      "updated": self._wall()}

    def __call__(self, phase: str, objective: float | None = None, bound: float | None = None,
                 *, done: int | None = None, total: int | None = None) -> None:
        """Report ``phase``; the objective and bound keep their last values when ``None``
        (within one solve they only improve)."""
        from mmroute.errors import InputError
        from mmroute.io import write_json_atomic

        now = self._clock()
        changed = phase != self.state["phase"] or (done is not None and done == total)
        s = self.state
        s["phase"] = phase
        s["objective"] = s["objective"] if objective is None else float(objective)
        s["bound"] = s["bound"] if bound is None else float(bound)
        s["done"], s["total"] = (s["done"], s["total"]) if done is None else (done, total)
        if self.path is None or (not changed and now - self._last < self.min_interval_s):
            return
        self._last = now
        s["elapsed_s"] = round(now - self._t0, 3)
        s["updated"] = self._wall()
        try:
            write_json_atomic(self.path, s)
        except (OSError, InputError):
            pass  # progress is a report: a full disk must not fail the solve (nor the solver's log)

    def episodes(self, done: int, total: int) -> None:
        """The evaluation's ``progress(done, total)``."""
        self("episodes", done=done, total=total)


def run_job(folder: str) -> None:
    """The entry point of a worker process (``folder``: the job's folder)."""
    from mmroute.errors import MMRouteError
    from mmroute.interrupt import exit_code, handle_signals
    from mmroute.io import write_json_atomic

    path = Path(folder)
    with handle_signals():
        try:
            request = json.loads((path / "request.json").read_text(encoding="utf-8"))
            scenario = json.loads((path / "scenario.json").read_text(encoding="utf-8"))
            progress = ProgressFile(path / "progress.json", request.get("time_limit_s"))
            progress("start")
            result = solve(request, scenario, progress)
        except MMRouteError as exc:
            write_json_atomic(path / "error.json", {"error": str(exc), "type": type(exc).__name__})
            sys.exit(2)
        except KeyboardInterrupt:
            os._exit(exit_code(143))  # nothing written: the service records "cancelled"
        write_json_atomic(path / "result.json", result)


def run_page(folder: str) -> None:
    """The entry point of a process that draws a finished plan, VRP or cars job's page (the
    interactive page of its plan, VRP solution or cars plan) as ``page.html`` in its
    ``folder``, atomically."""
    from mmroute.interrupt import exit_code, handle_signals
    from mmroute.scenarios import Scenario

    path = Path(folder)
    with handle_signals():
        try:
            kind = json.loads((path / "request.json").read_text(encoding="utf-8"))["kind"]
            result = json.loads((path / "result.json").read_text(encoding="utf-8"))
            scenario = Scenario.from_dict(
                json.loads((path / "scenario.json").read_text(encoding="utf-8")), file="scenario")
            if kind == "vrp":
                from mmroute.routing.vrp.scenario import from_scenario_fleet
                from mmroute.routing.vrp.solution import VRPSolution

                page = VRPSolution.from_dict(result["solution"]).to_html(
                    from_scenario_fleet(scenario))
            elif kind == "cars":
                from mmroute.routing.cars import CarsPlan, CarsProblem

                page = CarsPlan.from_dict(result["plan"]).to_html(CarsProblem.from_scenario(scenario))
            else:
                from mmroute.world.page import plan_page
                from mmroute.world.plan import Plan

                page = plan_page(scenario, Plan.from_dict(result["plan"]))
        except KeyboardInterrupt:
            os._exit(exit_code(143))
        page.save(path / "page.html")


def episode_page_name(seed: int, policy: str) -> str:
    """The file of an evaluation's episode page in its job's folder."""
    return f"episode-{seed}-{policy}.html"


def run_episode_page(folder: str, seed: int, policy: str) -> None:
    """The entry point of a process that draws an evaluation job's episode page: ``policy``'s
    episode on ``seed`` run again as the evaluation ran it (the same realization, model, time
    limit and decision budget: the same moves), drawn as ``mmroute evaluate --html-episode``
    draws it (:func:`mmroute.world.page.episode_page`, with its time slider), written
    atomically as :func:`episode_page_name` in the job's ``folder`` once the independent
    checker has passed the episode as travelled. Exit code 2 (nothing written) if the
    episode's cost is not the evaluation's (a decision budget ran out), 3 if the checker
    finds a violation."""
    from mmroute.agents.evaluation import episode
    from mmroute.agents.registry import entry
    from mmroute.agents.shipped import shipped_model
    from mmroute.interrupt import exit_code, handle_signals
    from mmroute.scenarios import Scenario
    from mmroute.world.check import check_plan
    from mmroute.world.page import episode_page

    path = Path(folder)
    with handle_signals():
        try:
            request = json.loads((path / "request.json").read_text(encoding="utf-8"))
            scenario = Scenario.from_dict(
                json.loads((path / "scenario.json").read_text(encoding="utf-8")), file="scenario")
            model = shipped_model(scenario) if entry(policy).learned else None
            row, sim = episode(scenario, policy, seed, model=model,
                               time_limit_s=float(request["time_limit_s"]),
                               decision_budget_s=request.get("decision_budget_s"))
            result = json.loads((path / "result.json").read_text(encoding="utf-8"))
            (cost,) = [r["cost"] for r in result["rows"]
                       if r["policy"] == policy and r["seed"] == seed]
            if cost is not None and abs(float(row["cost"]) - cost) > 1e-6 * max(1.0, abs(cost)):
                sys.exit(2)  # not the evaluated episode: no page rather than another one's
            trajectory = sim.trajectory()
            if not check_plan(sim.realised_scenario, trajectory).feasible:
                sys.exit(3)  # the episode as travelled breaks a rule: no page of it
            page = episode_page(scenario, sim.realization, trajectory,
                                title=f"{scenario.name}, seed {seed}, {policy}: episode")
        except KeyboardInterrupt:
            os._exit(exit_code(143))
        page.save(path / episode_page_name(seed, policy))


def solve(request: dict[str, Any], scenario_doc: dict[str, Any],
          progress: ProgressFile | None = None) -> dict[str, Any]:
    """Solve one request (``kind`` "plan", "replan", "vrp", "cars" or "evaluation"): the
    result, checked independently, as JSON data; ``progress`` told as it goes."""
    from mmroute.scenarios import Scenario

    scenario = Scenario.from_dict(scenario_doc, file="scenario")
    kind = request.get("kind", "plan")
    progress = progress or ProgressFile(None, request.get("time_limit_s"))
    return {"plan": _plan, "replan": _replan, "vrp": _vrp, "cars": _cars,
            "evaluation": _evaluation}[kind](request, scenario, progress)


def verdict(report: Any) -> dict[str, Any]:
    """An independent checker's report as JSON data."""
    return {"feasible": report.feasible, "objective": report.objective,
            "n_violations": report.n_violations,
            "violations": [str(v) for v in report.violations]}


def _plan(request: dict[str, Any], scenario, progress: ProgressFile) -> dict[str, Any]:
    """A multimodal plan (:func:`mmroute.routing.plan.solve_plan`)."""
    from mmroute.routing.plan import PlanParams, solve_plan
    from mmroute.world.check import check_plan

    opts = request.get("options") or {}
    params = PlanParams(splittable=bool(opts.get("splittable", False)),
                        co2_price=opts.get("co2_price"), solver=opts.get("solver", "highs"))
    plan = solve_plan(scenario, time_limit_s=float(request["time_limit_s"]),
                      seed=int(request["seed"]), params=params, progress=progress)
    progress("check", plan.objective, plan.bound)
    report = check_plan(scenario, plan)
    return {"plan": plan.to_dict(), "summary": plan.summary(), "check": verdict(report)}


def _vrp(request: dict[str, Any], scenario, progress: ProgressFile) -> dict[str, Any]:
    """The routes of the scenario's fleet (:func:`mmroute.routing.vrp.solve.solve_vrp`, or
    the exact solver with ``options.exact``), checked by :func:`check_vrp`."""
    from mmroute.routing.vrp.check import check_vrp
    from mmroute.routing.vrp.scenario import from_scenario_fleet

    opts = request.get("options") or {}
    problem = from_scenario_fleet(scenario)
    limit, seed = float(request["time_limit_s"]), int(request["seed"])
    progress("solve")
    if opts.get("exact"):
        from mmroute.routing.vrp.exact import solve_vrp_exact

        sol = solve_vrp_exact(problem, time_limit_s=limit, seed=seed)
    else:
        from mmroute.routing.vrp.solve import VRPParams, solve_vrp

        params = VRPParams(engine=opts.get("engine", "auto"),
                           max_iterations=opts.get("max_iterations"))
        sol = solve_vrp(problem, time_limit_s=limit, seed=seed, params=params)
    progress("check", sol.objective, sol.bound)
    return {"solution": {**sol.to_dict(), "scale": problem.scale},
            "summary": f"{problem.name}: {sol.summary()}", "check": verdict(check_vrp(problem, sol))}


def _cars(request: dict[str, Any], scenario, progress: ProgressFile) -> dict[str, Any]:
    """Auto-carrier routes and loads (:func:`mmroute.routing.cars.solve_cars`), checked by
    :func:`check_cars_plan`."""
    from mmroute.routing.cars import CarsParams, CarsProblem, check_cars_plan, solve_cars

    opts = request.get("options") or {}
    problem = CarsProblem.from_scenario(scenario)
    progress("solve")
    plan = solve_cars(problem, time_limit_s=float(request["time_limit_s"]),
                      seed=int(request["seed"]),
                      params=CarsParams(split_deliveries=bool(opts.get("split", False))))
    progress("check", plan.objective, plan.bound)
    return {"plan": plan.to_dict(), "summary": plan.summary(),
            "check": verdict(check_cars_plan(problem, plan))}


def _evaluation(request: dict[str, Any], scenario, progress: ProgressFile) -> dict[str, Any]:
    """Policies on seeds (:func:`mmroute.agents.evaluation.evaluate`, the hindsight bound
    always; a learned policy with the scenario's shipped model): one row per episode and the
    summary per policy (NaN as ``null``)."""
    import math

    from mmroute.agents.evaluation import evaluate, format_summary, summarize
    from mmroute.agents.registry import entry
    from mmroute.agents.shipped import shipped_model

    policies = list(request["policies"])
    model = shipped_model(scenario) if any(entry(p).learned for p in policies) else None
    df = evaluate(scenario, policies, list(request["seeds"]), model=model,
                  time_limit_s=float(request["time_limit_s"]),
                  decision_budget_s=request.get("decision_budget_s"), progress=progress.episodes)
    summary = summarize(df)

    def plain(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: (None if isinstance(v, float) and not math.isfinite(v) else
                     v.item() if hasattr(v, "item") else v) for k, v in r.items()}
                for r in records]

    return {"rows": plain(df.to_dict("records")), "summary": plain(summary.to_dict("records")),
            "table": format_summary(summary),
            "model": None if model is None else model.name}


def _replan(request: dict[str, Any], scenario, progress: ProgressFile) -> dict[str, Any]:
    """Re-plan a finished plan from ``time_h`` under its events and the new ones: what is
    sunk stays sunk (:func:`mmroute.routing.plan.state_at`). Returns the new plan (the rest
    of every shipment), the itineraries that changed (the old plan's remaining legs beside the
    new ones, with their cost and CO2) and the objective before and after (sunk + new)."""
    from mmroute.routing.plan import PlanParams, replan, state_at, sunk_objective
    from mmroute.world.check import check_plan
    from mmroute.world.events import KnownEvents
    from mmroute.world.plan import Plan

    plan = Plan.from_dict(request["plan"])
    new_events = KnownEvents.from_dict(request["events"])
    events = KnownEvents(**{k: getattr(plan.events, k) + getattr(new_events, k)
                            for k in KnownEvents.__dataclass_fields__})
    time_h = float(request["time_h"])
    state = state_at(scenario, plan, time_h, events)
    if request.get("policy"):
        return _policy_replan(request, scenario, plan, events, state, progress)
    params = PlanParams(splittable=plan.splittable, co2_price=plan.co2_price_cny_per_t)
    new = replan(scenario, state, events, time_limit_s=float(request["time_limit_s"]),
                 seed=int(request["seed"]), params=params, initial=plan, progress=progress)
    progress("check", new.objective, new.bound)
    sunk = sunk_objective(scenario, plan, time_h, events)
    report = check_plan(scenario, new, state)
    changes = _changes(plan, new, state)
    return {"plan": new.to_dict(), "summary": new.summary(), "time_h": time_h,
            "changes": changes,
            "cost_cny_change": sum(c["after"]["cost_cny"] - c["before"]["cost_cny"] for c in changes),
            "co2_kg_change": sum(c["after"]["co2_kg"] - c["before"]["co2_kg"] for c in changes),
            "objective_before": plan.objective, "sunk_objective": sunk,
            "objective_after": None if new.objective is None else sunk + new.objective,
            "check": {"feasible": report.feasible, "objective": report.objective,
                      "violations": [str(v) for v in report.violations]}}


def _policy_replan(request: dict[str, Any], scenario, plan, events, state,
                   progress: ProgressFile) -> dict[str, Any]:
    """The re-plan of :func:`_replan` with ``request["policy"]`` choosing each consignment's
    next move from ``time_h`` on (:func:`mmroute.agents.live.continue_with_policy`; a
    learned policy with the scenario's shipped model). The new plan is the whole trip as
    travelled (sunk legs included); ``changes`` compare the rest of each trip."""
    from mmroute.agents.live import continue_with_policy
    from mmroute.agents.registry import entry
    from mmroute.agents.shipped import shipped_model
    from mmroute.routing.plan import sunk_objective
    from mmroute.world.check import check_plan

    policy = str(request["policy"])
    model = shipped_model(scenario) if entry(policy).learned else None
    time_h = float(request["time_h"])
    progress("policy")
    sim = continue_with_policy(scenario, plan, time_h, events, policy, model=model,
                               time_limit_s=float(request["time_limit_s"]),
                               seed=int(request["seed"]))
    new = sim.trajectory()
    sunk = sunk_objective(scenario, plan, time_h, events)
    progress("check", new.objective)
    report = check_plan(scenario, new)
    changes = _changes(plan, new, state, new_whole=True)
    return {"plan": new.to_dict(), "summary": new.summary(), "time_h": time_h,
            "policy": policy, "model": None if model is None else model.name,
            "changes": changes,
            "cost_cny_change": sum(c["after"]["cost_cny"] - c["before"]["cost_cny"] for c in changes),
            "co2_kg_change": sum(c["after"]["co2_kg"] - c["before"]["co2_kg"] for c in changes),
            "objective_before": plan.objective, "sunk_objective": sunk,
            "objective_after": new.objective, "check": verdict(report)}


def _rest(it, p) -> tuple[list, list]:
    """The legs and handling of itinerary ``it`` after where its shipment is (position
    ``p`` at the re-plan time; all of them if ``p`` is ``None``)."""
    legs = list(it.legs)
    if p is not None and p.last_link is not None:
        done = next((k for k, lg in enumerate(legs) if lg.link == p.last_link), -1)
        legs = legs[done + 1:]
    since = -1.0 if p is None else p.since_h
    return legs, [h for h in it.handling if h.at_h >= since - 1e-9]


def _changes(old, new, state, *, new_whole: bool = False) -> list[dict[str, Any]]:
    """Shipments whose rest of the trip changed: the old plan's legs after where the
    shipment is at the re-plan time (all of them if it had not left) against the new ones
    (``new_whole``: the new plan holds whole trips, cut the same way)."""
    pos = {p.shipment: p for p in state.positions}
    new_by = {it.shipment: it for it in new.itineraries}
    out = []
    for it in old.itineraries:
        p = pos.get(it.shipment)
        if p is not None and p.delivered:
            continue
        legs, hand = _rest(it, p)
        after = new_by.get(it.shipment)
        if after is not None and new_whole:
            a_legs, a_hand = _rest(after, p)
            cost = sum(lg.cost_cny for lg in a_legs) + sum(h.cost_cny for h in a_hand)
            after = dataclasses.replace(after, legs=tuple(a_legs), handling=tuple(a_hand),
                                        cost_cny=cost, co2_kg=sum(lg.co2_kg for lg in a_legs))
        key_old = [(lg.link, round(lg.departure_h, 6)) for lg in legs]
        key_new = [] if after is None else [(lg.link, round(lg.departure_h, 6)) for lg in after.legs]
        dropped_new = after is not None and after.dropped
        if key_old == key_new and dropped_new == it.dropped:
            continue
        out.append({
            "shipment": it.shipment,
            "before": {"links": [k for k, _ in key_old], "dropped": it.dropped,
                       "arrival_h": it.arrival_h,
                       "cost_cny": sum(lg.cost_cny for lg in legs) + sum(h.cost_cny for h in hand),
                       "co2_kg": sum(lg.co2_kg for lg in legs)},
            "after": {"links": [k for k, _ in key_new], "dropped": dropped_new,
                      "arrival_h": None if after is None else after.arrival_h,
                      "cost_cny": 0.0 if after is None else after.cost_cny,
                      "co2_kg": 0.0 if after is None else after.co2_kg},
        })
    return out
