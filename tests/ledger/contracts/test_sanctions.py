"""SanctionsList (R9): only regulators list and lift; the list is keyed by pseudonym."""

from __future__ import annotations

import pytest

from ledger.contracts.reason import encode
from ledger.contracts.sanctions_list import NAME, SanctionsList
from ledger.errors import ContractRevert
from ledger.types import Role

SUBJECT = "ab" * 32


def test_regulators_list_and_lift_sanctions(deployed, sender) -> None:
    contract, (_, regulator, bank) = deployed(Role.REGULATOR, Role.BANK)
    sanctions = SanctionsList(contract(NAME))

    with pytest.raises(ContractRevert.named("NotAuthorized")) as caught:
        sanctions.sanction(sender(bank), SUBJECT, "false tax data")
    assert caught.value.args_by_name == {"account": bank.address, "role": Role.REGULATOR}
    assert caught.value.contract == NAME

    receipt = sanctions.sanction(sender(regulator), SUBJECT, "false tax data")
    [event] = list(sanctions.contract.events(receipt))
    assert event["event"] == "Sanctioned" and event["args"]["by"] == regulator.address
    assert sanctions.is_sanctioned(SUBJECT) and not sanctions.is_sanctioned("cd" * 32)
    [listed] = sanctions.history(SUBJECT)
    assert (listed.listed, listed.reason.raw, listed.by) == (True, encode("false tax data").raw, regulator.address)
    with pytest.raises(ContractRevert.named("AlreadySanctioned")):
        sanctions.sanction(sender(regulator), SUBJECT, "again")

    sanctions.lift(sender(regulator), SUBJECT, "CORRECTED")
    assert not sanctions.is_sanctioned(SUBJECT)
    assert [(c.listed, c.reason.code) for c in sanctions.history(SUBJECT)] == [(True, None), (False, "CORRECTED")]
    with pytest.raises(ContractRevert.named("NotSanctioned")):
        sanctions.lift(sender(regulator), SUBJECT, "again")
