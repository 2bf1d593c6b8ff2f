"""``mmroute plan FILE``: the exact multimodal plan of a scenario, checked, written as JSON."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``plan`` command."""
    p = subparsers.add_parser(
        "plan", help="multimodal plan (exact, with bound)",
        description="Solve the scenario's multimodal plan (MIP on the time-expanded network), "
                    "check it independently and write it as JSON.")
    p.add_argument("file", metavar="FILE", help="scenario file or bundled scenario name")
    p.add_argument("--time-limit", type=float, default=60.0, metavar="S",
                   help="solver time limit in seconds (default 60)")
    p.add_argument("--out", required=True, metavar="PLAN.json", help="output plan JSON")
    p.add_argument("--seed", type=int, default=0, help="solver random seed (default 0)")
    p.add_argument("--solver", choices=("highs", "scip"), default="highs")
    p.add_argument("--splittable", action="store_true", help="allow splitting shipments")
    p.add_argument("--co2-price", type=float, default=None, metavar="CNY_PER_T",
                   help="CO2 price (default: the scenario's)")
    p.add_argument("--events", metavar="EVENTS.json", default=None,
                   help="known disruptions (KnownEvents JSON: closures, delays, slowdowns, "
                        "node_delays), e.g. an episode's realised events for a hindsight plan")
    p.add_argument("--pareto", action="store_true",
                   help="also write the cost-CO2 Pareto front (CSV and PNG) beside --out")
    p.add_argument("--pareto-points", type=int, default=6, metavar="N")
    p.add_argument("--map", action="store_true",
                   help="also draw the chosen routes on a map (PNG beside --out)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mmroute.errors import InputError
    from mmroute.io import write_json_atomic
    from mmroute.routing.plan import check_plan, solve_plan
    from mmroute.scenarios import load

    if args.time_limit <= 0:
        raise InputError("--time-limit must be > 0")
    scenario = load(args.file)
    events = None if args.events is None else _read_events(args.events)
    plan = solve_plan(scenario, time_limit_s=args.time_limit, splittable=args.splittable,
                      co2_price=args.co2_price, seed=args.seed, solver=args.solver,
                      events=events)
    res = check_plan(scenario, plan)
    if not res.feasible:  # solve_plan checks already; never write a plan that fails
        print("mmroute: plan fails the checker: " + "; ".join(str(v) for v in res.violations[:5]))
        return 1
    out = Path(args.out)
    write_json_atomic(out, plan.to_dict())
    print(f"{plan.summary()} -> {out}")
    if args.pareto:
        from mmroute.routing.plan.pareto import pareto_front, plot_pareto, write_pareto_csv

        front = pareto_front(scenario, points=args.pareto_points, time_limit_s=args.time_limit,
                             seed=args.seed, solver=args.solver, splittable=args.splittable)
        csv_path = write_pareto_csv(front, out.with_suffix(".pareto.csv"))
        png_path = plot_pareto(front, out.with_suffix(".pareto.png"),
                               title=f"{scenario.name}: cost-CO2 Pareto front")
        print(f"Pareto front: {len(front)} points -> {csv_path}, {png_path}")
    if args.map:
        _write_map(scenario, plan, out.with_suffix(".map.png"))
    return 0


def _read_events(path: str):
    """Read a KnownEvents JSON file (InputError naming the file if unreadable)."""
    import json

    from mmroute.errors import InputError
    from mmroute.routing.plan import KnownEvents

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read events: {exc}", file=path) from None
    if not isinstance(data, dict):
        raise InputError("expected a JSON object", file=path)
    try:
        return KnownEvents.from_dict(data)
    except InputError as exc:
        raise InputError(exc.reason, file=path, field=exc.field) from None


def _write_map(scenario, plan, path: Path) -> None:
    """Draw the chosen routes of ``plan`` on a map of ``scenario``."""
    from mmroute.scenarios import plot_map

    plot_map(scenario, path, routes=plan.routes(), title=f"{scenario.name}: planned routes")
    print(f"map -> {path}")
