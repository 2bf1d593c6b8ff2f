"""Per-mode defaults: speeds, circuity, costs and CO2 emission factors, with their sources.

Emission factors are tank-to-wheel (TTW) CO2 per tonne-km from one source, so they are
comparable with each other: A. McKinnon and M. Piecyk, "Measuring and managing CO2 emissions
of European chemical transport", Cefic / ECTA guidelines (2011), EU averages:
road 62, rail 22, inland waterway (barge) 31, short-sea 16, deep-sea container ~8 g CO2/t-km.
Per TEU they are multiplied by the scenario's ``tonnes_per_teu`` (default 10 t of cargo in a
loaded TEU, an assumption stated in the scenario file). Well-to-wheel figures (ISO 14083 /
GLEC v3) are ~15-25 % higher for diesel modes; do not mix scopes in one scenario.

Speeds, circuity and costs are assumptions of order of magnitude (documented in
docs/scenario-format.md); bundled scenarios override them per link with their own sources.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = [
    "MODES",
    "SCHEDULED_MODES",
    "NODE_KINDS",
    "CO2_SCOPE",
    "CO2_SOURCE",
    "CO2_G_PER_TKM",
    "DEEP_SEA_CO2_G_PER_TKM",
    "DEEP_SEA_MIN_KM",
    "CIRCUITY",
    "SPEED_KMH",
    "COST_PER_TEU_KM_CNY",
    "DEFAULT_TONNES_PER_TEU",
    "co2_kg_per_teu_km",
]

MODES: tuple[str, ...] = ("road", "rail", "sea", "barge")
SCHEDULED_MODES: frozenset[str] = frozenset({"rail", "sea", "barge"})
NODE_KINDS: tuple[str, ...] = (
    "supplier",
    "plant",
    "warehouse",
    "rail_terminal",
    "port",
    "border",
    "dealer",
    "depot",
)

CO2_SCOPE = "TTW"
CO2_SOURCE = (
    "McKinnon & Piecyk, Cefic/ECTA 'Guidelines for measuring and managing CO2 emission from "
    "freight transport operations' (2011), EU averages, tank-to-wheel"
)
#: g CO2 per tonne-km by mode (sea = short-sea; see DEEP_SEA_* for long legs).
CO2_G_PER_TKM = MappingProxyType({"road": 62.0, "rail": 22.0, "barge": 31.0, "sea": 16.0})
#: Deep-sea container shipping, same source ("deep-sea container ~8-10"): the low end is used
#: for legs of at least DEEP_SEA_MIN_KM, which large container ships sail.
DEEP_SEA_CO2_G_PER_TKM = 8.0
DEEP_SEA_MIN_KM = 3000.0

#: Route length over great-circle length where no distance is given (assumed: typical
#: road and rail detour factors 1.2-1.4; rivers meander more).
CIRCUITY = MappingProxyType({"road": 1.25, "rail": 1.30, "barge": 1.50})

#: Average commercial speed in km/h incl. stops (assumed: trucks on Chinese expressways with
#: speed limiters ~60; freight trains ~45 incl. stops; container ships ~15 knots = 28 km/h;
#: laden river barges ~12).
SPEED_KMH = MappingProxyType({"road": 60.0, "rail": 45.0, "sea": 28.0, "barge": 12.0})

#: Line-haul cost in CNY per TEU-km (assumed, order of magnitude for China 2024-2025:
#: trucking ~5, rail ~1.8, Yangtze barge ~0.5, container ship ~0.3).
COST_PER_TEU_KM_CNY = MappingProxyType({"road": 5.0, "rail": 1.8, "sea": 0.3, "barge": 0.5})

DEFAULT_TONNES_PER_TEU = 10.0


def co2_kg_per_teu_km(mode: str, distance_km: float, tonnes_per_teu: float) -> float:
    """Default CO2 in kg per TEU-km for ``mode`` on a leg of ``distance_km``."""
    g_per_tkm = CO2_G_PER_TKM[mode]
    if mode == "sea" and distance_km >= DEEP_SEA_MIN_KM:
        g_per_tkm = DEEP_SEA_CO2_G_PER_TKM
    return g_per_tkm * tonnes_per_teu / 1000.0
