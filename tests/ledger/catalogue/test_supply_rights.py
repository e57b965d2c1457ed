"""Who may supply which dataset (issue 12, high): only an active PROVIDER registered for the
department that owns the dataset; everyone else is refused, recorded as DENIED, with nothing
stored. A department changes its own rows by a correction (TRANSFORM, old version kept), never by
racing: a poisoner cannot get in first. On eth-tester, the credtrace devnet and Anvil."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from supply_world import SupplyWorld, build

from ledger.catalogue.errors import BatchRepeated, CatalogueError, SupplyRefused
from ledger.catalogue.ingest import correct, ingest
from ledger.catalogue.store import records, versions
from ledger.chain import Chain, Identity, TransactionSender
from ledger.types import Role

CODE = "91350100M000100Y43"


def tax_row(sales: float, period: str = "2026-09") -> dict[str, object]:
    return {"credit_code": CODE, "period": period, "invoiced_sales": sales, "tax_paid": sales / 10}


@pytest.fixture
def world(chain: Chain, make_identity: Callable[[Role], Identity],
          sender: Callable[[Identity], TransactionSender], tmp_path: Path) -> SupplyWorld:
    return build(chain, make_identity, sender, tmp_path)


def stored(world: SupplyWorld) -> list[tuple[str, str, int]]:
    with world.ingestion.writer.engine.connect() as conn:
        return [(str(d), str(h), int(v)) for d, h, v in conn.execute(
            sa.select(records.c.department, records.c.content_hash, records.c.version))]


def test_only_an_active_provider_of_the_owning_department_may_supply(world: SupplyWorld) -> None:
    regulator = world.regulator
    suspended, exited = world.register(Role.PROVIDER, "tax"), world.register(Role.PROVIDER, "tax")
    world.registry.suspend(world.send(regulator), suspended.address, "inquiry")
    world.registry.exit(world.send(exited), exited.address, "leaving")
    exited_bank = world.register(Role.BANK)
    world.registry.exit(world.send(exited_bank), exited_bank.address, "leaving")
    senders = {
        "a bank": (world.register(Role.BANK), "tax", "role BANK may not supply data"),
        "an enterprise": (world.register(Role.ENTERPRISE), "tax", "role ENTERPRISE may not supply data"),
        "an unregistered key": (world.make(Role.PROVIDER), "tax", "is not a registered participant"),
        "a suspended department": (suspended, "tax", "the provider is suspended, not active"),
        "an exited department": (exited, "tax", "the provider is exited, not active"),
        "an exited bank": (exited_bank, "tax", "role BANK may not supply data"),
        "another department": (world.register(Role.PROVIDER, "market_supervision"), "tax",
                               "not registered for the tax department"),
        "a provider of no department": (world.register(Role.PROVIDER), "tax", "not registered for the tax"),
        "an unknown dataset": (world.register(Role.PROVIDER, "tax"), "salaries", "not a dataset the platform holds"),
    }
    for case, (who, dataset, why) in senders.items():
        size = world.ingestion.sequencer.store.size()
        with pytest.raises(SupplyRefused, match=why) as refused:
            ingest(world.ingestion, dataset, [tax_row(1.0)], who.address)
        event = world.event()
        assert (event["action"], event["actor"], event["assets"]) == ("DENIED", who.address, []), case
        assert why in event["reason"] and CODE not in event["reason"], case
        assert refused.value.event_index == size, case
    assert stored(world) == [] and world.ingestion.writer.unrecorded() == []
    tax = world.register(Role.PROVIDER, "tax")
    report = ingest(world.ingestion, "tax", [tax_row(1.0)], tax.address)
    assert (report.stored, world.event()["action"]) == (1, "INGEST")


def test_a_poisoner_cannot_get_in_first_and_a_department_corrects_by_a_new_version(world: SupplyWorld) -> None:
    tax, poisoner = world.register(Role.PROVIDER, "tax"), world.register(Role.PROVIDER, "electricity")
    with pytest.raises(SupplyRefused):  # another department tries to be first for the enterprise-period
        ingest(world.ingestion, "tax", [tax_row(999_999.0)], poisoner.address)
    first = ingest(world.ingestion, "tax", [tax_row(100.0)], tax.address)
    assert first.stored == 1
    [(_, old_hash, version)] = stored(world)
    assert version == 1
    again = ingest(world.ingestion, "tax", [tax_row(120.0)], tax.address)  # racing itself: still a duplicate
    assert (again.stored, again.rejected[0][1].split(":")[0]) == (0, "duplicate")
    with pytest.raises(SupplyRefused):  # nor can anyone else correct the department's rows
        correct(world.ingestion, "tax", [tax_row(1.0)], poisoner.address)
    fixed = correct(world.ingestion, "tax", [tax_row(120.0), tax_row(5.0, "2026-10"), tax_row(120.0)], tax.address)
    assert (fixed.kind, fixed.stored, fixed.rejected_total) == ("correction", 1, 2)
    assert [r.split(":")[0] for _, r in fixed.rejected] == ["nothing to correct", "duplicate"]
    [(_, new_hash, version)] = stored(world)
    assert version == 2
    event = world.event()
    assert (event["action"], event["assets"], event["outputs"]) == ("TRANSFORM", [old_hash], [new_hash])
    assert event["actor"] == tax.address and event["purpose"] == "departmental-correction"
    with world.ingestion.writer.engine.connect() as conn:  # the old version is kept, not deleted
        kept = conn.execute(sa.select(versions.c.version, versions.c.content_hash, versions.c.replaced_with)).all()
    assert [tuple(r) for r in kept] == [(1, old_hash, new_hash)]
    size = world.ingestion.sequencer.store.size()
    with pytest.raises(CatalogueError, match=r"nothing was corrected: all 1 rows were rejected \(row 1: unchanged"):
        correct(world.ingestion, "tax", [tax_row(120.0)], tax.address)
    assert world.ingestion.sequencer.store.size() == size and world.ingestion.writer.unrecorded() == []


def test_a_keyed_batch_sent_again_is_a_retry_that_adds_nothing(world: SupplyWorld) -> None:
    """A department whose answer was lost sends the batch again under its key (the HTTP route's
    Idempotency-Key): nothing is stored twice and no second INGEST is recorded; the first batch is named."""
    tax = world.register(Role.PROVIDER, "tax")
    first = ingest(world.ingestion, "tax", [tax_row(100.0)], tax.address, key="retry-1")
    size = world.ingestion.sequencer.store.size()
    with pytest.raises(BatchRepeated) as repeated:
        ingest(world.ingestion, "tax", [tax_row(100.0)], tax.address, key="retry-1")
    assert (repeated.value.batch.batch_id, repeated.value.batch.event_index) == (first.batch_id, first.event_index)
    assert repeated.value.batch.rows_stored == 1 and world.ingestion.sequencer.store.size() == size
    other = ingest(world.ingestion, "tax", [tax_row(7.0, "2026-10")], tax.address, key="retry-2")
    assert other.stored == 1 and other.batch_id != first.batch_id
    assert len(stored(world)) == 2
