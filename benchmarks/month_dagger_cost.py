"""What one DAgger episode costs at a month's volume: the learner acts, the clairvoyant
re-planner (:class:`mmroute.agents.imitation.Clairvoyant`) labels every state, re-planning
whenever the learner left its plan. Counts the decisions, the re-plans and their seconds
until the episode ends or ``--max-s`` of wall time have passed (then the rest is
extrapolated from the rate so far). One row in ``--out``.

    python benchmarks/month_dagger_cost.py --model runs/month/best.zip --max-s 300
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
COLUMNS = ["scenario", "seed", "finished", "decisions", "replans", "replan_s", "replan_s_mean",
           "wall_s", "cpu_s", "decisions_per_episode", "est_episode_wall_s"]


class _Stop(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import numpy as np
    from common import write_csv

    from mmroute.agents.imitation import Clairvoyant, _Recorder
    from mmroute.agents.model_files import load_model
    from mmroute.agents.rollout import rollout
    from mmroute.agents.seeds import TRAINING
    from mmroute.envs.reroute import RerouteEnv
    from mmroute.scenarios import load
    from mmroute.world.realization import realize

    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--scenario", default="liuzhou-asean-month")
    ap.add_argument("--model", required=True, help="the learner (a model zip of the scenario)")
    ap.add_argument("--seed", type=int, default=TRAINING.lo, help="a training seed")
    ap.add_argument("--max-s", type=float, default=300.0)
    ap.add_argument("--out", default=str(RESULTS / "month_dagger_cost.csv"))
    args = ap.parse_args(argv)

    sc = load(args.scenario)
    model, card = load_model(args.model, scenario=sc)
    env = RerouteEnv(sc, n_candidates=card["n_candidates"])
    solves = {"n": 0, "s": 0.0}

    class Timed(Clairvoyant):
        def _solve(self, env):
            t = time.perf_counter()
            super()._solve(env)
            solves["n"] += 1
            solves["s"] += time.perf_counter() - t

    t0, c0 = time.perf_counter(), time.process_time()

    class Capped(_Recorder):
        def act(self, env):
            if time.perf_counter() - t0 > args.max_s:
                raise _Stop
            return super().act(env)

    rec = Capped(Timed(), learner=model, maskable=card["algo"] == "maskable-ppo", beta=0.0,
                 rng=np.random.default_rng(0), gamma=0.99, shaping=True)
    finished = True
    try:
        rollout(env, rec, realize(sc, args.seed), on_step=rec.on_step)
    except _Stop:
        finished = False
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    per_episode = rec.decisions if finished else 5_800  # the month's decisions per episode
    row = {"scenario": sc.name, "seed": args.seed, "finished": finished,
           "decisions": rec.decisions, "replans": solves["n"], "replan_s": solves["s"],
           "replan_s_mean": solves["s"] / max(1, solves["n"]), "wall_s": wall, "cpu_s": cpu,
           "decisions_per_episode": per_episode,
           "est_episode_wall_s": wall * per_episode / max(1, rec.decisions)}
    print(", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                    for k, v in row.items()))
    write_csv(args.out, [row], COLUMNS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
