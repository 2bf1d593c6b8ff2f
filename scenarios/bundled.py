"""The scenarios shipped in ``scenarios/data/``: their names and files."""

from __future__ import annotations

from pathlib import Path

__all__ = ["BUNDLED_DIR", "bundled_names", "bundled_path"]

#: Folder of the bundled scenario files (installed as package data).
BUNDLED_DIR = Path(__file__).resolve().parent / "data"


def bundled_names() -> tuple[str, ...]:
    """Names of the bundled scenarios (file stems of ``data/*.yaml``), sorted."""
    return tuple(sorted(p.stem for p in BUNDLED_DIR.glob("*.yaml")))


def bundled_path(name: str) -> Path:
    """The file of bundled scenario ``name`` (it may not exist; :func:`load` says so)."""
    return BUNDLED_DIR / f"{name}.yaml"
