"""``import mmroute.scenarios`` stays light: plotting, GIS and solvers load only when used."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("torch", "stable_baselines3", "ortools", "matplotlib", "mpl_toolkits.basemap",
         "geopandas", "networkx")


def test_importing_scenarios_does_not_import_heavy_packages():
    code = (
        "import sys, mmroute.scenarios\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
