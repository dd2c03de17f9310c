"""Workbooks whose cells call the WeGO functions, evaluated by an independent formula engine
(the `formulas` package), agree with direct calls, SUM, IF and ISERROR included.

Two ways of returning errors are registered in turn: real error values (what xlwings Server
and Lite make of "#N/A") and classic xlwings' text ("#N/A: reason"), which SUM skips, so the
finance workbook's failed-cell count must catch it.
"""

from __future__ import annotations

import csv
import os
import subprocess

import openpyxl
import pytest

formulas = pytest.importorskip("formulas")
schedula = pytest.importorskip("schedula")
from formulas.functions import wrap_ufunc  # noqa: E402

import udfs  # noqa: E402
from wego_xl.app.report import build_report  # noqa: E402
from wego_xl.excel.worksheet import failed_count_formula  # noqa: E402
from wego_xl.rules.inputs import error_code  # noqa: E402
from wego_xl.store.package import SHIPPED_FINANCE  # noqa: E402
from wego_xl.store.roster import read_roster  # noqa: E402

from ..conftest import require_program  # noqa: E402

FUNCTIONS = [
    "WEGO_MEMBER",
    "WEGO_FEE",
    "WEGO_STATUS",
    "WEGO_MEMBER_FEE",
    "WEGO_FEE_DUE",
    "WEGO_GDP_YEAR",
    "WEGO_BANDS",
    "WEGO_EXPLAIN",
    "WEGO_REGION",
    "WEGO_COUNTRY",
    "WEGO_IS_CAPITAL",
]
ERRORS = {
    "#N/A": formulas.NA,
    "#VALUE!": formulas.VALUE,
    "#NUM!": formulas.NUM,
    "#DIV/0!": formulas.DIV,
    "#REF!": formulas.REF,
    "#NAME?": formulas.NAME,
    "#NULL!": formulas.NULL,
}


def _register(real_errors: bool) -> None:
    registry = formulas.get_functions()
    for name in FUNCTIONS:
        fn = getattr(udfs, name)

        def call(*args, _fn=fn):
            result = _fn(*args)
            code = error_code(result)
            return ERRORS[code] if code and real_errors else result

        registry[name] = wrap_ufunc(
            call,
            input_parser=lambda *a: a,
            check_nan=False,
            args_parser=lambda *a: [None if x is schedula.EMPTY else x for x in a],
        )


@pytest.fixture
def engine():
    registry = formulas.get_functions()
    saved = {name: registry.get(name) for name in FUNCTIONS}

    def evaluate(path, real_errors=True):
        _register(real_errors)
        solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
        values = {}
        for key, ranges in solution.items():
            if "]" not in key:  # defined names (FeeYear)
                continue
            ref = key.split("]", 1)[1].replace("'", "")
            if ":" not in ref:
                value = ranges.value[0, 0]
                values[ref.upper()] = value
        return values

    yield evaluate
    for name, fn in saved.items():
        if fn is None:
            registry.pop(name, None)
        else:
            registry[name] = fn


def _test_book(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Fees"
    cities = ["Seoul", "Sejong", "Seol", "NITDA"]
    for r, city in enumerate(cities, start=2):
        ws[f"A{r}"] = city
        ws[f"B{r}"] = f"=WEGO_STATUS(A{r})"
        ws[f"C{r}"] = f"=WEGO_FEE_DUE(A{r},2016)"
        ws[f"D{r}"] = f"=WEGO_MEMBER_FEE(A{r},2016)"
        ws[f"E{r}"] = f"=IF(ISERROR(D{r}),0,D{r})"
    ws["G1"] = "=SUM(E2:E5)"
    ws["G2"] = "=SUM(D2:D5)"
    ws["G3"] = '=SUMPRODUCT(--ISERROR(D2:D5))+COUNTIF(D2:D5,"#*")'
    ws["G4"] = '=ISERROR(WEGO_FEE("abc",1))'
    ws["G5"] = "=WEGO_FEE(970000,35379)*2"
    ws["G6"] = '=IF(WEGO_FEE_DUE("Seoul",2016),"bill","skip")'
    ws["G7"] = "=ISERROR(D4)"
    calc = wb.create_sheet("Calc")
    pairs = [(970000, 35379), (299999, 999.99), ("970,000", 35379), (-5, 100), (0, 0)]
    for r, (pop, gdp) in enumerate(pairs, start=1):
        calc[f"A{r}"], calc[f"B{r}"] = pop, gdp
        calc[f"C{r}"] = f"=WEGO_FEE(A{r},B{r})"
        calc[f"D{r}"] = f"=WEGO_BANDS(A{r},B{r})"
    wb.save(path)
    return cities, pairs


def test_cells_agree_with_direct_calls(engine, priced_roster, tmp_path):
    book = tmp_path / "book.xlsx"
    cities, pairs = _test_book(book)
    v = engine(book)
    for r, city in enumerate(cities, start=2):
        for col, fn in (
            ("B", udfs.WEGO_STATUS),
            ("C", lambda c: udfs.WEGO_FEE_DUE(c, 2016)),
            ("D", lambda c: udfs.WEGO_MEMBER_FEE(c, 2016)),
        ):
            direct = fn(city)
            got = v[f"FEES!{col}{r}"]
            if error_code(direct):
                assert str(got) == error_code(direct)
            else:
                assert got == direct, (col, r)
    for r, (pop, gdp) in enumerate(pairs, start=1):
        direct = udfs.WEGO_FEE(pop, gdp)
        got = v[f"CALC!C{r}"]
        assert (str(got) == error_code(direct)) if error_code(direct) else got == direct
    assert v["CALC!C3"] == 7000  # text "970,000" is read as a number


def test_sum_if_and_iserror_over_the_functions(engine, priced_roster, tmp_path):
    book = tmp_path / "book.xlsx"
    _test_book(book)
    v = engine(book, real_errors=True)
    assert v["FEES!E2"] == 7000 and v["FEES!E4"] == 0  # Seol is not on the roster
    assert v["FEES!G1"] == 7000  # Seoul 7,000 + Sejong 0 + failed 0 + NITDA 0
    assert str(v["FEES!G2"]) == "#N/A"  # a real error makes the plain SUM fail loudly
    assert v["FEES!G3"] == 1
    assert v["FEES!G4"] is True or v["FEES!G4"] == 1
    assert v["FEES!G5"] == 14000
    assert v["FEES!G6"] == "bill"
    assert v["FEES!G7"] is True or v["FEES!G7"] == 1


def test_classic_text_errors_are_skipped_by_sum_but_counted(engine, priced_roster, tmp_path):
    book = tmp_path / "book.xlsx"
    _test_book(book)
    v = engine(book, real_errors=False)
    assert str(v["FEES!D4"]).startswith("#N/A: 'Seol' is not on the roster")
    assert v["FEES!G2"] == 7000  # SUM quietly skips the text: the total looks complete...
    assert v["FEES!G3"] == 1  # ...and the failed-cell count beside it says it is not
    assert v["FEES!G7"] is False or v["FEES!G7"] == 0  # ISERROR does not see text as an error


def test_shipped_finance_workbook_evaluates(engine):
    v = engine(SHIPPED_FINANCE)
    assert v["CALCULATOR!C2"] == 7000 and v["CALCULATOR!C5"] == 7000
    assert v["CALCULATOR!E7"] == 0  # no failed fee on the calculator
    assert v["FEES!A6"] == "Seoul" and v["FEES!A105"] == "Central Information Technology Office"
    assert v["FEES!D6"] is True or v["FEES!D6"] == 1  # Seoul owes a fee in 2016
    # the shipped roster lacks some populations: those fees fail (a real #N/A here), and the
    # failed count says how many, as the refresh does
    report = build_report(read_roster(), 2016)
    assert v["FEES!D3"] == len(report.not_computable) > 0
    assert str(v["FEES!B3"]) == "#N/A"  # a real error makes the plain SUM fail loudly
    assert v["FEES!G3"] == "Yes"  # every member of the roster has a row


def test_the_fees_sheet_follows_the_roster(engine, priced_roster):
    """A member removed from the roster disappears from the Fees sheet, one added appears."""
    wb = openpyxl.load_workbook(priced_roster)
    members = wb["Members"]
    members.delete_rows(3)  # Ulaanbaatar leaves the roster
    members.append(["W101", "신규시", "New City", None, "KOR", "Korea, Republic of", "Asia", "No", "Associate"])
    wb.save(priced_roster)
    v = engine(SHIPPED_FINANCE, real_errors=False)
    names = [v[f"FEES!A{r}"] for r in range(6, 106)]
    assert "Ulaanbaatar" not in names and names[-1] == "New City" and names[1] == "Kathmandu"
    assert not v["FEES!A106"]  # nothing past the roster
    assert v["FEES!B105"] == "Associate" and v["FEES!E105"] == 0
    fees = udfs.WEGO_MEMBER_FEE([[n] for n in names], 2016)
    computed = [f[0] for f in fees if isinstance(f[0], float)]
    failed = [f[0] for f in fees if isinstance(f[0], str)]
    assert v["FEES!B3"] == sum(computed)  # SUM skips the classic error text...
    assert v["FEES!D3"] == len(failed) > 0  # ...and the failed count beside it says how many


def test_the_failed_count_counts_each_failure_once_in_libreoffice(tmp_path):
    """Real error values and classic error text, each once, in LibreOffice as in Excel (whose
    COUNTIF("#*") matches text only; LibreOffice's matches error values too)."""
    soffice = require_program("soffice", "libreoffice-calc")
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, value in enumerate(["=NA()", "=1/0", "#N/A: 'Seol' is not on the roster", 7000, None, "Seoul"], start=1):
        cell = ws.cell(r, 1, value)
        if isinstance(value, str) and not value.startswith("="):
            cell.data_type = "s"
    ws["C1"] = failed_count_formula("A1:A6")
    ws["C2"] = '=SUMPRODUCT(--ISERROR(A1:A6))+COUNTIF(A1:A6,"#*")'  # the old formula
    wb.save(tmp_path / "failed.xlsx")
    subprocess.run(
        [soffice, "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(tmp_path / "failed.xlsx")],
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    rows = list(csv.reader((tmp_path / "failed.csv").open(encoding="utf-8")))
    assert rows[0][2] == "3"  # two error values and one error text
    assert rows[1][2] == "5"  # the old formula counted each error value twice here
