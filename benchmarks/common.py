"""Shared by the benchmark scripts: where the repository and the benchmark data are."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def data_dir(arg: str | None) -> Path:
    """The benchmark data folder: ``arg``, else ``$MMROUTE_SHARED_DATA``, else ``../shared/data``
    beside the clone."""
    if arg:
        return Path(arg)
    env = os.environ.get("MMROUTE_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"
