"""Which Excel host runs the functions, and a narrow speed fix for one of them.

* :func:`on_server`: xlwings Server and xlwings Lite turn a returned "#N/A" into a real
  error value; the classic add-in cannot (xlwings issue 776) and shows the reason as text.
  xlwings itself says which mode it is in (``xlwings.on_server``, set from
  ``XLWINGS_ON_SERVER``, which xlwings Server sets); Lite runs in Pyodide
  (``sys.platform == "emscripten"``).
* :func:`fail_fast_pyodide_import`: xlwings 0.36.7 to 0.37.8 call
  ``xlwings.utils.is_jsnull()`` for every cell they convert, and it tries
  ``from pyodide.ffi import JsNull`` each time; outside Pyodide the failed import searches
  every ``sys.path`` entry again, about 50 µs a cell (``docs/xlwings-is-jsnull.md``). Where
  Pyodide cannot be imported anyway, marking the module as absent makes the import fail at
  once, with the same ``ImportError``. Nothing else changes; remove it when xlwings fixes
  ``is_jsnull``.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings
from typing import Any

#: xlwings versions whose ``is_jsnull`` imports ``pyodide.ffi`` on every call.
SLOW_IS_JSNULL = ((0, 36, 7), (0, 37, 8))


def on_server(xlwings_module: Any) -> bool:
    """True under xlwings Server and xlwings Lite (bare error codes become error values)."""
    return bool(getattr(xlwings_module, "on_server", False)) or sys.platform == "emscripten"


def _version(text: str) -> tuple[int, ...]:
    parts = []
    for part in text.split(".")[:3]:
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def fail_fast_pyodide_import(xlwings_version: str) -> bool:
    """Make ``import pyodide.ffi`` fail at once where Pyodide cannot be imported, for the
    xlwings versions that import it per cell; True when applied."""
    low, high = SLOW_IS_JSNULL
    if sys.platform == "emscripten" or not low <= _version(xlwings_version) <= high:
        return False
    if "pyodide" in sys.modules or importlib.util.find_spec("pyodide") is not None:
        return False
    sys.modules.setdefault("pyodide", None)  # type: ignore[arg-type]
    sys.modules.setdefault("pyodide.ffi", None)  # type: ignore[arg-type]
    return True


def quiet_openpyxl() -> None:
    """Silence openpyxl's warnings of the parts it cannot read ("extension is not supported"):
    the write path refuses to lose those parts and says so itself. Called once by a process's
    entry point (udfs.py, the command line), which owns the warning filters; a library never
    changes them (``warnings.catch_warnings`` is not thread-safe under xlwings Server)."""
    warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
