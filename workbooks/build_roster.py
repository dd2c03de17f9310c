"""Build the shipped roster workbook ``wego_xl/data/wego_roster.xlsx`` from the text
sources in ``workbooks/src``: ``python -m workbooks.build_roster``.

The sources are reviewable CSV: ``members.csv`` (one row per member) and ``gdp.csv``; the
fee schedules come from :mod:`wego_xl.rules.schedules`. Rebuild after editing them.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from wego_xl.app.settings import STANDARD_SETTINGS
from wego_xl.rules.fees import FeeSchedule
from wego_xl.rules.membership import MembershipType
from wego_xl.rules.schedules import DEFAULT_SCHEDULES
from wego_xl.store.package import SHIPPED_ROSTER
from wego_xl.store.roster import (
    ABOUT_SHEET,
    GDP_COLUMNS,
    GDP_OPTIONAL_COLUMNS,
    GDP_SHEET,
    HISTORY_COLUMNS,
    HISTORY_SHEET,
    LANGUAGE_LABEL,
    MEMBER_COLUMNS,
    MEMBER_OPTIONAL_COLUMNS,
    MEMBERS_SHEET,
    REGIONS,
    SCHEDULE_MARK,
    SCHEDULE_SHEET,
    SETTINGS_COLUMNS,
    SETTINGS_SHEET,
    SOURCE_NAMES_COLUMNS,
    SOURCE_NAMES_SHEET,
)
from wego_xl.store.saving import save_new
from wego_xl.store.weo import GDP_FORMATS, GDP_WIDTHS
from wego_xl.store.xlsx import print_setup, write_cell, write_table

SOURCES = Path(__file__).resolve().parent / "src"

_NUMERIC = {"associate_since", "full_since", "population", "population_year"}
MEMBER_FORMATS = {"Population": "#,##0", "Associate since": "0", "Full since": "0", "Population year": "0"}
MEMBER_WIDTHS: dict[str, float] = {"Aliases": 40, "Notes": 60, "Korean name": 24, "English name": 32, "Country": 24}

ABOUT = [
    ("Sheet", "What it holds", "Who maintains it"),
    (
        MEMBERS_SHEET,
        "One row per WeGO member (2016 roster: 97 cities, 3 friendship organisations): "
        "names, aliases, country, region, capital flag as the 2016 source classifies it, membership "
        "type and years, population.",
        "Finance staff: Population, Population year, Population source, Population confirmed by, "
        "Confirmed on, Full since, Associate since, Membership. Names and aliases: Secretariat membership desk.",
    ),
    (
        GDP_SHEET,
        "GDP (PPP) per capita in USD by country and year, with the IMF World Economic "
        "Outlook edition each figure came from.",
        "Filled by 'wego-xl import-weo'; do not mix editions by hand.",
    ),
    (
        SCHEDULE_SHEET,
        "The annual fee table(s). Each block starts with 'Effective year' and the first "
        "fee year it applies to; columns are population lower bounds in persons, rows GDP lower bounds "
        "in USD; each band runs up to the next bound.",
        "Secretariat, when the General Assembly adopts a new table.",
    ),
    (
        HISTORY_SHEET,
        "One row per change of a member (membership, name, country...): from, to, the date it took "
        "effect, the decision (e.g. 'EC 2016-2'), who entered it and when. The Members sheet shows the "
        "current state; the history explains it. Unknown dates stay blank.",
        "Written by 'wego-xl member add/upgrade/withdraw/rename' with the Members row; corrections: "
        "Secretariat membership desk.",
    ),
    (
        SOURCE_NAMES_SHEET,
        "How a source (the UN city population table) writes a member's country and city, where "
        "it differs from the member's names; a blank city says the source has no usable figure.",
        "Finance staff, after checking the source; 'wego-xl import-population' reads it.",
    ),
    (
        SETTINGS_SHEET,
        "The Secretariat's name, address and bank details, which invoices, statements and reminders "
        "print (wego-xl documents); blank values stop the documents, naming the row.",
        "Finance staff (the bank details: the head of finance).",
    ),
    (
        "Chart of accounts",
        "The accounts 'wego-xl journal' posts to, by role: a code and an account name (beancount style, "
        "Assets:..., Income:...) to match the Secretariat's accounting system; dues income gets a "
        "sub-account per fee year.",
        "The head of finance, with the accountants.",
    ),
    (
        "Fees YYYY, Summary, Checks",
        "Written by the refresh (wego-xl refresh or the Refresh button); replaced on every refresh.",
        "Nobody: do not edit, your changes would be replaced.",
    ),
]


def member_headers() -> list[str]:
    """The Members sheet's columns: the confirmation columns follow the population's."""
    headers = list(MEMBER_COLUMNS)
    at = headers.index("Population source") + 1
    return headers[:at] + list(MEMBER_OPTIONAL_COLUMNS) + headers[at:]


def read_members_csv(path: Path) -> list[dict[str, object]]:
    """Rows of ``members.csv`` as cell values keyed by sheet header."""
    fields = {v: k for k, v in MEMBER_COLUMNS.items()}
    rows = []
    with open(path, encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            row: dict[str, object] = {}
            for field_name, header in fields.items():
                raw = (rec.get(field_name) or "").strip()
                if field_name in _NUMERIC and raw:
                    row[header] = int(raw) if raw.isdigit() else float(raw)
                else:
                    row[header] = raw or None
            rows.append(row)
    return rows


def read_gdp_csv(path: Path) -> list[list[object]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        out = []
        for rec in reader:
            out.append(
                [
                    rec["Country code"],
                    rec["Country"],
                    int(rec["Year"]),
                    float(rec["GDP per capita (PPP, USD)"]),
                    rec["Edition"],
                    rec["Units"],
                    rec["Source"],
                    rec.get("Estimate") or "No",
                    rec.get("Notes") or None,
                    rec.get("Confirmed") or None,
                ]
            )
    return out


def write_schedules(ws, schedules: Iterable[FeeSchedule]) -> None:
    """Lay out each schedule as an editable grid block (see the About sheet)."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    r = 1
    for s in schedules:
        write_cell(ws, r, 1, SCHEDULE_MARK).font = bold
        write_cell(ws, r, 2, s.effective_year, "0").font = bold
        write_cell(ws, r, 4, f"Source: {s.source}")
        write_cell(ws, r + 1, 1, "GDP from (USD) ↓ / population from →").font = bold
        for c, lower in enumerate(s.population_lowers, start=2):
            write_cell(ws, r + 1, c, lower, "#,##0").font = bold
        for g, (lower, fees) in enumerate(zip(s.gdp_lowers, s.fees)):
            write_cell(ws, r + 2 + g, 1, lower, "#,##0").font = bold
            for c, fee in enumerate(fees, start=2):
                write_cell(ws, r + 2 + g, c, fee, "#,##0")
        r += len(s.gdp_lowers) + 3
    ws.column_dimensions["A"].width = 34
    for c in range(2, 2 + max(len(s.population_lowers) for s in schedules)):
        ws.column_dimensions[get_column_letter(c)].width = 13
    ws.freeze_panes = "B3"


def write_members(ws, members: list[dict[str, object]]) -> None:
    """The Members sheet: a row per member, and the lists and limits Excel checks as one types
    (membership, region, capital, a confirmed English name, a population of 0 or more)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    ws.title = MEMBERS_SHEET
    headers = member_headers()
    write_table(
        ws,
        headers,
        [[m.get(h) for h in headers] for m in members],
        name="Members",
        number_formats=MEMBER_FORMATS,
        widths=MEMBER_WIDTHS,
    )
    last = len(members) + 1000  # room for new members
    col = {h: chr(ord("A") + i) for i, h in enumerate(headers)}
    validations = [
        (
            "Membership",
            ",".join(t.english for t in MembershipType),
            "pick a status; record changes with wego-xl member",
        ),
        ("Region", ",".join(REGIONS), "pick one of the six regions"),
        ("Capital", "Yes,No", "Yes or No, as the 2016 source classifies it (blank for organisations)"),
        ("English name confirmed", "Yes,No", "No where the English name is a likely reading"),
    ]
    for header, options, prompt in validations:
        dv = DataValidation(
            type="list",
            formula1=f'"{options}"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=header,
            error=prompt,
            promptTitle=header,
            prompt=prompt,
        )
        dv.add(f"{col[header]}2:{col[header]}{last}")
        ws.add_data_validation(dv)
    pop = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Population",
        error="Population is a number of persons, 0 or more (e.g. 970000).",
    )
    pop.add(f"{col['Population']}2:{col['Population']}{last}")
    ws.add_data_validation(pop)


def write_gdp(ws, src: Path) -> None:
    """The GDP sheet, from ``gdp.csv``."""
    write_table(
        ws,
        [*GDP_COLUMNS, *GDP_OPTIONAL_COLUMNS],
        read_gdp_csv(src / "gdp.csv"),
        name="GDP",
        number_formats=GDP_FORMATS,
        widths=GDP_WIDTHS,
    )


def write_source_names(ws, src: Path) -> None:
    """The Source names sheet, from ``source_names.csv`` (empty without it)."""
    spellings = []
    if (src / "source_names.csv").exists():
        with open(src / "source_names.csv", encoding="utf-8", newline="") as fh:
            spellings = [[rec[h] or None for h in SOURCE_NAMES_COLUMNS] for rec in csv.DictReader(fh)]
    write_table(
        ws,
        list(SOURCE_NAMES_COLUMNS),
        spellings,
        name="Source_names",
        widths={"Member ID": 11, "Source": 9, "Country as written": 26, "City as written": 28, "Note": 70},
    )


def write_history(ws, src: Path, members: list[dict[str, object]]) -> None:
    """The History sheet, from ``history.csv`` (empty without it), each change with the
    member's name beside its id, for people."""
    names = {str(m["Member ID"]): str(m.get("English name") or m.get("Korean name") or "") for m in members}
    changes = []
    if (src / "history.csv").exists():
        with open(src / "history.csv", encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(fh):
                rec["Member"] = names.get(rec["Member ID"], "")  # the name beside the id, for people
                row: list[object] = [rec[h] or None for h in HISTORY_COLUMNS]
                for i in (HISTORY_COLUMNS.index("Effective date"), HISTORY_COLUMNS.index("Entered at")):
                    row[i] = dt.date.fromisoformat(str(row[i])) if row[i] else None
                changes.append(row)
    write_table(
        ws,
        list(HISTORY_COLUMNS),
        changes,
        name="History",
        number_formats={"Effective date": "yyyy-mm-dd", "Entered at": "yyyy-mm-dd"},
        widths={"Member ID": 11, "Member": 28, "What changed": 14, "From": 12, "To": 12, "Effective date": 14, "Decision": 70,
                "Entered by": 28, "Entered at": 12},
    )  # fmt: skip


def write_settings(ws) -> None:
    """The Settings sheet: the standard settings, their values to fill in."""
    write_table(
        ws,
        list(SETTINGS_COLUMNS),
        [list(r) for r in STANDARD_SETTINGS],
        name="Settings",
        widths={"Setting": 30, "Value": 60, "What it is": 70},
    )


def write_chart(ws) -> None:
    """The Chart of accounts sheet: a row per role the journal posts to."""
    from wego_xl.rules.journal import ROLES

    write_table(
        ws,
        ["Role", "Code", "Account", "What it is"],
        [[role, code, name, CHART_NOTES[role]] for role, (code, name) in ROLES.items()],
        name="Chart",
        widths={"Role": 18, "Code": 10, "Account": 36, "What it is": 80},
    )


def write_about(ws) -> None:
    """The About sheet: the language the reports and documents are written in first, and what
    each sheet holds and who maintains it."""
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    write_cell(ws, 1, 1, f"{LANGUAGE_LABEL} / 언어 (en, ko)").font = Font(bold=True)
    write_cell(ws, 1, 2, "en")
    language = DataValidation(type="list", formula1='"en,ko"', allow_blank=True, showErrorMessage=True,
                              errorTitle="Language", error='Type "en" (English) or "ko" (한국어).')  # fmt: skip
    ws.add_data_validation(language)
    language.add("B1")
    write_cell(ws, 1, 3, "Reports (Summary, Fees YYYY, Checks) and documents are written in this language first.")
    write_table(
        ws,
        list(ABOUT[0]),
        [list(r) for r in ABOUT[1:]],
        name="About",
        top=3,
        widths={"Sheet": 26, "What it holds": 90, "Who maintains it": 60},
    )


def build_roster(src: Path, out: Path, schedules: Iterable[FeeSchedule]) -> Path:
    """Write the roster workbook ``out`` from the CSV sources in ``src``: a sheet at a time, in
    the order a finance user finds them, each printing on A4 with its header row on every page."""
    from openpyxl import Workbook

    from wego_xl.books.journal import CHART_SHEET

    wb = Workbook()
    members = read_members_csv(src / "members.csv")
    write_members(wb.active, members)
    write_gdp(wb.create_sheet(GDP_SHEET), src)
    write_schedules(wb.create_sheet(SCHEDULE_SHEET), schedules)
    write_source_names(wb.create_sheet(SOURCE_NAMES_SHEET), src)
    write_history(wb.create_sheet(HISTORY_SHEET), src, members)
    write_settings(wb.create_sheet(SETTINGS_SHEET))
    write_chart(wb.create_sheet(CHART_SHEET))
    write_about(wb.create_sheet(ABOUT_SHEET))
    for ws in wb.worksheets:
        header_row = 3 if ws.title == ABOUT_SHEET else (None if ws.title == SCHEDULE_SHEET else 1)
        print_setup(ws, title=ws.title, note=f"WeGO roster: {ws.title}", header_row=header_row,
                    landscape=True, printed_columns=None, last_row=ws.max_row,
                    repeat_columns=REPEATED_COLUMNS.get(ws.title))  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    return save_new(wb, out)


#: What each role of the chart of accounts takes.
CHART_NOTES = {
    "bank": "the bank account dues arrive in (receipts in another currency: a sibling account, e.g. ...-KRW)",
    "receivable": "what members owe: invoices less credit notes, payments and write-offs",
    "suspense": "receipts on the bank's statement that nobody has identified yet",
    "opening": "balances carried in from before a journal's period",
    "dues_income": "membership dues, a sub-account per fee year (FY2017)",
    "other_income": "receipts set aside as not dues (interest, refunds)",
    "exchange_gains": "realised exchange gains on receipts in another currency",
    "bank_charges": "charges kept by banks on the way",
    "bank_other": "other debits on the bank's statement (account fees)",
    "bad_debts": "debts written off by a decision",
    "exchange_losses": "realised exchange losses on receipts in another currency",
}
#: The columns a wide sheet repeats on each printed page: the member's id and names.
REPEATED_COLUMNS = {MEMBERS_SHEET: "A:C", GDP_SHEET: "A:B", HISTORY_SHEET: "A:B", SETTINGS_SHEET: "A:A",
                    ABOUT_SHEET: "A:A"}  # fmt: skip


if __name__ == "__main__":
    print(build_roster(SOURCES, SHIPPED_ROSTER, DEFAULT_SCHEDULES))
