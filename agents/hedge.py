"""The ``hedge`` policy (issue 23, item 3a): reactive re-planning with learned cost
adjustments — a cost-function approximation (Powell): the re-plan MIP of
:class:`~mmroute.agents.policies.ReplanPolicy`, at the same re-planning points, minimising
its objective plus premiums computed from what is known
(:class:`~mmroute.routing.plan.premiums.ArcPremiums`):

* ``risk_cny_per_teu_h`` x the expected extra hours of the disruptions not seen yet
  (:func:`mmroute.envs.risk.risk_by_target`: public uncertainty section and known events)
  on every leg of a link departing in a disruption's window, and at a node in one on every
  transshipment there and every road trip passing it (a border crossing): insurance against
  what may still happen;
* ``wait_tie_cny_per_teu``: a tie-breaker, of equally good departures the earliest
  (``docs/agents.md``: the later one is caught by congestion not yet known); waiting costs
  this over the plan's span per TEU-hour, so no TEU pays more than it for all its waits, and
  an unavoidable wait cannot move a route by more;
* ``tight_cny_per_teu`` on transfers that meet the next cut-off with less than ``tight_h``
  of slack (scaled by how little): a buffer on tight connections.

The premiums shape the decision only; the executed cost is the simulator's, and the plans
carry their true costs (:mod:`mmroute.routing.plan.premiums`). All zero, the policy is
``replan`` exactly. The parameters are fitted by direct search on training seeds and chosen on
validation seeds (:mod:`mmroute.agents.hedge_fit`) and kept in a small JSON card
(:func:`read_hedge_card`; never a pickle), shipped per scenario as
``agents/models/<scenario>.hedge.json``.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from mmroute.agents.policies import ReplanPolicy
from mmroute.agents.shipped import MODELS_DIR
from mmroute.envs.reroute import RerouteEnv
from mmroute.envs.risk import risk_by_target
from mmroute.errors import InputError
from mmroute.routing.plan import ArcPremiums, PlanParams, replan
from mmroute.validate import describe
from mmroute.world.plan import Plan

__all__ = ["HedgeParams", "HedgeCard", "HedgePolicy", "read_hedge_card", "write_hedge_card",
           "hedge_card_path", "shipped_hedge_card", "CARD_FORMAT", "MAX_CARD_BYTES"]

#: The card's ``format`` field.
CARD_FORMAT = "mmroute-hedge/1"
#: Largest card read (bytes): a few parameters and the fit's record.
MAX_CARD_BYTES = 64 * 1024
#: Largest premium a card may set (CNY per TEU or per TEU-hour).
MAX_PARAM = 1e6
#: Longest ``tight_h`` (h).
MAX_TIGHT_H = 1000.0


@dataclass(frozen=True, kw_only=True)
class HedgeParams:
    """The fitted adjustments (CNY per TEU-hour, CNY per TEU, hours; see the module doc)."""

    risk_cny_per_teu_h: float = 0.0
    wait_tie_cny_per_teu: float = 0.0
    tight_cny_per_teu: float = 0.0
    tight_h: float = 12.0

    def __post_init__(self):
        for f in fields(self):
            x = getattr(self, f.name)
            hi = MAX_TIGHT_H if f.name == "tight_h" else MAX_PARAM
            if (not isinstance(x, int | float) or isinstance(x, bool) or not math.isfinite(x)
                    or not 0.0 <= x <= hi):
                raise InputError(f"expected a number in [0, {hi:g}], got {describe(x)}",
                                 field=f"params.{f.name}")

    @property
    def zero(self) -> bool:
        """True if no premium is set (the policy is ``replan``)."""
        return not (self.risk_cny_per_teu_h or self.wait_tie_cny_per_teu
                    or (self.tight_cny_per_teu and self.tight_h))

    def premiums(self, sim) -> ArcPremiums:
        """The premiums at ``sim``'s current state (what is known now)."""
        links: tuple = ()
        nodes: tuple = ()
        r = self.risk_cny_per_teu_h
        if r:
            by_node, by_link = risk_by_target(sim)
            nodes = tuple((n, a, b, r * x) for n, rows in by_node.items() for a, b, x in rows
                          if x > 0)
            links = tuple((lk, a, b, r * x) for lk, rows in by_link.items() for a, b, x in rows
                          if x > 0)
        return ArcPremiums(links=links, nodes=nodes,
                           wait_tie_cny_per_teu=self.wait_tie_cny_per_teu,
                           tight_cny_per_teu=self.tight_cny_per_teu, tight_h=self.tight_h)


@dataclass(frozen=True, kw_only=True)
class HedgeCard:
    """A card: the parameters, the scenario they were fitted on (name, content hash) and
    the fit's record (seeds, scores, CPU time, command: plain data)."""

    params: HedgeParams
    scenario: str
    scenario_hash: str
    fit: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"format": CARD_FORMAT, "policy": "hedge", "scenario": self.scenario,
                "scenario_hash": self.scenario_hash, "params": asdict(self.params),
                "fit": self.fit}


def hedge_card_path(scenario_name: str, models_dir: str | Path | None = None) -> Path:
    """Where the card of a scenario is shipped (in ``models_dir``; ``None``: the package's)."""
    return Path(MODELS_DIR if models_dir is None else models_dir) / f"{scenario_name}.hedge.json"


def write_hedge_card(path: str | Path, card: HedgeCard) -> Path:
    """Write ``card`` as JSON, atomically; what was written reads back."""
    from mmroute.io import write_text_atomic

    text = json.dumps(card.to_json(), indent=2, sort_keys=False, allow_nan=False) + "\n"
    out = write_text_atomic(path, text)
    read_hedge_card(out)
    return out


def read_hedge_card(path: str | Path, *, scenario=None) -> HedgeCard:
    """A card from ``path`` (:class:`InputError` naming the file and the field: not JSON,
    too large, a wrong format, an unknown or bad parameter); with ``scenario`` (a
    :class:`~mmroute.scenarios.Scenario`), also one fitted on another scenario."""
    from mmroute.io import read_json

    p = Path(path)
    data = read_json(p, what="hedge card", max_bytes=MAX_CARD_BYTES)
    if not isinstance(data, dict):
        raise InputError(f"expected a JSON object, got {describe(data)}", file=p)
    if data.get("format") != CARD_FORMAT:
        raise InputError(f"expected {CARD_FORMAT!r}, got {describe(data.get('format'))}",
                         file=p, field="format")
    for key in ("scenario", "scenario_hash"):
        if not isinstance(data.get(key), str) or not data[key] or len(data[key]) > 200:
            raise InputError(f"expected a text, got {describe(data.get(key))}", file=p,
                             field=key)
    raw = data.get("params")
    if not isinstance(raw, dict):
        raise InputError(f"expected an object, got {describe(raw)}", file=p, field="params")
    known = {f.name for f in fields(HedgeParams)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InputError(f"unknown parameter {str(unknown[0])[:60]!r}; expected "
                         f"{', '.join(sorted(known))}", file=p, field="params")
    try:
        params = HedgeParams(**raw)
    except InputError as exc:
        raise InputError(exc.reason, file=p, field=exc.field) from None
    fit = data.get("fit", {})
    if not isinstance(fit, dict):
        raise InputError(f"expected an object, got {describe(fit)}", file=p, field="fit")
    card = HedgeCard(params=params, scenario=data["scenario"],
                     scenario_hash=data["scenario_hash"], fit=fit)
    if scenario is not None:
        from mmroute.world.realization import scenario_hash

        if card.scenario_hash != scenario_hash(scenario):
            raise InputError(f"fitted on scenario {card.scenario!r} ({card.scenario_hash}), not "
                             f"{scenario.name!r} ({scenario_hash(scenario)})", file=p,
                             field="scenario_hash")
    return card


def shipped_hedge_card(scenario) -> Path | None:
    """The shipped card of ``scenario`` (same name and content hash), or ``None``."""
    from mmroute.scenarios import as_scenario
    from mmroute.world.realization import scenario_hash

    sc = as_scenario(scenario)
    path = hedge_card_path(sc.name)
    if not path.is_file():
        return None
    return path if read_hedge_card(path).scenario_hash == scenario_hash(sc) else None


class HedgePolicy(ReplanPolicy):
    """:class:`ReplanPolicy` minimising its objective plus :class:`HedgeParams`' premiums
    (see the module doc); ``params`` all zero: ``replan`` exactly."""

    name = "hedge"

    def __init__(self, *, params: HedgeParams | None = None, time_limit_s: float = 10.0,
                 seed: int = 0, decision_budget_s: float | None = None):
        super().__init__(time_limit_s=time_limit_s, seed=seed,
                         decision_budget_s=decision_budget_s)
        if params is not None and not isinstance(params, HedgeParams):
            raise InputError(f"expected HedgeParams, got {describe(params)}", field="params")
        self.params = params or HedgeParams()

    @classmethod
    def make(cls, *, scenario=None, time_limit_s: float = 10.0, seed: int = 0,
             decision_budget_s: float | None = None, **_) -> HedgePolicy:
        """With the scenario's shipped card (:class:`InputError` if it has none)."""
        if scenario is None:
            raise InputError("the hedge policy needs the scenario (for its card)",
                             field="scenario")
        path = shipped_hedge_card(scenario)
        if path is None:
            raise InputError(f"no hedge card for scenario {scenario.name!r} (fit one: "
                             f"python benchmarks/hedge_fit.py --scenario {scenario.name})",
                             field="policies")
        return cls.from_card(path, scenario=scenario, time_limit_s=time_limit_s, seed=seed,
                             decision_budget_s=decision_budget_s)

    @classmethod
    def from_card(cls, path: str | Path, *, scenario=None, **kw) -> HedgePolicy:
        """With the parameters of the card at ``path`` (checked against ``scenario``)."""
        return cls(params=read_hedge_card(path, scenario=scenario).params, **kw)

    def _replan(self, env: RerouteEnv, time_limit_s: float) -> Plan:
        from mmroute.envs.known import known_scenario, plan_state

        sim = env.sim
        return replan(known_scenario(sim), plan_state(sim), self.events(env),
                      time_limit_s=time_limit_s, seed=self.seed, initial=self.plan,
                      tables=env.tables.world,
                      params=PlanParams(premiums=self.params.premiums(sim)))
