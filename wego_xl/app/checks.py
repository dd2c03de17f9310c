"""The checks before billing: everything that stops, doubts or qualifies a fee, in one list.

``wego-xl check --fee-year Y`` prints it and the refresh writes it to the Checks sheet, in
the same words. Each check has a severity:

* ``error``: a value that cannot be right (a cell that cannot be read, a year before WeGO
  was founded, Full since before Associate since, an Associate with a Full-since year);
  fix it before billing. Commands exit 1 while any is left.
* ``missing``: an input a fee needs is blank (a population, a GDP figure); fill it in.
* ``confirm``: a value that is possible but unlikely (a population under 10,000: typed in
  thousands?; a GDP per capita under 300 USD; a fee more than one band away from the
  previous fee year's); confirm it or correct it.
* ``note``: worth knowing, nothing to do.

With the roster's ledger, its invoices are checked too
(:func:`wego_xl.app.invoice_checks.ledger_checks`): one its member owes nothing for is an error,
one whose net amount today's data would not give is to confirm; each gives the exact credit note
that corrects it.

The fee table's own steps (rows or columns that do not rise, as published) are reported
once, by the schedule check (:func:`wego_xl.rules.fees.schedule_findings`), not here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from ..messages import Phrase, say
from ..rules.history import membership_changes
from ..rules.inputs import FIRST_FEE_YEAR, say_once
from ..rules.membership import MembershipType
from ..store.roster import GDP_SHEET, MEMBERS_SHEET, SETTINGS_SHEET, Member, Roster
from .assessment import Assessment

SEVERITIES = ("error", "missing", "confirm", "note")
#: Populations outside this range are possible but need confirming (persons).
PLAUSIBLE_POPULATION = (10_000, 40_000_000)
#: GDP (PPP) per capita outside this range needs confirming (USD).
PLAUSIBLE_GDP = (300, 200_000)
#: The Settings row of the oldest population a fee may use without a check, and its default.
POPULATION_AGE_SETTING = "Population age limit (years)"
DEFAULT_POPULATION_AGE = 10


@dataclass(frozen=True)
class Check:
    """One finding, with where it is and what to do."""

    severity: str
    sheet: str | None
    row: int | None
    column: str | None
    problem_phrase: Phrase
    fix_phrase: Phrase

    @property
    def problem(self) -> str:
        return self.problem_phrase.text()

    @property
    def fix(self) -> str:
        return self.fix_phrase.text()

    def as_row(self, language: str = "en") -> list[object]:
        """The Checks sheet's row: severity, sheet, row, column, problem, what to do."""
        return [
            say(f"severity.{self.severity}", language),
            self.sheet,
            self.row,
            self.column,
            self.problem_phrase.text(language),
            self.fix_phrase.text(language) or None,
        ]

    def text(self, language: str = "en") -> str:
        """One line: severity, where, the problem and what to do, each said once."""
        where = ", ".join(
            say(f"check.where_{part}", language, value=value)
            for part, value in (("sheet", self.sheet), ("row", self.row), ("column", self.column))
            if value
        )
        where, problem, fix = say_once([where, self.problem_phrase.text(language), self.fix_phrase.text(language)])
        return f"{say(f'severity.{self.severity}', language)}: {where + ': ' if where else ''}{problem}" + (
            f"; {fix}" if fix else ""
        )

    def __str__(self) -> str:
        return self.text()


def count_by_severity(findings: Iterable[Check]) -> dict[str, int]:
    """How many checks of each severity: the one count ``check`` and ``refresh`` both print."""
    listed = list(findings)
    return {severity: sum(1 for f in listed if f.severity == severity) for severity in SEVERITIES}


def _finding(severity: str, sheet: str | None, row: int | None, column: str | None, key: str,
             fix: Phrase | None = None, /, **fields: object) -> Check:  # fmt: skip
    """A check whose problem is the message ``check.<key>`` with ``fields``, and whose fix,
    unless ``fix`` is given, is ``fix.<key>``."""
    return Check(severity, sheet, row, column, Phrase.of(f"check.{key}", **fields), fix or Phrase.of(f"fix.{key}"))


def _on_row(severity: str, m: Member, column: str | None, key: str, fix: Phrase | None = None, /,
            **fields: object) -> Check:  # fmt: skip
    """A check of the member's row on the Members sheet (see :func:`_finding`)."""
    return _finding(severity, MEMBERS_SHEET, m.row, column, key, fix, **fields)


def roster_checks(
    roster: Roster,
    assessments: list[Assessment],
    previous: Iterable[Assessment] = (),
    *,
    today: dt.date | None = None,
) -> list[Check]:
    """Every check for one fee year's ``assessments`` (and the fee year before, to compare)."""
    latest = max(a.fee_year for a in assessments) if assessments else FIRST_FEE_YEAR
    last_year = max(latest, (today or dt.date.today()).year)
    checks = [
        _finding("error", p.sheet, p.row, p.column, "cell", Phrase.verbatim(p.fix or ""), detail=_problem_text(p))
        for p in roster.problems
    ]
    for member in roster.members:
        checks += _member_years(member, last_year)
        checks += _member_population(member, last_year)
    checks += _history(roster)
    checks += _population_age(roster, assessments)
    checks += _gdp_figures(assessments)
    checks += _unconfirmed(assessments)
    before = {a.member.member_id: a for a in previous}
    for a in assessments:
        checks += _missing(a)
        if a.member.member_id in before:
            checks += _band_jump(before[a.member.member_id], a)
    return checks


def _problem_text(p: object) -> str:
    problem = str(getattr(p, "problem", p))
    value = getattr(p, "value", None)
    return problem + (f" (got {value!r})" if value is not None and repr(value)[:40] not in problem else "")


def _member_years(m: Member, last_year: int) -> list[Check]:
    """Membership years that cannot be right: before WeGO was founded, in the future, Full
    since before Associate since, an Associate with a Full-since year."""
    found = []
    name = m.display_name
    for column, year in (("Associate since", m.associate_since), ("Full since", m.full_since)):
        if year is not None and year < FIRST_FEE_YEAR:
            found.append(
                _on_row("error", m, column, "year_before_founding", name=name, column=column, year=year,
                        first=FIRST_FEE_YEAR)
            )  # fmt: skip
        elif year is not None and year > last_year:
            found.append(_on_row("error", m, column, "year_in_future", name=name, column=column, year=year))
    if m.associate_since and m.full_since and m.full_since < m.associate_since:
        found.append(
            _on_row("error", m, "Full since", "full_before_associate", name=name, full=m.full_since,
                    associate=m.associate_since)
        )  # fmt: skip
    if m.membership is MembershipType.ASSOCIATE and m.full_since is not None:
        found.append(_on_row("error", m, "Full since", "associate_with_full", name=name, full=m.full_since))
    return found


def _member_population(m: Member, last_year: int) -> list[Check]:
    """A city's population outside the plausible range (to confirm), or a population year in
    the future (an error)."""
    found = []
    low, high = PLAUSIBLE_POPULATION
    name, population = m.display_name, m.population
    if population is not None and m.is_city and population < low:
        fix = Phrase.of("fix.population_low", persons=population * 1000)
        found.append(_on_row("confirm", m, "Population", "population_low", fix, name=name, population=population,
                             low=low))  # fmt: skip
    elif population is not None and m.is_city and population > high:
        found.append(_on_row("confirm", m, "Population", "population_high", name=name, population=population,
                             high=high))  # fmt: skip
    if m.population_year is not None and m.population_year > last_year:
        found.append(_on_row("error", m, "Population year", "population_year_future", name=name,
                             year=m.population_year))  # fmt: skip
    return found


def population_age_limit(roster: Roster) -> tuple[int, Check | None]:
    """The Settings' "Population age limit (years)" (a whole number from 1 to 100; blank or no
    row: 10), and, when the value cannot be read, the check that says so (10 is used)."""
    found = roster.settings.get(POPULATION_AGE_SETTING)
    text = found.value.strip() if found is not None else ""
    if not text:
        return DEFAULT_POPULATION_AGE, None
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if math.isfinite(number) and number.is_integer() and 1 <= number <= 100:
        return int(number), None
    assert found is not None
    return DEFAULT_POPULATION_AGE, _finding(
        "error", SETTINGS_SHEET, found.row, "Value", "setting_unreadable",
        setting=POPULATION_AGE_SETTING, value=found.value, default=DEFAULT_POPULATION_AGE,
    )  # fmt: skip


def _population_age(roster: Roster, assessments: list[Assessment]) -> list[Check]:
    """A population a fee uses that is older than the Settings' age limit (in years before
    the fee year), naming the population's own year (not the Yearbook that published it)."""
    limit, unreadable = population_age_limit(roster)
    found = [unreadable] if unreadable else []
    for a in assessments:
        m = a.member
        if not a.due.owed or m.population is None or m.population_year is None or m.population_confirmed_by:
            continue  # a person who confirmed the figure has seen its year
        age = a.fee_year - m.population_year
        if age > limit:
            found.append(
                _on_row("confirm", m, "Population year", "population_old", name=m.display_name,
                        population=m.population, year=m.population_year, age=age, fee_year=a.fee_year, limit=limit)
            )  # fmt: skip
    return found


def _gdp_figures(assessments: list[Assessment]) -> list[Check]:
    """Each GDP figure an owed fee uses that is outside the plausible range, once."""
    found = []
    low, high = PLAUSIBLE_GDP
    seen: set[int] = set()
    for a in assessments:
        gdp = a.gdp
        if gdp is None or gdp.row in seen or not a.due.owed:
            continue
        seen.add(gdp.row)
        if not low <= gdp.value <= high:
            found.append(
                _finding("confirm", GDP_SHEET, gdp.row, "GDP per capita (PPP, USD)", "gdp_implausible",
                         country=gdp.country_iso3, year=gdp.year, gdp=gdp.value, low=low, high=high)
            )  # fmt: skip
    return found


def _history(roster: Roster) -> list[Check]:
    """Where the History sheet and the Members sheet disagree: the latest dated membership
    change is not the Members sheet's status, or Full since is not the year it became full."""
    found = []
    for m in roster.members:
        _, dated = membership_changes(roster.history, m.member_id)
        if not dated:
            continue
        last = dated[-1]
        if last.after.casefold() != m.membership.english.casefold():
            found.append(
                _on_row("error", m, "Membership", "history_status", name=m.display_name, members=m.membership.english,
                        row=last.row, history=last.after, since=last.effective)
            )  # fmt: skip
        full = [c for c in dated if c.after.casefold() == "full"]
        if full and full[-1].effective is not None and m.full_since not in (None, full[-1].effective.year):
            found.append(
                _on_row("error", m, "Full since", "history_full_since", name=m.display_name, full=m.full_since,
                        row=full[-1].row, since=full[-1].effective)
            )  # fmt: skip
    return found


def _unconfirmed(assessments: list[Assessment]) -> list[Check]:
    """Imported inputs of owed fees that nobody has confirmed yet: each population, and each
    WEO edition once."""
    found = []
    editions: dict[str, int] = {}
    for a in assessments:
        if not a.due.owed:
            continue
        m = a.member
        if m.population_imported and m.population is not None:
            fix = Phrase.of("fix.population_unconfirmed", name=m.display_name)
            if m.population_year is not None:
                found.append(_on_row("confirm", m, "Population confirmed by", "population_unconfirmed_of", fix,
                                     name=m.display_name, population=m.population, year=m.population_year,
                                     source=m.population_source))  # fmt: skip
            else:
                found.append(_on_row("confirm", m, "Population confirmed by", "population_unconfirmed", fix,
                                     name=m.display_name, population=m.population, source=m.population_source))  # fmt: skip
        if a.gdp is not None and not a.gdp.manual and not a.gdp.confirmed:
            editions.setdefault(a.gdp.edition, a.gdp.row)
    for edition, row in editions.items():
        fix = Phrase.of("fix.gdp_unconfirmed", edition=edition)
        found.append(_finding("confirm", GDP_SHEET, row, "Confirmed", "gdp_unconfirmed", fix, edition=edition))
    return found


def _missing(a: Assessment) -> list[Check]:
    """What stops an owed fee: each missing input (a bad cell is already listed as an error)."""
    if not a.due.owed:
        return []
    return [
        _finding("missing", item.sheet, item.row, item.column, "missing", item.fix, name=a.member.display_name,
                 year=a.fee_year, what=item.what)
        for item in a.missing
        if not item.bad_cell
    ]  # fmt: skip


def _band_jump(before: Assessment, now: Assessment) -> list[Check]:
    """A fee more than one band (population or GDP) away from the previous fee year's."""
    if now.fee is None or before.fee is None or now.schedule is None or before.schedule is None:
        return []
    if not (now.due.owed and before.due.owed):
        return []
    steps = []
    for axis, old, new, bands in (
        ("population", before.population_band, now.population_band, now.schedule.population_bands),
        ("GDP", before.gdp_band, now.gdp_band, now.schedule.gdp_bands),
    ):
        labels = [b.label for b in bands]
        if old in labels and new in labels and abs(labels.index(new) - labels.index(old)) > 1:
            steps.append((axis, old, new))
    if not steps:
        return []
    m = now.member
    said = Phrase.verbatim("; ".join(f"{axis} {old} -> {new}" for axis, old, new in steps))
    return [
        _on_row("confirm", m, None, "band_jump", name=m.display_name, before=before.fee, before_year=before.fee_year,
                now=now.fee, year=now.fee_year, steps=said)
    ]  # fmt: skip
