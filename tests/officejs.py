"""What Office.js sends xlwings (Server and Lite): a function call and a workbook, as plain
JSON payloads. No imports beyond the standard library, so Pyodide's check uses it too."""

from __future__ import annotations

from typing import Any


def call_payload(version: str, func_name: str, *args: Any, runtime: str = "1.4") -> dict:
    """A custom-functions-call body: each argument a cell value or a list of rows."""
    return {
        "client": "Office.js",
        "version": version,
        "runtime": runtime,
        "func_name": func_name,
        "args": [a if isinstance(a, list) else [[a]] for a in args],
        "caller_address": "Sheet1!B2",
        "culture_info_name": "en-US",
        "date_format": "M/d/yyyy",
    }


def book_payload(version: str, fee_year: int = 2016, extra_sheets: tuple[str, ...] = ()) -> dict:
    """The finance workbook with its FeeYear name, as a script call receives it."""
    sheets = [{"name": "Fees", "values": [["Fee year", fee_year]], "pictures": [], "tables": []}]
    sheets += [{"name": name, "values": [["old"]], "pictures": [], "tables": []} for name in extra_sheets]
    return {
        "client": "Office.js",
        "version": version,
        "book": {"name": "WeGO_Finance.xlsm", "active_sheet_index": 0, "selection": "A1"},
        "sheets": sheets,
        "names": [
            {
                "name": "FeeYear",
                "book_scope": True,
                "scope_sheet_name": None,
                "refers_to": "=Fees!$B$1",
                "sheet_index": 0,
                "address": "B1",
            }
        ],
    }
