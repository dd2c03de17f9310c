"""The WeGO worksheet functions, as xlwings Server serves them: every WEGO_ function of
``udfs.py`` (the same module the classic add-in and xlwings Lite use)."""

from udfs import *  # noqa: F403  (udfs.__all__: the WEGO_ functions and the scripts)
