"""The classic xlwings add-in path (Windows/macOS Excel), through xlwings' own code.

With pythoncom, pywintypes and win32com.client stubbed, xlwings' ``xlwings/udfs.py`` imports
here; its decorators attach the real metadata to our functions and its
``generate_vba_wrapper`` writes the VBA that "Import Functions" installs.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import zipfile

import openpyxl
import pytest

from wego_xl.excel.worksheet import failed_count_formula
from wego_xl.store.package import SHIPPED_FINANCE, SHIPPED_FINANCE_MODULE
from workbooks.vba_export import classic_udfs, vba_module_text

from ..conftest import ROOT

WORKBOOKS = ROOT / "workbooks"


@pytest.fixture(scope="module")
def classic():
    with classic_udfs() as pair:
        yield pair


def _functions(module):
    return {name: getattr(module, name) for name in dir(module) if name.startswith("WEGO_")}


def test_every_function_carries_classic_metadata_and_help(classic):
    _, module = classic
    functions = _functions(module)
    assert len(functions) >= 13
    for name, fn in functions.items():
        info = fn.__xlfunc__
        assert info["name"] == name and info["category"] == "WeGO" and not info["sub"]
        assert info["ret"]["doc"] == fn.__doc__ and len(fn.__doc__) <= 255
        params = list(inspect.signature(fn).parameters)
        assert [a["name"] for a in info["args"]] == params
        for arg in info["args"]:
            assert not arg["doc"].startswith("Positional argument"), (name, arg["name"])
            assert len(arg["doc"]) <= 255


def test_generated_vba_has_every_function_with_its_arguments(classic):
    _, module = classic
    vba = vba_module_text()
    for name, fn in _functions(module).items():
        params = inspect.signature(fn).parameters.values()
        sig = ", ".join(("Optional " if p.default is not inspect.Parameter.empty else "") + p.name for p in params)
        assert f"Function {name}({sig})" in vba
        assert f'XLPy.CallUDF("udfs", "{name}", Array(' in vba
        assert f"{name} = Err.Description" in vba  # an exception would become text in the cell
    assert "Sub refresh_roster(book)" in vba  # a script is a Sub that a button cannot call...
    assert callable(module.refresh) and not inspect.signature(module.refresh).parameters  # ...hence refresh()


def test_exported_vba_matches_the_generator():
    shipped = (WORKBOOKS / "WeGO_Finance_udfs.bas").read_text(encoding="utf-8")
    assert shipped == vba_module_text("udfs", "WeGO_Finance.xlsm"), "run python -m workbooks.build_finance"


# -- the finance workbook ---------------------------------------------------------------------


def test_finance_workbook_is_the_quickstart_template_configured(tmp_path):
    book = SHIPPED_FINANCE
    subprocess.run(
        [
            str(__import__("pathlib").Path(sys.executable).with_name("xlwings")),
            "quickstart",
            "WeGO_Finance",
            "--standalone",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    template = tmp_path / "WeGO_Finance" / "WeGO_Finance.xlsm"
    with zipfile.ZipFile(book) as ours, zipfile.ZipFile(template) as theirs:
        assert ours.read("xl/vbaProject.bin") == theirs.read("xl/vbaProject.bin")
    wb = openpyxl.load_workbook(book, keep_vba=True)
    assert "xlwings.conf" in wb.sheetnames and "_xlwings.conf" not in wb.sheetnames
    conf = {row[0]: row[1] for row in wb["xlwings.conf"].iter_rows(values_only=True) if row[0]}
    assert conf["UDF Modules"] == "udfs"
    fees = wb["Fees"]
    assert fees["E6"].value == "=WEGO_MEMBER_FEE(A6,FeeYear)"
    assert fees["D3"].value == failed_count_formula("E6:E205") and fees["A6"].value == "=WEGO_MEMBER(ROW()-5)"
    assert wb.defined_names["FeeYear"].attr_text == "Fees!$B$2"
    assert SHIPPED_FINANCE_MODULE.read_text().count("from udfs import refresh as main") == 1
