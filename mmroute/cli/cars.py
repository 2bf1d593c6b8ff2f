"""``mmroute cars solve`` and ``mmroute cars check``: a thin shell over mmroute.routing.cars."""

from __future__ import annotations

import argparse

from mmroute.cli.types import html_beside, html_output

__all__ = ["register"]


def register(subparsers) -> None:
    """Add the ``cars`` command group to the top-level parser."""
    cars = subparsers.add_parser("cars", help="finished vehicles: auto-carrier loading and routing")
    sub = cars.add_subparsers(dest="cars_command", required=True, parser_class=type(cars))

    solve = sub.add_parser("solve", help="route and load the auto-carriers; write the checked plan JSON")
    solve.add_argument("file", help="scenario file or bundled name with vehicle_orders (e.g. liuzhou-cars)")
    solve.add_argument("--time-limit", type=float, default=30.0, metavar="S", help="seconds (default 30)")
    solve.add_argument("--seed", type=int, default=0)
    solve.add_argument("--split", action="store_true", help="allow split deliveries (carriers share a dealer)")
    solve.add_argument("--baseline", action="store_true",
                       help="also run the practice baseline (nearest neighbour + first fit) and compare")
    solve.add_argument("--out", help="write the plan JSON here (atomically)")
    solve.add_argument("--plot", metavar="DIR", help="write routes.png and load-NN.png side views here")
    solve.add_argument("--html", type=html_output, metavar="PLAN.html",
                       help="write the plan's interactive page here (offline; a layer and a "
                            "timeline per carrier)")
    solve.set_defaults(func=_solve)

    check = sub.add_parser("check", help="check a plan JSON against its scenario (exit 1 if infeasible)")
    check.add_argument("file", help="scenario file or bundled name")
    check.add_argument("plan", help="plan JSON")
    check.set_defaults(func=_check)


def _problem(file: str):
    from mmroute.routing.cars import CarsProblem
    from mmroute.scenarios import load

    return CarsProblem.from_scenario(load(file))


def _solve(args: argparse.Namespace) -> int:
    from mmroute.errors import InputError
    from mmroute.routing.cars import CarsParams, solve_cars, solve_practice, write_plan

    if not args.time_limit > 0:
        raise InputError("must be a positive number of seconds", field="--time-limit")
    html_beside(args.html, args.out)
    problem = _problem(args.file)
    plan = solve_cars(problem, time_limit_s=args.time_limit, seed=args.seed,
                      params=CarsParams(split_deliveries=args.split))
    if args.out:
        write_plan(args.out, plan, problem)
    print(plan.summary())
    info = plan.info
    print(f"  routes that fit by count but not on the platforms: {info['routes_not_loading_detected']} "
          f"detected and repaired; loads proven optimal {info['loads_optimal']}/{plan.carriers_used}")
    if args.baseline:
        base = solve_practice(problem, seed=args.seed)
        print(base.summary())
        print(f"  mmroute / practice: cost {plan.objective / base.objective:.3f}, carriers "
              f"{plan.carriers_used}/{base.carriers_used}")
    if args.plot:
        from mmroute.routing.cars.plot import plot_plan

        files = plot_plan(problem, plan, args.plot)
        print(f"  {len(files)} pictures in {args.plot}")
    if args.html:
        plan.to_html(problem).save(args.html)
        print(f"  page -> {args.html}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from mmroute.routing.cars import check_cars_plan, read_plan

    problem = _problem(args.file)
    plan = read_plan(args.plan)
    report = check_cars_plan(problem, plan)
    if not report.feasible:
        print(f"{problem.name}: {report.summary()}")
        for v in report.violations[3:10]:
            print(f"  {v}")
        return 1
    d = report.details
    print(f"{problem.name}: feasible, cost {report.objective:,.2f} CNY, {d['carriers_used']} carriers, "
          f"{d['vehicles_delivered']} vehicles, {d['distance_km']:,.0f} km")
    return 0
