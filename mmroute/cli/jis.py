"""``mmroute jis solve``, ``check`` and ``replan``: a thin shell over mmroute.routing.jis."""

from __future__ import annotations

import argparse

__all__ = ["register"]


def register(subparsers) -> None:
    """Add the ``jis`` command group to the top-level parser."""
    jis = subparsers.add_parser("jis", help="just-in-sequence supply of an assembly line")
    sub = jis.add_subparsers(dest="jis_command", required=True, parser_class=type(jis))

    solve = sub.add_parser("solve", help="plan the suppliers' shuttles; write the checked plan JSON")
    solve.add_argument("file", help="scenario file or bundled name with a jis section (e.g. liuzhou-jis)")
    solve.add_argument("--time-limit", type=float, default=60.0, metavar="S", help="seconds (default 60)")
    solve.add_argument("--seed", type=int, default=0)
    solve.add_argument("--baseline", action="store_true",
                       help="also run the practice baseline (a truck leaves when full or N minutes after its first rack, "
                            "waits at the dock for room)")
    solve.add_argument("--out", help="write the plan JSON here (atomically)")
    solve.add_argument("--plot", metavar="DIR", help="write timeline.png (trucks, line-side stock) here")
    solve.set_defaults(func=_solve)

    check = sub.add_parser("check", help="check a plan JSON against its scenario (exit 1 if infeasible)")
    check.add_argument("file", help="scenario file or bundled name")
    check.add_argument("plan", help="plan JSON")
    check.add_argument("--events", metavar="FILE", help="JIS events (cars pulled / inserted): check on the changed day")
    check.set_defaults(func=_check)

    replan = sub.add_parser("replan", help="re-plan a plan through sequence changes and outages (an events file)")
    replan.add_argument("file", help="scenario file or bundled name")
    replan.add_argument("plan", help="plan JSON of the published day")
    replan.add_argument("events", help="JIS events JSON/YAML: pulled, inserted, outages")
    replan.add_argument("--time-limit", type=float, default=10.0, metavar="S",
                        help="CP-SAT deterministic seconds per re-plan (default 10)")
    replan.add_argument("--seed", type=int, default=0)
    replan.add_argument("--out", help="write the re-planned plan JSON here (atomically)")
    replan.set_defaults(func=_replan)


def _problem(file: str):
    from mmroute.routing.jis import JisProblem
    from mmroute.scenarios import load

    return JisProblem.from_scenario(load(file))


def _figures(info) -> str:
    wait = f", {info['dock_wait_h']:,.1f} truck-h waiting at the dock" if "dock_wait_h" in info else ""
    return (f"line stops {info['line_stops']}, truck trips {info['trips']}, {info['km']:,.0f} km, "
            f"line-side {info['inventory_rack_h']:,.1f} rack-h, inside the safety time "
            f"{info.get('in_safety_time', 0)}, buffer overflows {info['buffer_overflows']}{wait}")


def _solve(args: argparse.Namespace) -> int:
    from mmroute.errors import InputError
    from mmroute.routing.jis import solve_jis, solve_practice, write_plan

    if not args.time_limit > 0:
        raise InputError("must be a positive number of seconds", field="--time-limit")
    problem = _problem(args.file)
    plan = solve_jis(problem, time_limit_s=args.time_limit, seed=args.seed)
    if args.out:
        write_plan(args.out, plan)
    print(plan.summary())
    print(f"  mmroute:  {_figures(plan.info)}")
    base = None
    if args.baseline:
        base = solve_practice(problem, seed=args.seed)
        print(f"  practice: {_figures(base.info)} ({base.solver}, cost {base.objective:,.0f} CNY)")
        if base.info["trips"] and base.info["inventory_rack_h"]:
            print(f"  mmroute / practice: trips {plan.info['trips'] / base.info['trips']:.3f}, line-side "
                  f"inventory {plan.info['inventory_rack_h'] / base.info['inventory_rack_h']:.3f}")
    if args.plot:
        from mmroute.routing.jis.plot import plot_plan

        files = plot_plan(problem, plan, args.plot, baseline=base)
        print(f"  {len(files)} pictures in {args.plot}")
    return 0


def _replan(args: argparse.Namespace) -> int:
    from mmroute.errors import InputError
    from mmroute.routing.jis import read_jis_events, read_plan, replan_changes, write_plan

    if not args.time_limit > 0:
        raise InputError("must be a positive number of seconds", field="--time-limit")
    problem = _problem(args.file)
    plan = read_plan(args.plan)
    events = read_jis_events(args.events, problem)
    new = replan_changes(problem, plan, events, time_limit_s=args.time_limit, seed=args.seed)
    if args.out:
        write_plan(args.out, new)
    i = new.info
    print(f"{problem.name}: {len(events.pulled)} cars pulled, {len(events.inserted)} inserted, "
          f"{len(events.outages)} outages; {i['replans']} re-plans in {new.time_s:.1f} s")
    print(f"  re-planned: {_figures(i)}")
    print(f"  line stops: {i['line_stops']} re-planned, {i['line_stops_kept']} keeping the schedule "
          f"({i['line_stops_avoided']} avoided; {i['unavoidable_line_stops']} unavoidable: parts that cannot be "
          f"built and driven in time); parts back to stock {sum(i['parts_to_stock'].values())}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from mmroute.routing.jis import apply_changes, check_jis_plan, read_jis_events, read_plan

    problem = _problem(args.file)
    plan = read_plan(args.plan)
    if args.events:
        problem = apply_changes(problem, read_jis_events(args.events, problem))
    report = check_jis_plan(problem, plan)
    if not report.feasible:
        print(f"{problem.name}: {report.summary()}")
        for v in report.violations[3:10]:
            print(f"  {v}")
        return 1
    print(f"{problem.name}: feasible, cost {report.objective:,.2f} CNY, {_figures(report.details)}")
    return 0
