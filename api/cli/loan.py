"""``credtrace loan``: a bank applies for a decision on an enterprise and reports its loan from
disbursement to close (LoanLedger, seeds R2 and R8; the state machine is in contracts/LoanLedger.sol).

Every argument is checked before a chain is opened (:mod:`api.actions.loan_args`); a revert prints as one
line naming the contract's error and its arguments (:func:`api.actions.loan_view.readable`). The acts
themselves are :mod:`api.actions.loans`, which the bank routes call too. ``list`` reads
two kinds of event (``Applied``, ``StatusChanged``), one ``eth_getLogs`` each, however many loans.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from api.actions import loan_args as args
from api.actions import loan_view as view
from api.cli.context import ApiOption, RpcOption, State, console, keystore, opened, reported, sender_for

if TYPE_CHECKING:
    from rich.table import Table

    from api.settings import Settings
    from ledger.chain import Chain, Identity
    from ledger.contracts.loan_ledger import Application, LoanLedger
    from ledger.types import LoanStatus

BankOption = Annotated[str, typer.Option("--as", help="Key name of the bank that acts (its own loans only).")]
AmountOption = Annotated[str, typer.Option("--amount", metavar="YUAN", help="Yuan, e.g. 1,000,000 or 2500.50.")]
DaysOption = Annotated[str, typer.Option("--days", metavar="N", help="Days past due, as the bank reckons them.")]
JsonOption = Annotated[bool, typer.Option("--json", help="JSON: the contract's field names, money in fen.")]
IdArgument = Annotated[str, typer.Argument(metavar="APPLICATION_ID", help="The application id `loan apply` printed.")]

group = typer.Typer(help="Loans on chain (LoanLedger): apply, decisions, disbursement to close.", no_args_is_help=True)


def add_to(app: typer.Typer) -> None:
    app.add_typer(group, name="loan")


def loan_ledger(chain: Chain, settings: Settings) -> LoanLedger:
    from ledger.chain import deployment
    from ledger.contracts.loan_ledger import NAME, LoanLedger

    return LoanLedger(deployment.contract(chain, deployment.load(settings.deployment_path), NAME))


def names(settings: Settings) -> dict[str, str]:
    """Account → key name, for the home's keys (none if it has no keys folder)."""
    return {i.address: i.name for i in keystore(settings).all()} if settings.keys_dir.exists() else {}


@group.command("apply")
@reported
def apply(
    ctx: typer.Context,
    consent: Annotated[str, typer.Option("--consent", metavar="CONSENT_ID",
                                         help="The enterprise's consent to the bank.")],
    amount: AmountOption,
    term: Annotated[str, typer.Option("--term", metavar="MONTHS", help="Term in months.")],
    product: Annotated[str, typer.Option("--product", metavar="CODE", help="Product code, e.g. SME-CREDIT-1Y.")],
    enterprise: Annotated[str | None, typer.Option("--enterprise", metavar="CREDIT_CODE",
                                                   help="The enterprise, pseudonymised here.")] = None,
    subject: Annotated[str | None, typer.Option("--subject", metavar="PSEUDONYM",
                                                help="The enterprise's pseudonym (64 hex).")] = None,
    by: BankOption = "bank-a",
    rpc: RpcOption = None,
    api: ApiOption = None,
) -> None:
    """An active bank asks for a decision on an enterprise under its consent; prints the application id.
    Only the pseudonym reaches the chain, never the credit code."""
    from api.actions import loans
    from api.platform import opened_platform
    from ledger.contracts.loan_ledger import product_id
    from ledger.contracts.model_registry import id_bytes

    code, pseudonym = args.one_subject(enterprise, subject)
    id_bytes(consent, "a consent id")
    asked, months = args.fen(amount), args.whole(term, "a term in months", 1, args.UINT16)
    product_id(product)
    settings = ctx.ensure_object(State).settings(rpc)
    bank = keystore(settings).load(by)
    if api is not None:
        from api.cli.context import remote

        with remote(api, bank) as client:
            answer = client.post("/v1/applications", {"enterprise": code, "subject": pseudonym, "consent": consent,
                                                      "amount": asked, "term_months": months, "product": product})
        console.print(str(answer["application_id"]))
        return
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        who = pseudonym or p.pseudonymise(str(code))
        console.print(str(loans.apply(p.loans, sender_for(chain, bank), who, consent, asked, months, product)))


@group.command("show")
@reported
def show(ctx: typer.Context, application_id: IdArgument, as_json: JsonOption = False, rpc: RpcOption = None) -> None:
    """An application, its final decision, its loan and any compensation claim, as the chain has them now."""
    number = args.application_id(application_id)
    settings = ctx.ensure_object(State).settings(rpc)
    with opened(settings) as chain:
        loans = loan_ledger(chain, settings)
        with view.explained(loans):
            found = (loans.application(number), loans.loan(number), loans.decision(number), loans.claim(number))
    if as_json:
        console.print_json(json.dumps(view.loan_json(*found)))
        return
    for line in view.loan_lines(*found, names(settings)):
        console.print(line, soft_wrap=True, markup=False)


@group.command("list")
@reported
def list_(
    ctx: typer.Context,
    bank: Annotated[str | None, typer.Option("--bank", help="Only this bank's: a key name or an address.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="Only those in this status (APPLIED, …).")] = None,
    as_json: JsonOption = False,
    rpc: RpcOption = None,
) -> None:
    """Every application with its status now, from the chain's events."""
    wanted = args.status(status) if status else None
    settings = ctx.ensure_object(State).settings(rpc)
    account = args.account(bank, keystore(settings)) if bank else None
    with opened(settings) as chain:
        loans = loan_ledger(chain, settings)
        found = loans.applications(account)  # before the statuses: each has its StatusChanged by then
        statuses = loans.statuses()
    rows = [(a, statuses[a.application_id]) for a in found if wanted in (None, statuses[a.application_id])]
    if as_json:
        console.print_json(json.dumps([view.listed_json(a, s) for a, s in rows]))
        return
    console.print(table(rows, names(settings)))


def table(rows: list[tuple[Application, LoanStatus]], known: dict[str, str]) -> Table:
    from rich.table import Table

    out = Table(title="Loan applications (LoanLedger events)")
    for column in ("id", "bank", "subject", "amount (yuan)", "months", "product", "status"):
        out.add_column(column, no_wrap=True)
    for a, status in rows:
        out.add_row(str(a.application_id), known.get(a.bank, a.bank), f"0x{a.subject[:12]}…",
                    view.yuan(a.amount).removesuffix(" yuan"), str(a.term_months), a.product_id, status.name)
    return out


@group.command("disburse")
@reported
def disburse(
    ctx: typer.Context,
    application_id: IdArgument,
    amount: AmountOption,
    district: Annotated[str, typer.Option("--district", metavar="CODE", help="GB/T 2260 code of the loan's district.")],
    by: BankOption = "bank-a",
    rpc: RpcOption = None,
    api: ApiOption = None,
) -> None:
    """Pay out an approved loan, up to the approved limit and before the approval lapses, in a district;
    the loss-sharing policy in force now is the one it keeps."""
    act(ctx, by, rpc, api, "disburse", args.application_id(application_id), args.fen(amount), args.district(district))


@group.command("repay")
@reported
def repay(
    ctx: typer.Context,
    application_id: IdArgument,
    principal: Annotated[str, typer.Option("--principal", metavar="YUAN", help="Principal repaid.")],
    interest: Annotated[str, typer.Option("--interest", metavar="YUAN", help="Interest paid.")],
    by: BankOption = "bank-a",
    rpc: RpcOption = None,
    api: ApiOption = None,
) -> None:
    """Record a repayment; the district pays its subsidy share of the interest; REPAID once nothing is owed."""
    from ledger.money import fen

    act(ctx, by, rpc, api, "repay", args.application_id(application_id), fen(principal), fen(interest))


@group.command("overdue")
@reported
def overdue(ctx: typer.Context, application_id: IdArgument, days: DaysOption, by: BankOption = "bank-a",
            rpc: RpcOption = None, api: ApiOption = None) -> None:
    """Mark a loan overdue by N days; 0 cures an overdue loan (back to DISBURSED)."""
    act(ctx, by, rpc, api, "mark_overdue", args.application_id(application_id), args.days(days))


@group.command("default")
@reported
def default(ctx: typer.Context, application_id: IdArgument, days: DaysOption, by: BankOption = "bank-a",
            rpc: RpcOption = None, api: ApiOption = None) -> None:
    """Declare an overdue loan in default, N days past due; the claim window opens."""
    act(ctx, by, rpc, api, "mark_default", args.application_id(application_id), args.days(days))


@group.command("claim")
@reported
def claim(ctx: typer.Context, application_id: IdArgument, by: BankOption = "bank-a", rpc: RpcOption = None,
          api: ApiOption = None) -> None:
    """Claim compensation on a defaulted loan: the government's shares, under the loan's policy, from the
    municipal and the district pool (a shortfall is recorded)."""
    act(ctx, by, rpc, api, "claim_compensation", args.application_id(application_id))


@group.command("recover")
@reported
def recover(ctx: typer.Context, application_id: IdArgument, amount: AmountOption, by: BankOption = "bank-a",
            rpc: RpcOption = None, api: ApiOption = None) -> None:
    """Record money recovered after default; after a claim the pools get their shares back (清偿)."""
    act(ctx, by, rpc, api, "recover", args.application_id(application_id), args.fen(amount))


@group.command("write-off")
@reported
def write_off(ctx: typer.Context, application_id: IdArgument, by: BankOption = "bank-a",
              rpc: RpcOption = None, api: ApiOption = None) -> None:
    """Write off what a defaulted loan still owes."""
    act(ctx, by, rpc, api, "write_off", args.application_id(application_id))


@group.command("close")
@reported
def close(ctx: typer.Context, application_id: IdArgument, by: BankOption = "bank-a", rpc: RpcOption = None,
          api: ApiOption = None) -> None:
    """Close a settled loan (repaid, written off, recovered in full) or an approval never disbursed."""
    act(ctx, by, rpc, api, "close", args.application_id(application_id))


REMOTE = {"disburse": ("disbursement", ("amount", "district")), "repay": ("repayments", ("principal", "interest")),
          "mark_overdue": ("overdue", ("days",)), "mark_default": ("default", ("days",)),
          "claim_compensation": ("claim", ()), "recover": ("recovery", ("amount",)),
          "write_off": ("write-off", ()), "close": ("close", ())}
"""Each act's route under ``/v1/loans/{id}/`` and its body's fields, in the order the act takes them."""


def act(ctx: typer.Context, by: str, rpc: str | None, api: str | None, operation: str, application_id: int,
        *values: int) -> None:
    """The bank ``by`` sends ``operation`` on its loan (here, or through the server at ``api``), then the
    loan's status (and claim) are shown."""
    settings = ctx.ensure_object(State).settings(rpc)
    bank = keystore(settings).load(by)
    lines = (_remote_act(api, bank, operation, application_id, values) if api is not None
             else _local_act(settings, bank, operation, application_id, values))
    for line in lines:
        console.print(line, soft_wrap=True)


def _local_act(settings: Settings, bank: Identity, operation: str, application_id: int,
               values: tuple[int, ...]) -> list[str]:
    from api.actions import loans

    with opened(settings) as chain:
        return loans.act(loan_ledger(chain, settings), sender_for(chain, bank), operation, application_id,
                         *values).lines


def _remote_act(url: str, bank: Identity, operation: str, application_id: int, values: tuple[int, ...]) -> list[str]:
    from api.cli.context import remote

    path, fields = REMOTE[operation]
    body = {k: str(v) if k == "district" else v for k, v in zip(fields, values, strict=True)}
    with remote(url, bank) as client:
        answer = client.post(f"/v1/loans/{application_id}/{path}", body)
    return list(answer["lines"])
