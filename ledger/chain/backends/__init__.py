"""Implementations of :class:`ledger.chain.Chain`: ``tester`` (in-process py-evm through
eth-tester) and ``rpc`` (any Ethereum JSON-RPC URL). They differ only in how a chain is
reached, how a revert surfaces, and where dev funds come from."""
