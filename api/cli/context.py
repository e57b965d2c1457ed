"""What every command shares: settings, the console, opening the chain, error reporting.

Start-up stays fast (``scripts/bench/cli_startup.py``): the command modules import only typer, rich
and this module at load time, and each command imports the packages it needs (web3, SQLAlchemy,
py-evm, scikit-learn) when it runs. Names used only in annotations come in under TYPE_CHECKING.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from api import ApiError
from api.node import embedded as embedded  # re-exported: the commands import them from here
from api.node import embedded_config as embedded_config
from api.node import keystore as keystore
from api.node import opened as opened
from api.settings import Settings
from ledger.errors import LedgerError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from api.client import ApiClient
    from ledger.chain import Chain, Identity, TransactionSender
    from ledger.contracts import ParticipantRegistry

# Piped output (make demo, CI logs) gets room for a table instead of rich's 80 columns.
_WIDTH = None if sys.stdout.isatty() else 140
console = Console(highlight=False, width=_WIDTH)
errors = Console(stderr=True, highlight=False, width=_WIDTH)

RpcOption = Annotated[
    str | None,
    typer.Option(
        "--rpc", envvar="CREDTRACE_RPC", help="JSON-RPC URL of the node; default: the embedded chain."
    ),
]

DbOption = Annotated[str | None, typer.Option("--db", envvar="CREDTRACE_DB",
                                               help="SQLAlchemy URL; default SQLite in the home folder.")]
ApiOption = Annotated[str | None, typer.Option(
    "--api", envvar="CREDTRACE_API",
    help="URL of a credtrace server: the command is sent there, signed with the participant's key (RFC 9421), "
         "instead of run on this machine's platform.")]
AsOption = Annotated[str, typer.Option("--as", help="Key name of the participant who acts.")]
ReasonOption = Annotated[str, typer.Option(
    "--reason", help="A reason code (FALSE_DATA, LATE_REPORTING, … see README) or a text: the chain keeps the "
                     "code, or the text's SHA-256 with the text kept off chain.")]

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class State:
    home: Path | None

    def settings(self, rpc_url: str | None = None, db: str | None = None) -> Settings:
        """The settings; a home that exists but is not a folder (--home or CREDTRACE_HOME naming a file)
        is refused here, before it fails deep in a command as a disk error."""
        settings = Settings.build(self.home, rpc_url, db)
        if settings.home.exists() and not settings.home.is_dir():
            raise ApiError(f"the home {settings.home} is not a folder (--home, CREDTRACE_HOME)")
        return settings


def reported(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the packages' errors, and a store or disk that fails under them, into one red line and
    exit status 1."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (LedgerError, ApiError) as exc:
            # one line however long (a revert's ids and addresses pass 140 columns); a value may hold "[/x]"
            errors.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
            raise typer.Exit(1) from exc
        except Exception as exc:
            if not storage_failure(exc):
                raise
            failure = escape(str(getattr(exc, "orig", None) or exc))
            errors.print(f"[red]error:[/red] the store or the disk failed: {failure}; "
                         "what was acknowledged is kept, and the same command can be run again", soft_wrap=True)
            raise typer.Exit(1) from exc

    return run


def storage_failure(exc: Exception) -> bool:
    """An OS error, or a database that could not read or write (full disk, lost server, a file that is
    not a database). SQLAlchemy is looked up, not imported: if no command loaded it, it is not its error."""
    database = sys.modules.get("sqlalchemy.exc")
    return isinstance(exc, OSError) or (database is not None and isinstance(exc, database.DatabaseError))


@contextmanager
def database(settings: Settings) -> Iterator[Engine]:
    """The platform's database (migrated to the head), disposed of on leaving."""
    from ledger.migrations import open_engine

    engine = open_engine(settings.db_url)
    try:
        yield engine
    finally:
        engine.dispose()


def sender_for(chain: Chain, identity: Identity) -> TransactionSender:
    from ledger.chain import TransactionSender

    return TransactionSender(chain, identity.account)


def registry(chain: Chain, settings: Settings) -> ParticipantRegistry:
    from ledger.chain import deployment
    from ledger.contracts import ParticipantRegistry
    from ledger.contracts.participant_registry import NAME as REGISTRY

    dep = deployment.load(settings.deployment_path)
    return ParticipantRegistry(deployment.contract(chain, dep, REGISTRY))


@contextmanager
def remote(url: str, identity: Identity) -> Iterator[ApiClient]:
    """A client of the server at ``url`` signing as ``identity``: what a command with --api talks to.
    The server's problems arrive as ApiProblem, an ApiError: one ``error:`` line like any other."""
    from api.client import ApiClient

    with ApiClient(url, identity) as client:
        yield client
