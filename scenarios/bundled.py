"""The scenarios shipped in ``scenarios/data/``: their names and files."""

from __future__ import annotations

from pathlib import Path

__all__ = ["BUNDLED_DIR", "AT_SCALE", "bundled_names", "bundled_path"]

#: Folder of the bundled scenario files (installed as package data).
BUNDLED_DIR = Path(__file__).resolve().parent / "data"
#: Bundled scenarios at a carmaker's scale (1,000+ consignments, made by ``mmroute scenarios
#: scale``): a plan takes a minute, not a second, so tests and baselines that solve or simulate
#: every bundled scenario leave these out and test them on their own (marked slow).
AT_SCALE = frozenset({"liuzhou-asean-month"})


def bundled_names() -> tuple[str, ...]:
    """Names of the bundled scenarios (file stems of ``data/*.yaml``), sorted."""
    return tuple(sorted(p.stem for p in BUNDLED_DIR.glob("*.yaml")))


def bundled_path(name: str) -> Path:
    """The file of bundled scenario ``name`` (it may not exist; :func:`load` says so)."""
    return BUNDLED_DIR / f"{name}.yaml"
