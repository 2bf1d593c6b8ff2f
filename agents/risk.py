"""Deprecated: moved to ``mmroute.envs.anticipation``; names resolve here for one release, with a
:class:`DeprecationWarning`."""

from mmroute._lazy import moved_module

__getattr__ = moved_module('mmroute.agents.risk', 'mmroute.envs.anticipation')
