"""The acceptance on the synthetic pilot: 10,000 enterprises, out-of-time champion AUC >= 0.80 and
within 0.02 of the challenger; the same data trains to the same model id; scoring is byte-stable."""

from __future__ import annotations

import pytest

from scoring import artifact
from scoring.policy import DEFAULT_POLICY
from scoring.trainer import train
from simulation.pilot import generate
from simulation.training import build


@pytest.mark.slow
def test_champion_on_the_pilot_out_of_time() -> None:
    table = build(generate(10_000, seed=7))
    data, oot = table.to_dataset(), table.oot_mask("2024-10")
    doc, report = train(data, oot_mask=oot, descriptions=table.descriptions, policy=DEFAULT_POLICY)
    evaluation = report["evaluation"]
    assert evaluation["sample"] == "out-of-time" and evaluation["rows"] == int(oot.sum())
    duel = evaluation["champion_vs_challenger"]
    assert duel["champion_auc"] >= 0.80
    assert abs(duel["champion_auc"] - duel["challenger_auc"]) <= 0.02

    again, _ = train(data, oot_mask=oot, descriptions=table.descriptions, policy=DEFAULT_POLICY)
    assert artifact.model_id(again) == artifact.model_id(doc) == report["model_id"]
    vector = table.rows[0]
    assert artifact.score_bytes(doc, vector) == artifact.score_bytes(again, vector)
