"""The chain's events that go with a target: the enterprise's consents granted and revoked
(``ConsentRegistry``), its loan applications with their votes, decisions and loan events (``LoanLedger``),
its sanctions listed and lifted (``SanctionsList``). Read with ``eth_getLogs`` from block 0, filtered on
indexed topics where the contract indexes them; each block's time read once.

Arguments are made JSON: 32-byte values as hex (a subject as its 64-hex pseudonym, as in the log), a
product id as its code. Nothing here holds a raw identifier: the contracts take pseudonyms only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ledger.contracts.consent_registry import ConsentRegistry
from ledger.contracts.loan_ledger import LoanLedger, product_code
from ledger.contracts.sanctions_list import SanctionsList
from ledger.identifiers.scan import has_identifier
from ledger.lineage.target import Target
from ledger.lineage.timeline import ChainEntry

LOAN_EVENTS = ("Applied", "DecisionSubmitted", "Decided", "Disbursed", "Repaid", "Subsidised", "MarkedOverdue",
               "Defaulted", "Compensated", "Recovered", "WrittenOff")
"""LoanLedger's events about one application (``StatusChanged`` repeats them and is left out)."""


class ChainEvents:
    def __init__(self, consents: ConsentRegistry, loans: LoanLedger, sanctions: SanctionsList) -> None:
        self.consents, self.loans, self.sanctions = consents, loans, sanctions
        self._times: dict[int, str] = {}

    def applications_of(self, subject: str) -> list[int]:
        """The ids of the applications made for the enterprise ``subject`` (an indexed topic)."""
        logs = self.loans.contract.event("Applied").get_logs(
            from_block=0, argument_filters={"subject": bytes.fromhex(subject)})
        return sorted(int(log["args"]["applicationId"]) for log in logs)

    def about(self, target: Target) -> list[ChainEntry]:
        found = [e for n in target.applications for e in self._loan_events(n)]
        if target.kind == "enterprise" and target.subject is not None:
            found += self._consents(target.subject) + self._sanctions(target.subject)
        return found

    def _loan_events(self, application_id: int) -> list[ChainEntry]:
        return [self._entry("LoanLedger", name, log) for name in LOAN_EVENTS
                for log in self.loans.contract.event(name).get_logs(
                    from_block=0, argument_filters={"applicationId": application_id})]

    def _consents(self, subject: str) -> list[ChainEntry]:
        raw = bytes.fromhex(subject)
        granted = [log for log in self.consents.contract.event("ConsentGranted").get_logs(from_block=0)
                   if bytes(log["args"]["subject"]) == raw]
        ids = {bytes(log["args"]["consentId"]) for log in granted}
        revoked = [log for log in self.consents.contract.event("ConsentRevoked").get_logs(from_block=0)
                   if bytes(log["args"]["consentId"]) in ids]
        return [self._entry("ConsentRegistry", str(log["event"]), log) for log in (*granted, *revoked)]

    def _sanctions(self, subject: str) -> list[ChainEntry]:
        return [self._entry("SanctionsList", name, log) for name in ("Sanctioned", "Lifted")
                for log in self.sanctions.contract.event(name).get_logs(
                    from_block=0, argument_filters={"subject": bytes.fromhex(subject)})]

    def _entry(self, contract: str, name: str, log: Mapping[str, Any]) -> ChainEntry:
        block = int(log["blockNumber"])
        return ChainEntry(contract, name, block, int(log["logIndex"]), "0x" + bytes(log["transactionHash"]).hex(),
                          self._time(block), jsonable(log["args"]))

    def _time(self, block: int) -> str:
        if block not in self._times:
            stamp = int(self.loans.contract.chain.web3.eth.get_block(block)["timestamp"])
            self._times[block] = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return self._times[block]


def jsonable(args: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _value(key, value) for key, value in args.items()}


def _value(key: str, value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        raw = bytes(value)
        if key == "productId":
            code = product_code(raw)
            return code if not has_identifier(code) else "0x" + raw.hex()  # a code the client would refuse
        return raw.hex() if key == "subject" else "0x" + raw.hex()
    if isinstance(value, Iterable) and not isinstance(value, str):
        return [_value(key, v) for v in value]
    return value
