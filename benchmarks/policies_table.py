"""The README's policy table of one or more scenarios, from the CSVs ``benchmarks/policies.py``
wrote, with the rows of other runs of the same seeds added (e.g. ``consensus``, which
``policies.py`` runs only when named): mean cost ± 95 % CI, the paired difference to the best
baseline (no training, no foresight: ``replan-late`` and ``consensus`` included when they ran)
with its 95 % CI, the mean gap to hindsight, ms per decision; then the value of information
(EVPI bound, VSS, degree of dynamism) and, per policy, the seeds better / equal / worse than
the best baseline. Runs nothing but checks that no row is below its seed's hindsight bound;
prints Markdown.

    python benchmarks/policies_table.py --seeds 0-29 --add consensus

``--add PREFIX`` takes, from ``benchmarks/results/<PREFIX>_<scenario>_*.csv``, the rows of
policies the policies CSV does not hold. A file covering every seed of the table joins it; one
covering fewer seeds is summarised apart, on its seeds, against the table's rows of those
seeds (a mean over other seeds is not comparable).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import pandas as pd

from mmroute.agents import parse_seeds, summarize
from mmroute.agents.evaluation import BOUND_TOL
from mmroute.agents.voi import value_of_information
from mmroute.scenarios import load

SCENARIOS = ("liuzhou-asean", "yangtze-inbound", "china-europe")
RESULTS = Path(__file__).resolve().parent / "results"
#: Two costs closer than this (CNY) are the same episode outcome (float sums).
TIE_CNY = 0.5


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenarios", default=",".join(SCENARIOS))
    ap.add_argument("--seeds", default="0-29")
    ap.add_argument("--prefix", default="policies")
    ap.add_argument("--add", default="", help="comma-separated CSV prefixes (e.g. consensus)")
    args = ap.parse_args(argv)
    seeds = parse_seeds(args.seeds)
    adds = [a for a in args.add.split(",") if a]
    for name in args.scenarios.split(","):
        path = RESULTS / f"{args.prefix}_{name}_{len(seeds)}.csv"
        df = pd.read_csv(path)
        if sorted(set(df.seed)) != seeds:
            raise SystemExit(f"{path}: other seeds than {args.seeds}")
        apart = []
        for prefix in adds:
            for extra in sorted(RESULTS.glob(f"{prefix}_{name}_*.csv")):
                rows = pd.read_csv(extra)
                rows = rows[~rows.policy.isin(set(df.policy)) & rows.seed.isin(seeds)]
                if rows.empty:
                    continue
                rows = rows.assign(bound=rows.seed.map(_bounds(df)))
                rows = rows.assign(regret=rows.cost - rows.bound)
                if sorted(set(rows.seed)) == seeds:
                    df = pd.concat([df, rows[df.columns]], ignore_index=True)
                else:
                    apart.append((extra.name, rows[df.columns]))
        for frame in [df, *(rows for _, rows in apart)]:
            check_bound(frame)
        print(table(df, f"{name}, seeds {args.seeds}", [path.name] + [p for p in adds]))
        print(voi_line(df, load(name)))
        for file, rows in apart:
            sub = pd.concat([df[df.seed.isin(set(rows.seed))], rows], ignore_index=True)
            print(f"\n{name}, {file}: {rows.seed.nunique()} seeds "
                  f"({_span(sorted(set(rows.seed)))}), beside the table's rows of those seeds")
            print(table(sub, name, [file]))
            print(voi_line(sub, None))
        print()


def check_bound(df: pd.DataFrame) -> None:
    """Exit if any row costs less than its seed's hindsight bound (a leak or a bug: what
    ``evaluate`` checks for the rows it makes, here for rows joined from other runs)."""
    bad = df[df.cost < df.bound - BOUND_TOL * df.bound.abs().clip(lower=1.0)]
    if len(bad):
        raise SystemExit(f"below the hindsight bound: {bad[['policy', 'seed', 'cost', 'bound']]}")


def _bounds(df: pd.DataFrame) -> pd.Series:
    return df[df.policy == "hindsight"].set_index("seed").bound


def table(df: pd.DataFrame, title: str, sources: list[str]) -> str:
    """A Markdown table of :func:`summarize` with wins / ties / losses against the best
    baseline (``sources``: what the rows came from, for the caption)."""
    s = summarize(df)
    best = next((r.vs for r in s.itertuples() if isinstance(r.vs, str)), None)
    wide = df.pivot(index="seed", columns="policy", values="cost")
    lines = [f"<!-- {', '.join(sources)} -->",
             f"| {title} | n | mean cost | ± CI | vs `{best}` (95 % CI) | better / equal / worse "
             f"| gap to hindsight | ms / decision |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in s.itertuples():
        if r.policy == best:
            vs, wtl = "best baseline", ""
        elif math.isnan(r.diff_mean):
            vs, wtl = "", ""
        else:
            vs = f"{_money(r.diff_mean, sign=True)} [{_money(r.diff_lo, sign=True)}, " \
                 f"{_money(r.diff_hi, sign=True)}]"
            d = (wide[r.policy] - wide[best]).dropna()
            wtl = f"{(d < -TIE_CNY).sum()} / {(d.abs() <= TIE_CNY).sum()} / {(d > TIE_CNY).sum()}"
        name = "hindsight (bound)" if r.policy == "hindsight" else r.policy
        gap = 0.0 if abs(r.gap_to_hindsight_pct) < 5e-5 else r.gap_to_hindsight_pct
        lines.append(f"| {name} | {r.n} | {_money(r.cost_mean)} | {_money(r.cost_ci95)} | {vs} "
                     f"| {wtl} | {gap:.2f} % | {r.decision_ms:.2f} |")
    return "\n".join(lines)


def voi_line(df: pd.DataFrame, scenario) -> str:
    """EVPI bound, VSS and the degree of dynamism in one line."""
    v = value_of_information(df, scenario)
    out = f"EVPI bound {_money(v.evpi_cny)} CNY (best non-clairvoyant: {v.best_policy})"
    if v.best_sampled and not math.isnan(v.vss_cny):
        out += (f"; VSS {_money(v.vss_cny, sign=True)} [{_money(v.vss_lo_cny, sign=True)}, "
                f"{_money(v.vss_hi_cny, sign=True)}] CNY (replan - {v.best_sampled})")
    if not math.isnan(v.dynamism_shipments):
        out += (f"; dynamism {100 * v.dynamism_shipments:.0f} % of consignments, "
                f"{100 * v.dynamism_events:.0f} % of events unknown at t = 0")
    return out


def _money(x: float, sign: bool = False) -> str:
    if math.isnan(x):
        return ""
    x = 0.0 if abs(x) < 0.5 else x  # float sums: no "−0"
    s = f"{x:+,.0f}" if sign else f"{x:,.0f}"
    return s.replace("-", "−")


def _span(seeds: list[int]) -> str:
    return f"{seeds[0]}-{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1)) else \
        ",".join(map(str, seeds))


if __name__ == "__main__":
    main()
