"""Model files: an SB3-layout zip plus a JSON card beside it (``name.zip`` + ``name.json``).

The card says what the model is for and how it was made: algorithm, scenario name and content
hash, configuration, network layout (``policy_kwargs``), seed, steps, validation score, the
seed ranges it was trained and selected on, package versions and the command. Loading a model
for another scenario, a model without its card, or a corrupt file is an
:class:`~mmroute.errors.InputError` naming the file.

Loading never unpickles: SB3's ``load`` would run the pickled objects of the zip's ``data``
entry (and ``torch.load`` of full pickles). :func:`load_model` reads the zip itself, takes
only the policy's weights (``policy.pth``, read by ``torch.load(weights_only=True)``: tensors
and plain containers only), builds a fresh PPO / MaskablePPO from the card's settings and the
env's spaces and loads the weights into it. A zip entry other than SB3's, a weight that is
missing, extra, of another shape or not finite is refused.
"""

from __future__ import annotations

import io
import platform
import zipfile
from pathlib import Path
from typing import Any

from mmroute.agents.registry import LEARNED
from mmroute.errors import InputError

__all__ = ["CARD_FORMAT", "MAX_MODEL_BYTES", "model_file", "card_path", "write_card",
           "read_card", "write_model", "model_card", "load_model", "read_weights", "restore_checkpoint",
           "versions", "PredictionOnly"]

CARD_FORMAT = 1
#: The training algorithms: the learned policies of the registry.
ALGOS = LEARNED
#: Largest model zip read (bytes), and largest entry once inflated.
MAX_MODEL_BYTES = 256 * 1024 * 1024
#: Largest card (bytes).
MAX_CARD_BYTES = 1024 * 1024
#: Most candidate slots a model may have (its action space).
MAX_CANDIDATES = 64
#: The entries an SB3 zip may hold; only ``policy.pth`` (and, to resume a training,
#: ``policy.optimizer.pth``) are read.
ZIP_ENTRIES = frozenset({"data", "policy.pth", "policy.optimizer.pth", "pytorch_variables.pth",
                         "_stable_baselines3_version", "system_info.txt"})


def model_file(path: str | Path) -> Path:
    """The model zip ``path`` names: itself, or a training folder's ``best.zip``."""
    p = Path(path)
    return p / "best.zip" if p.is_dir() else p


def card_path(model_path: str | Path) -> Path:
    """The card beside a model zip (of a training folder: ``best.json``)."""
    p = model_file(model_path)
    if p.name in ("", ".", ".."):
        raise InputError("not a model file name", file=str(model_path))
    return p.with_suffix(".json")


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


def _full_card(card: dict[str, Any]) -> dict[str, Any]:
    card = {"format": CARD_FORMAT, **card}
    config = card.get("config")
    if "policy_kwargs" not in card and isinstance(config, dict) and "net_arch" in config:
        card["policy_kwargs"] = {"net_arch": list(config["net_arch"])}
    return card


def write_card(model_path: str | Path, card: dict[str, Any]) -> Path:
    """Write the card of ``model_path`` atomically (``policy_kwargs`` added from the config)."""
    from mmroute.io import write_json_atomic

    return write_json_atomic(card_path(model_path), _full_card(card))


def write_model(model_path: str | Path, writer, card: dict[str, Any]) -> Path:
    """Write a model zip (``writer(tmp_path)``) and its card as a pair: both or neither.

    Both go to temporary files first; the renames happen together when both are whole, the
    card first and the zip last (targets that are not regular files are refused before either
    is renamed), so a failure leaves the previous pair or none.
    """
    import json

    from mmroute.io import immediate_outputs, output_group, write_with

    p = Path(model_path)
    text = json.dumps(_full_card(card), indent=2, allow_nan=False) + "\n"
    with immediate_outputs(), output_group():
        write_with(card_path(p), lambda tmp: tmp.write_text(text, encoding="utf-8"))
        write_with(p, writer)
    return p


def _pair(value: Any, field: str, file: Path) -> list[int]:
    from mmroute.validate import is_integer

    if not (isinstance(value, list) and len(value) == 2 and all(is_integer(x) for x in value)
            and 0 <= value[0] < value[1] <= 2**31):
        raise InputError(f"expected a seed range [lo, hi) with 0 <= lo < hi <= 2^31, "
                         f"got {value!r}", file=file, field=field)
    return [int(value[0]), int(value[1])]


def _net_arch(value: Any, field: str, file: Path) -> list[int]:
    from mmroute.validate import is_integer

    if not (isinstance(value, list) and 1 <= len(value) <= 16
            and all(is_integer(x) and 1 <= x <= 4096 for x in value)):
        raise InputError("expected a list of 1 to 16 layer sizes in 1..4096", file=file,
                         field=field)
    return [int(x) for x in value]


def read_card(model_path: str | Path) -> dict[str, Any]:
    """Read and check the card of a model zip (or of a training folder's ``best.zip``).

    Read as a regular file of at most 1 MB with :func:`mmroute.io.read_json` (NaN refused);
    every field a loader or an evaluation uses is checked: types, ranges, the observation size
    of the candidate count, the configuration (:class:`~mmroute.agents.TrainConfig`)."""
    from mmroute.envs.candidates import N_FEATURES
    from mmroute.envs.reroute import N_CONSIGNMENT, N_GLOBAL
    from mmroute.io import json_int, json_number, read_json
    from mmroute.validate import MAX_SEED

    p = card_path(model_path)
    try:
        card = read_json(p, what="model card", max_bytes=MAX_CARD_BYTES)
    except InputError as exc:
        if exc.reason == "file not found":
            raise InputError("model card missing (every model zip has a .json card beside it)",
                             file=p) from None
        raise
    if not isinstance(card, dict) or card.get("format") != CARD_FORMAT:
        raise InputError(f"not a model card of format {CARD_FORMAT}", file=p)
    for key in ("algo", "scenario", "scenario_hash", "n_candidates", "observation_dim"):
        if key not in card:
            raise InputError(f"model card lacks {key!r}", file=p, field=key)
    if card["algo"] not in ALGOS:
        raise InputError(f"algo must be one of {ALGOS}", file=p, field="algo")
    for key in ("scenario", "scenario_hash"):
        if not isinstance(card[key], str):
            raise InputError("expected a string", file=p, field=key)
    k = json_int(card["n_candidates"], "n_candidates", file=p)
    if not 2 <= k <= MAX_CANDIDATES:
        raise InputError(f"expected 2..{MAX_CANDIDATES} candidates, got {k}", file=p,
                         field="n_candidates")
    dim = k * N_FEATURES + N_CONSIGNMENT + N_GLOBAL
    if json_int(card["observation_dim"], "observation_dim", file=p) != dim:
        raise InputError(f"expected {dim} (for {k} candidates), got {card['observation_dim']!r}",
                         file=p, field="observation_dim")
    if "seed" in card:
        json_int(card["seed"], "seed", file=p, limit=MAX_SEED)
        if card["seed"] < 0:
            raise InputError("expected a seed >= 0", file=p, field="seed")
    if "timesteps" in card and json_int(card["timesteps"], "timesteps", file=p) < 0:
        raise InputError("expected a step count >= 0", file=p, field="timesteps")
    for key in ("validation_cost", "best_validation_cost"):
        if key in card:
            json_number(card[key], key, file=p, nullable=True)
    for key in ("training_seeds", "validation_seeds"):
        if key in card:
            card[key] = _pair(card[key], key, p)
    if "config" in card:
        from mmroute.agents.training import TrainConfig

        cfg = TrainConfig.from_dict(card["config"], file=str(p), field="config")
        if cfg.n_candidates != k:
            raise InputError(f"config.n_candidates {cfg.n_candidates} differs from "
                             f"n_candidates {k}", file=p, field="config.n_candidates")
    kwargs = card.get("policy_kwargs")
    if kwargs is None and isinstance(card.get("config"), dict):
        kwargs = {"net_arch": card["config"]["net_arch"]}
    if not isinstance(kwargs, dict) or set(kwargs) != {"net_arch"}:
        raise InputError("expected {\"net_arch\": [layer sizes]} (the network to rebuild)",
                         file=p, field="policy_kwargs")
    card["policy_kwargs"] = {"net_arch": _net_arch(kwargs["net_arch"], "policy_kwargs.net_arch",
                                                   p)}
    return card


def _zip_entry(z: zipfile.ZipFile, name: str, p: Path) -> bytes | None:
    try:
        info = z.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_MODEL_BYTES:
        raise InputError(f"zip entry {name} too large ({info.file_size} bytes)", file=p)
    try:
        with z.open(info) as fh:
            data = fh.read(MAX_MODEL_BYTES + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise InputError(f"corrupt model zip ({name}: {exc})", file=p) from None
    if len(data) > MAX_MODEL_BYTES:
        raise InputError(f"zip entry {name} too large", file=p)
    return data


def _torch_data(data: bytes, name: str, p: Path) -> Any:
    """Tensors and plain containers from a ``torch.save`` entry; never arbitrary objects."""
    import pickle

    import torch

    try:
        return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, ValueError, TypeError, EOFError, KeyError,
            AttributeError, OSError, zipfile.BadZipFile, IndexError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{name} is not plain weights ({first[:200]})", file=p) from None


def read_weights(path: str | Path, *, optimizer: bool = False) -> tuple[dict, dict | None]:
    """``(policy state dict, optimizer state dict or None)`` of a model zip, without
    unpickling anything: a regular file of at most :data:`MAX_MODEL_BYTES` holding SB3's
    entries only."""
    from mmroute.io import read_bytes

    p = Path(path)
    raw = read_bytes(p, what="model zip", max_bytes=MAX_MODEL_BYTES)
    try:
        z = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise InputError("not a model zip (corrupt or another file)", file=p) from None
    with z:
        names = [i.filename for i in z.infolist()]
        odd = sorted(set(names) - ZIP_ENTRIES)
        if odd or len(names) != len(set(names)):
            raise InputError(f"unexpected zip entries {odd or 'duplicated'}; a model zip holds "
                             f"only {', '.join(sorted(ZIP_ENTRIES))}", file=p)
        data = _zip_entry(z, "policy.pth", p)
        if data is None:
            raise InputError("the model zip has no policy.pth (the weights)", file=p)
        state = _torch_data(data, "policy.pth", p)
        opt = None
        if optimizer:
            data = _zip_entry(z, "policy.optimizer.pth", p)
            if data is None:
                raise InputError("the checkpoint has no policy.optimizer.pth", file=p)
            opt = _torch_data(data, "policy.optimizer.pth", p)
            if not isinstance(opt, dict):
                raise InputError("policy.optimizer.pth is not an optimizer state", file=p)
    if not isinstance(state, dict):
        raise InputError("policy.pth is not a dict of weights", file=p)
    return state, opt


class PredictionOnly:
    """The optimizer of a model loaded for prediction (``load_model(..., optimizer=False)``):
    none. Building torch's Adam imports ``torch._dynamo`` (about 1.5 s of CPU per process) and
    a prediction never steps it; training, saving or reading its state is refused."""

    def __init__(self, params: Any = None, **_: Any) -> None:
        """Takes what SB3 gives an optimizer class (the parameters, ``lr``) and keeps none."""

    def _refuse(self, *_: Any, **__: Any) -> Any:
        from mmroute.errors import MMRouteError

        raise MMRouteError("this model was loaded for prediction only; load it with "
                           "load_model(..., optimizer=True) to train or save it")

    step = zero_grad = state_dict = load_state_dict = add_param_group = _refuse

    @property
    def param_groups(self) -> list[dict[str, Any]]:
        return self._refuse()


def fresh_model(card: dict[str, Any], *, env=None, device: str = "cpu",
                optimizer: bool = True, **settings):
    """A new PPO / MaskablePPO with the card's network and settings, on ``env`` or, without
    one, on the spaces of ``RerouteEnv`` with the card's candidate count. ``optimizer=False``:
    a model for weights loaded next, to predict: no Adam (:class:`PredictionOnly`) and no
    orthogonal initialisation (its QR decompositions cost about a second of CPU, and the
    loaded weights replace it)."""
    if card["algo"] == "maskable-ppo":
        from sb3_contrib import MaskablePPO as Algo
    else:
        from stable_baselines3 import PPO as Algo
    cfg = dict(card.get("config") or {})
    hyper = {k: cfg[k] for k in ("n_steps", "batch_size", "n_epochs", "learning_rate", "gamma",
                                 "gae_lambda", "clip_range", "ent_coef") if k in cfg}
    hyper.update(settings)
    kwargs: dict[str, Any] = {"net_arch": list(card["policy_kwargs"]["net_arch"])}
    if not optimizer:
        kwargs.update(optimizer_class=PredictionOnly, ortho_init=False)
    if env is not None:
        return Algo("MlpPolicy", env, policy_kwargs=kwargs, device=device, verbose=0, **hyper)
    import numpy as np
    from gymnasium import spaces

    model = Algo("MlpPolicy", None, policy_kwargs=kwargs, device=device, verbose=0,
                 _init_setup_model=False, **hyper)
    model.observation_space = spaces.Box(-10.0, 10.0, (card["observation_dim"],),
                                         dtype=np.float32)
    model.action_space = spaces.Discrete(card["n_candidates"])
    model.n_envs = 1
    model._setup_model()  # what SB3's own load does after setting the spaces
    return model


def set_weights(model, state: dict, p: Path) -> None:
    """Load a policy state dict into ``model``: the very names and shapes, finite floats."""
    import torch

    want = model.policy.state_dict()
    if set(state) != set(want):
        missing, extra = sorted(set(want) - set(state)), sorted(set(state) - set(want))
        raise InputError(f"weights do not fit the card's network (missing {missing[:3]}, "
                         f"unexpected {[str(x)[:40] for x in extra[:3]]})", file=p)
    for name, t in state.items():
        if not isinstance(t, torch.Tensor) or t.shape != want[name].shape \
                or t.dtype != want[name].dtype:
            raise InputError(f"weight {name} is not a {want[name].dtype} tensor of shape "
                             f"{tuple(want[name].shape)}", file=p)
        if not bool(torch.isfinite(t).all()):
            raise InputError(f"weight {name} is not finite", file=p)
    model.policy.load_state_dict(state, strict=True)


def restore_checkpoint(model, path: str | Path) -> dict[str, Any]:
    """Continue a training from a checkpoint zip our training wrote: its policy weights and
    optimizer state (both read with ``weights_only=True``) go into ``model`` (a fresh one
    of the checkpoint's settings), the step and update counters come from the card (JSON).
    Nothing is unpickled. Returns the card."""
    from mmroute.io import json_int

    p = Path(path)
    card = read_card(p)
    state, opt = read_weights(p, optimizer=True)
    set_weights(model, state, p)
    try:
        model.policy.optimizer.load_state_dict(opt)
    except (ValueError, KeyError, TypeError, RuntimeError, IndexError) as exc:
        raise InputError(f"policy.optimizer.pth does not fit the model's optimizer ({exc})"[:300],
                         file=p) from None
    model.num_timesteps = json_int(card.get("timesteps", 0), "timesteps", file=card_path(p))
    model._num_timesteps_at_start = model.num_timesteps
    model._n_updates = json_int(card.get("n_updates", 0), "n_updates", file=card_path(p))
    return card


def check_policy_names(policies) -> None:
    """:class:`InputError` unless ``policies`` is ``None`` or a non-empty list of names."""
    if policies is None:
        return
    if isinstance(policies, str) or not isinstance(policies, list | tuple) or not policies \
            or not all(isinstance(p, str) and p for p in policies):
        raise InputError(f"expected a non-empty list of policy names, got {policies!r}"[:200],
                         field="policies")


def check_evaluation(card: dict[str, Any], scenario, seeds, *,
                     allow_training_seeds: bool = False, model=None) -> None:
    """What an evaluation of a model must respect: the card's candidate count is the
    evaluation env's (``n_candidates``), and no seed is one the model was trained or
    selected on (``training_seeds`` / ``validation_seeds``) unless ``allow_training_seeds``."""
    from mmroute.envs.reroute import RerouteEnv

    where = model_file(model) if model is not None else None
    k = RerouteEnv(scenario).k
    if card["n_candidates"] != k:
        raise InputError(f"the model was trained with n_candidates={card['n_candidates']}; "
                         f"evaluation offers {k} candidates", file=where,
                         field="n_candidates")
    if not isinstance(allow_training_seeds, bool):
        raise InputError("expected true or false", field="allow_training_seeds")
    if allow_training_seeds:
        return
    for key, what in (("training_seeds", "trained"), ("validation_seeds", "selected")):
        lo, hi = card.get(key) or (0, 0)
        seen = [s for s in seeds if lo <= s < hi]
        if seen:
            raise InputError(f"seed {seen[0]} is one the model was {what} on ([{lo}, {hi})): "
                             f"its score there says nothing (allow_training_seeds / "
                             f"--allow-training-seeds to run it anyway)", file=where,
                             field="seeds")


def model_card(path: str | Path, *, scenario=None) -> dict[str, Any]:
    """The checked card of a model zip (or of a training folder's ``best.zip``) that exists,
    made for ``scenario`` (content hash) when given; its weights are not read."""
    p = model_file(path)
    if not p.exists():
        raise InputError("model file not found", file=p)
    card = read_card(p)
    if scenario is not None:
        from mmroute.world.realization import scenario_hash

        if card["scenario_hash"] != scenario_hash(scenario):
            raise InputError(
                f"model trained for scenario {card['scenario']!r} ({card['scenario_hash']}), "
                f"not {scenario.name!r} ({scenario_hash(scenario)})", file=p)
    return card


def load_model(path: str | Path, *, scenario=None, device: str = "cpu", optimizer: bool = False):
    """``(model, card)`` of a model zip (or a training folder: its ``best.zip``), checked
    against ``scenario`` (content hash) when given. Nothing is unpickled (module docstring).
    The model predicts; ``optimizer=True`` also gives it a fresh Adam, to train or save it
    (without one, :class:`PredictionOnly` refuses both)."""
    p = model_file(path)
    card = model_card(p, scenario=scenario)  # the card first: a model without one is refused
    state, _ = read_weights(p)
    model = fresh_model(card, device=device, optimizer=optimizer)
    set_weights(model, state, p)
    model.num_timesteps = int(card.get("timesteps", 0))
    return model, card
