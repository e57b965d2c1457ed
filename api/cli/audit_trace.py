"""``audit trace`` at the edges: the options checked, the trace gathered here (``api.actions.trace``) or
asked of a server (``--api``: ``GET /v1/audit/trace``, the same text or document), then printed or
written. A trace with a failed proof is printed, never written, and exits 1."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from api import ApiError
from api.actions.trace import FAILED, FORMATS, OF, Asked
from api.cli.context import database, opened
from api.settings import Settings
from ledger.errors import VerificationError


def output_kind(as_json: bool, fmt: str | None) -> str:
    if fmt is not None and fmt not in FORMATS:
        raise ApiError(f"--format must be one of {', '.join(FORMATS)}")
    if as_json and fmt is not None:
        raise ApiError("--json and --format are two different outputs: give one of them")
    return fmt or ("json" if as_json else "text")


def asked(enterprise: str | None, dataset: str | None, asset: str | None, application: str | None) -> Asked:
    from api.cli import loan_args

    Asked(enterprise, dataset, asset, None if application is None else 1).check()
    number = None if application is None else loan_args.application_id(application)
    return Asked(enterprise, dataset, asset, number)


def run(settings: Settings, target: Asked, kind: str, out: Path | None) -> None:
    _show(*_local(settings, target, kind), out)


def run_remote(url: str, settings: Settings, by: str, target: Asked, kind: str, out: Path | None) -> None:
    from api.cli.context import keystore, remote

    query = {"enterprise": target.enterprise, "dataset": target.dataset, "asset": target.asset,
             "application": target.application, "format": kind}
    with remote(url, keystore(settings).load(by)) as client:
        answer = client.fetch("/v1/audit/trace", **query)
    _show(answer.text, answer.headers.get(FAILED), answer.headers.get(OF, "?"), out)


def _local(settings: Settings, target: Asked, kind: str) -> tuple[str, str | None, str]:
    from api.actions.trace import failure, gathered, rendered

    with opened(settings) as chain, database(settings) as engine:
        found = gathered(chain, settings, engine, target)
    return rendered(found, kind), failure(found), f"{found.target.kind} {found.target.label}"


def _show(text: str, failure: str | None, of: str, out: Path | None) -> None:
    if out is None or failure:  # a trace with a failed proof is shown, never written as an export
        print(text, end="" if text.endswith("\n") else "\n")
    else:
        _write(out, text)
        print(f"wrote the trace of {of} to {out}")
    if failure:
        raise VerificationError(failure)


def _write(path: Path, text: str) -> None:
    """Whole or not at all: written beside ``path``, then renamed over it."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise ApiError(f"cannot write {path}: {exc}") from exc
