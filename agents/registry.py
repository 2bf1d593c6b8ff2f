"""The policy registry: every policy's name, its class and what is known about it — the one
place that lists policy names (SB3's ``policy_aliases``, Gymnasium's ``register``).

The command line (``--policies`` help), :func:`~mmroute.agents.evaluate`'s defaults,
:func:`~mmroute.agents.summarize`'s order and best-OR reference, :data:`POLICIES` and
:data:`OR_POLICIES` all read it. Entries name their class as ``"module:Class"`` and
:meth:`PolicyEntry.load` imports it, so reading the registry imports neither OR-Tools nor
torch (the command line builds its help from it).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from mmroute.errors import InputError

__all__ = ["PolicyEntry", "REGISTRY", "POLICIES", "OR_POLICIES", "BASELINES", "ON_REQUEST",
           "LEARNED", "BOUND", "EXPERTS",
           "SUMMARY_ORDER", "entry", "default_policies"]


@dataclass(frozen=True, kw_only=True)
class PolicyEntry:
    """One policy: ``name``, its class as ``"module:Class"`` and facts about it.

    ``is_or``: a non-clairvoyant OR baseline (PPO is judged against the best of these);
    ``learned``: a trained model, needs a model file; ``clairvoyant``: sees the whole
    realization (the hindsight bound); ``expert``: labels demonstrations for imitation
    (:mod:`mmroute.agents.imitation`); ``rank``: place in summaries (best informed first);
    ``default``: a baseline :func:`~mmroute.agents.evaluate` runs without ``policies`` (the
    scenario-based ones solve S + 1 MIPs per re-planning point: only when asked for);
    ``sampled``: plans over sampled futures (scenario-based; :mod:`mmroute.agents.voi`);
    ``fitted``: an OR policy with parameters fitted on training seeds (a card shipped per
    scenario, :mod:`mmroute.agents.hedge`): judged against the baselines like a learned one,
    but needs no model file.
    """

    name: str
    entry_point: str
    summary: str
    rank: int
    is_or: bool = False
    learned: bool = False
    clairvoyant: bool = False
    expert: bool = False
    default: bool = True
    sampled: bool = False
    fitted: bool = False

    @property
    def baseline(self) -> bool:
        """Neither learned, fitted nor clairvoyant: a policy the learned ones are judged against
        (:func:`~mmroute.agents.summarize` picks the best that ran)."""
        return not (self.learned or self.clairvoyant or self.fitted)

    def load(self) -> type:
        """The policy class (imported on first use)."""
        module, _, cls = self.entry_point.partition(":")
        return getattr(importlib.import_module(module), cls)


_P = "mmroute.agents.policies:"
#: Every policy by name, in the order the command line lists them.
REGISTRY: dict[str, PolicyEntry] = {e.name: e for e in (
    PolicyEntry(name="random", entry_point=_P + "RandomPolicy", rank=7,
                summary="uniform over the allowed slots"),
    PolicyEntry(name="greedy", entry_point=_P + "GreedyPolicy", rank=6,
                summary="the cheapest expected continuation"),
    PolicyEntry(name="greedy-late", entry_point=_P + "GreedyLatePolicy", rank=6, default=False,
                summary="greedy's move, held until the latest hour that still makes its "
                        "connection"),
    PolicyEntry(name="static", entry_point=_P + "StaticPolicy", rank=1, is_or=True,
                summary="the optimal plan at time 0 on expected conditions, followed"),
    PolicyEntry(name="replan", entry_point=_P + "ReplanPolicy", rank=2, is_or=True,
                expert=True, summary="re-plans whenever something new is known"),
    PolicyEntry(name="replan-late", entry_point=_P + "ReplanLatePolicy", rank=2, is_or=True,
                default=False, expert=True, summary="re-plans like replan; holds until its plan's next "
                                       "move leaves instead of booking it early"),
    PolicyEntry(name="anticipate", entry_point=_P + "AnticipatePolicy", rank=3, is_or=True,
                summary="re-plans on risk-adjusted conditions"),
    PolicyEntry(name="consensus", entry_point="mmroute.agents.consensus:ConsensusPolicy",
                rank=2, is_or=True, default=False,
                sampled=True, summary="re-plans S sampled futures, takes the move most agree on"),
    PolicyEntry(name="expectation", entry_point="mmroute.agents.consensus:ExpectationPolicy",
                rank=2, is_or=True, default=False, sampled=True,
                summary="re-plans S sampled futures, takes the move of least mean cost"),
    PolicyEntry(name="hedge", entry_point="mmroute.agents.hedge:HedgePolicy", rank=3,
                default=False, fitted=True,
                summary="re-plans with premiums fitted on training seeds (risk, waiting, "
                        "tight connections)"),
    PolicyEntry(name="hindsight", entry_point=_P + "HindsightPolicy", rank=0, clairvoyant=True,
                expert=True, summary="the clairvoyant optimum of the realization (the bound)"),
    PolicyEntry(name="ppo", entry_point=_P + "PPOPolicy", rank=5, learned=True,
                summary="a trained PPO model"),
    PolicyEntry(name="maskable-ppo", entry_point=_P + "PPOPolicy", rank=4, learned=True,
                summary="a trained MaskablePPO model"),
)}

#: Names of every policy.
POLICIES: tuple[str, ...] = tuple(REGISTRY)
#: The non-clairvoyant OR baselines PPO is judged by.
OR_POLICIES: tuple[str, ...] = tuple(n for n, e in REGISTRY.items() if e.is_or)
#: What :func:`~mmroute.agents.evaluate` runs without ``policies`` (besides a model).
BASELINES: tuple[str, ...] = tuple(n for n, e in REGISTRY.items() if e.baseline and e.default)
#: Policies run only when named (``--policies consensus,expectation,hedge``): the
#: scenario-based baselines and the fitted policies.
ON_REQUEST: tuple[str, ...] = tuple(n for n, e in REGISTRY.items() if not e.default
                                    and not (e.learned or e.clairvoyant))
#: Policies that are a trained model (the training algorithms: ``mmroute train --algo``).
LEARNED: tuple[str, ...] = tuple(n for n, e in REGISTRY.items() if e.learned)
#: The clairvoyant policy: its cost on a seed bounds every other's (evaluation checks it).
BOUND: str = next(n for n, e in REGISTRY.items() if e.clairvoyant)
#: The experts imitation learns from (the clairvoyant one first: the default;
#: ``TrainConfig.expert`` chooses one).
EXPERTS: tuple[str, ...] = tuple(sorted((n for n, e in REGISTRY.items() if e.expert),
                                        key=lambda n: REGISTRY[n].rank))
#: Policies in the order summaries show them.
SUMMARY_ORDER: tuple[str, ...] = tuple(sorted(REGISTRY, key=lambda n: REGISTRY[n].rank))


def entry(name: str) -> PolicyEntry:
    """The registry entry of ``name``; :class:`InputError` naming the choices if unknown."""
    try:
        return REGISTRY[name]
    except (KeyError, TypeError):
        raise InputError(f"unknown policy {name!r}; choose from {', '.join(POLICIES)}",
                         field="policies") from None


def default_policies(model: str | Path | None = None) -> list[str]:
    """What :func:`~mmroute.agents.evaluate` runs without ``policies``: the baselines, and
    the model's own algorithm (from its card) when there is a ``model``."""
    names = list(BASELINES)
    if model is not None:
        from mmroute.agents.model_files import model_file, read_card

        names.append(read_card(model_file(model))["algo"])
    return names
