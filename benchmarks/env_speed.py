"""Speed of mmroute/Reroute-v0: decisions per second with random masked actions, and reset time.

One process, one core; every bundled stochastic scenario in one run, the month-scale
``liuzhou-asean-month`` (1,500 consignments) beside the small ones with ``--episodes-at-scale``
episodes. Each scenario is measured twice: on the bare ``RerouteEnv`` (masks from
``action_masks()``) and through ``gym.make("mmroute/Reroute-v0", scenario=...)`` — what a
user gets, the registered env with its default wrappers, masks from ``info["action_mask"]``
(the wrappers forward no attributes). Times are the process's CPU time (one core; other work
on a shared machine inflates them less than wall time). Reset time: the first reset of an env (it builds the
scenario's tables) and the mean of the others. Writes ``benchmarks/results/env_speed.csv``
and prints a table.

    python benchmarks/env_speed.py --episodes 30 --seed 0
    python benchmarks/env_speed.py --episodes 30 --seed 0 --compare main --rounds 3

``--compare REF`` measures the code of git ``REF`` side by side: each round runs every
scenario once in a fresh process with each version, alternating which goes first; the table
gives the best round of each (the machine may be shared) and the ratio. ``--profile N``
profiles ``N`` episodes of ``--profile-scenario`` (cProfile) and writes the share of a
decision's time spent in each part to ``env_speed_profile.csv``.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import json
import os
import pstats
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from pathlib import Path

import numpy as np

from mmroute.io import write_with

#: CPU time of this process (s): what one core spends, whatever else the machine runs
clock = time.process_time
SCENARIOS = ("tiny", "liuzhou-asean", "yangtze-inbound", "china-europe", "liuzhou-asean-month")
#: Scenarios at a carmaker's scale (thousands of decisions per episode): --episodes-at-scale
AT_SCALE = frozenset({"liuzhou-asean-month"})
ROOT = Path(__file__).resolve().parent.parent
#: Parts of a decision for --profile: (label, files, functions: the first file and function
#: called counts, for versions that name or place it differently); cumulative times, so
#: nested parts (indented labels) are included in the part above them.
PARTS = (
    ("candidates (ranking, features)", "candidates.py", ("candidates",)),
    ("  moves allowed (options)", "simulator.py", ("option_rows", "options")),
    ("    road trips", ("conditions.py", "events.py"), ("road_trips", "road_trip")),
    ("    next departures", ("conditions.py", "events.py"), ("next_departures",)),
    ("  unseen-disruption risk", "risk.py", ("risk_by_target", "disruption_risk")),
    ("  known conditions", "simulator.py", ("known",)),
    ("forecast issue", "forecast.py", ("issue",)),
    ("observation", "reroute.py", ("_obs",)),
    ("simulator: apply move", "simulator.py", ("apply",)),
    ("simulator: next decision", "simulator.py", ("next_decision",)),
    ("info (mask, potential)", "reroute.py", ("_info",)),
)

def measure(name: str, episodes: int, seed: int, profile: cProfile.Profile | None = None,
            via: str = "env") -> dict:
    """Decisions per second of ``episodes`` episodes of ``name`` with random masked actions,
    and reset times; ``via``: ``"env"`` (the bare ``RerouteEnv``) or ``"make"`` (through
    ``gym.make``, masks from the step's info)."""
    if via == "make":
        import gymnasium as gym

        import mmroute.envs  # noqa: F401 (registers the env)

        env = gym.make("mmroute/Reroute-v0", scenario=name)
    else:
        from mmroute.envs.reroute import RerouteEnv

        env = RerouteEnv(name)
    rng = np.random.default_rng(seed)
    t = clock()
    env.reset(seed=seed)  # warm caches (road paths, cost-to-go) as a training run would
    first_reset_s = clock() - t
    steps = 0
    step_s = reset_s = 0.0
    for ep in range(episodes):
        t = clock()
        _, info = env.reset(seed=seed + 1 + ep)
        reset_s += clock() - t
        done = False
        if profile is not None:
            profile.enable()
        t = clock()
        if via == "make":
            while not done:
                a = int(rng.choice(np.flatnonzero(info["action_mask"])))
                _, _, term, trunc, info = env.step(a)
                done = term or trunc
                steps += 1
        else:
            while not done:
                m = env.action_masks()
                a = int(rng.choice(np.flatnonzero(m)))
                _, _, done, _, _ = env.step(a)
                steps += 1
        step_s += clock() - t
        if profile is not None:
            profile.disable()
    return {"scenario": name, "episodes": episodes, "decisions": steps,
            "decisions_per_episode": round(steps / episodes, 1),
            "decisions_per_s": round(steps / step_s, 1),
            "reset_ms": round(1000 * reset_s / episodes, 2),
            "first_reset_ms": round(1000 * first_reset_s, 2)}


def measure_both(name: str, episodes: int, seed: int) -> dict:
    """:func:`measure` on the bare env and through ``gym.make`` (``make_*`` columns)."""
    row = measure(name, episodes, seed)
    made = measure(name, episodes, seed, via="make")
    row.update({"make_decisions_per_s": made["decisions_per_s"],
                "make_reset_ms": made["reset_ms"]})
    return row


def episodes_of(name: str, episodes: int, at_scale: int) -> int:
    """Episodes to measure of ``name``: ``at_scale`` for the month-scale scenarios."""
    return at_scale if name in AT_SCALE else episodes


def export(ref: str, dest: Path) -> Path:
    """The package of git ``ref`` laid out under ``dest`` for ``PYTHONPATH`` (the project
    maps its packages to top-level folders: pyproject's ``package-dir``)."""
    got = subprocess.run(["git", "-C", str(ROOT), "archive", ref], capture_output=True)
    if got.returncode != 0:
        raise SystemExit(f"--compare {ref}: git archive failed: {got.stderr.decode().strip()}")
    src = dest / "src"
    with tarfile.open(fileobj=io.BytesIO(got.stdout)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4
            tar.extractall(src, filter="data")
        else:
            tar.extractall(src)  # noqa: S202 (our own repository's archive)
    with open(src / "pyproject.toml", "rb") as fh:
        dirs = tomllib.load(fh)["tool"]["setuptools"]["package-dir"]
    pkg = dest / "pkg"
    for name in sorted(dirs, key=lambda n: n.count(".")):  # mmroute before its subpackages
        shutil.copytree(src / dirs[name], pkg.joinpath(*name.split(".")), dirs_exist_ok=True)
    return pkg


def run_worker(name: str, episodes: int, seed: int, pythonpath: Path | None,
               mode: str = "--worker"):
    """:func:`measure` (or with ``mode="--worker-profile"`` :func:`profile_shares`) in a fresh
    process (with ``pythonpath`` first, for another version)."""
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    out = subprocess.run([sys.executable, __file__, mode, name, "--episodes", str(episodes),
                          "--seed", str(seed)], capture_output=True, text=True, env=env,
                         check=True, cwd=tempfile.gettempdir())
    return json.loads(out.stdout)


#: Columns of :func:`measure_both` that --compare keeps the best of over rounds: the highest
#: speeds, the lowest reset times.
BEST_OF = {"decisions_per_s": max, "make_decisions_per_s": max, "reset_ms": min,
           "first_reset_ms": min, "make_reset_ms": min}


def compare(names: list[str], episodes: int, seed: int, base: Path, ref: str,
            rounds: int, at_scale: int) -> list[dict]:
    """Best of ``rounds`` per scenario and column, this version and ``ref`` (exported to
    ``base``) alternating first; speed-ups as ratios of the bests."""
    best: dict[tuple[str, str], dict] = {}
    for r in range(rounds):
        for name in names:
            order = [("new", None), ("base", base)]
            for side, path in (order if r % 2 else order[::-1]):
                row = run_worker(name, episodes_of(name, episodes, at_scale), seed, path)
                key = (name, side)
                if key in best:
                    row.update({k: f(row[k], best[key][k]) for k, f in BEST_OF.items()})
                best[key] = row
    rows = []
    for name in names:
        new, old = best[(name, "new")], best[(name, "base")]
        rows.append({**new, "baseline": ref,
                     **{f"baseline_{k}": old[k] for k in BEST_OF},
                     "speedup": round(new["decisions_per_s"] / old["decisions_per_s"], 3),
                     "make_speedup": round(new["make_decisions_per_s"]
                                           / old["make_decisions_per_s"], 3),
                     "rounds": rounds})
    return rows


def profile_shares(name: str, episodes: int, seed: int) -> list[dict]:
    """Share of the decision loop's time in each of :data:`PARTS` (cProfile, cumulative)."""
    prof = cProfile.Profile()
    row = measure(name, episodes, seed, prof)
    stats = pstats.Stats(prof).stats  # {(file, line, function): (cc, nc, tt, ct, callers)}

    def cumulative(files: str | tuple[str, ...], func: str) -> float:
        files = (files,) if isinstance(files, str) else files
        return next((t for t in (sum(v[3] for (f, _, fn), v in stats.items()
                                     if f.endswith(file) and fn == func) for file in files)
                     if t > 0), 0.0)

    total = cumulative("reroute.py", "step")
    out = []
    for label, file, funcs in PARTS:
        ct = next((c for c in (cumulative(file, fn) for fn in funcs) if c > 0), 0.0)
        out.append({"part": label, "share": round(ct / total, 3),
                    "us_per_decision_profiled": round(1e6 * ct / row["decisions"], 1)})
    return out


def run_profile(name: str, episodes: int, seed: int, pythonpath: Path | None) -> list[dict]:
    """:func:`profile_shares` in a fresh process (with ``pythonpath`` first)."""
    return run_worker(name, episodes, seed, pythonpath, "--worker-profile")


def write_csv(path: str | Path, rows: list[dict]) -> None:
    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)

    write_with(path, write)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--episodes", type=int, default=20)
    ap.add_argument("--episodes-at-scale", type=int, default=2,
                    help="episodes of the month-scale scenarios (thousands of decisions each)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scenarios", default=",".join(SCENARIOS))
    ap.add_argument("--compare", metavar="REF", help="also measure git REF (e.g. main)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds per version with --compare")
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="profile N episodes of --profile-scenario")
    ap.add_argument("--profile-scenario", default="liuzhou-asean")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "env_speed.csv"))
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--worker-profile", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(measure_both(args.worker, args.episodes, args.seed)))
        return
    if args.worker_profile:
        print(json.dumps(profile_shares(args.worker_profile, args.episodes, args.seed)))
        return
    names = args.scenarios.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        base = export(args.compare, Path(tmp)) if args.compare else None
        if base is not None:
            rows = compare(names, args.episodes, args.seed, base, args.compare, args.rounds,
                           args.episodes_at_scale)
        else:
            rows = [measure_both(n, episodes_of(n, args.episodes, args.episodes_at_scale),
                                 args.seed) for n in names]
        shares = []
        if args.profile:
            for s in profile_shares(args.profile_scenario, args.profile, args.seed):
                shares.append({"scenario": args.profile_scenario, **s})
            if base is not None:
                old = run_profile(args.profile_scenario, args.profile, args.seed, base)
                for s, o in zip(shares, old):
                    s["baseline_share"] = o["share"]
                    s["baseline_us_per_decision_profiled"] = o["us_per_decision_profiled"]
    write_csv(args.out, rows)
    head = (f"{'scenario':<21}{'decisions/s':>12}{'gym.make':>10}{'per episode':>13}"
            f"{'reset ms':>10}{'first':>9}")
    if base is not None:
        head += (f"{'base dec/s':>12}{'base make':>11}{'base reset':>12}{'speed-up':>10}"
                 f"{'make':>7}")
    print(head)
    for r in rows:
        line = (f"{r['scenario']:<21}{r['decisions_per_s']:>12,.0f}"
                f"{r['make_decisions_per_s']:>10,.0f}{r['decisions_per_episode']:>13}"
                f"{r['reset_ms']:>10}{r['first_reset_ms']:>9}")
        if base is not None:
            line += (f"{r['baseline_decisions_per_s']:>12,.0f}"
                     f"{r['baseline_make_decisions_per_s']:>11,.0f}"
                     f"{r['baseline_reset_ms']:>12}{r['speedup']:>10.2f}{r['make_speedup']:>7.2f}")
        print(line)
    if shares:
        write_csv(Path(args.out).with_name(Path(args.out).stem + "_profile.csv"), shares)
        print(f"\nshare of a decision's time ({args.profile_scenario}, cProfile, {args.profile} "
              "episodes)" + (f"; baseline {args.compare}" if base is not None else ""))
        for s in shares:
            print(f"{s['part']:<34}{100 * s['share']:>6.1f} %" + (
                f"{100 * s['baseline_share']:>8.1f} %" if base is not None else ""))

if __name__ == "__main__":
    main()
