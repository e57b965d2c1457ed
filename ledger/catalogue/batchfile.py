"""A department's batch file read as a stream of rows, within bounds (issue 12: bounded input).

A CSV file (RFC 4180, header line first) or JSON Lines (one object per line, RFC 8259) is read a
line at a time, never whole: a 100 MB file costs memory for one line, not for the file. What no
honest batch contains is one clear :class:`CatalogueError`, naming the line and never a value:

- a line over :data:`MAX_LINE` bytes, a file that is not UTF-8 (a spreadsheet's byte-order mark is
  skipped);
- a CSV header that is not the dataset's fields (missing, unknown, repeated, over :data:`MAX_COLUMNS`);
- a JSON line that is not an object, repeats a key (``json`` would keep the last value silently), or
  carries ``NaN`` or ``Infinity`` (not JSON).

A CSV row with more or fewer cells than the header is a row, rejected by ingestion with its
reason: :class:`Unreadable`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO

from ledger.catalogue.errors import CatalogueError
from ledger.catalogue.schema import DepartmentSchema, safe_name

MAX_LINE = 64 * 1024
"""Bytes in one line: the longest honest row (a registration) is under 1 KiB."""
MAX_COLUMNS = 64

Row = Mapping[str, object]


@dataclass(frozen=True)
class Unreadable:
    """A row that has no fields to check (a CSV row with the wrong number of cells)."""

    reason: str
    cells: tuple[str, ...]


def rows(stream: BinaryIO, fmt: str, schema: DepartmentSchema) -> Iterator[Row | Unreadable]:
    """The rows of a ``"csv"`` or ``"jsonl"`` batch, as given (strings, JSON values)."""
    lines = _lines(stream)
    return _csv_rows(lines, schema) if fmt == "csv" else _json_rows(lines)


def _lines(stream: BinaryIO) -> Iterator[tuple[int, str]]:
    number = 0
    while raw := stream.readline(MAX_LINE + 1):
        number += 1
        if len(raw) > MAX_LINE:
            raise CatalogueError(f"line {number} is longer than {MAX_LINE // 1024} KiB: no row is that long; "
                                 "nothing was ingested")
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise CatalogueError(f"line {number} is not UTF-8 text; save the file as UTF-8") from None
        yield number, text


def _csv_rows(lines: Iterator[tuple[int, str]], schema: DepartmentSchema) -> Iterator[Row | Unreadable]:
    where = [0]

    def text() -> Iterator[str]:
        for number, line in lines:
            where[0] = number
            yield line

    reader = csv.reader(text())
    try:
        header = next(reader, None)
        if header is None:
            return
        _check_header(header, schema)
        for cells in reader:
            if not cells:
                continue
            if len(cells) != len(header):
                yield Unreadable(f"has {len(cells)} cells, the header has {len(header)}", tuple(cells))
            else:
                yield dict(zip(header, cells, strict=True))
    except csv.Error as exc:
        raise CatalogueError(f"line {where[0]} is not CSV: {exc}; nothing was ingested") from None


def _check_header(header: list[str], schema: DepartmentSchema) -> None:
    if len(header) > MAX_COLUMNS:
        raise CatalogueError(f"the header has {len(header)} columns; {schema.category} has {len(schema.fields)}")
    unknown = [name for name in header if name not in schema.field_names]
    missing = [name for name in schema.field_names if name not in header]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if unknown or missing or repeated:
        parts = ([f"unknown columns {', '.join(safe_name(n) for n in unknown)}"] if unknown else []) + \
                ([f"missing columns {', '.join(missing)}"] if missing else []) + \
                ([f"repeated columns {', '.join(repeated)}"] if repeated else [])
        raise CatalogueError(f"the header is not the {schema.category} dataset's: {'; '.join(parts)}; "
                             f"expected {', '.join(schema.field_names)}")


def _json_rows(lines: Iterator[tuple[int, str]]) -> Iterator[Row]:
    for number, line in lines:
        if not line.strip():
            continue
        try:
            row = json.loads(line, object_pairs_hook=_unique, parse_constant=_not_json)
        except ValueError as exc:
            raise CatalogueError(f"line {number} is not JSON: {exc}; nothing was ingested") from None
        if not isinstance(row, dict):
            raise CatalogueError(f"line {number} is not a JSON object (one row per line)")
        yield row


def _unique(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """A JSON object whose keys are unique: a repeated key is an error, never a silent overwrite."""
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {safe_name(key)} appears twice in one object")
        out[key] = value
    return out


def _not_json(constant: str) -> object:
    raise ValueError(f"{constant} is not a JSON value (RFC 8259)")
