"""What signing in to the portal signs: the server's challenge bound to the account, with a context
string so the signature can serve no other purpose (not an RFC 9421 request, not a DSSE record).

Pure and free of FastAPI: ``credtrace portal login`` (the client) and the server both use it, so the
signed bytes are defined once. The token in the one-time link is base64url JSON of (challenge,
account, signature); it carries nothing secret: the challenge is single use and short-lived, and the
signature is worthless without it."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from nacl.signing import SigningKey

from api import ApiError

CONTEXT = b"credtrace portal login v1\n"
LINK = "/portal/login?token="


@dataclass(frozen=True)
class Answer:
    """A signed challenge, as the one-time link carries it."""

    challenge: str
    account: str
    signature: bytes


def message(challenge: str, account: str) -> bytes:
    """The bytes the participant's Ed25519 key signs: context, challenge, account (lower-case hex)."""
    return CONTEXT + challenge.encode("ascii") + b"\n" + account.lower().encode("ascii")


def answer(challenge: str, account: str, key: SigningKey) -> Answer:
    return Answer(challenge, account, key.sign(message(challenge, account)).signature)


def token(found: Answer) -> str:
    doc = {"c": found.challenge, "a": found.account, "s": found.signature.hex()}
    return base64.urlsafe_b64encode(json.dumps(doc, separators=(",", ":")).encode()).decode().rstrip("=")


def parsed(text: str) -> Answer:
    """The answer in a token; ApiError if it is not one (the server then refuses the login)."""
    try:
        doc = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        found = Answer(str(doc["c"]), str(doc["a"]), bytes.fromhex(str(doc["s"])))
    except (ValueError, KeyError, TypeError) as exc:
        raise ApiError("the login token is not a signed challenge") from exc
    if not (found.challenge.isascii() and found.account.isascii()) or len(found.signature) != 64:
        raise ApiError("the login token is not a signed challenge")
    return found
