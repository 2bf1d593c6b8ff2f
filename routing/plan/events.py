"""Deprecated: moved to ``mmroute.world.events``, ``mmroute.world.conditions``; names resolve here for one release, with a
:class:`DeprecationWarning`."""

from mmroute._lazy import moved_module

__getattr__ = moved_module('mmroute.routing.plan.events', 'mmroute.world.events', 'mmroute.world.conditions')
