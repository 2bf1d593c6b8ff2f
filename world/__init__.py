"""mmroute.world: the rules of the world that every layer shares.

What happens to freight, defined once and read by the plan MIP (``mmroute.routing.plan``),
the independent checker, the simulator and the policies (``mmroute.envs``,
``mmroute.agents``) alike:

- events (:class:`LinkClosure`, :class:`NodeClosure`, :class:`DepartureDelay`,
  :class:`LinkSlowdown`, :class:`NodeDelay`, :class:`WeatherEvent`, :class:`RoadNoise`) and
  :class:`KnownEvents`, with what is known when (:meth:`KnownEvents.known_at`);
- :class:`Conditions` — the one source of travel times, departures, dwell and closures —
  and the per-network :class:`Tables` it reads (owned by its caller, never by the scenario);
- where weather cells cross links (:mod:`mmroute.world.weather`);
- the road paths a truck may drive, with one nominal-time rule (:func:`road_paths`,
  :func:`nominal_road_paths`, :func:`trip_paths`);
- realizations (:func:`realize`, :class:`Realization`): every exogenous draw of an episode;
- plans (:class:`Plan`, :class:`Itinerary`, :class:`Leg`, :class:`Handling`), the state a
  re-plan starts from (:class:`PlanState`, :class:`Position`) and :func:`check_plan`
  (:func:`check_update` for a plan part of which was checked before, by
  :func:`mmroute.world.check.check_route`);
- plausibility warnings of a valid scenario (:func:`plausibility_warnings`,
  :class:`Implausible`, :func:`earliest_arrival_h`): what is probably a mistake in a file.

``world`` imports only ``mmroute.scenarios`` (and the ground floor: errors, report,
validate); everything above it may import it.
"""

from __future__ import annotations

from mmroute._lazy import lazy_exports

_LAZY: dict[str, str] = {
    "LinkClosure": "mmroute.world.events",
    "NodeClosure": "mmroute.world.events",
    "DepartureDelay": "mmroute.world.events",
    "LinkSlowdown": "mmroute.world.events",
    "NodeDelay": "mmroute.world.events",
    "WeatherEvent": "mmroute.world.events",
    "RoadNoise": "mmroute.world.events",
    "KnownEvents": "mmroute.world.events",
    "Conditions": "mmroute.world.conditions",
    "round_h": "mmroute.world.conditions",
    "Tables": "mmroute.world.tables",
    "road_paths": "mmroute.world.roads",
    "nominal_road_paths": "mmroute.world.roads",
    "trip_paths": "mmroute.world.roads",
    "Realization": "mmroute.world.realization",
    "realize": "mmroute.world.realization",
    "scenario_hash": "mmroute.world.realization",
    "Plan": "mmroute.world.plan",
    "Itinerary": "mmroute.world.plan",
    "Leg": "mmroute.world.plan",
    "Handling": "mmroute.world.plan",
    "PlanState": "mmroute.world.state",
    "Position": "mmroute.world.state",
    "check_plan": "mmroute.world.check",
    "check_update": "mmroute.world.check",
    "RouteCheck": "mmroute.world.check",
    "Implausible": "mmroute.world.plausible",
    "plausibility_warnings": "mmroute.world.plausible",
    "earliest_arrival_h": "mmroute.world.plausible",
    "assert_valid": "mmroute.world.check",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_exports(globals(), _LAZY)
