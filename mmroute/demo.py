"""The main demo (``make demo``): the bundled scenarios, validated and drawn on maps.

Run ``python -m mmroute.demo --out DIR``. Later issues add plans, agents and comparisons.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from mmroute.errors import MMRouteError

__all__ = ["main", "run_scenarios"]


def run_scenarios(out_dir: Path) -> list[Path]:
    """List, validate and map every bundled scenario; return the map files written.

    A scenario that fails validation is reported and the others still run; then
    :class:`MMRouteError` names the failures.

    The cheapest route by cost of each scenario's first shipment is highlighted on its map.
    """
    from mmroute.scenarios import bundled_names, load, plot_map

    names = bundled_names()
    print(f"Bundled scenarios ({len(names)}):")
    maps = []
    failed = []
    for name in names:
        t0 = time.perf_counter()
        try:
            scenario = load(name)
        except MMRouteError as exc:  # report it and go on with the others
            print(f"  FAILED {name}: {exc}")
            failed.append(name)
            continue
        print(f"  ok  {scenario.summary()}")
        routes = {}
        if scenario.shipments:
            s = scenario.shipments[0]
            route = scenario.network().shortest_path(s.origin, s.destination, "cost")
            routes[f"{s.id} cheapest"] = route
        path = plot_map(scenario, out_dir / f"{name}-map.png", routes=routes)
        maps.append(path)
        print(f"      map -> {path} ({time.perf_counter() - t0:.1f} s)")
    if failed:
        raise MMRouteError(f"{len(failed)} bundled scenario(s) failed to validate: "
                           f"{', '.join(failed)}")
    return maps


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mmroute.demo", description=__doc__)
    parser.add_argument("--out", default="demo-output", type=Path, help="output folder")
    args = parser.parse_args(argv)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        maps = run_scenarios(args.out)
    except MMRouteError as exc:
        print(f"demo: error: {exc}".replace("\n", " "), file=sys.stderr)
        return 2
    print(f"\n{len(maps)} maps written to {args.out.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
