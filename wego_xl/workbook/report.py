"""The refresh report: for a fee year, assess every member and lay out the Summary,
``Fees YYYY`` and Checks sheets as blocks of rows.

:func:`build_report` is the job itself (no files, no Excel). The writers in
:mod:`wego_xl.excel.writers` put it into a workbook file (openpyxl, headless) or an open
xlwings Book (Excel, Lite, Server), cell for cell the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from ..errors import SheetNameError
from ..rules.fees import gdp_reference_year
from ..rules.inputs import FIRST_FEE_YEAR, read_fee_year
from .assessment import Assessment, assess
from .checks import Check, roster_checks
from .roster import MEMBERS_SHEET, REGIONS, Roster
from .summary import roster_summary

SUMMARY_SHEET, CHECKS_SHEET = "Summary", "Checks"
USD, COUNT, GDP_FMT, YEAR = "#,##0", "#,##0", "#,##0.000", "0"

FEES_COLUMNS = [
    "Member ID",
    "English name",
    "Korean name",
    "Membership",
    "Fee owed",
    "Amount owed (USD)",
    "Invoice",
    "Invoiced (USD)",
    "Population",
    "GDP per capita (PPP, USD)",
    "Fee (USD)",
    "Population band",
    "GDP band",
    "Fee table",
    "GDP year",
    "GDP edition",
    "GDP country code",
    "Full since",
    "Why",
    "Country",
    "Country code",
    "Region",
    "Capital",
    "Missing input",
]
#: The columns a printed fee list shows (the rest stays on screen).
FEES_PRINTED = 9
FEES_FORMATS = {
    "Population": COUNT,
    "GDP per capita (PPP, USD)": GDP_FMT,
    "Fee (USD)": USD,
    "Amount owed (USD)": USD,
    "Invoiced (USD)": "#,##0.00",
    "Full since": YEAR,
    "GDP year": YEAR,
    "Fee table": YEAR,
}
CHECKS_COLUMNS = ["Severity", "Sheet", "Row", "Column", "Problem", "What to do"]
#: The Summary's table of fees owed by region, which the command line also prints.
FEES_BY_REGION_TABLE = "WeGO_Summary_Fees"


#: Headers wrap onto two lines past this width, so a long header does not widen its column.
HEADER_WRAP = 10


def display_width(value: object) -> int:
    """How many character widths a value takes on screen: Hangul and other wide characters
    count twice (a Korean name needs about twice the width of its Latin letters)."""
    import unicodedata

    if isinstance(value, float):
        text = f"{value:,.2f}"
    elif isinstance(value, int) and not isinstance(value, bool):
        text = f"{value:,}"
    else:
        text = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


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
class Block:
    """A titled table on a report sheet."""

    title: str | None
    headers: list[str]
    rows: list[list[Any]]
    table: str
    formats: dict[str, str] = field(default_factory=dict)
    as_table: bool = True  # an Excel table with filter buttons (long lists); else a plain range

    def numeric(self, header: str) -> bool:
        """A column of numbers (right-aligned, its header too)."""
        return header in self.formats or any(isinstance(r[i], (int, float)) and not isinstance(r[i], bool)
                                             for r in self.rows[:50] for i in [self.headers.index(header)] if i < len(r))  # fmt: skip


@dataclass(frozen=True)
class PrintSetup:
    """How a report sheet prints: orientation, the columns printed, the frozen panes."""

    landscape: bool = True
    printed_columns: int | None = None  # None: all
    frozen_columns: int = 0  # identity columns kept in view (id and names)


@dataclass
class SheetReport:
    """One sheet the refresh writes: blocks stacked top to bottom, a blank row between."""

    name: str
    blocks: list[Block]
    preamble: list[str] = field(default_factory=list)
    printing: PrintSetup = field(default_factory=PrintSetup)
    footer_note: str = ""  # e.g. "fee year 2016, written 2026-11-26"

    def layout(self) -> tuple[list[list[Any]], list[tuple[Block, int]]]:
        """(rectangular grid of values, [(block, 0-based header row)]) for any writer."""
        return self._layout

    @cached_property
    def _layout(self) -> tuple[list[list[Any]], list[tuple[Block, int]]]:
        width = max([len(b.headers) for b in self.blocks] + [1])
        grid: list[list[Any]] = [[line] + [None] * (width - 1) for line in self.preamble]
        if self.preamble:
            grid.append([None] * width)
        placed = []
        for i, block in enumerate(self.blocks):
            if i:
                grid.append([None] * width)
            if block.title:
                grid.append([block.title] + [None] * (width - 1))
            placed.append((block, len(grid)))
            for row in [block.headers, *block.rows]:
                grid.append(list(row) + [None] * (width - len(row)))
        return grid, placed

    def column_widths(self) -> list[float]:
        """Column widths (Excel character units) that fit the values; a sheet of several
        tables caps them lower, so one long column does not stretch the tables above it
        (long text then runs on into the empty cells to its right)."""
        grid, placed = self.layout()
        titles = set(self.title_rows())
        cap = 40 if len(placed) == 1 else 26
        headers = {top for _, top in placed}
        widths = []
        for c in range(len(grid[0]) if grid else 0):
            longest = max(
                [
                    min(display_width(row[c]), HEADER_WRAP) if r in headers else display_width(row[c])
                    for r, row in enumerate(grid)
                    if r not in titles and row[c] is not None
                ]
                or [0]
            )
            widths.append(float(min(max(8, longest + 2), cap)))
        return widths

    def block(self, table: str) -> Block:
        """The block written as the Excel table named ``table``."""
        return next(b for b in self.blocks if b.table == table)

    def title_rows(self) -> list[int]:
        """0-based rows holding titles (shown bold)."""
        grid, _ = self.layout()
        return [r for r in range(len(grid)) if grid[r][0] is not None and all(v is None for v in grid[r][1:])]


@dataclass
class Report:
    fee_year: int
    assessments: list[Assessment]
    findings: list[Check]
    sheets: list[SheetReport]

    @property
    def checks(self) -> list[list[Any]]:
        """The Checks sheet's rows: severity, sheet, row, column, problem, what to do."""
        return [f.as_row() for f in self.findings]

    @property
    def total_owed(self) -> float:
        return sum(a.amount_owed or 0 for a in self.assessments)

    @property
    def not_computable(self) -> list[Assessment]:
        return [a for a in self.assessments if a.blocked]

    def check_rows(self, severity: str) -> list[list[Any]]:
        """The Checks sheet's rows of one severity ("error", "missing", "confirm", "note")."""
        return [c for c in self.checks if c[0] == severity]

    def sheet(self, name: str) -> SheetReport:
        return next(s for s in self.sheets if s.name == name)

    @property
    def fees_by_region(self) -> list[list[Any]]:
        """Rows of region, members owing, fees computed, total owed, cannot compute yet."""
        return self.sheet(SUMMARY_SHEET).block(FEES_BY_REGION_TABLE).rows


def _yes_no(flag: bool | None) -> str | None:
    return None if flag is None else ("Yes" if flag else "No")


def _fees_row(a: Assessment, invoiced: tuple[str, Decimal] | None) -> list[Any]:
    m = a.member
    return [
        m.member_id,
        m.name_en,
        m.name_ko,
        m.membership.english,
        _yes_no(a.due.owed),
        a.amount_owed,
        invoiced[0] if invoiced else None,
        float(invoiced[1]) if invoiced else None,
        m.population,
        a.gdp.value if a.gdp else None,
        a.fee,
        a.population_band or None,
        a.gdp_band or None,
        a.schedule.effective_year if a.schedule else None,
        a.gdp_year,
        a.gdp.edition if a.gdp else None,
        m.gdp_code,
        m.full_since,
        a.due.reason,
        m.country,
        m.country_iso3,
        m.region,
        _yes_no(m.capital),
        a.missing_text if a.due.owed and a.missing else None,
    ]


def _invoice_checks(assessments: list[Assessment], invoiced: dict[str, tuple[str, Decimal]]) -> list[Check]:
    """A check row for each invoice whose amount today's data would not give."""
    found = []
    for a in assessments:
        issued = invoiced.get(a.member.member_id)
        if issued is None or (a.fee is not None and Decimal(str(a.fee)) == issued[1]):
            continue
        today = f"{a.fee:,.0f}" if a.fee is not None else "no fee (inputs missing)"
        found.append(
            Check(
                "confirm",
                MEMBERS_SHEET,
                a.member.row,
                None,
                f"{a.member.display_name}: invoice {issued[0]}: {issued[1]:,.0f}; today's data gives {today}",
                f"the invoice stands as issued; to correct it: wego-xl credit {issued[0]} --amount ... --reason ..., "
                "then wego-xl invoice",
            )
        )
    return found


def _membership_blocks(roster: Roster, fee_year: int) -> list[Block]:
    """The Summary's counts: beside the 2016 source's for fee year 2016; for another fee year,
    the counts on its first day and the recorded changes since the source, with decisions."""
    day = dt.date(fee_year, 1, 1)
    if fee_year == 2016:
        by_region, by_type = roster_summary(roster, day)
        return [
            Block(
                "Cities by region (2016 source beside)",
                ["Region", "Capitals", "Non-capitals", "Cities", "2016 source", "Matches"],
                [
                    [r.label, r.capitals, r.non_capitals, r.total, r.source_total, _yes_no(r.reconciles)]
                    for r in by_region
                ],
                "WeGO_Summary_Regions",
                as_table=False,
            ),
            Block(
                "Members by type (2016 source beside)",
                ["Membership", "Members", "2016 source", "Matches"],
                [[r.label, r.total, r.source_total, _yes_no(r.reconciles)] for r in by_type],
                "WeGO_Summary_Types",
                as_table=False,
            ),
        ]
    by_region, by_type = roster_summary(roster, day)
    names = {m.member_id: m.display_name for m in roster.members}
    changes = [
        [c.effective, c.member_id, names.get(c.member_id, c.member_id), c.what, c.before or None, c.after, c.decision or None]
        for c in sorted((c for c in roster.history if c.effective is not None and c.effective < day),
                        key=lambda c: (c.effective, c.row))
        if c.effective is not None and c.effective >= dt.date(2016, 1, 1)
    ]  # fmt: skip
    return [
        Block(
            f"Cities by region on {day}",
            ["Region", "Capitals", "Non-capitals", "Cities"],
            [[r.label, r.capitals, r.non_capitals, r.total] for r in by_region],
            "WeGO_Summary_Regions",
            as_table=False,
        ),
        Block(
            f"Members by status on {day}",
            ["Membership", "Members"],
            [[r.label, r.total] for r in by_type],
            "WeGO_Summary_Types",
            as_table=False,
        ),
        Block(
            "Changes since the 2016 source (joined, upgraded, withdrawn, renamed)",
            ["Effective", "Member ID", "Member", "What changed", "From", "To", "Decision"],
            changes or [[None, None, "(none recorded)", None, None, None, None]],
            "WeGO_Summary_Changes",
            {"Effective": "yyyy-mm-dd"},
            as_table=False,
        ),
    ]


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


def build_report(
    roster: Roster,
    fee_year: object,
    *,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
    invoiced: dict[str, tuple[str, Decimal]] | None = None,
) -> Report:
    """Assess every member for ``fee_year`` and lay out the three sheets. ``invoiced`` (member
    id -> invoice number and amount, from the ledger) shows what was billed, frozen, beside
    what today's data gives, with a check row for each difference."""
    year = read_fee_year(fee_year)
    invoiced = invoiced or {}
    assessments, findings = assess_year(roster, year, progress)
    findings += _invoice_checks(assessments, invoiced)
    checks = [f.as_row() for f in findings]
    owed_rows = []
    for region in (*REGIONS, "All members"):
        here = [a for a in assessments if region == "All members" or a.member.region == region]
        owing = [a for a in here if a.due.owed]
        computed = [a for a in owing if not a.blocked]
        owed_rows.append(
            [
                region,
                len(owing),
                len(computed),
                sum(a.fee for a in computed if a.fee is not None),
                len(owing) - len(computed),
            ]
        )
    stamp = (today or dt.date.today()).isoformat()
    summary = SheetReport(
        SUMMARY_SHEET,
        preamble=[
            f"WeGO membership fees, fee year {year} (GDP year {gdp_reference_year(year)})",
            f"Written by wego-xl on {stamp} from {roster.path.name}; this sheet is replaced on every refresh.",
        ],
        blocks=[
            *_membership_blocks(roster, year),
            Block(
                f"Fees owed for {year} (USD)",
                ["Region", "Members owing", "Fees computed", "Total owed (USD)", "Cannot compute yet"],
                owed_rows,
                FEES_BY_REGION_TABLE,
                {"Total owed (USD)": USD},
                as_table=False,
            ),
            Block(
                "Fees that cannot be computed yet",
                ["Member ID", "Member", "Why"],
                [[a.member.member_id, a.member.display_name, a.missing_text] for a in assessments if a.blocked]
                or [[None, "(none)", None]],
                "WeGO_Summary_Missing",
                as_table=False,
            ),
        ],
        printing=PrintSetup(landscape=False),
        footer_note=f"fee year {year}, written {stamp}",
    )
    fees = SheetReport(
        fees_sheet_name(year),
        [
            Block(
                None,
                FEES_COLUMNS,
                [_fees_row(a, invoiced.get(a.member.member_id)) for a in assessments],
                f"WeGO_Fees_{year}",
                FEES_FORMATS,
            )
        ],
        printing=PrintSetup(landscape=True, printed_columns=FEES_PRINTED, frozen_columns=3),
        footer_note=f"fee year {year}, written {stamp}",
    )
    checks_sheet = SheetReport(
        CHECKS_SHEET,
        [
            Block(
                None,
                CHECKS_COLUMNS,
                checks or [["ok", None, None, None, "no problems found", None]],
                "WeGO_Checks",
                {"Row": "0"},
            )
        ],
        printing=PrintSetup(landscape=True),
        footer_note=f"fee year {year}, written {stamp}",
    )
    return Report(year, assessments, findings, [summary, fees, checks_sheet])
