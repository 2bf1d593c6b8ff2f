"""A strict check of VRPLIB text before the ``vrplib`` package parses it.

``vrplib`` drops the node-id column, ignores what it does not know and takes numbers as they
come, so a duplicated or missing node line, a section shorter than ``DIMENSION`` or a
fractional demand would silently give another problem. This module reads the text the way
``vrplib`` groups it (``KEY : value`` lines, then ``NAME_SECTION`` blocks, up to ``EOF``) and
checks it first:

- every specification known and given once; ``DIMENSION`` (and ``VEHICLES``, ``CAPACITY``)
  positive integers; ``EDGE_WEIGHT_TYPE`` / ``FORMAT`` ones the reader supports;
- node sections (coordinates, demands, time windows, service times) have exactly
  ``DIMENSION`` lines with ids ``1 .. DIMENSION`` in order; per-vehicle sections (HFVRP
  dialect) exactly ``VEHICLES`` lines with ids ``1 .. VEHICLES``; depots listed once, ended by
  ``-1``; explicit edge weights as many as the format needs;
- numbers finite and bounded; integer fields (demands, capacities, times, costs, ids)
  integers.

Errors are :class:`~mmroute.errors.InstanceError` naming the file and the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mmroute.errors import InstanceError
from mmroute.routing.vrp.text import MAX_COORD, MAX_INT, MAX_NODES, integer, number

__all__ = ["VrplibText", "check_vrplib_text"]

_SPECS_USED = {"NAME", "COMMENT", "TYPE", "DIMENSION", "CAPACITY", "VEHICLES", "EDGE_WEIGHT_TYPE", "EDGE_WEIGHT_FORMAT"}
_SPECS_IGNORED = {"DISPLAY_DATA_TYPE", "NODE_COORD_TYPE"}  # presentation only
# TYPE values read as the problem mmroute solves. CVRPLIB's E-n101-k14 is tagged OVRP by
# mistake: its published optimum (1067) is that of the closed CVRP.
_TYPES = {"CVRP", "OVRP", "VRPTW", "CVRPTW", "HFVRP"}
_EDGE_TYPES = {"EUC_2D", "FLOOR_2D", "CEIL_2D", "EXPLICIT"}
_EDGE_FORMATS = {"FULL_MATRIX", "LOWER_ROW"}
# section -> (value columns after the id, integer values?, lower bound of the values)
_NODE_SECTIONS = {
    "NODE_COORD": (2, False, -MAX_COORD),
    "DEMAND": (None, True, 0),  # one or more load dimensions
    "TIME_WINDOW": (2, True, 0),
    "SERVICE_TIME": (1, True, 0),
}
# per-vehicle section -> largest value (costs bounded so that costs x distances fit in int64)
_VEHICLE_SECTIONS = {"CAPACITY": MAX_INT, "VEHICLES_FIXED_COST": 10**9, "VEHICLES_UNIT_DISTANCE_COST": 10**6}
# sections that do not change the problem mmroute solves; CVRPLIB's E-n33-k4 carries a
# BACKHAUL_SECTION although its published optimum (835) is that of the plain CVRP
_SECTIONS_IGNORED = {"DISPLAY_DATA", "BACKHAUL"}


@dataclass
class VrplibText:
    """What the check learned: the specifications and, per section, its header line number."""

    specs: dict[str, str] = field(default_factory=dict)
    sections: dict[str, int] = field(default_factory=dict)
    dimension: int = 0
    vehicles: int | None = None


def _split(text: str) -> list[tuple[int, str]]:
    """Non-empty, stripped lines with their numbers; ``#`` comments dropped (as ``vrplib``)."""
    return [
        (no, s) for no, line in enumerate(text.splitlines(), 1)
        if (s := line.strip()) and not s.startswith("#")
    ]


def check_vrplib_text(text: str, file: Path) -> VrplibText:
    """Check VRPLIB ``text`` (see the module docstring); return what it declares."""
    lines = _split(text)
    out = VrplibText()
    spec_lines: dict[str, int] = {}
    blocks: dict[str, tuple[int, list[tuple[int, list[str]]]]] = {}
    i = 0
    while i < len(lines):
        no, line = lines[i]
        if "EOF" in line:
            break
        if "_SECTION" in line:
            head = line.strip(" :")
            if not head.endswith("_SECTION") or len(head.split()) != 1:
                raise InstanceError(f"expected a section name alone on its line, got {line[:60]!r}", file=file, field=f"line {no}")
            name = head.removesuffix("_SECTION").upper()
            if name in blocks:
                raise InstanceError(f"{name}_SECTION appears twice (first at line {blocks[name][0]})", file=file, field=f"line {no}")
            rows = []
            i += 1
            while i < len(lines) and "_SECTION" not in lines[i][1] and "EOF" not in lines[i][1]:
                rno, rline = lines[i]
                if ":" in rline:
                    raise InstanceError("a 'KEY : value' line after the sections began", file=file, field=f"line {rno}")
                rows.append((rno, rline.split()))
                i += 1
            blocks[name] = (no, rows)
            continue
        if ":" not in line:
            raise InstanceError(f"expected 'KEY : value' or a section name, got {line[:60]!r}", file=file, field=f"line {no}")
        key, _, value = line.partition(":")
        key = key.strip().upper()
        if key in spec_lines:
            raise InstanceError(f"{key} is given twice (first at line {spec_lines[key]})", file=file, field=f"line {no}")
        if key not in _SPECS_USED | _SPECS_IGNORED:
            raise InstanceError(f"unsupported specification {key!r} (mmroute would ignore it and solve another problem)", file=file, field=f"line {no}")
        spec_lines[key] = no
        out.specs[key] = value.strip()
        i += 1
    out.sections = {k: v[0] for k, v in blocks.items()}
    for name in blocks:
        if name in spec_lines:
            raise InstanceError(f"{name} is both a specification and a section", file=file, field=f"line {blocks[name][0]}")
        if name not in _NODE_SECTIONS and name not in _VEHICLE_SECTIONS and name not in _SECTIONS_IGNORED | {"DEPOT", "EDGE_WEIGHT"}:
            raise InstanceError(f"unsupported section {name}_SECTION (mmroute would ignore it and solve another problem)", file=file, field=f"line {blocks[name][0]}")

    def spec_int(key: str, lo: int, hi: int) -> int | None:
        if key not in out.specs:
            return None
        return integer(out.specs[key], file=file, where=f"line {spec_lines[key]} {key}", lo=lo, hi=hi)

    n = spec_int("DIMENSION", 1, MAX_NODES)
    if n is None:
        raise InstanceError("missing DIMENSION (the number of nodes)", file=file, field="DIMENSION")
    out.dimension = n
    out.vehicles = spec_int("VEHICLES", 1, 10**6)
    spec_int("CAPACITY", 0, MAX_INT)
    ptype = out.specs.get("TYPE", "CVRP").upper()
    if ptype not in _TYPES:
        raise InstanceError(f"TYPE {ptype!r} is not supported, expected one of {sorted(_TYPES)}", file=file, field=f"line {spec_lines['TYPE']}")
    etype = out.specs.get("EDGE_WEIGHT_TYPE", "").upper()
    if etype not in _EDGE_TYPES:
        where = f"line {spec_lines['EDGE_WEIGHT_TYPE']}" if "EDGE_WEIGHT_TYPE" in spec_lines else "EDGE_WEIGHT_TYPE"
        raise InstanceError(f"EDGE_WEIGHT_TYPE {etype!r} is not supported, expected one of {sorted(_EDGE_TYPES)}", file=file, field=where)
    if "DEMAND" not in blocks:
        raise InstanceError("missing DEMAND_SECTION", file=file, field="DEMAND_SECTION")

    for name, (head_no, rows) in blocks.items():
        if name in _NODE_SECTIONS:
            cols, ints, lo = _NODE_SECTIONS[name]
            hi = MAX_COORD if name == "NODE_COORD" else MAX_INT
            _check_rows(rows, name, n, "DIMENSION", cols, ints, lo, hi, file, head_no)
        elif name in _VEHICLE_SECTIONS:
            if ptype != "HFVRP":  # the dialect also scales distances and costs
                raise InstanceError(f"{name}_SECTION (one line per vehicle) needs TYPE: HFVRP", file=file, field=f"line {head_no}")
            if out.vehicles is None:
                raise InstanceError(f"{name}_SECTION needs a VEHICLES specification (its number of lines)", file=file, field=f"line {head_no}")
            _check_rows(rows, name, out.vehicles, "VEHICLES", 1, True, 0, _VEHICLE_SECTIONS[name], file, head_no)
        elif name == "DEPOT":
            _check_depots(rows, n, file, head_no)
        elif name == "EDGE_WEIGHT":
            _check_weights(rows, n, out.specs.get("EDGE_WEIGHT_FORMAT", "").upper(), file, head_no)
    if "2D" in etype and "NODE_COORD" not in blocks:
        raise InstanceError(f"EDGE_WEIGHT_TYPE {etype} needs a NODE_COORD_SECTION", file=file, field="NODE_COORD_SECTION")
    if etype == "EXPLICIT" and "EDGE_WEIGHT" not in blocks:
        raise InstanceError("EDGE_WEIGHT_TYPE EXPLICIT needs an EDGE_WEIGHT_SECTION", file=file, field="EDGE_WEIGHT_SECTION")
    if etype != "EXPLICIT" and "EDGE_WEIGHT" in blocks:
        raise InstanceError(f"an EDGE_WEIGHT_SECTION with EDGE_WEIGHT_TYPE {etype}", file=file, field=f"line {blocks['EDGE_WEIGHT'][0]}")
    if "CAPACITY" not in blocks and "CAPACITY" not in out.specs:
        raise InstanceError("missing CAPACITY", file=file, field="CAPACITY")
    if "DEPOT" not in blocks:
        raise InstanceError("missing DEPOT_SECTION (a truncated file?)", file=file, field="DEPOT_SECTION")
    if ptype == "HFVRP":
        for name in ("CAPACITY", "VEHICLES_UNIT_DISTANCE_COST"):
            if name not in blocks:
                raise InstanceError(f"TYPE HFVRP needs a {name}_SECTION (one line per vehicle)", file=file, field=f"{name}_SECTION")
    return out


def _check_rows(rows, name: str, count: int, count_name: str, cols: int | None, ints: bool,
                lo: float, hi: float, file: Path, head_no: int) -> None:
    """``count`` lines ``id v1 .. v_cols`` with ids 1..count in order."""
    if len(rows) != count:
        raise InstanceError(
            f"{name}_SECTION has {len(rows)} lines, {count_name} says {count}", file=file, field=f"line {head_no}"
        )
    width = None
    for k, (no, tokens) in enumerate(rows, 1):
        where = f"line {no}"
        want = cols if cols is not None else (width or max(2, len(tokens))) - 1
        if len(tokens) != want + 1 or want < 1:
            raise InstanceError(f"{name}_SECTION: expected an id and {want} value(s), got {len(tokens)} fields", file=file, field=where)
        width = len(tokens)
        node = integer(tokens[0], file=file, where=f"{where} id", lo=-MAX_INT, hi=MAX_INT)
        if node != k:
            why = "listed twice" if node in range(1, k) else "out of order or missing"
            raise InstanceError(f"{name}_SECTION: id {node} {why}, expected {k} (ids run 1..{count} in order)", file=file, field=where)
        for tok in tokens[1:]:
            if ints:
                integer(tok, file=file, where=f"{where} {name.lower()}", lo=int(lo), hi=int(hi))
            else:
                number(tok, file=file, where=f"{where} {name.lower()}", lo=lo, hi=hi)


def _check_depots(rows, n: int, file: Path, head_no: int) -> None:
    seen: set[int] = set()
    ended = False
    for no, tokens in rows:
        for tok in tokens:
            if ended:
                raise InstanceError("text after the -1 that ends DEPOT_SECTION", file=file, field=f"line {no}")
            d = integer(tok, file=file, where=f"line {no} depot", lo=-1, hi=n)
            if d == -1:
                ended = True
                continue
            if d == 0:
                raise InstanceError(f"depot ids run 1..{n}, got 0", file=file, field=f"line {no}")
            if d in seen:
                raise InstanceError(f"depot {d} listed twice", file=file, field=f"line {no}")
            seen.add(d)
    if not seen:
        raise InstanceError("DEPOT_SECTION lists no depot", file=file, field=f"line {head_no}")


def _check_weights(rows, n: int, fmt: str, file: Path, head_no: int) -> None:
    if fmt not in _EDGE_FORMATS:
        raise InstanceError(f"EDGE_WEIGHT_FORMAT {fmt!r} is not supported, expected one of {sorted(_EDGE_FORMATS)}", file=file, field="EDGE_WEIGHT_FORMAT")
    need = n * n if fmt == "FULL_MATRIX" else n * (n - 1) // 2
    got = 0
    for no, tokens in rows:
        for tok in tokens:
            number(tok, file=file, where=f"line {no} edge weight", lo=0, hi=MAX_COORD)
        got += len(tokens)
    if got != need:
        raise InstanceError(f"EDGE_WEIGHT_SECTION has {got} numbers, {fmt} of {n} nodes needs {need}", file=file, field=f"line {head_no}")
