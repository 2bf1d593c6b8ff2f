"""What a job's worker process runs: read the job's folder, solve, write the result.

One process per job (started by :class:`mmroute.serve.jobs.JobStore`), so that a crashing or
runaway solve never takes the service down. The worker reads ``request.json`` and
``scenario.json`` (the resolved scenario document) from its folder and writes exactly one
file, atomically: ``result.json`` (the checked plan) or ``error.json`` (a user error: the
scenario is infeasible, a field the solver rejects). SIGTERM (the service's ``DELETE``)
stops the solver through its interrupter, as Ctrl-C does in the CLI
(:mod:`mmroute.interrupt`), and the process exits with 143 having written nothing.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["run_job", "solve"]


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
            result = solve(request, scenario)
        except MMRouteError as exc:
            write_json_atomic(path / "error.json", {"error": str(exc), "type": type(exc).__name__})
            sys.exit(2)
        except KeyboardInterrupt:
            os._exit(exit_code(143))  # nothing written: the service records "cancelled"
        write_json_atomic(path / "result.json", result)


def solve(request: dict[str, Any], scenario_doc: dict[str, Any]) -> dict[str, Any]:
    """Solve one request (``kind`` "plan"): the plan, checked independently, as JSON data."""
    from mmroute.routing.plan import PlanParams, solve_plan
    from mmroute.scenarios import Scenario
    from mmroute.world.check import check_plan

    scenario = Scenario.from_dict(scenario_doc, file="scenario")
    opts = request.get("options") or {}
    params = PlanParams(splittable=bool(opts.get("splittable", False)),
                        co2_price=opts.get("co2_price"), solver=opts.get("solver", "highs"))
    plan = solve_plan(scenario, time_limit_s=float(request["time_limit_s"]),
                      seed=int(request["seed"]), params=params)
    report = check_plan(scenario, plan)
    return {"plan": plan.to_dict(), "summary": plan.summary(),
            "check": {"feasible": report.feasible, "objective": report.objective,
                      "violations": [str(v) for v in report.violations]}}
