"""Session fixtures shared by every test module."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
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
