"""Loading a scenario or solving a VRP must not import torch or stable-baselines3."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("torch", "stable_baselines3", "sb3_contrib")


@pytest.mark.parametrize("module", ["mmroute", "mmroute.scenarios", "mmroute.world", "mmroute.routing"])
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


@pytest.mark.parametrize("statement", ["import mmroute.scenarios",
                                       "import mmroute.scenarios.osm_roads",
                                       "import mmroute.scenarios.osm_read"])
def test_the_osm_readers_load_osmnx_and_osmium_only_on_first_use(statement):
    heavy = ("osmnx", "osmium")
    assert _run(f"import sys\n{statement}\nprint(','.join(m for m in {heavy!r} if m in sys.modules))") == ""


SCIENTIFIC = ("numpy", "pandas", "scipy", "shapely", "geopandas", "pyogrio", "matplotlib",
              "networkx", "ortools", "highspy", "gymnasium")


def test_the_scenarios_package_loads_no_scientific_library():
    """Reading a scenario file needs PyYAML and pyproj only: what keeps ``import
    mmroute.scenarios`` light, checked by the modules it loads (a count, not a timing)."""
    assert _run("import sys\nimport mmroute.scenarios\n"
                f"print(','.join(m for m in {SCIENTIFIC!r} if m in sys.modules))") == ""


def test_import_of_the_scenarios_package_adds_little_to_its_dependencies():
    """CPU seconds of the import beyond those of the libraries it needs (PyYAML, pyproj),
    best of five fresh interpreters each: what mmroute's own modules cost (~0.1 s on a 2-core
    CI machine, the editable install's finder included), whatever the speed of the machine
    (the absolute time is mostly pyproj's; wall-clock on a shared machine measures the
    neighbours). A gross guard: one scientific library (numpy alone ~0.25 s) would cross it;
    the test above names which."""
    timed = "import time\nt = time.process_time()\nimport {}\nprint(time.process_time() - t)"
    own = min(float(_run(timed.format("mmroute.scenarios"))) for _ in range(5))
    deps = min(float(_run(timed.format("yaml, pyproj"))) for _ in range(5))
    assert own - deps < 0.2, f"import mmroute.scenarios took {own:.3f} s of CPU, {deps:.3f} s its libraries"


@pytest.mark.parametrize(
    "package",
    ["mmroute", "mmroute.world", "mmroute.routing", "mmroute.routing.plan", "mmroute.routing.vrp",
     "mmroute.routing.loading", "mmroute.routing.loadroute", "mmroute.envs", "mmroute.agents"],
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


#: Floors, bottom up: scenarios <- world <- routing, and world <- envs <- agents <- the
#: command line (README, Architecture). "." marks a relative import (absolute ones only).
FLOORS = [
    ("scenarios", (".", "mmroute.world", "mmroute.routing", "mmroute.envs", "mmroute.agents",
                   "mmroute.cli")),
    ("world", (".", "mmroute.routing", "mmroute.envs", "mmroute.agents", "mmroute.cli")),
    ("routing", (".", "mmroute.envs", "mmroute.agents", "mmroute.cli")),
    ("envs", (".", "mmroute.routing", "mmroute.agents", "mmroute.cli")),
    ("agents", (".", "mmroute.routing.plan.", "mmroute.cli")),
]

#: Modules kept only so that old import paths work for one release (they import nothing but
#: mmroute._lazy, and forward with a DeprecationWarning): path -> (a name, where it lives now).
MOVED = {
    "routing/plan/events.py": ("Conditions", "mmroute.world.conditions"),
    "routing/plan/weather.py": ("weather_windows", "mmroute.world.weather"),
    "routing/plan/state.py": ("PlanState", "mmroute.world.state"),
    "routing/plan/itinerary.py": ("Itinerary", "mmroute.world.plan"),
    "routing/plan/check.py": ("check_plan", "mmroute.world.check"),
    "envs/realization.py": ("realize", "mmroute.world.realization"),
    "agents/state.py": ("plan_state", "mmroute.envs.known"),
    "agents/risk.py": ("risk_adjusted_events", "mmroute.envs.anticipation"),
    "agents/model.py": ("read_card", "mmroute.agents.model_files"),
    "routing/cars/plan.py": ("CarsPlan", "mmroute.routing.cars.result"),
}


@pytest.mark.parametrize(("folder", "forbidden"), FLOORS)
def test_imports_point_one_way(folder, forbidden):
    """Nothing below imports above; envs never imports routing (policies that re-plan with the
    MIP live in agents); agents use the plan MIP through its package only
    (``mmroute.routing.plan``), never its internals."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / folder
    bad = [
        f"{path.relative_to(root.parent)}: {name}"
        for path in sorted(root.rglob("*.py"))
        for name in _imported_modules(path)
        if name.startswith(forbidden)
    ]
    assert not bad


def test_the_world_imports_only_scenarios_and_the_ground_floor():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "world"
    allowed = ("mmroute.world", "mmroute.scenarios", *(f"mmroute.{m}" for m in GROUND_FLOOR),
               "mmroute.validate")
    allowed_exact = {"mmroute"}  # from mmroute import validate
    bad = [f"{p.name}: {name}" for p in sorted(root.glob("*.py"))
           for name in _imported_modules(p)
           if name.startswith("mmroute") and name not in allowed_exact
           and not name.startswith(allowed)]
    assert not bad


@pytest.mark.parametrize("path", sorted(MOVED))
def test_old_module_paths_resolve_with_a_deprecation_warning(path):
    import importlib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    assert list(_imported_modules(root / path)) == ["mmroute._lazy"]
    folder, *rest = path.removesuffix(".py").split("/")
    old = importlib.import_module(".".join(["mmroute", folder, *rest]))
    name, new = MOVED[path]
    with pytest.warns(DeprecationWarning, match="has moved"):
        value = getattr(old, name)
    assert value is getattr(importlib.import_module(new), name)
    with pytest.raises(AttributeError):
        _ = old.no_such_name


def test_the_plan_packages_old_names_are_the_worlds_with_a_warning():
    import mmroute.routing.plan as plan
    import mmroute.world as world

    for name in ("Conditions", "KnownEvents", "Plan", "PlanState", "check_plan"):
        with pytest.warns(DeprecationWarning, match=f"{name} has moved"):
            assert getattr(plan, name) is getattr(world, name)
    with pytest.raises(AttributeError):
        _ = plan.Network  # the deprecated alias of TimeExpandedNetwork is gone


GROUND_FLOOR = ("errors", "validate", "io", "report", "interrupt", "_lazy", "_compat")


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


PUBLIC_PACKAGES = ["mmroute", "mmroute.scenarios", "mmroute.world", "mmroute.routing",
                   "mmroute.routing.vrp", "mmroute.routing.loading", "mmroute.routing.loadroute",
                   "mmroute.routing.cars", "mmroute.routing.plan", "mmroute.envs", "mmroute.agents"]


def test_one_object_per_public_name_across_packages():
    """The API check: a public name means one thing wherever it is exported (no second
    ``check_plan``, ``Placement`` or ``Network``); re-exports are the same object."""
    import importlib

    seen: dict[str, dict[int, list[str]]] = {}
    for package in PUBLIC_PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            if name != "__version__":
                obj = getattr(module, name)
                seen.setdefault(name, {}).setdefault(id(obj), []).append(package)
    clashes = {name: list(where.values()) for name, where in seen.items() if len(where) > 1}
    assert not clashes
