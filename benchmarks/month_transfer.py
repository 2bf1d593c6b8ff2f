"""A model trained on one scenario run on another of the same network: the shipped
liuzhou-asean agent (trained at 14-16 consignments) on the month (liuzhou-asean-month, 1,500).

``mmroute evaluate`` refuses a model whose card names another scenario (content hash); the
observation does not depend on the scenario's size (``n_candidates`` slots of features, the
consignment's and a few global ones, costs per TEU), so the model runs as it is. This script
runs it on the evaluation seeds beside ``greedy`` and the seed's hindsight bound (the same
episodes :func:`mmroute.agents.run_episode` plays) and checks no row is below the bound.
One row per (policy, seed) in ``--out``. ``--bounds CSV`` takes the bounds from an
``mmroute evaluate`` CSV of the same scenario and seeds and runs the model alone.

    python benchmarks/month_transfer.py --seeds 0-2
    python benchmarks/month_transfer.py --seeds 0-29 --bounds benchmarks/results/month_evaluate_30.csv
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
COLUMNS = ["scenario", "policy", "model_scenario", "seed", "cost", "bound", "gap",
           "dropped_teu", "decisions", "decision_ms", "episode_s"]


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import write_csv

    from mmroute.agents.evaluation import BOUND_TOL, run_episode
    from mmroute.agents.model_files import load_model
    from mmroute.agents.rollout import ModelPolicy, rollout
    from mmroute.agents.seeds import parse_seeds
    from mmroute.agents.shipped import MODELS_DIR
    from mmroute.envs.reroute import RerouteEnv
    from mmroute.scenarios import load
    from mmroute.world.realization import realize

    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--scenario", default="liuzhou-asean-month")
    ap.add_argument("--model", default=None,
                    help="model zip (default: the shipped liuzhou-asean model)")
    ap.add_argument("--seeds", default="0-2")
    ap.add_argument("--bounds", default=None,
                    help="an mmroute evaluate CSV with the seeds' bounds: the model alone")
    ap.add_argument("--out", default=str(RESULTS / "month_transfer.csv"))
    args = ap.parse_args(argv)
    bounds = {}
    if args.bounds:
        with open(args.bounds, encoding="utf-8") as fh:
            bounds = {int(r["seed"]): float(r["bound"]) for r in csv.DictReader(fh)
                      if r["policy"] == "hindsight"}

    sc = load(args.scenario)
    model, card = load_model(args.model or MODELS_DIR / "liuzhou-asean.zip")  # no hash check
    env = RerouteEnv(sc, n_candidates=card["n_candidates"])
    if env.observation_space.shape[0] != card["observation_dim"]:
        print(f"observation of {env.observation_space.shape[0]} values, the model takes "
              f"{card['observation_dim']}: it cannot run here", file=sys.stderr)
        return 2
    policy = ModelPolicy(model)
    rows = []
    for seed in parse_seeds(args.seeds):
        others = [] if seed in bounds else [run_episode(sc, "hindsight", seed),
                                             run_episode(sc, "greedy", seed)]
        bound = bounds[seed] if seed in bounds else others[0]["bound"]
        t0 = time.perf_counter()
        ro = rollout(env, policy, realize(sc, seed))
        agent = {"policy": card["algo"], "cost": ro.cost_cny,
                 "dropped_teu": ro.result.dropped_teu, "decisions": ro.result.decisions,
                 "decision_ms": 1000.0 * ro.policy_s / max(1, ro.result.decisions),
                 "episode_s": time.perf_counter() - t0}
        for r in (*others, agent):
            rows.append({**{k: r[k] for k in ("policy", "cost", "dropped_teu", "decisions",
                                               "decision_ms", "episode_s")},
                         "scenario": sc.name, "seed": seed, "bound": bound,
                         "model_scenario": card["scenario"] if r is agent else "",
                         "gap": r["cost"] / bound - 1.0})
            if r["cost"] < bound * (1 - BOUND_TOL):
                print(f"{r['policy']} below the bound on seed {seed}", file=sys.stderr)
                return 3
        print(" ".join(f"{x['policy']} {x['cost']:,.0f} ({x['gap']:+.1%})"
                       for x in rows[-1 - len(others):]),
              f"seed {seed}", flush=True)
    write_csv(args.out, rows, COLUMNS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
