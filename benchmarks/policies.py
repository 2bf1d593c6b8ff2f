"""Every policy on the same evaluation episodes of the stochastic bundled scenarios: mean cost
with 95 % CI, the paired difference to the best baseline (no training, no foresight), gap to the hindsight
bound, decision time; then the value of information (EVPI bound, VSS) and the training cost
of the fitted ``hedge`` policy (its card). Writes ``benchmarks/results/policies_<scenario>_<n>.csv``
(one row per episode; ``--prefix hedge``: ``hedge_<scenario>_<n>.csv``, a paired run beside
the full table) and prints one table per scenario.

    python benchmarks/policies.py --seeds 0-29 --jobs 2
    python benchmarks/policies.py --seeds 0-29 --policies maskable-ppo --keep   # a new model

``--policies`` runs only those (the hindsight bound always runs; any registered policy, e.g.
``consensus,hedge``, which run only when named); ``--keep`` keeps the other policies' rows of
an existing CSV of the same seeds (e.g. after shipping a new model or a hedge card).

The README's tables are these CSVs with other runs' rows of the same seeds joined
(``benchmarks/policies_table.py --add consensus,hedge``).

The PPO policy is the scenario's shipped model (``agents/models``), if there is one. Seeds are
evaluation seeds: no model was trained or tuned on them (training and validation seeds are
disjoint ranges, see ``mmroute.agents.seeds``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from mmroute.agents import (
    REGISTRY,
    default_policies,
    evaluate,
    format_summary,
    parse_seeds,
    shipped_model,
    summarize,
)
from mmroute.agents.voi import value_of_information
from mmroute.io import write_with
from mmroute.scenarios import load

SCENARIOS = ("liuzhou-asean", "yangtze-inbound", "china-europe")
RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenarios", default=",".join(SCENARIOS))
    ap.add_argument("--seeds", default="0-29")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--backend", choices=("local", "ray"), default="local")
    ap.add_argument("--time-limit", type=float, default=10.0, help="MIP limit per (re-)plan, s")
    ap.add_argument("--policies", default=None, help="comma-separated (default: all)")
    ap.add_argument("--prefix", default="policies",
                    help="CSV name: <prefix>_<scenario>_<n>.csv (e.g. hedge: a paired run)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the other policies' rows of the existing CSV")
    args = ap.parse_args(argv)
    seeds = parse_seeds(args.seeds)
    for name in args.scenarios.split(","):
        scenario = load(name)
        model = shipped_model(scenario)
        policies = default_policies(model)
        if args.policies:  # any registered policy (consensus, hedge: run when named)
            policies = [p for p in args.policies.split(",")
                        if p in policies or (p in REGISTRY and not REGISTRY[p].learned)]
        t0 = time.perf_counter()
        df = evaluate(scenario, policies, seeds, model=model, jobs=args.jobs,
                      time_limit_s=args.time_limit, backend=args.backend)
        out = RESULTS / f"{args.prefix}_{name}_{len(seeds)}.csv"
        if args.keep and out.is_file():
            old = pd.read_csv(out)
            if sorted(set(old.seed)) != seeds:
                raise SystemExit(f"{out}: other seeds than {args.seeds}; run without --keep")
            old = old[~old.policy.isin(df.policy)]
            df = pd.concat([old, df], ignore_index=True)
        write_with(out, lambda tmp, df=df: df.to_csv(tmp, index=False))
        print(f"\n{name}: {len(seeds)} seeds ({args.seeds}), {time.perf_counter() - t0:.0f} s, "
              f"model {model.name if model else 'none'} -> {out}")
        print(format_summary(summarize(df)))
        print(value_of_information(df, scenario).format())
        if "hedge" in set(df.policy):
            print(hedge_training(scenario))


def hedge_training(scenario) -> str:
    """One line: the hedge card's parameters and what fitting them cost."""
    from mmroute.agents.hedge import read_hedge_card, shipped_hedge_card

    card = read_hedge_card(shipped_hedge_card(scenario), scenario=scenario)
    fit = card.fit
    return (f"hedge: {card.params}; fitted on training seeds {fit.get('training_seeds')}, "
            f"chosen on validation seeds {fit.get('validation_seeds')}: "
            f"{fit.get('episodes')} episodes, {fit.get('episode_wall_s')} episode-s "
            f"({fit.get('fit_wall_s')} s wall); validation vs replan "
            f"{fit.get('validation_vs_replan_cny')} CNY (mean, 95 % CI)")


if __name__ == "__main__":
    main()
