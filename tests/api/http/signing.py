"""requests' side of the signed client (schemathesis and locust send with requests): the same
:class:`api.client.Signature`, applied to a PreparedRequest."""

from __future__ import annotations

import requests

from api.client import Signature
from ledger.chain import Identity


class RequestsSignature(requests.auth.AuthBase):
    def __init__(self, identity: Identity) -> None:
        self.signature = Signature(identity)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        self.signature.sign(request, body.encode() if isinstance(body, str) else body)
        return request


def signed_session(identity: Identity) -> requests.Session:
    session = requests.Session()
    session.auth = RequestsSignature(identity)
    return session
