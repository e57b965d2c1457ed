"""Tabular training data with a binary target: columns, their kinds and declared monotone directions.

A numeric column is float64 with NaN for missing; a categorical column is an object array of
``str`` or ``None``. The target is int8 with 1 = bad (defaulted). ``monotone[name]`` declares how
a numeric column relates to risk: +1 = a higher value means LOWER risk (the score rises with it),
-1 = a higher value means HIGHER risk, 0 (or absent) = not constrained.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from scoring import table as table_
from scoring.errors import DataError

Kind = Literal["numeric", "categorical"]
KINDS: tuple[Kind, ...] = ("numeric", "categorical")
MISSING_TOKENS = frozenset({"", "?", "-", "--", "na", "n/a", "#n/a", "null", "nan"})  # stripped, lower-cased
_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")


def is_missing_token(cell: str) -> bool:
    """True for the cells read as missing: empty, ``?``, ``-``, ``--``, ``NA``, ``N/A``, ``#N/A``,
    ``null``, ``NaN`` (any case, spaces around ignored)."""
    return cell.strip().lower() in MISSING_TOKENS


def parse_number(cell: str) -> float | None:
    """A numeric cell as a float: NaN when missing (:func:`is_missing_token`), commas as thousands
    separators (``1,169`` but not ``1,5``); None when the cell is not a finite number. Training and
    scoring read numbers through this one function."""
    text = cell.strip()
    if text.lower() in MISSING_TOKENS:
        return math.nan
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and "_" not in text else None


@dataclass(frozen=True, eq=False)
class Dataset:
    """Columns by name, a 0/1 target (1 = bad), each column's kind and monotone direction."""

    columns: Mapping[str, NDArray[Any]]
    target: NDArray[np.int8]
    kinds: Mapping[str, Kind]
    monotone: Mapping[str, int] = field(default_factory=dict)
    source: Mapping[str, Any] = field(default_factory=dict)  # how it was read (file, target rule, rows left out)

    def __post_init__(self) -> None:
        n = len(self.target)
        if self.target.dtype != np.int8 or not np.isin(self.target, (0, 1)).all():
            raise DataError("the target must be an int8 array of 0 (good) and 1 (bad)")
        if set(self.kinds) != set(self.columns):
            raise DataError("kinds must name exactly the columns")
        for name, values in self.columns.items():
            _check_column(name, values, self.kinds[name], n)
        for name, direction in self.monotone.items():
            _check_monotone(name, direction, self.kinds)

    @property
    def rows(self) -> int:
        return len(self.target)

    @property
    def names(self) -> list[str]:
        """Column names, sorted (the order every model and encoding uses)."""
        return sorted(self.columns)

    def direction(self, name: str) -> int:
        return int(self.monotone.get(name, 0))

    def subset(self, rows_mask: NDArray[Any]) -> Dataset:
        """The rows selected by a boolean mask or an index array."""
        return Dataset(
            {k: v[rows_mask] for k, v in self.columns.items()}, self.target[rows_mask], self.kinds, self.monotone,
            self.source,
        )

    def select(self, names: Collection[str]) -> Dataset:
        """This dataset with only the columns in ``names``."""
        keep = [n for n in self.names if n in names]
        return Dataset({n: self.columns[n] for n in keep}, self.target, {n: self.kinds[n] for n in keep},
                       {n: d for n, d in self.monotone.items() if n in names}, self.source)

    def with_monotone(self, overrides: Mapping[str, int] | None) -> Dataset:
        """This dataset with ``overrides`` laid over the declared monotone directions."""
        return Dataset(self.columns, self.target, self.kinds, {**self.monotone, **(overrides or {})}, self.source)

    @classmethod
    def from_arrays(
        cls, columns: Mapping[str, NDArray[Any]], target: NDArray[Any], monotone: Mapping[str, int] | None = None
    ) -> Dataset:
        """A dataset whose kinds follow the dtypes: floating → numeric, anything else → categorical."""
        cols: dict[str, NDArray[Any]] = {}
        kinds: dict[str, Kind] = {}
        for name, values in columns.items():
            numeric = np.issubdtype(values.dtype, np.number) and not np.issubdtype(values.dtype, np.bool_)
            cols[name] = values.astype(np.float64) if numeric else _categorical(values)
            kinds[name] = "numeric" if numeric else "categorical"
        return cls(cols, np.asarray(target).astype(np.int8), kinds, dict(monotone or {}))


def _categorical(values: NDArray[Any]) -> NDArray[np.object_]:
    out = np.empty(len(values), dtype=object)
    out[:] = [None if v is None else str(v) for v in values]
    return out


def _check_column(name: str, values: NDArray[Any], kind: str, n: int) -> None:
    if kind not in KINDS:
        raise DataError(f"column {name!r}: kind must be one of {KINDS}, not {kind!r}")
    if len(values) != n:
        raise DataError(f"column {name!r} has {len(values)} rows, the target {n}")
    expected = np.float64 if kind == "numeric" else np.object_
    if values.dtype != expected:
        raise DataError(f"column {name!r} is {kind}: expected dtype {np.dtype(expected)}, got {values.dtype}")


def _check_monotone(name: str, direction: int, kinds: Mapping[str, Kind]) -> None:
    if name not in kinds:
        raise DataError(f"monotone direction given for unknown column {name!r}")
    if direction not in (-1, 0, 1):
        raise DataError(f"monotone direction of {name!r} must be -1, 0 or +1, not {direction!r}")
    if direction and kinds[name] != "numeric":
        raise DataError(f"column {name!r} is categorical: it cannot be declared monotone")


def read_csv(
    path: str | Path,
    target: str,
    bad_value: str | None = None,
    *,
    kinds: Mapping[str, Kind] | None = None,
    ignore: Collection[str] = (),
    good_values: Collection[str] = (),
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Dataset:
    """Read a CSV with a header (stdlib ``csv``), inferring each column's kind.

    A column is numeric when every cell is a number or missing (:func:`parse_number`: thousands
    separators allowed, :data:`MISSING_TOKENS` missing; ``kinds`` overrides the inference). Columns in ``ignore`` (ids,
    dates) are not read. The target follows :func:`target_rule`; rows whose target is blank are
    left out and counted in ``source``. The file is read by :func:`scoring.table.read` (encoding
    and delimiter detected unless given; both recorded in ``source``), as scoring reads it.
    """
    table = table_.read(path, encoding=encoding, delimiter=delimiter)
    header, rows = table.header, table.rows
    if target not in header:
        raise DataError(f"{path}: no target column {target!r} (columns: {', '.join(header)}; {table.how})")
    cells = dict(zip(header, zip(*rows, strict=True), strict=True)) if rows else {h: () for h in header}
    y, labelled, rule = target_rule(list(cells[target]), target, bad_value, good_values)
    columns: dict[str, NDArray[Any]] = {}
    found: dict[str, Kind] = {}
    for name in header:
        if name == target or name in ignore:
            continue
        kept = [c for c, keep in zip(cells[name], labelled, strict=True) if keep]
        columns[name], found[name] = _parse_column(name, kept, (kinds or {}).get(name))
    source = {**table.source(), "rows_read": len(rows), "blank_targets_excluded": len(rows) - len(y), **rule}
    return Dataset(columns, y, found, source=source)


def target_rule(
    values: Sequence[str], name: str, bad_value: str | None, good_values: Collection[str] = ()
) -> tuple[NDArray[np.int8], list[bool], dict[str, Any]]:
    """The 0/1 target (1 = bad) of the rows with a target, which rows those are, and the rule used.

    A blank target (a :data:`MISSING_TOKENS` cell) leaves its row out. Without ``bad_value`` the
    target must hold only 0 and 1. With it, a cell equal to it (after stripping, case and all) is
    bad and a cell in ``good_values`` good; without ``good_values`` the target's one other value is
    the good one. Anything else is an error listing the values seen, so ``BAD`` beside ``bad``, a
    typo or a third status is never silently counted as good.
    """
    labelled = [not is_missing_token(v) for v in values]
    cells = [v.strip() for v, keep in zip(values, labelled, strict=True) if keep]
    seen = Counter(cells)
    if bad_value is None:
        if good_values:
            raise DataError(f"target {name!r}: good values (--good-value) need the bad value (--bad-value)")
        return _binary(cells, name, seen), labelled, {"target": "0/1, 1 = bad"}
    bad = bad_value.strip()
    if bad not in seen:
        raise DataError(f"target {name!r}: bad value {bad_value!r} never occurs; values seen: {_show(seen)}")
    goods = {g.strip() for g in good_values} or _the_other_value(seen, bad)
    unknown = Counter({v: n for v, n in seen.items() if v != bad and v not in goods})
    if unknown:
        raise DataError(_unknown_targets(name, bad, goods, unknown, seen))
    y = np.fromiter((c == bad for c in cells), dtype=np.int8, count=len(cells))
    return y, labelled, {"target": f"{name} = {bad!r} is bad", "good_values": sorted(goods)}


def _the_other_value(seen: Counter[str], bad: str) -> set[str]:
    others = [v for v in seen if v != bad]
    lone = len(others) == 1 and others[0].casefold() != bad.casefold()
    return set(others) if lone else set()


def _unknown_targets(name: str, bad: str, goods: set[str], unknown: Counter[str], seen: Counter[str]) -> str:
    variants = [v for v in unknown if v.casefold() == bad.casefold()]
    hint = f" ({', '.join(map(repr, variants))} differs from the bad value only in case)" if variants else ""
    declared = f"good values {sorted(goods)}" if goods else "no good value declared"
    return (f"target {name!r}: {_show(unknown)} neither bad ({bad!r}) nor good ({declared}){hint}; "
            f"declare the good values with --good-value (repeatable); values seen: {_show(seen)}")


def _binary(cells: Sequence[str], name: str, seen: Counter[str]) -> NDArray[np.int8]:
    as_number = {c: _as_binary(c) for c in seen}
    if None in as_number.values():
        raise DataError(
            f"target {name!r} must hold only 0 and 1 (1 = bad), or give the bad value "
            f"(--bad-value); values seen: {_show(seen)}"
        )
    return np.fromiter((as_number[c] or 0 for c in cells), dtype=np.int8, count=len(cells))


def _as_binary(cell: str) -> int | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return int(value) if value in (0.0, 1.0) else None


def _show(seen: Counter[str], limit: int = 10) -> str:
    shown = ", ".join(f"{v!r} ({n} rows)" for v, n in sorted(seen.items())[:limit])
    return shown + (f", … ({len(seen) - limit} more)" if len(seen) > limit else "")


def _parse_column(name: str, cells: Sequence[str], kind: Kind | None) -> tuple[NDArray[Any], Kind]:
    if kind not in (None, *KINDS):
        raise DataError(f"column {name!r}: kind must be one of {KINDS}, not {kind!r}")
    if kind != "categorical":
        numbers = _floats(cells)
        if numbers is not None:
            return numbers, "numeric"
        if kind == "numeric":
            raise DataError(f"column {name!r} was declared numeric but holds non-numeric cells")
    out = np.empty(len(cells), dtype=object)
    out[:] = [None if is_missing_token(c) else c.strip() for c in cells]
    return out, "categorical"


def _floats(cells: Sequence[str]) -> NDArray[np.float64] | None:
    values = [parse_number(c) for c in cells]
    return None if None in values else np.array(values, dtype=np.float64)


def synthetic(n: int, seed: int = 7) -> Dataset:
    """A learnable synthetic SME book: a hidden health drives every column and the default.

    Monotone by construction: ``growth``, ``tax_paid`` and ``employees`` lower risk (+1),
    ``penalties`` raises it (-1); ``utilisation`` is U-shaped (unconstrained), ``noise`` is
    noise, ``industry`` is categorical (with a rare category and missing values). About 10 % bad.
    """
    rng = np.random.default_rng(seed)
    health = rng.normal(size=n)
    util = rng.normal(size=n)
    industry = rng.choice(np.array(list("ABCDEFG")), size=n, p=[0.3, 0.2, 0.15, 0.15, 0.1, 0.09, 0.01])
    effect = np.select([industry == "A", industry == "D", industry == "G"], [-0.3, 0.5, 0.8], 0.0)
    logit = -2.6 - 1.3 * health + 0.5 * (util**2 - 1) + effect
    tax = np.exp(10 + 0.6 * health + rng.normal(0, 0.7, n))
    tax[rng.random(n) < 1 / (1 + np.exp(2.2 + 0.6 * health))] = np.nan
    industry_cells = industry.astype(object)
    industry_cells[rng.random(n) < 0.04] = None
    columns: dict[str, NDArray[Any]] = {
        "growth": np.round(0.6 * health + rng.normal(0, 0.8, n), 3),
        "tax_paid": np.round(tax, 2),
        "employees": rng.poisson(np.exp(2 + 0.35 * health)).astype(np.float64),
        "penalties": rng.poisson(np.exp(-1.2 - 0.7 * health)).astype(np.float64),
        "utilisation": np.round(util, 3),
        "noise": np.round(rng.normal(size=n), 3),
        "industry": industry_cells,
    }
    target = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int8)
    monotone = {"growth": 1, "tax_paid": 1, "employees": 1, "penalties": -1}
    return Dataset.from_arrays(columns, target, monotone)
