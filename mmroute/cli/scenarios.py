"""``mmroute scenarios list`` / ``scale``, ``validate``, ``map`` and ``export``: scenario files."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from mmroute.cli.types import identifier, int_in, output_file, scenario_output, seed
from mmroute.errors import MMRouteError
from mmroute.validate import MAX_SHIPMENTS

__all__ = ["register", "PROGRESS_FROM"]

#: ``scenarios scale`` tells its stages on stderr from this many consignments on.
PROGRESS_FROM = 10_000


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``scenarios``, ``validate``, ``map`` and ``export`` commands."""
    sc = subparsers.add_parser("scenarios", help="bundled scenarios",
                               description="The scenarios shipped with mmroute.")
    sc_sub = sc.add_subparsers(dest="scenarios_command", metavar="{list,scale}", required=True,
                               parser_class=type(sc))
    ls = sc_sub.add_parser("list", help="bundled scenarios, one line each")
    ls.set_defaults(func=run_list)
    sa = sc_sub.add_parser(
        "scale", help="many consignments of 1-3 TEU over a month, drawn from a scenario",
        description="Write a scenario with the network, objective and uncertainty of FILE and N "
                    "consignments of 1-3 TEU drawn on FILE's own lanes and lead times "
                    "(weighted by TEU) over a month (720 h, or FILE's horizon if longer); "
                    "capacities and the late-order rate grow with the volume per hour. The same "
                    "FILE, N and seed give the same file. See docs/scale.md.")
    sa.add_argument("file", metavar="FILE", help="scenario file or bundled scenario name")
    sa.add_argument("--consignments", required=True, type=int_in(1, MAX_SHIPMENTS), metavar="N",
                    help=f"number of consignments, 1..{MAX_SHIPMENTS:,}")
    sa.add_argument("--seed", type=seed, default=0, help="random seed (default 0)")
    sa.add_argument("--name", type=identifier, default=None,
                    help="name of the new scenario (default: FILE's name + '-xN')")
    sa.add_argument("--out", required=True, type=scenario_output, metavar="OUT.yaml|.json",
                    help="output scenario file (JSON loads much faster beyond ~10,000)")
    sa.set_defaults(func=run_scale)

    va = subparsers.add_parser(
        "validate", help="check a scenario file",
        description="Load and validate a scenario: exit 0 and print its summary, then one line "
                    "'warning: FILE: field: message' per plausibility warning (a node far from "
                    "the nodes it links to, a declared distance below the great circle or above "
                    "3x it, a weather cell that never crosses a link of its modes, due times or "
                    "late-order lead times shorter than the fastest route, a shipment no route "
                    "delivers on time); or print one line naming the file and field at fault "
                    "and exit 2.")
    va.add_argument("file", metavar="FILE", help="scenario file or bundled scenario name")
    va.set_defaults(func=run_validate)

    mp = subparsers.add_parser(
        "map", help="draw the network on a map (PNG or HTML)",
        description="Draw nodes and links (modes coloured) over offline coastlines and borders.")
    mp.add_argument("file", metavar="FILE", help="scenario file or bundled scenario name")
    mp.add_argument("--out", required=True, type=output_file, metavar="MAP.png|.html", help="output file")
    mp.add_argument("--title", default=None, help="map title (default: name and description)")
    mp.set_defaults(func=run_map)

    ex = subparsers.add_parser(
        "export", help="nodes and links to GeoJSON or GeoPackage",
        description="Write nodes and links (EPSG:4326) to one GeoJSON FeatureCollection (a "
                    "'layer' property per feature) or a GeoPackage with layers nodes and links.")
    ex.add_argument("file", metavar="FILE", help="scenario file or bundled scenario name")
    ex.add_argument("--out", required=True, type=output_file, metavar="NET.geojson|.gpkg", help="output file")
    ex.set_defaults(func=run_export)


def run_list(args: argparse.Namespace) -> int:
    from mmroute.scenarios import bundled_names, load

    failed = 0
    for name in bundled_names():
        try:
            print(load(name).summary())
        except MMRouteError as exc:  # list the others, report the broken one
            failed += 1
            print(f"{name}: INVALID: {exc}")
    return 2 if failed else 0


def run_scale(args: argparse.Namespace) -> int:
    from mmroute import __version__
    from mmroute.scenarios import load, scale, write_scenario

    loud = args.consignments >= PROGRESS_FROM

    def say(message: str) -> None:
        if loud:
            print(f"mmroute: {message}", file=sys.stderr, flush=True)

    base = load(args.file)
    scaled = scale(base, consignments=args.consignments, seed=args.seed, name=args.name,
                   progress=say)
    command = ["mmroute", "scenarios", "scale", args.file, "--consignments",
               str(args.consignments), "--seed", str(args.seed),
               *(["--name", args.name] if args.name else []), "--out", args.out]
    header = (f"{scaled.name}: {args.consignments:,} consignments drawn from {base.name} by "
              f"mmroute {__version__}, made with\n  {shlex.join(command)}\n"
              "Resolved form (distances, costs, CO2 factors, geometries written out); what is "
              "drawn and what is scaled: docs/scale.md.")
    say(f"writing {args.out}")
    out = _writing(lambda: write_scenario(scaled, args.out, header=header), args.out)
    print(f"{scaled.summary()} -> {out}")
    return 0


def run_validate(args: argparse.Namespace) -> int:
    from mmroute.scenarios import load
    from mmroute.world.plausible import plausibility_warnings

    scenario = load(args.file)
    print(scenario.summary())
    for w in plausibility_warnings(scenario):  # warnings, not errors: exit 0
        print(f"warning: {w}")
    return 0


def run_map(args: argparse.Namespace) -> int:
    from mmroute.scenarios import load, plot_map

    scenario = load(args.file)
    out = _writing(lambda: plot_map(scenario, args.out, title=args.title), args.out)
    print(f"{scenario.name}: map -> {out}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from mmroute.scenarios import export, load

    scenario = load(args.file)
    out = _writing(lambda: export(scenario, args.out), args.out)
    print(f"{scenario.name}: {len(scenario.nodes)} nodes, {len(scenario.links)} links -> {out}")
    return 0


def _writing(write, out: str) -> Path:
    """Run ``write()``; an OS error (folder missing, no permission, disk full) is a user error."""
    try:
        return write()
    except OSError as exc:
        raise MMRouteError(f"cannot write {out}: {exc.strerror or exc}") from None
