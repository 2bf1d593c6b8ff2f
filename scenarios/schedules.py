"""Carrier schedules (DCSA Commercial Schedules JSON) -> timetabled links of a scenario.

:func:`import_schedules` reads a payload (:mod:`mmroute.scenarios.dcsa`) and gives link
entries as a scenario file writes them: sailings of one service between the same two nodes
with the same transit time and cut-off lead become one link whose timetable lists their
departures (hours from the scenario start), ``cutoff_h`` the lead of the cut-off before
departure and ``transit_time_h`` the scheduled door-to-door time of the leg. The timetable's
period is :data:`PERIOD_H` (366 days): dated sailings do not repeat within a scenario.
TRUCK legs become road links (road runs at any time) with the leg's transit time. A leg
from a place back to the same place (a port call: departure and arrival at the same instant,
as in the examples of the DCSA specification; or a round trip) is no link: it is skipped
with its reason, and the other legs import.

Places are matched to the scenario's nodes by their ``locode`` (a node of a kind that fits
the mode when several share a code); without a scenario the node ids are the UN/LOCODEs.
:func:`write_links` writes the entries as YAML to merge into a scenario's ``links``, each
timetable with a comment giving its departures as local times at its origin.

Times shown (those comments, the reasons of skipped legs) are local to the place where they
happen: in the node's ``time_zone`` when it has one, else at the UTC offset the payload
gives there, else in the start's zone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timezone
from pathlib import Path
from typing import Any

import yaml

from mmroute.errors import InputError
from mmroute.io import read_json, write_text_atomic
from mmroute.scenarios.clock import Clock, parse_start
from mmroute.scenarios.dcsa import Read, Sailing, read_sailings
from mmroute.scenarios.model import Scenario

__all__ = ["Imported", "import_schedules", "schedule_links", "write_links", "PERIOD_H",
           "CUTOFF_CODES"]

#: Period of an imported timetable (h): the longest a timetable may have, so that dated
#: sailings never repeat inside a scenario of up to 366 days.
PERIOD_H = 24 * 366
#: Cut-offs that say when the cargo must be at the terminal (FCL delivery, port cut-off);
#: the earliest of those given is the link's cut-off.
CUTOFF_CODES = ("FCO", "PCO")
#: Longest cut-off lead a timetable takes (h; the scenario format's limit).
MAX_CUTOFF_H = 24 * 30
_KINDS_FOR_MODE = {"sea": ("port",), "barge": ("port",), "rail": ("rail_terminal",)}
_ID_CHARS = re.compile(r"[^A-Za-z0-9_.~-]")


@dataclass(frozen=True)
class Imported:
    """The result of an import: ``links`` (entries as in a scenario file), the
    ``sailings`` they hold (in hours from the start), ``skipped`` (JSON path, reason) and
    ``local_departures`` (link id, the departures of its timetable as ISO 8601 local times
    at its origin)."""

    kind: str
    links: tuple[dict[str, Any], ...]
    sailings: tuple[Sailing, ...]
    skipped: tuple[tuple[str, str], ...]
    local_departures: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def summary(self) -> str:
        """One line: the kind, links, sailings and skipped parts."""
        modes: dict[str, int] = {}
        for lk in self.links:
            modes[lk["mode"]] = modes.get(lk["mode"], 0) + 1
        by_mode = ", ".join(f"{m} {n}" for m, n in sorted(modes.items())) or "none"
        return (f"{self.kind}: {len(self.sailings)} sailings -> {len(self.links)} links "
                f"({by_mode}); {len(self.skipped)} skipped")


def import_schedules(path: str | Path, scenario: Scenario | None = None, *,
                     start: str | None = None,
                     cutoff_codes: Sequence[str] = CUTOFF_CODES) -> Imported:
    """Read the DCSA JSON file ``path`` into link entries for ``scenario`` (its ``start``
    and its nodes' ``locode``s), or, without one, for hour 0 at ``start`` with the
    UN/LOCODEs as node ids. :class:`InputError` naming the file and the field if the
    payload is malformed or a sailing cannot be a link."""
    name = Path(path).name
    data = read_json(path, what="DCSA schedules JSON file")
    if scenario is not None and start is None:
        if scenario.start is None:
            raise InputError("the scenario has no start: give one (with a UTC offset)",
                             file=scenario.source_file, field="start")
        clock = scenario.clock()
    else:
        if start is None:
            raise InputError("give a scenario or a start (hour 0, with a UTC offset)",
                             field="start")
        try:
            clock = parse_start(start)
        except ValueError as exc:
            raise InputError(str(exc), field="start") from None
    read = read_sailings(data, clock, file=name)
    return schedule_links(read, scenario, file=name, cutoff_codes=tuple(cutoff_codes),
                          clock=clock)


def schedule_links(read: Read, scenario: Scenario | None = None, *, file: str = "<payload>",
                   cutoff_codes: tuple[str, ...] = CUTOFF_CODES,
                   clock: Clock | None = None) -> Imported:
    """Link entries from sailings already read (see :func:`import_schedules`)."""
    clock = _local_clock(read, scenario, clock)
    horizon = scenario.horizon_h if scenario is not None else PERIOD_H
    if horizon > PERIOD_H:
        raise InputError(f"dated sailings are imported for horizons up to {PERIOD_H} h "
                         f"(366 days), the scenario's is {horizon:g} h", field="horizon_h")
    skipped = list(read.skipped)
    groups: dict[tuple, list[Sailing]] = {}
    kept = []
    for s in read.sailings:
        if s.from_locode == s.to_locode:
            skipped.append((s.source, _same_place(s, clock, scenario)))
            continue
        _check(s, file, cutoff_codes)
        if s.departure_h < 0:
            skipped.append((s.source, f"departs {_when(s.departure_h, clock, s, scenario)}, "
                                      "before the scenario start"))
            continue
        if s.departure_h > horizon:
            skipped.append((s.source, f"departs {_when(s.departure_h, clock, s, scenario)}, "
                                      "after the horizon"))
            continue
        a = _node(s.from_locode, s.mode, scenario)
        b = _node(s.to_locode, s.mode, scenario)
        if a is None or b is None:
            missing = s.from_locode if a is None else s.to_locode
            skipped.append((s.source, f"no node with locode {missing} in the scenario"))
            continue
        if a == b:
            skipped.append((s.source, f"{s.from_locode} and {s.to_locode} are the same node "
                                      f"'{a}'"))
            continue
        cut = s.cutoff_h(cutoff_codes)
        lead = 0.0 if cut is None else round(s.departure_h - cut, 6)
        transit = round(s.arrival_h - s.departure_h, 6)
        groups.setdefault((a, b, s.mode, s.service, transit, lead), []).append(s)
        kept.append(s)
    links: list[dict[str, Any]] = []
    local: list[tuple[str, tuple[str, ...]]] = []
    seen: dict[str, int] = {}
    for (a, b, mode, service, transit, lead), sails in groups.items():
        base = _ID_CHARS.sub("-", f"{service or mode}-{a}-{b}")[:58]
        seen[base] = seen.get(base, 0) + 1
        ident = base if seen[base] == 1 else f"{base}-{seen[base]}"
        entry: dict[str, Any] = {"id": ident, "from": a, "to": b, "mode": mode,
                                 "transit_time_h": transit}
        if mode != "road":
            deps = sorted({round(s.departure_h, 6) for s in sails})
            entry["timetable"] = {"period_h": float(PERIOD_H), "departures_h": deps,
                                  "cutoff_h": lead}
            if clock is not None:
                local.append((ident, tuple(str(clock.iso(d, node=a)) for d in deps)))
        links.append(entry)
    return Imported(kind=read.kind, links=tuple(links), sailings=tuple(kept),
                    skipped=tuple(skipped), local_departures=tuple(local))


def write_links(imported: Imported, path: str | Path, *, source: str = "") -> Path:
    """Write the link entries as YAML (``links:``, one entry per line, a header saying
    where they came from) atomically; return ``path``."""
    head = [f"# {imported.summary()}"]
    if source:
        head.append(f"# imported by mmroute schedules import from {source}")
    head.append("# merge these entries into a scenario's links; hours from its start")
    lines = ["links:"]
    local = dict(imported.local_departures)
    for lk in imported.links:
        deps = local.get(lk["id"], ())
        if deps:
            more = f" and {len(deps) - 5} more" if len(deps) > 5 else ""
            lines.append(f"  # departs {lk['from']} {', '.join(deps[:5])}{more} (local times)")
        text = yaml.safe_dump(lk, default_flow_style=True, sort_keys=False, width=10**9)
        lines.append(f"  - {text.strip()}")
    if not imported.links:
        lines = ["links: []"]
    return write_text_atomic(path, "\n".join([*head, *lines]) + "\n")


def _check(s: Sailing, file: str, codes: tuple[str, ...]) -> None:
    """A sailing that contradicts itself cannot be a link (InputError naming its path)."""
    if s.arrival_h <= s.departure_h:
        raise InputError(f"arrives {s.arrival_h - s.departure_h:g} h after it departs "
                         "(must be later)", file=file, field=s.source)
    cut = s.cutoff_h(codes)
    if cut is not None and cut > s.departure_h:
        raise InputError(f"cut-off {cut - s.departure_h:g} h after the departure",
                         file=file, field=f"{s.source}.cutOffTimes")
    if cut is not None and s.departure_h - cut >= MAX_CUTOFF_H:
        raise InputError(f"cut-off {s.departure_h - cut:g} h before the departure (at most "
                         f"{MAX_CUTOFF_H} h)", file=file, field=f"{s.source}.cutOffTimes")


def _same_place(s: Sailing, clock: Clock | None, scenario: Scenario | None) -> str:
    """Why a leg from a place to the same place is no link (a port call, or a round trip)."""
    at = _when(s.departure_h, clock, s, scenario)
    if s.arrival_h == s.departure_h:
        return (f"a port call at {s.from_locode} (departs and arrives there at the same "
                f"instant, {at}), not a link")
    return (f"departs {s.from_locode} {at} and returns there "
            f"{s.arrival_h - s.departure_h:g} h later: no link joins a place to itself")


def _node(code: str, mode: str, scenario: Scenario | None) -> str | None:
    """The scenario node of UN/LOCODE ``code`` for ``mode`` (the code itself without a
    scenario; ``None`` if no node has it; InputError if several fit)."""
    if scenario is None:
        return code
    nodes = [n for n in scenario.nodes if n.locode == code]
    if len(nodes) > 1:
        fit = [n for n in nodes if n.kind in _KINDS_FOR_MODE.get(mode, (n.kind,))]
        nodes = fit if fit else nodes
    if len(nodes) > 1:
        raise InputError(f"nodes {', '.join(n.id for n in nodes)} all have locode {code}: "
                         f"give one of them a different code for {mode} services",
                         file=scenario.source_file, field="nodes")
    return nodes[0].id if nodes else None


def _place(code: str, scenario: Scenario | None) -> str | None:
    """The node a UN/LOCODE names, for showing local times (the code itself without a
    scenario; ``None`` when no node, or several, have it)."""
    if scenario is None:
        return code
    nodes = [n.id for n in scenario.nodes if n.locode == code]
    return nodes[0] if len(nodes) == 1 else None


def _local_clock(read: Read, scenario: Scenario | None, clock: Clock | None) -> Clock | None:
    """``clock`` showing times at each place in its node's zone (the scenario's clock has
    them), else at the UTC offset the payload gives there."""
    if clock is None or not clock.aware:
        return clock
    own = set() if scenario is None else {n.id for n in scenario.nodes if n.time_zone}
    zones = {}
    for code, offset in read.utc_offsets:
        node = _place(code, scenario)
        if node is not None and node not in own:
            zones[node] = timezone(offset)
    return clock.with_node_zones(zones)


def _when(time_h: float, clock: Clock | None, s: Sailing | None = None,
          scenario: Scenario | None = None) -> str:
    """Hour ``time_h`` with its timestamp, local to where sailing ``s`` departs."""
    if clock is None:
        return f"{time_h:g} h"
    node = None if s is None else _place(s.from_locode, scenario)
    return f"{clock.iso(time_h, node=node)} ({time_h:g} h)"

