"""How ``loan``, ``pool`` and ``policy`` show the LoanLedger's records: JSON for programs, lines for people.

JSON keeps the contract's own words (its structs' and events' field names, camelCase) and its units:
money in integer fen, rates in basis points, PD in parts per million, windows in seconds, ids and
hashes as 0x-prefixed hex, statuses by name. People get yuan (:func:`ledger.money.yuan`), percentages
and days. A revert is shown with the function an ``IllegalTransition`` names, amounts in yuan and times
in UTC (:func:`readable`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from api.actions.loan_args import DAY, MUNICIPAL_NAME
from ledger.money import percent
from ledger.types import camel

if TYPE_CHECKING:
    from ledger.contracts.loan_ledger import Application, Claim, Decision, Loan, LoanLedger, Policy, Pool
    from ledger.errors import ContractRevert
    from ledger.types import LoanStatus

HEX_FIELDS = {"subject", "consent_id", "model_id", "record_hash"}
MONEY_ARGS = {"amount", "limit", "outstanding"}
TIME_ARGS = {"deadline", "validUntil"}


def as_json(record: Any, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """A record's fields by their contract names; bytes32 ids as 0x hex, enums by name."""
    out: dict[str, Any] = {}
    for name, value in asdict(record).items():
        if name not in drop:
            out[camel(name)] = "0x" + value if name in HEX_FIELDS else getattr(value, "name", value)
    return out


def loan_json(application: Application, loan: Loan, decision: Decision, claim: Claim) -> dict[str, Any]:
    """One object: the application, its status and loan, the final decision (nulls before one), the claim
    (nulls if none)."""
    decided, claimed = int(decision.record_hash, 16) != 0, any(asdict(claim).values())
    made = as_json(decision, drop=("application_id", "approve"))
    return {**as_json(application), **as_json(loan), "approved": decision.approve if decided else None,
            **{k: v if decided else None for k, v in made.items()},
            **{k: v if claimed else None for k, v in as_json(claim).items()}}


def listed_json(application: Application, status: LoanStatus) -> dict[str, Any]:
    return {**as_json(application), "status": status.name}


def policy_json(version: int, policy: Policy) -> dict[str, Any]:
    return {"version": version, **as_json(policy)}


def pool_json(pool_id: int, pool: Pool) -> dict[str, Any]:
    return {"pool": pool_id, **as_json(pool)}


# ---- for people --------------------------------------------------------------------------------------


def yuan(fen: int) -> str:
    from ledger.money import yuan as shown

    return f"{shown(fen)} yuan"


def pool_name(pool_id: int) -> str:
    from ledger.identifiers.uscc import CHONGQING_DISTRICTS

    if pool_id == 0:
        return MUNICIPAL_NAME
    name = CHONGQING_DISTRICTS.get(str(pool_id))
    return f"{pool_id} ({name})" if name else str(pool_id)


def when(t: int) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def span(seconds: int) -> str:
    return f"{seconds // DAY} days" if seconds % DAY == 0 else f"{seconds} s"


def loan_lines(application: Application, loan: Loan, decision: Decision, claim: Claim,
               names: Mapping[str, str]) -> Iterator[str]:
    a = application
    yield f"application {a.application_id}: {loan.status.name}"
    yield f"  bank      {names.get(a.bank, '?')} ({a.bank})"
    yield f"  subject   0x{a.subject}   consent 0x{a.consent_id}"
    yield f"  asked     {yuan(a.amount)} for {a.term_months} months, product {a.product_id}"
    if int(decision.record_hash, 16):
        yield "  decision  " + decision_line(decision, loan)
    if loan.principal:
        yield (f"  loan      {yuan(loan.principal)} in {pool_name(loan.district)} under policy {loan.policy_version}: "
               f"outstanding {yuan(loan.outstanding)}, repaid {yuan(loan.repaid_principal)} + interest "
               f"{yuan(loan.interest_paid)}, recovered {yuan(loan.recovered)}, written off {yuan(loan.written_off)}, "
               f"{loan.days_past_due} days past due")
    if any(asdict(claim).values()):
        yield "  claim     " + claim_line(claim)


def decision_line(d: Decision, loan: Loan) -> str:
    made = (f"by model 0x{d.model_id[:16]}…, record 0x{d.record_hash[:16]}…, score {d.score}, "
            f"PD {percent(d.pd_ppm, 10**6)}")
    if not d.approve:
        return f"declined {made}"
    return f"approved up to {yuan(d.limit)} at {percent(d.rate_bps)} {made}; disburse by {when(loan.valid_until)}"


def claim_line(c: Claim) -> str:
    return (f"loss {yuan(c.loss)}; municipal pool paid {yuan(c.municipal_paid)} of {yuan(c.municipal_due)}, "
            f"district pool paid {yuan(c.district_paid)} of {yuan(c.district_due)}; returned from recoveries "
            f"{yuan(c.municipal_returned)} and {yuan(c.district_returned)}")


def outcome(application_id: int, loan: Loan) -> str:
    """What a bank's action left: the status and what is still owed."""
    return f"application {application_id}: {loan.status.name}, outstanding {yuan(loan.outstanding)}"


def policy_lines(version: int, latest: int, p: Policy) -> Iterator[str]:
    yield f"loss-sharing policy version {version} (latest {latest})"
    yield (f"  shares    municipal pool {percent(p.municipal_bps)}, district pool {percent(p.district_bps)}, "
           f"bank {percent(p.bank_bps)}")
    yield f"  subsidy   {percent(p.subsidy_bps)} of each interest payment, from the district pool"
    yield f"  caps      {yuan(p.loan_cap)} per loan, {yuan(p.bank_year_cap)} per bank per calendar year"
    yield f"  windows   approvals {span(p.approval_validity)}, claims {span(p.claim_window)} after a default"
    yield f"  quorum    {p.quorum} oracle(s) submitting the same decision record"


def pool_line(pool_id: int, p: Pool) -> str:
    return (f"{pool_name(pool_id)}: balance {yuan(p.balance)}; deposits {yuan(p.deposits)}, paid {yuan(p.paid)}, "
            f"returned {yuan(p.returned)}, shortfall {yuan(p.shortfall)}")


# ---- reverts ------------------------------------------------------------------------------------------


@contextmanager
def explained(loans: LoanLedger) -> Iterator[None]:
    """Re-raise a LoanLedger revert in people's terms (:func:`readable`)."""
    from ledger.errors import ContractRevert

    try:
        yield
    except ContractRevert as revert:
        raise readable(revert, loans) from revert


def readable(revert: ContractRevert, loans: LoanLedger) -> ContractRevert:
    """The same error with ``operation`` as the function's name, amounts in yuan and times in UTC;
    still a ``ContractRevert.named(error)``."""
    from ledger.errors import ContractRevert

    args = {name: _readable(name, value, loans) for name, value in revert.args_by_name.items()}
    return ContractRevert.raised(revert.error, args, revert.contract)


def _readable(name: str, value: Any, loans: LoanLedger) -> Any:
    if name == "operation" and isinstance(value, bytes):
        return loans.operation(value)
    if name in MONEY_ARGS and isinstance(value, int):
        return yuan(value)
    if name in TIME_ARGS and isinstance(value, int):
        return when(value)
    return value
