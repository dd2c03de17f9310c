"""What a refresh of a fee year comes to, in figures: the members assessed, those owing, the
fees computed and their total, those that cannot be computed yet, and the checks by severity
(as ``wego-xl refresh`` reports them)."""

from __future__ import annotations

from dataclasses import dataclass

from .report import Report


@dataclass(frozen=True)
class RefreshTotals:
    """The figures of a refresh's report."""

    members: int
    owing: int
    fees_computed: int
    total_owed: float
    cannot_compute: int
    errors: int
    checks: int
    counts: dict[str, int]


def refresh_totals(report: Report) -> RefreshTotals:
    """The figures of ``report``: a fee is computed for each member owing one whose inputs are
    complete; the checks are counted as ``check`` counts them."""
    owing = [a for a in report.assessments if a.due.owed]
    blocked = len(report.not_computable)
    return RefreshTotals(
        members=len(report.assessments),
        owing=len(owing),
        fees_computed=len(owing) - blocked,
        total_owed=report.total_owed,
        cannot_compute=blocked,
        errors=len(report.check_rows("error")),
        checks=len(report.checks),
        counts=report.counts,
    )
