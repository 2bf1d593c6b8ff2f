"""``mmroute roads import``: an OpenStreetMap extract -> a drivable road graph (GraphML)."""

from __future__ import annotations

import argparse
import sys

from mmroute.cli.types import output_file

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``roads`` command group."""
    rd = subparsers.add_parser("roads", help="road networks from OpenStreetMap",
                               description="Road graphs from OpenStreetMap extracts "
                                           "(needs the [osm] extra: osmnx, pyosmium).")
    sub = rd.add_subparsers(dest="roads_command", metavar="{import}", required=True,
                            parser_class=type(rd))
    im = sub.add_parser(
        "import", help="OSM extract (.osm.pbf, .osm, .osm.bz2) -> roads.graphml",
        description="Read an OpenStreetMap extract (PBF or XML), streaming in memory bounded "
                    "by its drivable roads, into the drivable road graph (its "
                    "largest strongly connected part): lengths, speeds and travel times from "
                    "the tags with osmnx's defaults, truck restrictions (maxheight, "
                    "maxweight, hgv) kept; write it as GraphML. A scenario's 'roads: {file: "
                    "roads.graphml}' then takes road links' distance and time from it.")
    im.add_argument("extract", metavar="EXTRACT", help="OSM extract (.osm.pbf, .osm or .osm.bz2)")
    im.add_argument("--out", required=True, type=output_file, metavar="ROADS.graphml",
                    help="output GraphML file")
    im.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mmroute.errors import InputError
    from mmroute.io import check_output_path
    from mmroute.scenarios.osm_roads import import_roads

    out = Path(args.out)
    if out.suffix.lower() != ".graphml":
        raise InputError("--out must end in .graphml", file=out)
    check_output_path(out)
    graph = import_roads(args.extract, out,
                         progress=lambda msg: print(f"mmroute: {msg}", file=sys.stderr))
    print(f"{Path(args.extract).name}: {len(graph):,} nodes, {graph.number_of_edges():,} "
          f"road edges -> {out}")
    return 0
