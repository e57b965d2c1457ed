"""Labelled corruptions of pilot rows, for ingestion tests and the demo: a bad check character,
a negative value, a missing field, a duplicate — each recorded so a test knows what to expect."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from ledger.identifiers import uscc
from simulation.errors import PilotError
from simulation.pilot import Row


class Defect(StrEnum):
    BAD_CHECK_CHARACTER = "bad_check_character"
    NEGATIVE_VALUE = "negative_value"
    MISSING_FIELD = "missing_field"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class BadRow:
    index: int
    defect: Defect
    detail: str  # the field changed or removed, or the index of the row duplicated


def with_bad_rows(rows: Sequence[Row], k: int, rng: np.random.Generator) -> tuple[list[Row], tuple[BadRow, ...]]:
    """A copy of ``rows`` with ``k`` of them corrupted, and what was done to each, by index.

    A duplicate replaces the row with a copy of an earlier, untouched row (same credit code and
    period), so it is the second of the pair; the first row of all cannot be one and gets a negative value.
    """
    if not 0 <= k < len(rows):
        raise PilotError(f"can corrupt 0 to {len(rows) - 1} of {len(rows)} rows, not {k}")
    out = [dict(r) for r in rows]
    chosen = rng.choice(len(rows), k, replace=False).tolist()
    untouched = np.asarray(sorted(set(range(len(rows))) - set(chosen)), dtype=np.int64)
    bad = []
    for index, drawn in zip(chosen, rng.choice(list(Defect), k).tolist(), strict=True):
        earlier = untouched[untouched < index]
        defect = Defect.NEGATIVE_VALUE if drawn == Defect.DUPLICATE and not len(earlier) else Defect(drawn)
        if defect is Defect.DUPLICATE:
            source = int(earlier[rng.integers(len(earlier))])
            out[index] = dict(out[source])
            bad.append(BadRow(index, defect, str(source)))
        else:
            bad.append(BadRow(index, defect, _corrupt(out[index], defect, rng)))
    return out, tuple(sorted(bad, key=lambda b: b.index))


def _corrupt(row: Row, defect: Defect, rng: np.random.Generator) -> str:
    """Corrupt ``row`` in place; the name of the field changed or removed."""
    if defect is Defect.BAD_CHECK_CHARACTER:
        code = str(row["credit_code"])
        row["credit_code"] = code[:17] + uscc.CHARSET[(uscc.CHARSET.index(code[17]) + 1) % len(uscc.CHARSET)]
        return "credit_code"
    if defect is Defect.NEGATIVE_VALUE:
        name, value = next((n, v) for n, v in row.items() if isinstance(v, int | float))
        row[name] = -abs(value) - 1
        return name
    name = list(row)[int(rng.integers(len(row)))]
    del row[name]
    return name
