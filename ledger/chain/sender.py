"""Sends transactions for one local account: signs here, numbers them, waits for receipts.

Keys never leave the process: transactions are signed with eth-account and sent raw, so
the same code works against any node. Nonces are counted locally (one RPC at start-up,
not one per transaction) and re-read from the node when it disagrees. Gas is estimated
before a nonce is taken, so a call that would revert raises :class:`ContractRevert` and
costs nothing. Fees follow EIP-1559 where the chain has a base fee, else legacy pricing.
"""

from __future__ import annotations

import threading
import time
from typing import Any, cast

from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3.exceptions import TimeExhausted
from web3.types import BlockIdentifier, TxParams, TxReceipt

from ledger.chain.protocol import Chain
from ledger.errors import ContractRevert, TransactionError
from ledger.types import Address

_FEE_TTL_SECONDS = 10.0
_GAS_MARGIN = 1.25  # estimates can fall short when storage refunds or cold slots differ
_NONCE_ERRORS = ("nonce too low", "nonce too high", "already known", "invalid nonce")


class TransactionSender:
    """One account's outbox. Thread-safe; ``send`` pipelines, ``wait`` collects."""

    def __init__(self, chain: Chain, account: LocalAccount, receipt_timeout: float = 120.0):
        self.chain = chain
        self.account = account
        self.receipt_timeout = receipt_timeout
        self._lock = threading.Lock()
        self._nonce: int | None = None
        self._fees: tuple[float, dict[str, int]] | None = None
        self._chain_id = chain.web3.eth.chain_id

    @property
    def address(self) -> Address:
        return self.account.address

    def transact(self, tx: TxParams) -> TxReceipt:
        """Send ``tx`` and wait for its receipt; a revert raises ContractRevert."""
        return self.wait(self.send(tx))

    def send(self, tx: TxParams) -> HexBytes:
        """Fill in, sign and submit ``tx``; return its hash without waiting."""
        fields: dict[str, Any] = {"value": 0, **tx, "from": self.address, "chainId": self._chain_id}
        if "gas" not in fields:
            fields["gas"] = int(self.estimate_gas(cast(TxParams, fields)) * _GAS_MARGIN)
        with self._lock:
            fields |= self._fee_fields()
            fields["nonce"] = self._take_nonce()
            try:
                return self._submit(fields)
            except Exception:
                self._nonce = None  # re-read from the node next time
                raise

    def estimate_gas(self, tx: TxParams) -> int:
        try:
            return int(self.chain.web3.eth.estimate_gas({**tx, "from": self.address}))
        except Exception as exc:
            raise self._as_error(exc, "gas estimate") from exc

    def call(self, tx: TxParams, block: BlockIdentifier = "latest") -> bytes:
        """``eth_call`` as this account; a revert raises ContractRevert."""
        try:
            return bytes(self.chain.web3.eth.call({**tx, "from": self.address}, block))
        except Exception as exc:
            raise self._as_error(exc, "call") from exc

    def wait(self, tx_hash: HexBytes) -> TxReceipt:
        """The receipt of ``tx_hash``; a mined revert is replayed to name its error."""
        try:
            receipt = self.chain.web3.eth.wait_for_transaction_receipt(
                tx_hash, timeout=self.receipt_timeout, poll_latency=0.02
            )
        except TimeExhausted as exc:
            raise TransactionError(
                f"{tx_hash.hex()} not mined within {self.receipt_timeout:.0f}s on {self.chain.endpoint}"
            ) from exc
        if receipt["status"] != 1:
            raise self._mined_revert(tx_hash, receipt)
        return receipt

    def _submit(self, fields: dict[str, Any]) -> HexBytes:
        """Sign and send; if the node disagrees about the nonce, re-read it and retry once."""
        signed = self.account.sign_transaction(fields)
        try:
            return self.chain.web3.eth.send_raw_transaction(signed.raw_transaction)
        except Exception as exc:
            if not any(text in str(exc).lower() for text in _NONCE_ERRORS):
                raise self._as_error(exc, "send") from exc
        self._nonce = None
        signed = self.account.sign_transaction({**fields, "nonce": self._take_nonce()})
        try:
            return self.chain.web3.eth.send_raw_transaction(signed.raw_transaction)
        except Exception as exc:
            raise self._as_error(exc, "send") from exc

    def _take_nonce(self) -> int:
        if self._nonce is None:
            self._nonce = self.chain.web3.eth.get_transaction_count(self.address, "pending")
        nonce = self._nonce
        self._nonce += 1
        return nonce

    def _fee_fields(self) -> dict[str, int]:
        now = time.monotonic()
        if self._fees is None or now - self._fees[0] > _FEE_TTL_SECONDS:
            self._fees = (now, self._read_fees())
        return self._fees[1]

    def _read_fees(self) -> dict[str, int]:
        eth = self.chain.web3.eth
        base_fee = eth.get_block("latest").get("baseFeePerGas")
        if base_fee is None:
            return {"gasPrice": int(eth.gas_price)}
        try:
            tip = int(eth.max_priority_fee)
        except Exception:
            tip = 10**9
        return {"maxFeePerGas": 2 * int(base_fee) + tip, "maxPriorityFeePerGas": tip}

    def _mined_revert(self, tx_hash: HexBytes, receipt: TxReceipt) -> TransactionError:
        tx = self.chain.web3.eth.get_transaction(tx_hash)
        replay: TxParams = {"to": tx["to"], "data": tx["input"], "value": tx["value"]}
        try:
            self.call(replay, receipt["blockNumber"] - 1)
        except ContractRevert as revert:
            return revert
        return TransactionError(
            f"{tx_hash.hex()} failed in block {receipt['blockNumber']} "
            f"(gas used {receipt['gasUsed']} of {tx['gas']}); replaying it did not revert"
        )

    def _as_error(self, exc: Exception, what: str) -> TransactionError:
        revert = self.chain.revert_of(exc)
        if revert is not None:
            return revert
        return TransactionError(f"{what} from {self.address} failed on {self.chain.endpoint}: {exc}")
