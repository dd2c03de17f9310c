"""Rebuild the shipped finance workbook ``wego_xl/data/WeGO_Finance.xlsm`` from xlwings'
own quickstart template:

    python -m workbooks.build_finance

1. ``xlwings quickstart WeGO_Finance --standalone`` (the template with the xlwings VBA
   module embedded, so no add-in install is needed);
2. its ``_xlwings.conf`` sheet renamed ``xlwings.conf`` (active) with ``UDF Modules = udfs``;
3. a ``Fees`` sheet of formulas over the roster and a ``Calculator`` sheet;
4. the VBA that xlwings' generator writes for udfs.py, exported to
   ``workbooks/WeGO_Finance_udfs.bas`` for review.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.workbook.defined_name import DefinedName

from wego_xl.excel.worksheet import failed_count_formula
from wego_xl.ledger.views import POST_SHEET, write_post_sheet
from wego_xl.store.package import SHIPPED_FINANCE
from wego_xl.store.saving import save_new
from wego_xl.store.xlsx import write_cell
from workbooks.vba_export import vba_module_text

HERE = Path(__file__).resolve().parent
NAME = SHIPPED_FINANCE.stem
FIRST_ROW = 6  # first member row on the Fees sheet
MEMBER_ROWS = 200  # member rows prepared on the Fees sheet (the roster has 100)


def quickstart_template(folder: Path) -> Path:
    xlwings_cli = Path(sys.executable).with_name("xlwings")
    subprocess.run([str(xlwings_cli), "quickstart", NAME, "--standalone"], cwd=folder, check=True, capture_output=True)
    return folder / NAME / f"{NAME}.xlsm"


def configure(wb) -> None:
    conf = wb["_xlwings.conf"]
    conf.title = "xlwings.conf"
    for row in conf.iter_rows(min_col=1, max_col=2):
        if row[0].value == "UDF Modules":
            row[1].value = "udfs"
    conf.column_dimensions["A"].width = 24  # the setting names, whole


def fees_sheet(wb) -> None:
    """A row per member, following the roster: column A is =WEGO_MEMBER(ROW()-5), so a
    member added to or removed from the roster appears or disappears on recalculation."""
    ws = wb["Sheet1"]
    ws.title = "Fees"
    bold = Font(bold=True)
    write_cell(ws, 1, 1, "WeGO membership fees").font = Font(bold=True, size=14)
    write_cell(ws, 2, 1, "Fee year").font = bold
    write_cell(ws, 2, 2, 2016, "0")
    wb.defined_names["FeeYear"] = DefinedName("FeeYear", attr_text="Fees!$B$2")
    last = FIRST_ROW + MEMBER_ROWS - 1
    fee_col = f"E{FIRST_ROW}:E{last}"
    write_cell(ws, 3, 1, "Total owed (USD)").font = bold
    ws["B3"] = f"=SUM({fee_col})"
    ws["B3"].number_format = "#,##0"
    write_cell(ws, 3, 3, "Fee cells that failed").font = bold
    # Classic xlwings shows a failed fee as text ("#N/A: ..."), which SUM skips: count both kinds.
    ws["D3"] = failed_count_formula(fee_col)
    write_cell(ws, 3, 5, "Every member listed?").font = bold
    ws["G3"] = (
        f'=IF(ISTEXT(WEGO_MEMBER({MEMBER_ROWS + 1})),"No: the roster has more members than rows; copy the last row down","Yes")'
    )
    note = write_cell(
        ws,
        4,
        1,
        "A total is complete only when 'Fee cells that failed' is 0; WEGO_EXPLAIN says what a failed "
        f"member is missing. Rows follow the roster (up to {MEMBER_ROWS} members): copy the last row down for more.",
    )
    note.alignment = Alignment(wrap_text=True, vertical="top")  # one cell across the table, wrapped: never cut off
    ws.merge_cells("A4:G4")
    ws.row_dimensions[4].height = 30
    headers = ["City", "Status", "Region", "Fee due", "Fee (USD)", "GDP year", "Explanation"]
    for c, h in enumerate(headers, start=1):
        write_cell(ws, FIRST_ROW - 1, c, h).font = bold
    for r in range(FIRST_ROW, last + 1):
        ws.cell(r, 1, f"=WEGO_MEMBER(ROW()-{FIRST_ROW - 1})")
        ws.cell(r, 2, f"=WEGO_STATUS(A{r})")
        ws.cell(r, 3, f"=WEGO_REGION(A{r})")
        ws.cell(r, 4, f"=WEGO_FEE_DUE(A{r},FeeYear)")
        ws.cell(r, 5, f"=WEGO_MEMBER_FEE(A{r},FeeYear)").number_format = "#,##0"
        ws.cell(r, 6, f'=IF(A{r}="","",WEGO_GDP_YEAR(FeeYear))')
        ws.cell(r, 7, f"=WEGO_EXPLAIN(A{r},FeeYear)")
    for col, width in zip("ABCDEFG", (34, 12, 26, 12, 24, 10, 90)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = f"A{FIRST_ROW}"


def ledger_sheet(wb) -> None:
    """The dues ledger per member (from WEGO_LEDGER): invoice, invoiced, paid, balance, arrears,
    with totals and failed-cell counts."""
    ws = wb.create_sheet("Ledger", 1)
    bold = Font(bold=True)
    write_cell(ws, 1, 1, "WeGO dues ledger (fee year from Fees!B2; balances today)").font = Font(bold=True, size=14)
    last = FIRST_ROW + MEMBER_ROWS - 1
    headers = ["Member", "Invoice", "Invoiced (USD)", "Paid for the year (USD)", "Balance (USD)", "Years in arrears"]
    totals = {3: "Invoiced", 4: "Paid", 5: "Balance"}
    for c, label in totals.items():
        column = "ABCDEF"[c - 1]
        write_cell(ws, 2, 2 * (c - 3) + 1, f"{label} (USD)").font = bold
        ws.cell(2, 2 * (c - 3) + 2, f"=SUM({column}{FIRST_ROW}:{column}{last})").number_format = "#,##0.00"
        write_cell(ws, 3, 2 * (c - 3) + 1, "Failed cells").font = bold
        ws.cell(3, 2 * (c - 3) + 2, failed_count_formula(f"{column}{FIRST_ROW}:{column}{last}"))
    write_cell(ws, 2, 7, "Bank lines waiting").font = bold
    ws.cell(2, 8, "=WEGO_UNMATCHED()")
    note = write_cell(
        ws,
        4,
        1,
        "A total is complete only when its failed count is 0. Positive balances are owed; negative are credit.",
    )
    note.alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells("A4:F4")
    for c, h in enumerate(headers, start=1):
        write_cell(ws, FIRST_ROW - 1, c, h).font = bold
    for r in range(FIRST_ROW, last + 1):
        ws.cell(r, 1, f"=WEGO_MEMBER(ROW()-{FIRST_ROW - 1})")
        ws.cell(r, 2, f'=IF(A{r}="","",IF(WEGO_INVOICED(A{r},FeeYear)>0,WEGO_INVOICE(A{r},FeeYear),"(none)"))')
        ws.cell(r, 3, f"=WEGO_INVOICED(A{r},FeeYear)").number_format = "#,##0.00"
        ws.cell(r, 4, f"=WEGO_PAID(A{r},FeeYear)").number_format = "#,##0.00"
        ws.cell(r, 5, f"=WEGO_BALANCE(A{r})").number_format = "#,##0.00"
        ws.cell(r, 6, f"=WEGO_ARREARS(A{r})")
    for col, width in zip("ABCDEFGH", (34, 18, 18, 28, 18, 18, 24, 10)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = f"A{FIRST_ROW}"


def calculator_sheet(wb) -> None:
    ws = wb.create_sheet("Calculator", 1)
    bold = Font(bold=True)
    for c, h in enumerate(
        ["Population (persons)", "GDP (PPP) per capita (USD)", "Fee (USD)", "Bands", "Fee or 0 if failed"], 1
    ):
        write_cell(ws, 1, c, h).font = bold
    for r, (pop, gdp) in enumerate([(970000, 35379), (250000, 900), (5_000_000, 12_000), ("970,000", 35379)], start=2):
        ws.cell(r, 1, pop)
        ws.cell(r, 2, gdp)
        ws.cell(r, 3, f"=WEGO_FEE(A{r},B{r})").number_format = "#,##0"
        ws.cell(r, 4, f"=WEGO_BANDS(A{r},B{r})")
        # ISNUMBER, not ISERROR: classic xlwings shows a failed fee as text, which ISERROR misses
        ws.cell(r, 5, f"=IF(ISNUMBER(C{r}),C{r},0)").number_format = "#,##0"
    write_cell(ws, 7, 1, "Total").font = bold
    ws["C7"] = "=SUM(C2:C5)"
    ws["C7"].number_format = "#,##0"
    write_cell(ws, 7, 4, "Fee cells that failed").font = bold
    ws["E7"] = failed_count_formula("C2:C5")
    write_cell(ws, 8, 1, "Fee table").font = bold
    ws["A9"] = "=WEGO_SCHEDULE()"
    for col, width in zip("ABCDE", (24, 31, 12, 48, 22)):
        ws.column_dimensions[col].width = width


def post_sheet(wb) -> None:
    """The Post sheet: payments typed here are posted to the ledger, all or nothing, by the
    post_payments script (or wego-xl ledger post FILE), which writes each receipt number."""
    write_post_sheet(wb.create_sheet(POST_SHEET))


def build(out: Path = SHIPPED_FINANCE, bas_dir: Path = HERE) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        template = quickstart_template(Path(tmp))
        wb = openpyxl.load_workbook(template, keep_vba=True)
        configure(wb)
        fees_sheet(wb)
        calculator_sheet(wb)
        ledger_sheet(wb)
        post_sheet(wb)
        target = save_new(wb, out)
    (bas_dir / f"{NAME}_udfs.bas").write_text(vba_module_text("udfs", f"{NAME}.xlsm"), encoding="utf-8")
    return target


if __name__ == "__main__":
    print(build())
