"""Behaviour of this version against another, in one run: is a restructuring behaviour-neutral?

Three fingerprints, computed in a fresh process for each version (``--compare REF`` exports
git ``REF`` beside this tree, as ``env_speed.py`` does):

- **env**: observations, action masks and rewards of ``--episodes`` episodes per bundled
  stochastic scenario (and ``tiny``), random masked actions from a seeded generator, hashed
  step by step (SHA-256 of the arrays' bytes and the rewards' ``repr``);
- **policies**: ``evaluate`` rows of every policy (the shipped model included) on ``--seeds``
  of the three bundled stochastic scenarios, every column but the wall times (decision
  time, its p95, the episode's), to the last digit (``repr``);
- **plans**: ``solve_plan`` objective, bound and status of every bundled scenario with
  shipments, but those at a carmaker's scale (``mmroute.scenarios.bundled.AT_SCALE``).

The baseline's fingerprint is kept in the temporary folder by commit and settings, so a second
comparison with the same commit runs only this version. Writes
``benchmarks/results/behaviour.csv`` (one row per fingerprint item: this version's value,
the baseline's, equal or not) and exits 1 if any differs.

    python benchmarks/behaviour.py --compare 909e765
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from env_speed import export, write_csv  # noqa: E402

ENV_SCENARIOS = ("tiny", "liuzhou-asean", "yangtze-inbound", "china-europe")
POLICY_SCENARIOS = ("liuzhou-asean", "yangtze-inbound", "china-europe")
RESULTS = Path(__file__).resolve().parent / "results"


def env_fingerprint(episodes: int) -> dict[str, str]:
    """Per (scenario, episode): a hash of every step's observation, mask and reward."""
    from mmroute.envs.reroute import RerouteEnv

    out = {}
    for name in ENV_SCENARIOS:
        env = RerouteEnv(name)
        for ep in range(episodes):
            rng = np.random.default_rng(ep)
            obs, _ = env.reset(seed=ep)
            h = hashlib.sha256()
            done, steps = False, 0
            while not done:
                m = env.action_masks()
                h.update(np.ascontiguousarray(obs).tobytes())
                h.update(np.ascontiguousarray(m).tobytes())
                obs, r, term, trunc, info = env.step(int(rng.choice(np.flatnonzero(m))))
                h.update(repr((float(r), float(info["cost"]))).encode())
                done = term or trunc
                steps += 1
            h.update(np.ascontiguousarray(obs).tobytes())
            out[f"env/{name}/{ep}"] = f"{steps} steps {h.hexdigest()[:20]}"
    return out


def policy_fingerprint(seeds: str, jobs: int) -> dict[str, str]:
    """``evaluate`` rows, every column but the wall times (``decision_ms``,
    ``decision_p95_ms``, ``episode_s``), as ``repr``."""
    from mmroute.agents import evaluate, shipped_model

    out = {}
    for name in POLICY_SCENARIOS:
        model = shipped_model(name)
        df = evaluate(name, None, seeds, model=model, jobs=jobs)
        timed = [c for c in ("decision_ms", "decision_p95_ms", "episode_s") if c in df.columns]
        for row in df.drop(columns=timed).to_dict("records"):
            key = f"policies/{name}/{row['policy']}/{row['seed']}"
            out[key] = repr({k: v for k, v in row.items() if k not in ("scenario", "policy", "seed")})
    return out


def plan_fingerprint(time_limit_s: float) -> dict[str, str]:
    """``solve_plan`` of every bundled scenario with shipments, but those at scale (a baseline
    comparison, not a scaling test: see ``benchmarks/plan_scaling.py``)."""
    from mmroute.routing.plan import solve_plan
    from mmroute.scenarios import bundled_names, load

    try:
        from mmroute.scenarios.bundled import AT_SCALE
    except ImportError:  # a baseline from before scenarios at scale: it has none
        AT_SCALE = frozenset()
    out = {}
    for name in bundled_names():
        if name in AT_SCALE:
            continue
        sc = load(name)
        if not sc.shipments:
            continue
        p = solve_plan(sc, time_limit_s=time_limit_s, seed=0)
        out[f"plan/{name}"] = repr((p.objective, p.bound, p.status))
    return out


def fingerprint(args) -> dict[str, str]:
    out = {}
    out.update(env_fingerprint(args.episodes))
    out.update(plan_fingerprint(args.time_limit))
    if args.seeds:
        out.update(policy_fingerprint(args.seeds, args.jobs))
    return out


def run_worker(args, pythonpath: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    cmd = [sys.executable, __file__, "--worker", "--episodes", str(args.episodes), "--seeds",
           args.seeds, "--jobs", str(args.jobs), "--time-limit", str(args.time_limit)]
    got = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tempfile.gettempdir())
    if got.returncode != 0:
        raise SystemExit(f"worker ({pythonpath or 'this version'}) failed:\n{got.stderr[-3000:]}")
    return json.loads(got.stdout.strip().splitlines()[-1])


def baseline(args) -> dict[str, str]:
    """The fingerprint of ``args.compare``, kept in the temporary folder by commit and
    settings (a commit's behaviour does not change; the slow part runs once)."""
    sha = subprocess.run(["git", "-C", str(Path(__file__).resolve().parent), "rev-parse",
                          args.compare], capture_output=True, text=True, check=True).stdout.strip()
    key = hashlib.sha256(repr((sha, args.episodes, args.seeds, args.time_limit)).encode())
    cache = Path(tempfile.gettempdir()) / f"mmroute-behaviour-{key.hexdigest()[:16]}.json"
    if cache.is_file():
        return json.loads(cache.read_text())
    with tempfile.TemporaryDirectory() as tmp:
        old = run_worker(args, export(args.compare, Path(tmp)))
    cache.write_text(json.dumps(old))
    return old


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--compare", metavar="REF", help="git REF to compare with (e.g. main)")
    ap.add_argument("--episodes", type=int, default=8, help="env episodes per scenario")
    ap.add_argument("--seeds", default="0-5", help="evaluation seeds ('' to skip policies)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--time-limit", type=float, default=60.0, help="plan MIP limit, s")
    ap.add_argument("--out", default=str(RESULTS / "behaviour.csv"))
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(fingerprint(args)))
        return 0
    new = run_worker(args, None)
    old = baseline(args) if args.compare else {}
    rows = [{"item": k, "value": new.get(k), "baseline": old.get(k) if args.compare else "",
             "equal": (new.get(k) == old.get(k)) if args.compare else ""}
            for k in sorted(set(new) | set(old))]
    write_csv(args.out, rows)
    differ = [r for r in rows if r["equal"] is False]
    kinds = sorted({r["item"].split("/")[0] for r in rows})
    for kind in kinds:
        mine = [r for r in rows if r["item"].startswith(kind + "/")]
        bad = [r for r in mine if r["equal"] is False]
        print(f"{kind:<10}{len(mine):>5} items" + (
            f"{len(mine) - len(bad):>6} equal{len(bad):>6} differ" if args.compare else ""))
    for r in differ[:20]:
        print(f"  differs: {r['item']}\n    new  {r['value']}\n    base {r['baseline']}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
