"""Model files: an SB3 zip plus a JSON card beside it (``name.zip`` + ``name.json``).

The card says what the model is for and how it was made: algorithm, scenario name and content
hash, configuration, seed, steps, validation score, package versions and the command. Loading
a model for another scenario, a model without its card, or a corrupt file is an
:class:`~mmroute.errors.InputError` naming the file.
"""

from __future__ import annotations

import json
import platform
import zipfile
from pathlib import Path
from typing import Any

from mmroute.agents.registry import LEARNED
from mmroute.errors import InputError

__all__ = ["CARD_FORMAT", "model_file", "card_path", "write_card", "read_card", "load_model", "versions"]

CARD_FORMAT = 1
#: The training algorithms: the learned policies of the registry.
ALGOS = LEARNED


def model_file(path: str | Path) -> Path:
    """The model zip ``path`` names: itself, or a training folder's ``best.zip``."""
    p = Path(path)
    return p / "best.zip" if p.is_dir() else p


def card_path(model_path: str | Path) -> Path:
    """The card beside a model zip."""
    return Path(model_path).with_suffix(".json")


def versions() -> dict[str, str]:
    """Versions of the packages a model depends on."""
    import gymnasium
    import sb3_contrib
    import stable_baselines3
    import torch

    import mmroute

    return {"mmroute": mmroute.__version__, "python": platform.python_version(),
            "torch": torch.__version__, "stable-baselines3": stable_baselines3.__version__,
            "sb3-contrib": sb3_contrib.__version__, "gymnasium": gymnasium.__version__}


def write_card(model_path: str | Path, card: dict[str, Any]) -> Path:
    """Write the card of ``model_path`` atomically."""
    from mmroute.io import write_json_atomic

    return write_json_atomic(card_path(model_path), {"format": CARD_FORMAT, **card})


def read_card(model_path: str | Path) -> dict[str, Any]:
    """Read and check the card of a model zip."""
    p = card_path(model_path)
    try:
        card = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("model card missing (every model zip has a .json card beside it)",
                         file=p) from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"unreadable model card: {exc}", file=p) from None
    if not isinstance(card, dict) or card.get("format") != CARD_FORMAT:
        raise InputError(f"not a model card of format {CARD_FORMAT}", file=p)
    for key in ("algo", "scenario", "scenario_hash", "n_candidates", "observation_dim"):
        if key not in card:
            raise InputError(f"model card lacks {key!r}", file=p, field=key)
    if card["algo"] not in ALGOS:
        raise InputError(f"algo must be one of {ALGOS}", file=p, field="algo")
    return card


def load_model(path: str | Path, *, scenario=None, device: str = "cpu"):
    """``(model, card)`` of a model zip (or a training folder: its ``best.zip``), checked
    against ``scenario`` (content hash) when given."""
    p = model_file(path)
    if not p.is_file():
        raise InputError("model file not found", file=p)
    card = read_card(p)
    if scenario is not None:
        from mmroute.world.realization import scenario_hash

        if card["scenario_hash"] != scenario_hash(scenario):
            raise InputError(
                f"model trained for scenario {card['scenario']!r} ({card['scenario_hash']}), "
                f"not {scenario.name!r} ({scenario_hash(scenario)})", file=p)
    if not zipfile.is_zipfile(p):
        raise InputError("not a model zip (corrupt or another file)", file=p)
    if card["algo"] == "maskable-ppo":
        from sb3_contrib import MaskablePPO as Algo
    else:
        from stable_baselines3 import PPO as Algo
    try:
        model = Algo.load(p, device=device)
    except Exception as exc:  # SB3 raises many kinds on a corrupt zip
        raise InputError(f"cannot load the model: {type(exc).__name__}: {exc}", file=p) from None
    if model.observation_space.shape != (card["observation_dim"],):
        raise InputError("model observation size differs from its card", file=p)
    return model, card
