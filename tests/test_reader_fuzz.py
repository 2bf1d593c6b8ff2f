"""Fuzzing every reader: mutated valid files give a valid result or one project exception.

Readers: VRPLIB (CVRP and the HFVRP dialect), Solomon, Li & Lim, CVRPLIB ``.sol``, solution
JSON, thpack, packing JSON, events JSON and scenario files. Mutations: truncation, byte
garbage (not UTF-8 included), deleted / duplicated / swapped lines and tokens, tokens
replaced by NaN, infinities, huge, negative and fractional numbers. Never another exception,
never a hang (each example runs under a deadline), and for the structured formats never a
silently different problem: deleting, duplicating or cutting a line gives an error or the very
same problem. Bounded to well under a minute in ``make test``; ``-m slow`` runs ten times more
examples.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmroute.errors import InstanceError, MMRouteError
from mmroute.routing.loading.check import check_packing
from mmroute.routing.loading.io import read_packing
from mmroute.routing.loading.thpack import read_thpack
from mmroute.routing.vrp.check import check_vrp
from mmroute.routing.vrp.readers import read_instance, read_lilim, read_solomon, read_vrplib
from mmroute.routing.vrp.solution import VRPSolution, read_sol_file
from tests.scenarios.test_fuzz import REPLACEMENTS, _mutate, _paths

DATA = Path(__file__).resolve().parent / "data"
REPO = Path(__file__).resolve().parents[1]
FAST = int(os.environ.get("MMROUTE_FUZZ_EXAMPLES", "300"))

TEXT_READERS: dict[str, tuple[Path, Callable[[Path], Any]]] = {
    "vrplib": (DATA / "vrp" / "tiny.vrp", read_vrplib),
    "hfvrp": (DATA / "vrp" / "tiny_hfvrp.vrp", read_vrplib),
    "solomon": (DATA / "vrp" / "tiny_solomon.txt", read_solomon),
    "lilim": (DATA / "vrp" / "tiny_lilim.txt", read_lilim),
    "any-instance": (DATA / "vrp" / "tiny_solomon.txt", read_instance),
    "sol": (DATA / "vrp" / "tiny.sol", read_sol_file),
    "thpack": (DATA / "loading" / "tiny.txt", read_thpack),
    "scenario": (REPO / "scenarios" / "data" / "tiny.yaml", None),  # set below (import cost)
}

HOSTILE = ["nan", "NaN", "inf", "-inf", "Infinity", "1e309", "-1", "0", "-0", "1.5", "-0.5", "2.0",
           "99999999999999999999999", "9" * 400, "1e-400", "0x10", "x", "-", "", "\x00", "é", "１"]


def _scenario_load(path: Path):
    from mmroute.scenarios import load

    return load(path)


TEXT_READERS["scenario"] = (TEXT_READERS["scenario"][0], _scenario_load)


def _outcome(read: Callable[[Path], Any], path: Path) -> Any:
    """The reader's result, or the project exception it raised (anything else fails the test)."""
    try:
        return read(path)
    except MMRouteError as exc:
        assert str(exc).startswith(path.name) or path.name in str(exc), f"error without the file name: {exc}"
        assert "\n" not in str(exc).strip()
        return exc


# --- mutations ----------------------------------------------------------------------------
@st.composite
def mutated(draw, text: str) -> bytes:
    """``text`` (as UTF-8) after one to three random mutations."""
    data = text.encode()
    for _ in range(draw(st.integers(1, 3))):
        lines = data.split(b"\n")
        op = draw(st.sampled_from(["truncate", "garbage", "delete", "duplicate", "swap_lines",
                                   "token", "swap_tokens", "blank"]))
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        j = draw(st.integers(0, max(0, len(lines) - 1)))
        if op == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        elif op == "garbage":
            pos = draw(st.integers(0, len(data)))
            data = data[:pos] + draw(st.binary(min_size=1, max_size=6)) + data[pos:]
        elif op == "delete":
            data = b"\n".join(lines[:i] + lines[i + 1 :])
        elif op == "duplicate":
            data = b"\n".join(lines[: i + 1] + [lines[i]] + lines[i + 1 :])
        elif op == "swap_lines":
            lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
        elif op == "blank":
            lines[i] = b""
            data = b"\n".join(lines)
        else:
            tokens = lines[i].split()
            if not tokens:
                continue
            k = draw(st.integers(0, len(tokens) - 1))
            if op == "token":
                tokens[k] = draw(st.sampled_from(HOSTILE)).encode()
            else:
                m = draw(st.integers(0, len(tokens) - 1))
                tokens[k], tokens[m] = tokens[m], tokens[k]
            lines[i] = b" ".join(tokens)
            data = b"\n".join(lines)
    return data


def _text_fuzz(name: str, examples: int):
    source, read = TEXT_READERS[name]
    text = source.read_text(encoding="utf-8")

    @settings(max_examples=examples, deadline=2000, suppress_health_check=list(HealthCheck), database=None)
    @given(data=mutated(text))
    def run(tmp_path_factory, data):
        path = tmp_path_factory.mktemp("fuzz") / f"fuzz{source.suffix}"
        path.write_bytes(data)
        _outcome(read, path)

    return run


@pytest.mark.parametrize("name", sorted(TEXT_READERS))
def test_mutated_files_give_a_result_or_one_project_error(name, tmp_path_factory):
    _text_fuzz(name, FAST)(tmp_path_factory)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TEXT_READERS))
def test_mutated_files_give_a_result_or_one_project_error_long(name, tmp_path_factory):
    _text_fuzz(name, 10 * FAST)(tmp_path_factory)


# --- never a silently different problem ----------------------------------------------------
def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    da, db = a.to_dict(), b.to_dict()
    for d in (da, db):
        d.pop("name", None)
        d.pop("meta", None)
    return da == db


STRUCTURED = ["vrplib", "hfvrp", "thpack", "lilim", "solomon"]


@pytest.mark.parametrize("name", STRUCTURED)
def test_a_deleted_duplicated_or_cut_line_is_an_error_or_the_same_problem(name, tmp_path):
    source, read = TEXT_READERS[name]
    lines = source.read_text().splitlines()
    original = read(source)
    body = [k for k, ln in enumerate(lines) if ln.strip()]
    # Solomon and Li & Lim files have no node count: cut after a whole node line (or without
    # its last line) the file is a valid smaller instance, the formats' blind spot, not asserted
    counted = name not in ("solomon", "lilim")
    variants = []
    for k in body:
        if counted or k != body[-1]:
            variants.append(("delete", k, lines[:k] + lines[k + 1 :]))
        if counted:
            variants.append(("cut", k, lines[:k]))
        variants.append(("duplicate", k, lines[: k + 1] + [lines[k]] + lines[k + 1 :]))
    for op, k, new in variants:
        path = tmp_path / f"v{source.suffix}"
        path.write_text("\n".join(new) + "\n")
        got = _outcome(read, path)
        assert isinstance(got, MMRouteError) or _same(got, original), f"{op} line {k + 1} ({lines[k]!r}) read silently"


@pytest.mark.parametrize(
    ("name", "old", "new", "why"),
    [
        ("vrplib", "2 4\n", "2 4.5\n", "expected an integer"),
        ("vrplib", "CAPACITY : 10", "CAPACITY : 10.5", "expected an integer"),
        ("vrplib", "3 3 -4\n", "2 3 -4\n", "id 2 listed twice"),
        ("vrplib", "DIMENSION : 5", "DIMENSION : five", "expected an integer"),
        ("vrplib", "DIMENSION : 5", "DIMENSION : 1e400", "expected an integer"),
        ("vrplib", "2 3 4\n", "2 1e300 4\n", "expected a number in"),
        ("vrplib", "2 3 4\n", "2 nan 4\n", "expected a finite number"),
        ("hfvrp", "VEHICLES: 3", "VEHICLES: 4", "CAPACITY_SECTION has 3 lines, VEHICLES says 4"),
        ("hfvrp", "3\t150\n", "", "VEHICLES_UNIT_DISTANCE_COST_SECTION has 2 lines"),
        ("solomon", "5         10", "5.5       10", "expected an integer"),
        ("solomon", "1          5          0         50", "1         -5          0         50", "expected an integer in 0"),
        ("solomon", "    1      1          1          5          0         50          2",
         "    1      1          1          5          0         50         -2", "expected an integer in 0"),
        ("lilim", "1\t1\t0\t3", "1\t1e30\t0\t3", "expected a number in"),
        ("solomon", "    3      0          3", "    3      1e30       3", r"line \d+ x: expected a number in"),
        ("thpack", " 2 2 0 2 0 4 1 3", " 2 2 0 2 0 4 2 3", "orientation flags must be 0 or 1"),
        ("thpack", " 2 2 0 2 0 4 1 3", " 2 2 0 2 0 4 1 3.5", "expected integers"),
        ("thpack", " 10 6 4", " 10 6 99999999999999999999", "expected integers"),
        ("sol", "Cost 32", "Cost nan", "expected a finite number"),
    ],
)
def test_bug_fractional_duplicate_and_huge_values_were_cut_or_accepted(tmp_path, name, old, new, why):
    source, read = TEXT_READERS[name]
    text = source.read_text()
    assert old in text, old
    path = tmp_path / f"bad{source.suffix}"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(InstanceError, match=why) as err:
        read(path)
    assert str(err.value).startswith(f"bad{source.suffix}: line") or "bad" in str(err.value)


def test_bug_non_utf8_bytes_in_thpack_lilim_and_sol_gave_a_traceback(tmp_path):
    for name in ("thpack", "lilim", "sol", "vrplib", "solomon"):
        source, read = TEXT_READERS[name]
        path = tmp_path / f"bin{source.suffix}"
        path.write_bytes(source.read_bytes() + b"\n\xc3\x28\n")
        with pytest.raises(InstanceError, match=r"not UTF-8 text \(invalid continuation byte at byte \d+, line \d+\)"):
            read(path)


# --- JSON readers ----------------------------------------------------------------------------
def _json_fuzz(base: dict, read: Callable[[Path], Any], after: Callable[[Any], Any] | None, examples: int):
    @settings(max_examples=examples, deadline=2000, suppress_health_check=list(HealthCheck), database=None)
    @given(choices=st.lists(st.integers(0, 10**6), min_size=1, max_size=3),
           op=st.sampled_from(["delete", "replace", "duplicate", "add_key"]), value=REPLACEMENTS)
    def run(tmp_path_factory, choices, op, value):
        data = copy.deepcopy(base)
        for c in choices:
            paths = _paths(data)
            data = _mutate(data, paths[c % len(paths)], op, value)
        path = tmp_path_factory.mktemp("fuzz") / "fuzz.json"
        try:
            path.write_text(json.dumps(data))
        except (ValueError, OverflowError, RecursionError):
            return
        got = _outcome(read, path)
        if after is not None and not isinstance(got, MMRouteError):
            try:
                after(got)
            except MMRouteError:
                pass

    return run


def _solution_json() -> dict:
    return {"instance": "tiny", "objective": 32, "bound": 30, "status": "feasible", "time_s": 0.1,
            "solver": "x", "seed": 0, "routes": [[1, 3], [2, 4]], "vehicle_types": [0, 0], "dropped": [], "info": {}}


def _packing_json() -> dict:
    return {"solver": "x", "status": "feasible", "objective": 16, "bound": 64, "time_s": 0.1, "seed": 0,
            "container": {"length": 4, "width": 4, "height": 4, "payload_kg": None},
            "boxes": [{"type": 1, "position": [0, 0, 0], "dims": [2, 2, 2]},
                      {"type": 1, "position": [2, 0, 0], "dims": [2, 2, 2]}]}


def _events_json() -> dict:
    return {"closures": [{"link": "a", "from_h": 1.0, "to_h": 2.0}],
            "delays": [{"link": "b", "departure_h": 3.0, "delay_h": 1.5}],
            "slowdowns": [{"link": "c", "from_h": 0, "to_h": 5, "speed_factor": 0.5}],
            "node_delays": [{"node": "n", "from_h": 0, "to_h": 1, "delay_h": 2}]}


def _read_solution(path: Path) -> VRPSolution:
    from mmroute.io import read_json

    return VRPSolution.from_dict(read_json(path, error=InstanceError), file=path)


def _read_events(path: Path):
    from mmroute.cli.plan import _read_events

    return _read_events(str(path))


def _json_cases():
    tiny_vrp = read_vrplib(DATA / "vrp" / "tiny.vrp")
    pack = read_thpack(DATA / "loading" / "tiny.txt")[1]
    return {
        "solution": (_solution_json(), _read_solution, lambda s: check_vrp(tiny_vrp, s)),
        "packing": (_packing_json(), read_packing,
                    lambda p: check_packing(pack.container, pack.box_types, p)),
        "events": (_events_json(), _read_events, None),
    }


@pytest.mark.parametrize("name", ["solution", "packing", "events"])
def test_mutated_json_gives_a_result_or_one_project_error_and_checks_cleanly(name, tmp_path_factory):
    base, read, after = _json_cases()[name]
    _json_fuzz(base, read, after, 2 * FAST)(tmp_path_factory)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["solution", "packing", "events"])
def test_mutated_json_long(name, tmp_path_factory):
    base, read, after = _json_cases()[name]
    _json_fuzz(base, read, after, 20 * FAST)(tmp_path_factory)


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("objective", float("nan"), "not valid JSON"),
        ("objective", "32", "expected a finite number"),
        ("routes", [[1, 2.5]], r"routes\[0\]\[1\]: expected an integer"),
        ("routes", [["1"]], r"routes\[0\]\[0\]: expected an integer"),
        ("routes", [[None]], r"routes\[0\]\[0\]: expected an integer"),
        ("routes", None, "routes: expected a list"),
        ("bound", "inf", "bound: expected a finite number"),
    ],
)
def test_bug_solution_json_fields_without_file_name_or_accepting_nan(tmp_path, field, value, why):
    data = _solution_json()
    data.pop("vehicle_types")
    data[field] = value
    path = tmp_path / "sol.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InstanceError, match=why) as err:
        _read_solution(path)
    assert str(err.value).startswith("sol.json")


@pytest.mark.parametrize(
    ("mutate", "why"),
    [
        (lambda d: d["boxes"][0].update(position=[0.5, 0, 0]), r"boxes\[0\].position\[0\]: expected an integer"),
        (lambda d: d["boxes"][0].update(dims=[2, 2, None]), r"boxes\[0\].dims\[2\]: expected an integer"),
        (lambda d: d["boxes"][0].update(type="1"), r"boxes\[0\].type: expected an integer"),
        (lambda d: d.update(objective=16.5), "objective: expected an integer"),
        (lambda d: d.update(time_s=None), "time_s: expected a finite number"),
        (lambda d: d["container"].update(length=10**30), "container.length: expected an integer"),
        (lambda d: d.update(container=None), "container: expected an object"),
    ],
)
def test_bug_packing_values_were_truncated_or_crashed(tmp_path, mutate, why):
    data = _packing_json()
    mutate(data)
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InstanceError, match=why) as err:
        read_packing(path)
    assert str(err.value).startswith("pack.json")
