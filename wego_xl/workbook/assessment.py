"""The assessment of one member's fee for one fee year: whether a fee is owed, the inputs
used, and what is missing. Joins the rules (:mod:`wego_xl.rules`) with the roster's data.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import MissingDataError, WegoError
from ..rules.fees import FeeSchedule, gdp_reference_year, schedule_in_effect
from ..rules.history import fee_due_from_history
from ..rules.inputs import FIRST_FEE_YEAR, read_fee_year
from ..rules.membership import FeeDue, MembershipType, fee_obligation
from .roster import GDP_SHEET, MEMBERS_SHEET, SCHEDULE_SHEET, GdpFigure, Member, Roster


@dataclass(frozen=True)
class MissingInput:
    """One input that stops a fee being computed, and where in the roster it belongs."""

    text: str  # what is missing, in words
    sheet: str
    row: int | None
    column: str | None
    fix: str
    bad_cell: bool = False  # a cell that holds something unusable (already a roster problem)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Assessment:
    """Everything the finance staff need to know about one member's fee for one year."""

    member: Member
    fee_year: int
    due: FeeDue
    gdp_year: int
    gdp: GdpFigure | None
    schedule: FeeSchedule | None
    population_band: str = ""
    gdp_band: str = ""
    fee: float | None = None  # None when it cannot be computed yet
    missing: tuple[MissingInput, ...] = ()  # what stops the fee being computed

    @property
    def blocked(self) -> bool:
        """A fee is owed but cannot be computed yet."""
        return self.due.owed and self.fee is None

    @property
    def missing_text(self) -> str:
        return "; ".join(map(str, self.missing))

    @property
    def amount_owed(self) -> float | None:
        """The fee owed: 0 when none is owed, None when it cannot be computed yet."""
        if not self.due.owed:
            return 0.0
        return self.fee

    def explain(self) -> str:
        """One paragraph a finance user can paste into a letter or check by hand."""
        m = self.member
        name = m.display_name
        if not self.due.owed:
            return f"{name}, fee year {self.fee_year}: no fee owed ({self.due.reason})."
        if self.fee is None or self.gdp is None or self.schedule is None or m.population is None:
            return f"{name}, fee year {self.fee_year}: fee cannot be computed yet: {self.missing_text}."
        population_source = f"{m.population_source}, " if m.population_source else ""
        population_state = (
            "not yet confirmed"
            if m.population_imported
            else (f"confirmed by {m.population_confirmed_by}" if m.population_confirmed_by else "as typed")
        )
        gdp_state = (
            ""
            if self.gdp.manual
            else (f", confirmed by {self.gdp.confirmed}" if self.gdp.confirmed else ", not yet confirmed")
        )
        return (
            f"{name}, fee year {self.fee_year}: {self.fee:,.0f} USD. Population "
            f"{m.population:,.0f} ({self.population_band}; {population_source}{population_state}); "
            f"{m.gdp_code} GDP (PPP) per capita {self.gdp_year} {self.gdp.value:,.3f} USD "
            f"({self.gdp_band}, {self.gdp.described()}{gdp_state}); "
            f"{self.schedule.effective_year} fee table. {self.due.reason.capitalize()}."
        )

    def owed_or_raise(self) -> float:
        """The fee owed (0 when none is owed), or a :class:`MissingDataError` naming what is
        missing when a fee is owed but cannot be computed yet."""
        owed = self.amount_owed
        if owed is None:
            raise MissingDataError(f"{self.member.display_name} {self.fee_year}: {self.missing_text}")
        return owed


def membership_doubt(member: Member) -> str | None:
    """Why the Members sheet cannot say whether ``member`` owes a fee (a Full-since cell that
    cannot be read, a year before WeGO was founded, an Associate with a Full-since year,
    Full since before Associate since), or None when it can."""
    for column in ("Full since", "Associate since"):
        problem = member.problem_with(column)
        if problem is not None:
            return f"{column} cannot be read ({problem.problem})"
    full, associate = member.full_since, member.associate_since
    for column, year in (("Associate since", associate), ("Full since", full)):
        if year is not None and year < FIRST_FEE_YEAR:
            return f"{column} {year} is before WeGO was founded ({FIRST_FEE_YEAR})"
    if member.membership is MembershipType.ASSOCIATE and full is not None:
        return f"it is an Associate with a Full-since year ({full})"
    if full is not None and associate is not None and full < associate:
        return f"Full since {full} is before Associate since {associate}"
    return None


def obligation(roster: Roster, member: Member, fee_year: int) -> FeeDue:
    """Whether a fee is owed: from the History sheet's dated membership changes where there
    are some, else from the Members sheet (membership and Full since)."""
    from_history = fee_due_from_history(roster.history, member.member_id, fee_year)
    if from_history is not None:
        return from_history
    return fee_obligation(member.membership, fee_year, member.full_since)


def assess(roster: Roster, member: Member, fee_year: object) -> Assessment:
    """Assess ``member`` for ``fee_year`` using the roster's population, GDP and schedules."""
    year = read_fee_year(fee_year)
    missing: list[MissingInput] = []
    doubt = membership_doubt(member)
    if doubt is None:
        due = obligation(roster, member, year)
    else:  # never guessed: the fee waits until the Members sheet is corrected
        due = FeeDue(True, f"whether a fee is owed is unclear: {doubt}", assumed=True)
        missing.append(
            MissingInput(
                f"the membership years cannot be used: {doubt} (Members sheet, row {member.row})",
                MEMBERS_SHEET,
                member.row,
                "Full since",
                "correct Membership, Associate since and Full since from the EC decisions",
                bad_cell=True,
            )
        )
    gdp_year = gdp_reference_year(year)
    gdp = roster.gdp_figure(member.gdp_code, gdp_year)
    try:
        schedule = schedule_in_effect(year, roster.schedules)
    except WegoError as exc:
        schedule = None
        missing.append(MissingInput(str(exc), SCHEDULE_SHEET, None, None, "add a schedule to the Fee schedule sheet"))
    problem = member.problem_with("Population")
    if problem is not None:
        missing.append(
            MissingInput(
                f"the population cell is not usable: {problem}",
                MEMBERS_SHEET,
                member.row,
                "Population",
                problem.fix or "",
                bad_cell=True,
            )
        )
    elif member.population is None:
        missing.append(
            MissingInput(
                f"population is blank (Members sheet, row {member.row}): type it in persons",
                MEMBERS_SHEET,
                member.row,
                "Population",
                "type the population in persons, with its year and source",
            )
        )
    if gdp is None:
        editions = roster.editions()
        where = f"IMF WEO {editions[-1]}" if editions else "the GDP sheet (it is empty)"
        missing.append(
            MissingInput(
                f"no {member.gdp_code} GDP (PPP) per capita for {gdp_year} in {where}: run wego-xl import-weo",
                GDP_SHEET,
                None,
                "GDP per capita (PPP, USD)",
                "run wego-xl import-weo with a WEO edition that has this year",
            )
        )
    pop_band = gdp_band = ""
    fee = None
    if schedule and member.population is not None and gdp is not None:
        quote = schedule.quote(member.population, gdp.value)
        pop_band, gdp_band, fee = quote.population_band.label, quote.gdp_band.label, quote.fee
    return Assessment(
        member, year, due, gdp_year, gdp, schedule, pop_band, gdp_band, None if missing else fee, tuple(missing)
    )
