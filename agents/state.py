"""Deprecated: moved to ``mmroute.envs.known``; names resolve here for one release, with a
:class:`DeprecationWarning`."""

from mmroute._lazy import moved_module

__getattr__ = moved_module('mmroute.agents.state', 'mmroute.envs.known')
