"""Hand-made auto-carriers and models for the cars tests (plain data, no solver)."""

from __future__ import annotations

from mmroute.scenarios.cars_model import CarrierType, Envelope, Platform, VehicleModel

SMALL = VehicleModel(id="small", length_m=3.0, width_m=1.5, height_m=1.5, weight_kg=800)
SEDAN = VehicleModel(id="sedan", length_m=4.8, width_m=1.8, height_m=1.5, weight_kg=1500)
MPV = VehicleModel(id="mpv", length_m=4.8, width_m=1.8, height_m=1.75, weight_kg=1600)
MODELS = {m.id: m for m in (SMALL, SEDAN, MPV)}


def carrier(**over) -> CarrierType:
    """A 2-platform carrier: tractor deck (exits across the trailer deck), trailer deck.

    Tractor deck: 6.5 m, clears 1.6 m, 2000 kg. Trailer deck: 10 m, clears 1.8 m, 4000 kg.
    Gap 0.2 m, payload 5000 kg, envelope 4.0 m high.
    """
    kw = dict(
        id="test-carrier", depot="P", count=3,
        platforms=(
            Platform(id="TR", unit="tractor", level="lower", length_m=6.5, floor_height_m=0.6,
                     max_vehicle_height_m=1.6, max_weight_kg=2000, exit_via="TL"),
            Platform(id="TL", unit="trailer", level="lower", length_m=10.0, floor_height_m=0.4,
                     max_vehicle_height_m=1.8, max_weight_kg=4000),
        ),
        envelope=Envelope(max_length_m=22.0, max_width_m=2.55, max_height_m=4.0),
        overall_length_m=21.0, width_m=2.55, payload_kg=5000, fixed_cost_cny=1000,
        cost_per_km_cny=8.0, speed_kmh=60.0, gap_m=0.2,
    )
    kw.update(over)
    return CarrierType(**kw)
