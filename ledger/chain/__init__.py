"""Reaching a chain: everything between credtrace and an EVM node.

Modules, one noun each:

- ``protocol``   the :class:`Chain` protocol and :func:`connect`; ``backends/`` implements it
  (``embedded``: the credtrace devnet; ``rpc``: any JSON-RPC URL; ``tester``: eth-tester in process)
- ``sender``     local signing, nonces, fees, receipts; reverts become :class:`ContractRevert`
- ``revert``     revert data → named Python errors, from the contracts' own ABIs
- ``artifact``   compiled contracts (``artifacts/*.json``: ABI, bytecode, compiler, source hash)
- ``contract``   a deployed contract: its artifact bound to an address, calls and transactions
- ``deployment`` the deployment file, and the check that on-chain code matches the artifacts
- ``funding``    dev-only gas money for the operator and the participants it registers
- ``identity``   participants' dev keys (secp256k1 account + Ed25519 signing key) in the home folder

The names other packages use are re-exported here.
"""

from ledger.chain.contract import DeployedContract
from ledger.chain.identity import Identity, KeyStore
from ledger.chain.protocol import Chain, connect
from ledger.chain.sender import TransactionSender

__all__ = ["Chain", "DeployedContract", "Identity", "KeyStore", "TransactionSender", "connect"]
