"""A deployed contract: its artifact, its address, and typed-enough calls and events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from web3.contract import Contract
from web3.logs import DISCARD
from web3.types import EventData, TxReceipt

from ledger.chain.artifact import Artifact
from ledger.chain.protocol import Chain
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

    def call(self, function: str, *args: Any) -> Any:
        """Run a view function at the latest block."""
        fn = self._web3_contract.get_function_by_name(function)(*args)
        try:
            return fn.call()
        except Exception as exc:
            revert = self.chain.revert_of(exc)
            if revert is not None:
                raise self._attributed(revert) from exc
            raise TransactionError(f"{self.artifact.name}.{function} call failed: {exc}") from exc

    def transact(self, sender: TransactionSender, function: str, *args: Any) -> TxReceipt:
        """Send a state-changing call as ``sender`` and wait for it."""
        data = self._web3_contract.encode_abi(function, args=list(args))
        try:
            return sender.transact({"to": self.address, "data": data})
        except ContractRevert as revert:
            raise self._attributed(revert) from revert

    def _attributed(self, revert: ContractRevert) -> ContractRevert:
        """Name this contract when the error is one it declares (several may share a selector)."""
        declared = {item["name"] for item in self.artifact.abi if item.get("type") == "error"}
        if revert.error not in declared or revert.contract == self.artifact.name:
            return revert
        return ContractRevert.raised(revert.error, revert.args_by_name, self.artifact.name)

    def events(self, receipt: TxReceipt) -> Iterator[EventData]:
        """Every event of this contract's ABI that ``receipt`` carries, in log order."""
        found = [
            decoded
            for event in self._web3_contract.all_events()
            for decoded in event.process_receipt(receipt, errors=DISCARD)
        ]
        yield from sorted(found, key=lambda e: e["logIndex"])

    def event(self, name: str) -> Any:
        """The web3 event object ``name`` (for filtered ``get_logs``)."""
        return self._web3_contract.events[name]
