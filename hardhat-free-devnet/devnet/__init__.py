"""devnet: a persistent, permissioned, single-node EVM chain on py-evm, over JSON-RPC.

Modules, one noun each::

    config     DevnetConfig, the one settings object
    accounts   public development accounts and dev_config()
    errors     the error hierarchy below
    datadir    data-directory layout and its one-process lock
    store      SqliteStore: py-evm key-value store, one SQLite transaction per block
    genesis    GenesisSpec: genesis contents, persisted and checked on restart
    seal       Clique-style (EIP-225) block seals: sign_header, recover_signer
    chain      DevnetVM (Prague + seal room), open_chain, verify_chain
    txpool     TxPool of accepted, not yet mined transactions
    admission  Admission: genesis allowlist or ParticipantRegistry.mayTransact
    intake     TxIntake: checks behind eth_sendRawTransaction
    execution  Executor: eth_call / eth_estimateGas with revert data
    lanes      CallLanes: light calls at once, heavy ones one at a time
    builder    BlockBuilder: apply once, seal, persist
    traffic    Traffic: requests being served; the miner gives way to them, bounded
    recent     RecentBlocks: the last blocks' transactions and receipts, decoded
    pending    pending_block: the sample next block served as "pending", never persisted
    logindex   LogIndex: SQLite index behind eth_getLogs
    txindex    TxIndex: where each transaction is, receipt facts
    statecache StateCache: read-only block states kept by hash
    node       Node: everything stateful, wired once
    miner      Miner: automine or fixed interval
    params     parsing of JSON-RPC params
    formatting JSON-RPC result objects
    methods/   the served JSON-RPC methods: info, blocks, state, proof, fees, filters
    rpc        Dispatcher: pure JSON-RPC 2.0 (request dict -> response dict), hostile input bounded
    framing    read_body: HTTP/1.1 request bodies (Content-Length, chunked), size-limited
    server     RpcServer: HTTP transport, its limits and deadlines
    service    Devnet: node + miner + server, ``with Devnet(cfg).serving() as url``
    resync     resync(data_dir): re-execute the stored chain from genesis, read-only
    cli        main(argv): the process entry point, and ``resync``

Errors (``devnet.errors``)::

    DevnetError
    ├── ConfigError              bad settings or data directory
    │   └── GenesisMismatch      data dir created with another genesis
    ├── StoreError               write outside a block transaction, missing state, no store
    ├── SealError                header not sealed by the validator
    ├── HttpRefusal              HTTP request refused before JSON-RPC (status: 400, 413, 501)
    └── RpcError                 reported to JSON-RPC clients (code, message, data)
        ├── ParseError           -32700  not JSON, not UTF-8
        ├── InvalidRequest       -32600
        ├── MethodNotFound       -32601
        ├── InvalidParams        -32602
        ├── InvalidTransaction   -32000  intrinsic gas too low, bad signature, ...
        │   └── TransactionRejected -32003  nonce too low, insufficient funds, ...
        ├── AdmissionError       -32003  sender not admitted
        ├── UnknownBlock         -32000  header not found
        ├── FilterNotFound       -32000  filter not found (unknown, expired, lost in a restart)
        ├── ExecutionReverted    3       revert data in ``data``
        ├── ExecutionFailed      -32000  out of gas, invalid opcode, ...
        │   └── OutOfGasAtAllowance -32000  a call ran out of its gas (devnet.lanes retries it)
        └── LimitExceeded        -32005  too many log results, response too large, heavy calls busy
"""

from devnet.config import DevnetConfig
from devnet.errors import DevnetError
from devnet.seal import recover_signer
from devnet.service import Devnet

__all__ = ["Devnet", "DevnetConfig", "DevnetError", "main", "recover_signer"]


def main(argv: list[str] | None = None) -> int:
    """Process entry point (see ``devnet.cli.main``)."""
    from devnet.cli import main as cli_main

    return cli_main(argv)
