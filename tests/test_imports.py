"""Loading a scenario or solving a VRP must not import torch or stable-baselines3."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("torch", "stable_baselines3", "sb3_contrib")


@pytest.mark.parametrize("module", ["mmroute", "mmroute.scenarios", "mmroute.routing"])
def test_light_imports_do_not_pull_in_torch(module):
    code = (
        f"import sys, {module}\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize(
    "statement",
    [
        "import mmroute.routing",
        "import mmroute.routing.vrp",
        "from mmroute.routing.vrp import VRPProblem, VRPSolution, check_vrp, read_instance, solve_vrp",
        "from mmroute.routing import VRPProblem, check_vrp",
        "import mmroute.routing.loading, mmroute.routing.loadroute",
    ],
)
def test_the_vrp_package_loads_neither_mathopt_nor_pandas_nor_cp_sat_until_used(statement):
    heavy = ("ortools.math_opt", "pandas", "ortools.sat.python.cp_model")
    assert _run(f"import sys\n{statement}\nprint(','.join(m for m in {heavy!r} if m in sys.modules))") == ""


def test_import_of_the_scenarios_package_takes_under_a_fifth_of_a_second():
    """CPU seconds of the import (wall-clock on a shared machine measures the neighbours), best
    of five fresh interpreters; about 0.1 s when nothing heavy is pulled in."""
    code = "import time\nt = time.process_time()\nimport mmroute.scenarios\nprint(time.process_time() - t)"
    best = min(float(_run(code)) for _ in range(5))
    assert best < 0.2, f"import mmroute.scenarios took {best:.3f} s of CPU"


@pytest.mark.parametrize(
    "package",
    ["mmroute", "mmroute.routing", "mmroute.routing.vrp", "mmroute.routing.loading", "mmroute.routing.loadroute"],
)
def test_every_lazily_exported_name_resolves(package):
    import importlib

    mod = importlib.import_module(package)
    missing = [name for name in mod.__all__ if name != "__version__" and getattr(mod, name, None) is None]
    assert not missing
    assert set(mod.__all__) <= set(dir(mod))


def test_the_old_vrp_names_still_resolve_with_a_deprecation_warning():
    import mmroute.routing as routing
    import mmroute.routing.vrp as vrp

    with pytest.warns(DeprecationWarning, match="VRPRoute"):
        assert vrp.Route is vrp.VRPRoute
    with pytest.warns(DeprecationWarning, match="VRPVehicleType"):
        assert routing.VehicleType is vrp.VRPVehicleType
    with pytest.raises(AttributeError):
        _ = vrp.NoSuchName


def _imported_modules(path):
    """Every module a source file imports (absolute names; relative imports as '.name')."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield "." * node.level + (node.module or "")


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        ("scenarios", (".", "mmroute.routing", "mmroute.envs", "mmroute.agents", "mmroute.cli")),
        ("routing", (".", "mmroute.envs", "mmroute.agents", "mmroute.cli")),
        ("envs", ("mmroute.agents", "mmroute.cli")),
        ("agents", ("mmroute.cli",)),
    ],
)
def test_imports_point_one_way(folder, forbidden):
    """scenarios <- routing <- envs <- agents <- the command line (README, Architecture);
    scenarios and routing use absolute imports only ("." marks a relative import)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / folder
    bad = [
        f"{path.relative_to(root.parent)}: {name}"
        for path in sorted(root.rglob("*.py"))
        for name in _imported_modules(path)
        if name.startswith(forbidden)
    ]
    assert not bad


GROUND_FLOOR = ("errors", "io", "report", "interrupt", "_lazy", "_compat")


@pytest.mark.parametrize("module", GROUND_FLOOR)
def test_the_ground_floor_imports_nothing_of_mmroute_above_it(module):
    """mmroute.errors, io, report, interrupt, _lazy and _compat sit under every package and
    the command line: they import only each other."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "mmroute" / f"{module}.py"
    above = [name for name in _imported_modules(path) if name.startswith(("mmroute", "."))
             and name.removeprefix("mmroute.") not in GROUND_FLOOR]
    assert not above


def test_the_command_line_is_a_package_and_python_m_mmroute_runs_it():
    from mmroute.cli import build_parser, main

    assert build_parser().prog == "mmroute" and callable(main)
    assert _run("import mmroute.cli.types, mmroute.cli.plan; print('ok')") == "ok"
    out = subprocess.run([sys.executable, "-m", "mmroute", "--version"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.startswith("mmroute ")
