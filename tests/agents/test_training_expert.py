"""The imitation expert as a setting (``TrainConfig.expert``): validated, kept in the card, and
``replan-late`` — a non-anticipative expert that commits late — labels its holds with the
env's hold slot."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from mmroute.agents.imitation import demonstrations, slot_of
from mmroute.agents.registry import EXPERTS
from mmroute.agents.training import TrainConfig, train
from mmroute.envs.reroute import RerouteEnv
from mmroute.envs.simulator import Move
from mmroute.errors import InputError
from mmroute.world.realization import realize
from tests.agents.conftest import FAST

SEEDS = range(200_000, 200_003)


def test_the_default_expert_is_the_clairvoyant_one_and_replan_late_is_an_expert():
    assert TrainConfig().expert == "hindsight" == EXPERTS[0]
    assert "replan-late" in EXPERTS
    # a card written before the setting existed reads as the default recipe
    assert TrainConfig.from_dict({"hold": "latest"}).expert == "hindsight"


@pytest.mark.parametrize("value", ["oracle", "greedy", 1, None, ["replan-late"]])
def test_a_bad_expert_is_an_input_error_naming_the_field(value, tmp_path):
    with pytest.raises(InputError, match="expert") as err:
        TrainConfig(expert=value)
    assert err.value.field == "expert"
    with pytest.raises(InputError) as err:
        TrainConfig.from_dict({"expert": value}, field="config")
    assert err.value.field == "config.expert"


def test_the_expert_is_read_from_a_config_file(tmp_path):
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("hold: latest\nexpert: replan-late\n")
    assert TrainConfig.from_file(cfg).expert == "replan-late"
    cfg.write_text("expert: clairvoyant\n")
    with pytest.raises(InputError, match="expert") as err:
        TrainConfig.from_file(cfg)
    assert err.value.field == "expert" and "cfg.yaml" in str(err.value)


def test_replan_late_demonstrations_label_its_holds_with_the_hold_slot():
    on = demonstrations("tiny", SEEDS, expert="replan-late", hold="latest")
    assert on.holds > 0 and on.hold_labels == on.holds
    assert "expert holds" in on.summary()
    # the labelled holds are the hold slot (slot 1 where the env offers a hold)
    assert (on.actions == 1).sum() >= on.hold_labels
    # without a hold slot the same holds are not labelled (no slot carries them out)
    off = demonstrations("tiny", SEEDS, expert="replan-late")
    assert off.holds > 0 and off.hold_labels == 0
    assert len(off.actions) <= off.decisions - off.holds
    # the clairvoyant expert plays the same episodes without waiting at any cut-off
    assert demonstrations("tiny", SEEDS, hold="latest").holds == 0


def test_a_hold_until_another_hour_is_the_hold_slot():
    """The expert's hold lasts until its own plan's move leaves, the slot's until the latest
    hour that keeps slot 0's connection: both are "wait and decide again"."""
    env = RerouteEnv("tiny", hold="latest")
    for seed in SEEDS:
        env.reset(options={"realization": realize(env.scenario, seed)})
        done = False
        while not done:
            held = [j for j, c in enumerate(env.slots) if c is not None and c.move.kind == "hold"]
            if held:
                until = env.slots[held[0]].move.until_h
                assert slot_of(env, Move.hold(until)) == held[0] == 1
                assert slot_of(env, Move.hold(until - 1.0)) == 1
                no_hold = RerouteEnv("tiny")
                no_hold.reset(options={"realization": realize(env.scenario, seed)})
                assert slot_of(no_hold, Move.hold(no_hold.sim.now + 1.0)) is None
                return
            _, _, done, _, _ = env.step(0)
    pytest.fail("no decision with a hold slot on the test seeds")


def test_training_with_the_replan_late_expert_keeps_it_in_the_card(tmp_path):
    cfg = replace(FAST, hold="latest", expert="replan-late", imitation_episodes=3,
                  imitation_epochs=3, dagger_rounds=1, dagger_episodes=2, val_episodes=2)
    out = tmp_path / "run"
    logs: list[str] = []
    train("tiny", timesteps=256, seed=0, out=out, config=cfg, log=logs.append)
    card = json.loads((out / "best.json").read_text())
    assert card["config"]["expert"] == "replan-late" and card["config"]["hold"] == "latest"
    imitation = next(m for m in logs if m.startswith("imitation: 3 episodes"))
    assert "expert holds" in imitation
    assert any(m.startswith("DAgger round 1") for m in logs)
    # resuming with the card's config is the same run; another expert is another config
    with pytest.raises(InputError, match="another config"):
        train("tiny", timesteps=512, seed=0, out=out, resume=True,
              config=replace(cfg, expert="hindsight"), log=lambda m: None)
    assert np.isfinite(card["validation_cost"])


def test_reserved_hold_reads_from_its_config_and_labels_holds_with_slot_1_only():
    """``agents/models/late-expert-reserved.yaml``: hold "reserved", expert replan-late; the
    expert's holds are slot 1 (where offered) and no label is ever slot 1 otherwise."""
    cfg = TrainConfig.from_file(Path(__file__).parents[2] / "agents" / "models"
                                / "late-expert-reserved.yaml")
    assert (cfg.hold, cfg.expert) == ("reserved", "replan-late")
    with pytest.raises(InputError, match="n_candidates"):
        TrainConfig(hold="reserved", n_candidates=2)
    demos = demonstrations("tiny", SEEDS, expert="replan-late", hold="reserved")
    assert demos.holds > 0 and demos.hold_labels == demos.holds
    assert (demos.actions == 1).sum() == demos.hold_labels
    assert not demos.masks[demos.actions != 1][:, 1].all()  # slot 1 is masked somewhere
