"""``credtrace report``: the operating reports (R10)."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from api.cli.context import State, console, database, reported
from api.settings import Settings

if TYPE_CHECKING:
    from ledger.catalogue.assessment import DepartmentAssessment

group = typer.Typer(help="Operating reports.", no_args_is_help=True)


def add_to(app: typer.Typer) -> None:
    app.add_typer(group, name="report")


@group.command("departments")
@reported
def departments(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per department.")] = False,
) -> None:
    """Data-aggregation assessment of each department: timeliness, completeness, accuracy."""
    rows = department_assessment(ctx.ensure_object(State).settings())
    if as_json:
        print(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=2))
        return
    console.print(table(rows))


def department_assessment(settings: Settings) -> list[DepartmentAssessment]:
    from api.actions.ledger import departments

    with database(settings) as engine:
        return departments(engine)


def table(rows: list[DepartmentAssessment]) -> Table:
    out = Table(title="Data-aggregation assessment by department (R10)")
    for column in ("department", "timeliness (days late)", "completeness", "accuracy", "rows received",
                   "rows stored"):
        out.add_column(column, justify="left" if column == "department" else "right")
    for r in rows:
        late = "—" if math.isnan(r.timeliness) else f"{r.timeliness:.1f}"
        out.add_row(r.department, late, f"{r.completeness:.1%}", f"{r.accuracy:.2%}",
                    f"{r.rows_received:,}", f"{r.rows_stored:,}")
    return out
