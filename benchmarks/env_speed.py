"""Speed of mmroute/Reroute-v0: decisions per second with random masked actions, and reset time.

One process, one core; every bundled stochastic scenario side by side in one run. Writes
``benchmarks/results/env_speed.csv`` and prints a table.

    python benchmarks/env_speed.py --episodes 20 --seed 0
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np

from mmroute.envs.reroute import RerouteEnv
from mmroute.io import write_with

SCENARIOS = ("tiny", "liuzhou-asean", "yangtze-inbound", "china-europe")


def measure(name: str, episodes: int, seed: int) -> dict:
    env = RerouteEnv(name)
    rng = np.random.default_rng(seed)
    env.reset(seed=seed)  # warm caches (road paths, cost-to-go) as a training run would
    steps = 0
    step_s = reset_s = 0.0
    for ep in range(episodes):
        t = time.perf_counter()
        env.reset(seed=seed + 1 + ep)
        reset_s += time.perf_counter() - t
        done = False
        t = time.perf_counter()
        while not done:
            m = env.action_masks()
            a = int(rng.choice(np.flatnonzero(m)))
            _, _, done, _, _ = env.step(a)
            steps += 1
        step_s += time.perf_counter() - t
    return {"scenario": name, "episodes": episodes, "decisions": steps,
            "decisions_per_episode": round(steps / episodes, 1),
            "decisions_per_s": round(steps / step_s, 1),
            "reset_ms": round(1000 * reset_s / episodes, 2)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--episodes", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scenarios", default=",".join(SCENARIOS))
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "env_speed.csv"))
    args = ap.parse_args(argv)
    rows = [measure(n, args.episodes, args.seed) for n in args.scenarios.split(",")]

    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)

    write_with(args.out, write)
    print(f"{'scenario':<18}{'decisions/s':>12}{'per episode':>13}{'reset ms':>10}")
    for r in rows:
        print(f"{r['scenario']:<18}{r['decisions_per_s']:>12,.0f}{r['decisions_per_episode']:>13}"
              f"{r['reset_ms']:>10}")


if __name__ == "__main__":
    main()
