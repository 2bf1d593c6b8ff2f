"""Committing late, measured: ``mmroute evaluate`` CSVs of the same seeds (e.g. one with
``replan,replan-late``, one with ``greedy-late``) merged into one table — ``evaluate``'s
summary (paired 95 % CIs against the best baseline) and, for each ``-late`` policy, the
paired difference to the policy it commits late for (``replan-late`` − ``replan``,
``greedy-late`` − ``greedy``) with the seeds where it wins, ties and loses.

    python benchmarks/late_commit.py benchmarks/results/late_commit_shanghai-europe.csv \\
        benchmarks/results/late_commit_shanghai-europe_greedy.csv \\
        --summary benchmarks/results/late_commit_shanghai-europe_summary.csv

A row of a (scenario, policy, seed) in several CSVs must have the same cost (the same
episode: evaluation rows are a pure function of them); the first is kept. ``PATH:OLD=NEW``
reads PATH with policy OLD renamed NEW (two models both named ``maskable-ppo``); ``--pair
A:B`` adds the paired difference A − B to the table of pairs::

    python benchmarks/late_commit.py benchmarks/results/late_commit_shanghai-europe.csv \
        benchmarks/results/late_expert_shanghai-europe.csv:maskable-ppo=late-expert \
        benchmarks/results/late_expert_reserved_shanghai-europe.csv:maskable-ppo=reserved \
        --pair reserved:replan-late --pair reserved:late-expert
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import pandas as pd

from mmroute.agents.evaluation import format_summary, summarize

#: late policy -> the policy it commits late for
PAIRS = {"replan-late": "replan", "greedy-late": "greedy"}
KEY = ["scenario", "policy", "seed"]


def read(arg: str) -> pd.DataFrame:
    """The rows of ``PATH`` or ``PATH:OLD=NEW`` (policy OLD renamed NEW)."""
    path, _, rename = arg.rpartition(":") if "=" in arg.rpartition(":")[2] else (arg, "", "")
    df = pd.read_csv(path)
    if rename:
        old, _, new = rename.partition("=")
        df.loc[df.policy == old, "policy"] = new
    return df


def merged(paths: list) -> pd.DataFrame:
    """The rows of ``paths`` (see :func:`read`), one per (scenario, policy, seed); ValueError
    if two differ."""
    df = pd.concat([read(str(p)) for p in paths], ignore_index=True)
    spread = df.groupby(KEY).cost.agg(lambda c: c.max() - c.min())
    bad = spread[spread > 1e-6 * df.cost.abs().max()]
    if len(bad):
        raise ValueError(f"rows differ between the CSVs: {list(bad.index)[:3]}")
    return df.drop_duplicates(KEY).reset_index(drop=True)


def paired(df: pd.DataFrame, late: str, base: str) -> dict | None:
    """``late`` − ``base`` per seed: mean, 95 % CI half-width (t), wins / ties / losses."""
    a = df[df.policy == late].set_index("seed").cost
    b = df[df.policy == base].set_index("seed").cost
    seeds = a.index.intersection(b.index)
    if not len(seeds):
        return None
    d = (a[seeds] - b[seeds]).to_numpy()
    from scipy import stats

    n = len(d)
    half = (stats.t.ppf(0.975, n - 1) * d.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    tie = 1.0  # CNY
    return {"late": late, "base": base, "n": n, "mean_cny": float(d.mean()),
            "ci_cny": float(half), "wins": int((d < -tie).sum()),
            "ties": int((np.abs(d) <= tie).sum()), "losses": int((d > tie).sum()),
            "total_cny": float(d.sum())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", nargs="+", help="PATH or PATH:OLD=NEW (policy OLD renamed)")
    ap.add_argument("--pair", action="append", default=[], metavar="A:B",
                    help="also the paired difference A - B (repeatable)")
    ap.add_argument("--summary", type=Path, help="write the merged summary here (CSV)")
    args = ap.parse_args(argv)
    df = merged(args.csv)
    s = summarize(df)
    print(format_summary(s))
    pairs = [*PAIRS.items(), *(tuple(x.split(":", 1)) for x in args.pair)]
    rows = [r for late, base in pairs if (r := paired(df, late, base)) is not None]
    for r in rows:
        print(f"{r['late']} - {r['base']}: {r['mean_cny']:+,.0f} ± {r['ci_cny']:,.0f} CNY per "
              f"episode over {r['n']} seeds (wins {r['wins']}, ties {r['ties']}, losses "
              f"{r['losses']})")
    if args.summary is not None:
        s.to_csv(args.summary, index=False)
        pd.DataFrame(rows).to_csv(args.summary.with_name(args.summary.stem + "_pairs.csv"),
                                  index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
