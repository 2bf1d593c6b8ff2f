"""Deprecated: moved to ``mmroute.world.weather``; names resolve here for one release, with a
:class:`DeprecationWarning`."""

from mmroute._lazy import moved_module

__getattr__ = moved_module('mmroute.routing.plan.weather', 'mmroute.world.weather')
