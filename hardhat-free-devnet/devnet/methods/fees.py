"""Fee suggestions and history (EIP-1559).

The base fee follows the standard EIP-1559 rule from the genesis value, so it drifts
down while blocks stay under half full. The suggested priority fee is a constant.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from eth.abc import BlockHeaderAPI
from eth.vm.forks.london.headers import calculate_expected_base_fee_per_gas

from devnet import formatting, params
from devnet.errors import InvalidParams
from devnet.formatting import Json
from devnet.methods.resolve import header_param
from devnet.node import Node

SUGGESTED_PRIORITY_FEE = 1_000_000_000  # 1 gwei, what geth and Anvil suggest on devnets
MAX_HISTORY_BLOCKS = 1024


class FeeMethods:
    """``eth_gasPrice``, ``eth_maxPriorityFeePerGas``, ``eth_feeHistory``."""

    def __init__(self, node: Node) -> None:
        self._node = node

    def table(self) -> dict[str, Callable[..., Any]]:
        return {
            "eth_gasPrice": self.gas_price,
            "eth_maxPriorityFeePerGas": self.max_priority_fee,
            "eth_feeHistory": self.fee_history,
            "eth_blobBaseFee": lambda: "0x1",
        }

    def gas_price(self) -> str:
        next_base_fee = calculate_expected_base_fee_per_gas(self._node.head())
        return formatting.quantity(next_base_fee + SUGGESTED_PRIORITY_FEE)

    def max_priority_fee(self) -> str:
        return formatting.quantity(SUGGESTED_PRIORITY_FEE)

    def fee_history(self, count: Any, newest: Any, percentiles: Any = None) -> Json:
        blocks = min(params.quantity(count, "blockCount"), MAX_HISTORY_BLOCKS)
        if blocks == 0:
            return {"oldestBlock": "0x0", "baseFeePerGas": [], "gasUsedRatio": []}
        last = header_param(self._node, newest).block_number
        first = max(0, last - blocks + 1)
        headers = [header_param(self._node, hex(number)) for number in range(first, last + 1)]
        result: Json = {
            "oldestBlock": formatting.quantity(first),
            "baseFeePerGas": _base_fees(headers),
            "gasUsedRatio": [header.gas_used / header.gas_limit for header in headers],
            "baseFeePerBlobGas": ["0x1"] * (len(headers) + 1),
            "blobGasUsedRatio": [0.0] * len(headers),
        }
        if percentiles is not None:
            wanted = _percentiles(percentiles)
            result["reward"] = [self._rewards(header, wanted) for header in headers]
        return result

    def _rewards(self, header: BlockHeaderAPI, percentiles: Sequence[float]) -> list[str]:
        """Priority fees paid at each percentile of the block's gas (as geth)."""
        records = self._node.txs.of_block(header.block_number)
        base_fee = header.base_fee_per_gas or 0
        tips = sorted((record.effective_gas_price - base_fee, record.gas_used) for record in records)
        if not tips:
            return ["0x0"] * len(percentiles)
        rewards, index, used = [], 0, tips[0][1]
        for percentile in percentiles:
            threshold = header.gas_used * percentile / 100
            while used < threshold and index < len(tips) - 1:
                index += 1
                used += tips[index][1]
            rewards.append(formatting.quantity(tips[index][0]))
        return rewards


def _base_fees(headers: Sequence[BlockHeaderAPI]) -> list[str]:
    fees = [header.base_fee_per_gas for header in headers]
    fees.append(calculate_expected_base_fee_per_gas(headers[-1]))
    return [formatting.quantity(fee) for fee in fees]


def _percentiles(value: Any) -> list[float]:
    if not isinstance(value, list) or not all(isinstance(p, (int, float)) for p in value):
        raise InvalidParams("rewardPercentiles must be a list of numbers")
    if any(not 0 <= p <= 100 for p in value) or value != sorted(value):
        raise InvalidParams("rewardPercentiles must be increasing and within [0, 100]")
    return [float(p) for p in value]
