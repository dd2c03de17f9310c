"""Everything the refresh would report for a fee year, in the same words, before billing:
what ``wego-xl check`` prints. The fee table's own steps are reported once, as published."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..rules.fees import schedule_findings
from ..rules.ledger import LedgerBook
from ..store.roster import Roster
from .checks import Check, count_by_severity
from .report import year_findings

#: The fields of a check, as the Checks sheet's columns.
CHECK_FIELDS = ("severity", "sheet", "row", "column", "problem", "fix")


@dataclass(frozen=True)
class YearCheck:
    """The checks of a fee year (the refresh's own list), the notes on each fee table, and
    how many checks there are of each severity."""

    fee_year: int
    findings: list[Check]
    table_notes: list[str]
    counts: dict[str, int]

    def rows(self, language: str = "en") -> list[dict[str, Any]]:
        """Each check as fields named by :data:`CHECK_FIELDS`, in ``language``."""
        return [dict(zip(CHECK_FIELDS, f.as_row(language), strict=True)) for f in self.findings]


def check_year(roster: Roster, fee_year: int, ledger: LedgerBook | None = None) -> YearCheck:
    """The checks of ``fee_year`` with the invoices of ``ledger`` (the roster's ledger as it
    stands; None without one), and the steps of every fee table that do not rise."""
    _, findings = year_findings(roster, fee_year, ledger)
    table_notes = [f"{s.effective_year} table: {f}" for s in roster.schedules for f in schedule_findings(s)]
    return YearCheck(fee_year, findings, table_notes, count_by_severity(findings))
