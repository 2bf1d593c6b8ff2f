"""Scenario-based re-planning against reactive re-planning on *validation* seeds (issue 23):
``consensus`` and ``expectation`` (S sampled futures per re-planning point) beside ``replan``
and the hindsight bound, episode by episode on the same realizations. Writes
``benchmarks/results/consensus_<scenario>.csv`` (evaluate's columns, plus ``overruled``: the
decisions where the policy's move differed from the reactive plan's, ``futures_solved`` and
``wall_s``) and prints the summary with the value of information.

    python benchmarks/consensus.py --scenarios liuzhou-asean --seeds 100000-100004

Seeds must be validation seeds (``mmroute.agents.seeds.VALIDATION``): S and the budget are
chosen here, never on evaluation seeds.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from mmroute.agents import format_summary, parse_seeds, summarize
from mmroute.agents.evaluation import COLUMNS, _Episodes
from mmroute.agents.seeds import VALIDATION
from mmroute.agents.voi import value_of_information
from mmroute.io import write_with
from mmroute.scenarios import load

SCENARIOS = ("liuzhou-asean", "yangtze-inbound", "china-europe")
POLICIES = ("hindsight", "replan", "consensus", "expectation")
RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenarios", default=",".join(SCENARIOS))
    ap.add_argument("--seeds", default="100000-100003")
    ap.add_argument("--policies", default=",".join(POLICIES))
    ap.add_argument("--time-limit", type=float, default=10.0, help="MIP limit per solve, s")
    args = ap.parse_args(argv)
    seeds = parse_seeds(args.seeds)
    if any(s not in VALIDATION for s in seeds):
        raise SystemExit(f"seeds must be validation seeds {VALIDATION.lo}-{VALIDATION.hi - 1}")
    for name in args.scenarios.split(","):
        sc = load(name)
        episodes = _Episodes(sc, None, args.time_limit)
        rows = []
        out = RESULTS / f"consensus_{name}.csv"
        for seed in seeds:
            for p in args.policies.split(","):
                t0 = time.perf_counter()
                row, _ = episodes.run(p, seed)
                pol = episodes._policies[p]
                row.update(overruled=getattr(pol, "overruled", None),
                           futures_solved=getattr(pol, "futures_solved", None),
                           wall_s=round(time.perf_counter() - t0, 2))
                rows.append(row)
                print(f"{name} {p} {seed}: {row['cost']:,.0f} CNY, {row['decisions']} "
                      f"decisions, {row['solves']} points, overruled {row['overruled']}, "
                      f"{row['decision_ms']:.0f} ms/decision", flush=True)
                df = pd.DataFrame(rows)
                write_with(out, lambda tmp, df=df: df.to_csv(tmp, index=False))
        df = pd.DataFrame(rows)
        if "hindsight" in set(df.policy):
            df["bound"] = df.seed.map(df[df.policy == "hindsight"].set_index("seed").bound)
            df["regret"] = df.cost - df.bound
        print(format_summary(summarize(df[COLUMNS])))
        print(value_of_information(df[COLUMNS], sc).format())


if __name__ == "__main__":
    main()
