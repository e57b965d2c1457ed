"""The demo's credit-model step: train on a 10,000-enterprise pilot, register and approve the
model on chain, print the report summary (seeds R1, R11)."""

from __future__ import annotations

import json
from pathlib import Path

from api.cli.context import console, sender_for
from api.cli.model import ids, model_registry, summary
from api.platform import Platform
from api.settings import Settings
from ledger.chain import Identity
from ledger.errors import ContractRevert
from ledger.types import ModelStatus
from scoring import artifact, report_page
from scoring.policy import DEFAULT_POLICY
from scoring.trainer import train
from simulation.training import build

DEVELOPMENT = {"n_enterprises": 10_000, "seed": 7}
OUT_OF_TIME = "2024-10"


def credit_model(p: Platform, settings: Settings, people: dict[str, Identity]) -> None:
    console.rule("8. the credit model: trained, explained, approved on chain before it may decide (R1)")
    from simulation.pilot import generate

    table = build(generate(**DEVELOPMENT))  # type: ignore[arg-type]
    doc, report = train(table.to_dataset(), oot_mask=table.oot_mask(OUT_OF_TIME),
                        descriptions=table.descriptions, policy=DEFAULT_POLICY)
    folder = settings.home / "models" / report["model_id"][:16]
    _write(folder, doc, report)
    console.print(summary(report), soft_wrap=True)
    console.print(f"artifact, report and a readable page in {folder}")
    registry = model_registry(p.chain, settings)
    model_id, report_hash = ids(folder)
    try:
        status = registry.model(model_id).status
    except ContractRevert:
        registry.register(sender_for(p.chain, p.operator), model_id, report_hash)
        status = ModelStatus.REGISTERED
    if status is ModelStatus.REGISTERED:
        registry.approve(sender_for(p.chain, people["regulator"]), model_id)
    console.print(f"on chain: registered by the operator, approved by the regulator; may serve decisions: "
                  f"{registry.is_servable(model_id)}")


def _write(folder: Path, doc: dict[str, object], report: dict[str, object]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    artifact.write(doc, folder / "model.json")
    (folder / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    (folder / "report.html").write_text(report_page.render(report, doc))
