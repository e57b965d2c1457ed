"""The JSON-RPC methods the devnet serves, grouped by what they touch.

``method_table(node)`` maps each method name to a callable taking the positional
JSON-RPC params and returning a JSON-serialisable result (or raising ``RpcError``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from devnet.methods.blocks import BlockMethods
from devnet.methods.fees import FeeMethods
from devnet.methods.filters import FilterMethods
from devnet.methods.info import InfoMethods
from devnet.methods.proof import ProofMethods
from devnet.methods.state import StateMethods
from devnet.methods.time import TimeMethods
from devnet.node import Node

Method = Callable[..., Any]


def method_table(node: Node) -> dict[str, Method]:
    table: dict[str, Method] = {}
    groups = (
        InfoMethods(node),
        BlockMethods(node),
        StateMethods(node),
        ProofMethods(node),
        FeeMethods(node),
        FilterMethods(node),
        TimeMethods(node),
    )
    for group in groups:
        table.update(group.table())
    return table
