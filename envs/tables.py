"""Tables of one scenario that the environment computes once and reads at every decision:
the world's :class:`~mmroute.world.tables.Tables` (travel times, timetables, nominal road
paths), the simulator's per-node services and road trips, the candidates' nominal cost-to-go
and service rows, and the unseen-disruption risk per disruption.

An :class:`EnvTables` is built for a nominal scenario and held by its owner — a
:class:`~mmroute.envs.RerouteEnv` across its ``reset()``\\ s, or one
:class:`~mmroute.envs.Simulator` — never by the (frozen) scenario; the modules that compute
an entry (``simulator``, ``candidates``, ``risk``) fill it lazily. Every entry is a function
of the scenario's network, objective and uncertainty section alone (nothing of an episode),
so simulators sharing tables run as if alone.

:class:`EpisodeMemo` holds what the observation side keeps for one episode (the risk of the
current hour, the scenario as known): owned by the simulator, read and written only by the
modules that compute it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mmroute.errors import InputError
from mmroute.scenarios import Scenario
from mmroute.world.tables import Tables, checked_tables

__all__ = ["EnvTables", "EpisodeMemo", "env_tables_for"]


class EnvTables:
    """Per-scenario tables of the environment (see the module doc); ``scenario``: the
    nominal scenario they were built for.

    ``world``: the network's :class:`~mmroute.world.tables.Tables`;
    ``services`` / ``trips_to`` / ``trips`` / ``moves``: the simulator's scheduled links per
    node, road trips per (node, destination) and per node, one :class:`Move` per departure
    or road path (``Simulator.services`` etc.); ``to_go`` / ``rests``: the nominal
    continuation per destination and its rows per (node, by road)
    (:func:`~mmroute.envs.candidates.to_go`); ``service_rows``: per (node, destination) the
    services on with their nominal rest; ``risk``: per disruption its targets and expected
    effects (:mod:`mmroute.envs.risk`), ``None`` until asked; ``risk_at``: the risk tables
    per (disruptions seen, hour) (:mod:`mmroute.envs.risk`, bounded); ``fastest``: the
    shortest nominal travel time per (node, destination)
    (:func:`~mmroute.world.shipments.fastest_h`, for ``Simulator.drop_reason``).
    """

    def __init__(self, scenario: Scenario, world: Tables | None = None):
        self.scenario = scenario
        self.world = world if world is not None else Tables(scenario)
        self.world.check(scenario)
        self.services: dict[str, list[tuple]] = {}
        self.trips_to: dict[tuple[str, str], tuple[list[tuple], list]] = {}
        self.trips: dict[str, list[tuple]] = {}
        self.moves: dict[Any, Any] = {}
        self.to_go: dict[str, Any] = {}
        self.rests: dict[str, dict[tuple[str, bool], tuple]] = {}
        self.service_rows: dict[tuple[str, str], list[tuple]] = {}
        self.risk: list[tuple] | None = None
        self.risk_at: dict[tuple, tuple] = {}
        self.fastest: dict[tuple[str, str], float | None] = {}

    def check(self, scenario: Scenario) -> None:
        """:class:`InputError` unless these are the tables of ``scenario`` (the object
        itself: the entries read its shipments' destinations, objective and uncertainty)."""
        if scenario is not self.scenario:
            raise InputError(
                f"environment tables of scenario {self.scenario.name!r} given for another "
                f"scenario object ({scenario.name!r}): build EnvTables(scenario) for it",
                field="tables")


def env_tables_for(scenario: Scenario, tables: EnvTables | None) -> EnvTables:
    """``tables`` after checking they are ``scenario``'s, or fresh ones."""
    return checked_tables(EnvTables, scenario, tables)


@dataclass
class EpisodeMemo:
    """What the observation side keeps for one episode (mutable; owned by the simulator).

    ``risk``: :mod:`mmroute.envs.risk`'s ``(key, tables, known events, seen)`` of the
    current onset count and hour; ``known_scenarios``: :func:`~mmroute.envs.known.
    known_scenario`'s scenario per known shipment list (the last one)."""

    risk: tuple | None = None
    known_scenarios: dict[tuple, Scenario] = field(default_factory=dict)
