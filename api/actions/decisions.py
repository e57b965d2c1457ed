"""The signed decision record a bank receives (issue 15): found and checked, for ``credtrace decision
show|verify`` and the bank routes alike.

:func:`stored_record` reads the records the oracles stored for an application (``oracle.store``), keeps
those whose payload hash is the one decided on chain and joins their signatures into one DSSE envelope
(:func:`oracle.record.combined`). :func:`checks` is the bank's own check against the chain alone, every
check named (:mod:`oracle.verify`); the LoanLedger's address is given or the deployment file's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from api import ApiError
from ledger.chain import Chain, deployment
from ledger.contracts.loan_ledger import LoanLedger
from oracle import record
from oracle.evidence import Contracts, contracts_from, gather
from oracle.store import records_for
from oracle.verify import Check, verified


def stored_record(loans: LoanLedger, engine: Engine, number: int) -> tuple[bytes, str]:
    """(the record, its hash): the stored signatures on the payload whose SHA-256 the chain decided, joined."""
    decided = loans.decision(number).record_hash
    if int(decided, 16) == 0:
        raise ApiError(f"application {number} has no final decision on chain yet")
    stored = [bytes(r) for r in records_for(engine, number)]
    matching = [r for r in stored if record.record_hash(r) == decided]
    if not matching:
        raise ApiError(f"no stored record of application {number} has the hash decided on chain ({decided})")
    return record.combined(matching), decided


def summary(raw: bytes, record_hash: str) -> dict[str, Any]:
    """``decision show --json``: the record's hash, its signers and its predicate (terms, reasons, model)."""
    predicate, signers = record.opened(raw)["predicate"], sorted(record.envelope(raw).signatures)
    return {"recordHash": "0x" + record_hash, "signers": signers, **predicate}


def checks(chain: Chain, deployment_path: Path, raw: bytes, application: int | None, loans: str | None = None,
           witnesses: Sequence[Any] | None = None) -> list[Check]:
    """Every check of ``raw`` against ``chain``, in order, up to the first that fails."""
    contracts = contracts_of(chain, deployment_path, loans)
    return verified(raw, lambda claim: gather(contracts, claim, witnesses), application)


def report(found: list[Check], proved: bool) -> dict[str, Any]:
    """``decision verify --json``: valid, each check, and what was not checked."""
    return {"valid": all(c.ok for c in found), "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail}
                                                           for c in found],
            "unchecked": [] if proved else ["access-events"]}


def contracts_of(chain: Chain, deployment_path: Path, loans: str | None) -> Contracts:
    """From ``loans`` alone, or from the deployment file (its ProvenanceLog too)."""
    if loans is not None:
        return contracts_from(chain, loans)
    if not deployment_path.exists():
        raise ApiError(f"no deployment at {deployment_path}: give the LoanLedger's address with --loans")
    dep = deployment.load(deployment_path)
    if "LoanLedger" not in dep.contracts:
        raise ApiError(f"{deployment_path} has no LoanLedger: give --loans ADDRESS")
    log = dep.contracts.get("ProvenanceLog")
    return contracts_from(chain, dep.contracts["LoanLedger"].address, log.address if log else None)
