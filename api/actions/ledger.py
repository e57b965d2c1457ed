"""The operating ledger (台账, seeds R2/R10) folded from the deployed LoanLedger's events alone
(``ledger.operating``), and each department's data-aggregation assessment: what ``credtrace ledger
report`` and ``report departments`` print and the portal's regulator page charts."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from api.settings import Settings
    from ledger.catalogue.assessment import DepartmentAssessment
    from ledger.chain import Chain
    from ledger.operating import Report


def folded_on(chain: Chain, settings: Settings) -> Report:
    """Read the deployed LoanLedger's events from its deployment block and fold them."""
    from ledger.chain import deployment
    from ledger.contracts.loan_ledger import NAME
    from ledger.operating import fold
    from ledger.operating.reader import read

    dep = deployment.load(settings.deployment_path)
    reading = read(deployment.contract(chain, dep, NAME), dep.contracts[NAME].block_number)
    return fold(reading.events, reading.source)


def departments(engine: Engine) -> list[DepartmentAssessment]:
    """Each department's timeliness, completeness and accuracy (R10), from what it supplied."""
    from ledger.catalogue.assessment import assess
    from ledger.catalogue.store import SupplyStats

    return assess(SupplyStats(engine))
