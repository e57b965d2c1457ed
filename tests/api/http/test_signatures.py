"""RFC 9421 as the server accepts it, tested with a client written here from the RFC's rules, not the
``http-message-signatures`` package the server uses: the signature base (§2.5), the
``Signature-Input``/``Signature`` fields (§4.1, §4.2, RFC 8941 serialisation) and Content-Digest
(RFC 9530 §2). The refusals: a tampered body, a wrong key, an old ``created``, a replayed nonce, a
suspended participant."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from pathlib import Path

import httpx
from nacl.signing import SigningKey

from ledger.chain import KeyStore

COMPONENTS = ('"@method"', '"@target-uri"', '"content-digest"')


def content_digest(body: bytes) -> str:
    """RFC 9530 §2: a Dictionary member ``sha-256`` whose value is a Byte Sequence (``:base64:``)."""
    return f"sha-256=:{base64.b64encode(hashlib.sha256(body).digest()).decode()}:"


def signed_headers(method: str, url: str, body: bytes, keyid: str, key: SigningKey, *,
                   created: int | None = None, nonce: str | None = None) -> dict[str, str]:
    digest = content_digest(body)
    params = (f"({' '.join(COMPONENTS)});created={created or int(time.time())};keyid=\"{keyid}\";"
              f"nonce=\"{nonce or secrets.token_hex(12)}\";alg=\"ed25519\"")
    base = "\n".join((f'"@method": {method}', f'"@target-uri": {url}', f'"content-digest": {digest}',
                      f'"@signature-params": {params}'))  # RFC 9421 §2.5: no trailing newline
    signature = base64.b64encode(key.sign(base.encode()).signature).decode()
    return {"Content-Digest": digest, "Signature-Input": f"sig1={params}", "Signature": f"sig1=:{signature}:"}


def me(url: str, headers: dict[str, str], body: bytes = b"") -> httpx.Response:
    return httpx.request("GET", f"{url}/v1/me", headers=headers, content=body)


def test_a_client_built_from_the_rfc_is_accepted(served: tuple[str, Path]) -> None:
    url, home = served
    bank = KeyStore(home / "keys").load("bank-a")
    answer = me(url, signed_headers("GET", f"{url}/v1/me", b"", bank.address, bank.signing_key))
    assert answer.status_code == 200, answer.text
    assert answer.json()["account"] == bank.address


def test_the_refusals(served: tuple[str, Path]) -> None:
    url, home = served
    bank = KeyStore(home / "keys").load("bank-a")
    target = f"{url}/v1/me"

    def refused(headers: dict[str, str], body: bytes = b"") -> str:
        answer = me(url, headers, body)
        assert answer.status_code == 401, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        return str(answer.json()["type"])

    body = b'{"amount": 100}'
    tampered = signed_headers("GET", target, body, bank.address, bank.signing_key)
    assert refused(tampered, b'{"amount": 900}') == "/problems/signature-invalid"
    wrong_key = signed_headers("GET", target, b"", bank.address, SigningKey.generate())
    assert refused(wrong_key) == "/problems/signature-invalid"
    old = signed_headers("GET", target, b"", bank.address, bank.signing_key, created=int(time.time()) - 3600)
    assert refused(old) == "/problems/signature-expired"
    other_path = signed_headers("GET", f"{url}/v1/health", b"", bank.address, bank.signing_key)
    assert refused(other_path) == "/problems/signature-invalid"  # the target URI is covered
    once = signed_headers("GET", target, b"", bank.address, bank.signing_key)
    assert me(url, once).status_code == 200
    assert refused(once) == "/problems/nonce-replayed"


def test_a_suspended_participant_is_refused_with_403(served: tuple[str, Path]) -> None:
    from oracle_world import run

    url, home = served
    bank = KeyStore(home / "keys").load("bank-b")
    assert me(url, signed_headers("GET", f"{url}/v1/me", b"", bank.address, bank.signing_key)).status_code == 200
    run(home, "participants", "suspend", "bank-b", "--reason", "FALSE_DATA")
    answer = me(url, signed_headers("GET", f"{url}/v1/me", b"", bank.address, bank.signing_key))
    assert answer.status_code == 403 and answer.json()["type"] == "/problems/participant-not-active"
