"""Deprecated: moved to ``mmroute.agents.model_files`` (model zips and their cards; not to be
confused with ``mmroute.scenarios.model``); names resolve here for one release, with a
:class:`DeprecationWarning`."""

from mmroute._lazy import moved_module

__getattr__ = moved_module("mmroute.agents.model", "mmroute.agents.model_files")
