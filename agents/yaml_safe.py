"""YAML for settings files, without what makes YAML dangerous to read: no aliases (an alias
bomb, a few hundred bytes, expands to billions of nodes), no tags beyond plain data
(``yaml.SafeLoader``), a bounded nesting depth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mmroute.errors import InputError

__all__ = ["safe_yaml", "MAX_DEPTH"]

#: Deepest nesting of lists and mappings accepted.
MAX_DEPTH = 32


def _loader():
    import yaml

    class Loader(yaml.SafeLoader):
        """SafeLoader refusing aliases and deep nesting."""

        depth = 0

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise yaml.YAMLError(f"aliases (*name) are not allowed (line {mark.line + 1})")
            Loader.depth += 1
            try:
                if Loader.depth > MAX_DEPTH:
                    raise yaml.YAMLError(f"nested deeper than {MAX_DEPTH} levels")
                return super().compose_node(parent, index)
            finally:
                Loader.depth -= 1

    return Loader


def safe_yaml(text: str, *, file: str | Path | None = None) -> Any:
    """Plain data of a YAML (or JSON) text; :class:`InputError` naming ``file`` otherwise."""
    import yaml

    loader = _loader()
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader without aliases
    except yaml.YAMLError as exc:
        raise InputError(f"cannot read the config: {exc}".splitlines()[0], file=file) from None
    except (ValueError, TypeError, RecursionError, OverflowError) as exc:  # e.g. bad dates
        raise InputError(f"cannot read the config: {type(exc).__name__}: {exc}"[:300],
                         file=file) from None
