"""Gas per LoanLedger operation (issue 14), on the in-process eth-tester chain: every operation of
the loan's life once, on fresh loans, and a decision inside a ``decideBatch`` of 100 against one
``decide`` alone. Gas is the EVM's, the same on the devnet and Anvil.

    python scripts/bench/loan_gas.py            (batch of 100)
    python scripts/bench/loan_gas.py 50         (batch of 50)

A batch of 100 needs more gas than a block of the devnet (30 million) holds, so the chain here has a
block gas limit of 100 million; the script prints how many decisions fit in 30 million.

Figures, not targets: the README keeps them; the exit status is 0 unless the chain refuses something.
"""

from __future__ import annotations

import secrets
import sys
import time
from dataclasses import astuple, dataclass

from eth_account import Account
from nacl.signing import SigningKey

from ledger.chain import Chain, Identity, TransactionSender, deployment
from ledger.chain.backends.tester import EthTesterChain
from ledger.contracts import ConsentRegistry, ModelRegistry, ParticipantRegistry
from ledger.contracts.consent import ALL_CATEGORIES, Grant, new_nonce, purpose
from ledger.contracts.loan_ledger import MUNICIPAL, NAME, Decision, LoanLedger, Policy, product_id
from ledger.types import Role

DISTRICT = 500103
POLICY = Policy(municipal_bps=4_000, district_bps=2_000, bank_bps=4_000, subsidy_bps=2_500, quorum=1,
                approval_validity=30 * 86_400, claim_window=180 * 86_400, loan_cap=5_000_000_00,
                bank_year_cap=10**15)
AMOUNT = 1_000_000_00  # 1,000,000.00 yuan in fen
BLOCK = 30_000_000
"""The devnet's block gas limit (hardhat-free-devnet/devnet/config.py), eth-tester's too."""


@dataclass
class World:
    chain: Chain
    loans: LoanLedger
    regulator: TransactionSender
    bank: TransactionSender
    oracle: TransactionSender
    subject: bytes
    consent: bytes
    model_id: str


def person(chain: Chain, role: Role) -> Identity:
    who = Identity(role.name.lower(), role, f"{role.name} bench {time.time_ns()}", Account.create(),
                   SigningKey.generate())
    chain.fund(who.address, 10**21)
    return who


def build(chain: Chain) -> World:
    """Deploy everything; register a bank, an oracle and an enterprise; a consent and an approved model."""
    operator, regulator = person(chain, Role.OPERATOR), person(chain, Role.REGULATOR)
    op = TransactionSender(chain, operator.account)
    dep = deployment.deploy(op, operator.org_id, operator.signing_public_key,
                            [(regulator.address, regulator.org_id, regulator.signing_public_key)])
    registry = ParticipantRegistry(deployment.contract(chain, dep, "ParticipantRegistry"))
    bank, oracle, enterprise = (person(chain, r) for r in (Role.BANK, Role.ORACLE, Role.ENTERPRISE))
    for who in (bank, oracle, enterprise):
        registry.register(op, who.address, who.role, who.org_id, who.signing_public_key)
    models = ModelRegistry(deployment.contract(chain, dep, "ModelRegistry"))
    model_id = secrets.token_hex(32)
    models.register(op, model_id, secrets.token_hex(32))
    models.approve(TransactionSender(chain, regulator.account), model_id)
    consents = ConsentRegistry(deployment.contract(chain, dep, "ConsentRegistry"))
    g = Grant(enterprise.address, bank.address, bytes(enterprise.org_id), ALL_CATEGORIES, purpose("credit"), 0,
              2**40, new_nonce())
    consents.grant(op, g, consents.sign_grant(g, enterprise.account))
    return World(chain, LoanLedger(deployment.contract(chain, dep, NAME)), TransactionSender(chain, regulator.account),
                 TransactionSender(chain, bank.account), TransactionSender(chain, oracle.account),
                 bytes(enterprise.org_id), bytes(consents.consent_id(g)), model_id)


class Gas:
    """Sends each operation and keeps its gas used, in the order measured."""

    def __init__(self, w: World) -> None:
        self.w, self.used = w, dict[str, int]()

    def __call__(self, label: str, by: TransactionSender, function: str, *args: object) -> int:
        receipt = self.w.loans.contract.transact(by, function, *args)
        self.used[label] = int(receipt["gasUsed"])
        return self.used[label]

    def apply(self, label: str = "applyFor") -> int:
        self(label, self.w.bank, "applyFor", self.w.subject, self.w.consent, AMOUNT, 12, product_id("SME-CREDIT-1Y"))
        return self.w.loans.application_count()

    def decision(self, application_id: int) -> tuple[object, ...]:
        """An approval, as ``decide`` takes it."""
        return Decision(application_id, True, AMOUNT, 450, 21_000, 612, self.w.model_id,
                        secrets.token_hex(32)).as_abi()


def lifecycle(g: Gas) -> None:
    w = g.w
    g("setPolicy (first version)", w.regulator, "setPolicy", astuple(POLICY))
    g("fund (a pool's first deposit)", w.regulator, "fund", MUNICIPAL, 10**12)
    g("fund (a top-up)", w.regulator, "fund", MUNICIPAL, 10**12)
    g("fund (a district's first deposit)", w.regulator, "fund", DISTRICT, 10**12)
    repaid, defaulted = g.apply("applyFor (first)"), g.apply()
    g("decide (alone, approve)", w.oracle, "decide", g.decision(repaid))
    w.loans.contract.transact(w.oracle, "decide", g.decision(defaulted))
    g("disburse", w.bank, "disburse", repaid, AMOUNT, DISTRICT)
    w.loans.disburse(w.bank, defaulted, AMOUNT, DISTRICT)
    g("repay (principal only: no subsidy)", w.bank, "repay", repaid, AMOUNT // 4, 0)
    g("repay (with interest: district subsidy)", w.bank, "repay", repaid, AMOUNT // 4, 1_125_000)
    g("repay (the rest, → REPAID, with subsidy)", w.bank, "repay", repaid, AMOUNT // 2, 2_250_000)
    g("close (a repaid loan)", w.bank, "close", repaid)
    g("markOverdue", w.bank, "markOverdue", defaulted, 30)
    g("markDefault", w.bank, "markDefault", defaulted, 91)
    g("claimCompensation", w.bank, "claimCompensation", defaulted)
    g("recover (shared back to the pools)", w.bank, "recover", defaulted, AMOUNT // 10)
    g("writeOff", w.bank, "writeOff", defaulted)
    g("close (a written-off loan)", w.bank, "close", defaulted)


def batch(g: Gas, n: int) -> int:
    """The gas of a decideBatch of ``n`` new applications."""
    ids = [g.apply() for _ in range(n)]
    return g(f"decideBatch of {n}", g.w.oracle, "decideBatch", [g.decision(i) for i in ids])


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    g = Gas(build(EthTesterChain(gas_limit=100_000_000)))
    lifecycle(g)
    alone = g("decide (alone, again)", g.w.oracle, "decide", g.decision(g.apply()))
    ten, whole = batch(g, 10), batch(g, n)
    print("LoanLedger gas per operation (eth-tester, in process; the EVM's gas, the same on every backend)")
    for label, gas in g.used.items():
        print(f"  {label:<44} {gas:>12,}")
    each = (whole - ten) / (n - 10)
    print(f"  a decision: {alone:,} gas alone; {whole / n:,.0f} a decision inside a decideBatch of {n} "
          f"({whole / n / alone:.2f} x alone); {each:,.0f} for each one added")
    print(f"  a decideBatch of {n} takes {whole / BLOCK:.0%} of a {BLOCK:,}-gas block: "
          f"{int((BLOCK - (ten - 10 * each)) // each)} decisions fit in one")
    return 0


if __name__ == "__main__":
    sys.exit(main())
