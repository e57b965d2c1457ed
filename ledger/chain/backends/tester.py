"""The in-process chain: py-evm through eth-tester. Fast, in memory, gone at exit."""

from __future__ import annotations

import ast

from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.exceptions import TransactionFailed
from web3 import EthereumTesterProvider, Web3
from web3.types import Wei

from ledger.chain.revert import decode_revert, reason_revert
from ledger.errors import ContractRevert
from ledger.types import Address

_PREFIX = "execution reverted: "


class EthTesterChain:
    """A fresh in-memory chain; eth-tester's pre-funded accounts are its dev faucet."""

    endpoint = "eth-tester"

    def __init__(self, gas_limit: int | None = None) -> None:
        """``gas_limit``: the block gas limit, eth-tester's (about 30 million, as the devnet's) if None;
        a benchmark raises it to measure a transaction larger than a block (scripts/bench/loan_gas.py)."""
        genesis = None if gas_limit is None else PyEVMBackend.generate_genesis_params({"gas_limit": gas_limit})
        self._tester = EthereumTester(PyEVMBackend(genesis))
        self._web3 = Web3(EthereumTesterProvider(self._tester))

    @property
    def web3(self) -> Web3:
        return self._web3

    def revert_of(self, exc: Exception) -> ContractRevert | None:
        # eth-tester reports revert data as the repr of a bytes object inside its message,
        # or, for Error(string), the decoded reason alone.
        if not isinstance(exc, TransactionFailed) or not exc.args:
            return None
        message = str(exc.args[0]).removeprefix(_PREFIX)
        if message.startswith(("b'", 'b"')):
            return decode_revert(ast.literal_eval(message))
        return reason_revert(message)

    def fund(self, account: Address, wei: int) -> None:
        faucet = self._web3.eth.accounts[0]
        tx_hash = self._web3.eth.send_transaction({"from": faucet, "to": account, "value": Wei(wei)})
        self._web3.eth.wait_for_transaction_receipt(tx_hash)

    def close(self) -> None:
        """Nothing to release: the chain lives as long as this object."""
