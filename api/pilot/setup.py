"""What a pilot needs before its first month, each part done only if missing (a resumed run passes
through): the platform's participants and the banks registered (R8: banks join), the regulator's
loss-sharing policy and its pools funded, and a credit model approved (:mod:`api.pilot.models`)."""

from __future__ import annotations

from collections.abc import Callable

from api.platform import Platform
from ledger.chain import Identity, TransactionSender
from ledger.chain.funding import top_up
from ledger.contracts.loan_ledger import MUNICIPAL, Policy
from ledger.errors import ContractRevert
from ledger.money import fen
from ledger.types import Role, Status
from simulation.people import DISTRICTS

POLICY = Policy(municipal_bps=4_000, district_bps=2_000, bank_bps=4_000, subsidy_bps=2_500, quorum=1,
                approval_validity=30 * 86_400, claim_window=180 * 86_400, loan_cap=fen("5,000,000"),
                bank_year_cap=fen("100,000,000,000"))
"""As the demo's version 1 (40% municipal, 20% district, 40% bank; the district pays a quarter of the
interest), with a bank's yearly cap that a 10,000-enterprise pilot does not reach even in one calendar year
of the chain's (the pilot's months are the chain's calendar: a longer pilot spans several)."""
MUNICIPAL_PER_ENTERPRISE = fen("20,000")
DISTRICT_PER_ENTERPRISE = fen("2,000")
"""Pool funding scales with the pilot: compensation is paid, not left as shortfall, at the pilot's NPL."""


def participants(p: Platform, people: dict[str, Identity], say: Callable[[str], None]) -> None:
    operator, regulator = TransactionSender(p.chain, p.operator.account), _sender(p, people["regulator"])
    for who in people.values():
        if who.role in (Role.OPERATOR, Role.REGULATOR) or _registered(p, who):
            continue
        if who.role is Role.AUDITOR:
            p.registry.propose_appointment(regulator, who.address, who.role, who.org_id, who.signing_public_key)
        else:
            p.registry.register(operator, who.address, who.role, p.org_id(who), who.signing_public_key)
        top_up(operator, who.address)
        say(f"registered {who.name} ({who.role.name})")


def _registered(p: Platform, who: Identity) -> bool:
    """Registered before, whatever its status now: an exited bank stays exited, a resumed run does not
    try to bring it back."""
    try:
        return p.registry.participant(who.address).status is not Status.NONE
    except ContractRevert:  # NotRegistered
        return False


def policy_and_pools(p: Platform, regulator: Identity, enterprises: int, say: Callable[[str], None]) -> None:
    by = _sender(p, regulator)
    if p.loans.policy_version() == 0:
        say(f"the regulator sets loss-sharing policy v{p.loans.set_policy(by, POLICY)}")
    targets = {MUNICIPAL: MUNICIPAL_PER_ENTERPRISE * enterprises} | {
        int(d): DISTRICT_PER_ENTERPRISE * enterprises for d in DISTRICTS}
    for pool, target in targets.items():
        if p.loans.pool(pool).deposits == 0:  # funded once, at the start: what the pools pay is the pilot's
            p.loans.fund(by, pool, target)
    say(f"pools funded: municipal and {len(DISTRICTS)} districts")


def _sender(p: Platform, who: Identity) -> TransactionSender:
    return TransactionSender(p.chain, who.account)
