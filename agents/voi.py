"""Value of information of one scenario's evaluation (what reviewers ask for beside mean cost).

* ``evpi_cny`` — the EVPI bound: the best non-clairvoyant policy's mean cost minus the
  hindsight mean (how much knowing the future is worth at most, given the policies run);
* ``vss_cny`` — the value of the stochastic solution here: the reactive re-planner's
  (``replan``) mean cost minus the best scenario-based policy's (``consensus``,
  ``expectation``: those that plan over sampled futures), with the 95 % CI of the paired
  per-seed differences (Student t); NaN unless both ran;
* ``dynamism_shipments`` / ``dynamism_events`` — the degree of dynamism (Ulmer): the share of
  consignments unknown at t = 0 (late orders) and of events (disruption and weather onsets) starting
  after it, averaged over the seeds evaluated (their realizations are drawn again, cheaply).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from mmroute.agents.registry import BOUND, REGISTRY, SUMMARY_ORDER

__all__ = ["ValueOfInformation", "value_of_information", "summary_with_voi", "REACTIVE",
           "SAMPLED"]

#: The reactive re-planner the value of the stochastic solution is measured from.
REACTIVE = "replan"
#: The scenario-based (sampled futures) policies.
SAMPLED: tuple[str, ...] = tuple(n for n, e in REGISTRY.items() if e.sampled)


@dataclass(frozen=True, kw_only=True)
class ValueOfInformation:
    """One scenario's EVPI bound, value of the stochastic solution and degree of dynamism
    (CNY; NaN where the policies needed did not run). See the module doc."""

    scenario: str
    n: int
    hindsight_mean_cny: float
    best_policy: str | None
    evpi_cny: float
    best_sampled: str | None
    vss_cny: float
    vss_lo_cny: float
    vss_hi_cny: float
    dynamism_shipments: float
    dynamism_events: float

    def to_row(self) -> dict:
        return asdict(self)

    def format(self) -> str:
        """Two lines for the printed summary."""
        def money(x: float) -> str:
            return "n/a" if math.isnan(x) else f"{x:,.0f}"

        evpi = (f"EVPI bound {money(self.evpi_cny)} CNY (best non-clairvoyant "
                f"{self.best_policy} - hindsight)" if self.best_policy else "EVPI bound n/a")
        if self.best_sampled and not math.isnan(self.vss_cny):
            ci = ("" if math.isnan(self.vss_lo_cny)
                  else f" [{money(self.vss_lo_cny)}, {money(self.vss_hi_cny)}]")
            vss = f"VSS {money(self.vss_cny)}{ci} CNY ({REACTIVE} - {self.best_sampled})"
        else:
            vss = f"VSS n/a (run {REACTIVE} and {' or '.join(SAMPLED)})"
        dyn = ("dynamism n/a" if math.isnan(self.dynamism_shipments) else
               f"dynamism: {100 * self.dynamism_shipments:.0f} % of consignments, "
               + ("no events" if math.isnan(self.dynamism_events)
                  else f"{100 * self.dynamism_events:.0f} % of events") + " unknown at t=0")
        return f"{evpi}; {vss}\n{dyn}"


def value_of_information(df, scenario=None) -> ValueOfInformation:
    """:class:`ValueOfInformation` of an evaluation frame of one scenario (the columns of
    :func:`~mmroute.agents.evaluate`); ``scenario`` (a :class:`~mmroute.scenarios.Scenario`
    or a name) for the degree of dynamism (NaN without)."""
    from scipy import stats

    means = df.groupby("policy")["cost"].mean()
    wide = df.pivot(index="seed", columns="policy", values="cost")
    hs = float(means[BOUND]) if BOUND in means.index else math.nan
    others = [p for p in means.index if not (p in REGISTRY and REGISTRY[p].clairvoyant)]
    def order(p: str) -> tuple:  # the lowest mean; on a tie the first in summaries
        return (means[p], SUMMARY_ORDER.index(p) if p in SUMMARY_ORDER else 99, p)

    best = min(others, key=order) if others else None
    evpi = float(means[best]) - hs if best is not None else math.nan
    sampled = [p for p in SAMPLED if p in means.index]
    best_s = min(sampled, key=order) if sampled else None
    vss = lo = hi = math.nan
    if best_s is not None and REACTIVE in means.index:
        d = (wide[REACTIVE] - wide[best_s]).dropna()
        if len(d):
            vss = float(d.mean())
        if len(d) > 1:
            half = float(stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d)))
            lo, hi = vss - half, vss + half
    dyn_s = dyn_e = math.nan
    if scenario is not None:
        from mmroute.envs.futures import dynamism
        from mmroute.scenarios import as_scenario
        from mmroute.world.realization import realize

        sc = as_scenario(scenario)
        pairs = [dynamism(sc, realize(sc, int(s))) for s in sorted(set(df.seed))]
        if pairs:
            dyn_s = sum(p[0] for p in pairs) / len(pairs)
            ev = [p[1] for p in pairs if not math.isnan(p[1])]
            dyn_e = sum(ev) / len(ev) if ev else math.nan
    name = str(df.scenario.iloc[0]) if "scenario" in df and len(df) else ""
    return ValueOfInformation(
        scenario=name, n=int(df.seed.nunique()), hindsight_mean_cny=hs, best_policy=best,
        evpi_cny=evpi, best_sampled=best_s, vss_cny=vss, vss_lo_cny=lo, vss_hi_cny=hi,
        dynamism_shipments=dyn_s, dynamism_events=dyn_e)


def summary_with_voi(df, scenario=None, voi: ValueOfInformation | None = None):
    """:func:`~mmroute.agents.summarize`'s table with the scenario's value of information in
    columns of its own (the same on every row): the CSV summary (``voi``: already computed
    for ``df``)."""
    from mmroute.agents.evaluation import summarize

    s = summarize(df)
    voi = voi if voi is not None else value_of_information(df, scenario)
    for k, v in voi.to_row().items():
        if k not in ("n",):
            s[k] = v
    return s
