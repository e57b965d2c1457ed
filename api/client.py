"""A small client for the platform's HTTP API: every request signed per RFC 9421 with the
participant's Ed25519 key (keyid = its account), its body covered by an RFC 9530 Content-Digest,
a fresh nonce each time. Problems (RFC 9457) come back as :class:`ApiProblem`.

    from api.client import ApiClient
    from ledger.chain import KeyStore

    with ApiClient("http://127.0.0.1:8000", KeyStore(home / "keys").load("bank-a")) as api:
        print(api.get("/v1/me"))
"""

from __future__ import annotations

import secrets
from collections.abc import Generator
from types import TracebackType
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from http_message_signatures import HTTPMessageSigner, HTTPSignatureKeyResolver
from http_message_signatures.algorithms import ED25519

from api import ApiError
from ledger.chain import Identity

COVERED = ("@method", "@target-uri", "content-digest")
LABEL = "sig1"


class ApiProblem(ApiError):
    """The server's problem document (RFC 9457) for a refused or failed request."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        self.status, self.problem = status, problem
        super().__init__(f"{problem.get('title', 'HTTP ' + str(status))}: {problem.get('detail', '')} "
                         f"({problem.get('type', '?')}, request {problem.get('request_id', '?')})")


class _OwnKey(HTTPSignatureKeyResolver):
    def __init__(self, identity: Identity) -> None:
        self.key = Ed25519PrivateKey.from_private_bytes(bytes(identity.signing_key))

    def resolve_private_key(self, key_id: str) -> Ed25519PrivateKey:
        return self.key


class Signature(httpx.Auth):
    """httpx auth flow: Content-Digest of the body, then the RFC 9421 signature over :data:`COVERED`."""

    requires_request_body = True

    def __init__(self, identity: Identity) -> None:
        self.keyid = identity.address
        self.signer = HTTPMessageSigner(signature_algorithm=ED25519, key_resolver=_OwnKey(identity))

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request, request.content)
        yield request

    def sign(self, message: Any, body: bytes) -> None:
        """Sign any request object with ``method``, ``url`` and mutable ``headers`` (httpx's, requests'
        PreparedRequest): adds the RFC 9530 Content-Digest of ``body`` and the signature covering it."""
        self.signer.sign(message, key_id=self.keyid, nonce=secrets.token_urlsafe(18), label=LABEL,
                         covered_component_ids=COVERED, body=body)


class ApiClient:
    """Signed requests to one platform; unsigned when no identity is given (public reads)."""

    def __init__(self, base_url: str, identity: Identity | None = None, timeout: float = 60.0) -> None:
        auth = Signature(identity) if identity is not None else None
        self.http = httpx.Client(base_url=base_url.rstrip("/"), auth=auth, timeout=timeout)

    def get(self, path: str, **params: Any) -> Any:
        return self._answer(self.http.get(path, params={k: v for k, v in params.items() if v is not None}))

    def post(self, path: str, body: Any = None) -> Any:
        return self._answer(self.http.post(path, json=body))

    def upload(self, path: str, content: bytes, media_type: str, headers: dict[str, str] | None = None,
               **params: Any) -> Any:
        """POST raw bytes (a CSV or JSON Lines batch) as ``media_type``; the digest covers them as any body."""
        return self._answer(self.http.post(path, content=content, params={k: v for k, v in params.items()
                                                                          if v is not None},
                                           headers={"Content-Type": media_type, **(headers or {})}))

    def delete(self, path: str) -> Any:
        return self._answer(self.http.delete(path))

    @staticmethod
    def _answer(response: httpx.Response) -> Any:
        if response.is_success:
            return response.json() if response.content else None
        try:
            problem = response.json()
        except ValueError:
            problem = {"detail": response.text[:500]}
        raise ApiProblem(response.status_code, problem if isinstance(problem, dict) else {"detail": str(problem)})

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
