"""The departments' data-aggregation assessment (R10): ``credtrace report departments`` and the portal."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from ledger.catalogue.assessment import DepartmentAssessment


def department_assessment(engine: Engine) -> list[DepartmentAssessment]:
    """Timeliness, completeness and accuracy of each department's supply, from the catalogue's statistics."""
    from ledger.catalogue.assessment import assess
    from ledger.catalogue.store import SupplyStats

    return assess(SupplyStats(engine))
