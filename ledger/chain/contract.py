"""A deployed contract: its artifact, its address, and typed-enough calls and events."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import suppress
from typing import Any, cast

from eth_abi.exceptions import EncodingError, InsufficientDataBytes
from eth_typing import ABIEvent, ABIFunction
from eth_utils.abi import (
    event_abi_to_log_topic,
    function_abi_to_4byte_selector,
    get_abi_input_types,
    get_abi_output_types,
)
from hexbytes import HexBytes
from web3._utils.abi import map_abi_data
from web3._utils.events import get_event_data
from web3._utils.normalizers import BASE_RETURN_NORMALIZERS
from web3.contract import Contract
from web3.exceptions import InvalidEventABI, LogTopicError, MismatchedABI
from web3.types import EventData, TxParams, TxReceipt

from ledger.chain.artifact import Artifact
from ledger.chain.protocol import Chain
from ledger.chain.reads import pin_of
from ledger.chain.sender import TransactionSender
from ledger.errors import ContractRevert, TransactionError
from ledger.types import Address


class DeployedContract:
    """Calls go through the chain, writes through a sender; reverts raise ContractRevert."""

    def __init__(self, chain: Chain, artifact: Artifact, address: Address) -> None:
        self.chain = chain
        self.artifact = artifact
        self.address = address
        self._web3_contract: Contract = chain.web3.eth.contract(address=address, abi=artifact.abi)
        self._functions = _functions(artifact.abi)
        self._events = {event_abi_to_log_topic(cast(ABIEvent, e)): e for e in artifact.abi if e.get("type") == "event"}

    def call(self, function: str, *args: Any) -> Any:
        """Run a view function at the latest block, or at the pinned one (:mod:`ledger.chain.reads`).

        Encoded and decoded with eth-abi straight from the ABI, as web3's contract functions would
        (addresses checksummed, one output unwrapped): their machinery costs more than the node's
        answer on a local devnet."""
        try:
            if function not in self._functions:  # overloaded, or not in the ABI: web3 resolves or refuses it
                return self._web3_contract.get_function_by_name(function)(*args).call()
            return self._read(function, self._calldata(function, args))
        except Exception as exc:
            revert = self.chain.revert_of(exc)
            if revert is not None:
                raise self._attributed(revert) from exc
            raise TransactionError(f"{self.artifact.name}.{function} call failed: {exc}") from exc

    def calldata(self, function: str, *args: Any) -> bytes:
        """The encoded call, for a sender that pipelines many transactions (``TransactionSender.send``)."""
        return self._calldata(function, args)

    def _calldata(self, function: str, args: Sequence[Any]) -> bytes:
        """Arguments eth-abi does not take as given (hex text for bytes, say), and overloaded functions, go
        through web3's normalisers."""
        if function in self._functions:
            selector, inputs, _ = self._functions[function]
            with suppress(EncodingError, TypeError, ValueError):
                return selector + self.chain.web3.codec.encode(inputs, args)
        return bytes(HexBytes(self._web3_contract.encode_abi(function, args=list(args))))

    def _read(self, function: str, data: bytes) -> Any:
        def at(block: Any) -> Any:
            raw = self.chain.web3.eth.call({"to": self.address, "data": HexBytes(data)}, block)
            return self._decoded(function, raw)

        pin = pin_of(self.chain)
        return at("latest") if pin is None else pin.read(self.address, data, at)

    def _decoded(self, function: str, raw: bytes) -> Any:
        outputs = self._functions[function][2]
        values = map_abi_data(BASE_RETURN_NORMALIZERS, outputs, self.chain.web3.codec.decode(outputs, raw))
        return values[0] if len(values) == 1 else values

    def transact(self, sender: TransactionSender, function: str, *args: Any, gas: int | None = None) -> TxReceipt:
        """Send a state-changing call as ``sender`` and wait for it; its ``gas`` limit is estimated unless
        given (a call that would revert is then mined as failed, and the replay names its error)."""
        data = HexBytes(self._calldata(function, args))
        try:
            tx: TxParams = {"to": self.address, "data": data}
            return sender.transact(tx if gas is None else {**tx, "gas": gas})
        except ContractRevert as revert:
            raise self._attributed(revert) from revert

    def _attributed(self, revert: ContractRevert) -> ContractRevert:
        """Name this contract when the error is one it declares (several may share a selector)."""
        declared = {item["name"] for item in self.artifact.abi if item.get("type") == "error"}
        if revert.error not in declared or revert.contract == self.artifact.name:
            return revert
        return ContractRevert.raised(revert.error, revert.args_by_name, self.artifact.name)

    def events(self, receipt: TxReceipt, *names: str) -> Iterator[EventData]:
        """Every event of this contract's ABI that ``receipt`` carries (or those ``names``), in log order;
        each log decoded by the event its first topic names, as web3's ``process_receipt`` would, without
        trying them all."""
        for log in receipt["logs"]:
            abi = self._events.get(bytes(log["topics"][0])) if log["topics"] else None
            if abi is not None and (not names or abi["name"] in names):
                with suppress(MismatchedABI, LogTopicError, InvalidEventABI, TypeError, InsufficientDataBytes):
                    yield get_event_data(self.chain.web3.codec, abi, log)

    def event(self, name: str) -> Any:
        """The web3 event object ``name`` (for filtered ``get_logs``)."""
        return self._web3_contract.events[name]


def _functions(abi: Sequence[dict[str, Any]]) -> dict[str, tuple[bytes, list[str], list[str]]]:
    """Each function's (selector, input types, output types), by name; overloaded names are left out
    (web3 picks among those by the arguments)."""
    functions = [cast(ABIFunction, item) for item in abi if item.get("type") == "function"]
    names = [item["name"] for item in functions]
    return {item["name"]: (function_abi_to_4byte_selector(item), get_abi_input_types(item), get_abi_output_types(item))
            for item in functions if names.count(item["name"]) == 1}
