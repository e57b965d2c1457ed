"""``credtrace objects``: model artifacts, feature vectors and decision records by SHA-256 (:mod:`api.objects`)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api import ApiError
from api.cli.context import DbOption, State, console, database, reported

if TYPE_CHECKING:

    pass

group = typer.Typer(help="Content-addressed objects: models, feature vectors, decision records by SHA-256.",
                    no_args_is_help=True)


def add_to(app: typer.Typer) -> None:
    app.add_typer(group, name="objects")


@group.command("export")
@reported
def export(ctx: typer.Context, folder: Annotated[Path, typer.Argument(metavar="DIR")], db: DbOption = None) -> None:
    """Write every model artifact, feature vector and decision record as DIR/<sha256>, each hash checked
    first: one edited object and nothing is written."""
    from api.objects import every

    settings = ctx.ensure_object(State).settings(None, db)
    with database(settings) as engine:
        found = {o.sha256: o for o in every(engine, settings.home / "models")}
    folder.mkdir(parents=True, exist_ok=True)
    for sha256, o in found.items():
        _write(folder / sha256, o.data)
    counts = Counter(o.kind for o in found.values())
    console.print(f"wrote {len(found)} objects to {folder}: {counts['model']} model(s), {counts['vector']} feature "
                  f"vector(s), {counts['record']} decision record(s); each file's name is its SHA-256", soft_wrap=True)


@group.command("get")
@reported
def get(ctx: typer.Context, sha256: Annotated[str, typer.Argument(metavar="SHA256")],
        out: Annotated[Path | None, typer.Option(help="File to write; default: standard output.")] = None,
        db: DbOption = None) -> None:
    """The object whose bytes hash to SHA256, checked before it is written."""
    from api.objects import SHA256, get

    wanted = sha256.lower().removeprefix("0x")
    if not SHA256.fullmatch(wanted):
        raise ApiError(f"{sha256!r} is not a SHA-256 (64 hex digits)")
    settings = ctx.ensure_object(State).settings(None, db)
    with database(settings) as engine:
        found = get(engine, settings.home / "models", wanted)
    if out is None:
        sys.stdout.buffer.write(found.data)
    else:
        _write(out, found.data)


def _write(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    partial.replace(path)
