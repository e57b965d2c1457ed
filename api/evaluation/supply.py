"""The catalogue's counts as they stood when the log held its first ``cut`` events, so the departments'
data-aggregation assessment (数据汇集考核, seeds R10; ``ledger.catalogue.assessment``) can be read at the
end of each month of the pilot, not only at the end.

Honest because every batch names the INGEST (or correction TRANSFORM) event that recorded it
(``catalogue_batches.event_index``) and the log only grows: a batch counts when that event is below the
cut; a record (department, enterprise, period) counts when any of its versions came in such a batch (the
first version's batch is kept in ``catalogue_record_versions`` once corrected); a period's first arrival
counts when a batch of that department received at that very time is below the cut (the arrival is the
``received_at`` of the batch that brought it). Batches whose event is not in the log yet count nowhere.
The assessment itself is not restated: :func:`ledger.catalogue.assessment.assess` is run on these counts.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ledger.catalogue.store import SupplyStats, arrivals, batches, records, versions


class SupplyBefore(SupplyStats):
    """:class:`SupplyStats` restricted to the batches recorded by log events ``0 .. cut - 1``."""

    def __init__(self, engine: Engine, cut: int) -> None:
        super().__init__(engine)
        self.cut = cut

    def _batches(self) -> sa.Select[tuple[str]]:
        return sa.select(batches.c.batch_id).where(batches.c.event_index < self.cut)

    def rows(self) -> dict[str, tuple[int, int]]:
        q = (sa.select(batches.c.department, sa.func.sum(batches.c.rows_total), sa.func.sum(batches.c.rows_stored))
             .where(batches.c.kind != "correction", batches.c.event_index < self.cut).group_by(batches.c.department))
        with self.engine.connect() as conn:
            return {str(d): (int(t), int(s)) for d, t, s in conn.execute(q)}

    def coverage(self) -> tuple[int, set[str], dict[str, tuple[int, int]]]:
        keys = sa.union(*(sa.select(t.c.department, t.c.subject, t.c.period).where(t.c.batch_id.in_(self._batches()))
                          for t in (records, versions))).subquery()
        with self.engine.connect() as conn:
            subjects = int(conn.scalar(sa.select(sa.func.count(sa.distinct(keys.c.subject)))) or 0)
            periods = {str(p) for (p,) in conn.execute(sa.select(keys.c.period).distinct())}
            per = {str(d): (int(n), int(s)) for d, n, s in conn.execute(
                sa.select(keys.c.department, sa.func.count(), sa.func.count(sa.distinct(keys.c.subject)))
                .group_by(keys.c.department))}
        return subjects, periods, per

    def arrivals(self) -> dict[str, list[tuple[str, str]]]:
        brought = sa.exists().where(batches.c.department == arrivals.c.department,
                                    batches.c.received_at == arrivals.c.first_arrival,
                                    batches.c.event_index < self.cut)
        out: dict[str, list[tuple[str, str]]] = {}
        with self.engine.connect() as conn:
            for d, p, t in conn.execute(sa.select(arrivals.c.department, arrivals.c.period,
                                                  arrivals.c.first_arrival).where(brought)):
                out.setdefault(str(d), []).append((str(p), str(t)))
        return out
