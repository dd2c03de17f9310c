"""The assessment of one member's fee for one fee year: whether a fee is owed, the inputs
used, and what is missing. Joins the rules (:mod:`wego_xl.rules`) with the roster's data.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import MissingDataError, WegoError
from ..messages import Phrase, band_label, say
from ..rules.fees import FeeSchedule, gdp_reference_year, schedule_in_effect
from ..rules.history import fee_due_from_history
from ..rules.inputs import FIRST_FEE_YEAR, read_fee_year
from ..rules.membership import FeeDue, MembershipType, fee_obligation
from ..store.roster import GDP_SHEET, MEMBERS_SHEET, SCHEDULE_SHEET, GdpFigure, Member, Roster


@dataclass(frozen=True)
class MissingInput:
    """One input that stops a fee being computed, and where in the roster it belongs."""

    what: Phrase  # what is missing
    sheet: str
    row: int | None
    column: str | None
    fix: Phrase
    bad_cell: bool = False  # a cell that holds something unusable (already a roster problem)

    def text(self, language: str = "en") -> str:
        return self.what.text(language)

    def __str__(self) -> str:
        return self.text()


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
        return self.missing_in()

    def missing_in(self, language: str = "en") -> str:
        """What stops the fee, in ``language``."""
        return "; ".join(item.text(language) for item in self.missing)

    @property
    def amount_owed(self) -> float | None:
        """The fee owed: 0 when none is owed, None when it cannot be computed yet."""
        if not self.due.owed:
            return 0.0
        return self.fee

    def explain(self, language: str = "en") -> str:
        """One paragraph a finance user can paste into a letter or check by hand."""
        m = self.member
        name = m.display_name if language == "en" else (m.name_ko or m.display_name)
        if not self.due.owed:
            return say("explain.not_owed", language, name=name, year=self.fee_year, reason=self.due.why)
        if self.fee is None or self.gdp is None or self.schedule is None or m.population is None:
            return say("explain.blocked", language, name=name, year=self.fee_year, missing=self.missing_in(language))
        if m.population_imported:
            population_state = say("explain.not_confirmed", language)
        elif m.population_confirmed_by:
            population_state = say("explain.confirmed_by", language, who=m.population_confirmed_by)
        else:
            population_state = say("explain.as_typed", language)
        if m.population_source:
            population_state = f"{m.population_source}, {population_state}"
        gdp_state = self.gdp.described().text(language)
        if not self.gdp.manual:
            confirmed = (
                say("explain.confirmed_by", language, who=self.gdp.confirmed)
                if self.gdp.confirmed
                else say("explain.not_confirmed", language)
            )
            gdp_state = f"{gdp_state}, {confirmed}"
        reason = self.due.why.text(language)
        return say(
            "explain.fee",
            language,
            name=name,
            year=self.fee_year,
            fee=self.fee,
            population=m.population,
            population_band=band_label(self.population_band, language),
            population_state=population_state,
            country=m.gdp_code,
            gdp_year=self.gdp_year,
            gdp=self.gdp.value,
            gdp_band=self.gdp_band,
            gdp_state=gdp_state,
            table=self.schedule.effective_year,
            reason=reason[:1].upper() + reason[1:],
        )

    def owed_or_raise(self) -> float:
        """The fee owed (0 when none is owed), or a :class:`MissingDataError` naming what is
        missing when a fee is owed but cannot be computed yet."""
        owed = self.amount_owed
        if owed is None:
            raise MissingDataError(f"{self.member.display_name} {self.fee_year}: {self.missing_text}")
        return owed


def membership_doubt(member: Member) -> Phrase | None:
    """Why the Members sheet cannot say whether ``member`` owes a fee (a Full-since cell that
    cannot be read, a year before WeGO was founded, an Associate with a Full-since year,
    Full since before Associate since), or None when it can."""
    for column in ("Full since", "Associate since"):
        problem = member.problem_with(column)
        if problem is not None:
            return Phrase.of("doubt.unreadable", column=Phrase.of(_COLUMN[column]), problem=problem.problem)
    full, associate = member.full_since, member.associate_since
    for column, year in (("Associate since", associate), ("Full since", full)):
        if year is not None and year < FIRST_FEE_YEAR:
            return Phrase.of(
                "doubt.before_founding", column=Phrase.of(_COLUMN[column]), year=year, first=FIRST_FEE_YEAR
            )
    if member.membership is MembershipType.ASSOCIATE and full is not None:
        return Phrase.of("doubt.associate_with_full", full=full)
    if full is not None and associate is not None and full < associate:
        return Phrase.of("doubt.full_before_associate", full=full, associate=associate)
    return None


#: The Members sheet's columns, by their message keys (the sheet's own headers stay English).
_COLUMN = {"Full since": "column.full_since", "Associate since": "column.associate_since"}


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
    due, missing = _fee_due(roster, member, year)
    gdp_year = gdp_reference_year(year)
    gdp = roster.gdp_figure(member.gdp_code, gdp_year)
    try:
        schedule = schedule_in_effect(year, roster.schedules)
    except WegoError as exc:
        schedule = None
        missing.append(
            MissingInput(Phrase.verbatim(str(exc)), SCHEDULE_SHEET, None, None, Phrase.of("fix.add_schedule"))
        )
    missing += _population_missing(member)
    if gdp is None:
        missing.append(_gdp_missing(roster, member, gdp_year))
    pop_band = gdp_band = ""
    fee = None
    if schedule and member.population is not None and gdp is not None:
        quote = schedule.quote(member.population, gdp.value)
        pop_band, gdp_band, fee = quote.population_band.label, quote.gdp_band.label, quote.fee
    return Assessment(
        member, year, due, gdp_year, gdp, schedule, pop_band, gdp_band, None if missing else fee, tuple(missing)
    )


def _fee_due(roster: Roster, member: Member, year: int) -> tuple[FeeDue, list[MissingInput]]:
    """Whether a fee is owed; when the Members sheet cannot say, it is taken as owed (never
    guessed) and the membership years are what is missing."""
    doubt = membership_doubt(member)
    if doubt is None:
        return obligation(roster, member, year), []
    due = FeeDue(True, Phrase.of("due.unclear", doubt=doubt), assumed=True)  # waits for the sheet's correction
    missing = MissingInput(
        Phrase.of("missing.membership_years", doubt=doubt, row=member.row),
        MEMBERS_SHEET,
        member.row,
        "Full since",
        Phrase.of("fix.membership_years"),
        bad_cell=True,
    )
    return due, [missing]


def _population_missing(member: Member) -> list[MissingInput]:
    """The member's population when a fee cannot use it: a cell that cannot be read, or blank."""
    problem = member.problem_with("Population")
    if problem is not None:
        what = Phrase.of("missing.population_unusable", problem=str(problem))
        fix = Phrase.verbatim(problem.fix or "")
        return [MissingInput(what, MEMBERS_SHEET, member.row, "Population", fix, bad_cell=True)]
    if member.population is None:
        what = Phrase.of("missing.population_blank", row=member.row)
        return [MissingInput(what, MEMBERS_SHEET, member.row, "Population", Phrase.of("fix.population_blank"))]
    return []


def _gdp_missing(roster: Roster, member: Member, gdp_year: int) -> MissingInput:
    """The GDP figure a fee needs and the GDP sheet lacks, with where it was looked for: a
    figure in U.S. dollars (never billed as PPP), the latest edition, or an empty sheet."""
    editions = roster.editions()
    other = roster.gdp_not_ppp(member.gdp_code, gdp_year)
    if other:  # U.S. dollars (imported by name): never billed as PPP
        where = Phrase.of("missing.not_ppp", edition=other[-1].edition, row=other[-1].row, units=other[-1].units)
    elif editions:
        where = Phrase.of("missing.in_edition", edition=editions[-1])
    else:
        where = Phrase.of("missing.gdp_empty")
    return MissingInput(
        Phrase.of("missing.gdp", country=member.gdp_code, year=gdp_year, where=where),
        GDP_SHEET,
        None,
        "GDP per capita (PPP, USD)",
        Phrase.of("fix.gdp"),
    )
