"""Roster counts by region, capital status and membership type, reconciled with the
totals the 2016 source prints ("회원 : 총 100개 [97개 도시, 3개 단체]")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ..rules.history import standing_on
from ..rules.membership import MembershipType
from ..store.roster import REGIONS, Roster


@dataclass(frozen=True)
class SourceTotals:
    """The totals a published roster prints (cities only for regions and capitals)."""

    members: int
    cities: int
    capitals: int
    non_capitals: int
    regions: Mapping[str, int]
    membership: Mapping[MembershipType, int]


#: The 2016 source's own totals.
SOURCE_2016 = SourceTotals(
    members=100,
    cities=97,
    capitals=32,
    non_capitals=65,
    regions={"Asia": 44, "Oceania": 1, "Americas": 7, "Europe": 17, "Middle East": 4, "Africa": 24},
    membership={MembershipType.FULL: 90, MembershipType.ASSOCIATE: 7, MembershipType.FRIENDSHIP: 3},
)


@dataclass(frozen=True)
class SummaryRow:
    label: str
    capitals: int | None
    non_capitals: int | None
    total: int
    source_total: int | None

    @property
    def reconciles(self) -> bool:
        return self.source_total is None or self.total == self.source_total


#: Statuses of a member that counts as one (an applicant is not yet; a withdrawn one no longer).
ACTIVE = (MembershipType.FULL, MembershipType.ASSOCIATE, MembershipType.FRIENDSHIP)


def statuses_on(roster: Roster, day: dt.date | None = None) -> dict[str, MembershipType | None]:
    """Member id -> status on ``day`` (from the History sheet; default: the current status)."""
    if day is None:
        return {m.member_id: m.membership for m in roster.members}
    return {m.member_id: standing_on(roster.history, m.member_id, day, m.membership).status for m in roster.members}


def roster_summary(roster: Roster, day: dt.date | None = None) -> tuple[list[SummaryRow], list[SummaryRow]]:
    """(rows by region with a total, rows by membership type) on ``day`` (default: now). The
    2016 source's figures stand beside them only for a date in 2016 (or none given)."""
    status = statuses_on(roster, day)
    compare = day is None or day.year == 2016

    def source(value: int) -> int | None:
        return value if compare else None

    members = [m for m in roster.members if status[m.member_id] in ACTIVE]
    cities = [m for m in members if m.is_city]
    by_region = []
    for region in REGIONS:
        here = [m for m in cities if m.region == region]
        caps = sum(1 for m in here if m.capital)
        by_region.append(SummaryRow(region, caps, len(here) - caps, len(here), source(SOURCE_2016.regions[region])))
    caps = sum(1 for m in cities if m.capital)
    by_region.append(SummaryRow("All cities", caps, len(cities) - caps, len(cities), source(SOURCE_2016.cities)))
    counts = {kind: sum(1 for m in roster.members if status[m.member_id] is kind) for kind in MembershipType}
    by_type = [
        SummaryRow(kind.english, None, None, counts[kind], source(SOURCE_2016.membership.get(kind, 0)))
        for kind in MembershipType
        if kind in ACTIVE or counts[kind]
    ]
    by_type.append(SummaryRow("All members", None, None, len(members), source(SOURCE_2016.members)))
    return by_region, by_type
