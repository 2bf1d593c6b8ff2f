"""Training PPO / MaskablePPO agents on ``mmroute/Reroute-v0`` for any valid scenario.

Episodes are drawn from the training seed range only; every ``eval_every`` steps the agent is
scored (deterministic, masked) on the first ``val_episodes`` validation seeds by the episode
cost (CNY) and the best model is kept (``best.zip`` + card); ``checkpoint.zip`` is written
every ``checkpoint_every`` steps, atomically, and ``resume`` continues from it with the same
step count. TensorBoard logs go to ``OUT/tb``, validation scores to ``OUT/validation.csv``.
Unless ``imitation_episodes`` is 0, PPO starts from a policy cloned from an expert's decisions
on training episodes (``expert``: by default the hindsight plans;
:mod:`mmroute.agents.imitation`), validated as step 0.
"""

from __future__ import annotations

import math
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from mmroute.agents.budget import EVAL_EVERY, VAL_EPISODES, ppo_steps
from mmroute.agents.model_files import (
    ALGOS,
    card_path,
    load_model,
    read_card,
    restore_checkpoint,
    versions,
)
from mmroute.agents.phases import PhaseClock
from mmroute.agents.progress import progress
from mmroute.agents.seeds import TRAINING, VALIDATION, check_disjoint
from mmroute.agents.shaping import ShapedReward, potential  # noqa: F401 - their old home
from mmroute.agents.yaml_safe import safe_yaml
from mmroute.errors import InputError
from mmroute.scenarios import as_scenario
from mmroute.validate import integer, is_integer, number

__all__ = ["TrainConfig", "train", "validate_model", "ShapedReward"]


#: Bounds of the settings, checked before anything runs: ``(lo, hi)`` inclusive; a float
#: whose lower bound is 0 must be > 0 where marked open (``lo_open``).
_INT_BOUNDS: dict[str, tuple[int, int]] = {
    "n_envs": (1, 64), "n_steps": (2, 65_536), "batch_size": (2, 1_048_576),
    "n_epochs": (1, 1_000), "n_candidates": (2, 64), "eval_every": (1, 10**9),
    "val_episodes": (1, 1_000), "checkpoint_every": (1, 10**9),
    "imitation_episodes": (0, 100_000), "imitation_epochs": (1, 10_000),
    "dagger_rounds": (0, 100), "dagger_episodes": (1, 100_000)}
_FLOAT_BOUNDS: dict[str, tuple[float, float, bool]] = {  # (lo, hi, lo_open)
    "learning_rate": (0.0, 1.0, True), "gamma": (0.0, 1.0, True),
    "gae_lambda": (0.0, 1.0, True), "clip_range": (0.0, 1.0, True),
    "ent_coef": (0.0, 1.0, False), "imitation_learning_rate": (0.0, 1.0, True)}
#: Settings that may be ``None``: then the budget's recipe decides them.
_BUDGETED = ("imitation_episodes", "dagger_rounds", "dagger_episodes", "val_episodes",
             "eval_every")
#: Most steps in one rollout (``n_steps * n_envs``): the buffer holds that many observations.
MAX_ROLLOUT_STEPS = 262_144


@dataclass(frozen=True)
class TrainConfig:
    """Training settings; defaults that work on any scenario without tuning.

    Every field is checked with bounds when the config is made (:data:`_INT_BOUNDS`,
    :data:`_FLOAT_BOUNDS`; ``n_steps * n_envs`` at most :data:`MAX_ROLLOUT_STEPS`): a bad
    value is an :class:`InputError` naming the field, before anything runs."""

    n_envs: int = 2  # SubprocVecEnv workers (1: in-process)
    n_steps: int = 256  # steps per worker per update
    batch_size: int = 128
    # PPO fine-tunes the cloned policy gently (SB3's defaults, 3e-4 / 10 epochs / clip 0.2 /
    # entropy 0.01, undo the warm start within 8k steps); from scratch (imitation_episodes:
    # 0) use learning_rate 3e-4, n_epochs 10, clip_range 0.2, ent_coef 0.01
    n_epochs: int = 5
    learning_rate: float = 3e-5
    gamma: float = 0.99
    gae_lambda: float = 0.95
    clip_range: float = 0.1
    ent_coef: float = 0.0
    net_arch: tuple[int, ...] = (64, 64)
    n_candidates: int = 8
    # steps between validations, and validation seeds used (from the validation range; 10
    # were too few to choose a model: one chosen on 10 at 719k CNY was 749k on 30); None
    # (the default): the budget's rule (30 episodes every 4096 steps on small scenarios;
    # fewer, rarer ones of long episodes: mmroute.agents.budget)
    eval_every: int | None = None
    val_episodes: int | None = None
    checkpoint_every: int = 4096
    shaping: bool = True  # potential-based reward shaping (ShapedReward); same optimal policy
    # imitation warm start (mmroute.agents.imitation): behaviour cloning of the hindsight
    # plans of this many training episodes before PPO (0: off), then DAgger rounds of
    # dagger_episodes each (the agent acts, the clairvoyant re-planner labels its states)
    # None (the default): as many as the budget buys (mmroute.agents.budget.recipe; at
    # most 600 episodes, 2 rounds of 100); a number given wins
    imitation_episodes: int | None = None
    imitation_epochs: int = 30
    imitation_learning_rate: float = 1e-3
    dagger_rounds: int | None = None
    dagger_episodes: int | None = None
    # the env's hold candidate (RerouteEnv's ``hold``: "off", or "latest": slot 1 holds slot
    # 0's move until the latest hour that still makes its connection, else the next move, or
    # "reserved": slot 1 the hold or empty); kept in the card, so evaluation builds the same env
    hold: str = "off"
    # the expert imitation and DAgger learn from (mmroute.agents.registry.EXPERTS):
    # "hindsight" (the clairvoyant plan; DAgger labels by the clairvoyant re-planner),
    # "replan" or "replan-late" (non-anticipative: they label, and re-plan, on what is known;
    # replan-late holds, labelled with the hold slot when hold is not "off")
    expert: str = "hindsight"

    def __post_init__(self):
        from mmroute.agents.registry import EXPERTS
        from mmroute.envs.hold import HOLDS

        for f in fields(self):
            v = getattr(self, f.name)
            if f.name == "net_arch":
                if not (isinstance(v, tuple) and 1 <= len(v) <= 16
                        and all(is_integer(x) and 0 < x <= 4096 for x in v)):
                    raise InputError("net_arch must be a list of 1 to 16 layer sizes in "
                                     "1..4096", field="net_arch")
                object.__setattr__(self, "net_arch", tuple(int(x) for x in v))
            elif f.type == "bool":
                if not isinstance(v, bool):
                    raise InputError(f"must be true or false, not {v!r}", field=f.name)
            elif v is None and f.name in _BUDGETED:
                continue  # decided by the budget's recipe when the run starts
            elif f.name in ("hold", "expert"):
                choices = HOLDS if f.name == "hold" else EXPERTS
                if not isinstance(v, str) or v not in choices:
                    raise InputError(f"must be one of {', '.join(choices)}, not {v!r}"[:200],
                                     field=f.name)
            elif f.name in _INT_BOUNDS:
                lo, hi = _INT_BOUNDS[f.name]
                if not is_integer(v):  # 1e12 or 1.0 from YAML: a number, not an integer
                    raise InputError(f"expected an integer in {lo}..{hi}, got {v!r}",
                                     field=f.name)
                object.__setattr__(self, f.name, integer(v, f.name, lo=lo, hi=hi))
            else:
                lo, hi, lo_open = _FLOAT_BOUNDS[f.name]
                object.__setattr__(self, f.name, number(v, f.name, lo=lo, hi=hi,
                                                        lo_open=lo_open))
        if self.hold != "off" and self.n_candidates < 3:
            raise InputError(f"hold {self.hold!r} needs n_candidates >= 3", field="n_candidates")
        if self.n_steps * self.n_envs > MAX_ROLLOUT_STEPS:
            raise InputError(f"n_steps * n_envs must be at most {MAX_ROLLOUT_STEPS:,}, got "
                             f"{self.n_steps * self.n_envs:,}", field="n_steps")
        if self.val_episodes is not None and self.val_episodes > VALIDATION.hi - VALIDATION.lo:
            raise InputError("more validation episodes than validation seeds", field="val_episodes")

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, file: str | None = None,
                  field: str | None = None) -> TrainConfig:
        """Settings from a mapping (a parsed YAML file, a card's ``config``); ``field``
        prefixes the field names in messages."""
        def name(f: str | None) -> str | None:
            return f"{field}.{f}" if field and f else (field or f)

        if not isinstance(data, dict):
            raise InputError("expected a mapping of settings", file=file, field=field)
        known = {f.name for f in fields(cls)}
        unknown = [k for k in data if not isinstance(k, str) or k not in known]
        if unknown:
            shown = sorted(repr(k)[:40] for k in unknown)
            raise InputError(f"unknown settings {', '.join(shown)}; known: {', '.join(sorted(known))}",
                             file=file, field=field)
        d = dict(data)
        if "net_arch" in d and isinstance(d["net_arch"], list):
            d["net_arch"] = tuple(d["net_arch"])
        try:
            return cls(**d)
        except InputError as exc:
            raise InputError(exc.reason, file=file, field=name(exc.field)) from None

    @classmethod
    def from_file(cls, path: str | Path) -> TrainConfig:
        """Read a YAML (or JSON) file of settings: a regular file of at most 1 MB
        (:func:`mmroute.io.read_text`), without YAML aliases (:func:`safe_yaml`)."""
        from mmroute.io import read_text

        text = read_text(path, what="config file", max_bytes=1024 * 1024)
        data = safe_yaml(text, file=path)
        return cls.from_dict({} if data is None else data, file=str(path))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["net_arch"] = list(self.net_arch)
        return d


def _make_env(scenario, n_candidates: int, rank: int, shaping: bool, gamma: float,
              hold: str = "off"):
    def thunk():
        from stable_baselines3.common.monitor import Monitor

        from mmroute.envs.reroute import RerouteEnv

        env = Monitor(RerouteEnv(scenario, n_candidates=n_candidates, hold=hold,
                                 episode_seeds=(TRAINING.lo, TRAINING.hi)))
        return ShapedReward(env, gamma) if shaping else env
    return thunk


def validate_model(model, scenario, *, seeds, n_candidates: int, maskable: bool,
                   hold: str = "off") -> float:
    """Mean episode cost (CNY) of ``model`` (deterministic) on ``seeds`` (``hold``: the
    env's, as trained)."""
    from mmroute.agents.rollout import ModelPolicy, rollout
    from mmroute.envs.reroute import RerouteEnv
    from mmroute.world.realization import realize

    env = RerouteEnv(scenario, n_candidates=n_candidates, hold=hold)
    policy = ModelPolicy(model, maskable=maskable)
    return float(np.mean([rollout(env, policy, realize(scenario, s)).cost_cny for s in seeds]))


def train(scenario, *, algo: str = "maskable-ppo", timesteps: int, seed: int, out: str | Path,
          config: TrainConfig | None = None, resume: bool = False, progress_bar: bool = False,
          command: str | None = None, log=print, backend: str = "local") -> dict[str, Any]:
    """Train ``algo`` on ``scenario`` for ``timesteps`` steps in all; return the final card.

    ``backend="ray"`` runs the same training as one Ray task (reserving ``n_envs`` CPUs) on the
    cluster ``RAY_ADDRESS`` names, or on a local Ray: the ``out`` folder goes with it (for
    ``resume``) and every file it writes comes back into ``out`` when it ends (a run that
    fails or is interrupted leaves ``out`` as it was); its log lines are printed as they
    come."""
    timesteps, seed, config = check_train_args(algo, timesteps, seed, config, out)
    if backend != "local":
        return _train_on_ray(scenario, algo=algo, timesteps=timesteps, seed=seed, out=out,
                             config=config, resume=resume, command=command, backend=backend)
    with torch_threads(TORCH_THREADS):
        return _train(scenario, algo=algo, timesteps=timesteps, seed=seed, out=out,
                      config=config, resume=resume, progress_bar=progress_bar,
                      command=command, log=log)


#: torch's intra-op threads while a run trains: its batches (256 x ~131 floats, a 64x64
#: MLP) are too small to share. Measured with the machine shared (load 9 on 2 cores): one
#: behaviour-cloning batch took 3.5 ms of CPU (20 ms wall) on one thread and 130-160 ms of
#: CPU (670-790 ms wall) on two, whose OpenMP workers spin waiting for each other; at load 4,
#: 2.5 ms against 108 ms.
TORCH_THREADS = 1


@contextmanager
def torch_threads(n: int):
    """torch's intra-op thread count set to ``n`` for the block, restored after."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _train(scenario, *, algo: str, timesteps: int, seed: int, out: str | Path,
           config: TrainConfig | None, resume: bool, progress_bar: bool, command: str | None,
           log) -> dict[str, Any]:
    """:func:`train` on this machine, its arguments checked."""
    from mmroute.agents.callbacks import ModelWriter, Periodic, PPOProgress, Validator

    sc = as_scenario(scenario)
    out = Path(out)
    cfg, seed = _open_run(out, sc, algo, config, resume, seed)
    maskable = algo == "maskable-ppo"
    t0 = time.perf_counter()
    clock = PhaseClock()  # wall and CPU seconds per phase (of this session of the run)
    spent = {"measure": 0, "imitation": 0, "dagger": 0}  # env steps before PPO
    if resume:
        spent = dict(read_card(out / "checkpoint.zip").get("env_steps_before_ppo") or spent)
    else:
        with clock.phase("measure"):
            cfg, spent["measure"], d = _budgeted(sc, cfg, timesteps, seed, progress_bar, log)
    val_seeds = _validation_seeds(cfg)
    vec = _vec_env(sc, cfg, seed)
    model = _algorithm(algo, cfg, vec, seed, out, resume)
    writer = ModelWriter(model, out, {**_card(sc, algo, cfg, seed, val_seeds, command),
                                      "budget_timesteps": timesteps})
    validator = Validator(writer, sc, seeds=val_seeds, n_candidates=cfg.n_candidates,
                          hold=cfg.hold,
                          maskable=maskable, best=_best_so_far(out) if resume else math.inf,
                          log=log, clock=clock)
    cb = Periodic(validator, eval_every=cfg.eval_every, checkpoint_every=cfg.checkpoint_every)
    try:
        if not resume and cfg.imitation_episodes > 0:
            _warm_start(model, sc, cfg, seed, maskable, log, budget=timesteps, spent=spent,
                        episode_steps=d, progress_bar=progress_bar, clock=clock)
            writer.card["env_steps_before_ppo"] = spent
            cb.validate(0)
        writer.card["env_steps_before_ppo"] = spent
        ppo_total = ppo_steps(timesteps - sum(spent.values()), cfg.n_steps * cfg.n_envs)
        remaining = ppo_total - model.num_timesteps
        if remaining > 0:
            bar = PPOProgress(remaining, enabled=progress_bar)
            val = clock.wall_s.get("validation", 0.0), clock.cpu_s.get("validation", 0.0)
            try:
                with clock.phase("ppo"):
                    model.learn(remaining, callback=[cb, bar], reset_num_timesteps=not resume,
                                tb_log_name="run")
            finally:
                bar.close()
            # the validations inside PPO's span are their own phase
            clock.add("ppo", val[0] - clock.wall_s.get("validation", 0.0),
                      val[1] - clock.cpu_s.get("validation", 0.0))
        cb.validate(model.num_timesteps)
        cb.checkpoint()
        writer.card["phase_seconds"] = clock.to_dict()
        writer.save("final", {"validation_cost": _last_validation(out)})
    finally:
        vec.close()
    card = read_card(out / "best.zip")
    total = sum(spent.values()) + model.num_timesteps
    log(f"trained {total:,} env steps of the budget's {timesteps:,} ({spent['measure']} "
        f"measuring, {spent['imitation']} imitation, {spent['dagger']} DAgger, "
        f"{model.num_timesteps} PPO) in {time.perf_counter() - t0:.0f} s; best validation "
        f"cost {validator.best:,.0f} CNY -> {out / 'best.zip'}; {clock.summary()}")
    load_model(out / "best.zip", scenario=sc)  # what was written loads
    return card


def _budgeted(sc, cfg: TrainConfig, timesteps: int, seed: int, progress_bar: bool,
              log) -> tuple[TrainConfig, int, int]:
    """The config with the budget's recipe (:func:`mmroute.agents.budget.recipe`) filled
    in where it left it open, the env steps spent measuring, and the longest measured
    episode (steps; 0 if nothing was measured)."""
    from dataclasses import replace

    from mmroute.agents.budget import recipe

    if cfg.imitation_episodes == 0:  # PPO alone: nothing to measure
        return replace(cfg, dagger_rounds=cfg.dagger_rounds or 0,
                       dagger_episodes=cfg.dagger_episodes or 1,
                       val_episodes=cfg.val_episodes or VAL_EPISODES,
                       eval_every=cfg.eval_every or EVAL_EVERY), 0, 0
    lengths = _measure(sc, cfg, seed, progress_bar, timesteps)
    d = float(np.mean(lengths))
    r = recipe(timesteps, d, rollout_steps=cfg.n_steps * cfg.n_envs,
               imitation_episodes=cfg.imitation_episodes, dagger_rounds=cfg.dagger_rounds,
               dagger_episodes=cfg.dagger_episodes, val_episodes=cfg.val_episodes,
               eval_every=cfg.eval_every, spent=sum(lengths))
    log(f"budget {timesteps:,} env steps; {d:.0f} decisions per episode buy "
        f"{r.imitation_episodes} imitation episodes, {r.dagger_rounds} DAgger rounds of "
        f"{r.dagger_episodes}, {r.ppo_steps:,} PPO steps; validation on {r.val_episodes} "
        f"episodes every {r.eval_every:,} steps")
    cfg = replace(cfg, imitation_episodes=r.imitation_episodes, dagger_rounds=r.dagger_rounds,
                  dagger_episodes=r.dagger_episodes, val_episodes=r.val_episodes,
                  eval_every=r.eval_every)
    return cfg, sum(lengths), max(lengths)


def _measure(sc, cfg: TrainConfig, seed: int, progress_bar: bool, timesteps: int) -> list[int]:
    """The steps of :data:`~mmroute.agents.budget.MEASURE_EPISODES` greedy training
    episodes (the decisions per episode the recipe needs), fewer where another as long as
    the longest so far would pass ``timesteps`` (the first always runs)."""
    from mmroute.agents.budget import MEASURE_EPISODES
    from mmroute.agents.policies import make_policy
    from mmroute.agents.rollout import rollout
    from mmroute.envs.reroute import RerouteEnv
    from mmroute.world.realization import realize

    rng = np.random.default_rng([seed, 7])
    env = RerouteEnv(sc, n_candidates=cfg.n_candidates, hold=cfg.hold)
    lengths = []
    with progress("measuring", MEASURE_EPISODES, "episode", progress_bar) as bar:
        for s in rng.integers(TRAINING.lo, TRAINING.hi, size=MEASURE_EPISODES):
            if lengths and sum(lengths) + max(lengths) > timesteps:
                break
            lengths.append(rollout(env, make_policy("greedy"), realize(sc, int(s))).steps)
            bar.update(1)
    return lengths


def _validation_seeds(cfg: TrainConfig) -> list[int]:
    """The first ``val_episodes`` validation seeds (checked apart from the others)."""
    seeds = list(range(VALIDATION.lo, VALIDATION.lo + cfg.val_episodes))
    check_disjoint(training=TRAINING, validation=(seeds[0], seeds[-1] + 1),
                   evaluation=(0, VALIDATION.lo))
    return seeds


def _open_run(out: Path, sc, algo: str, config: TrainConfig | None, resume: bool,
              seed: int) -> tuple[TrainConfig, int]:
    """The settings and seed of the run in ``out`` (a resumed run's own, from its
    checkpoint's card), the folder made; :class:`InputError` if ``out`` is not a folder, holds
    another run, or has nothing (or something else) to resume."""
    from mmroute.world.realization import scenario_hash

    if out.exists() and not out.is_dir():
        raise InputError("--out must be a folder", file=out)
    cfg = config or TrainConfig()
    ckpt = out / "checkpoint.zip"
    if resume:
        if not ckpt.is_file():
            raise InputError("nothing to resume: no checkpoint.zip", file=out)
        card = read_card(ckpt)
        for key in ("config", "seed", "timesteps"):
            if key not in card:
                raise InputError(f"the checkpoint card lacks {key!r}: cannot resume",
                                 file=card_path(ckpt), field=key)
        if card["scenario_hash"] != scenario_hash(sc) or card["algo"] != algo:
            raise InputError(f"the checkpoint is a {card['algo']} model of {card['scenario']!r}",
                             file=ckpt)
        # a setting the budget decided (None in the config given) matches the card's value
        given = {k: v for k, v in cfg.to_dict().items() if v is not None or k not in _BUDGETED}
        saved = card.get("config") if isinstance(card.get("config"), dict) else {}
        # a setting added since the card was written has its default there
        saved = {**{k: v for k, v in TrainConfig().to_dict().items() if k not in _BUDGETED},
                 **saved}
        if config is not None and {k: saved.get(k) for k in given} != given:
            raise InputError("the checkpoint was trained with another config", file=ckpt)
        cfg = TrainConfig.from_dict(card["config"])
        seed = int(card["seed"])
    elif (out / "best.zip").exists() or ckpt.exists():
        raise InputError("the folder holds a training run already (use --resume or another "
                         "--out)", file=out)
    out.mkdir(parents=True, exist_ok=True)
    return cfg, seed


def _vec_env(sc, cfg: TrainConfig, seed: int):
    """The training envs (``n_envs`` worker processes, or one in-process), seeded."""
    from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

    fns = [_make_env(sc, cfg.n_candidates, i, cfg.shaping, cfg.gamma, cfg.hold)
           for i in range(cfg.n_envs)]
    vec = (SubprocVecEnv(fns, start_method="forkserver") if cfg.n_envs > 1 else DummyVecEnv(fns))
    vec.seed(seed)
    return vec


def _card(sc, algo: str, cfg: TrainConfig, seed: int, val_seeds: list[int],
          command: str | None) -> dict[str, Any]:
    """What every model card of the run says (the step count and scores are added)."""
    from mmroute.envs.reroute import RerouteEnv
    from mmroute.world.realization import scenario_hash

    obs_dim = int(RerouteEnv(sc, n_candidates=cfg.n_candidates).observation_space.shape[0])
    return {"algo": algo, "scenario": sc.name, "scenario_hash": scenario_hash(sc),
            "config": cfg.to_dict(), "seed": seed, "n_candidates": cfg.n_candidates,
            "observation_dim": obs_dim, "training_seeds": [TRAINING.lo, TRAINING.hi],
            "validation_seeds": [val_seeds[0], val_seeds[-1] + 1],
            "versions": versions(), "command": command}


def _algorithm(algo: str, cfg: TrainConfig, vec, seed: int, out: Path, resume: bool):
    """A new (Maskable)PPO model on ``vec``, or the checkpoint's when resuming; TensorBoard
    logs to ``OUT/tb`` if tensorboard is installed."""
    if algo == "maskable-ppo":
        from sb3_contrib import MaskablePPO as Algo
    else:
        from stable_baselines3 import PPO as Algo
    tb = str(out / "tb")
    try:
        import tensorboard  # noqa: F401
    except ImportError:  # logs are optional
        tb = None
    model = Algo("MlpPolicy", vec, n_steps=cfg.n_steps, batch_size=cfg.batch_size,
                 n_epochs=cfg.n_epochs, learning_rate=cfg.learning_rate, gamma=cfg.gamma,
                 gae_lambda=cfg.gae_lambda, clip_range=cfg.clip_range, ent_coef=cfg.ent_coef,
                 policy_kwargs={"net_arch": list(cfg.net_arch)}, seed=seed, device="cpu",
                 tensorboard_log=tb, verbose=0)
    if resume:  # weights, optimizer state and counters as data: nothing unpickled
        restore_checkpoint(model, out / "checkpoint.zip")
    return model


def _train_on_ray(scenario, *, out, config, backend, **kw) -> dict[str, Any]:
    """:func:`train` as a Ray task; the ``out`` folder travels both ways (file by file)."""
    from mmroute.agents.parallel import check_backend, run_tasks
    from mmroute.io import write_with

    check_backend(backend, 1)
    sc = as_scenario(scenario)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError("--out must be a folder", file=out)
    files = _folder_bytes(out) if out.is_dir() else {}
    cfg = config or TrainConfig()
    if config is None and kw.get("resume") and "checkpoint.zip" in files:
        cfg = TrainConfig.from_dict(read_card(out / "checkpoint.zip")["config"])
    (card, written), = run_tasks(_train_task, [(sc, config, files, kw)], jobs=cfg.n_envs,
                                 backend=backend, max_retries=1, cpus_per_task=cfg.n_envs,
                                 show_output=True)
    for rel, data in written.items():
        target = out / rel
        if files.get(rel) != data:
            write_with(target, lambda tmp, data=data: tmp.write_bytes(data))
    return card


def _folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, by its path relative to it."""
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _train_task(_shared, task) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Where Ray runs it: :func:`train` into a temporary copy of the ``out`` folder; the
    card and every file of the folder afterwards."""
    import tempfile

    sc, cfg, files, kw = task
    with tempfile.TemporaryDirectory(prefix="mmroute-train-") as tmp:
        out = Path(tmp) / "run"
        for rel, data in files.items():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).write_bytes(data)
        card = train(sc, out=out, config=cfg, progress_bar=False,
                     log=lambda m: print(m, flush=True), **kw)
        return card, _folder_bytes(out)


def _warm_start(model, sc, cfg: TrainConfig, seed: int, maskable: bool, log, *, budget: int,
                spent: dict[str, int], episode_steps: int, progress_bar: bool,
                clock: PhaseClock | None = None) -> None:
    """Behaviour cloning of the expert's decisions (``cfg.expert``) on training episodes,
    then DAgger rounds labelled by it
    (:mod:`mmroute.agents.imitation`); episodes drawn from the training seeds. Each phase
    stops starting episodes where the budget left (less the later DAgger rounds' planned
    steps) would be passed; its env steps are added to ``spent``."""
    from mmroute.agents.imitation import clone, demonstrations, merge

    rng = np.random.default_rng([seed, 5])
    d = max(1, episode_steps)

    def draw(n: int) -> list[int]:
        return [int(x) for x in rng.integers(TRAINING.lo, TRAINING.hi, size=n)]

    def left(later_episodes: int) -> int:
        return budget - sum(spent.values()) - later_episodes * d

    kw = {"expert": cfg.expert, "n_candidates": cfg.n_candidates, "hold": cfg.hold,
          "gamma": cfg.gamma,
          "shaping": cfg.shaping,
          "seed": seed, "episode_steps": episode_steps}
    t0 = time.perf_counter()
    clock = clock or PhaseClock()
    if left(cfg.dagger_rounds * cfg.dagger_episodes) < episode_steps:
        log("imitation: no room in the budget for an episode; PPO alone")
        return
    with (clock.phase("imitation"),
          progress("imitation", cfg.imitation_episodes, "episode", progress_bar) as bar):
        demos = demonstrations(sc, draw(cfg.imitation_episodes), **kw,
                               max_steps=left(cfg.dagger_rounds * cfg.dagger_episodes),
                               progress=lambda i, n: bar.update(1))
    spent["imitation"] = demos.decisions
    with (clock.phase("cloning"),
          progress("cloning", cfg.imitation_epochs, "epoch", progress_bar) as bar):
        losses = clone(model, demos, epochs=cfg.imitation_epochs,
                       learning_rate=cfg.imitation_learning_rate, seed=seed,
                       progress=lambda i, n: bar.update(1))
    log(f"imitation: {demos.summary()}; loss {losses[-1]:.3f} "
        f"({time.perf_counter() - t0:.0f} s)")
    for r in range(cfg.dagger_rounds):
        room = left((cfg.dagger_rounds - r - 1) * cfg.dagger_episodes)
        if room < d:
            break
        with (clock.phase("dagger"),
              progress(f"DAgger round {r + 1}/{cfg.dagger_rounds}", cfg.dagger_episodes,
                       "episode", progress_bar) as bar):
            more = demonstrations(sc, draw(cfg.dagger_episodes), learner=model,
                                  maskable=maskable, **kw, max_steps=room,
                                  progress=lambda i, n: bar.update(1))
        spent["dagger"] += more.decisions
        demos = merge(demos, more)
        epochs = max(1, cfg.imitation_epochs // 3)
        with (clock.phase("dagger"),
              progress(f"DAgger round {r + 1}/{cfg.dagger_rounds} cloning", epochs, "epoch",
                       progress_bar) as bar):
            losses = clone(model, demos, epochs=epochs,
                           learning_rate=cfg.imitation_learning_rate, seed=seed + r + 1,
                           progress=lambda i, n: bar.update(1))
        holds = f"; {more.holds} expert holds" if more.holds else ""
        log(f"DAgger round {r + 1}: the agent's episodes cost {more.episode_cost_cny:,.0f} CNY "
            f"on average{holds}; {len(demos.actions)} decisions; loss {losses[-1]:.3f}")


def _last_validation(out: Path) -> float | None:
    p = out / "validation.csv"
    if not p.is_file():
        return None
    rows = p.read_text(encoding="utf-8").strip().splitlines()[1:]
    return float(rows[-1].split(",")[1]) if rows else None


def _best_so_far(out: Path) -> float:
    """The best validation cost of a run so far (``inf`` if no best model yet); a card with
    a cost that is not a finite number is refused (by :func:`read_card`), never taken as NaN
    (a NaN best would never be beaten)."""
    if not card_path(out / "best.zip").exists():
        return math.inf
    cost = read_card(out / "best.zip").get("validation_cost")
    return math.inf if cost is None else float(cost)


def check_train_args(algo, timesteps, seed, config, out) -> tuple[int, int, TrainConfig | None]:
    """:func:`train`'s arguments checked before anything runs (:class:`InputError` naming
    the argument): ``(timesteps, seed, config)``; a mapping as ``config`` is read by
    :meth:`TrainConfig.from_dict`. ``out`` must be a folder that can be written."""
    from mmroute.io import check_output_path
    from mmroute.validate import seed as check_seed

    if algo not in ALGOS:
        raise InputError(f"algo must be one of {', '.join(ALGOS)}, not {algo!r}", field="algo")
    if not is_integer(timesteps):
        raise InputError(f"timesteps must be an integer >= 1, not {timesteps!r}",
                         field="timesteps")
    timesteps = integer(timesteps, "timesteps", lo=1, hi=MAX_TIMESTEPS)
    seed = check_seed(seed)
    if isinstance(config, dict):
        config = TrainConfig.from_dict(config, field="config")
    elif config is not None and not isinstance(config, TrainConfig):
        raise InputError(f"expected a TrainConfig or a mapping, got {type(config).__name__}",
                         field="config")
    if not isinstance(out, str | Path) or not str(out):
        raise InputError(f"expected a folder path, got {out!r}", field="out")
    if Path(out).exists() and not Path(out).is_dir():
        raise InputError("--out must be a folder", file=out)
    check_output_path(Path(out) / "checkpoint.zip", what="out")
    return timesteps, seed, config


#: Most training steps of one run.
MAX_TIMESTEPS = 10**10


if __name__ == "__main__":  # pragma: no cover - use `mmroute train`
    sys.exit("use: mmroute train FILE ...")
