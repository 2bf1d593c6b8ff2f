"""mmroute.scenarios: the scenario model, loader and validation, network, geo export, maps,
scaling to a carmaker's month (:func:`scale`) and writing back (:func:`write_scenario`);
hours <-> ISO 8601 timestamps (:class:`Clock`, :meth:`Scenario.clock`) and carrier schedules
in the DCSA standard -> timetabled links (:func:`import_schedules`).

Load a file (or a bundled scenario by name) with :func:`load` (:func:`as_scenario` also
passes a :class:`Scenario` through); every field is validated and
errors are :class:`mmroute.errors.ScenarioError` naming the file and the field.
"""

from mmroute._lazy import lazy_exports
from mmroute.errors import ScenarioError
from mmroute.scenarios.bundled import bundled_names, bundled_path
from mmroute.scenarios.geo import export, links_gdf, nodes_gdf, read_export
from mmroute.scenarios.loader import as_scenario, load, parse, resolve_path
from mmroute.scenarios.locode import normalise_locode
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
    Roads,
    RoadTraffic,
    Scenario,
    Shipment,
    Timetable,
    Uncertainty,
    VehicleType,
    WeatherCell,
)
from mmroute.scenarios.network import WEIGHTS, Network, Route, is_transshipment

__all__ = [
    "Box",
    "CarrierType",
    "Cars",
    "Clock",
    "Customer",
    "DemandNoise",
    "Depot",
    "Disruption",
    "Envelope",
    "Fleet",
    "LateOrders",
    "Link",
    "Network",
    "Node",
    "Objective",
    "Platform",
    "RoadTraffic",
    "Roads",
    "Route",
    "Scenario",
    "ScenarioError",
    "Shipment",
    "Timetable",
    "Uncertainty",
    "VehicleModel",
    "VehicleOrder",
    "VehicleType",
    "WEIGHTS",
    "WeatherCell",
    "as_scenario",
    "bundled_names",
    "bundled_path",
    "export",
    "import_schedules",
    "is_transshipment",
    "links_gdf",
    "load",
    "nodes_gdf",
    "normalise_locode",
    "parse",
    "parse_start",
    "plot_map",
    "read_export",
    "resolve_path",
    "scale",
    "write_scenario",
]

# imported on first use: maps (matplotlib), scaling (numpy), the writer, schedules and the
# clock (datetime, zoneinfo), the finished-vehicle model
_LAZY = {**{name: "mmroute.scenarios.cars_model" for name in (
             "CarrierType", "Cars", "Envelope", "Platform", "VehicleModel", "VehicleOrder")},
         "Clock": "mmroute.scenarios.clock", "parse_start": "mmroute.scenarios.clock",
         "plot_map": "mmroute.scenarios.mapplot", "scale": "mmroute.scenarios.scaling",
         "write_scenario": "mmroute.scenarios.writer",
         "import_schedules": "mmroute.scenarios.schedules"}

__getattr__, __dir__ = lazy_exports(globals(), _LAZY)
