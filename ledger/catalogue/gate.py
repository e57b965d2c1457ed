"""The access gate: the one function through which enterprise data is read (seeds R4, R5, R9).

Every read is checked — the requester is an active participant whose role may read, the
enterprise is not sanctioned, and (for banks and the oracle) a consent covers the data
categories, the purpose and the grantee — then recorded: ``ACCESS`` with the hashes of what
was returned, or ``DENIED`` with the reason. What is returned is desensitised for the
requester's role. Derived data is recorded as ``TRANSFORM`` (inputs → outputs) and anything
leaving the platform as ``OUTPUT`` with a per-recipient fingerprint, so a leaked copy can be
traced back to whom it was given (R7's leak plan).

A record is shown only if it is what its row says: it opens under its row (the ciphertext is
bound to dataset, subject and period, ``ledger.catalogue.vault``), hashes to the row's content hash,
and is the requested enterprise's, of that period and dataset. Anything else — a ciphertext moved,
swapped or altered in SQL — refuses the whole read, recorded as ``DENIED`` like every refusal.

This module alone imports :class:`~ledger.catalogue.reader.RecordReader`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import rfc8785
from eth_utils.address import to_checksum_address
from sqlalchemy.engine import Engine

from ledger.catalogue.errors import AccessDenied, RecordTampered
from ledger.catalogue.leak import attribute, marker
from ledger.catalogue.mask import Treatment, desensitise
from ledger.catalogue.reader import RecordReader
from ledger.catalogue.schema import SCHEMAS
from ledger.catalogue.store import StoredRecord
from ledger.catalogue.vault import Pseudonymiser, Vault
from ledger.contracts.consent import Category, check, parse_consent_id
from ledger.contracts.consent import purpose as purpose_hash
from ledger.contracts.consent_registry import ConsentRegistry
from ledger.contracts.participant_registry import Participant
from ledger.errors import LedgerError
from ledger.identifiers.errors import IdentifierError
from ledger.identifiers.uscc import validate
from ledger.provenance.event import Event
from ledger.provenance.sequencer import Sequencer
from ledger.types import Address, Role, Status

_CONSENT_ID = re.compile(r"0x[0-9a-fA-F]{64}")
_PSEUDONYM = re.compile(r"[0-9a-f]{64}")
TAMPERED = "a stored record is not what its row says (moved, swapped or altered in the database); nothing was shown"

POLICY: dict[Role, tuple[bool, Treatment]] = {
    Role.BANK: (True, Treatment.MASK),  # (needs a consent, how personal fields are shown)
    Role.ORACLE: (True, Treatment.DROP),
    Role.REGULATOR: (False, Treatment.TOKENISE),
    Role.AUDITOR: (False, Treatment.TOKENISE),
}


class Roles(Protocol):
    def participant(self, account: Address) -> Participant: ...


class Consents(Protocol):
    def refusal(self, consent: str, grantee: str, subject: str, datasets: Sequence[str], purpose: str) -> str | None:
        """Why ``consent`` does not cover the request, or None if it does."""
        ...


class Sanctions(Protocol):
    def is_sanctioned(self, subject: str) -> bool: ...


@dataclass(frozen=True)
class AccessRequest:
    requester: Address
    credit_code: str
    departments: tuple[str, ...]
    purpose: str
    request_id: str
    consent: str | None = None
    on_behalf_of: Address | None = None
    """The bank an oracle reads for: the consent must be granted to that bank."""
    subject: str | None = None
    """The enterprise's pseudonym, for an oracle that has nothing else (a loan application carries
    only it): the gate reads by it, ``credit_code`` unused. Only an oracle may; every other check holds."""


@dataclass(frozen=True)
class Disclosure:
    records: list[dict[str, Any]]
    event_index: int


@dataclass(frozen=True)
class AccessGate:
    reader: RecordReader
    vault: Vault
    pseudonymise: Pseudonymiser
    roles: Roles
    consents: Consents
    sanctions: Sanctions
    sequencer: Sequencer
    now: Callable[[], str]
    """RFC 3339 time of the request."""

    @classmethod
    def over(cls, engine: Engine, vault: Vault, pseudonymise: Pseudonymiser, roles: Roles, consents: Consents,
             sanctions: Sanctions, sequencer: Sequencer, now: Callable[[], str]) -> AccessGate:
        """The gate over the catalogue in ``engine`` (it alone holds a record reader)."""
        return cls(RecordReader(engine), vault, pseudonymise, roles, consents, sanctions, sequencer, now)

    def read(self, req: AccessRequest) -> Disclosure:
        """The enterprise's records, desensitised; AccessDenied (recorded) if not allowed. Every
        refusal is recorded, a malformed request's too; its reason never repeats what was asked."""
        subject = self._subject(req)
        if subject is None:
            raise self._denied(req, None, "the credit code requested is not a valid unified social credit code"
                               if req.subject is None else "the pseudonym requested is not 64 lowercase hex digits")
        who = self._participant(req.requester)  # once a read: each look-up is a chain call
        refused = self._unknown_datasets(req) or self._refusal(req, subject, who)
        if refused is not None or who is None:
            raise self._denied(req, subject, refused or f"{req.requester} is not a registered participant")
        stored = self.reader.records(subject, req.departments)
        code = validate(req.credit_code) if req.subject is None else None
        try:
            opened = [(r.department, self._opened(r, code, subject)) for r in stored]
        except RecordTampered:
            raise self._denied(req, subject, TAMPERED) from None
        treatment = POLICY[who.role][1]
        records = [self._shown(department, record, treatment, req, subject) for department, record in opened]
        return Disclosure(records, self._record("ACCESS", req, subject, tuple(r.content_hash for r in stored)))

    def derive(self, req: AccessRequest, inputs: Sequence[str], output: bytes) -> int:
        """Record that ``output`` was derived (cleaned, fused, featurised) from ``inputs``."""
        subject = self.pseudonymise(validate(req.credit_code))
        out = hashlib.sha256(output).hexdigest()
        return self._record("TRANSFORM", req, subject, tuple(inputs), outputs=(out,))

    def export(self, req: AccessRequest, recipient: str, document: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """``document`` stamped with ``recipient``'s fingerprint, and its OUTPUT event.

        The document and each of its ``records`` carry a ``_fingerprint`` token (keyed, per recipient and
        per record: :mod:`ledger.catalogue.leak`), so one record copied out of the file still names
        whose copy it was. The OUTPUT event keeps the SHA-256 of each token in ``outputs`` (the
        document's first) and of each stamped record's RFC 8785 bytes in ``assets`` (the document's
        first): a leak is matched by token, and its records checked against what left."""
        subject = self.pseudonymise(validate(req.credit_code))
        records = [{**r, "_fingerprint": self.pseudonymise.token(f"{req.request_id}\x00{i}", audience=recipient)}
                   for i, r in enumerate(document.get("records", []))]
        stamped = {**document, **({"records": records} if "records" in document else {}),
                   "_fingerprint": self.pseudonymise.token(req.request_id, audience=recipient)}
        contents = [hashlib.sha256(rfc8785.dumps(part)).hexdigest() for part in (stamped, *records)]
        markers = [marker(part["_fingerprint"]) for part in (stamped, *records)]
        index = self._record("OUTPUT", req, subject, tuple(contents), outputs=tuple(markers), recipient=recipient)
        return stamped, index

    def _subject(self, req: AccessRequest) -> str | None:
        if req.subject is not None:
            return req.subject if _PSEUDONYM.fullmatch(req.subject) else None
        try:
            return self.pseudonymise(validate(req.credit_code))
        except IdentifierError:
            return None

    @staticmethod
    def _unknown_datasets(req: AccessRequest) -> str | None:
        if not req.departments or any(d not in SCHEMAS for d in req.departments):
            return "a dataset requested is not one the platform holds"
        return None

    def _denied(self, req: AccessRequest, subject: str | None, reason: str) -> AccessDenied:
        return AccessDenied(reason, self._record("DENIED", req, subject, (), reason=reason))

    def _refusal(self, req: AccessRequest, subject: str, who: Participant | None) -> str | None:
        if who is None:
            return f"{req.requester} is not a registered participant"
        if who.status is not Status.ACTIVE:
            return f"requester is {who.status.name.lower()}, not active"
        if who.role not in POLICY:
            return f"role {who.role.name} may not read enterprise data"
        if req.subject is not None and who.role is not Role.ORACLE:
            return "only an oracle reads by pseudonym; give the enterprise's credit code"
        if who.role is Role.ORACLE and (refused := self._bank_refusal(req.on_behalf_of)):
            return refused
        if self.sanctions.is_sanctioned(subject):
            return "the enterprise is on the sanctions list (joint punishment, R9)"
        needs_consent = POLICY[who.role][0]
        grantee = req.on_behalf_of if who.role is Role.ORACLE else req.requester
        if needs_consent and (grantee is None or req.consent is None):
            return "no consent given for this request"
        if needs_consent:
            return self.consents.refusal(req.consent or "", grantee or "", subject, req.departments, req.purpose)
        return None

    def _participant(self, account: Address) -> Participant | None:
        try:
            return self.roles.participant(account)
        except LedgerError:  # an unregistered account: the registry reverts, the gate refuses and records it
            return None

    def _bank_refusal(self, bank: Address | None) -> str | None:
        """The oracle reads only for an active bank: a suspended or exited one may not use it to read."""
        who = None if bank is None else self._participant(bank)
        if who is None or who.role is not Role.BANK:
            return f"the oracle reads only for a registered bank, not {bank}"
        if who.status is not Status.ACTIVE:
            return f"the bank the oracle reads for is {who.status.name.lower()}, not active"
        return None

    def _opened(self, stored: StoredRecord, credit_code: str | None, subject: str) -> dict[str, Any]:
        """The record in ``stored`` if it is what its row says, else :class:`RecordTampered`. A bound
        ciphertext does not open elsewhere; a legacy (unbound) one is held to its row by these checks.
        Read by pseudonym (``credit_code`` None), the record's credit code must pseudonymise to it."""
        body = self.vault.open(stored.sealed, stored.department, stored.subject, stored.period)
        record: dict[str, Any] = json.loads(body)
        code = record.get("credit_code")
        owned = code == credit_code if credit_code is not None else (
            isinstance(code, str) and self.pseudonymise(code) == subject)
        if not (hashlib.sha256(body).hexdigest() == stored.content_hash and owned
                and record.get("period") == stored.period
                and set(record) <= set(SCHEMAS[stored.department].field_names)):
            raise RecordTampered(TAMPERED)
        return record

    def _shown(self, department: str, record: dict[str, Any], treatment: Treatment, req: AccessRequest,
               subject: str) -> dict[str, Any]:
        shown = desensitise(department, record, treatment,
                            lambda value: self.pseudonymise.token(value, audience=req.requester))
        if treatment is not Treatment.MASK:  # only a consented bank sees the credit code itself
            shown.pop("credit_code", None)
            shown["subject"] = subject
        return {"department": department, **shown}

    def _record(self, action: str, req: AccessRequest, subject: str | None, assets: tuple[str, ...],
                **extra: Any) -> int:
        consent = req.consent.lower() if req.consent and _CONSENT_ID.fullmatch(req.consent) else None
        doc = {"action": action, "actor": req.requester, "subject": subject, "assets": list(assets),
               "purpose": req.purpose, "consent": consent, "request_id": req.request_id, "time": self.now(),
               **{k: list(v) if isinstance(v, tuple) else v for k, v in extra.items()}}
        return self.sequencer.append([Event.from_json(doc)]).start


@dataclass(frozen=True)
class ChainConsents:
    """Consents as the ConsentRegistry contract holds them (the gate's Consents)."""

    registry: ConsentRegistry
    participants: Roles
    now: Callable[[], int]
    """Unix seconds."""

    def refusal(self, consent: str, grantee: str, subject: str, datasets: Sequence[str], purpose: str) -> str | None:
        try:
            record = self.registry.consent(parse_consent_id(consent))
        except (ValueError, LedgerError):
            return "the consent id is not 0x and 64 hex digits"
        if record is not None and (refused := self._granter_refusal(record.grant.enterprise)):
            return refused
        wanted = Category(0)
        for name in datasets:
            wanted |= Category[SCHEMAS[name].department.upper()]
        bank = to_checksum_address(grantee)
        return check(record, bank, wanted, purpose_hash(purpose), self.now(), subject=bytes.fromhex(subject))


    def _granter_refusal(self, enterprise: Address) -> str | None:
        """A suspended or exited enterprise's consents are not honoured while it is (README: who may
        do what); it can still revoke them."""
        status = self.participants.participant(enterprise).status
        if status is not Status.ACTIVE:
            return f"the enterprise that granted it is {status.name.lower()}: its consents are not honoured"
        return None


def trace(document: Any, log_bodies: Callable[[], Sequence[str]]) -> str | None:
    """The recipient a leaked ``document`` (or one record of it) was exported to, from the OUTPUT
    events of the log; None when no fingerprint in it is one the log names."""
    found = attribute(document, ((i, b) for i, b in enumerate(log_bodies())))
    return found[0].recipient if found else None
