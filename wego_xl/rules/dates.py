"""One reading of a date, wherever it comes from: a date cell (classic Excel, openpyxl), the
day number Office.js sends for one (xlwings Server and Lite), or text such as 2017-03-31.

Excel counts days from 1900-01-01 as 1 and, as Lotus 1-2-3 did, has a 29 February 1900
(day 60) that never was: from day 61 (1 March 1900) on, day N is 1899-12-30 plus N days.
"""

from __future__ import annotations

import datetime as dt

from ..errors import InputError

EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0, for days from 61 on
LAST_EXCEL_DAY = 2_958_465  # 9999-12-31
#: The dates a book or membership date may take: from WeGO's founding year to a far future.
FIRST_DAY = dt.date(2010, 1, 1)
LAST_DAY = dt.date(2200, 12, 31)


def from_excel_day(day: float) -> dt.date:
    """The date of Excel's day number (its time of day dropped); day 60 is an error."""
    if day != day or day in (float("inf"), float("-inf")):  # NaN or infinite: no day
        raise InputError(f"an Excel date is a day number from 1 to {LAST_EXCEL_DAY:,}, got {day!r}")
    whole = int(day)
    if not 1 <= whole <= LAST_EXCEL_DAY:
        raise InputError(f"an Excel date is a day number from 1 to {LAST_EXCEL_DAY:,}, got {day!r}")
    if whole == 60:
        raise InputError("Excel's day 60 is 29 February 1900, which never was: type the date again")
    return EXCEL_EPOCH + dt.timedelta(days=whole if whole > 60 else whole + 1)


def read_date(value: object, what: str = "the date", *, day_numbers: bool = False) -> dt.date | None:
    """A date from a cell or an argument; None when blank. Text must be a date such as
    2017-03-31. A number is Excel's day number only with ``day_numbers`` (a function's
    argument from Office.js); in a file a date cell is a date, and a number typed there
    (2017) is an error, never 9 July 1905. Anything else is an error naming ``what``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if day_numbers and isinstance(value, (int, float)) and not isinstance(value, bool):
        return from_excel_day(value)
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(f"{what} must be a date such as 2017-03-31, got {value!r}")


def check_day(day: dt.date, what: str) -> dt.date:
    """``day`` when it is from :data:`FIRST_DAY` to :data:`LAST_DAY` (WeGO was founded in 2010;
    its books and memberships have no earlier date), else an error naming ``what``."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InputError(
            f"{what} {day} is outside {FIRST_DAY}..{LAST_DAY} (WeGO's books and memberships start in 2010): "
            "type the date again, such as 2017-03-31"
        )
    return day
