"""``credtrace audit``: an auditor's questions of the log and the chain (issue 16)."""

from __future__ import annotations

import typer

group = typer.Typer(help="Audits: trace data and leaks through the log, each event proved on chain; "
                         "prove contract storage against a sealed block.",
                    no_args_is_help=True)


def add_to(app: typer.Typer) -> None:
    from api.cli import audit_state, leak, trace

    leak.add_to(group)
    trace.add_to(group)
    audit_state.add_to(group)
    app.add_typer(group, name="audit")
