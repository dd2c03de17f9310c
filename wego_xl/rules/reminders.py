"""Which reminder a member gets now: the ladder. A member is first reminded (level 1), then
reminded again (2), then given the final reminder (3); the level follows the reminders already
made for the amounts now late and how late the oldest of them is, never the days alone (the
first reminder a member receives is never the final one). Two reminders are at least
``GAP_DAYS`` apart. Pure: the log comes in as data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

#: Days past due from which a reminder may be the second, then the final one.
STEPS = (31, 91)
#: Days at least between two reminders to one member.
GAP_DAYS = 14
LEVELS = {1: "first reminder", 2: "second reminder", 3: "final reminder"}


@dataclass(frozen=True)
class Sent:
    """A reminder made earlier (from the ledger's log)."""

    date: dt.date
    level: int
    amount: Decimal


@dataclass(frozen=True)
class NextReminder:
    """The reminder due now (``level`` None: none now) and why, in a line."""

    level: int | None
    why: str


def level_by_lateness(days_past_due: int) -> int:
    """The highest level the oldest amount's lateness allows: 1, 2 (from 31 days) or 3 (from 91)."""
    return 1 + sum(days_past_due >= step for step in STEPS)


def next_reminder(oldest_due: dt.date, as_of: dt.date, sent: Iterable[Sent], *, gap: int = GAP_DAYS) -> NextReminder:
    """The reminder a member whose oldest late amount fell due on ``oldest_due`` gets on
    ``as_of``, given the reminders made to it (those before that day are of debts since paid)."""
    days = (as_of - oldest_due).days
    if days <= 0:
        return NextReminder(None, f"nothing is past due on {as_of}")
    allowed = level_by_lateness(days)
    near = sorted((s for s in sent if abs((as_of - s.date).days) < gap), key=lambda s: (s.date, s.level))
    if near:  # within two weeks of this day, before it or (made for a later day) after it
        last = near[-1]
        return NextReminder(None, f"reminded on {last.date} ({LEVELS[last.level]}): the next one not before "
                                  f"{last.date + dt.timedelta(days=gap)}")  # fmt: skip
    earlier = sorted((s for s in sent if oldest_due < s.date <= as_of), key=lambda s: (s.date, s.level))
    if not earlier:
        return NextReminder(1, f"{days} day(s) past due, no reminder yet: the first reminder")
    last = earlier[-1]
    level = max(1, min(max(s.level for s in earlier) + 1, allowed, 3))
    return NextReminder(level, f"{days} day(s) past due, {len(earlier)} reminder(s) since (the last "
                               f"{LEVELS[last.level]} on {last.date}): the {LEVELS[level]}")  # fmt: skip
