"""Compiled contracts, as ``make contracts`` wrote them into ``ledger/chain/artifacts/``.

The package only reads artifacts; compiling is ``scripts/compile_contracts.py``'s job.
An artifact's identity is the SHA-256 of its file, recorded in every deployment.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from eth_utils.crypto import keccak

from ledger.errors import ArtifactError

_PACKAGE = "ledger.chain.artifacts"


@dataclass(frozen=True)
class Artifact:
    name: str
    source_name: str
    source_sha256: str
    compiler_version: str
    abi: list[dict[str, Any]]
    bytecode: bytes
    deployed_bytecode: bytes
    sha256: str
    """SHA-256 of the artifact file: what a deployment records."""

    @property
    def code_hash(self) -> bytes:
        """keccak256 of the runtime code, as ``EXTCODEHASH`` would report it."""
        return keccak(self.deployed_bytecode)


@cache
def load(name: str) -> Artifact:
    """The artifact of contract ``name``; raises ArtifactError if absent or malformed."""
    try:
        raw = resources.files(_PACKAGE).joinpath(f"{name}.json").read_bytes()
    except FileNotFoundError:
        raise ArtifactError(f"no artifact for contract {name!r}: run `make contracts`") from None
    try:
        doc = json.loads(raw)
        return Artifact(
            name=doc["contractName"],
            source_name=doc["sourceName"],
            source_sha256=doc["sourceSha256"],
            compiler_version=doc["compiler"]["version"],
            abi=doc["abi"],
            bytecode=bytes.fromhex(doc["bytecode"].removeprefix("0x")),
            deployed_bytecode=bytes.fromhex(doc["deployedBytecode"].removeprefix("0x")),
            sha256=hashlib.sha256(raw).hexdigest(),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ArtifactError(f"artifact {name}.json is malformed: {exc}") from exc


def names() -> list[str]:
    """Every contract with an artifact, sorted."""
    files = resources.files(_PACKAGE).iterdir()
    return sorted(f.name.removesuffix(".json") for f in files if f.name.endswith(".json"))
