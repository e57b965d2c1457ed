"""Client of the ``LoanLedger`` contract (contracts/LoanLedger.sol and its base LossSharing.sol):
applications, oracle decisions, loans, the loss-sharing policy and the risk compensation pools.

Money is integer fen (0.01 CNY), rates basis points, PD parts per million: no floating point. Subjects,
consent ids, model ids and record hashes are 64 hex digits, as everywhere in the ledger; a product id is
a short ASCII code (``SME-CREDIT-1Y``) held as bytes32 like a reason code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass
from typing import TYPE_CHECKING, cast

from eth_utils.abi import function_abi_to_4byte_selector
from web3.types import EventData, TxReceipt

from ledger.chain.contract import DeployedContract
from ledger.chain.sender import TransactionSender
from ledger.contracts.model_registry import id_bytes
from ledger.errors import LedgerError
from ledger.identifiers.scan import identifiers_in
from ledger.types import Address, LoanStatus

if TYPE_CHECKING:
    from eth_typing import ABIFunction

NAME = "LoanLedger"
MUNICIPAL = 0
"""Pool 0 is the municipal risk compensation pool; any other pool is a district's GB/T 2260 code."""


@dataclass(frozen=True)
class Application:
    application_id: int
    bank: Address
    subject: str
    consent_id: str
    amount: int
    term_months: int
    product_id: str


@dataclass(frozen=True)
class Decision:
    """What an oracle submits; ``record_hash`` is the SHA-256 of the signed decision record."""

    application_id: int
    approve: bool
    limit: int
    rate_bps: int
    pd_ppm: int
    score: int
    model_id: str
    record_hash: str

    def as_abi(self) -> tuple[object, ...]:
        """In the contract's field order (packed for storage)."""
        return (self.application_id, self.limit, id_bytes(self.model_id), id_bytes(self.record_hash, "a record hash"),
                self.approve, self.rate_bps, self.pd_ppm, self.score)


@dataclass(frozen=True)
class Loan:
    status: LoanStatus
    district: int
    policy_version: int
    days_past_due: int
    valid_until: int
    defaulted_at: int
    principal: int
    outstanding: int
    repaid_principal: int
    interest_paid: int
    recovered: int
    written_off: int


@dataclass(frozen=True)
class Policy:
    """A loss-sharing policy version: shares in basis points (municipal + district + bank = 10,000)."""

    municipal_bps: int
    district_bps: int
    bank_bps: int
    subsidy_bps: int
    quorum: int
    approval_validity: int
    """Seconds an approval may be disbursed after the decision."""
    claim_window: int
    """Seconds after a default within which compensation may be claimed."""
    loan_cap: int
    bank_year_cap: int


@dataclass(frozen=True)
class Pool:
    """Deposits + returned = paid + balance; ``shortfall`` is what was due but not there."""

    deposits: int
    paid: int
    returned: int
    balance: int
    shortfall: int


@dataclass(frozen=True)
class Claim:
    loss: int
    municipal_due: int
    district_due: int
    municipal_paid: int
    district_paid: int
    municipal_returned: int
    district_returned: int
    recovered_after: int


def product_id(code: str) -> bytes:
    """A product code (printable ASCII, 1 to 32 characters) as bytes32, right-padded with zeros. The chain
    keeps it for good (``Applied``), so one carrying a raw identifier is refused, naming only its kind."""
    if not 1 <= len(code) <= 32 or not code.isascii() or not code.isprintable():
        raise LedgerError(f"a product code is 1 to 32 printable ASCII characters, not {code[:40]!r}")
    for kind in identifiers_in(code):
        raise LedgerError(f"a product code carries {kind}: give the product's code, not an identifier")
    return code.encode().ljust(32, b"\0")


def product_code(raw: bytes) -> str:
    return raw.rstrip(b"\0").decode("ascii", "replace")


DECISION_GAS = 250_000
"""A decision's gas limit, not estimated: an estimate runs the batch three times in the node (on the
devnet's py-evm ~10 ms a decision), and a decision's cost is bounded — 183,217 gas inside a batch,
235,058 alone with the transaction's own 21,000 (README, gas table)."""


def decision_gas(n: int) -> int:
    """The gas limit of ``decide`` (``n`` = 1) or a ``decideBatch`` of ``n``: 100 fit in a 30-million block."""
    return 50_000 + DECISION_GAS * n


class LoanLedger:
    def __init__(self, contract: DeployedContract) -> None:
        self.contract = contract

    # ---- the bank asks, the oracles decide -----------------------------------------------

    def apply(self, by: TransactionSender, subject: str, consent_id: str, amount: int, term_months: int,
              product: str) -> int:
        """Apply for a decision on ``subject`` (a pseudonym); the new application's id."""
        receipt = self.contract.transact(by, "applyFor", id_bytes(subject, "a subject"),
                                         id_bytes(consent_id, "a consent id"), amount, term_months, product_id(product))
        return next(int(e["args"]["applicationId"]) for e in self.contract.events(receipt) if e["event"] == "Applied")

    def decide(self, by: TransactionSender, decision: Decision) -> TxReceipt:
        return self.contract.transact(by, "decide", decision.as_abi(), gas=decision_gas(1))

    def decide_batch(self, by: TransactionSender, decisions: Sequence[Decision]) -> TxReceipt:
        abi = [d.as_abi() for d in decisions]
        return self.contract.transact(by, "decideBatch", abi, gas=decision_gas(len(decisions)))

    # ---- the loan, as its bank reports it --------------------------------------------------

    def disburse(self, by: TransactionSender, application_id: int, amount: int, district: int) -> TxReceipt:
        return self.contract.transact(by, "disburse", application_id, amount, district)

    def repay(self, by: TransactionSender, application_id: int, principal: int, interest: int) -> TxReceipt:
        return self.contract.transact(by, "repay", application_id, principal, interest)

    def mark_overdue(self, by: TransactionSender, application_id: int, days_past_due: int) -> TxReceipt:
        return self.contract.transact(by, "markOverdue", application_id, days_past_due)

    def mark_default(self, by: TransactionSender, application_id: int, days_past_due: int) -> TxReceipt:
        return self.contract.transact(by, "markDefault", application_id, days_past_due)

    def claim_compensation(self, by: TransactionSender, application_id: int) -> TxReceipt:
        return self.contract.transact(by, "claimCompensation", application_id)

    def recover(self, by: TransactionSender, application_id: int, amount: int) -> TxReceipt:
        return self.contract.transact(by, "recover", application_id, amount)

    def write_off(self, by: TransactionSender, application_id: int) -> TxReceipt:
        return self.contract.transact(by, "writeOff", application_id)

    def close(self, by: TransactionSender, application_id: int) -> TxReceipt:
        return self.contract.transact(by, "close", application_id)

    # ---- the regulator's policy and pools ----------------------------------------------------

    def set_policy(self, by: TransactionSender, policy: Policy) -> int:
        """Set a new policy version (a regulator acts); its version number."""
        receipt = self.contract.transact(by, "setPolicy", astuple(policy))
        return next(int(e["args"]["version"]) for e in self.contract.events(receipt) if e["event"] == "PolicySet")

    def fund(self, by: TransactionSender, pool: int, amount: int) -> TxReceipt:
        return self.contract.transact(by, "fund", pool, amount)

    # ---- reads ------------------------------------------------------------------------------

    def application_count(self) -> int:
        return int(self.contract.call("applicationCount"))

    def application(self, application_id: int) -> Application:
        bank, subject, consent, amount, term, product = self.contract.call("application", application_id)
        return Application(application_id, bank, bytes(subject).hex(), bytes(consent).hex(), int(amount), int(term),
                           product_code(bytes(product)))

    def loan(self, application_id: int) -> Loan:
        status, *rest = self.contract.call("loan", application_id)
        return Loan(LoanStatus(status), *(int(v) for v in rest))

    def decision(self, application_id: int) -> Decision:
        app_id, limit, model, record, approve, rate, pd, score = self.contract.call("decision", application_id)
        return Decision(int(app_id), bool(approve), int(limit), int(rate), int(pd), int(score),
                        bytes(model).hex(), bytes(record).hex())

    def claim(self, application_id: int) -> Claim:
        return Claim(*(int(v) for v in self.contract.call("claim", application_id)))

    def policy_version(self) -> int:
        return int(self.contract.call("policyVersion"))

    def policy(self, version: int) -> Policy:
        return Policy(*(int(v) for v in self.contract.call("policy", version)))

    def quorum(self) -> int:
        return int(self.contract.call("quorum"))

    def pool(self, pool: int) -> Pool:
        return Pool(*(int(v) for v in self.contract.call("pool", pool)))

    def committed(self, bank: Address, year: int) -> int:
        """What the government has committed to ``bank``'s claims in calendar ``year`` (UTC), fen."""
        return int(self.contract.call("committed", bank, year))

    def votes(self, application_id: int, record_hash: str) -> int:
        return int(self.contract.call("votes", application_id, id_bytes(record_hash, "a record hash")))

    def voted(self, application_id: int, oracle: Address) -> str | None:
        """The record hash ``oracle`` submitted for the application, or None if it has not voted: what an
        oracle restarting after a crash asks before it sends again (a second vote reverts ``AlreadyVoted``)."""
        found = bytes(self.contract.call("voted", application_id, oracle))
        return None if found == bytes(32) else found.hex()

    # ---- events: one eth_getLogs per kind, however many applications -----------------------------

    def applications(self, bank: Address | None = None) -> list[Application]:
        """Every application as its ``Applied`` event has it, oldest first; ``bank``'s alone if given
        (an indexed topic, so the node filters)."""
        logs = self.contract.event("Applied").get_logs(
            from_block=0, argument_filters={"bank": bank} if bank else None)
        return [_applied(log) for log in _in_order(logs)]

    def statuses(self, since: int = 0, until: int | None = None) -> dict[int, LoanStatus]:
        """Every application's status now (or after block ``until``), the ``to`` of its last ``StatusChanged``;
        from block ``since`` on, those that changed since (an application applied since is among them)."""
        logs = self.contract.event("StatusChanged").get_logs(from_block=since, to_block=until or "latest")
        return {int(log["args"]["applicationId"]): LoanStatus(int(log["args"]["to"])) for log in _in_order(logs)}

    def pool_ids(self) -> list[int]:
        """The municipal pool and every district pool funded (``PoolFunded``) or lent in (``Disbursed``)."""
        funded = self.contract.event("PoolFunded").get_logs(from_block=0)
        lent = self.contract.event("Disbursed").get_logs(from_block=0)
        return sorted({MUNICIPAL} | {int(log["args"]["pool"]) for log in funded}
                      | {int(log["args"]["district"]) for log in lent})

    def operation(self, selector: bytes) -> str:
        """The function a selector names (``IllegalTransition`` carries ``msg.sig``); its hex if none."""
        names = {function_abi_to_4byte_selector(cast("ABIFunction", item)): str(item["name"])
                 for item in self.contract.artifact.abi if item.get("type") == "function"}
        return names.get(bytes(selector), "0x" + bytes(selector).hex())


def _in_order(logs: Sequence[EventData]) -> list[EventData]:
    return sorted(logs, key=lambda log: (log["blockNumber"], log["logIndex"]))


def _applied(log: EventData) -> Application:
    a = log["args"]
    return Application(int(a["applicationId"]), a["bank"], bytes(a["subject"]).hex(), bytes(a["consentId"]).hex(),
                       int(a["amount"]), int(a["termMonths"]), product_code(bytes(a["productId"])))


