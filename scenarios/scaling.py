"""Scale a scenario to a carmaker's month: many consignments of a few TEU on its own lanes.

:func:`scale` keeps the network, the objective, the fleet / cars sections and the uncertainty
of a scenario and replaces its shipments by ``consignments`` new ones:

- each consignment copies one of the file's shipments (its origin-destination pair, lead time
  ``due_h - release_h``, lateness penalty and cargo), drawn with probability proportional to
  that shipment's ``quantity_teu``: a lane that carries 30 % of the file's TEU carries about
  30 % of the consignments;
- its quantity is a whole number of TEU drawn uniformly in ``teu`` (default 1-3, mean 2), so
  the total volume grows linearly with ``consignments`` (about 2 TEU each);
- its release is a whole hour drawn uniformly in ``[0, horizon - lead time)``, so releases
  spread over the horizon and every due time falls inside it (when the lead time fits);
- the horizon is extended to a month (:data:`MONTH_H` = 720 h) if shorter; timetables repeat
  every ``period_h`` so the services run on over the longer horizon.

Capacities and the late-order rate are rates (TEU per departure, per node-day, per road
link-day; orders per day), so they are multiplied by the growth of the volume *per hour*::

    factor = (new total TEU / new horizon_h) / (file's total TEU / file's horizon_h)

(capacities rounded up to whole TEU). A file that was tight stays as tight at scale. The
uncertainty is kept: traffic, demand noise, weather cells and disruptions with their
probabilities and durations; only their start windows (``start_h``) are stretched with the
horizon, so a storm that could strike anywhere in the file's three weeks can strike anywhere
in the month. The same scenario, ``consignments`` and ``seed`` give the same result.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from mmroute.errors import InputError
from mmroute.scenarios.loader import parse
from mmroute.scenarios.model import Scenario
from mmroute.validate import MAX_SHIPMENTS, instance_of, integer
from mmroute.validate import seed as check_seed

__all__ = ["MONTH_H", "MAX_CONSIGNMENTS", "MAX_LATE_ORDERS_PER_DAY", "scale", "volume_factor"]

#: A month of 30 days (h): the shortest horizon of a scaled scenario.
MONTH_H = 720.0
#: Most consignments :func:`scale` makes (the most shipments a scenario may hold).
MAX_CONSIGNMENTS = MAX_SHIPMENTS
#: The scenario format's bound on ``late_orders.rate_per_day``: a scaled rate stops there.
MAX_LATE_ORDERS_PER_DAY = 1000.0
#: Largest TEU of one consignment.
MAX_TEU = 1000


def volume_factor(base: Scenario, total_teu: float, horizon_h: float) -> float:
    """How much the volume per hour grows from ``base`` to ``total_teu`` over ``horizon_h``."""
    base_teu = sum(s.quantity_teu for s in base.shipments)
    return (total_teu / horizon_h) / (base_teu / base.horizon_h)


def scale(
    scenario: Scenario,
    *,
    consignments: int,
    seed: int,
    teu: tuple[int, int] = (1, 3),
    name: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Scenario:
    """``scenario`` with ``consignments`` shipments of ``teu[0]..teu[1]`` TEU over a month.

    See the module's docstring for what is drawn and what is scaled. ``name`` defaults to
    ``<name>-x<consignments>``; ``progress(message)`` is told of each stage (for large runs).
    Raises :class:`~mmroute.errors.InputError` on bad arguments.
    """
    import numpy as np  # not at import: loading a scenario does not need numpy

    base = instance_of(scenario, Scenario, "scenario", hint="load it first with load(path)")
    n = integer(consignments, "consignments", lo=1, hi=MAX_CONSIGNMENTS)
    rng = np.random.default_rng(check_seed(seed))
    teu_lo, teu_hi = _teu_range(teu)
    say = progress or (lambda _msg: None)

    horizon_h = max(base.horizon_h, MONTH_H)
    ships = base.shipments
    weights = np.array([s.quantity_teu for s in ships], dtype=float)
    say(f"drawing {n:,} consignments on {len({(s.origin, s.destination) for s in ships})} "
        f"lanes over {horizon_h:g} h")
    pick = rng.choice(len(ships), size=n, p=weights / weights.sum())
    qty = rng.integers(teu_lo, teu_hi + 1, size=n)
    lead = np.array([ships[k].due_h - ships[k].release_h for k in pick])
    span = np.maximum(horizon_h - lead, 1.0)
    release = np.minimum(np.floor(rng.uniform(0.0, span)), horizon_h - 1.0)
    order = np.lexsort((np.arange(n), release))  # by release, then draw order
    width = max(4, len(str(n)))
    out = []
    for i, j in enumerate(order, start=1):
        src = ships[int(pick[j])]
        rel = float(release[j])
        out.append({
            "id": f"C{i:0{width}d}",
            "origin": src.origin,
            "destination": src.destination,
            "quantity_teu": float(qty[j]),
            "release_h": rel,
            "due_h": rel + float(lead[j]),
            "lateness_penalty_cny_per_teu_h": src.lateness_penalty_cny_per_teu_h,
            **({"cargo": src.cargo} if src.cargo is not None else {}),
        })
    factor = volume_factor(base, float(qty.sum()), horizon_h)
    data = base.to_dict()
    data["name"] = name if name is not None else f"{base.name}-x{n}"
    data["horizon_h"] = horizon_h
    data["shipments"] = out
    data["description"] = (
        f"{base.description.rstrip()} Scaled: {n:,} consignments of {teu_lo}-{teu_hi} TEU over "
        f"{horizon_h:g} h (seed {seed}), capacities and late orders x{factor:.3g}.").strip()
    data["sources"] = [*base.sources, _source_line(base, n, seed, factor)]
    _scale_capacities(data, factor)
    _scale_uncertainty(data, factor, horizon_h / base.horizon_h)
    say(f"validating {n:,} consignments (volume x{factor:.3g} per hour)")
    return parse(data, file=f"{data['name']} (scaled)")


def _teu_range(teu: Any) -> tuple[int, int]:
    if not isinstance(teu, list | tuple) or len(teu) != 2:
        raise InputError(f"expected a pair (min, max) of whole TEU, got {teu!r}", field="teu")
    lo = integer(teu[0], "teu[0]", lo=1, hi=MAX_TEU)
    hi = integer(teu[1], "teu[1]", lo=1, hi=MAX_TEU)
    if hi < lo:
        raise InputError(f"expected min <= max, got ({lo}, {hi})", field="teu")
    return lo, hi  # type: ignore[return-value]


def _source_line(base: Scenario, n: int, seed: int, factor: float) -> str:
    return (f"Consignments: drawn by 'mmroute scenarios scale' (seed {seed}) from the "
            f"{len(base.shipments)} shipments of {base.name} (lanes and lead times weighted by "
            f"TEU); {n:,} consignments; capacities and late-order rate x{factor:.4g} "
            f"(volume per hour).")


def _scaled(cap: float, factor: float) -> float:
    """A capacity times ``factor``, rounded up to a whole TEU (at least 1)."""
    return float(max(1, math.ceil(cap * factor - 1e-9)))


def _scale_capacities(data: dict[str, Any], factor: float) -> None:
    for node in data["nodes"]:
        if node.get("capacity_teu_per_day") is not None:
            node["capacity_teu_per_day"] = _scaled(node["capacity_teu_per_day"], factor)
    for link in data["links"]:
        if link.get("capacity_teu") is not None:
            link["capacity_teu"] = _scaled(link["capacity_teu"], factor)


def _scale_uncertainty(data: dict[str, Any], factor: float, stretch: float) -> None:
    unc = data["uncertainty"]
    for item in (*unc["weather"], *unc["disruptions"]):
        item["start_h"] = [round(x * stretch, 3) for x in item["start_h"]]
    late = unc["demand"].get("late_orders")
    if late is not None:
        late["rate_per_day"] = min(MAX_LATE_ORDERS_PER_DAY, round(late["rate_per_day"] * factor, 4))
