"""Distances on the Earth: geodesic (WGS84, pyproj) and along sea lanes (searoute)."""

from __future__ import annotations

from functools import lru_cache

from pyproj import Geod

__all__ = ["geodesic_km", "polyline_km", "sea_route", "wrap_lon", "SEA_PASSAGES"]

_GEOD = Geod(ellps="WGS84")

#: Passages searoute can close (``restrictions``). "northwest" (the Arctic passage) is always
#: closed: searoute's default restriction list is ["northwest"], and passing a list replaces it,
#: so closing Suez alone would open the Arctic route (15,430 km Shanghai-Rotterdam).
SEA_PASSAGES: tuple[str, ...] = (
    "babalmandab",
    "bosporus",
    "gibraltar",
    "suez",
    "panama",
    "ormuz",
    "northwest",
    "malacca",
    "sunda",
    "chili",
    "south_africa",
)


def geodesic_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle (WGS84 geodesic) distance in km."""
    _, _, metres = _GEOD.inv(lon1, lat1, lon2, lat2)
    return float(metres) / 1000.0


def polyline_km(points: tuple[tuple[float, float], ...]) -> float:
    """Geodesic length in km of a polyline of (lon, lat) points."""
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return float(_GEOD.line_length(lons, lats)) / 1000.0


@lru_cache(maxsize=4096)
def sea_route(
    lon1: float, lat1: float, lon2: float, lat2: float, avoid: tuple[str, ...] = ()
) -> tuple[float, tuple[tuple[float, float], ...]]:
    """Distance in km and (lon, lat) polyline along sea lanes (searoute's maritime network).

    ``avoid`` lists passages to close (see :data:`SEA_PASSAGES`); "northwest" is always added.
    """
    import searoute  # imported here: it loads its network on first use

    restrictions = sorted({*avoid, "northwest"})
    feature = searoute.searoute(
        [lon1, lat1], [lon2, lat2], units="km", restrictions=restrictions
    )
    coords = tuple((wrap_lon(float(x)), float(y)) for x, y in feature["geometry"]["coordinates"])
    return float(feature["properties"]["length"]), coords


def wrap_lon(lon: float) -> float:
    """Longitude wrapped into [-180, 180] (searoute returns up to 360+ east of the date line)."""
    if -180.0 <= lon <= 180.0:
        return lon
    return (lon + 180.0) % 360.0 - 180.0
