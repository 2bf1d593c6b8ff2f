"""Read DCSA Commercial Schedules 1.0.3 payloads into dated sailings.

DCSA's Commercial Schedules API (``/v1/point-to-point-routes``, ``/v1/port-schedules``,
``/v1/vessel-schedules``) returns JSON lists; :func:`read_sailings` reads any of them, as the
API returns it, into :class:`Sailing` records: from one UN/LOCODE to the next, the mode, the
departure and arrival and the cut-offs, in hours from the scenario start (local date-times
with their UTC offsets, as the standard writes them, are honoured:
:mod:`mmroute.scenarios.clock`). :mod:`mmroute.scenarios.schedules` turns sailings into
timetabled links.

* Point-to-point routes: each leg is a sailing (its ``departure`` -> ``arrival``); its
  cut-offs are the leg's ``cutOffTimes``, and the route's ``cutOffTimes`` for the first leg
  (they are given at the place of receipt).
* Port schedules (one port's calls) and vessel schedules (a service's voyages): the calls of
  one vessel on one service, in time order, give a sailing between each call and the next;
  cut-offs are those of the call it departs from. Times: actual, else estimated, else
  planned (``eventClassifierCode`` ACT / EST / PLN).

Modes: VESSEL -> sea, BARGE -> barge, RAIL -> rail, TRUCK -> road. Legs of combined modes
(RAIL_TRUCK, BARGE_TRUCK, BARGE_RAIL, MULTIMODAL), legs without a mode and places without a
UN/LOCODE cannot be one link: they are skipped, each with its reason (:attr:`Read.skipped`).
Anything else malformed is an :class:`~mmroute.errors.InputError` naming the file and the
field (JSON path, e.g. ``[0].legs[1].departure.dateTime``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from mmroute.errors import InputError
from mmroute.scenarios.clock import Clock
from mmroute.scenarios.fields import type_name
from mmroute.scenarios.locode import LOCODE_PATTERN

__all__ = ["Sailing", "Read", "read_sailings", "MODES", "COMBINED_MODES", "KINDS"]

#: DCSA ``modeOfTransport`` -> the scenario's link mode.
MODES = {"VESSEL": "sea", "BARGE": "barge", "RAIL": "rail", "TRUCK": "road"}
#: Modes DCSA allows that are no single link mode (legs of these are skipped).
COMBINED_MODES = ("RAIL_TRUCK", "BARGE_TRUCK", "BARGE_RAIL", "MULTIMODAL")
#: Payload kinds :func:`read_sailings` tells apart.
KINDS = ("point-to-point", "port-schedules", "vessel-schedules")
_CLASSIFIERS = ("ACT", "EST", "PLN")  # preferred first


@dataclass(frozen=True)
class Sailing:
    """One departure of one service from ``from_locode`` to ``to_locode``.

    Times in hours from the scenario start: ``departure_h``, ``arrival_h``; ``cutoffs_h``
    the cut-offs by DCSA code (``FCO`` FCL delivery, ``DCO`` documentation, ...);
    ``service`` the carrier's service code (or ``""``), ``voyage`` the export voyage number,
    ``vessel`` the IMO number (or ``""``); ``source`` the JSON path it was read from.
    """

    from_locode: str
    to_locode: str
    mode: str
    departure_h: float
    arrival_h: float
    cutoffs_h: tuple[tuple[str, float], ...] = ()
    service: str = ""
    voyage: str = ""
    vessel: str = ""
    source: str = ""

    def cutoff_h(self, codes: tuple[str, ...]) -> float | None:
        """The earliest cut-off among ``codes`` (``None`` if none of them is given)."""
        times = [t for c, t in self.cutoffs_h if c in codes]
        return min(times) if times else None


@dataclass(frozen=True)
class Read:
    """What :func:`read_sailings` read: the payload ``kind``, the ``sailings`` and the
    ``skipped`` parts as (JSON path, reason); ``utc_offsets`` the UTC offset the payload
    gives its local times at each UN/LOCODE (the first departure or arrival there), to show
    times there as the schedule does."""

    kind: str
    sailings: tuple[Sailing, ...]
    skipped: tuple[tuple[str, str], ...] = field(default=())
    utc_offsets: tuple[tuple[str, timedelta], ...] = field(default=())


class _Reader:
    """Typed access to a payload, errors naming ``file`` and the JSON path."""

    def __init__(self, file: str, clock: Clock):
        self.file, self.clock = file, clock
        self.offsets: dict[str, timedelta] = {}  # UN/LOCODE -> the payload's UTC offset there

    def error(self, path: str, message: str) -> InputError:
        return InputError(message, file=self.file, field=path or None)

    def obj(self, value: Any, path: str, required: tuple[str, ...] = ()) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(path, f"expected an object, got {_kind(value)}")
        for key in required:
            if key not in value:
                raise self.error(_join(path, key), "required field is missing")
        return value

    def array(self, value: Any, path: str, *, min_len: int = 0) -> list[Any]:
        if not isinstance(value, list):
            raise self.error(path, f"expected an array, got {_kind(value)}")
        if len(value) < min_len:
            raise self.error(path, f"expected at least {min_len} item(s), got {len(value)}")
        return value

    def text(self, value: Any, path: str, *, max_len: int = 5000) -> str:
        if not isinstance(value, str):
            raise self.error(path, f"expected a string, got {_kind(value)}")
        if len(value) > max_len:
            raise self.error(path, f"string too long ({len(value)} > {max_len} characters)")
        return value

    def hours(self, value: Any, path: str, at: str | None = None) -> float:
        """A local date-time with its UTC offset, in hours from the start (the offset kept
        as that of place ``at``, a UN/LOCODE, if it has none yet)."""
        text = self.text(value, path, max_len=40)
        try:
            t = datetime.fromisoformat(text)
        except ValueError:
            raise self.error(path, f"{text!r} is not an ISO 8601 date-time") from None
        if t.tzinfo is None:
            raise self.error(path, f"{text!r} has no UTC offset (DCSA gives local times with "
                                   "their offset, e.g. 2025-01-14T09:21:00+01:00)")
        if at is not None:
            self.offsets.setdefault(at, t.utcoffset())  # type: ignore[arg-type]
        return self.clock.hours(t)

    def locode(self, location: Any, path: str) -> str | None:
        """The location's ``UNLocationCode`` (``None`` if it has none)."""
        loc = self.obj(location, path)
        if "UNLocationCode" not in loc:
            return None
        code = self.text(loc["UNLocationCode"], f"{path}.UNLocationCode", max_len=20)
        if not LOCODE_PATTERN.match(code):
            raise self.error(f"{path}.UNLocationCode", f"{code!r} is not a UN/LOCODE "
                                                        "(e.g. NLRTM)")
        return code

    def cutoffs(self, value: Any, path: str) -> tuple[tuple[str, float], ...]:
        out = []
        for i, raw in enumerate(self.array(value, path)):
            p = f"{path}[{i}]"
            c = self.obj(raw, p, ("cutOffDateTimeCode", "cutOffDateTime"))
            code = self.text(c["cutOffDateTimeCode"], f"{p}.cutOffDateTimeCode", max_len=3)
            out.append((code, self.hours(c["cutOffDateTime"], f"{p}.cutOffDateTime")))
        return tuple(out)


def read_sailings(data: Any, clock: Clock, *, file: str = "<payload>") -> Read:
    """The sailings of a DCSA Commercial Schedules payload (a JSON list as the API returns
    it; the kind is told from its items), times in hours of ``clock`` (which must have a UTC
    offset). :class:`InputError` naming ``file`` and the field on malformed input."""
    r = _Reader(file, clock)
    if not clock.aware:
        raise InputError("the scenario start needs a UTC offset to place DCSA times (local "
                         "times with offsets), e.g. 2026-03-02T08:00:00+08:00", file=file)
    items = r.array(data, "", min_len=0)
    kind = _kind_of(r, items)
    skipped: list[tuple[str, str]] = []
    if kind == "point-to-point":
        sailings = [s for i, route in enumerate(items)
                    for s in _point_to_point(r, route, f"[{i}]", skipped)]
    elif kind == "port-schedules":
        calls = [c for i, ps in enumerate(items) for c in _port_schedule(r, ps, f"[{i}]")]
        sailings = _voyages(calls)
    else:
        calls = [c for i, ss in enumerate(items) for c in _service_schedule(r, ss, f"[{i}]")]
        sailings = _voyages(calls)
    return Read(kind=kind, sailings=tuple(sailings), skipped=tuple(skipped),
                utc_offsets=tuple(r.offsets.items()))


def _kind_of(r: _Reader, items: list[Any]) -> str:
    if not items:
        raise r.error("", "no schedules in the payload (an empty list)")
    first = r.obj(items[0], "[0]")
    if "legs" in first:
        return "point-to-point"
    if "vesselSchedules" in first and "carrierServiceCode" in first:
        return "vessel-schedules"
    if "location" in first:
        return "port-schedules"
    raise r.error("[0]", "not a DCSA point-to-point route, port schedule or vessel schedule "
                         "(expected 'legs', 'location' or 'carrierServiceCode')")


# --- point-to-point routes ----------------------------------------------------------------
def _point_to_point(r: _Reader, raw: Any, p: str, skipped: list) -> list[Sailing]:
    route = r.obj(raw, p, ("placeOfReceipt", "placeOfDelivery", "legs"))
    route_cut = r.cutoffs(route.get("cutOffTimes", []), f"{p}.cutOffTimes")
    out = []
    for j, leg_raw in enumerate(r.array(route["legs"], f"{p}.legs", min_len=1)):
        q = f"{p}.legs[{j}]"
        leg = r.obj(leg_raw, q, ("departure", "arrival"))
        dep = r.obj(leg["departure"], f"{q}.departure", ("location", "dateTime"))
        arr = r.obj(leg["arrival"], f"{q}.arrival", ("location", "dateTime"))
        a = r.locode(dep["location"], f"{q}.departure.location")
        b = r.locode(arr["location"], f"{q}.arrival.location")
        dep_h = r.hours(dep["dateTime"], f"{q}.departure.dateTime", a)
        arr_h = r.hours(arr["dateTime"], f"{q}.arrival.dateTime", b)
        cuts = r.cutoffs(leg.get("cutOffTimes", []), f"{q}.cutOffTimes")
        if j == 0:
            cuts = route_cut + cuts
        transport = leg.get("transport")
        if transport is None:
            skipped.append((q, "no transport mode given"))
            continue
        t = r.obj(transport, f"{q}.transport", ("modeOfTransport",))
        code = r.text(t["modeOfTransport"], f"{q}.transport.modeOfTransport", max_len=20)
        if code in COMBINED_MODES:
            skipped.append((q, f"combined mode {code} is not one link mode"))
            continue
        if code not in MODES:
            raise r.error(f"{q}.transport.modeOfTransport",
                          f"{code!r} is not one of {', '.join([*MODES, *COMBINED_MODES])}")
        if a is None or b is None:
            skipped.append((q, "a place without UNLocationCode"))
            continue
        service, voyage, vessel = _transport_ids(r, t, f"{q}.transport")
        out.append(Sailing(from_locode=a, to_locode=b, mode=MODES[code], departure_h=dep_h,
                           arrival_h=arr_h, cutoffs_h=cuts, service=service, voyage=voyage,
                           vessel=vessel, source=q))
    return out


def _transport_ids(r: _Reader, t: Mapping[str, Any], p: str) -> tuple[str, str, str]:
    """Service code, export voyage and IMO number of a leg's transport (``""`` if absent)."""
    service = voyage = vessel = ""
    partners = r.array(t.get("servicePartners", []), f"{p}.servicePartners")
    if partners:
        sp = r.obj(partners[0], f"{p}.servicePartners[0]")
        service = r.text(sp.get("carrierServiceCode", ""), f"{p}.servicePartners[0]"
                         ".carrierServiceCode", max_len=11)
        voyage = r.text(sp.get("carrierExportVoyageNumber", ""), f"{p}.servicePartners[0]"
                        ".carrierExportVoyageNumber", max_len=50)
    for key in ("vessel", "barge"):
        if key in t:
            v = r.obj(t[key], f"{p}.{key}")
            vessel = r.text(v.get("vesselIMONumber", ""), f"{p}.{key}.vesselIMONumber",
                            max_len=8)
    return service, voyage, vessel


# --- port and vessel schedules: calls -> voyages ------------------------------------------
@dataclass(frozen=True)
class _Call:
    key: tuple[str, str]  # (service code, vessel IMO or voyage)
    locode: str
    arrival_h: float | None
    departure_h: float | None
    cutoffs_h: tuple[tuple[str, float], ...]
    voyage: str
    source: str


def _times(r: _Reader, value: Any, p: str, at: str) -> tuple[float | None, float | None]:
    """Arrival and departure (h) of a call's timestamps at UN/LOCODE ``at``: ACT, else EST,
    else PLN."""
    best: dict[str, tuple[int, float]] = {}
    for i, raw in enumerate(r.array(value, p, min_len=1)):
        q = f"{p}[{i}]"
        ts = r.obj(raw, q, ("eventTypeCode", "eventClassifierCode", "eventDateTime"))
        ev = r.text(ts["eventTypeCode"], f"{q}.eventTypeCode", max_len=4)
        cl = r.text(ts["eventClassifierCode"], f"{q}.eventClassifierCode", max_len=3)
        if ev not in ("ARRI", "DEPA"):
            raise r.error(f"{q}.eventTypeCode", f"{ev!r} is not ARRI or DEPA")
        if cl not in _CLASSIFIERS:
            raise r.error(f"{q}.eventClassifierCode", f"{cl!r} is not ACT, EST or PLN")
        h = r.hours(ts["eventDateTime"], f"{q}.eventDateTime", at)
        rank = _CLASSIFIERS.index(cl)
        if ev not in best or rank < best[ev][0]:
            best[ev] = (rank, h)
    return (best["ARRI"][1] if "ARRI" in best else None,
            best["DEPA"][1] if "DEPA" in best else None)


def _port_schedule(r: _Reader, raw: Any, p: str) -> list[_Call]:
    ps = r.obj(raw, p, ("location",))
    code = r.locode(ps["location"], f"{p}.location")
    if code is None:
        raise r.error(f"{p}.location.UNLocationCode", "a port schedule needs its port's "
                                                     "UNLocationCode")
    out = []
    for i, raw_s in enumerate(r.array(ps.get("vesselSchedules", []), f"{p}.vesselSchedules")):
        q = f"{p}.vesselSchedules[{i}]"
        s = r.obj(raw_s, q, ("servicePartners", "isDummyVessel", "timestamps"))
        partners = r.array(s["servicePartners"], f"{q}.servicePartners", min_len=1)
        sp = r.obj(partners[0], f"{q}.servicePartners[0]",
                   ("carrierServiceCode", "carrierImportVoyageNumber",
                    "carrierExportVoyageNumber"))
        service = r.text(sp["carrierServiceCode"], f"{q}.servicePartners[0].carrierServiceCode",
                         max_len=11)
        voyage = r.text(sp["carrierExportVoyageNumber"],
                        f"{q}.servicePartners[0].carrierExportVoyageNumber", max_len=50)
        vessel = _imo(r, s, q)
        arr, dep = _times(r, s["timestamps"], f"{q}.timestamps", code)
        out.append(_Call(key=(service, vessel or voyage), locode=code, arrival_h=arr,
                         departure_h=dep, voyage=voyage, source=q,
                         cutoffs_h=r.cutoffs(s.get("cutOffTimes", []), f"{q}.cutOffTimes")))
    return out


def _service_schedule(r: _Reader, raw: Any, p: str) -> list[_Call]:
    ss = r.obj(raw, p, ("carrierServiceName", "carrierServiceCode", "vesselSchedules"))
    service = r.text(ss["carrierServiceCode"], f"{p}.carrierServiceCode", max_len=11)
    out = []
    for i, raw_v in enumerate(r.array(ss["vesselSchedules"], f"{p}.vesselSchedules",
                                      min_len=1)):
        q = f"{p}.vesselSchedules[{i}]"
        vs = r.obj(raw_v, q, ("isDummyVessel",))
        vessel = _imo(r, vs, q) or f"vessel-{i}"
        for j, raw_c in enumerate(r.array(vs.get("transportCalls", []), f"{q}.transportCalls")):
            c = f"{q}.transportCalls[{j}]"
            call = r.obj(raw_c, c, ("transportCallReference", "carrierImportVoyageNumber",
                                    "timestamps"))
            code = r.locode(call.get("location", {}), f"{c}.location")
            if code is None:
                raise r.error(f"{c}.location.UNLocationCode", "a transport call needs its "
                                                             "UNLocationCode")
            voyage = r.text(call.get("carrierExportVoyageNumber",
                                     call["carrierImportVoyageNumber"]),
                            f"{c}.carrierExportVoyageNumber", max_len=50)
            arr, dep = _times(r, call["timestamps"], f"{c}.timestamps", code)
            out.append(_Call(key=(service, vessel), locode=code, arrival_h=arr,
                             departure_h=dep, voyage=voyage, source=c,
                             cutoffs_h=r.cutoffs(call.get("cutOffTimes", []),
                                                 f"{c}.cutOffTimes")))
    return out


def _imo(r: _Reader, s: Mapping[str, Any], p: str) -> str:
    if "vessel" not in s:
        return ""
    v = r.obj(s["vessel"], f"{p}.vessel")
    return r.text(v.get("vesselIMONumber", ""), f"{p}.vessel.vesselIMONumber", max_len=8)


def _voyages(calls: list[_Call]) -> list[Sailing]:
    """Sailings between consecutive calls (in time) of each vessel on each service."""
    by_key: dict[tuple[str, str], list[_Call]] = {}
    for c in calls:
        by_key.setdefault(c.key, []).append(c)
    out = []
    for key, cs in by_key.items():
        cs.sort(key=lambda c: c.departure_h if c.departure_h is not None else c.arrival_h)
        for a, b in zip(cs, cs[1:], strict=False):
            if a.departure_h is None or b.arrival_h is None:
                continue
            out.append(Sailing(from_locode=a.locode, to_locode=b.locode, mode="sea",
                               departure_h=a.departure_h, arrival_h=b.arrival_h,
                               cutoffs_h=a.cutoffs_h, service=key[0], voyage=a.voyage,
                               vessel=key[1], source=a.source))
    return out


def _kind(value: Any) -> str:
    return type_name(value, json=True)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
