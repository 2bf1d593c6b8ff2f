"""Write a scenario back to a file (YAML or JSON) that loads to an equal scenario.

The file holds the resolved form (:meth:`Scenario.to_dict`: distances, speeds, costs, CO2
factors and link geometries filled in), so it needs nothing beside it. In YAML each node and
each shipment is one line, the rest is block style; a ``header`` becomes ``#`` comment lines
at the top.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from mmroute.errors import InputError
from mmroute.io import write_text_atomic
from mmroute.scenarios.loader import MAX_FILE_BYTES
from mmroute.scenarios.model import Scenario

__all__ = ["dump_yaml", "dump_json", "write_scenario"]

_ONE_LINE_ITEMS = ("nodes", "links", "shipments")  # lists written one item per line
_WIDTH = 1_000_000  # never fold a line
_PLAIN_FLOAT = re.compile(r"-?[0-9]+\.[0-9]+")


def _yaml_flow(value: Any) -> str:
    """``value`` as one line of YAML flow style, by PyYAML (slow: odd values only)."""
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, allow_unicode=True,
                          width=_WIDTH).removesuffix("\n...\n").strip()


def _flow(value: Any) -> str:
    """``value`` as one line of YAML flow style (fast for the plain values of a scenario:
    keys are the model's own names, strings double-quoted, floats written by ``repr``)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, bool) or value is None:
        return _yaml_flow(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        return text if _PLAIN_FLOAT.fullmatch(text) else _yaml_flow(value)
    if isinstance(value, str) and value.isprintable() and value.isascii():
        return json.dumps(value)  # a double-quoted YAML scalar
    return _yaml_flow(value)


def _plain(scenario: Scenario) -> dict[str, Any]:
    """:meth:`Scenario.to_dict`, less each shipment's lateness penalty where it is the
    objective's (the loader fills that in again)."""
    data = scenario.to_dict()
    default = scenario.objective.lateness_cny_per_teu_h
    for ship in data["shipments"]:
        if ship["lateness_penalty_cny_per_teu_h"] == default:
            del ship["lateness_penalty_cny_per_teu_h"]
    return data


def dump_yaml(scenario: Scenario, *, header: str = "") -> str:
    """The scenario as YAML text (``header`` lines as comments first)."""
    parts = [f"# {line}".rstrip() for line in header.splitlines()]
    for key, value in _plain(scenario).items():
        if key in _ONE_LINE_ITEMS:
            parts.append(f"{key}:")
            parts.extend(f"  - {_flow(item)}" for item in value)
        else:  # scalars and lists of text in block style, nested leaves in flow style
            nested = isinstance(value, dict)
            parts.append(yaml.safe_dump({key: value}, default_flow_style=None if nested else False,
                                        sort_keys=False, allow_unicode=True,
                                        width=_WIDTH).rstrip("\n"))
    return "\n".join(parts) + "\n"


def dump_json(scenario: Scenario) -> str:
    """The scenario as JSON text, each node, link and shipment on one line (JSON files carry
    no comments)."""
    parts = []
    for key, value in _plain(scenario).items():
        if key in _ONE_LINE_ITEMS:
            items = ",\n".join(f"  {_json(item)}" for item in value)
            parts.append(f" {_json(key)}: [\n{items}\n ]")
        else:
            parts.append(f" {_json(key)}: {_json(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _json(value: Any) -> str:
    return json.dumps(value, allow_nan=False, ensure_ascii=False)


def write_scenario(scenario: Scenario, path: str | Path, *, header: str = "") -> Path:
    """Write ``scenario`` atomically to ``path``: JSON for ``.json``, YAML for ``.yaml`` /
    ``.yml``; return the path. A text larger than a scenario file may be
    (:data:`~mmroute.scenarios.loader.MAX_FILE_BYTES`) is refused: it would not load back."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".json":
        text = dump_json(scenario)
    elif suffix in (".yaml", ".yml"):
        text = dump_yaml(scenario, header=header)
    else:
        raise InputError(f"unknown scenario file type '{p.suffix}', expected .yaml, .yml or .json",
                         file=p.name)
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise InputError(f"the scenario would be {size / 2**20:.1f} MiB, more than a scenario "
                         f"file may be ({MAX_FILE_BYTES / 2**20:g} MiB): use fewer shipments",
                         file=p.name)
    return write_text_atomic(p, text)
