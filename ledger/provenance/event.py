"""Provenance events: what happened to which enterprise's data, by whom, why, under what.

Seeds R5 asks for the source, flow, use and output traces of every piece of enterprise data.
An event's identity is its canonical bytes — JSON per RFC 8785 (JCS) — and its leaf hash per
RFC 9162 §2.1.1. Subjects are enterprise pseudonyms (64 hex), never raw credit codes, and the
free text (``purpose``, ``request_id``, ``reason``) is refused when it carries a credit code, an
identity, mobile or bank card number (:mod:`ledger.identifiers.scan`), so no raw identifier can enter
the append-only log or, through it, the chain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

import orjson
from eth_utils.address import is_address, to_checksum_address

from ledger.errors import EventError
from ledger.identifiers.scan import has_identifier, identifiers_in
from ledger.provenance.merkle import leaf_hash

_HASH = re.compile(r"[0-9a-f]{64}")  # fullmatch: "$" would let a trailing newline through
_CONSENT = re.compile(r"0x[0-9a-f]{64}")
_HASHES = re.compile(r"(?:[0-9a-f]{64},)*")
"""A list of hashes joined with commas, ending in one (or nothing for an empty list)."""
_BASE_KEYS = ("action", "actor", "subject", "assets", "purpose", "consent", "request_id", "time")
_EXTRA_KEYS = ("outputs", "recipient", "reason")
_FREE_TEXT = ("purpose", "request_id", "reason")
_REQUIRED, _ALLOWED = frozenset(_BASE_KEYS), frozenset(_BASE_KEYS + _EXTRA_KEYS)


class Action(StrEnum):
    INGEST = "INGEST"  # data arrived from a provider
    TRANSFORM = "TRANSFORM"  # cleaned, desensitised, fused: assets (inputs) → outputs
    ACCESS = "ACCESS"  # who read what, for which purpose, under which consent
    OUTPUT = "OUTPUT"  # what left the platform, to whom (recipient)
    DECISION = "DECISION"  # a credit decision was made on the assets read
    DENIED = "DENIED"  # an attempt refused, with the reason
    INCIDENT = "INCIDENT"  # the leak emergency plan (R7): an incident opened or closed, with the reason


_ACTIONS = frozenset(a.value for a in Action)


@dataclass(frozen=True)
class Event:
    action: Action
    actor: str
    """The participant's checksummed account address."""
    subject: str | None
    """Enterprise pseudonym (64 lowercase hex), or None when no one enterprise is concerned."""
    assets: tuple[str, ...]
    """SHA-256 (hex) of each data asset read or touched."""
    purpose: str
    consent: str | None
    """The consent id (0x + 64 hex) the access relied on, if any."""
    request_id: str
    time: str
    """RFC 3339, normalised to UTC with microseconds: 2026-11-24T15:20:00.123000Z."""
    outputs: tuple[str, ...] = field(default=())
    recipient: str | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        _validate(self)

    def to_json(self) -> dict[str, Any]:
        """The event as a JSON object; optional keys appear only when set."""
        doc: dict[str, Any] = {k: getattr(self, k) for k in _BASE_KEYS}
        doc["action"] = str(self.action)
        doc["assets"] = list(self.assets)
        if self.outputs:
            doc["outputs"] = list(self.outputs)
        for key in ("recipient", "reason"):
            if getattr(self, key) is not None:
                doc[key] = getattr(self, key)
        return doc

    def canonical(self) -> bytes:
        """RFC 8785 canonical JSON: the bytes that are hashed, stored and proven.

        An event holds only strings, lists of strings and nulls, with ASCII keys; for such values
        orjson with sorted keys writes exactly the RFC 8785 bytes (§3.2.2.2: the same short escapes,
        lowercase ``\\u00xx`` for other controls, everything else as UTF-8), ten times faster than the
        general ``rfc8785`` package. A hypothesis test holds the two byte for byte."""
        return orjson.dumps(self.to_json(), option=orjson.OPT_SORT_KEYS)

    def leaf_hash(self) -> bytes:
        return leaf_hash(self.canonical())

    @classmethod
    def from_json(cls, doc: Any) -> Event:
        """Build from a JSON object (the import format); raises EventError naming the problem."""
        if not isinstance(doc, dict):
            raise EventError("an event must be a JSON object")
        missing = [k for k in _BASE_KEYS if k not in doc]
        unknown = sorted(set(doc) - set(_BASE_KEYS) - set(_EXTRA_KEYS))
        if missing or unknown:
            raise EventError(f"missing keys {missing}" if missing else f"unknown keys {unknown}")
        try:
            action = Action(doc["action"])
        except ValueError:
            raise EventError(f"action {doc['action']!r} is not one of {[a.value for a in Action]}") from None
        return cls(
            action=action,
            actor=_address(doc["actor"]),
            subject=doc["subject"],
            assets=tuple(_list(doc, "assets")),
            purpose=doc["purpose"],
            consent=doc["consent"],
            request_id=doc["request_id"],
            time=normalise_time(doc["time"]),
            outputs=tuple(_list(doc, "outputs")) if "outputs" in doc else (),
            recipient=_address(doc["recipient"]) if doc.get("recipient") is not None else None,
            reason=doc.get("reason"),
        )


def canonical_json(doc: Any) -> bytes:
    """``Event.from_json(doc).canonical()``: the same bytes, the same EventError.

    A bulk append's hot path (a 1M-event file spends most of its time here): a well-formed event is
    checked and serialised straight from its JSON object, three times faster than building the Event;
    anything the quick checks do not pass goes the long way, which names the problem. A hypothesis
    test holds the two paths together."""
    quick = _quick_canonical(doc)
    return quick if quick is not None else Event.from_json(doc).canonical()


def _quick_canonical(doc: Any) -> bytes | None:
    """The canonical bytes of a well-formed event, or None when any check fails (or raises)."""
    try:
        out = _quick_normalised(doc)
    except (EventError, TypeError):
        return None
    return None if out is None else orjson.dumps(out, option=orjson.OPT_SORT_KEYS)


def _quick_normalised(doc: Any) -> dict[str, Any] | None:
    if type(doc) is not dict or not _REQUIRED <= doc.keys() <= _ALLOWED or doc["action"] not in _ACTIONS:
        return None
    out = {k: doc[k] for k in _BASE_KEYS}
    out["actor"], out["time"] = _checksummed(doc["actor"]), _utc(doc["time"])
    outputs, recipient, reason = doc.get("outputs", []), doc.get("recipient"), doc.get("reason")
    if type(outputs) is not list or type(out["assets"]) is not list:
        return None
    if outputs:
        out["outputs"] = outputs
    if recipient is not None:
        out["recipient"] = _checksummed(recipient)
    if reason is not None:
        out["reason"] = reason
    return out if _quick_valid(out, out["purpose"], out["request_id"], reason) else None


def _quick_valid(e: dict[str, Any], purpose: str, request_id: str, reason: str | None) -> bool:
    subject, consent, hashes = e["subject"], e["consent"], [*e["assets"], *e.get("outputs", ())]
    joined = ",".join([*hashes, ""])  # TypeError unless all are strings
    return (_HASHES.fullmatch(joined) is not None and len(joined) == 65 * len(hashes)
            and (subject is None or _HASH.fullmatch(subject) is not None)
            and (consent is None or _CONSENT.fullmatch(consent) is not None)
            and type(purpose) is str and type(request_id) is str and 0 < len(purpose) <= 200
            and 0 < len(request_id) <= 200 and (reason is None or (type(reason) is str and len(reason) <= 200))
            and _quick_action_valid(e["action"], e, reason)
            and _plain_text(f"{purpose}\n{request_id}\n{reason or ''}"))


def _quick_action_valid(action: str, e: dict[str, Any], reason: str | None) -> bool:
    return ((action != "TRANSFORM" or "outputs" in e) and (action != "OUTPUT" or "recipient" in e)
            and (action not in ("DENIED", "INCIDENT") or bool(reason)))


def _plain_text(value: str) -> bool:
    """Unicode text without a raw identifier (the free-text fields joined by newlines: identifiers
    stand alone, so a newline between two fields neither makes nor breaks one)."""
    return (value.isascii() or _is_unicode(value)) and not has_identifier(value)


def normalise_time(value: Any) -> str:
    """RFC 3339 date-time (§5.6) → UTC with microseconds and a Z."""
    if not isinstance(value, str):
        raise EventError("time must be an RFC 3339 string")
    return _utc(value)


@lru_cache(maxsize=65_536)  # a batch's events share few distinct times; parsing one costs ~9 µs
def _utc(value: str) -> str:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise EventError(f"time {value!r} is not RFC 3339") from None
    if parsed.tzinfo is None or "T" not in value.upper():
        raise EventError(f"time {value!r} needs a date, a T and an offset (RFC 3339 §5.6)")
    try:
        utc = parsed.astimezone(UTC)
    except OverflowError:  # year 1 at +01:00, year 9999 at -01:00: no UTC date in the calendar
        raise EventError(f"time {value!r} is out of range in UTC (years 1 to 9999)") from None
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _address(value: Any) -> str:
    if not isinstance(value, str):
        raise EventError(f"{value!r} is not an account address")
    return _checksummed(value)


@lru_cache(maxsize=65_536)  # a few thousand participants act; EIP-55 costs a keccak each time
def _checksummed(value: str) -> str:
    if not is_address(value):
        raise EventError(f"{value!r} is not an account address")
    return str(to_checksum_address(value))


def _list(doc: dict[str, Any], key: str) -> list[Any]:
    value = doc[key]
    if not isinstance(value, list):
        raise EventError(f"{key} must be a list of hex SHA-256 hashes")
    return value


def _validate(e: Event) -> None:
    for h in (*e.assets, *e.outputs):
        if not isinstance(h, str) or not _HASH.fullmatch(h):
            raise EventError(f"asset hash {h!r} is not 64 lowercase hex characters")
    if e.subject is not None and not (isinstance(e.subject, str) and _HASH.fullmatch(e.subject)):
        raise EventError("subject must be an enterprise pseudonym (64 lowercase hex), never a raw code")
    if e.consent is not None and not (isinstance(e.consent, str) and _CONSENT.fullmatch(e.consent)):
        raise EventError("consent must be null or a consent id (0x + 64 lowercase hex)")
    for key in ("purpose", "request_id"):
        value = getattr(e, key)
        if not isinstance(value, str) or not value or len(value) > 200:
            raise EventError(f"{key} must be a non-empty string of at most 200 characters")
    if normalise_time(e.time) != e.time:  # the stored body must be the one its own parse re-serialises
        raise EventError(f"time {e.time!r} must be normalised to UTC with microseconds and a Z (normalise_time)")
    _validate_action(e)
    _refuse_identifiers(e)


def _refuse_identifiers(e: Event) -> None:
    for key in _FREE_TEXT:
        value = getattr(e, key)
        if value and not _is_unicode(value):
            raise EventError(f"{key} is not Unicode text: it holds a lone surrogate (JSON \\ud800-\\udfff)")
        for kind in identifiers_in(value) if value else ():
            raise EventError(f"{key} carries {kind}: raw identifiers never enter the log")


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _validate_action(e: Event) -> None:
    if e.action is Action.TRANSFORM and not e.outputs:
        raise EventError("a TRANSFORM event needs outputs (the hashes it produced)")
    if e.action is Action.OUTPUT and e.recipient is None:
        raise EventError("an OUTPUT event needs a recipient")
    if e.action in (Action.DENIED, Action.INCIDENT) and not e.reason:
        raise EventError(f"a {e.action} event needs a reason")
    if e.reason is not None and (not isinstance(e.reason, str) or len(e.reason) > 200):
        raise EventError("reason must be a string of at most 200 characters")
