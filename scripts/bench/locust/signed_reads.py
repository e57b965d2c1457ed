"""A locust user for ``scripts/bench/api_load.py``: signed GETs (RFC 9421, the participant's Ed25519
key, a fresh nonce each) of the paths in ``CREDTRACE_BENCH_PATHS`` (comma-separated), as
``CREDTRACE_BENCH_AS`` from the keys in ``CREDTRACE_BENCH_KEYS``. No wait between requests: each user
is a closed loop, so the concurrency is the number of users."""

from __future__ import annotations

import os
import random
from pathlib import Path

import requests
from locust import HttpUser, task

from api.client import Signature
from ledger.chain import KeyStore

PATHS = [p for p in os.environ.get("CREDTRACE_BENCH_PATHS", "/v1/me").split(",") if p]
WHO = KeyStore(Path(os.environ["CREDTRACE_BENCH_KEYS"])).load(os.environ.get("CREDTRACE_BENCH_AS", "bank-a"))


class Signed(requests.auth.AuthBase):
    def __init__(self) -> None:
        self.signature = Signature(WHO)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        self.signature.sign(request, b"")
        return request


class Reader(HttpUser):
    def on_start(self) -> None:
        self.client.auth = Signed()

    @task
    def read(self) -> None:
        path = random.choice(PATHS)
        self.client.get(path, name="proof" if "/log/proofs/" in path else "record")
