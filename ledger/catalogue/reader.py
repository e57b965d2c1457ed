"""The one reader of enterprise records, for ``ledger.catalogue.gate`` alone (seeds R5).

The gate is the one path by which anyone reads enterprise data: an import-linter contract
(``pyproject.toml``, "only the gate reads records") fails ``make test`` if any other module
imports this one.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ledger.catalogue.store import StoredRecord, records


class RecordReader:
    """Encrypted records of one enterprise. For ``ledger.catalogue.gate`` only."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def records(self, subject: str, departments: Sequence[str]) -> list[StoredRecord]:
        q = (sa.select(records.c.department, records.c.subject, records.c.period, records.c.content_hash,
                       records.c.sealed)
             .where(records.c.subject == subject, records.c.department.in_(departments))
             .order_by(records.c.department, records.c.period))
        with self.engine.connect() as conn:
            return [StoredRecord(str(d), str(s), str(p), str(h), bytes(b)) for d, s, p, h, b in conn.execute(q)]
