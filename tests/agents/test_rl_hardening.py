"""The RL surfaces (train / evaluate / model files / configs / env options) against hostile
input: the project's exceptions naming the field, one line and exit 2 on the command line,
no code run from a model file, no hang, no orphaned process, no half-written pair."""

from __future__ import annotations

import base64
import copy
import io
import json
import math
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from mmroute.agents.model_files import (
    load_model,
    read_card,
    restore_checkpoint,
    write_model,
)
from mmroute.agents.seeds import parse_seeds
from mmroute.agents.training import TrainConfig, train
from mmroute.envs.reroute import RerouteEnv
from mmroute.errors import InputError
from mmroute.world.realization import realize
from tests.cli_run import run_main

REPO = Path(__file__).resolve().parents[2]
MODELS = REPO / "agents" / "models"
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX only")


def _cli(*argv: str, timeout: float = 120, env=None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mmroute", *argv], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=cwd or REPO)


def _one_line_exit_2(r: subprocess.CompletedProcess) -> None:
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 or (len(lines) == 2 and lines[0].startswith("usage:")), r.stderr
    assert "Traceback" not in r.stderr


class _Touch:
    """A pickle that creates a file when it is unpickled: code run from a model file."""

    def __init__(self, path: Path):
        self.path = str(path)

    def __reduce__(self):
        return (Path.touch, (Path(self.path),))


def _copy_model(tmp_path: Path, name: str = "china-europe") -> Path:
    dst = tmp_path / f"{name}.zip"
    shutil.copy(MODELS / f"{name}.zip", dst)
    shutil.copy(MODELS / f"{name}.json", dst.with_suffix(".json"))
    return dst


def _rewrite_zip(path: Path, replace_entries: dict[str, bytes]) -> None:
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for info in src.infolist():
            if info.filename not in replace_entries:
                z.writestr(info.filename, src.read(info.filename))
        for name, data in replace_entries.items():
            if data is not None:
                z.writestr(name, data)
    path.write_bytes(buf.getvalue())


# --- code from a model file ------------------------------------------------------------------
def test_a_pickled_payload_in_the_data_entry_never_runs(tmp_path):
    p = _copy_model(tmp_path)
    marker = tmp_path / "pwned"
    data = json.loads(zipfile.ZipFile(p).read("data"))
    payload = base64.b64encode(pickle.dumps(_Touch(marker))).decode()
    for key in ("policy_class", "observation_space", "lr_schedule", "clip_range"):
        data[key][":serialized:"] = payload
    _rewrite_zip(p, {"data": json.dumps(data).encode()})
    model, card = load_model(p)
    assert not marker.exists()
    assert card["algo"] == "maskable-ppo" and model.observation_space.shape == (131,)


@pytest.mark.parametrize("entry", ["policy.pth", "policy.optimizer.pth"])
def test_a_full_pickle_as_weights_is_refused_and_never_runs(tmp_path, entry):
    import torch

    p = _copy_model(tmp_path)
    marker = tmp_path / "pwned"
    buf = io.BytesIO()
    torch.save({"mlp_extractor.policy_net.0.weight": _Touch(marker)}, buf)
    _rewrite_zip(p, {entry: buf.getvalue()})
    if entry == "policy.pth":
        with pytest.raises(InputError, match="policy.pth is not plain weights"):
            load_model(p)
    else:  # inference never reads the optimizer; resuming a training does and refuses it
        model, _ = load_model(p)
        with pytest.raises(InputError, match="policy.optimizer.pth is not plain weights"):
            restore_checkpoint(model, p)
    assert not marker.exists()


@pytest.mark.parametrize("change", [
    {"evil.pkl": b"x"},  # an entry SB3 never writes
    {"policy.pth": None},  # no weights
    {"policy.pth": b"not a torch file"},
])
def test_model_zips_with_other_content_are_refused(tmp_path, change):
    p = _copy_model(tmp_path)
    _rewrite_zip(p, change)
    with pytest.raises(InputError) as info:
        load_model(p)
    assert info.value.file == p.name


def test_weights_of_another_shape_or_not_finite_are_refused(tmp_path):
    import torch

    p = _copy_model(tmp_path)
    state = torch.load(io.BytesIO(zipfile.ZipFile(p).read("policy.pth")), weights_only=True)
    bad = dict(state)
    bad["action_net.bias"] = torch.full_like(state["action_net.bias"], math.nan)
    buf = io.BytesIO()
    torch.save(bad, buf)
    _rewrite_zip(p, {"policy.pth": buf.getvalue()})
    with pytest.raises(InputError, match="not finite"):
        load_model(p)
    card = json.loads(p.with_suffix(".json").read_text())
    card["config"]["net_arch"] = [32, 32]
    card.pop("policy_kwargs", None)
    p.with_suffix(".json").write_text(json.dumps(card))
    with pytest.raises(InputError, match="shape|fit"):
        load_model(p)


def test_corrupt_zip_and_folders_are_input_errors(tmp_path):
    p = _copy_model(tmp_path)
    p.write_bytes(p.read_bytes()[:5000])
    with pytest.raises(InputError, match="model zip"):
        load_model(p)
    with pytest.raises(InputError):
        load_model(tmp_path)  # a folder without best.zip


@pytest.mark.parametrize("name", [  # ~5 s of CPU each: one by default, the same format
    "liuzhou-asean", pytest.param("china-europe", marks=pytest.mark.slow),
    pytest.param("yangtze-inbound", marks=pytest.mark.slow)])
def test_shipped_models_act_exactly_as_sb3_loads_them(name):
    from sb3_contrib import MaskablePPO

    ours, card = load_model(MODELS / f"{name}.zip")
    theirs = MaskablePPO.load(MODELS / f"{name}.zip", device="cpu")  # our own shipped files
    env = RerouteEnv(name)
    obs, masks = [], []
    for seed in range(2):
        o, _ = env.reset(seed=seed)
        done = False
        while not done and len(obs) < 200:
            obs.append(o)
            masks.append(env.action_masks())
            o, _, done, _, _ = env.step(int(np.flatnonzero(env.action_masks())[0]))
    rng = np.random.default_rng(0)
    obs += list(rng.uniform(-10, 10, (200, card["observation_dim"])).astype(np.float32))
    masks += [np.ones(card["n_candidates"], dtype=bool)] * 200
    a, b = (np.array([int(m.predict(o, deterministic=True, action_masks=k)[0])
                      for o, k in zip(obs, masks, strict=True)]) for m in (ours, theirs))
    assert len(obs) >= 300 and (a == b).all()


def test_a_model_loaded_to_predict_has_no_optimizer_and_predicts_as_one_that_has(tmp_path):
    import torch

    from mmroute.agents.model_files import PredictionOnly
    from mmroute.errors import MMRouteError

    ours, _ = load_model(MODELS / "liuzhou-asean.zip")  # no Adam: no torch._dynamo import
    full, _ = load_model(MODELS / "liuzhou-asean.zip", optimizer=True)
    assert isinstance(ours.policy.optimizer, PredictionOnly)
    assert isinstance(full.policy.optimizer, torch.optim.Adam)
    for a, b in zip(ours.policy.state_dict().values(), full.policy.state_dict().values(),
                    strict=True):
        assert torch.equal(a, b)
    obs = np.random.default_rng(0).uniform(-10, 10, (50, ours.observation_space.shape[0]))
    for o in obs.astype(np.float32):
        assert ours.predict(o, deterministic=True)[0] == full.predict(o, deterministic=True)[0]
    with pytest.raises(MMRouteError, match="optimizer=True"):
        ours.save(tmp_path / "m.zip")  # refused before a file is written
    with pytest.raises(MMRouteError, match="optimizer=True"):
        ours.policy.optimizer.step()
    assert not (tmp_path / "m.zip").exists()
    full.save(tmp_path / "m.zip")
    assert zipfile.ZipFile(tmp_path / "m.zip").read("policy.optimizer.pth")


def test_evaluate_refuses_training_seeds_before_it_reads_the_weights(tmp_path):
    from mmroute.agents.evaluation import evaluate

    p = _copy_model(tmp_path, "liuzhou-asean")
    _rewrite_zip(p, {"policy.pth": b"not a torch file"})
    seen = read_card(p)["training_seeds"][0]
    with pytest.raises(InputError, match="trained on"):
        evaluate("liuzhou-asean", ["maskable-ppo"], [seen], model=p)
    with pytest.raises(InputError, match="policy.pth"):  # before the first episode
        evaluate("liuzhou-asean", ["maskable-ppo"], [0], model=p)


# --- cards and configs -----------------------------------------------------------------------
@POSIX
def test_cards_and_configs_that_are_fifos_do_not_block(tmp_path):
    p = _copy_model(tmp_path)
    p.with_suffix(".json").unlink()
    os.mkfifo(p.with_suffix(".json"))
    with pytest.raises(InputError, match="FIFO"):
        load_model(p)
    os.mkfifo(tmp_path / "cfg.yaml")
    with pytest.raises(InputError, match="FIFO"):
        TrainConfig.from_file(tmp_path / "cfg.yaml")


@pytest.mark.parametrize("field,value", [
    ("validation_cost", "NaN"), ("seed", "-1"), ("seed", "1.5"), ("n_candidates", "1000"),
    ("observation_dim", "7"), ("training_seeds", "[5, 2]"), ("algo", "\"dqn\"")])
def test_bad_card_fields_are_refused(tmp_path, field, value):
    p = _copy_model(tmp_path)
    text = p.with_suffix(".json").read_text()
    card = json.loads(text)
    card[field] = "@@"
    p.with_suffix(".json").write_text(json.dumps(card).replace('"@@"', value))
    with pytest.raises(InputError) as info:
        read_card(p)
    assert info.value.file == p.with_suffix(".json").name


@pytest.mark.parametrize("text,field", [
    ("a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: [*b, *b, *b, *b, *b, *b, *b, *b]\n", None),
    ("1: 2\nfoo: 3\n", None),
    ("n_steps: 1e12\n", "n_steps"), ("n_steps: 1000000000000\n", "n_steps"),
    ("learning_rate: 1e300\n", "learning_rate"), ("learning_rate: .nan\n", "learning_rate"),
    ("learning_rate: true\n", "learning_rate"), ("n_envs: 1000\n", "n_envs"),
    ("net_arch: [64, true]\n", "net_arch"), ("gamma: 0\n", "gamma"),
    ("n_steps: 65536\nn_envs: 64\n", "n_steps"), ("[1, 2]\n", None), ("a: !!python/name:os.system\n", None),
])
def test_bad_configs_are_refused_with_the_field(tmp_path, text, field):
    p = tmp_path / "cfg.yaml"
    p.write_text(text)
    with pytest.raises(InputError) as info:
        TrainConfig.from_file(p)
    assert info.value.file == "cfg.yaml" and info.value.field == field


@pytest.mark.parametrize("kw", [{"learning_rate": True}, {"n_steps": 10**12},
                                {"learning_rate": 1e300}, {"clip_range": math.inf},
                                {"batch_size": 1}, {"n_candidates": 1.0}])
def test_train_config_fields_are_checked_with_bounds(kw):
    with pytest.raises(InputError) as info:
        TrainConfig(**kw)
    assert info.value.field == next(iter(kw))


@pytest.mark.parametrize("kw,field", [({"seed": 2**40}, "seed"), ({"seed": -1}, "seed"),
                                      ({"config": {"n_steps": "x"}}, "config.n_steps"),
                                      ({"config": [1]}, "config"), ({"timesteps": 1.5}, "timesteps"),
                                      ({"timesteps": 10**12}, "timesteps")])
def test_train_arguments_are_checked_before_anything_runs(tmp_path, kw, field):
    args = {"timesteps": 100, "seed": 0, "out": tmp_path / "run", **kw}
    t0 = time.perf_counter()
    with pytest.raises(InputError) as info:
        train("tiny", **args)
    assert info.value.field == field and time.perf_counter() - t0 < 5
    assert not (tmp_path / "run").exists()


def test_a_config_dict_is_read_as_settings(tmp_path):
    with pytest.raises(InputError, match="unknown settings"):
        train("tiny", timesteps=100, seed=0, out=tmp_path / "r", config={"nope": 1})


# --- resume ----------------------------------------------------------------------------------
@pytest.fixture()
def run_copy(tiny_model, tmp_path):
    dst = tmp_path / "run"
    shutil.copytree(tiny_model, dst, ignore=shutil.ignore_patterns("tb"))
    return dst


def _resume(run: Path, **kw):
    from tests.agents.conftest import FAST

    return train("tiny", timesteps=4096, seed=0, out=run, config=FAST, resume=True,
                 log=lambda m: None, **kw)


def test_resume_refuses_a_corrupt_checkpoint(run_copy):
    ck = run_copy / "checkpoint.zip"
    ck.write_bytes(b"PK\x03\x04" + os.urandom(300))
    with pytest.raises(InputError, match="checkpoint.zip"):
        _resume(run_copy)


def test_resume_refuses_a_card_without_seed(run_copy):
    card = json.loads((run_copy / "checkpoint.json").read_text())
    del card["seed"]
    (run_copy / "checkpoint.json").write_text(json.dumps(card))
    with pytest.raises(InputError) as info:
        _resume(run_copy)
    assert info.value.field == "seed"


def test_resume_refuses_a_nan_best_score(run_copy):
    text = (run_copy / "best.json").read_text()
    card = json.loads(text)
    card["validation_cost"] = "@@"
    (run_copy / "best.json").write_text(json.dumps(card).replace('"@@"', "NaN"))
    with pytest.raises(InputError, match="best.json"):
        _resume(run_copy)


def test_resume_restores_weights_optimizer_and_counters_as_data(tiny_model):
    from sb3_contrib import MaskablePPO

    from mmroute.agents.model_files import fresh_model

    card = read_card(tiny_model / "checkpoint.zip")
    model = fresh_model(card)
    restore_checkpoint(model, tiny_model / "checkpoint.zip")
    sb3 = MaskablePPO.load(tiny_model / "checkpoint.zip", device="cpu")  # written by us
    assert model.num_timesteps == sb3.num_timesteps == card["timesteps"]
    assert model._n_updates == sb3._n_updates
    for a, b in zip(model.policy.parameters(), sb3.policy.parameters(), strict=True):
        assert (a == b).all()
    sa, sb = (m.policy.optimizer.state_dict() for m in (model, sb3))
    assert all((sa["state"][k]["exp_avg"] == sb["state"][k]["exp_avg"]).all() for k in sb["state"])


# --- half-written output ---------------------------------------------------------------------
def test_a_model_and_its_card_are_written_both_or_neither(tmp_path):
    target = tmp_path / "best.zip"
    (tmp_path / "best.json").mkdir()  # a folder where the card goes
    with pytest.raises(InputError):
        write_model(target, lambda tmp: tmp.write_bytes(b"zip"), {"algo": "ppo"})
    assert not target.exists()

    def full_disk(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    (tmp_path / "best.json").rmdir()
    with pytest.raises(OSError):
        write_model(target, full_disk, {"algo": "ppo"})
    assert sorted(os.listdir(tmp_path)) == []
    write_model(target, lambda tmp: tmp.write_bytes(b"zip"), {"algo": "ppo"})
    assert sorted(os.listdir(tmp_path)) == ["best.json", "best.zip"]


def test_an_unwritable_out_is_refused_before_training(tmp_path):
    t0 = time.perf_counter()
    with pytest.raises(InputError) as info:
        train("tiny", timesteps=100, seed=0, out="/proc/mmroute-run", log=lambda m: None)
    assert info.value.field == "out" and time.perf_counter() - t0 < 5
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError):
        train("tiny", timesteps=100, seed=0, out=tmp_path / "file" / "run")


# --- evaluation --------------------------------------------------------------------------------
def test_evaluation_refuses_the_models_training_and_selection_seeds():
    from mmroute.agents import evaluate

    model = MODELS / "liuzhou-asean.zip"
    for seeds in ("100000-100002", [1_000_000], "5,100029"):
        with pytest.raises(InputError) as info:
            evaluate("liuzhou-asean", ["maskable-ppo"], seeds, model=model)
        assert info.value.field == "seeds" and "allow" in str(info.value)


def test_a_model_of_another_candidate_count_is_refused():
    from mmroute.agents.model_files import check_evaluation
    from mmroute.agents.policies import PPOPolicy
    from mmroute.scenarios import load

    sc = load("china-europe")
    card = read_card(MODELS / "china-europe.zip")
    with pytest.raises(InputError) as info:
        check_evaluation({**card, "n_candidates": 4}, sc, [0])
    assert info.value.field == "n_candidates"
    pol = PPOPolicy(MODELS / "china-europe.zip", scenario=sc)
    env = RerouteEnv(sc, n_candidates=4)
    env.reset(seed=0)
    with pytest.raises(InputError, match="n_candidates"):
        pol.reset(env)


@pytest.mark.parametrize("kw,field", [({"seeds": [1.5]}, "seeds"), ({"seeds": [True]}, "seeds"),
                                      ({"seeds": "2147483648"}, "seeds"),
                                      ({"seeds": range(10**9)}, "seeds"),
                                      ({"policies": []}, "policies"), ({"policies": ""}, "policies"),
                                      ({"time_limit_s": math.nan}, "time_limit_s")])
def test_evaluate_arguments_are_checked(kw, field):
    from mmroute.agents import evaluate

    with pytest.raises(InputError) as info:
        evaluate("tiny", **{"policies": ["greedy"], "seeds": "0", **kw})
    assert info.value.field == field


def test_seed_lists_are_counted_before_they_are_made():
    t0 = time.perf_counter()
    for text in ("0-999999999", "0-100000000000", "0-99999,200000-300000"):
        with pytest.raises(InputError, match="seeds"):
            parse_seeds(text)
    assert time.perf_counter() - t0 < 1
    assert parse_seeds([np.int64(3), 1, 3]) == [1, 3]


# --- the env -------------------------------------------------------------------------------------
@pytest.mark.parametrize("action", ["abc", 1.9, 1.0, True, None, np.array([1]), np.float32(1)])
def test_step_refuses_what_is_not_an_integer_slot(action):
    env = RerouteEnv("tiny")
    env.reset(seed=0)
    with pytest.raises(InputError) as info:
        env.step(action)
    assert info.value.field == "action"


def test_step_takes_numpy_integers_and_0d_arrays():
    env = RerouteEnv("tiny")
    env.reset(seed=0)
    env.step(np.int64(0))
    env.step(np.array(0, dtype=np.int32))


@pytest.mark.parametrize("seed", [-1, 1.5, "3", True])
def test_reset_refuses_bad_seeds(seed):
    with pytest.raises(InputError) as info:
        RerouteEnv("tiny").reset(seed=seed)
    assert info.value.field == "seed"


def _late_order(**kw):
    base = {"id": "late-x", "origin": "@", "destination": "@", "quantity_teu": 2.0,
            "release_h": 10.0, "due_h": 50.0, "lateness_penalty_cny_per_teu_h": 5.0}
    return {**base, **kw}


@pytest.mark.parametrize("mutate,field", [
    (lambda d, s: d["quantities_teu"][0].__setitem__(1, math.nan), "quantities_teu[0]"),
    (lambda d, s: d["quantities_teu"][0].__setitem__(1, -4.0), "quantities_teu[0]"),
    (lambda d, s: d["quantities_teu"][0].__setitem__(0, "nobody"), "quantities_teu[0]"),
    (lambda d, s: d["late_orders"].append(_late_order(origin="nowhere", destination=s[1])),
     "late_orders[0].origin"),
    (lambda d, s: d["late_orders"].append(_late_order(origin=s[0], destination=s[1],
                                                      quantity_teu=math.nan)),
     "late_orders[0].quantity_teu"),
    (lambda d, s: d["late_orders"].append(_late_order(origin=s[0], destination=s[1],
                                                      quantity_teu=-1.0)),
     "late_orders[0].quantity_teu"),
    (lambda d, s: d["late_orders"].append(_late_order(origin=s[0], destination=s[1],
                                                      due_h=1.0)), "late_orders[0].due_h"),
    (lambda d, s: d["late_orders"].append(_late_order(origin=s[0], destination=s[1],
                                                      lateness_penalty_cny_per_teu_h=-1.0)),
     "late_orders[0].lateness_penalty_cny_per_teu_h"),
])
def test_realizations_with_bad_shipments_are_refused(mutate, field):
    env = RerouteEnv("tiny")
    sh = env.scenario.shipments[0]
    d = copy.deepcopy(realize(env.scenario, 0).to_dict())
    mutate(d, (sh.origin, sh.destination))
    with pytest.raises(InputError) as info:
        env.reset(options={"realization": d})
    assert info.value.field == f"realization.{field}"


# --- the command line ----------------------------------------------------------------------------
@pytest.mark.parametrize("argv", [
    ("--seeds", "0-999999999"), ("--seeds", "0-100000000000"), ("--seeds", "2147483648"),
    ("--policies", ""), ("--policies", " , "), ("--model", "."),
    ("--policies", "greedy", "--backend", "ray", "--address", "nonsense"),
])
def test_evaluate_cli_refuses_bad_flags_on_one_line(tmp_path, argv):
    r = _cli("evaluate", "tiny", *argv, "--out", str(tmp_path / "r.csv"), timeout=60)
    _one_line_exit_2(r)
    assert not (tmp_path / "r.csv").exists()


def test_evaluate_cli_refuses_training_seeds_unless_allowed(tmp_path, capfd):
    r = run_main(capfd, "evaluate", "liuzhou-asean", "--policies", "maskable-ppo", "--seeds",
              "100000", "--out", str(tmp_path / "r.csv"))
    _one_line_exit_2(r)
    assert "--allow-training-seeds" in r.stderr


@POSIX
def test_a_dead_ray_address_fails_fast_on_one_line(tmp_path, capfd, monkeypatch):
    pytest.importorskip("ray")
    for argv, address in ((("--address", "127.0.0.1:1"), None), ((), "127.0.0.1:1")):
        if address:
            monkeypatch.setenv("RAY_ADDRESS", address)
        t0 = time.monotonic()
        r = run_main(capfd, "evaluate", "tiny", "--policies", "greedy", "--seeds", "0",
                  "--backend", "ray", *argv, "--out", str(tmp_path / "r.csv"))
        assert time.monotonic() - t0 < 20
        _one_line_exit_2(r)
        assert "no Ray cluster answers at 127.0.0.1:1" in r.stderr


def test_train_cli_refuses_hostile_inputs_on_one_line(tmp_path, tiny_model, capfd):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
                    + "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n"
                              for p, c in zip("abcdefgh", "bcdefghi", strict=True)))
    mixed = tmp_path / "mixed.yaml"
    mixed.write_text("1: 2\nfoo: 3\n")
    run = tmp_path / "run"
    shutil.copytree(tiny_model, run, ignore=shutil.ignore_patterns("tb"))
    (run / "checkpoint.zip").write_bytes(b"garbage")
    cases = [("--config", str(bomb), "--out", str(tmp_path / "o1")),
             ("--config", str(mixed), "--out", str(tmp_path / "o2")),
             ("--out", "/proc/mmroute-run"),
             ("--out", str(run), "--resume")]
    for argv in cases:
        t0 = time.monotonic()
        r = run_main(capfd, "train", "tiny", "--timesteps", "100", *argv)
        _one_line_exit_2(r)
        assert time.monotonic() - t0 < 30
    assert not (tmp_path / "o1").exists() and not (tmp_path / "o2").exists()


# --- signals: no orphans -----------------------------------------------------------------------
def _children(pid: int) -> set[int]:
    """Every descendant of ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
            except OSError:
                continue
            parents[int(d)] = int(stat.rsplit(")", 1)[1].split()[1])
    out, todo = set(), [pid]
    while todo:
        p = todo.pop()
        for c, pp in parents.items():
            if pp == p and c not in out:
                out.add(c)
                todo.append(c)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_ends_the_pool_workers_with_the_run(tmp_path, sig, code):
    proc = subprocess.Popen([sys.executable, "-m", "mmroute", "evaluate", "tiny", "--policies",
                             "replan", "--seeds", "0-400", "--jobs", "2", "--out",
                             str(tmp_path / "r.csv")], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        seen: set[int] = set()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            seen |= _children(proc.pid)
            if len(seen) >= 3:  # the resource tracker and 2 workers
                time.sleep(2.0)
                seen |= _children(proc.pid)
                break
            time.sleep(0.2)
        assert proc.poll() is None and len(seen) >= 2, proc.communicate()
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == code, err
        t0 = time.monotonic()
        while any(_alive(p) for p in seen) and time.monotonic() - t0 < 5:
            time.sleep(0.1)
        assert not [p for p in seen if _alive(p)], err
        assert not (tmp_path / "r.csv").exists()
    finally:
        if proc.poll() is None:
            proc.kill()


def test_fast_config_still_trains(tmp_path):
    from tests.agents.conftest import FAST

    cfg = replace(FAST, eval_every=256, checkpoint_every=256, val_episodes=1)
    card = train("tiny", timesteps=256, seed=1, out=tmp_path / "r", config=cfg,
                 log=lambda m: None)
    assert card["policy_kwargs"] == {"net_arch": [32, 32]}
    assert sorted(p.name for p in (tmp_path / "r").iterdir() if p.suffix in (".zip", ".json")) \
        == ["best.json", "best.zip", "checkpoint.json", "checkpoint.zip", "final.json",
            "final.zip"]
