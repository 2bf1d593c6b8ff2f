"""Deprecated: moved to ``mmroute.world.state``; names resolve here for one release, with a
:class:`DeprecationWarning`."""

from mmroute._lazy import moved_module

__getattr__ = moved_module('mmroute.routing.plan.state', 'mmroute.world.state')
