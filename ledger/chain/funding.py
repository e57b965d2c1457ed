"""Gas money. On a permissioned chain ether has no market value: it only meters work.
The operator keeps participants topped up; the operator itself is funded in genesis, or,
on a dev node, from the node's dev accounts."""

from __future__ import annotations

from web3.types import Wei

from ledger.chain.protocol import Chain
from ledger.chain.sender import TransactionSender
from ledger.types import Address

ETHER = 10**18
PARTICIPANT_FLOOR = 1 * ETHER
OPERATOR_FLOOR = 100 * ETHER


def ensure_operator_funds(chain: Chain, operator: Address) -> bool:
    """Top the operator up from the chain's dev funds if low; True if it did."""
    if chain.web3.eth.get_balance(operator) >= OPERATOR_FLOOR:
        return False
    chain.fund(operator, 10 * OPERATOR_FLOOR)
    return True


def top_up(payer: TransactionSender, account: Address, floor: int = PARTICIPANT_FLOOR) -> bool:
    """Send ``account`` enough gas money from ``payer`` to reach ``floor``; True if it did."""
    balance = payer.chain.web3.eth.get_balance(account)
    if balance >= floor:
        return False
    payer.transact({"to": account, "value": Wei(floor - balance), "gas": 21_000})
    return True
