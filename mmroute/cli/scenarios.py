"""``mmroute scenarios list``, ``validate``, ``map`` and ``export``: scenario files."""

from __future__ import annotations

import argparse
from pathlib import Path

from mmroute.cli.types import output_file
from mmroute.errors import MMRouteError

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``scenarios``, ``validate``, ``map`` and ``export`` commands."""
    sc = subparsers.add_parser("scenarios", help="bundled scenarios",
                               description="The scenarios shipped with mmroute.")
    sc_sub = sc.add_subparsers(dest="scenarios_command", metavar="{list}", required=True,
                               parser_class=type(sc))
    ls = sc_sub.add_parser("list", help="bundled scenarios, one line each")
    ls.set_defaults(func=run_list)

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
