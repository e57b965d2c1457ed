"""Clique-style seals: signing, recovery from RPC fields, and verification on startup."""

from __future__ import annotations

import time

import pytest
from devnet_support import Client, connect
from eth_account.signers.local import LocalAccount
from eth_keys.datatypes import PrivateKey
from eth_typing import Address

from devnet import Devnet, DevnetConfig, recover_signer
from devnet.builder import BlockBuilder
from devnet.chain import verify_chain
from devnet.errors import SealError
from devnet.genesis import GenesisSpec
from devnet.node import Node
from devnet.seal import SEALED_EXTRA_DATA_LENGTH, seal_hash, sign_header, verify_seal

OTHER_KEY = PrivateKey(b"\x05" * 32)


def test_rpc_block_recovers_validator_even_through_middleware(
    devnet: tuple[Devnet, str], client: Client, accounts: list[LocalAccount]
) -> None:
    client.transact(accounts[0], {"to": accounts[1].address, "value": 1, "gas": 21_000})
    block = client.w3.eth.get_block("latest")  # ExtraDataToPOAMiddleware renames extraData
    assert "proofOfAuthorityData" in block
    assert len(block["proofOfAuthorityData"]) == SEALED_EXTRA_DATA_LENGTH
    assert recover_signer(block) == devnet[0].config.validator_address
    tampered = dict(block, gasUsed=block["gasUsed"] + 1)
    assert recover_signer(tampered) != devnet[0].config.validator_address


def test_sign_and_recover_roundtrip(config: DevnetConfig) -> None:
    node = Node(config)
    try:
        header = node.mine().header
        assert recover_signer(header) == config.validator_address
        resealed = sign_header(header, OTHER_KEY)
        assert recover_signer(resealed) == Address(OTHER_KEY.public_key.to_canonical_address())
        assert seal_hash(resealed) == seal_hash(header)  # the seal does not cover itself
        with pytest.raises(SealError, match="expected validator"):
            verify_seal(resealed, config.validator_address)
        with pytest.raises(SealError):
            recover_signer(header.copy(extra_data=b"\0" * 32))
    finally:
        node.close()


def test_builder_refuses_a_foreign_seal(config: DevnetConfig) -> None:
    node = Node(config)
    try:
        node._builder = BlockBuilder(node.chain, OTHER_KEY, time.time)
        with pytest.raises(SealError):
            node.mine()
        assert node.head().block_number == 0  # nothing was committed
    finally:
        node.close()


def test_startup_verification_rejects_a_chain_sealed_by_someone_else(config: DevnetConfig) -> None:
    node = Node(config)
    try:
        node.mine()
        node.mine()
        spec = GenesisSpec.from_config(config)
        verify_chain(node.chain, node.store, config.validator_address, spec)
        stranger = Address(OTHER_KEY.public_key.to_canonical_address())
        with pytest.raises(SealError, match="block sealed by"):
            verify_chain(node.chain, node.store, stranger, spec)
    finally:
        node.close()


def test_reopened_node_verifies_every_block(config: DevnetConfig, accounts: list[LocalAccount]) -> None:
    with Devnet(config).serving() as url:
        client = Client(connect(url))
        for _ in range(3):
            client.transact(accounts[0], {"to": accounts[1].address, "value": 1, "gas": 21_000})
    node = Node(config)  # runs verify_chain over blocks 1..3
    try:
        assert node.head().block_number == 3
    finally:
        node.close()
