"""Deprecated: moved to ``mmroute.world.realization``; names resolve here for one release, with a
:class:`DeprecationWarning`."""

from mmroute._lazy import moved_module

__getattr__ = moved_module('mmroute.envs.realization', 'mmroute.world.realization')
