"""Proof-of-authority block seals, Clique style (EIP-225).

A sealed header's ``extraData`` is a 32-byte vanity followed by a 65-byte secp256k1
signature ``r || s || v`` (``v`` in {0, 1}). The signature covers the *seal hash*::

    seal_hash = keccak256(rlp(header with the last 65 bytes of extraData removed))

so the sealer's address can be recovered from the header alone, as in EIP-225 and
geth's ``clique.SealHash``. Unlike full Clique, the header is otherwise a post-merge
header (difficulty 0, nonce 0): there is exactly one authorised signer, no voting and
no checkpoint signer lists.

``recover_signer`` accepts either a py-evm header or the block object a JSON-RPC
client receives (camelCase fields, as given by ``eth_getBlockByNumber``), so anyone
holding a block from the RPC can check who sealed it, without trusting the node.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import rlp
from eth.abc import BlockHeaderAPI
from eth_keys.datatypes import PrivateKey, Signature
from eth_keys.exceptions import BadSignature
from eth_typing import Address, Hash32
from eth_utils.conversions import to_bytes
from eth_utils.crypto import keccak

from devnet.errors import SealError

VANITY_LENGTH = 32
SIGNATURE_LENGTH = 65
SEALED_EXTRA_DATA_LENGTH = VANITY_LENGTH + SIGNATURE_LENGTH

#: RPC field names in header RLP order. The optional tail (from ``baseFeePerGas``)
#: is encoded as far as the fields are present, which is how forks extend headers.
_REQUIRED_FIELDS = (
    "parentHash",
    "sha3Uncles",
    "miner",
    "stateRoot",
    "transactionsRoot",
    "receiptsRoot",
    "logsBloom",
    "difficulty",
    "number",
    "gasLimit",
    "gasUsed",
    "timestamp",
    "extraData",
    "mixHash",
    "nonce",
)
_OPTIONAL_FIELDS = (
    "baseFeePerGas",
    "withdrawalsRoot",
    "blobGasUsed",
    "excessBlobGas",
    "parentBeaconBlockRoot",
    "requestsHash",
)
_QUANTITIES = frozenset(
    {
        "difficulty",
        "number",
        "gasLimit",
        "gasUsed",
        "timestamp",
        "baseFeePerGas",
        "blobGasUsed",
        "excessBlobGas",
    }
)

HeaderFields = BlockHeaderAPI | Mapping[str, Any]


def seal_hash(header: HeaderFields) -> Hash32:
    """The hash the validator signs: the header without the signature bytes."""
    fields = _rlp_fields(header)
    extra_data = fields[12]
    if not isinstance(extra_data, bytes) or len(extra_data) != SEALED_EXTRA_DATA_LENGTH:
        raise SealError(f"extraData must be {SEALED_EXTRA_DATA_LENGTH} bytes to hold a seal")
    fields[12] = extra_data[:VANITY_LENGTH]
    return Hash32(keccak(rlp.encode(fields)))


def header_hash(header: HeaderFields) -> Hash32:
    """keccak256(rlp(header)): the block hash, recomputed from the fields."""
    return Hash32(keccak(rlp.encode(_rlp_fields(header))))


def sign_header(header: BlockHeaderAPI, private_key: PrivateKey) -> BlockHeaderAPI:
    """Return ``header`` with its 32-byte vanity extended by the validator's seal."""
    vanity = header.extra_data[:VANITY_LENGTH].ljust(VANITY_LENGTH, b"\0")
    unsigned = header.copy(extra_data=vanity + b"\0" * SIGNATURE_LENGTH)
    signature = private_key.sign_msg_hash(seal_hash(unsigned))
    return unsigned.copy(extra_data=vanity + signature.to_bytes())


def recover_signer(header: HeaderFields) -> Address:
    """The address that sealed ``header`` (py-evm header or JSON-RPC block)."""
    message_hash = seal_hash(header)
    signature_bytes = _rlp_fields(header)[12][VANITY_LENGTH:]
    try:
        signature = Signature(signature_bytes=signature_bytes)
        public_key = signature.recover_public_key_from_msg_hash(message_hash)
    except (BadSignature, ValueError) as exc:
        raise SealError(f"invalid seal signature: {exc}") from exc
    return Address(public_key.to_canonical_address())


def verify_seal(header: HeaderFields, validator: Address) -> None:
    """Raise ``SealError`` unless ``header`` was sealed by ``validator``."""
    signer = recover_signer(header)
    if signer != validator:
        raise SealError(f"block sealed by 0x{signer.hex()}, expected validator 0x{validator.hex()}")


def _rlp_fields(header: HeaderFields) -> list[Any]:
    if isinstance(header, BlockHeaderAPI):
        return list(rlp.decode(rlp.encode(header)))
    return _fields_from_rpc(header)


def _fields_from_rpc(block: Mapping[str, Any]) -> list[Any]:
    block = dict(block)
    if "extraData" not in block and "proofOfAuthorityData" in block:
        block["extraData"] = block["proofOfAuthorityData"]  # web3 ExtraDataToPOAMiddleware
    fields = [_field_value(name, block[name]) for name in _REQUIRED_FIELDS]
    for name in _OPTIONAL_FIELDS:
        if block.get(name) is None:
            break
        fields.append(_field_value(name, block[name]))
    return fields


def _field_value(name: str, value: Any) -> Any:
    if name in _QUANTITIES:
        return value if isinstance(value, int) else int(str(value), 16)
    if isinstance(value, str):
        return to_bytes(hexstr=value)
    return bytes(value)
