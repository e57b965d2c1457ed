"""RFC 9421 authentication against a running server: who a signature says you are, and the refusals."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from api.client import ApiClient, ApiProblem
from ledger.chain import KeyStore


def test_a_signed_request_names_its_registered_participant(served: tuple[str, Path]) -> None:
    url, home = served
    bank = KeyStore(home / "keys").load("bank-a")
    with ApiClient(url, bank) as api:
        me = api.get("/v1/me")
    assert me["account"] == bank.address and me["role"] == "bank"


def test_an_unsigned_request_is_a_401_problem_with_its_request_id(served: tuple[str, Path]) -> None:
    url, _ = served
    answer = httpx.get(f"{url}/v1/me", headers={"X-Request-Id": "trace-me-1"})
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == "/problems/signature-missing" and problem["request_id"] == "trace-me-1"
    assert "Traceback" not in answer.text


def test_a_key_that_is_not_registered_is_refused(served: tuple[str, Path], tmp_path: Path) -> None:
    from ledger.types import Role

    url, _ = served
    stranger = KeyStore(tmp_path / "keys").create("stranger", Role.BANK, "Nobody Bank")
    with ApiClient(url, stranger) as api, pytest.raises(ApiProblem) as refused:
        api.get("/v1/me")
    assert refused.value.status == 401 and refused.value.problem["type"] == "/problems/key-unknown"


def test_a_body_over_the_limit_is_refused_before_it_is_read(served: tuple[str, Path]) -> None:
    from api.http.limits import MAX_BODY

    url, _ = served
    declared = httpx.post(f"{url}/v1/me", content=b"x" * (MAX_BODY + 1))
    assert declared.status_code == 413 and declared.json()["type"] == "/problems/body-too-large"

    def chunks():  # no Content-Length: refused as the chunks pass the limit
        for _ in range(MAX_BODY // 2**20 + 2):
            yield b"x" * 2**20

    streamed = httpx.request("GET", f"{url}/v1/me", content=chunks())  # /v1/me reads the body to check it
    assert streamed.status_code == 413 and streamed.json()["type"] == "/problems/body-too-large"
    assert httpx.get(f"{url}/v1/health").status_code == 200
