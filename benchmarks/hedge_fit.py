"""Fit the ``hedge`` policy's premiums of a scenario (issue 23, item 3a) and ship its card
(``agents/models/<scenario>.hedge.json``): coordinate search on training seeds with common
random numbers, chosen on validation seeds (:mod:`mmroute.agents.hedge_fit`). Evaluation seeds
are never used here; evaluate afterwards with ``benchmarks/policies.py --policies hedge``.

    python benchmarks/hedge_fit.py --scenario liuzhou-asean --train 8 --validate 8 --values 2 --top 1
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time

from mmroute.agents.hedge import hedge_card_path, write_hedge_card
from mmroute.agents.hedge_fit import default_grid, fit_hedge
from mmroute.agents.seeds import TRAINING, VALIDATION
from mmroute.scenarios import load


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--train", type=int, default=12, help="training seeds (from the first)")
    ap.add_argument("--validate", type=int, default=12, help="validation seeds")
    ap.add_argument("--sweeps", type=int, default=1)
    ap.add_argument("--values", type=int, default=3,
                    help="grid values per parameter tried (the first N of the default grid)")
    ap.add_argument("--top", type=int, default=2, help="candidates validated (and replan)")
    ap.add_argument("--time-limit", type=float, default=10.0, help="MIP limit per re-plan, s")
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args(argv)
    sc = load(args.scenario)
    cmd = "python benchmarks/hedge_fit.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    t0 = time.perf_counter()
    card = fit_hedge(sc, training_seeds=range(TRAINING.lo, TRAINING.lo + args.train),
                     validation_seeds=range(VALIDATION.lo, VALIDATION.lo + args.validate),
                     grid={k: v[:args.values] for k, v in default_grid(sc).items()},
                     sweeps=args.sweeps, top=args.top, time_limit_s=args.time_limit,
                     jobs=args.jobs, command=cmd, log=lambda s: print(s, flush=True))
    card.fit["fit_wall_s"] = round(time.perf_counter() - t0, 1)
    out = write_hedge_card(hedge_card_path(sc.name), card)
    print(f"{sc.name}: chosen {card.params} -> {out}")
    print(f"validation vs replan (mean, 95% CI): {card.fit['validation_vs_replan_cny']}")


if __name__ == "__main__":
    main()
