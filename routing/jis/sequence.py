"""Sequence changes of a JIS day: cars pulled from or inserted into the published sequence, and
suppliers' short outages — the JIS event vocabulary (road delays and closures are the world's
events, :mod:`mmroute.world.events`).

What the plant does, as modelled here (each change applied at the time it is reported, ``at_h``):

- **A car pulled** (a body taken out before final assembly: a paint defect, a missing part):
  the line stays full, so every car behind it enters the line one takt earlier (needs its parts
  one takt earlier). A rack its suppliers have **started** (a car of it has been called off) keeps
  its composition: the pulled car's part is taken out and goes back to the supplier's stock, its
  slot stays empty (``meta["parts_to_stock"]``). Racks not started are formed again from the
  new sequence (every ``rack_size`` cars).
- **A car inserted** after car ``after`` of the published sequence (a repaired car back in
  line, a rush order): every car behind it enters the line one takt later (the line runs one
  takt of overtime at the end of its last shift if the shift is full). Its parts are called off
  when it is reported (or ``broadcast_h`` before it enters the line, if later) and are ready a
  sequencing lead later. A started rack is never opened again: where the car falls among racks
  a supplier has started, its part travels as a **rush rack** of its own (numbered after the
  started racks, exempt from the racks' order: the worker takes it by hand); otherwise it is
  built into the racks formed again. A part that cannot be ready, loaded and driven before its
  car reaches the station is a line stop.
- **A supplier's outage** ``[from_h, to_h)``: nothing loads there (its trucks wait); racks are
  built as called off. What the supplier's notice tells the plant, at ``at_h`` (default
  ``from_h``: a breakdown reported when it happens; earlier: planned maintenance announced
  ahead): the whole window, its start and its expected end. Before ``at_h`` nothing of it is
  known (:meth:`JisEvents.known_at`), the same rule as the world's road events (known at their
  onset with their announced end).

Cars are named by their position in the published sequence (``car``, ``after``; ``-1``: before
the first). A change concerns cars not on the line yet: pulling a car, or inserting before a
car, that has entered the line when the change is reported is an :class:`InputError`.
:func:`apply_changes` gives the problem of the day as known at a time (sequence, line-start and
call-off times, rack compositions), which the planners, :func:`.replan.replan_jis` and the
checker all read; :func:`keep_schedule` is the day without a re-plan (each trip as planned, later
if its racks are not ready); :func:`draw_changes` draws changes for a benchmark day.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mmroute import validate
from mmroute.errors import InputError
from mmroute.routing.jis.problem import JisProblem, ceil_s
from mmroute.routing.jis.result import JisPlan, JisTrip
from mmroute.scenarios.fields import Fields

__all__ = ["CarPulled", "CarInserted", "SupplierOutage", "JisEvents", "apply_changes", "keep_schedule",
           "draw_changes", "read_jis_events", "load_after"]


@dataclass(frozen=True)
class CarPulled:
    """Car ``car`` (position in the published sequence) is taken out; reported at ``at_h``."""

    car: int
    at_h: float


@dataclass(frozen=True)
class CarInserted:
    """A car of ``variant`` enters the sequence right after published car ``after`` (``-1``:
    first; behind the cars inserted there before); reported at ``at_h``."""

    after: int
    variant: str
    at_h: float


@dataclass(frozen=True)
class SupplierOutage:
    """Nothing loads at ``supplier`` in ``[from_h, to_h)``; the window is reported at ``at_h``
    (``None``: at ``from_h``), start and end together."""

    supplier: str
    from_h: float
    to_h: float
    at_h: float | None = None

    @property
    def reported_h(self) -> float:
        """When the plant learns of the outage (h): ``at_h``, or its start."""
        return self.from_h if self.at_h is None else self.at_h

    @property
    def window_s(self) -> tuple[int, int]:
        """The whole seconds of the outage, ``[first, end)``: every ``t`` with ``from_h * 3600 <=
        t < to_h * 3600`` (the one outage-to-window rule of the package: planners, re-plans,
        execution, practice and the day in hindsight)."""
        return ceil_s(self.from_h), ceil_s(self.to_h)


@dataclass(frozen=True)
class JisEvents:
    """A JIS day's sequence changes and supplier outages (hours from the scenario's hour 0)."""

    pulled: tuple[CarPulled, ...] = ()
    inserted: tuple[CarInserted, ...] = ()
    outages: tuple[SupplierOutage, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.pulled or self.inserted or self.outages)

    def known_at(self, time_h: float) -> JisEvents:
        """The events reported at or before ``time_h``."""
        t = time_h + 1e-9
        return JisEvents(pulled=tuple(e for e in self.pulled if e.at_h <= t),
                         inserted=tuple(e for e in self.inserted if e.at_h <= t),
                         outages=tuple(e for e in self.outages if e.reported_h <= t))

    def news_h(self) -> tuple[float, ...]:
        """The times (h) at which something is reported, in order."""
        return tuple(sorted({e.at_h for e in (*self.pulled, *self.inserted)} | {e.reported_h for e in self.outages}))

    def resume_s(self, time_s: int) -> dict[str, int]:
        """Per supplier in an outage at ``time_s``, when its loading resumes (of the outages
        reported by then, call it on :meth:`known_at`)."""
        out: dict[str, int] = {}
        for e in self.outages:
            first, end = e.window_s
            if first <= time_s < end:
                out[e.supplier] = max(out.get(e.supplier, 0), end)
        return out

    def blocked_s(self) -> dict[str, tuple[tuple[int, int], ...]]:
        """Per supplier, its outages as windows ``[first, end)`` (s, :attr:`SupplierOutage.window_s`)
        in which nothing loads, in order."""
        out: dict[str, list[tuple[int, int]]] = {}
        for e in self.outages:
            out.setdefault(e.supplier, []).append(e.window_s)
        return {sid: tuple(sorted(w)) for sid, w in out.items()}

    def validate(self, problem: JisProblem) -> None:
        """:class:`InputError` naming the event if it does not fit ``problem`` (the published day)."""
        n = problem.n_cars
        seen: set[int] = set()
        for i, e in enumerate(self.pulled):
            w = f"jis_events.pulled[{i}]"
            validate.integer(e.car, f"{w}.car", lo=0, hi=n - 1)
            validate.number(e.at_h, f"{w}.at_h", lo=0.0)
            if e.car in seen:
                raise InputError(f"car {e.car} is pulled twice", field=f"{w}.car")
            seen.add(e.car)
        variants = {v.id for v in problem.jis.variants}
        for i, e in enumerate(self.inserted):
            w = f"jis_events.inserted[{i}]"
            validate.integer(e.after, f"{w}.after", lo=-1, hi=n - 1)
            validate.number(e.at_h, f"{w}.at_h", lo=0.0)
            if e.variant not in variants:
                raise InputError(f"unknown variant {e.variant!r}", field=f"{w}.variant")
        ids = {s.id for s in problem.suppliers}
        for i, e in enumerate(self.outages):
            w = f"jis_events.outages[{i}]"
            if e.supplier not in ids:
                raise InputError(f"unknown supplier {e.supplier!r}", field=f"{w}.supplier")
            validate.number(e.from_h, f"{w}.from_h", lo=0.0)
            validate.number(e.to_h, f"{w}.to_h", lo=e.from_h)
            if e.at_h is not None:
                validate.number(e.at_h, f"{w}.at_h", lo=0.0, hi=e.from_h)

    def to_dict(self) -> dict[str, Any]:
        return {"pulled": [vars(e) | {} for e in self.pulled], "inserted": [vars(e) | {} for e in self.inserted],
                "outages": [{k: v for k, v in vars(e).items() if k != "at_h" or v is not None} for e in self.outages]}

    @classmethod
    def from_dict(cls, d: Any, *, file: str | None = None) -> JisEvents:
        """Strict reader: errors name ``file`` and the field (``jis_events.pulled[0].car``)."""
        f = Fields(file or "jis events")
        p = "jis_events"
        f.mapping(d, p, optional=("pulled", "inserted", "outages"))
        pulled = []
        for i, e in enumerate(f.sequence(d.get("pulled") or [], f"{p}.pulled", max_len=10_000)):
            w = f"{p}.pulled[{i}]"
            f.mapping(e, w, required=("car", "at_h"))
            pulled.append(CarPulled(car=f.integer(e["car"], f"{w}.car", ge=0),
                                    at_h=f.number(e["at_h"], f"{w}.at_h", ge=0)))
        inserted = []
        for i, e in enumerate(f.sequence(d.get("inserted") or [], f"{p}.inserted", max_len=10_000)):
            w = f"{p}.inserted[{i}]"
            f.mapping(e, w, required=("after", "variant", "at_h"))
            inserted.append(CarInserted(after=f.integer(e["after"], f"{w}.after", ge=-1),
                                        variant=f.identifier(e["variant"], f"{w}.variant"),
                                        at_h=f.number(e["at_h"], f"{w}.at_h", ge=0)))
        outages = []
        for i, e in enumerate(f.sequence(d.get("outages") or [], f"{p}.outages", max_len=10_000)):
            w = f"{p}.outages[{i}]"
            f.mapping(e, w, required=("supplier", "from_h", "to_h"), optional=("at_h",))
            a = f.number(e["from_h"], f"{w}.from_h", ge=0)
            at = e.get("at_h")
            outages.append(SupplierOutage(supplier=f.identifier(e["supplier"], f"{w}.supplier"), from_h=a,
                                          to_h=f.number(e["to_h"], f"{w}.to_h", gt=a),
                                          at_h=None if at is None else f.number(at, f"{w}.at_h", ge=0, le=a)))
        return cls(pulled=tuple(pulled), inserted=tuple(inserted), outages=tuple(outages))


def read_jis_events(path: str | Path, problem: JisProblem | None = None) -> JisEvents:
    """Read a JIS events JSON or YAML file (``{pulled: [...], inserted: [...], outages:
    [...]}``); checked against ``problem`` when given. Errors name the file and the field."""
    import yaml

    from mmroute.io import read_text

    text = read_text(path, what="JIS events file")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"not JSON or YAML: {str(exc).splitlines()[0]}", file=path) from None
    ev = JisEvents.from_dict(data, file=str(path))
    if problem is not None:
        try:
            ev.validate(problem)
        except InputError as exc:
            raise InputError(exc.reason, file=path, field=exc.field) from None
    return ev


# --- the day as known at a time -------------------------------------------------------------
@dataclass
class _Day:
    """The sequence as it stands: car tokens (``("o", published position)`` or ``("n", k)``),
    variants, line-start and call-off times, and per supplier the racks' tokens."""

    tokens: list[tuple[str, int]]
    variants: list[str]
    starts: list[int]
    calloff: list[float]
    racks: dict[str, list[list[tuple[str, int]]]]
    overtime: int = 0
    to_stock: dict[str, int] | None = None


def _started(day: _Day, sid: str, t_s: float) -> int:
    """How many of ``sid``'s racks (a prefix) have a car called off by ``t_s``."""
    where = {tok: i for i, tok in enumerate(day.tokens)}
    k = 0
    for rack in day.racks[sid]:
        if not any(day.calloff[where[tok]] <= t_s for tok in rack if tok in where):
            break
        k += 1
    return k


def load_after(blocked: tuple[tuple[int, int], ...], t: int) -> int:
    """The earliest time >= ``t`` (s) outside the half-open windows ``blocked`` (a supplier's
    outages, :meth:`JisEvents.blocked_s`): when a loading wanted at ``t`` can start."""
    for a, b in sorted(blocked):
        if a <= t < b:
            t = b
    return t


def apply_changes(problem: JisProblem, events: JisEvents, time_h: float | None = None) -> JisProblem:
    """``problem`` (the published day) with the sequence changes of ``events`` reported by
    ``time_h`` (``None``: all) applied in time order, as the module docstring says; the same
    roads. ``meta``: ``pulled``, ``inserted`` (counts) and ``parts_to_stock`` per supplier."""
    validate.instance_of(problem, JisProblem, "problem")
    validate.instance_of(events, JisEvents, "events")
    if problem.rack_cars or problem.calloff_s:
        raise InputError("expected the published day (a problem without sequence changes)", field="problem")
    events.validate(problem)
    known = events if time_h is None else events.known_at(time_h)
    changes = sorted([(e.at_h, 0, i, e) for i, e in enumerate(known.pulled)]
                     + [(e.at_h, 1, i, e) for i, e in enumerate(known.inserted)], key=lambda x: x[:3])
    if not changes:
        return problem
    jis, line = problem.jis, problem.jis.line
    n = problem.n_cars
    day = _Day(tokens=[("o", i) for i in range(n)], variants=list(jis.sequence), starts=list(problem.car_start_s),
               calloff=[problem.calloff(i) for i in range(n)],
               racks={s.id: [[("o", c) for c in range(a, min(a + s.rack_size, n))] for a in range(0, n, s.rack_size)]
                      for s in problem.suppliers}, to_stock={s.id: 0 for s in problem.suppliers})
    for at_h, kind, i, e in changes:
        t = at_h * 3600
        slots = list(day.starts)
        started = {s.id: _started(day, s.id, t) for s in problem.suppliers}
        if kind == 0:
            w = f"jis_events.pulled[{i}]"
            j = day.tokens.index(("o", e.car)) if ("o", e.car) in day.tokens else -1
            if j < 0:
                raise InputError(f"car {e.car} is not in the sequence any more", field=w)
            if day.starts[j] <= t:
                raise InputError(f"car {e.car} entered the line at {day.starts[j]} s, before the report at "
                                 f"{t:.0f} s", field=w)
            tok = day.tokens.pop(j)
            day.variants.pop(j)
            day.calloff.pop(j)
            day.starts = slots[:-1]  # the cars behind move up one takt
            for s in problem.suppliers:
                for k, rack in enumerate(day.racks[s.id][:started[s.id]]):
                    if tok in rack:
                        if len(rack) == 1:
                            raise InputError(f"car {e.car} is the only part left in {s.id}'s rack {k}, which has "
                                             "started (an empty rack is not modelled)", field=w)
                        rack.remove(tok)
                        day.to_stock[s.id] += 1  # type: ignore[index]
        else:
            w = f"jis_events.inserted[{i}]"
            tok = ("n", i)
            if e.after < 0:
                j = 0
            else:
                base = ("o", e.after)
                if base in day.tokens:
                    j = day.tokens.index(base) + 1
                else:  # the anchor was pulled: where it stood
                    j = next((q for q, x in enumerate(day.tokens) if x[0] == "o" and x[1] > e.after), len(day.tokens))
                while j < len(day.tokens) and day.tokens[j][0] == "n":  # behind the cars inserted there before
                    j += 1
            if j < len(day.starts) and day.starts[j] <= t:
                raise InputError(f"the car behind the insertion entered the line at {day.starts[j]} s, before the "
                                 f"report at {t:.0f} s", field=w)
            extra = slots[-1] + line.takt_s  # the next takt: overtime past the last shift if full
            nxt = _next_slot(problem, len(slots))
            if nxt is not None and nxt > slots[-1]:
                extra = nxt
            else:
                day.overtime += 1
            day.starts = slots + [extra]
            day.tokens.insert(j, tok)
            day.variants.insert(j, e.variant)
            day.calloff.insert(j, max(t, day.starts[j] - line.broadcast_h * 3600))
        # cars not called off yet are called off at their (new) time, never before the report
        for q in range(len(day.tokens)):
            if day.calloff[q] > t:
                day.calloff[q] = max(t, day.starts[q] - line.broadcast_h * 3600)
        where = {x: q for q, x in enumerate(day.tokens)}
        for s in problem.suppliers:
            kept = day.racks[s.id][:started[s.id]]
            inside = {x for rack in kept for x in rack}
            rush = []
            if kind == 1 and inside and where[tok] < max(where[x] for x in inside if x in where):
                rush = [[tok]]  # among racks started: a rack of its own, out of the racks' order
                inside.add(tok)
            rest = [x for x in day.tokens if x not in inside]
            day.racks[s.id] = kept + rush + [rest[a:a + s.rack_size] for a in range(0, len(rest), s.rack_size)]
    where = {tok: q for q, tok in enumerate(day.tokens)}
    shifts = list(line.shifts)
    if day.overtime:
        a, b = shifts[-1]
        shifts[-1] = (a, max(b, (day.starts[-1] + line.takt_s) / 3600))
    new_jis = replace(jis, sequence=tuple(day.variants), line=replace(line, shifts=tuple(shifts)))
    return replace(problem, jis=new_jis, car_start_s=tuple(day.starts), calloff_s=tuple(day.calloff),
                   rack_cars={sid: tuple(tuple(where[tok] for tok in rack) for rack in racks)
                              for sid, racks in day.racks.items()},
                   meta={**problem.meta, "pulled": len(known.pulled), "inserted": len(known.inserted),
                         "parts_to_stock": dict(day.to_stock or {})})


def _next_slot(problem: JisProblem, k: int) -> int | None:
    """Line-start time of slot ``k`` of the line's shifts (``None`` past the last shift)."""
    from mmroute.scenarios.jis_section import line_slots_s

    slots = line_slots_s(problem.jis.line, k + 1)
    return slots[k] if len(slots) > k else None


def keep_schedule(problem: JisProblem, plan: JisPlan) -> tuple[JisTrip, ...]:
    """The day without a re-plan: ``plan``'s trips (made for the published day) with their
    times and truck loads, carrying ``problem``'s racks in sequence (a trip of q racks takes the
    next q); a trip loads when planned, or later when its racks are not ready or its truck is
    not back (the drive of its departure hour; it unloads at its planned arrival at the
    earliest, and after the racks before it: they stay in sequence). Racks left over ride on extra trips as soon as they are ready and a truck is back."""
    validate.instance_of(problem, JisProblem, "problem")
    validate.instance_of(plan, JisPlan, "plan")
    unload = problem.jis.line.unload_s
    out: list[JisTrip] = []
    for s in problem.suppliers:
        racks = problem.racks(s.id)
        road = problem.roads[s.id]
        free = [0] * s.fleet
        k, last = 0, 0
        mine = sorted((t for t in plan.trips if t.supplier == s.id), key=lambda t: t.racks[0])
        while k < len(racks):
            if mine:
                t = mine.pop(0)
                q, truck, load0, arrive0 = len(t.racks), t.truck, t.load_s, t.arrive_s
                if not mine:
                    q = max(q, min(s.racks_per_truck, len(racks) - k))
            else:
                q = min(s.racks_per_truck, len(racks) - k)
                truck = min(range(s.fleet), key=lambda j: free[j])
                load0, arrive0 = 0, 0
            group = tuple(range(k, min(k + q, len(racks))))
            load = max(load0, free[truck], racks[group[-1]].ready_s, 0)
            depart = load + s.loading_s
            rush = all(racks[r].rush for r in group)
            arrive = max(arrive0, depart + road.drive_out_s(depart), 0 if rush else last)
            ret = arrive + unload + road.drive_back_s(arrive + unload)
            free[truck] = ret
            last = last if rush else arrive
            out.append(JisTrip(supplier=s.id, truck=truck, load_s=load, depart_s=depart, arrive_s=arrive,
                               return_s=ret, racks=group))
            k += len(group)
    return tuple(out)


def draw_changes(problem: JisProblem, seed: int, *, pulled: float = 2.0, inserted: float = 1.0,
                 notice_h: tuple[float, float] = (0.5, 3.0), outage_probability: float = 0.0,
                 outage_h: tuple[float, float] = (0.25, 1.0)) -> JisEvents:
    """A day's changes drawn with ``numpy.random.default_rng(seed)``: Poisson(``pulled``) cars
    pulled and Poisson(``inserted``) cars inserted (of a variant drawn by its share), each
    reported ``notice_h`` (uniform) before the car concerned enters the line, and with
    ``outage_probability`` one supplier's outage of ``outage_h`` starting during the shift."""
    import numpy as np

    validate.instance_of(problem, JisProblem, "problem")
    seed = validate.seed(seed)
    rng = np.random.default_rng(seed)
    n = problem.n_cars
    starts = problem.car_start_s
    lo, hi = notice_h
    first = starts[0]

    def report(car: int) -> float:
        return round(max(0.0, (starts[car] - 3600 * rng.uniform(lo, hi)) / 3600), 4)

    pull_cars = sorted({int(c) for c in rng.choice(n, size=min(n, int(rng.poisson(pulled))), replace=False)})
    pulls = []
    for c in pull_cars:
        at = report(c)
        pulls.append(CarPulled(car=c, at_h=min(at, (starts[c] - 1) / 3600)))
    shares = np.array([v.share for v in problem.jis.variants], dtype=float)
    shares = shares / shares.sum() if shares.sum() > 0 else np.full(len(shares), 1 / len(shares))
    ins = []
    taken = set(pull_cars)
    for _ in range(int(rng.poisson(inserted))):
        after = int(rng.integers(0, n - 1))
        while after + 1 in taken and after + 1 < n - 1:
            after += 1
        variant = problem.jis.variants[int(rng.choice(len(shares), p=shares))].id
        ins.append(CarInserted(after=after, variant=variant, at_h=min(report(after + 1), (starts[after + 1] - 1) / 3600)))
    outages = []
    if rng.uniform() < outage_probability:
        s = problem.suppliers[int(rng.integers(0, len(problem.suppliers)))]
        a = (first + rng.uniform(0, max(1, starts[-1] - first))) / 3600
        outages.append(SupplierOutage(supplier=s.id, from_h=round(a, 4), to_h=round(a + rng.uniform(*outage_h), 4)))
    return JisEvents(pulled=tuple(pulls), inserted=tuple(ins), outages=tuple(outages))
