"""Session fixtures shared by every test module."""

from __future__ import annotations

import atexit
import csv
import os
import resource
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]

# Property and fuzz tests draw the same examples on every run (a red CI is a bug, never a new
# draw); MMROUTE_HYPOTHESIS=explore draws fresh ones, to hunt for bugs.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("MMROUTE_HYPOTHESIS", "repeatable"))

# The basemap vectors of the interactive pages are cached on disk (mmroute.scenarios.mapvectors):
# the session keeps its own cache, shared by its processes (service workers, CLI subprocesses
# inherit the variable), never the user's, removed at the end.
_CACHE = tempfile.mkdtemp(prefix="mmroute-test-cache-")
os.environ["MMROUTE_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)


def shared_data_dir() -> Path | None:
    """``../shared/data`` beside the clone (or ``$MMROUTE_SHARED_DATA``), or ``None`` if absent."""
    env = os.environ.get("MMROUTE_SHARED_DATA")
    path = Path(env) if env else REPO.parent / "shared" / "data"
    return path if path.is_dir() else None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The benchmark instances of ``../shared/data``; the test is skipped when they are absent."""
    path = shared_data_dir()
    if path is None:
        pytest.skip("benchmark data ../shared/data is absent (set MMROUTE_SHARED_DATA to use it)")
    return path


# Opt-in CPU profile of the suite: MMROUTE_TEST_CPU=path.csv writes one row per test (setup,
# call and teardown together) with the CPU seconds of this process and of its waited-for
# children (resource.getrusage deltas) and the wall seconds. Wall time is noisy on a shared
# machine; CPU is not. Processes that are not our children (Ray's workers, started by its
# raylet; SubprocVecEnv's forkserver workers) and children still running when the test ends
# are not counted: a module-scoped Ray instance's processes, reaped at ray.shutdown(), land
# on the module's last test.
_CPU_CSV = os.environ.get("MMROUTE_TEST_CPU")


def _cpu_s(who: int) -> float:
    """User + system CPU seconds of ``resource.getrusage(who)``."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


@dataclass(kw_only=True)
class _CpuRecorder:
    """Collects per-test CPU and wall seconds and writes them to ``path`` at the end."""

    path: Path
    rows: list[dict[str, object]] = field(default_factory=list)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None):
        self_s = _cpu_s(resource.RUSAGE_SELF)
        children_s = _cpu_s(resource.RUSAGE_CHILDREN)
        wall_s = time.perf_counter()
        yield
        self_s = _cpu_s(resource.RUSAGE_SELF) - self_s
        children_s = _cpu_s(resource.RUSAGE_CHILDREN) - children_s
        self.rows.append(
            {
                "nodeid": item.nodeid,
                "cpu_s": round(self_s + children_s, 3),
                "cpu_self_s": round(self_s, 3),
                "cpu_children_s": round(children_s, 3),
                "wall_s": round(time.perf_counter() - wall_s, 3),
            }
        )

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(
                handle, fieldnames=["nodeid", "cpu_s", "cpu_self_s", "cpu_children_s", "wall_s"]
            )
            writer.writeheader()
            writer.writerows(sorted(self.rows, key=lambda row: -float(row["cpu_s"])))


def pytest_configure(config: pytest.Config) -> None:
    """Registers the CPU recorder when ``MMROUTE_TEST_CPU`` names a CSV file."""
    if _CPU_CSV:
        config.pluginmanager.register(_CpuRecorder(path=Path(_CPU_CSV)), "mmroute-test-cpu")
