"""The refresh report: for a fee year, assess every member and lay out the Summary,
``Fees YYYY`` and Checks sheets as blocks of rows.

:func:`build_report` is the job itself (no files, no Excel). The writers in
:mod:`wego_xl.excel.writers` put it into a workbook file (openpyxl, headless) or an open
xlwings Book (Excel, Lite, Server), cell for cell the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..errors import SheetNameError, WegoError
from ..messages import band_label, catalogue, read_language, say
from ..rules.fees import gdp_reference_year, schedule_in_effect
from ..rules.inputs import FIRST_FEE_YEAR, read_fee_year
from ..rules.ledger import ZERO, LedgerBook
from ..rules.membership import MembershipType
from ..store.roster import REGIONS, Roster
from .assessment import Assessment, assess
from .checks import Check, count_by_severity, roster_checks
from .invoice_checks import ledger_checks
from .sheet_layout import HEADER_WRAP as HEADER_WRAP  # the layout's names, where they were before
from .sheet_layout import LINE_HEIGHT as LINE_HEIGHT
from .sheet_layout import Block, PrintSetup, SheetReport, block
from .sheet_layout import display_width as display_width
from .sheet_layout import wrapped_lines as wrapped_lines
from .summary import roster_summary

SUMMARY_SHEET, CHECKS_SHEET = "Summary", "Checks"
USD, COUNT, GDP_FMT, YEAR = "#,##0", "#,##0", "#,##0.000", "0"

#: The Fees sheet's columns, by message key (``header.*`` in the catalogues).
FEES_COLUMNS = [
    "member_id", "name_en", "name_ko", "membership", "fee_owed", "amount_owed", "invoice", "invoiced",
    "population", "gdp", "fee", "population_band", "gdp_band", "fee_table", "gdp_year", "gdp_edition",
    "gdp_country", "full_since", "why", "country", "country_code", "region", "capital", "missing_input",
]  # fmt: skip
#: The columns a printed fee list shows (the rest stays on screen).
FEES_PRINTED = 9
FEES_FORMATS = {
    "population": COUNT,
    "gdp": GDP_FMT,
    "fee": USD,
    "amount_owed": USD,
    "invoiced": "#,##0.00",
    "full_since": YEAR,
    "gdp_year": YEAR,
    "fee_table": YEAR,
}
CHECKS_COLUMNS = ["severity", "sheet", "row", "column", "problem", "what_to_do"]
#: The Summary's table of fees owed by region, which the command line also prints.
FEES_BY_REGION_TABLE = "WeGO_Summary_Fees"


def fees_sheet_name(fee_year: int) -> str:
    return f"Fees {fee_year}"


def report_sheet_names(fee_year: int) -> list[str]:
    """The sheets a refresh for ``fee_year`` writes (and replaces whole)."""
    return [SUMMARY_SHEET, fees_sheet_name(fee_year), CHECKS_SHEET]


def check_report_sheet_names(existing: list[str], report: list[str]) -> None:
    """Refuse, before anything is written, when a user's sheet takes a report sheet's name in
    another case ("checks" for "Checks"): Excel treats sheet names without case."""
    wanted = {name.casefold(): name for name in report}
    for name in existing:
        ours = wanted.get(name.casefold())
        if ours is not None and name != ours:
            raise SheetNameError(
                f"the workbook has a sheet named {name!r}, which Excel takes for the report sheet {ours!r} "
                f"that the refresh replaces; nothing was changed: rename your sheet (e.g. {name + ' (mine)'!r}) "
                "and refresh again"
            )


@dataclass
class Report:
    fee_year: int
    assessments: list[Assessment]
    findings: list[Check]
    sheets: list[SheetReport]
    language: str = "en"

    @property
    def checks(self) -> list[list[Any]]:
        """The Checks sheet's rows: severity, sheet, row, column, problem, what to do."""
        return [f.as_row(self.language) for f in self.findings]

    @property
    def total_owed(self) -> float:
        return sum(a.amount_owed or 0 for a in self.assessments)

    @property
    def not_computable(self) -> list[Assessment]:
        return [a for a in self.assessments if a.blocked]

    @property
    def counts(self) -> dict[str, int]:
        """How many checks of each severity (error, missing, confirm, note): what ``check`` counts."""
        return count_by_severity(self.findings)

    def check_rows(self, severity: str) -> list[list[Any]]:
        """The Checks sheet's rows of one severity ("error", "missing", "confirm", "note")."""
        return [f.as_row(self.language) for f in self.findings if f.severity == severity]

    def sheet(self, name: str) -> SheetReport:
        return next(s for s in self.sheets if s.name == name)

    @property
    def fees_by_region(self) -> list[list[Any]]:
        """Rows of region, members owing, fees computed, total owed, cannot compute yet."""
        return self.sheet(SUMMARY_SHEET).block(FEES_BY_REGION_TABLE).rows


def _yes_no(flag: bool | None, language: str = "en") -> str | None:
    return None if flag is None else say("word.yes" if flag else "word.no", language)


def _region(name: str, language: str) -> str:
    """A region's name in ``language`` (the roster keeps them in English)."""
    key = "region." + name.casefold().replace(" ", "_")
    return say(key, language) if key in catalogue(language) else name


def _fees_row(a: Assessment, invoiced: tuple[str, Decimal] | None, language: str) -> list[Any]:
    m = a.member
    return [
        m.member_id,
        m.name_en,
        m.name_ko,
        m.membership.label(language),
        _yes_no(a.due.owed, language),
        a.amount_owed if a.amount_owed is not None else _not_computed(a, language),
        invoiced[0] if invoiced else None,
        float(invoiced[1]) if invoiced else None,
        m.population,
        a.gdp.value if a.gdp else None,
        a.fee if a.fee is not None else _not_computed(a, language),
        band_label(a.population_band, language) or None,
        a.gdp_band or None,
        a.schedule.effective_year if a.schedule else None,
        a.gdp_year,
        a.gdp.edition if a.gdp else None,
        m.gdp_code,
        m.full_since,
        a.due.why.text(language),
        m.country,
        m.country_iso3,
        _region(m.region, language),
        _yes_no(m.capital, language),
        a.missing_in(language) if a.due.owed and a.missing else None,
    ]


def _membership_blocks(roster: Roster, fee_year: int, lang: str) -> list[Block]:
    """The Summary's counts: beside the 2016 source's for fee year 2016; for another fee year,
    the counts on its first day and the recorded changes since the source, with decisions."""
    day = dt.date(fee_year, 1, 1)
    by_region, by_type = roster_summary(roster, day)
    regions = [[summary_label(r.label, lang), r.capitals, r.non_capitals, r.total] for r in by_region]
    types = [[summary_label(r.label, lang), r.total] for r in by_type]
    if fee_year == 2016:
        return [
            block(lang, say("title.cities_by_region_2016", lang),
                  ["region", "capitals", "non_capitals", "cities", "source_2016", "matches"],
                  [[*row, r.source_total, _yes_no(r.reconciles, lang)] for row, r in zip(regions, by_region)],
                  "WeGO_Summary_Regions", as_table=False),
            block(lang, say("title.members_by_type_2016", lang), ["membership", "members", "source_2016", "matches"],
                  [[*row, r.source_total, _yes_no(r.reconciles, lang)] for row, r in zip(types, by_type)],
                  "WeGO_Summary_Types", as_table=False),
        ]  # fmt: skip
    names = {m.member_id: m.display_name for m in roster.members}
    changes = [
        [c.effective, c.member_id, names.get(c.member_id, c.member_id), c.what, c.before or None, c.after, c.decision or None]
        for c in sorted((c for c in roster.history if c.effective is not None and c.effective < day),
                        key=lambda c: (c.effective, c.row))
        if c.effective is not None and c.effective >= dt.date(2016, 1, 1)
    ]  # fmt: skip
    return [
        block(lang, say("title.cities_by_region_on", lang, day=day), ["region", "capitals", "non_capitals", "cities"],
              regions, "WeGO_Summary_Regions", as_table=False),
        block(lang, say("title.members_by_status_on", lang, day=day), ["membership", "members"], types,
              "WeGO_Summary_Types", as_table=False),
        block(lang, say("title.changes_since_2016", lang),
              ["effective", "member_id", "member", "what_changed", "from", "to", "decision"],
              changes or [[None, None, say("word.none_recorded", lang), None, None, None, None]],
              "WeGO_Summary_Changes", {"effective": "yyyy-mm-dd"}, as_table=False),
    ]  # fmt: skip


def summary_label(label: str, lang: str) -> str:
    """A Summary row's label in ``lang``: a status ("Full"), a region or a total row."""
    key = "summary." + label.casefold().replace(" ", "_")
    if key in catalogue(lang):
        return say(key, lang)
    try:
        return MembershipType.parse(label).label(lang)
    except WegoError:
        return _region(label, lang)


def assess_year(
    roster: Roster, fee_year: int, progress: Callable[[int], None] | None = None
) -> tuple[list[Assessment], list[Check]]:
    """Every member's assessment for ``fee_year`` and the checks before billing (the fee
    year before is assessed too, to compare)."""
    assessments = []
    for m in roster.members:
        assessments.append(assess(roster, m, fee_year))
        if progress:
            progress(1)
    previous = [assess(roster, m, fee_year - 1) for m in roster.members] if fee_year > FIRST_FEE_YEAR else []
    return assessments, roster_checks(roster, assessments, previous)


def year_findings(
    roster: Roster,
    fee_year: int,
    ledger: LedgerBook | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[Assessment], list[Check]]:
    """Every member's assessment for ``fee_year`` and every check of it: the one list that
    ``wego-xl check`` prints and the refresh writes to its Checks sheet (with the ledger's
    invoices that the roster no longer bears out: see :func:`~.invoice_checks.ledger_checks`)."""
    assessments, findings = assess_year(roster, fee_year, progress)
    return assessments, findings + ledger_checks(roster, assessments, ledger, fee_year)


def build_report(
    roster: Roster,
    fee_year: object,
    *,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
    ledger: LedgerBook | None = None,
    language: str | None = None,
) -> Report:
    """Assess every member for ``fee_year`` and lay out the three sheets. ``ledger`` (the
    roster's dues ledger, if it has one) shows what was billed, frozen, beside what today's
    data gives: each invoice on the Fees sheet, the net billed on the Summary, and a check row
    for each invoice the roster no longer bears out. ``language`` ("en", "ko";
    default: the roster's About sheet Language cell) is the language of titles, headers,
    check rows and reasons; sheet and table names stay the same in both."""
    year = read_fee_year(fee_year)
    lang = read_language(language, roster.language)  # default: the roster's About sheet Language cell
    invoiced = ledger.invoiced_in(year) if ledger is not None else {}
    assessments, findings = year_findings(roster, year, ledger, progress)
    stamp = (today or dt.date.today()).isoformat()
    footer = say("sheet.footer", lang, year=year, day=stamp)
    sheets = [
        _summary_sheet(roster, assessments, ledger, year, lang, stamp),
        _fees_sheet(assessments, invoiced, year, lang),
        _checks_sheet(findings, lang),
    ]
    for sheet in sheets:
        sheet.footer_note = footer
    return Report(year, assessments, findings, sheets, lang)


def _summary_sheet(
    roster: Roster, assessments: list[Assessment], ledger: LedgerBook | None, year: int, lang: str, stamp: str
) -> SheetReport:
    """The Summary: the membership counts, the fees owed by region, what the ledger billed,
    and the members whose fee cannot be computed yet."""
    owed_rows = _fees_owed_rows(assessments, lang)
    return SheetReport(
        SUMMARY_SHEET,
        preamble=[
            say("sheet.summary_title", lang, year=year, gdp_year=gdp_reference_year(year)),
            say("sheet.summary_written", lang, day=stamp, file=roster.path.name),
        ],
        blocks=[
            *_membership_blocks(roster, year, lang),
            block(lang, say("title.fees_owed", lang, year=year),
                  ["region", "members_owing", "fees_computed", "total_owed", "cannot_compute"],
                  owed_rows, FEES_BY_REGION_TABLE, {"total_owed": USD}, as_table=False),
            *_billed_blocks(ledger, year, owed_rows[-1][3], lang),
            block(lang, say("title.cannot_compute", lang), ["member_id", "member", "why"],
                  [[a.member.member_id, _member_name(a, lang), a.missing_in(lang)] for a in assessments if a.blocked]
                  or [[None, say("word.none", lang), None]],
                  "WeGO_Summary_Missing", as_table=False),
        ],
        printing=PrintSetup(landscape=True, fit_width=True),
        title=say("sheet.summary", lang),
    )  # fmt: skip


def _fees_owed_rows(assessments: list[Assessment], lang: str) -> list[list[Any]]:
    """The fees owed by region, all members last: members owing, fees computed, the total
    owed, and how many cannot be computed yet."""
    rows: list[list[Any]] = []
    for region in (*REGIONS, "All members"):
        here = [a for a in assessments if region == "All members" or a.member.region == region]
        owing = [a for a in here if a.due.owed]
        computed = [a for a in owing if not a.blocked]
        total = sum(a.fee for a in computed if a.fee is not None)
        rows.append([summary_label(region, lang), len(owing), len(computed), total, len(owing) - len(computed)])
    return rows


def _fees_sheet(
    assessments: list[Assessment], invoiced: dict[str, tuple[str, Decimal]], year: int, lang: str
) -> SheetReport:
    """``Fees YYYY``: a row per member, with its invoice beside today's fee."""
    rows = [_fees_row(a, invoiced.get(a.member.member_id), lang) for a in assessments]
    return SheetReport(
        fees_sheet_name(year),
        [block(lang, None, FEES_COLUMNS, rows, f"WeGO_Fees_{year}", FEES_FORMATS)],
        printing=PrintSetup(landscape=True, printed_columns=FEES_PRINTED, frozen_columns=3),
        title=say("sheet.fees", lang, year=year),
    )


def _checks_sheet(findings: list[Check], lang: str) -> SheetReport:
    """The Checks sheet: a row per check, or one row saying there is no problem."""
    rows = [f.as_row(lang) for f in findings] or [
        [say("severity.ok", lang), None, None, None, say("word.no_problems", lang), None]
    ]
    return SheetReport(
        CHECKS_SHEET,
        [block(lang, None, CHECKS_COLUMNS, rows, "WeGO_Checks", {"row": "0"})],
        printing=PrintSetup(landscape=True),
        title=say("sheet.checks", lang),
    )


def _billed_blocks(ledger: LedgerBook | None, year: int, owed: float, lang: str) -> list[Block]:
    """The Summary's two totals side by side, each labelled for what it is: the fees today's
    data gives, and what the ledger billed for the fee year (invoices less credit notes less
    write-offs), with the difference. None without a ledger."""
    if ledger is None:
        return []
    replayed = ledger.replay()
    states = [replayed.invoices[i.number] for i in ledger.invoices if i.fee_year == year]
    invoiced = sum((s.invoice.amount for s in states), ZERO)
    credited = sum((s.credited for s in states), ZERO)
    written_off = sum((s.written_off for s in states), ZERO)
    net = invoiced - credited - written_off
    rows = [
        ("summary.owed_today", Decimal(str(owed))),
        ("summary.invoiced", invoiced),
        ("summary.credited", -credited),
        ("summary.written_off", -written_off),
        ("summary.net_billed", net),
        ("summary.owed_less_billed", Decimal(str(owed)) - net),
    ]
    return [
        block(lang, say("title.billed", lang, year=year), ["measure", "amount_usd"],
              [[say(key, lang, year=year), float(amount)] for key, amount in rows], "WeGO_Summary_Billed",
              {"amount_usd": "#,##0.00"}, as_table=False),
    ]  # fmt: skip


def _not_computed(a: Assessment, language: str) -> str:
    """A fee's cell when it cannot be computed: why, in a few words (the Missing input column
    says it in full), never a blank."""
    reasons = dict.fromkeys(say(_SHORT_REASON.get(item.column or "", "reason.no_fee_table"), language)
                            for item in a.missing)  # fmt: skip
    return ", ".join(reasons)


#: The few words of a missing input, by the column it belongs in.
_SHORT_REASON = {
    "Population": "reason.no_population",
    "GDP per capita (PPP, USD)": "reason.no_gdp",
    "Full since": "reason.membership_unclear",
}


def _member_name(a: Assessment, lang: str) -> str:
    """The member as a Korean reader looks for it (Korean name, English after), or English."""
    m = a.member
    if lang == "ko" and m.name_ko and m.name_en:
        return f"{m.name_ko} ({m.name_en})"
    return m.display_name


WEO_DOWNLOAD = "https://www.imf.org/en/Publications/WEO/weo-database"


def _names(items: list[str], lang: str, most: int = 6) -> str:
    shown = ", ".join(items[:most])
    return shown + (say("cli.and_more", lang, count=len(items) - most) if len(items) > most else "")


def next_steps(report: Report, lang: str = "en") -> list[str]:
    """After a refresh, in ``lang``: the worked example of the 2016 source, the fees
    computed, and what to do about each kind of gap (members without a population,
    countries without GDP, membership years unclear, inputs to confirm)."""
    said: list[str] = []
    blocked = [a for a in report.assessments if a.blocked]
    computed = [a for a in report.assessments if a.due.owed and not a.blocked]
    schedule = next((a.schedule for a in report.assessments if a.schedule is not None), None)
    if schedule is None and report.assessments:
        return said
    example = schedule_in_effect(report.fee_year, [schedule]) if schedule else None
    if example is not None:
        said.append(say("cli.next_example", lang, fee=example.fee(970_000, 35_379), table=example.effective_year))
    said.append(say("cli.next_computed", lang, count=len(computed), total=sum(a.fee or 0 for a in computed)))
    no_population = [a.member.display_name for a in blocked if any(i.column == "Population" for i in a.missing)]
    no_gdp = sorted({a.member.gdp_code for a in blocked if a.gdp is None})
    unclear = [a.member.display_name for a in blocked if any(i.column == "Full since" for i in a.missing)]
    confirm = report.counts["confirm"]
    if no_population:
        said.append(say("cli.next_population", lang, count=len(no_population), names=_names(no_population, lang)))
    if no_gdp:
        said.append(say("cli.next_gdp", lang, codes=_names(no_gdp, lang), url=WEO_DOWNLOAD))
    if unclear:
        said.append(say("cli.next_years", lang, names=_names(unclear, lang)))
    if confirm:
        said.append(say("cli.next_confirm", lang, count=confirm))
    return said
