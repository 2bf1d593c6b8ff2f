"""The env's pictures give timestamps beside the hours when the scenario has a start: the
text render, the map's title and the episode map's weather labels."""

from __future__ import annotations

import re

import pytest

from mmroute.envs.render import plot_episode
from mmroute.envs.reroute import RerouteEnv
from mmroute.scenarios import load
from mmroute.scenarios.clock import label_h, parse_start

_LABEL = re.compile(r"(-?[\d.]+) h \((\S+)\)")


def _pairs(text: str) -> list[tuple[float, str]]:
    return [(float(h), ts) for h, ts in _LABEL.findall(text)]


@pytest.mark.parametrize("name", ["tiny", "liuzhou-asean"])  # with and without an offset
def test_the_text_render_gives_each_instant_with_its_timestamp(name):
    env = RerouteEnv(name, render_mode="ansi", drop="always")
    env.reset(seed=1)
    clock = env.scenario.clock()
    while env.decision is not None and env.sim.now == 0:
        env.step(0)
    text = env.render()
    first = text.splitlines()[0]
    assert first.startswith(f"t = {env.sim.now:8.2f} h ({clock.iso(env.sim.now, 'minutes')})")
    c = env.sim.consignments[env.decision.consignment]
    assert f"due {clock.label(c.shipment.due_h)}" in text
    pairs = _pairs(text)
    assert len(pairs) >= 3
    for hours, stamp in pairs:  # every timestamp is its hours, to the minute
        assert abs(clock.hours(stamp) - hours) <= 0.5 / 60 + 1e-9
    assert ("+08:00" in text) == clock.aware


def test_without_a_start_the_render_gives_hours_only():
    sc = load("tiny")
    data = sc.to_dict()
    data.pop("start")
    from mmroute.scenarios import parse

    env = RerouteEnv(parse(data), render_mode="ansi", drop="always")
    env.reset(seed=1)
    text = env.render()
    assert text.startswith(f"t = {env.sim.now:8.2f} h   cost") and not _pairs(text)


def test_timestamps_across_a_dst_change_in_labels():
    clock = parse_start("2026-03-28T12:00:00+01:00[Europe/Berlin]")
    assert clock.label(24) == "24 h (2026-03-29T13:00+02:00)"
    assert label_h(12.5, clock, ".1f") == "12.5 h (2026-03-29T00:30+01:00)"
    assert label_h(12.5, None) == "12.5 h" and clock.iso(0.0083, "minutes") == \
        "2026-03-28T12:00+01:00"
    with pytest.raises(ValueError, match="timespec"):
        clock.iso(1.0, "hours")


def test_the_episode_map_labels_weather_cells_with_their_timestamps(tmp_path, monkeypatch):
    import mmroute.scenarios as scenarios
    from mmroute.envs.simulator import Simulator
    from mmroute.world.realization import realize

    sc = load("liuzhou-asean")
    seed = next(s for s in range(100) if realize(sc, s).events.weather)
    r = realize(sc, seed)
    seen: dict = {}
    monkeypatch.setattr(scenarios, "plot_map", lambda _sc, path, **kw: seen.update(kw) or path)
    sim = Simulator(sc, r)
    plot_episode(sc, r, sim.trajectory(), tmp_path / "ep.png")
    clock = sc.clock()
    w = r.events.weather[0]
    assert f"{w.cell} @ {clock.label(w.from_h)}" in seen["areas"]
    assert f"{w.cell} @ {clock.label(w.to_h)}" in seen["areas"]


def test_a_due_time_is_shown_in_the_destinations_own_zone():
    """tiny with Haiphong at UTC+7 (Asia/Ho_Chi_Minh): the due time of a shipment to it is
    local there; the clock line stays in the start's zone (+08:00)."""
    from mmroute.scenarios import parse

    data = load("tiny").to_dict()
    next(n for n in data["nodes"] if n["id"] == "HPH")["time_zone"] = "Asia/Ho_Chi_Minh"
    env = RerouteEnv(parse(data), render_mode="ansi", drop="always")
    env.reset(seed=1)
    while env.decision is not None and \
            env.sim.consignments[env.decision.consignment].shipment.destination != "HPH":
        env.step(0)
    clock = env.scenario.clock()
    text = env.render()
    c = env.sim.consignments[env.decision.consignment]
    assert f"due {clock.label(c.shipment.due_h, node='HPH')}" in text
    assert f"due {c.shipment.due_h:g} h (" in text and "+07:00)" in text
    assert "+08:00)" in text.splitlines()[0]
    for hours, stamp in _pairs(text):
        assert abs(clock.hours(stamp) - hours) <= 0.5 / 60 + 1e-9
