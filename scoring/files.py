"""The file-level edges of the credit model, what ``credtrace model train|score`` runs.

- :func:`train_files`: read a CSV (:func:`scoring.dataset.read_csv`, through :mod:`scoring.table`),
  :func:`scoring.trainer.train`, write ``model.json`` (canonical bytes: its SHA-256 is the model
  id), ``report.json`` and ``report.html``;
- :func:`score_file`: score every row of a CSV read by the same reader (a row is the same row to
  training and scoring), writing the scores, decisions, reason codes and their texts atomically
  (a temporary file renamed into place) and spreadsheet-safe (:func:`spreadsheet_safe`);
- :func:`policy_decider`: the decisions of the artifact's :class:`scoring.policy.Policy`.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from scoring import artifact, report_page
from scoring import table as table_
from scoring.dataset import Kind, read_csv
from scoring.errors import DataError, ScoringInputError
from scoring.reasons import MAX_REASONS, describe_from_json
from scoring.trainer import train

Decide = Callable[[Mapping[str, Any], float, Mapping[str, str]], Mapping[str, str]]
DECISION_FIELDS = ("decision", "limit", "rate")


def train_files(
    data_csv: str | Path, target: str, bad_value: str | None, out_dir: str | Path, *,
    ignore: Collection[str] = (), kinds: Mapping[str, Kind] | None = None, good_values: Collection[str] = (),
    describe_json: str | Path | None = None, encoding: str | None = None, delimiter: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Read ``data_csv`` (:func:`~scoring.dataset.read_csv`), :func:`train` with ``options``, and write
    ``model.json`` (canonical bytes: its SHA-256 is the model id), ``report.json``, ``report.html``.
    ``describe_json`` is a file of reason texts (:func:`scoring.reasons.describe_from_json`)."""
    data = read_csv(data_csv, target, bad_value, ignore=ignore, kinds=kinds, good_values=good_values,
                    encoding=encoding, delimiter=delimiter)
    describe = None if describe_json is None else describe_from_json(_json_file(Path(describe_json)))
    doc, report = train(data, describe=describe, **options)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    artifact.write(doc, out / "model.json")
    (out / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                                     encoding="utf-8")
    (out / "report.html").write_text(report_page.render(report, doc), encoding="utf-8")
    return report


def _json_file(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except OSError as e:
        raise DataError(f"cannot read {path}: {e.strerror or e}") from e
    except ValueError as e:  # UnicodeDecodeError and JSONDecodeError alike
        raise DataError(f"{path} is not UTF-8 JSON: {e}") from e


class ScoredFile(NamedTuple):
    rows: int
    encoding: str
    delimiter: str


def score_file(
    model_dir: str | Path, data_csv: str | Path, out_csv: str | Path, *, id_column: str | None = None,
    decide: Decide | None = None, encoding: str | None = None, delimiter: str | None = None,
) -> ScoredFile:
    """Score every row of ``data_csv`` with ``model_dir/model.json``; return the number of rows and
    how the file was read (by :func:`scoring.table.read`, the reader training uses: a row is the
    same row to both).

    Columns written: ``row`` (1-based), ``id_column`` if given, ``score``, ``pd``, ``decision``,
    ``limit``, ``rate`` (filled by ``decide(policy, pd, row)`` when the artifact holds a policy and
    a decider is given, else empty), ``reason_1`` … ``reason_4`` (codes), ``reason_text_1`` …
    ``reason_text_4`` (their plain-language texts: the bin the value fell in, :mod:`scoring.reasons`).
    Every cell goes through :func:`spreadsheet_safe`; the rows go to a temporary file renamed onto
    ``out_csv`` once all are scored.
    """
    model = artifact.load(artifact.read(Path(model_dir) / "model.json"))
    source = table_.read(data_csv, encoding=encoding, delimiter=delimiter)
    if id_column is not None and id_column not in source.header:
        raise DataError(f"{data_csv}: no column {id_column!r} to identify rows ({source.how})")
    head = ["row", *([id_column] if id_column else []), "score", "pd", *DECISION_FIELDS,
            *(f"reason_{i}" for i in range(1, MAX_REASONS + 1)),
            *(f"reason_text_{i}" for i in range(1, MAX_REASONS + 1))]
    target = Path(out_csv)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with partial.open("w", newline="", encoding="utf-8") as dst:
            writer = csv.writer(dst)
            writer.writerow(head)
            for count, (cells, line) in enumerate(zip(source.rows, source.lines, strict=True), start=1):
                row = dict(zip(source.header, cells, strict=True))
                writer.writerow(map(spreadsheet_safe, _scored_row(model, count, line, row, id_column, decide)))
        partial.replace(target)  # all rows or no file: an error leaves no half-scored CSV behind
    except OSError as e:
        raise DataError(f"cannot score {data_csv} into {out_csv}: {e.strerror or e}") from e
    finally:
        partial.unlink(missing_ok=True)
    return ScoredFile(len(source.rows), source.encoding, source.delimiter)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """A cell a spreadsheet will not run: one starting with = + - @ TAB or CR gets a leading ``'``
    (OWASP, "CSV Injection"), unless it is a plain number such as ``-1.5``, which stays a number."""
    if not cell.startswith(FORMULA_START) or _plain_number(cell):
        return cell
    return "'" + cell


def _plain_number(cell: str) -> bool:
    try:
        return math.isfinite(float(cell)) and cell.strip() == cell and "_" not in cell
    except ValueError:
        return False


def _scored_row(model: artifact.Model, number: int, line: int, row: Mapping[str, str], id_column: str | None,
                decide: Decide | None) -> list[str]:
    try:
        scored = artifact.score(model, row)
    except ScoringInputError as e:
        raise ScoringInputError(f"row {number} (line {line}): {e}") from e
    decision: Mapping[str, str] = {}
    if decide is not None and model.policy is not None:
        decision = decide(model.policy, scored.pd, row)
    blank = [""] * (MAX_REASONS - len(scored.reasons))
    codes, texts = [code for code, _ in scored.reasons] + blank, [text for _, text in scored.reasons] + blank
    ident = [row.get(id_column, "")] if id_column else []
    return [str(number), *ident, f"{scored.score:.2f}", f"{scored.pd:.6f}",
            *(str(decision.get(k, "")) for k in DECISION_FIELDS), *codes, *texts]


def policy_decider(size_column: str = "size") -> Decide:
    """A ``decide`` for :func:`score_file` that applies the artifact's :class:`scoring.policy.Policy`
    to each row's PD and size class (column ``size_column``)."""
    from scoring.policy import Policy  # the policy is its own module; only this edge needs it

    parsed: dict[str, Policy] = {}

    def decide(policy: Mapping[str, Any], pd: float, row: Mapping[str, str]) -> Mapping[str, str]:
        text = json.dumps(policy, sort_keys=True)
        terms = parsed.get(text) or parsed.setdefault(text, Policy.from_json(text))
        d = terms.decide(pd, (row.get(size_column) or "").strip())
        return {"decision": "approve" if d.approve else "decline", "limit": str(d.limit), "rate": f"{d.rate:.6f}"}

    return decide
