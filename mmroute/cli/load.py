"""``mmroute load solve`` and ``mmroute load check``: a thin shell over mmroute.routing.loading."""

from __future__ import annotations

import argparse
from pathlib import Path

from mmroute.cli.types import float_in, int_in, output_file, seed, time_limit
from mmroute.errors import InputError, InstanceError

__all__ = ["register"]

#: Picture formats of ``--plot`` (matplotlib chooses the format by the suffix).
PLOT_SUFFIXES = (".png", ".pdf", ".svg")


def _add_source(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="thpack file (OR-Library format), or a scenario file / bundled name")
    p.add_argument("--instance", type=int_in(1), default=None, metavar="K",
                   help="problem K of a thpack file, counted from 1 (default 1; check: the packing's)")
    p.add_argument("--vehicle", default=None, help="scenario: vehicle type id (default: first with inner dims)")
    p.add_argument("--customers", default=None, help="scenario: comma-separated customer ids, in stop order")
    p.add_argument("--multi-drop", action="store_true",
                   help="scenario: customers are stops in the given order (unloading order enforced)")
    p.add_argument("--min-support", type=float_in(0.0, 1.0), default=1.0, metavar="SHARE",
                   help="least supported share of a box's base (default 1.0; e.g. 0.75)")


def register(subparsers) -> None:
    """Add the ``load`` command group to the top-level parser."""
    load = subparsers.add_parser("load", help="3D container / truck loading: solve and check")
    sub = load.add_subparsers(dest="load_command", required=True, parser_class=type(load))

    solve = sub.add_parser("solve", help="pack one container; write the checked packing JSON")
    _add_source(solve)
    solve.add_argument("--time-limit", type=time_limit, default=10.0, metavar="S", help="seconds (default 10)")
    solve.add_argument("--seed", type=seed, default=0)
    solve.add_argument("--exact", action="store_true", help="CP-SAT model (tens of boxes): optimum or bound")
    solve.add_argument("--out", type=output_file, help="write the packing JSON here (atomically)")
    solve.add_argument("--plot", type=output_file, help="write a 3D picture of the packing (PNG) here")
    solve.set_defaults(func=_solve)

    check = sub.add_parser("check", help="check a packing JSON against its instance (exit 1 if infeasible)")
    _add_source(check)
    check.add_argument("packing", help="packing JSON")
    check.set_defaults(func=_check)


def _read(args: argparse.Namespace, k: int):
    from mmroute.routing.loading.readers import read_loading_instance

    customers = None if args.customers is None else [c.strip() for c in args.customers.split(",") if c.strip()]
    return read_loading_instance(
        args.file, k, vehicle_type=args.vehicle, customers=customers, multi_drop=args.multi_drop
    )


def _solve(args: argparse.Namespace) -> int:
    from mmroute.routing.loading.io import write_packing
    from mmroute.routing.loading.solve import LoadingParams, solve_loading

    if args.out and args.plot and Path(args.out).resolve() == Path(args.plot).resolve():
        raise InputError("--out and --plot name the same file", field="--plot")
    if args.plot and Path(args.plot).suffix.lower() not in PLOT_SUFFIXES:
        raise InputError(f"a picture file name ends with one of {', '.join(PLOT_SUFFIXES)}, got {args.plot!r}", field="--plot")
    inst = _read(args, args.instance or 1)
    params = LoadingParams(exact=args.exact, min_support=args.min_support)
    packing = solve_loading(inst, time_limit_s=args.time_limit, seed=args.seed, params=params)
    if args.out:  # the CLI renames both outputs together once both are written
        write_packing(args.out, packing, inst, min_support=args.min_support)
    if args.plot:
        from mmroute.routing.loading.plot import plot_packing

        plot_packing(packing, args.plot, title=f"{inst.name}: {packing.utilisation:.2%} ({packing.solver})")
    print(f"{inst.name}: {len(packing.placements)}/{inst.n_boxes} boxes, utilisation "
          f"{packing.utilisation:.2%}, objective {packing.objective}, bound {packing.bound}, "
          f"status {packing.status}, {packing.time_s:.1f} s, {packing.solver}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from mmroute.io import read_json
    from mmroute.routing.loading.check import check_packing
    from mmroute.routing.loading.model import Packing

    data = read_json(args.packing, what="packing JSON file", error=InstanceError)
    packing = Packing.from_dict(data, file=args.packing)
    k = args.instance
    if k is None:  # the packing names its problem, e.g. "BR1-3"
        name = data.get("instance", "")
        stem, _, num = str(name).rpartition("-")
        k = int(num) if stem == Path(args.file).stem and num.isascii() and num.isdigit() and len(num) < 7 else 1
    inst = _read(args, k)
    report = check_packing(inst.container, inst.box_types, packing, min_support=args.min_support)
    if not report.feasible:
        print(f"{inst.name}: infeasible: {report.reason} ({report.n_violations} violation(s))")
        for v in report.violations[1:10]:
            print(f"  {v}")
        return 1
    d = report.details
    print(f"{inst.name}: feasible, {d['n_boxes']} boxes, utilisation {d['utilisation']:.2%}, "
          f"packed volume {d['packed_volume']}, weight {d['weight_kg']:g} kg")
    return 0
