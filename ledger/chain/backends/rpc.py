"""Any Ethereum JSON-RPC node: Anvil, the credtrace devnet, Hyperledger Besu."""

from __future__ import annotations

from eth_utils.address import to_checksum_address
from web3 import Web3
from web3.exceptions import ContractLogicError, Web3RPCError
from web3.middleware import ExtraDataToPOAMiddleware
from web3.types import RPCEndpoint, Wei

from ledger.chain.revert import decode_revert, reason_revert
from ledger.errors import ChainError, ContractRevert
from ledger.types import Address


class RpcChain:
    """A chain behind an HTTP JSON-RPC URL.

    PoA chains (the devnet, Besu) put a seal in ``extraData`` beyond 32 bytes; web3's
    ``ExtraDataToPOAMiddleware`` accepts that, and is harmless elsewhere.

    web3's validation asks the node for ``eth_chainId`` before every call and transaction; a chain's id
    never changes, so the provider caches that one answer (without it, two of every three requests the
    oracle made were ``eth_chainId``: scripts/bench/oracle_throughput.py).
    """

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.endpoint = url
        self._web3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": timeout}, cache_allowed_requests=True,
                                                  cacheable_requests={RPCEndpoint("eth_chainId")}))
        self._web3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
        try:
            self._web3.eth.chain_id  # noqa: B018  (fail fast on a wrong URL)
        except Exception as exc:
            raise ChainError(f"no Ethereum JSON-RPC node answers at {url}: {exc}") from exc

    @property
    def web3(self) -> Web3:
        return self._web3

    def revert_of(self, exc: Exception) -> ContractRevert | None:
        data = getattr(exc, "data", None)
        if isinstance(data, str) and data.startswith("0x"):
            return decode_revert(bytes.fromhex(data[2:]))
        if isinstance(exc, ContractLogicError) and exc.message:
            return reason_revert(exc.message.removeprefix("execution reverted: "))
        return None

    def fund(self, account: Address, wei: int) -> None:
        """Send from the node's first unlocked dev account (Anvil has ten)."""
        try:
            dev_accounts = list(self._web3.eth.accounts)
        except Web3RPCError:
            dev_accounts = []
        if not dev_accounts:
            raise ChainError(
                f"{account} needs funds and {self.endpoint} has no unlocked dev account: "
                "fund it in the network's genesis or from a funded account"
            )
        faucet = to_checksum_address(dev_accounts[0])
        tx_hash = self._web3.eth.send_transaction({"from": faucet, "to": account, "value": Wei(wei)})
        self._web3.eth.wait_for_transaction_receipt(tx_hash)

    def close(self) -> None:
        """Nothing to release: HTTP connections are pooled per request session."""
