"""``mmroute schedules import``: carrier schedules (DCSA JSON) -> timetabled links (YAML)."""

from __future__ import annotations

import argparse

from mmroute.cli.types import output_file

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``schedules`` command group."""
    sc = subparsers.add_parser("schedules", help="import carrier schedules",
                               description="Carrier schedules in the DCSA Commercial Schedules "
                                           "1.0.3 standard.")
    sub = sc.add_subparsers(dest="schedules_command", metavar="{import}", required=True,
                            parser_class=type(sc))
    im = sub.add_parser(
        "import", help="DCSA point-to-point routes / port / vessel schedules -> links YAML",
        description="Read a DCSA Commercial Schedules JSON payload (a list, as the API returns "
                    "it: point-to-point routes, port schedules or vessel schedules) and write "
                    "timetabled links: departures and cut-offs in hours from the scenario "
                    "start (local times with their UTC offsets honoured), the leg's transit "
                    "time, mode from VESSEL/BARGE/RAIL/TRUCK. Places are matched to the "
                    "scenario's nodes by their locode (without --scenario the node ids are the "
                    "UN/LOCODEs). Skipped legs are listed with their reason.")
    im.add_argument("file", metavar="FILE.json", help="DCSA JSON payload")
    im.add_argument("--out", required=True, type=output_file, metavar="LINKS.yaml",
                    help="output YAML with a 'links:' list to merge into the scenario")
    im.add_argument("--scenario", metavar="SCENARIO", default=None,
                    help="scenario (file or bundled name) whose start and node locodes to use")
    im.add_argument("--start", metavar="ISO", default=None,
                    help="hour 0 with a UTC offset (default: the scenario's start), e.g. "
                         "2026-03-02T08:00:00+08:00")
    im.add_argument("--cutoff-codes", default="FCO,PCO", metavar="CODES",
                    help="DCSA cut-off codes that bind the cargo, comma-separated; the "
                         "earliest given is the link's cut-off (default FCO,PCO)")
    im.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mmroute.errors import InputError
    from mmroute.io import check_output_path
    from mmroute.scenarios import load
    from mmroute.scenarios.schedules import import_schedules, write_links

    out = Path(args.out)
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise InputError("--out must end in .yaml or .yml", file=out)
    check_output_path(out)
    codes = tuple(c.strip().upper() for c in args.cutoff_codes.split(",") if c.strip())
    if not codes or any(len(c) != 3 or not c.isalpha() for c in codes):
        raise InputError(f"--cutoff-codes: expected 3-letter DCSA codes, got "
                         f"{args.cutoff_codes!r}", field="cutoff-codes")
    scenario = None if args.scenario is None else load(args.scenario)
    imported = import_schedules(args.file, scenario, start=args.start, cutoff_codes=codes)
    for path, reason in imported.skipped:
        print(f"skipped {path}: {reason}")
    write_links(imported, out, source=Path(args.file).name)
    print(f"{imported.summary()} -> {out}")
    return 0
