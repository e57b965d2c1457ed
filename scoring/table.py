"""A CSV file as a table of text cells: the one reader training and scoring share.

Encoding (``encoding`` given, else detected, and always reported):

1. a byte-order mark: UTF-8, UTF-16 or UTF-32 (what Excel's "Unicode text" writes);
2. UTF-16 without a mark, when NUL bytes (the high byte of ASCII characters) sit mostly in odd
   (little-endian) or even (big-endian) positions of the start: UTF-8 text has none;
3. UTF-8, if the bytes decode as UTF-8;
4. GB18030, if they decode as that: the superset of GBK and GB2312, what Chinese Excel writes.

Delimiter (``delimiter`` given, else sniffed): of ``,`` ``;`` TAB ``|``, the one found most often
outside quotes in the header line (a comma on a tie, or when none is found).

The header's names are stripped of surrounding spaces (`` income`` is ``income`` when training
and when scoring alike) and must be distinct. Blank lines are skipped; every other row
must have exactly as many cells as the header (a short row is refused, never padded or shifted).
Errors are :class:`~scoring.errors.DataError` and name the file, the line, the delimiter and the
encoding.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from scoring.errors import DataError

DELIMITERS = (",", ";", "\t", "|")
_MARKS = (  # longest first: a UTF-32 LE mark starts like a UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Table:
    path: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]  # the line each row starts on (1 = the header)
    encoding: str
    delimiter: str

    @property
    def how(self) -> str:
        """How the file was read, for messages: "encoding utf-8, delimiter ';'"."""
        return f"encoding {self.encoding}, delimiter {self.delimiter!r}"

    def source(self) -> dict[str, str]:
        return {"file": self.path, "encoding": self.encoding, "delimiter": self.delimiter}


def read(path: str | Path, *, encoding: str | None = None, delimiter: str | None = None) -> Table:
    """Read and check a CSV file (see the module docstring)."""
    raw = _bytes(Path(path))
    text, used = _decode(raw, encoding, path)
    sep = delimiter if delimiter is not None else sniff(text)
    if len(sep) != 1:
        raise DataError(f"the delimiter must be one character, not {sep!r}")
    header, rows, lines = _parse(text, sep, f"{path} ({f'encoding {used}, delimiter {sep!r}'})")
    return Table(str(path), header, rows, lines, used, sep)


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise DataError(f"cannot read {path}: {e.strerror or e}") from e


def detect(raw: bytes) -> str | None:
    """The encoding a byte-order mark or a UTF-16 NUL pattern says, or None."""
    for mark, name in _MARKS:
        if raw.startswith(mark):
            return name
    start = raw[:400]
    odd, even = start[1::2].count(0), start[0::2].count(0)  # ASCII in UTF-16 LE: 'a' 00; in BE: 00 'a'
    if odd > 3 * even:
        return "utf-16-le"
    return "utf-16-be" if even > 3 * odd else None


def _decode(raw: bytes, encoding: str | None, path: str | Path) -> tuple[str, str]:
    tries = [encoding] if encoding else [e for e in (detect(raw),) if e] or ["utf-8", "gb18030"]
    for name in tries:
        try:
            return raw.decode(name), name
        except LookupError:
            raise DataError(f"unknown encoding {name!r}") from None
        except UnicodeDecodeError as e:
            failed = e
    given = f"as {encoding}" if encoding else f"as {' or '.join(tries)}"
    raise DataError(f"{path} cannot be decoded {given} (byte {failed.start}); "
                    "give its encoding with --encoding") from None


def sniff(text: str) -> str:
    """The delimiter of :data:`DELIMITERS` found most often outside quotes in the first line."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text.lstrip("\ufeff"):
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            break
        elif char in counts and not quoted:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: (counts[d], -DELIMITERS.index(d)))
    return best if counts[best] else ","


def _parse(text: str, sep: str, where: str) -> tuple[list[str], list[list[str]], list[int]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=sep)
    try:
        header = [h.strip() for h in next(reader, [])]
        rows, lines, start = [], [], reader.line_num + 1
        for row in reader:
            if row:
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as e:
        raise DataError(f"{where}: not a CSV file: {e} (line {reader.line_num})") from e
    if not header or len(set(header)) != len(header):
        raise DataError(f"{where}: the header is empty or names a column twice")
    for row, line in zip(rows, lines, strict=True):
        if len(row) != len(header):
            raise DataError(f"{where}: line {line} has {len(row)} cells, the header {len(header)}")
    return header, rows, lines
