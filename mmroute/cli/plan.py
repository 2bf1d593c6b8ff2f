"""``mmroute plan FILE``: the exact multimodal plan of a scenario, checked, written as JSON."""

from __future__ import annotations

import argparse
from pathlib import Path

from mmroute.cli.types import float_in, int_in, output_file, seed, time_limit

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``plan`` command."""
    p = subparsers.add_parser(
        "plan", help="multimodal plan (exact, with bound)",
        description="Solve the scenario's multimodal plan (MIP on the time-expanded network), "
                    "check it independently and write it as JSON.")
    p.add_argument("file", metavar="FILE", help="scenario file or bundled scenario name")
    p.add_argument("--time-limit", type=time_limit, default=60.0, metavar="S",
                   help="solver time limit in seconds (default 60)")
    p.add_argument("--out", required=True, type=output_file, metavar="PLAN.json", help="output plan JSON")
    p.add_argument("--seed", type=seed, default=0, help="solver random seed (default 0)")
    p.add_argument("--solver", choices=("highs", "scip"), default="highs")
    p.add_argument("--splittable", action="store_true", help="allow splitting shipments")
    p.add_argument("--co2-price", type=float_in(0.0, 1e9), default=None, metavar="CNY_PER_T",
                   help="CO2 price (default: the scenario's)")
    p.add_argument("--events", metavar="EVENTS.json", default=None,
                   help="known disruptions (KnownEvents JSON: closures, delays, slowdowns, "
                        "node_delays), e.g. an episode's realised events for a hindsight plan")
    p.add_argument("--pareto", action="store_true",
                   help="also write the cost-CO2 Pareto front beside --out: PLAN.pareto.csv, "
                        "PLAN.pareto.png and each point's plan as PLAN.pareto/NN.json")
    p.add_argument("--pareto-points", type=int_in(2, 1000), default=6, metavar="N",
                   help="points of the Pareto front, 2..1000 (default 6)")
    p.add_argument("--per-shipment", default=None, type=output_file, metavar="SHIPMENTS.csv",
                   help="also write one row per itinerary: route, modes, departure and arrival "
                        "(h), lateness (h), CO2 (kg), cost (CNY), dropped TEU, where and why "
                        "(no-service, after-horizon, mip; docs in mmroute.world.shipments); "
                        "the dropped and late ones are printed")
    p.add_argument("--html", default=None, type=output_file, metavar="PLAN.html",
                   help="also write the interactive page of the plan: a self-contained, offline "
                        "HTML file (map with a layer per mode and per itinerary, tooltips, a "
                        "timeline per consignment)")
    p.add_argument("--map", action="store_true",
                   help="also draw the chosen routes on a map (PNG beside --out)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mmroute.io import check_output_path, write_json_atomic
    from mmroute.routing.plan import PlanParams, solve_plan
    from mmroute.routing.plan.pareto import point_name
    from mmroute.scenarios import load
    from mmroute.world.check import check_plan

    out = Path(args.out)
    points = out.with_suffix(".pareto")  # the folder of the points' plans
    extra = {"--pareto": [out.with_suffix(".pareto.csv"), out.with_suffix(".pareto.png"),
                          *(points / point_name(k, args.pareto_points)
                            for k in range(1, args.pareto_points + 1))] if args.pareto else [],
             "--map": [out.with_suffix(".map.png")] if args.map else [],
             "--per-shipment": [] if args.per_shipment is None else [Path(args.per_shipment)],
             "--html": [] if args.html is None else [Path(args.html)]}
    for flag, paths in extra.items():  # every output is checked before the solve starts
        for path in paths:
            check_output_path(path, what=flag)
    if args.per_shipment is not None:
        _check_shipments_path(Path(args.per_shipment), out)
    if args.html is not None:
        _check_html_path(Path(args.html), out)
    scenario = load(args.file)
    events = None if args.events is None else _read_events(args.events)
    params = PlanParams(splittable=args.splittable, co2_price=args.co2_price, solver=args.solver)
    plan = solve_plan(scenario, time_limit_s=args.time_limit, seed=args.seed, params=params,
                      events=events)
    res = check_plan(scenario, plan)
    if not res.feasible:  # solve_plan checks already; never write a plan that fails
        print("mmroute: plan fails the checker: " + "; ".join(str(v) for v in res.violations[:5]))
        return 1
    front = _pareto(scenario, params, args) if args.pareto else None
    if front is not None:  # every point is checked before any output is written
        for k, p in enumerate(front, start=1):
            res = check_plan(scenario, p.plan)
            if not res.feasible:
                print(f"mmroute: Pareto point {k} fails the checker: "
                      + "; ".join(str(v) for v in res.violations[:5]))
                return 1
    write_json_atomic(out, plan.to_dict(scenario.clock()))  # the CLI renames every output at the end
    print(f"{plan.summary()} -> {out}")
    if front is not None:
        _write_pareto(scenario, front, args.pareto_points, *extra["--pareto"][:2], points)
    if args.map:
        _write_map(scenario, plan, extra["--map"][0])
    if args.per_shipment is not None:
        _write_shipments(scenario, plan, extra["--per-shipment"][0])
    if args.html is not None:
        plan.to_html(scenario).save(extra["--html"][0])
        print(f"page -> {extra['--html'][0]}")
    return 0


def _check_html_path(path: Path, out: Path) -> None:
    """``--html``: a .html file other than --out (:class:`InputError`)."""
    from mmroute.errors import InputError

    if path.suffix.lower() not in (".html", ".htm"):
        raise InputError("--html must end in .html", file=path)
    if path.resolve() == out.resolve():
        raise InputError("--html must differ from --out", file=path)


def _check_shipments_path(path: Path, out: Path) -> None:
    """``--per-shipment``: a .csv file other than --out (:class:`InputError`)."""
    from mmroute.errors import InputError

    if path.suffix.lower() != ".csv":
        raise InputError("--per-shipment must end in .csv", file=path)
    if path.resolve() == out.resolve():
        raise InputError("--per-shipment must differ from --out", file=path)


def _write_shipments(scenario, plan, path: Path) -> None:
    """Write the plan's per-shipment rows (:mod:`mmroute.world.shipments`) and print the
    dropped and late ones."""
    from mmroute.world.shipments import format_rows, plan_rows, write_csv

    rows = plan_rows(plan, scenario)
    write_csv(rows, path, scenario.clock())
    print(format_rows(rows))
    print(f"{len(rows)} shipment rows -> {path}")


def _pareto(scenario, params, args: argparse.Namespace):
    """The front (:func:`pareto_front`); a solve that found no plan in time is one line on
    stderr."""
    import sys
    import warnings

    from mmroute.routing.plan.pareto import pareto_front

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        front = pareto_front(scenario, time_limit_s=args.time_limit, seed=args.seed,
                             params=params, points=args.pareto_points)
    for w in caught:
        if issubclass(w.category, RuntimeWarning):
            print(f"mmroute: note: {w.message}", file=sys.stderr)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return front


def _write_pareto(scenario, front, n_points: int, csv_path: Path, png_path: Path,
                  folder: Path) -> None:
    """Write the front's CSV, its plot and each point's (checked) plan as ``folder/NN.json``."""
    from mmroute.io import write_json_atomic
    from mmroute.routing.plan.pareto import plot_pareto, point_name, write_pareto_csv

    for k, p in enumerate(front, start=1):
        write_json_atomic(folder / point_name(k, n_points), p.plan.to_dict(scenario.clock()))
    write_pareto_csv(front, csv_path)
    plot_pareto(front, png_path, title=f"{scenario.name}: cost-CO2 Pareto front")
    unproven = sum(not p.proven for p in front)
    print(f"Pareto front: {len(front)} points ({unproven} not proven optimal for their cap) -> "
          f"{csv_path}, {png_path}, {folder}/")


def _read_events(path: str):
    """Read a KnownEvents JSON file (InputError naming the file if unreadable)."""
    from mmroute.errors import InputError
    from mmroute.io import read_json
    from mmroute.world.events import KnownEvents

    data = read_json(path, what="events JSON file")
    _check_events(data, path)
    try:
        return KnownEvents.from_dict(data)
    except InputError as exc:
        raise InputError(exc.reason, file=path, field=exc.field) from None
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as exc:
        raise InputError(f"malformed events ({type(exc).__name__}: {exc})", file=path) from None


def _check_events(data: object, path: str) -> None:
    """The shape of a KnownEvents object: lists of objects with exactly their fields (those
    with a default may be left out), ids as strings, times and factors as finite numbers; a
    weather cell's ``area`` a list of [lon, lat] points, ``velocity_kmh`` [east, north],
    ``modes`` a list of mode names, ``effect`` text; road noise ``factors`` a list of numbers
    (:class:`InputError` naming the field)."""
    import dataclasses
    import typing

    from mmroute.errors import InputError
    from mmroute.world.events import KnownEvents

    hints = typing.get_type_hints(KnownEvents)  # closures: tuple[LinkClosure, ...], ...
    kinds = {f.name: typing.get_args(hints[f.name])[0] for f in dataclasses.fields(KnownEvents)}
    if not isinstance(data, dict):
        raise InputError("expected a JSON object", file=path)
    for kind, value in data.items():
        if kind not in kinds:
            raise InputError(f"unknown event kind {kind!r}, expected one of {sorted(kinds)}", file=path, field=str(kind))
        if not isinstance(value, list):
            raise InputError("expected a list of events", file=path, field=kind)
        fields = dataclasses.fields(kinds[kind])
        names = [f.name for f in fields]
        required = {f.name for f in fields if f.default is dataclasses.MISSING}
        for i, ev in enumerate(value):
            where = f"{kind}[{i}]"
            if not isinstance(ev, dict) or not required <= set(ev) or not set(ev) <= set(names):
                raise InputError(f"expected an object with fields {names}", file=path, field=where)
            for name, v in ev.items():
                _check_event_field(name, v, f"{where}.{name}", path)


def _check_event_field(name: str, v: object, field: str, path: str) -> None:
    """One field of an event (see :func:`_check_events`)."""
    from mmroute.errors import InputError
    from mmroute.io import json_number

    def points(value: object, n: int | None, what: str) -> None:
        if not isinstance(value, list) or (n is not None and len(value) != n):
            raise InputError(f"expected {what}", file=path, field=field)
        for k, x in enumerate(value):
            if n is None:
                if not isinstance(x, list) or len(x) != 2:
                    raise InputError("expected [lon, lat]", file=path, field=f"{field}[{k}]")
                lon, lat = (json_number(c, f"{field}[{k}]", file=path) for c in x)
                if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
                    raise InputError("expected lon in [-180, 180] and lat in [-90, 90]",
                                     file=path, field=f"{field}[{k}]")
            else:
                json_number(x, f"{field}[{k}]", file=path, limit=1e4)

    if name in ("link", "node", "cell", "effect"):
        if not isinstance(v, str) or not v:
            raise InputError("expected an id (text)" if name != "effect" else "expected text",
                             file=path, field=field)
    elif name == "area":
        points(v, None, "a list of [lon, lat] points")
    elif name == "velocity_kmh":
        points(v, 2, "[east, north] (km/h)")
    elif name == "modes":
        if not isinstance(v, list) or not all(isinstance(m, str) and m for m in v):
            raise InputError("expected a list of modes (text)", file=path, field=field)
    elif name == "factors":
        if not isinstance(v, list):
            raise InputError("expected a list of numbers", file=path, field=field)
        for k, x in enumerate(v):
            json_number(x, f"{field}[{k}]", file=path, limit=1e9)
    else:
        json_number(v, field, file=path, limit=1e9, nullable=name == "speed_factor")


def _write_map(scenario, plan, path: Path) -> None:
    """Draw the chosen routes of ``plan`` on a map of ``scenario`` (legend: door-to-door time
    from the plan, cost and CO2 per TEU)."""
    from mmroute.scenarios import plot_map

    plot_map(scenario, path, routes=plan.map_routes(scenario.shipments),
             title=f"{scenario.name}: planned routes")
    print(f"map -> {path}")
