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

The fee table's own steps (rows or columns that do not rise, as published) are reported
once, by the schedule check (:func:`wego_xl.rules.fees.schedule_findings`), not here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from ..rules.history import membership_changes
from ..rules.inputs import FIRST_FEE_YEAR
from ..rules.membership import MembershipType
from .assessment import Assessment
from .roster import GDP_SHEET, MEMBERS_SHEET, Member, Roster

SEVERITIES = ("error", "missing", "confirm", "note")
#: Populations outside this range are possible but need confirming (persons).
PLAUSIBLE_POPULATION = (10_000, 40_000_000)
#: GDP (PPP) per capita outside this range needs confirming (USD).
PLAUSIBLE_GDP = (300, 200_000)


@dataclass(frozen=True)
class Check:
    """One finding, with where it is and what to do."""

    severity: str
    sheet: str | None
    row: int | None
    column: str | None
    problem: str
    fix: str

    def as_row(self) -> list[object]:
        return [self.severity, self.sheet, self.row, self.column, self.problem, self.fix]

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"sheet {self.sheet!r}" if self.sheet else "",
                f"row {self.row}" if self.row else "",
                f"column {self.column!r}" if self.column else "",
            )
            if part
        )
        return f"{self.severity}: {where + ': ' if where else ''}{self.problem}" + (f"; {self.fix}" if self.fix else "")


def _on_row(severity: str, m: Member, column: str | None, problem: str, fix: str) -> Check:
    """A check of the member's row on the Members sheet."""
    return Check(severity, MEMBERS_SHEET, m.row, column, problem, fix)


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
    checks = [Check("error", p.sheet, p.row, p.column, _problem_text(p), p.fix or "") for p in roster.problems]
    for member in roster.members:
        checks += _member_years(member, last_year)
        checks += _member_population(member, last_year)
    checks += _history(roster)
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
    found = []
    name = m.display_name
    for column, year in (("Associate since", m.associate_since), ("Full since", m.full_since)):
        if year is None:
            continue
        if year < FIRST_FEE_YEAR:
            found.append(
                _on_row(
                    "error",
                    m,
                    column,
                    f"{name}: {column} {year} is before WeGO was founded ({FIRST_FEE_YEAR})",
                    "type the year of the EC decision, or leave it blank if unknown",
                )
            )
        elif year > last_year:
            found.append(
                _on_row(
                    "error",
                    m,
                    column,
                    f"{name}: {column} {year} is in the future",
                    "type the year of the EC decision, or leave it blank until it is taken",
                )
            )
    if m.associate_since and m.full_since and m.full_since < m.associate_since:
        found.append(
            _on_row(
                "error",
                m,
                "Full since",
                f"{name}: Full since {m.full_since} is before Associate since {m.associate_since}",
                "a member becomes full after it was an associate: check both years",
            )
        )
    if m.membership is MembershipType.ASSOCIATE and m.full_since is not None:
        found.append(
            _on_row(
                "error",
                m,
                "Full since",
                f"{name} is an Associate with a Full-since year ({m.full_since})",
                "set Membership to Full if the EC approved it, or clear Full since",
            )
        )
    return found


def _member_population(m: Member, last_year: int) -> list[Check]:
    found = []
    low, high = PLAUSIBLE_POPULATION
    if m.population is not None and m.is_city:
        if m.population < low:
            found.append(
                _on_row(
                    "confirm",
                    m,
                    "Population",
                    f"{m.display_name}: population {m.population:,.0f} is under {low:,}: typed in thousands?",
                    f"type the population in persons (e.g. {m.population * 1000:,.0f}), or confirm the figure",
                )
            )
        elif m.population > high:
            found.append(
                _on_row(
                    "confirm",
                    m,
                    "Population",
                    f"{m.display_name}: population {m.population:,.0f} is over {high:,}, more than any city",
                    "check the figure (persons, not a country's population), or confirm it",
                )
            )
    if m.population_year is not None and m.population_year > last_year:
        found.append(
            _on_row(
                "error",
                m,
                "Population year",
                f"{m.display_name}: population year {m.population_year} is in the future",
                "type the year the figure refers to",
            )
        )
    return found


def _gdp_figures(assessments: list[Assessment]) -> list[Check]:
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
                Check(
                    "confirm",
                    GDP_SHEET,
                    gdp.row,
                    "GDP per capita (PPP, USD)",
                    f"{gdp.country_iso3} {gdp.year}: GDP (PPP) per capita {gdp.value:,.3f} USD is outside "
                    f"{low:,}..{high:,}",
                    "check the figure against the IMF edition, or confirm it",
                )
            )
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
                _on_row("error", m, "Membership",
                    f"{m.display_name}: the Members sheet says {m.membership.english}, the History sheet "
                    f"(row {last.row}) {last.after} since {last.effective}",
                    "record the change with wego-xl member (which writes both), or correct the sheet that is wrong",
                )
            )  # fmt: skip
        full = [c for c in dated if c.after.casefold() == "full"]
        if full and full[-1].effective is not None and m.full_since not in (None, full[-1].effective.year):
            found.append(
                _on_row("error", m, "Full since",
                    f"{m.display_name}: Full since {m.full_since}, but the History sheet (row {full[-1].row}) has it "
                    f"full from {full[-1].effective}",
                    "correct the Full since year or the History row",
                )
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
            found.append(
                _on_row(
                    "confirm",
                    m,
                    "Population confirmed by",
                    f"{m.display_name}: population {m.population:,.0f} ({m.population_source}) is not confirmed",
                    f'check it against the city\'s own figure, then: wego-xl confirm "{m.display_name}" --population '
                    "--by NAME (or type your name and the date in the two columns)",
                )
            )
        if a.gdp is not None and not a.gdp.manual and not a.gdp.confirmed:
            editions.setdefault(a.gdp.edition, a.gdp.row)
    for edition, row in editions.items():
        found.append(
            Check(
                "confirm",
                GDP_SHEET,
                row,
                "Confirmed",
                f"the GDP figures of IMF WEO {edition} are not confirmed",
                f'check them against the IMF edition, then: wego-xl confirm --gdp-edition "{edition}" --by NAME',
            )
        )
    return found


def _missing(a: Assessment) -> list[Check]:
    if not a.due.owed:
        return []
    return [
        Check(
            "missing",
            item.sheet,
            item.row,
            item.column,
            f"{a.member.display_name}, fee year {a.fee_year}: {item}",
            item.fix,
        )
        for item in a.missing
        if not item.bad_cell  # a bad cell is already listed as an error
    ]


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
            steps.append(f"{axis} band {old} -> {new}")
    if not steps:
        return []
    m = now.member
    return [
        _on_row(
            "confirm",
            m,
            None,
            f"{m.display_name}: fee {before.fee:,.0f} USD in {before.fee_year}, {now.fee:,.0f} USD in "
            f"{now.fee_year} ({'; '.join(steps)}): more than one band",
            "check the population and GDP figures behind both years, or confirm the change",
        )
    ]
