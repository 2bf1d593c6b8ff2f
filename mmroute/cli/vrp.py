"""``mmroute vrp solve`` and ``mmroute vrp check``: a thin shell over mmroute.routing.vrp."""

from __future__ import annotations

import argparse
from pathlib import Path

from mmroute.cli.types import html_beside, html_output, int_in, output_file, seed, time_limit
from mmroute.errors import InputError, InstanceError

__all__ = ["register"]


def register(subparsers) -> None:
    """Add the ``vrp`` command group to the top-level parser."""
    vrp = subparsers.add_parser("vrp", help="vehicle routing: solve and check instances")
    sub = vrp.add_subparsers(dest="vrp_command", required=True, parser_class=type(vrp))

    solve = sub.add_parser("solve", help="solve a VRPLIB (.vrp), Solomon or Li & Lim (.txt) instance")
    solve.add_argument("instance", help="instance file")
    solve.add_argument("--exact", action="store_true", help="prove optimality (CVRP, single-depot VRPTW) and report a bound")
    solve.add_argument("--engine", choices=("auto", "ortools", "pyvrp"), default="auto")
    solve.add_argument("--time-limit", type=time_limit, default=10.0, metavar="S", help="seconds (default 10)")
    solve.add_argument("--seed", type=seed, default=0)
    solve.add_argument("--max-iterations", type=int_in(1), default=None, metavar="N",
                       help="also stop after N iterations: the run is then reproducible "
                            "whatever the machine's load (time-limited runs are not)")
    solve.add_argument("--rounding", choices=("exact", "dimacs"), default="exact", help="Solomon / Li & Lim distances")
    solve.add_argument("--customers", type=int_in(1), default=None, metavar="N",
                       help="Solomon only: keep the first N customers (25 / 50 for the classic small sets)")
    solve.add_argument("--out", type=output_file, help="write the solution JSON here (atomically)")
    solve.add_argument("--html", type=html_output, metavar="ROUTES.html",
                       help="write the solution's interactive page here (offline; a layer and a "
                            "timeline per vehicle; needs node coordinates)")
    solve.set_defaults(func=_solve)

    check = sub.add_parser("check", help="check a solution JSON (or CVRPLIB .sol) against an instance")
    check.add_argument("instance")
    check.add_argument("solution")
    check.add_argument("--rounding", choices=("exact", "dimacs"), default="exact")
    check.add_argument("--customers", type=int_in(1), default=None, metavar="N", help="Solomon only: the first N customers")
    check.set_defaults(func=_check)


def _solve(args: argparse.Namespace) -> int:
    from mmroute.io import write_json_atomic
    from mmroute.routing.vrp.check import check_vrp
    from mmroute.routing.vrp.readers import read_instance

    html_beside(args.html, args.out)
    problem = read_instance(args.instance, rounding=args.rounding, n_customers=args.customers)
    if args.html and problem.coords is None and "lonlat" not in problem.meta:
        raise InputError(f"{problem.name or args.instance} has no node coordinates: no page to draw",
                         field="--html")
    if args.exact:
        from mmroute.routing.vrp.exact import solve_vrp_exact

        sol = solve_vrp_exact(problem, time_limit_s=args.time_limit, seed=args.seed)
    else:
        from mmroute.routing.vrp.solve import VRPParams, solve_vrp

        params = VRPParams(engine=args.engine, max_iterations=args.max_iterations)
        sol = solve_vrp(problem, time_limit_s=args.time_limit, seed=args.seed, params=params)
    report = check_vrp(problem, sol)
    if not report.feasible:  # the solvers check already; this guards what is written
        raise InstanceError(f"internal error, solution infeasible: {report.reason}")
    data = sol.to_dict()
    data["scale"] = problem.scale
    if problem.meta.get("format") == "scenario":  # a fleet: when each route runs
        from mmroute.routing.vrp.scenario import solution_times

        data.update(solution_times(problem, sol))
    if args.out:
        write_json_atomic(args.out, data)
    bound = "none" if sol.bound is None else f"{sol.bound:g}"
    print(f"{problem.name}: objective {sol.objective:g}, bound {bound}, status {sol.status}, "
          f"{len(sol.routes)} routes, {sol.time_s:.1f} s, {sol.solver}")
    if args.html:
        sol.to_html(problem).save(args.html)
        print(f"page -> {args.html}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from mmroute.io import read_json
    from mmroute.routing.vrp.check import check_vrp
    from mmroute.routing.vrp.readers import read_instance
    from mmroute.routing.vrp.solution import VRPSolution, read_sol_file

    problem = read_instance(args.instance, rounding=args.rounding, n_customers=args.customers)
    path = Path(args.solution)
    if path.suffix.lower() == ".sol":
        sol = read_sol_file(path)
    else:
        data = read_json(path, what="solution JSON file", error=InstanceError)
        sol = VRPSolution.from_dict(data, file=path)
    report = check_vrp(problem, sol)
    if report.feasible:
        dropped = report.details["dropped"]
        print(f"feasible: objective {report.objective:g}, {report.details['num_routes']} routes"
              + (f", {len(dropped)} dropped" if dropped else ""))
        return 0
    print(f"infeasible: {report.reason}" + (f" (+{report.n_violations - 1} more)" if report.n_violations > 1 else ""))
    return 1
