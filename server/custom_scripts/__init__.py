"""The WeGO scripts, as xlwings Server serves them: the refresh of Summary, Fees YYYY and
Checks (``refresh_roster`` in ``udfs.py``)."""

from udfs import refresh_roster  # noqa: F401
