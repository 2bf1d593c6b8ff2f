"""Models shipped with the package (``agents/models/<scenario>.zip`` + card), trained with the
project's own command (recorded in each card), so that comparisons run without training."""

from __future__ import annotations

from pathlib import Path

__all__ = ["MODELS_DIR", "shipped_model", "ship_model"]

MODELS_DIR = Path(__file__).resolve().parent / "models"


def shipped_model(scenario) -> Path | None:
    """The shipped model for ``scenario`` (a name, path or Scenario; same name and content
    hash), or ``None``."""
    from mmroute.agents.model_files import read_card
    from mmroute.scenarios import as_scenario
    from mmroute.world.realization import scenario_hash

    scenario = as_scenario(scenario)
    path = MODELS_DIR / f"{scenario.name}.zip"
    if not path.is_file():
        return None
    card = read_card(path)
    return path if card["scenario_hash"] == scenario_hash(scenario) else None


def ship_model(run_dir: str | Path, scenario, *, models_dir: Path = MODELS_DIR) -> Path:
    """Copy a training run's best model into the package as ``<scenario>.zip`` + card, with
    the optimizer state dropped (a fresh Adam: a third of the size; inference does not use
    it). The card keeps the training command, config, seed, steps and validation score."""
    from mmroute.agents.model_files import load_model, write_model

    src = Path(run_dir) / "best.zip"
    model, card = load_model(src, scenario=scenario, optimizer=True)  # its Adam is new
    dst = models_dir / f"{scenario.name}.zip"
    card = {k: v for k, v in card.items() if k != "format"}
    write_model(dst, lambda tmp: model.save(tmp),
                {**card, "shipped_from": str(src.name), "optimizer_state": "dropped"})
    load_model(dst, scenario=scenario)  # what was written loads
    return dst
