"""Why a participant was suspended, reinstated or exited, or an enterprise listed or lifted: the
``bytes32 reason`` the contracts keep for good.

A reason on chain is never free text. It is one of two things:

- a **code** from :data:`CODES`, ASCII, zero-padded: readable by anyone from the chain alone;
- the **SHA-256 of a text kept off chain** (:class:`ReasonTexts`, Alembic revision 0012): the
  chain proves which text was given (anyone re-hashes the UTF-8 text and compares), and the text
  itself stays where it can be corrected by law, not in a ledger that keeps it forever.

Either way a text that carries a raw identifier (a credit code, an identity, mobile or bank card
number: :mod:`ledger.identifiers.scan`) is refused, naming the kind of identifier, never its value.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ledger.errors import LedgerError
from ledger.identifiers.scan import identifiers_in

MAX_TEXT = 1_000
"""Characters of a reason text: a paragraph, not a file."""

CODES: dict[str, str] = {
    "FALSE_DATA": "gave false data to obtain or keep a loan (seeds R9)",
    "LOAN_FRAUD": "defrauded a loan (seeds R9)",
    "LOAN_EVASION": "evaded repayment of a loan (seeds R9)",
    "DATA_MISUSE": "used or disclosed enterprise data beyond what its consent allows (seeds R5, R7)",
    "DATA_LEAK": "a data leak under the emergency plan (seeds R7)",
    "KEY_COMPROMISE": "a key was lost or compromised (seeds R7)",
    "LATE_REPORTING": "loan events reported late or not at all (seeds R10)",
    "BANK_EXIT": "a bank leaves the pilot (seeds R8)",
    "VOLUNTARY_EXIT": "the participant left of its own accord",
    "CORRECTED": "the cause was corrected",
    "REVIEW_CLEARED": "a review found no fault",
    "IN_ERROR": "the earlier action was taken in error",
}
"""The documented reason codes; anything else is hashed."""


@dataclass(frozen=True)
class Reason:
    """A reason as the chain holds it: ``code`` for a documented code, else ``digest`` of its text."""

    raw: bytes
    code: str | None = None
    text: str | None = None

    @property
    def digest(self) -> str | None:
        return None if self.code else self.raw.hex()

    def __str__(self) -> str:
        if self.code:
            return f"{self.code} ({CODES.get(self.code, 'a short text from before reason codes')})"
        if self.text:
            return f"{self.text} (sha256 {self.raw.hex()[:16]}…)"
        return f"sha256 {self.raw.hex()} (text not held here)"


def encode(text: str) -> Reason:
    """The reason for ``text``: its code when it is one, else the SHA-256 of its UTF-8 text."""
    if text in CODES:
        return Reason(text.encode().ljust(32, b"\0"), code=text)
    _check(text)
    return Reason(hashlib.sha256(text.encode()).digest(), text=text)


def _check(text: str) -> None:
    try:
        text.encode()
    except UnicodeEncodeError as exc:  # a lone surrogate: what a non-UTF-8 argv decodes to
        raise LedgerError(f"a reason must be UTF-8 text: {exc.reason} at character {exc.start}") from None
    if not text.strip():
        raise LedgerError(f"a reason is a code ({', '.join(CODES)}) or a text; it was empty")
    if len(text) > MAX_TEXT:
        raise LedgerError(f"a reason text is at most {MAX_TEXT:,} characters; this one has {len(text):,}")
    for kind in identifiers_in(text):
        raise LedgerError(f"the reason carries {kind}: raw identifiers never reach the chain or the log")


def decode(raw: bytes, texts: dict[str, str] | None = None) -> Reason:
    """A reason read back from the chain; ``texts`` (digest → text) supplies hashed ones' texts."""
    short = _short_text(raw)
    if short is not None:
        return Reason(raw, code=short)  # a code (or, before codes, a short text given as is)
    return Reason(raw, text=(texts or {}).get(raw.hex()))


def _short_text(raw: bytes) -> str | None:
    short = raw.rstrip(b"\0")
    if len(short) == len(raw):
        return None
    try:
        text = short.decode()
    except UnicodeDecodeError:
        return None
    return text if text.isprintable() else None


_meta = sa.MetaData()
reason_texts = sa.Table(
    "reason_texts", _meta,
    sa.Column("digest", sa.String(64), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
)


class ReasonTexts:
    """The texts behind hashed reasons, by SHA-256 (append-only: a text once given stays)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def keeping(self, reason: Reason) -> Iterator[None]:
        """Keep the text of ``reason`` if the block succeeds (the transaction that puts its hash on
        chain): a refused transaction leaves no text behind, an accepted one has its text. Only a crash
        between the chain's receipt and this commit loses the text, which keeping it again adds."""
        with self.engine.begin() as conn:
            if reason.text is not None and reason.digest is not None and conn.scalar(
                    sa.select(reason_texts.c.digest).where(reason_texts.c.digest == reason.digest)) is None:
                conn.execute(reason_texts.insert().values(digest=reason.digest, text=reason.text))
            yield

    def texts(self, digests: Iterable[str]) -> dict[str, str]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(reason_texts).where(reason_texts.c.digest.in_(sorted(set(digests)))))
            return {str(d): str(t) for d, t in rows}
