# ruff: noqa: F704, E402  (Pyodide runs this with top-level await; the environment is set first)
"""Run inside Pyodide (by run_lite.mjs): wego-xl as xlwings Lite runs it. Returns JSON."""

import json
import os
import shutil
import sys

os.environ["XLWINGS_ON_SERVER"] = "true"  # as xlwings Lite runs xlwings
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"

import numpy
import xlwings as xw
import xlwings.server

import udfs
from wego_xl.excel import worksheet
from wego_xl.store import roster as roster_module
from wego_xl.store.package import SHIPPED_ROSTER

sys.path.insert(0, "/project")  # the checkout's tests/, mounted by run_lite.mjs
from tests.officejs import book_payload, call_payload

found = {
    "platform": sys.platform,
    "numpy": numpy.__version__,
    "on_server": udfs.ON_SERVER,
    "text_errors": udfs.TEXT_ERRORS,
    "rapidfuzz": "rapidfuzz" in sys.modules,
    "fee": udfs.WEGO_FEE(970000, 35379),
    "fees": udfs.WEGO_FEE([[970000], ["x"], [None]], [[35379], [1], [5]]),
    "status": udfs.WEGO_STATUS([["Seoul"], ["Seol"]]),
    "suggestion": worksheet.status("Seol", text_errors=True),
    "roster": str(roster_module.roster_path()),
    "member_fee_packaged": udfs.WEGO_MEMBER_FEE("Seoul", 2016),
}
# a roster imported into /data (Files > Import/Export) takes over from the packaged one
os.makedirs("/data", exist_ok=True)
shutil.copy(SHIPPED_ROSTER, "/data/wego_roster.xlsx")
import openpyxl

wb = openpyxl.load_workbook("/data/wego_roster.xlsx")
ws = wb["Members"]
column = [c.value for c in ws[1]].index("Population") + 1
ws.cell(2, column).value = 970000
wb.save("/data/wego_roster.xlsx")
roster_module.clear_cache()
found["roster_in_data"] = str(roster_module.roster_path())
found["member_fee_data"] = udfs.WEGO_MEMBER_FEE("Seoul", 2016)

call = call_payload(xw.__version__, "WEGO_FEE", [[970000], ["abc"]], [[35379], [1]])
found["custom_functions_call"] = await xlwings.server.custom_functions_call(call, udfs)  # top-level await: Pyodide
meta = xlwings.server.custom_functions_meta(udfs)
found["meta_functions"] = sorted(f["id"] for f in meta["functions"])

# the ledger: missing, then a .db imported into /data beside the roster
found["no_ledger"] = udfs.WEGO_BALANCE("Seoul")
found["no_ledger_text"] = worksheet.balance("Seoul", text_errors=True)
shutil.copy("/wheels/wego_ledger.db", "/data/wego_ledger.db")
found["ledger"] = {
    "balance": udfs.WEGO_BALANCE("Seoul"),
    "balance_2017": udfs.WEGO_BALANCE("Seoul", 2017),
    "paid": udfs.WEGO_PAID("Seoul"),
    "invoice": udfs.WEGO_INVOICE("Seoul", 2017),
    "invoiced": udfs.WEGO_INVOICED("Seoul", 2017),
}

book = xw.Book(json=book_payload(xw.__version__, 2016))
await xlwings.server.custom_scripts_call(udfs, "refresh_roster", typehint_to_value={xw.Book: book})
found["refresh_added"] = [a["args"][1] for a in book.json()["actions"] if a["func"] == "addSheet"]
json.dumps(found, default=str)
