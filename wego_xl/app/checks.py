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

With the roster's ledger, its invoices are checked too (:func:`ledger_checks`): one its member
owes nothing for is an error, one whose net amount today's data would not give is to confirm;
each gives the exact credit note that corrects it.

The fee table's own steps (rows or columns that do not rise, as published) are reported
once, by the schedule check (:func:`wego_xl.rules.fees.schedule_findings`), not here.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ..messages import Phrase, say
from ..rules.history import membership_changes
from ..rules.inputs import FIRST_FEE_YEAR, read_money, say_once
from ..rules.ledger import ZERO, CreditNote, Invoice, LedgerBook
from ..rules.membership import MembershipType
from ..store.roster import GDP_SHEET, MEMBERS_SHEET, SETTINGS_SHEET, Member, Roster
from .assessment import Assessment, membership_doubt, obligation

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


def _on_row(severity: str, m: Member, column: str | None, problem: Phrase, fix: Phrase) -> Check:
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
    checks = [
        Check(
            "error",
            p.sheet,
            p.row,
            p.column,
            Phrase.of("check.cell", detail=_problem_text(p)),
            Phrase.verbatim(p.fix or ""),
        )
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
                    Phrase.of("check.year_before_founding", name=name, column=column, year=year, first=FIRST_FEE_YEAR),
                    Phrase.of("fix.year_before_founding"),
                )
            )
        elif year > last_year:
            found.append(
                _on_row(
                    "error",
                    m,
                    column,
                    Phrase.of("check.year_in_future", name=name, column=column, year=year),
                    Phrase.of("fix.year_in_future"),
                )
            )
    if m.associate_since and m.full_since and m.full_since < m.associate_since:
        found.append(
            _on_row(
                "error",
                m,
                "Full since",
                Phrase.of("check.full_before_associate", name=name, full=m.full_since, associate=m.associate_since),
                Phrase.of("fix.full_before_associate"),
            )
        )
    if m.membership is MembershipType.ASSOCIATE and m.full_since is not None:
        found.append(
            _on_row(
                "error",
                m,
                "Full since",
                Phrase.of("check.associate_with_full", name=name, full=m.full_since),
                Phrase.of("fix.associate_with_full"),
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
                    Phrase.of("check.population_low", name=m.display_name, population=m.population, low=low),
                    Phrase.of("fix.population_low", persons=m.population * 1000),
                )
            )
        elif m.population > high:
            found.append(
                _on_row(
                    "confirm",
                    m,
                    "Population",
                    Phrase.of("check.population_high", name=m.display_name, population=m.population, high=high),
                    Phrase.of("fix.population_high"),
                )
            )
    if m.population_year is not None and m.population_year > last_year:
        found.append(
            _on_row(
                "error",
                m,
                "Population year",
                Phrase.of("check.population_year_future", name=m.display_name, year=m.population_year),
                Phrase.of("fix.population_year_future"),
            )
        )
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
    return DEFAULT_POPULATION_AGE, Check(
        "error",
        SETTINGS_SHEET,
        found.row,
        "Value",
        Phrase.of(
            "check.setting_unreadable",
            setting=POPULATION_AGE_SETTING,
            value=found.value,
            default=DEFAULT_POPULATION_AGE,
        ),
        Phrase.of("fix.setting_unreadable"),
    )


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
                _on_row(
                    "confirm",
                    m,
                    "Population year",
                    Phrase.of(
                        "check.population_old",
                        name=m.display_name,
                        population=m.population,
                        year=m.population_year,
                        age=age,
                        fee_year=a.fee_year,
                        limit=limit,
                    ),
                    Phrase.of("fix.population_old"),
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
                    Phrase.of(
                        "check.gdp_implausible",
                        country=gdp.country_iso3,
                        year=gdp.year,
                        gdp=gdp.value,
                        low=low,
                        high=high,
                    ),
                    Phrase.of("fix.gdp_implausible"),
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
                    Phrase.of("check.history_status", name=m.display_name, members=m.membership.english,
                              row=last.row, history=last.after, since=last.effective),
                    Phrase.of("fix.history_status"),
                )
            )  # fmt: skip
        full = [c for c in dated if c.after.casefold() == "full"]
        if full and full[-1].effective is not None and m.full_since not in (None, full[-1].effective.year):
            found.append(
                _on_row("error", m, "Full since",
                    Phrase.of("check.history_full_since", name=m.display_name, full=m.full_since, row=full[-1].row,
                              since=full[-1].effective),
                    Phrase.of("fix.history_full_since"),
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
                    Phrase.of(
                        "check.population_unconfirmed_of",
                        name=m.display_name,
                        population=m.population,
                        year=m.population_year,
                        source=m.population_source,
                    )
                    if m.population_year is not None
                    else Phrase.of(
                        "check.population_unconfirmed",
                        name=m.display_name,
                        population=m.population,
                        source=m.population_source,
                    ),
                    Phrase.of("fix.population_unconfirmed", name=m.display_name),
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
                Phrase.of("check.gdp_unconfirmed", edition=edition),
                Phrase.of("fix.gdp_unconfirmed", edition=edition),
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
            Phrase.of("check.missing", name=a.member.display_name, year=a.fee_year, what=item.what),
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
            steps.append((axis, old, new))
    if not steps:
        return []
    m = now.member
    return [
        _on_row(
            "confirm",
            m,
            None,
            Phrase.of(
                "check.band_jump",
                name=m.display_name,
                before=before.fee,
                before_year=before.fee_year,
                now=now.fee,
                year=now.fee_year,
                steps=Phrase.verbatim("; ".join(f"{axis} {old} -> {new}" for axis, old, new in steps)),
            ),
            Phrase.of("fix.band_jump"),
        )
    ]


# -- the ledger's invoices beside the roster ----------------------------------------------------

#: A credit note whose reason names a decision (the Executive Committee's, the General
#: Assembly's: "EC 2017-2", "decision of the EC", "집행위원회 결정") is a discount granted on
#: purpose: what the invoice asks after it is what was meant to be billed.
DECIDED = re.compile(r"\b(?:EC|GA)\b|decision|decided|집행위|총회|의결|결정", re.IGNORECASE)


def by_decision(note: CreditNote) -> bool:
    """Whether a credit note is a discount granted by a decision (its reason names one)."""
    return bool(DECIDED.search(note.reason))


def _command_amount(amount: Decimal) -> str:
    """An amount as a command takes it, exactly: 5000.00 (no thousands separator)."""
    return f"{amount:.2f}"


def ledger_checks(roster: Roster, assessments: list[Assessment], book: LedgerBook | None, fee_year: int) -> list[Check]:
    """The ledger's invoices that the roster no longer bears out: every standing invoice (of any
    fee year) whose member, by the roster's membership history, owes no fee for its fee year,
    and each invoice of ``fee_year`` whose net amount (less credit notes, a discount granted by
    a decision kept as granted) is not what today's data gives. Each names the invoice and
    gives the exact command that corrects it."""
    if book is None or not book.invoices:
        return []
    return _not_liable(roster, book) + _differs(assessments, book, fee_year)


def _not_liable(roster: Roster, book: LedgerBook) -> list[Check]:
    """A standing invoice of a fee year for which its member owes nothing (a withdrawal, a
    downgrade or a Full-since year recorded after it was issued), or of a member the roster
    does not hold: it stands until a credit note takes it back."""
    ledger = book.replay()
    members = {m.member_id: m for m in roster.members}
    found = []
    for invoice in sorted(book.invoices, key=lambda i: i.order):
        state = ledger.invoices[invoice.number]
        left = state.net - state.written_off  # what a credit note may still take
        if left <= ZERO:
            continue
        m = members.get(invoice.member_id)
        if m is None:
            why = Phrase.of("check.invoice_member_unknown", member_id=invoice.member_id)
            name, row = invoice.member_id, None
        elif membership_doubt(m) is not None:
            continue  # the Members sheet cannot say: its own error is listed
        else:
            due = obligation(roster, m, invoice.fee_year)
            if due.owed:
                continue
            why, name, row = due.why, m.display_name, m.row
        found.append(
            Check(
                "error",
                MEMBERS_SHEET if row is not None else None,
                row,
                "Membership" if row is not None else None,
                Phrase.of(
                    "check.invoice_not_liable",
                    name=name,
                    invoice=invoice.number,
                    year=invoice.fee_year,
                    amount=left,
                    why=why,
                ),
                Phrase.of(
                    "fix.invoice_not_liable",
                    invoice=invoice.number,
                    amount=_command_amount(left),
                    year=invoice.fee_year,
                ),
            )
        )
    return found


def _differs(assessments: list[Assessment], book: LedgerBook, fee_year: int) -> list[Check]:
    """An invoice of ``fee_year`` whose net amount is not today's fee (less the discounts
    granted by decision on it); the advice credits what it asks too much, or reissues it and
    grants the discount again: never a bill for the discount."""
    ledger = book.replay()
    live: dict[str, Invoice] = {}  # member -> its latest invoice of the fee year not wholly credited
    for i in sorted(book.invoices, key=lambda i: i.order):
        if i.fee_year == fee_year and ledger.invoices[i.number].net > ZERO:
            live[i.member_id] = i
    notes: dict[str, list[CreditNote]] = defaultdict(list)
    for c in book.credits:
        notes[c.invoice].append(c)
    found = []
    for a in assessments:
        m = a.member
        invoice = live.get(m.member_id)
        if invoice is None or not a.due.owed:
            continue  # an invoice a member does not owe is reported by _not_liable
        state = ledger.invoices[invoice.number]
        left = state.net - state.written_off  # what a credit note may still take
        if left <= ZERO:
            continue  # written off whole: nothing left that a credit note could change
        decided = [c for c in notes[invoice.number] if by_decision(c)]
        discount = sum((c.amount for c in decided), ZERO)
        if a.fee is None:
            found.append(
                _on_row(
                    "confirm",
                    m,
                    None,
                    Phrase.of(
                        "check.invoice_differs",
                        name=m.display_name,
                        invoice=invoice.number,
                        amount=state.net,
                        today=Phrase.of("check.no_fee_inputs_missing"),
                    ),
                    Phrase.of("fix.invoice_no_fee", invoice=invoice.number),
                )
            )
            continue
        today = read_money(a.fee, "the fee")
        expected = today - discount
        if state.net == expected:
            continue
        if discount:
            problem = Phrase.of(
                "check.invoice_differs_discounted",
                name=m.display_name,
                invoice=invoice.number,
                amount=state.net,
                discount=discount,
                notes=", ".join(c.number for c in decided),
                today=today,
                expected=expected,
            )
        else:
            problem = Phrase.of(
                "check.invoice_differs",
                name=m.display_name,
                invoice=invoice.number,
                amount=state.net,
                today=f"{today:,.0f}",
            )
        if state.net > expected:  # asks too much: credit the part above
            fix = Phrase.of(
                "fix.invoice_over",
                invoice=invoice.number,
                amount=_command_amount(min(state.net - expected, left)),
                today=f"{today:,.0f}",
            )
        elif discount:  # asks too little: reissue at today's fee, then grant the discount again
            fix = Phrase.of(
                "fix.invoice_under_discounted",
                invoice=invoice.number,
                amount=_command_amount(left),
                year=fee_year,
                discount=_command_amount(discount),
                reason="; ".join(c.reason for c in decided).replace('"', "'"),
            )
        else:
            fix = Phrase.of("fix.invoice_under", invoice=invoice.number, amount=_command_amount(left), year=fee_year)
        found.append(_on_row("confirm", m, None, problem, fix))
    return found
