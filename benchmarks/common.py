"""Shared by the benchmark scripts: where the repository and the benchmark data are; CSV output."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mmroute.io import write_text_atomic

REPO = Path(__file__).resolve().parents[1]


def data_dir(arg: str | None) -> Path:
    """The benchmark data folder: ``arg``, else ``$MMROUTE_SHARED_DATA``, else ``../shared/data``
    beside the clone."""
    if arg:
        return Path(arg)
    env = os.environ.get("MMROUTE_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def write_csv(path: str | Path, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    """Write ``rows`` as CSV with a header (atomically) and say where."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns))
    w.writeheader()
    w.writerows(rows)
    write_text_atomic(path, buf.getvalue())
    print(f"wrote {path}")
