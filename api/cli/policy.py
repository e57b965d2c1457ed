"""``credtrace policy``: the government-bank loss-sharing policy (LossSharing, seeds R2 and R8), set by a
regulator in versions; each loan keeps the version in force when it was disbursed."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated

import typer

from api import ApiError
from api.cli import loan_args as args
from api.cli import loan_view as view
from api.cli.context import RpcOption, State, console, keystore, opened, reported, sender_for
from api.cli.loan import JsonOption, loan_ledger
from api.cli.pool import RegulatorOption

group = typer.Typer(help="The loss-sharing policy: shares, subsidy, caps, windows, oracle quorum.",
                    no_args_is_help=True)


def _bps(option: str) -> Callable[[str], int]:
    return lambda text: args.whole(text, option, 0, 10_000)


def _days(option: str) -> Callable[[str], int]:
    return lambda text: args.whole(text, option, 1, args.UINT32 // args.DAY) * args.DAY


def _yuan(text: str) -> int:
    from ledger.money import fen

    return fen(text)


PARSERS: dict[str, tuple[str, Callable[[str], int]]] = {
    "municipal_bps": ("--municipal-bps", _bps("--municipal-bps")),
    "district_bps": ("--district-bps", _bps("--district-bps")),
    "bank_bps": ("--bank-bps", _bps("--bank-bps")),
    "subsidy_bps": ("--subsidy-bps", _bps("--subsidy-bps")),
    "quorum": ("--quorum", lambda text: args.whole(text, "--quorum", 1, args.UINT8)),
    "approval_validity": ("--approval-days", _days("--approval-days")),
    "claim_window": ("--claim-days", _days("--claim-days")),
    "loan_cap": ("--loan-cap", _yuan),
    "bank_year_cap": ("--bank-year-cap", _yuan),
}
"""Policy field → (its option, its parser to the contract's unit: bps, count, seconds, fen)."""
OPTIONS = {name: option for name, (option, _) in PARSERS.items()}


def opt(option: str, metavar: str, text: str) -> object:
    return typer.Option(option, metavar=metavar, help=text)


def add_to(app: typer.Typer) -> None:
    app.add_typer(group, name="policy")


@group.command("set")
@reported
def set_(
    ctx: typer.Context,
    municipal_bps: Annotated[str | None, opt("--municipal-bps", "BPS", "Municipal pool's share of a loss.")] = None,
    district_bps: Annotated[str | None, opt("--district-bps", "BPS", "District pool's share of a loss.")] = None,
    bank_bps: Annotated[str | None, opt("--bank-bps", "BPS", "The bank's share (the three make 10000).")] = None,
    subsidy_bps: Annotated[str | None, opt("--subsidy-bps", "BPS", "District's share of interest (贴息).")] = None,
    quorum: Annotated[str | None, opt("--quorum", "K", "Oracles that must submit the same decision.")] = None,
    approval_days: Annotated[str | None, opt("--approval-days", "DAYS", "An approval may be disbursed within.")] = None,
    claim_days: Annotated[str | None, opt("--claim-days", "DAYS", "Compensation may be claimed within, after a "
                                                                  "default.")] = None,
    loan_cap: Annotated[str | None, opt("--loan-cap", "YUAN", "Most the government pays on one loan.")] = None,
    bank_year_cap: Annotated[str | None, opt("--bank-year-cap", "YUAN", "Most it commits to one bank a "
                                                                        "calendar year.")] = None,
    by: RegulatorOption = "regulator",
    rpc: RpcOption = None,
) -> None:
    """A regulator sets a new policy version; an option left out keeps the latest version's value (the
    first version needs them all). Loans already disbursed keep theirs."""
    texts = dict(zip(PARSERS, (municipal_bps, district_bps, bank_bps, subsidy_bps, quorum, approval_days,
                               claim_days, loan_cap, bank_year_cap), strict=True))
    given = {name: PARSERS[name][1](text) for name, text in texts.items() if text is not None}
    if not given:
        raise ApiError("nothing to set: give at least one of " + ", ".join(o for o, _ in PARSERS.values()))
    from api.actions.policy import set_policy

    settings = ctx.ensure_object(State).settings(rpc)
    regulator = keystore(settings).load(by)
    with opened(settings) as chain:
        loans = loan_ledger(chain, settings)
        with view.explained(loans):
            version, policy = set_policy(loans, sender_for(chain, regulator), given, OPTIONS)
    for line in view.policy_lines(version, version, policy):
        console.print(line, soft_wrap=True, markup=False)


@group.command("show")
@reported
def show(ctx: typer.Context,
         version: Annotated[str | None, typer.Option("--version", metavar="N", help="Default: the latest.")] = None,
         as_json: JsonOption = False, rpc: RpcOption = None) -> None:
    """A policy version: shares in basis points, subsidy, caps, windows, quorum."""
    wanted = args.whole(version, "a policy version", 1, args.UINT32) if version is not None else None
    settings = ctx.ensure_object(State).settings(rpc)
    with opened(settings) as chain:
        loans = loan_ledger(chain, settings)
        latest = loans.policy_version()
        if not latest:
            raise ApiError("no loss-sharing policy yet: a regulator sets the first (credtrace policy set)")
        with view.explained(loans):
            policy = loans.policy(wanted or latest)
    if as_json:
        console.print_json(json.dumps(view.policy_json(wanted or latest, policy)))
        return
    for line in view.policy_lines(wanted or latest, latest, policy):
        console.print(line, soft_wrap=True, markup=False)
