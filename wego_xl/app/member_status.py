"""A member's status as ``wego-xl status`` shows it: names, country, region, capital flag,
the status on a date (from the History sheet), the member's recorded changes and, for a fee
year, whether a fee is owed and how much."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..rules.history import Change, Standing, standing_on
from ..store.roster import Member, Roster
from .assessment import Assessment, assess
from .summary import ACTIVE

#: The capital flag in words (None: an organisation, not a city).
CAPITAL_WORDS = {True: "capital", False: "non-capital", None: "n/a (organisation)"}


@dataclass(frozen=True)
class MemberStatus:
    """A member, its standing on ``day`` (None: today), its History rows, and its
    assessment for a fee year (None: no fee year asked about)."""

    member: Member
    day: dt.date | None
    standing: Standing
    story: list[Change]
    assessment: Assessment | None

    @property
    def capital(self) -> str:
        """ "capital", "non-capital", or "n/a (organisation)"."""
        return CAPITAL_WORDS[self.member.capital]

    @property
    def counts_as_member(self) -> bool:
        """Whether the standing is a membership (full, associate, friendship) on the day."""
        return self.standing.status in ACTIVE

    def record(self, with_history: bool = False) -> dict[str, Any]:
        """The status as fields (what ``--json`` prints): the member's, the standing, and the
        History rows and the fee year's answer where asked for."""
        m, a = self.member, self.assessment
        info: dict[str, Any] = {
            "member_id": m.member_id, "status": m.membership.english, "status_ko": m.membership.korean,
            "name_en": m.name_en, "name_ko": m.name_ko, "aliases": list(m.aliases), "country": m.country,
            "country_code": m.country_iso3, "region": m.region, "capital": self.capital, "full_since": m.full_since,
            "population": m.population, "notes": m.notes, "status_on_date": self.standing.label(),
        }  # fmt: skip
        if with_history:
            info["history"] = [
                {"what": c.what, "from": c.before, "to": c.after, "effective": c.effective, "decision": c.decision,
                 "entered_by": c.entered_by, "entered_at": c.entered_at}
                for c in self.story
            ]  # fmt: skip
        if a:
            info.update(fee_year=a.fee_year, fee_owed=a.due.owed, reason=a.due.reason, fee=a.amount_owed,
                        missing=[str(item) for item in a.missing])  # fmt: skip
        return info


def member_status(
    roster: Roster, member: Member, fee_year: int | None = None, day: dt.date | None = None
) -> MemberStatus:
    """The status of ``member`` on ``day`` (None: today), with its assessment for ``fee_year``
    when one is given."""
    a = assess(roster, member, fee_year) if fee_year else None
    standing = standing_on(roster.history, member.member_id, day or dt.date.today(), member.membership)
    story = [c for c in roster.history if c.member_id == member.member_id]
    return MemberStatus(member, day, standing, story, a)
