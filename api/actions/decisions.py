"""A decision's signed record (issue 15): the stored signatures joined into the record the chain decided,
and the bank's check of a record against the chain (:mod:`oracle.verify`'s named checks). ``credtrace
decision show/verify`` print these; the portal's matching window shows them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api import ApiError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from ledger.chain import Chain
    from ledger.contracts.loan_ledger import LoanLedger
    from oracle.evidence import Contracts
    from oracle.verify import Check


def stored_record(loans: LoanLedger, engine: Engine, number: int) -> tuple[bytes, str]:
    """(the record, its hash): the stored signatures on the payload whose SHA-256 the chain decided, joined."""
    from oracle import record
    from oracle.store import records_for

    decided = loans.decision(number).record_hash
    if int(decided, 16) == 0:
        raise ApiError(f"application {number} has no final decision on chain yet")
    matching = [r for r in (bytes(s) for s in records_for(engine, number)) if record.record_hash(r) == decided]
    if not matching:
        raise ApiError(f"no stored record of application {number} has the hash decided on chain ({decided})")
    return record.combined(matching), decided


def checks(chain: Chain, deployment_path: Path, raw: bytes, application: int | None, loans: str | None = None,
           witnesses: Sequence[Any] | None = None) -> list[Check]:
    """Every check of ``raw`` against ``chain``, in order, up to the first that fails (``oracle.verify``)."""
    from oracle.evidence import gather
    from oracle.verify import verified

    contracts = contracts_of(chain, deployment_path, loans)
    return verified(raw, lambda claim: gather(contracts, claim, witnesses), application)


def contracts_of(chain: Chain, deployment_path: Path, loans: str | None) -> Contracts:
    """From ``loans`` (the LoanLedger's address) alone, or from the deployment file (its ProvenanceLog too)."""
    from ledger.chain import deployment
    from oracle.evidence import contracts_from

    if loans is not None:
        return contracts_from(chain, loans)
    if not deployment_path.exists():
        raise ApiError(f"no deployment at {deployment_path}: give the LoanLedger's address with --loans")
    dep = deployment.load(deployment_path)
    if "LoanLedger" not in dep.contracts:
        raise ApiError(f"{deployment_path} has no LoanLedger: give --loans ADDRESS")
    log = dep.contracts.get("ProvenanceLog")
    return contracts_from(chain, dep.contracts["LoanLedger"].address, log.address if log else None)
