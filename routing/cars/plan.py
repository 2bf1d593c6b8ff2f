"""Deprecated: moved to ``mmroute.routing.cars.result``; names resolve here for one release,
with a :class:`DeprecationWarning`."""

from mmroute._lazy import moved_module

__getattr__ = moved_module("mmroute.routing.cars.plan", "mmroute.routing.cars.result")
