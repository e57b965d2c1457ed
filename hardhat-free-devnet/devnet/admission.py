"""Permissioned admission: who may send transactions to this chain.

A sender is admitted if it is on the genesis allowlist, or if the ParticipantRegistry
contract says it may transact: ``mayTransact(address) returns (bool)`` (an active
participant, or an exited bank running off its loans) evaluated on the node's own
latest state. Where the registry lives is asked of a pluggable ``registry_locator``
each time (it may not be deployed yet: ``None``).

Admission is checked when a transaction is received; a participant deactivated while
its transaction waits for the next block is not re-checked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from eth_typing import Address
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from devnet.errors import AdmissionError, RpcError

logger = logging.getLogger(__name__)

MAY_TRANSACT_SELECTOR = keccak(text="mayTransact(address)")[:4]

#: Returns the registry's address, or None while no registry is known.
RegistryLocator = Callable[[], "Address | bytes | None"]
#: Executes a read-only call ``(to, calldata) -> return data`` on the latest state.
ContractCall = Callable[[Address, bytes], bytes]


class Admission:
    """Decides whether a sender may have transactions mined."""

    def __init__(self, allowlist: Iterable[Address], registry_locator: RegistryLocator | None = None) -> None:
        self._allowlist = frozenset(bytes(address) for address in allowlist)
        self._registry_locator = registry_locator

    def check(self, sender: Address, call: ContractCall) -> None:
        """Return if ``sender`` is admitted, else raise ``AdmissionError``."""
        if bytes(sender) in self._allowlist:
            return
        registry = self._registry_locator() if self._registry_locator else None
        if registry is not None and self._is_active(Address(bytes(registry)), sender, call):
            return
        raise AdmissionError(
            f"sender {to_checksum_address(sender)} is not admitted: not on the genesis "
            "allowlist and not a participant who may transact"
            + ("" if registry is not None else " (no participant registry configured)")
        )

    @staticmethod
    def _is_active(registry: Address, sender: Address, call: ContractCall) -> bool:
        calldata = MAY_TRANSACT_SELECTOR + bytes(sender).rjust(32, b"\0")
        try:
            output = call(registry, calldata)
        except RpcError as exc:
            logger.warning("registry %s mayTransact call failed: %s", registry.hex(), exc)
            return False
        return len(output) >= 32 and int.from_bytes(output[:32], "big") != 0
