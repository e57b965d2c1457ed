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
