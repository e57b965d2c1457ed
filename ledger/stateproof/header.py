"""The block header a state proof hangs from: its hash and its seal, recomputed from its fields.

The header comes from the node as a JSON-RPC block object. Its hash is recomputed as
keccak256(RLP(header fields)) (Yellow Paper 4.3), and the address that sealed it is recovered
from its ``extraData`` as Clique does (EIP-225: a 65-byte secp256k1 signature over the header
without it), with ``devnet.seal``, the code that seals the devnet's blocks. Only the
validator's key can make a seal over a ``stateRoot``, so a header that recovers to the validator
is one the chain's validator committed to, whoever served it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from devnet.errors import SealError
from devnet.seal import header_hash, recover_signer
from ledger.stateproof.errors import ProofFailed


@dataclass(frozen=True)
class Header:
    """What a state proof needs of a block: its number, hash and state root."""

    number: int
    hash: bytes
    state_root: bytes


def parsed(block: Mapping[str, Any]) -> Header:
    """The ``Header`` of a JSON-RPC block object; ``ProofFailed`` if fields are missing."""
    try:
        return Header(int(block["number"], 16), _hex(block["hash"]), _hex(block["stateRoot"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ProofFailed(f"block header: malformed block object ({exc})") from exc


def check_hash(block: Mapping[str, Any]) -> str:
    """Raise ``ProofFailed`` unless the header's fields hash to its ``hash``."""
    claimed = parsed(block).hash
    try:
        computed = bytes(header_hash(block))
    except (KeyError, TypeError, ValueError) as exc:
        raise ProofFailed(f"block hash: cannot encode the header ({exc})") from exc
    if computed != claimed:
        raise ProofFailed(f"block hash: the fields hash to 0x{computed.hex()}, the node says 0x{claimed.hex()}")
    return f"keccak256(RLP(header)) = 0x{computed.hex()}"


def check_seal(block: Mapping[str, Any], validator: bytes | None) -> str:
    """Raise ``ProofFailed`` unless ``validator`` sealed the header (EIP-225 seal in ``extraData``)."""
    try:
        signer = bytes(recover_signer(block))
    except (SealError, KeyError, TypeError, ValueError) as exc:
        raise ProofFailed(f"seal: {exc}") from exc
    if validator is None:
        raise ProofFailed(f"seal: sealed by 0x{signer.hex()}, but no validator is known to compare with")
    if signer != validator:
        raise ProofFailed(f"seal: sealed by 0x{signer.hex()}, not by the validator 0x{validator.hex()}")
    return f"sealed by the validator 0x{signer.hex()}"


def _hex(value: Any) -> bytes:
    return bytes.fromhex(str(value).removeprefix("0x"))
