"""The evaluation report's files: ``FILE.html`` (the page) and ``FILE.json`` beside it (the figures), each
written whole or not at all (a temporary file in the same folder, renamed: DESIGN §6.13), both only after
the whole evaluation was gathered and rendered, so a failure leaves no half report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from api import ApiError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from api.evaluation.evaluation import Evaluation
    from api.settings import Settings
    from ledger.chain import Chain


def json_path(html: Path) -> Path:
    """``report.html`` → ``report.json``."""
    return html.with_suffix(".json")


def checked(path: Path) -> None:
    """A report ``path`` that can be written, or ApiError (``pilot run`` asks before its first month)."""
    if not path.parent.is_dir():
        raise ApiError(f"no folder {path.parent} to write the report in")
    if path.suffix.lower() != ".html":
        raise ApiError(f"the report is an .html file (its JSON goes beside it): not {path.name}")


def write(settings: Settings, chain: Chain, engine: Engine, path: Path) -> Evaluation:
    """Gather the evaluation of the home ``settings`` names (its chain and database) and write it to
    ``path`` (HTML) and :func:`json_path` (JSON); the evaluation, for the caller to print from."""
    from api.evaluation.evaluation import gather
    from api.evaluation.page import page
    from api.key_archive import write_private

    checked(path)
    found = gather(settings, chain, engine)
    html = page(found).encode()
    document = (json.dumps(found.to_json(), ensure_ascii=False, indent=2) + "\n").encode()
    write_private(json_path(path), document)
    write_private(path, html)
    return found
