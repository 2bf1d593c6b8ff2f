"""Models shipped with the package (``agents/models/<scenario>.zip`` + card), trained with the
project's own command (recorded in each card), so that comparisons run without training."""

from __future__ import annotations

from pathlib import Path

__all__ = ["MODELS_DIR", "shipped_model"]

MODELS_DIR = Path(__file__).resolve().parent / "models"


def shipped_model(scenario) -> Path | None:
    """The shipped model for ``scenario`` (same name and content hash), or ``None``."""
    from mmroute.agents.model import read_card
    from mmroute.envs.realization import scenario_hash

    path = MODELS_DIR / f"{scenario.name}.zip"
    if not path.is_file():
        return None
    card = read_card(path)
    return path if card["scenario_hash"] == scenario_hash(scenario) else None
