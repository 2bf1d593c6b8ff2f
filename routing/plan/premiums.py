"""``ArcPremiums``: extra costs the plan MIP minimises beside its objective, to shape a decision
(a cost-function approximation, Powell's CFA: :class:`mmroute.agents.hedge.HedgePolicy`).

Premiums are CNY per TEU on arcs of the time-expanded network:

* ``links`` — ``(link, from_h, to_h, cny_per_teu)``: every leg of ``link`` departing in
  ``[from_h, to_h)`` (windows of one link add up);
* ``nodes`` — ``(node, from_h, to_h, cny_per_teu)``: every transshipment (handling) at
  ``node`` starting in ``[from_h, to_h)``, and every road leg leaving ``node`` on a trip that
  passes it (a border crossing: no handling there, its delays hit the truck) when the truck
  reaches it in ``[from_h, to_h)``;
* ``wait_tie_cny_per_teu`` — a tie-breaker between departures: the wait arcs (in a yard or
  for the road) cost ``wait_tie_cny_per_teu / span_h`` per TEU-hour, ``span_h`` the network's
  first to last time point, so the later of two departures pays for the hours between them
  and a TEU's waits over the whole plan pay at most ``wait_tie_cny_per_teu``. An optimal
  plan's true cost is then within ``wait_tie_cny_per_teu`` x its TEU of the optimum without
  it: an unavoidable wait (for a weekly sailing) cannot move a route by more;
* ``tight_cny_per_teu`` / ``tight_h`` — a transfer into a yard whose next cut-off point
  comes less than ``tight_h`` after handling ends (node handling time; known extra dwell not
  counted) pays ``tight_cny_per_teu x (1 - slack / tight_h)``: arrivals that meet a
  connection with little slack.

They shape the decision only. A plan solved with premiums carries its true costs (legs,
handling, lateness: what :func:`~mmroute.world.check.check_plan` recomputes) as its
objective; the shaped objective is not claimed as a cost, nor its dual bound as a bound
(``bound`` ``None``, ``status`` ``feasible`` or ``timeout``). Empty premiums (the default)
leave the model exactly as without them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from mmroute.errors import InputError
from mmroute.validate import is_number

__all__ = ["ArcPremiums", "Window", "MAX_PREMIUM_CNY_PER_TEU"]

#: (target id, from_h, to_h, CNY per TEU)
Window = tuple[str, float, float, float]

#: Largest premium accepted (CNY per TEU, or per TEU-hour): above any drop penalty in use
MAX_PREMIUM_CNY_PER_TEU = 1e7


@dataclass(frozen=True, kw_only=True)
class ArcPremiums:
    """Extra costs (CNY per TEU) of arcs of the plan MIP; see the module doc."""

    links: tuple[Window, ...] = ()
    nodes: tuple[Window, ...] = ()
    wait_tie_cny_per_teu: float = 0.0
    tight_cny_per_teu: float = 0.0
    tight_h: float = 0.0

    @property
    def empty(self) -> bool:
        """True if no arc gets a premium (the model is the one without premiums)."""
        return (not any(w[3] for w in self.links) and not any(w[3] for w in self.nodes)
                and not self.wait_tie_cny_per_teu
                and not (self.tight_cny_per_teu and self.tight_h))

    def validate(self) -> None:
        """:class:`InputError` naming the first bad field."""
        for name in ("links", "nodes"):
            windows = getattr(self, name)
            if not isinstance(windows, tuple | list):
                raise InputError("expected (id, from_h, to_h, cny_per_teu) windows",
                                 field=f"params.premiums.{name}")
            for k, w in enumerate(windows):
                where = f"params.premiums.{name}[{k}]"
                if (not isinstance(w, tuple | list) or len(w) != 4 or not isinstance(w[0], str)
                        or not all(is_number(x) for x in w[1:])):
                    raise InputError(f"expected (id, from_h, to_h, cny_per_teu), got {w!r}"[:200],
                                     field=where)
                if not (np.isfinite(w[1]) and np.isfinite(w[2]) and w[1] <= w[2]):
                    raise InputError(f"expected finite from_h <= to_h, got {w[1]!r}, {w[2]!r}",
                                     field=where)
                _amount(w[3], where)
        for name in ("wait_tie_cny_per_teu", "tight_cny_per_teu", "tight_h"):
            _amount(getattr(self, name), f"params.premiums.{name}")

    def per_arc(self, scenario, net) -> np.ndarray:
        """The premium of every arc of ``net`` (CNY per TEU; index = arc id)."""
        links: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
        nodes: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
        for lid, a, b, x in self.links:
            if x:
                links[lid].append((a, b, x))
        for nid, a, b, x in self.nodes:
            if x:
                nodes[nid].append((a, b, x))
        wait = self.wait_per_teu_h(net)
        tight = self.tight_cny_per_teu if self.tight_h else 0.0
        handling_h = {n.id: n.handling_time_h for n in scenario.nodes}
        out = np.zeros(len(net.arcs))
        for i, arc in enumerate(net.arcs):
            x = 0.0
            for k, lg in enumerate(arc.legs):
                x += _in_windows(links.get(lg.link), lg.departure_h)
                if k and lg.mode == "road" and nodes:  # a road trip passing lg.from_node
                    x += _in_windows(nodes.get(lg.from_node), arc.legs[k - 1].arrival_h)
            for h in arc.handling:
                x += _in_windows(nodes.get(h.node), h.at_h)
            if wait and arc.kind == "wait":
                x += wait * (net.nodes[arc.head][2] - net.nodes[arc.tail][2])
            if tight and arc.kind == "transfer" and arc.handling:
                head = net.nodes[arc.head]
                if head[0] == "D":
                    h = arc.handling[0]
                    slack = head[2] - (h.at_h + handling_h[h.node])
                    if slack < self.tight_h:
                        x += tight * (1.0 - max(0.0, slack) / self.tight_h)
            out[i] = x
        return out

    def wait_per_teu_h(self, net) -> float:
        """The waiting premium of ``net`` (CNY per TEU-hour): ``wait_tie_cny_per_teu`` over
        its span of time points (no TEU waits longer)."""
        if not self.wait_tie_cny_per_teu:
            return 0.0
        times = [v[2] for v in net.nodes if v[0] in ("D", "R")]  # the wait arcs' ends
        span_h = max(times, default=0.0) - min(times, default=0.0)
        return self.wait_tie_cny_per_teu / span_h if span_h > 0 else 0.0


def _in_windows(windows, t: float) -> float:
    """The sum of the premiums of ``windows`` (``None``: none) that hold ``t``."""
    if not windows:
        return 0.0
    return sum(x for a, b, x in windows if a <= t < b)


def _amount(value, field: str) -> float:
    if not is_number(value) or not 0.0 <= float(value) <= MAX_PREMIUM_CNY_PER_TEU:
        raise InputError(f"expected a number in [0, {MAX_PREMIUM_CNY_PER_TEU:g}], got "
                         f"{value!r}"[:200], field=field)
    return float(value)
