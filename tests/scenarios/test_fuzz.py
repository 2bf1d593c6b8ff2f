"""Random mutations of valid scenarios: only the project's error may ever escape the loader."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmroute.errors import ScenarioError
from mmroute.scenarios import Scenario, load, parse
from tests.scenarios.conftest import _BASE

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "data" / "tiny.yaml"
TINY_DATA = yaml.safe_load(TINY.read_text())

REPLACEMENTS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([10**400, -(10**400), 2**63, 1e308, -0.0]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.integers(min_value=-5, max_value=300), max_size=4),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from(["road", "air", "A", "B", "ZZ", "", "port", "close", "slow"]),
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (tuple of keys / indices) into a nested structure."""
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(data: Any, path: tuple, op: str, value: Any) -> Any:
    value = copy.deepcopy(value)  # never insert one object twice (that would make a cycle)
    if not path:
        return value
    parent = data
    for k in path[:-1]:
        parent = parent[k]
    key = path[-1]
    if op == "delete":
        del parent[key]
    elif op == "replace":
        parent[key] = value
    elif op == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[key]))
    elif op == "add_key" and isinstance(parent[key], dict):
        parent[key][str(value)[:10] or "k"] = 1
    else:
        parent[key] = value
    return data


def _check(data: Any) -> None:
    try:
        result = parse(data, file="fuzz.yaml")
    except ScenarioError as exc:
        assert str(exc).startswith("fuzz.yaml")
    else:
        assert isinstance(result, Scenario)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.sampled_from([_BASE, TINY_DATA]),
    choice=st.integers(min_value=0, max_value=10**6),
    op=st.sampled_from(["delete", "replace", "duplicate", "add_key"]),
    value=REPLACEMENTS,
)
def test_mutated_data_raises_only_scenario_errors(base, choice, op, value):
    data = copy.deepcopy(base)
    paths = _paths(data)
    _check(_mutate(data, paths[choice % len(paths)], op, value))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.sampled_from([_BASE, TINY_DATA]),
    choices=st.lists(st.integers(min_value=0, max_value=10**6), min_size=2, max_size=5),
    value=REPLACEMENTS,
)
def test_several_mutations_at_once(base, choices, value):
    data = copy.deepcopy(base)
    for c in choices:
        paths = _paths(data)
        data = _mutate(data, paths[c % len(paths)], "replace", value)
    _check(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=10**6), junk=st.text(max_size=8))
def test_corrupted_yaml_text_raises_only_scenario_errors(tmp_path, cut, junk):
    text = TINY.read_text()
    pos = cut % len(text)
    path = tmp_path / "fuzz.yaml"
    path.write_text(text[:pos] + junk + text[pos + len(junk) :])
    try:
        load(path)
    except ScenarioError as exc:
        assert str(exc).startswith("fuzz.yaml")
