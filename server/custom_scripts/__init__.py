"""The WeGO scripts, as xlwings Server serves them: the refresh of Summary, Fees YYYY and
Checks (``refresh_roster``), and the invoicing run (``invoice_fee_year``), from ``udfs.py``."""

from udfs import invoice_fee_year, refresh_roster  # noqa: F401
