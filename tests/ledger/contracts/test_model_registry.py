"""ModelRegistry: the operator registers, a regulator approves and retires; only approved serves."""

from __future__ import annotations

import hashlib

import pytest

from ledger.contracts.model_registry import NAME, ModelRegistry
from ledger.errors import ContractRevert
from ledger.types import ModelStatus, Role

MODEL = hashlib.sha256(b"model.json").hexdigest()
REPORT = hashlib.sha256(b"report.json").hexdigest()


def test_a_model_serves_only_between_approval_and_retirement(deployed, sender) -> None:
    contract, (operator, regulator, oracle) = deployed(Role.REGULATOR, Role.ORACLE)
    models = ModelRegistry(contract(NAME))

    with pytest.raises(ContractRevert.named("NotAuthorized")):
        models.register(sender(oracle), MODEL, REPORT)
    for model, report in ((MODEL, "00" * 32), ("00" * 32, REPORT)):  # a model must name what it is and was judged on
        with pytest.raises(ContractRevert.named("EmptyHash")):
            models.register(sender(operator), model, report)
    models.register(sender(operator), MODEL, REPORT)
    assert not models.is_servable(MODEL)
    with pytest.raises(ContractRevert.named("AlreadyRegistered")):
        models.register(sender(operator), MODEL, REPORT)
    with pytest.raises(ContractRevert.named("NotAuthorized")) as caught:
        models.approve(sender(operator), MODEL)
    assert caught.value.args_by_name["role"] == Role.REGULATOR

    models.approve(sender(regulator), MODEL)
    record = models.model(MODEL)
    assert (record.status, record.report_hash, record.approved_by) == (ModelStatus.APPROVED, REPORT, regulator.address)
    assert models.is_servable(MODEL)

    receipt = models.retire(sender(regulator), MODEL, "drift: PSI 0.31")
    assert [e["event"] for e in models.contract.events(receipt)] == ["ModelRetired"]
    assert not models.is_servable(MODEL)
    with pytest.raises(ContractRevert.named("InvalidTransition")) as caught:
        models.approve(sender(regulator), MODEL)
    assert caught.value.args_by_name["from"] == ModelStatus.RETIRED
    with pytest.raises(ContractRevert.named("UnknownModel")):
        models.model("00" * 32)
