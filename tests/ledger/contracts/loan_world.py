"""A world for the loan tests (LoanLedger on any backend): a regulator, two banks, three oracles, two
enterprises with consents to the first bank, a servable model and a first loss-sharing policy.

A plain module (tests/ledger/conftest.py puts this folder on the path), shared by the lifecycle suite,
the stateful test and the ledger report's tests.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from web3.types import Wei

from ledger.chain import Chain, Identity, TransactionSender, deployment
from ledger.contracts import ConsentRegistry, ModelRegistry, ParticipantRegistry, SanctionsList
from ledger.contracts.consent import ALL_CATEGORIES, Grant, new_nonce, purpose
from ledger.contracts.loan_ledger import NAME, Decision, LoanLedger, Policy
from ledger.types import Role

YUZHONG, JIANGBEI = 500103, 500105
"""Two districts (GB/T 2260 codes), each with its own pool."""
POLICY = Policy(municipal_bps=4_000, district_bps=2_000, bank_bps=4_000, subsidy_bps=2_500, quorum=1,
                approval_validity=30 * 86_400, claim_window=180 * 86_400, loan_cap=5_000_000_00,
                bank_year_cap=50_000_000_00)
"""40% municipal, 20% district, 40% bank; a quarter of the interest subsidised; caps of 5 and 50 million yuan."""


@dataclass
class LoanWorld:
    chain: Chain
    backend: str
    send: Callable[[Identity], TransactionSender]
    loans: LoanLedger
    models: ModelRegistry
    sanctions: SanctionsList
    registry: ParticipantRegistry
    consents: ConsentRegistry
    operator: Identity
    regulator: Identity
    banks: list[Identity]
    oracles: list[Identity]
    enterprises: list[Identity]
    model_id: str
    consent_ids: dict[tuple[int, int], str] = field(default_factory=dict)
    """(enterprise index, bank index) → consent id, for the pairs that consented."""

    @property
    def bank(self) -> Identity:
        return self.banks[0]

    @property
    def oracle(self) -> Identity:
        return self.oracles[0]

    def subject(self, enterprise: int = 0) -> str:
        return bytes(self.enterprises[enterprise].org_id).hex()

    def consent(self, enterprise: int = 0, bank: int = 0) -> str:
        """A consent from enterprise ``enterprise`` to bank ``bank`` (granted once, then reused)."""
        if (enterprise, bank) not in self.consent_ids:
            who = self.enterprises[enterprise]
            g = Grant(who.address, self.banks[bank].address, bytes(who.org_id), ALL_CATEGORIES,
                      purpose("credit line review"), 0, self.now() + 365 * 86_400, new_nonce())
            self.consents.grant(self.send(self.operator), g, self.consents.sign_grant(g, who.account))
            self.consent_ids[(enterprise, bank)] = self.consents.consent_id(g).hex()
        return self.consent_ids[(enterprise, bank)]

    def apply(self, amount: int = 1_000_000_00, enterprise: int = 0, bank: int = 0, term: int = 12) -> int:
        return self.loans.apply(self.send(self.banks[bank]), self.subject(enterprise),
                                self.consent(enterprise, bank), amount, term, "SME-CREDIT-1Y")

    def decision(self, application_id: int, approve: bool = True, limit: int = 1_000_000_00,
                 **overrides: Any) -> Decision:
        d = Decision(application_id, approve, limit if approve else 0, 450, 21_000, 612, self.model_id,
                     secrets.token_hex(32))
        return replace(d, **overrides)

    def approved(self, amount: int = 1_000_000_00, enterprise: int = 0) -> int:
        """An application approved for ``amount`` by the first oracle."""
        app = self.apply(amount, enterprise)
        self.loans.decide(self.send(self.oracle), self.decision(app, limit=amount))
        return app

    def disbursed(self, amount: int = 1_000_000_00, district: int = YUZHONG, enterprise: int = 0) -> int:
        app = self.approved(amount, enterprise)
        self.loans.disburse(self.send(self.bank), app, amount, district)
        return app

    def defaulted(self, amount: int = 1_000_000_00, district: int = YUZHONG) -> int:
        app = self.disbursed(amount, district)
        self.loans.mark_overdue(self.send(self.bank), app, 30)
        self.loans.mark_default(self.send(self.bank), app, 91)
        return app

    def now(self) -> int:
        return max(int(self.chain.web3.eth.get_block("latest")["timestamp"]), int(time.time()))

    def advance_to(self, when: int) -> None:
        """Mine blocks until the latest block's timestamp reaches ``when``."""
        while (latest := int(self.chain.web3.eth.get_block("latest")["timestamp"])) < when:
            if self.backend == "anvil":  # Anvil's clock is the wall clock: move it instead of waiting
                self.chain.web3.provider.make_request("evm_increaseTime", [when - latest])  # type: ignore[arg-type]
            self.send(self.operator).transact({"to": self.operator.address, "value": Wei(0)})


def build(chain: Chain, backend: str, make_identity: Callable[[Role], Identity],
          send: Callable[[Identity], TransactionSender], policy: Policy | None = POLICY) -> LoanWorld:
    """Deploy everything, register everyone, approve a model, set ``policy`` (none if None)."""
    operator, regulator = make_identity(Role.OPERATOR), make_identity(Role.REGULATOR)
    dep = deployment.deploy(send(operator), operator.org_id, operator.signing_public_key,
                            [(regulator.address, regulator.org_id, regulator.signing_public_key)])
    registry = ParticipantRegistry(deployment.contract(chain, dep, "ParticipantRegistry"))
    banks = [make_identity(Role.BANK) for _ in range(2)]
    oracles = [make_identity(Role.ORACLE) for _ in range(3)]
    enterprises = [make_identity(Role.ENTERPRISE) for _ in range(2)]
    for who in (*banks, *oracles, *enterprises):
        registry.register(send(operator), who.address, who.role, who.org_id, who.signing_public_key)
    models = ModelRegistry(deployment.contract(chain, dep, "ModelRegistry"))
    model_id = secrets.token_hex(32)
    models.register(send(operator), model_id, secrets.token_hex(32))
    models.approve(send(regulator), model_id)
    world = LoanWorld(chain, backend, send, LoanLedger(deployment.contract(chain, dep, NAME)), models,
                      SanctionsList(deployment.contract(chain, dep, "SanctionsList")), registry,
                      ConsentRegistry(deployment.contract(chain, dep, "ConsentRegistry")), operator, regulator,
                      banks, oracles, enterprises, model_id)
    if policy is not None:
        world.loans.set_policy(send(regulator), policy)
    return world
