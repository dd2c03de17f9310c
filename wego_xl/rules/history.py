"""Membership over time: a member's status on any date, and whether it owes a fee for a
fee year, from the roster's History sheet (one row per change, with its decision).

Pure Python. The rules (``shared/domain.md``): an applicant becomes an associate when the
Secretariat accepts it and a full member when the Executive Committee approves it; the fee
is owed from the calendar year after it became full. So a member owes for fee year Y when
it was full at the end of Y-1 (a member that withdrew before Y began owes nothing for Y;
one that withdraws during Y still owes for Y).

A change whose date is unknown (the shipped 2016 statuses) is the member's status before
any dated change; its date is reported as unknown, never guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..errors import InputError
from ..messages import Phrase, say
from .membership import FeeDue, MembershipType

MEMBERSHIP = "Membership"


@dataclass(frozen=True)
class Change:
    """One row of the History sheet."""

    member_id: str
    what: str  # "Membership", "English name", "Korean name", "Country", "Capital", "Population"...
    before: str
    after: str
    effective: dt.date | None  # None: not known
    decision: str  # e.g. "EC 2016-2", "GA 2016"
    entered_by: str = ""
    entered_at: dt.date | None = None
    row: int = 0


@dataclass(frozen=True)
class Standing:
    """A member's status on a date, and since when (None: not known)."""

    status: MembershipType | None  # None: not a member yet on that date
    since: dt.date | None

    def label(self, language: str = "en") -> str:
        if self.status is None:
            return say("status.not_a_member", language)
        text = self.status.label(language)
        if self.status is MembershipType.WITHDRAWN:
            since = self.since.isoformat() if self.since else say("status.date_unknown", language)
            return say("status.withdrawn_since", language, status=text, since=since)
        return text


def membership_changes(changes: list[Change], member_id: str) -> tuple[list[Change], list[Change]]:
    """(changes of unknown date, dated changes in date order) of the member's membership."""
    mine = [c for c in changes if c.member_id == member_id and c.what == MEMBERSHIP]
    undated = [c for c in mine if c.effective is None]
    dated = sorted((c for c in mine if c.effective is not None), key=lambda c: (c.effective, c.row))
    return undated, dated


def standing_on(changes: list[Change], member_id: str, day: dt.date, current: MembershipType) -> Standing:
    """The member's status on ``day``: the last dated change on or before it; before the first
    one, the status it came from; without any dated change, ``current`` (the Members sheet)."""
    _, dated = membership_changes(changes, member_id)
    passed = [c for c in dated if c.effective is not None and c.effective <= day]
    if passed:
        last = passed[-1]
        return Standing(MembershipType.parse(last.after), last.effective)
    if dated:  # every dated change is later: the status it came from (none: not a member yet)
        return Standing(MembershipType.parse(dated[0].before) if dated[0].before else None, None)
    return Standing(current, None)  # no dated change: the Members sheet's status, since a date not known


def membership_on(changes: list[Change], member_id: str, day: dt.date, current: MembershipType) -> str:
    """The member's membership on ``day`` in words, as an invoice issued that day freezes it
    ("Full", "Withdrawn since 2017-03-01", "not a member yet"): from the History sheet's dated
    changes, never today's status when the history says otherwise."""
    return standing_on(changes, member_id, day, current).label()


def fee_due_from_history(changes: list[Change], member_id: str, fee_year: int) -> FeeDue | None:
    """Whether a fee is owed for ``fee_year`` from the member's dated changes; None when the
    history has no dated membership change (the Members sheet's years decide)."""
    _, dated = membership_changes(changes, member_id)
    if not dated:
        return None
    end = dt.date(fee_year - 1, 12, 31)
    standing = standing_on(changes, member_id, end, MembershipType.FULL)
    if standing.status is MembershipType.FULL:
        since = standing.since.isoformat() if standing.since else Phrase.of("due.date_not_recorded")
        return FeeDue(True, Phrase.of("due.history_full", since=since, before=fee_year - 1, year=fee_year))
    if standing.status is MembershipType.WITHDRAWN:
        since = standing.since.isoformat() if standing.since else Phrase.of("due.date_not_recorded")
        return FeeDue(False, Phrase.of("due.history_withdrawn", since=since, year=fee_year))
    shown = Phrase.of(
        f"status.{standing.status.english.lower()}_word" if standing.status else "status.not_a_member_word"
    )
    return FeeDue(False, Phrase.of("due.history_not_full", before=fee_year - 1, status=shown))


#: Which moves need a decision reference, and which are refused outright.
ALLOWED = {
    MembershipType.APPLICANT: {MembershipType.ASSOCIATE, MembershipType.WITHDRAWN},
    MembershipType.ASSOCIATE: {MembershipType.FULL, MembershipType.WITHDRAWN},
    MembershipType.FULL: {MembershipType.ASSOCIATE, MembershipType.WITHDRAWN},
    MembershipType.FRIENDSHIP: {MembershipType.WITHDRAWN},
    MembershipType.WITHDRAWN: {MembershipType.APPLICANT, MembershipType.ASSOCIATE, MembershipType.FULL},
}


def check_effective(effective: dt.date, today: dt.date | None = None) -> None:
    """Refuse a change dated after today: the Members sheet shows today's state, so a change
    is recorded once it has taken effect (an EC decision of 2016-11 withdrawing a member from
    2017-01-01 is entered on or after 2017-01-01)."""
    today = today or dt.date.today()
    if effective > today:
        raise InputError(
            f"the effective date {effective} is after today ({today}): record the change once it has taken "
            "effect (the Members sheet shows today's membership); nothing was changed"
        )


def check_move(
    changes: list[Change],
    member_id: str,
    current: MembershipType,
    to: MembershipType,
    effective: dt.date,
    decision: str,
) -> None:
    """Refuse an impossible membership change: an unknown move, one without the decision it
    needs (Full -> Associate, a return after withdrawal, any EC step), a date before the
    member existed or before its last recorded change, a date after today, a second withdrawal."""
    check_effective(effective)
    _, dated = membership_changes(changes, member_id)
    now = standing_on(changes, member_id, dt.date.max, current).status or MembershipType.APPLICANT
    if to is now:
        extra = " again" if to is MembershipType.WITHDRAWN else ""
        raise InputError(f"the member is already {now.english}; it cannot become {to.english}{extra}")
    if to not in ALLOWED[now]:
        raise InputError(f"a member cannot go from {now.english} to {to.english}")
    needs_decision = (
        to is MembershipType.FULL
        or now is MembershipType.WITHDRAWN
        or (now is MembershipType.FULL and to is MembershipType.ASSOCIATE)
    )
    if needs_decision and not decision.strip():
        raise InputError(f'{now.english} -> {to.english} needs the decision that made it (--decision "EC 2016-2")')
    if dated and dated[-1].effective is not None and effective < dated[-1].effective:
        raise InputError(
            f"the effective date {effective} is before the member's last recorded change ({dated[-1].effective})"
        )
    if dated and dated[0].effective is not None and effective < dated[0].effective:
        raise InputError(f"the effective date {effective} is before the member existed ({dated[0].effective})")
