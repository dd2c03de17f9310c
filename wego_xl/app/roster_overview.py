"""The roster at a glance, as ``wego-xl roster`` shows it: the counts by region, capital status
and membership type on a date (or on 2016-01-01 beside the 2016 source's totals), and the
changes recorded since that source (joined, upgraded, withdrawn, renamed, with decisions)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..rules.history import Change
from ..store.roster import Roster
from .summary import SummaryRow, roster_summary

#: The day the 2016 source's totals describe (as the Summary sheet of fee year 2016 compares).
SOURCE_DAY = (2016, 1, 1)


def changes_since_source(roster: Roster, through: dt.date) -> list[Change]:
    """The History rows effective from the 2016 source's day through ``through``, in date order."""
    source_day = dt.date(*SOURCE_DAY)
    return sorted(
        (
            c
            for c in roster.history
            if c.effective is not None and source_day <= c.effective <= max(through, source_day)
        ),
        key=lambda c: (c.effective or source_day, c.row),
    )


@dataclass(frozen=True)
class RosterOverview:
    """The counts on ``day`` (``compared``: on the 2016 source's day, beside its totals), the
    changes since the source, and each member's name to show."""

    day: dt.date
    compared: bool
    by_region: list[SummaryRow]
    by_type: list[SummaryRow]
    changes: list[Change]
    names: dict[str, str]

    @property
    def reconciles(self) -> bool:
        """Whether every count matches the 2016 source's total beside it."""
        return all(x.reconciles for x in self.by_region + self.by_type)

    def name(self, member_id: str) -> str:
        """The member's name to show (its id when it is no longer on the Members sheet)."""
        return self.names.get(member_id, member_id)


def roster_overview(roster: Roster, day: dt.date | None = None, *, compare: bool = False) -> RosterOverview:
    """The counts on ``day`` (default: today) and the changes since the 2016 source through it;
    with ``compare``, the counts on the source's day and every change recorded since (through today)."""
    source_day = dt.date(*SOURCE_DAY)
    on = source_day if compare else day or dt.date.today()
    by_region, by_type = roster_summary(roster, on)
    names = {m.member_id: m.display_name for m in roster.members}
    changes = changes_since_source(roster, dt.date.today() if compare else on)
    return RosterOverview(on, compare, by_region, by_type, changes, names)
