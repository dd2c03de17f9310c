"""Roster counts by region, capital status and membership type, reconciled with the
totals the 2016 source prints ("회원 : 총 100개 [97개 도시, 3개 단체]")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..rules.membership import MembershipType
from .roster import REGIONS, Roster


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


def roster_summary(roster: Roster) -> tuple[list[SummaryRow], list[SummaryRow]]:
    """(rows by region with a total, rows by membership type), each beside the 2016 figure."""
    cities = [m for m in roster.members if m.is_city]
    by_region = []
    for region in REGIONS:
        here = [m for m in cities if m.region == region]
        caps = sum(1 for m in here if m.capital)
        by_region.append(SummaryRow(region, caps, len(here) - caps, len(here), SOURCE_2016.regions[region]))
    caps = sum(1 for m in cities if m.capital)
    by_region.append(SummaryRow("All cities", caps, len(cities) - caps, len(cities), SOURCE_2016.cities))
    by_type = [
        SummaryRow(
            kind.english,
            None,
            None,
            sum(1 for m in roster.members if m.membership is kind),
            SOURCE_2016.membership[kind],
        )
        for kind in MembershipType
    ]
    by_type.append(SummaryRow("All members", None, None, len(roster.members), SOURCE_2016.members))
    return by_region, by_type
