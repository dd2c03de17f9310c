"""The xlwings Server / Lite session: xlwings must be imported in server mode, which is
fixed on its first import, so this folder runs in its own pytest process:

    XLWINGS_ON_SERVER=true XLWINGS_LICENSE_KEY=noncommercial python -m pytest tests_server
"""

import os

import pytest

if os.environ.get("XLWINGS_ON_SERVER") != "true" or not os.environ.get("XLWINGS_LICENSE_KEY"):
    raise pytest.UsageError(
        "tests_server needs XLWINGS_ON_SERVER=true and XLWINGS_LICENSE_KEY=noncommercial "
        "(see README.md: the test command)"
    )

from tests.conftest import _fresh_roster_cache, priced_roster, roster_copy  # noqa: F401  (the same fixtures)
