"""mmroute.scenarios: the scenario model, loader and validation, network, geo export, maps.

Load a file (or a bundled scenario by name) with :func:`load`; every field is validated and
errors are :class:`mmroute.errors.ScenarioError` naming the file and the field.
"""

from mmroute.errors import ScenarioError
from mmroute.scenarios.loader import load, parse
from mmroute.scenarios.model import (
    Box,
    Customer,
    DemandNoise,
    Depot,
    Disruption,
    Fleet,
    LateOrders,
    Link,
    Node,
    Objective,
    RoadTraffic,
    Scenario,
    Shipment,
    Timetable,
    Uncertainty,
    VehicleType,
    WeatherCell,
)

__all__ = [
    "Box",
    "Customer",
    "DemandNoise",
    "Depot",
    "Disruption",
    "Fleet",
    "LateOrders",
    "Link",
    "Node",
    "Objective",
    "RoadTraffic",
    "Scenario",
    "ScenarioError",
    "Shipment",
    "Timetable",
    "Uncertainty",
    "VehicleType",
    "WeatherCell",
    "load",
    "parse",
]
