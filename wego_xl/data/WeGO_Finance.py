"""The finance workbook's own module: its SampleCall macro runs
RunPython "import WeGO_Finance; WeGO_Finance.main()" (xlwings quickstart convention)."""

from udfs import refresh as main  # noqa: F401  (refresh Summary, Fees YYYY and Checks)
