"""One reading of a typed value: what a cell, a command-line argument or a roster cell
holds, turned into the amount, year or name a rule takes, or an error saying why not.

Pure Python (no files, no xlwings). Every reader of values uses these functions, so a
value means the same everywhere:

=====================  =================================================================
value                  read as
=====================  =================================================================
number                 itself (0 is valid; negative, NaN, infinite: #NUM!)
text "970,000"         970000: thousands separators (, space, no-break space, ') and
                       surrounding spaces are ignored; other text: #VALUE!
blank / empty text     missing (#N/A naming the input)
TRUE / FALSE           #VALUE! (a flag is not an amount)
date                   #VALUE! (a date is not an amount; format the cell as a number)
error value text       the same error, passed on ("#N/A" in gives #N/A out)
=====================  =================================================================
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re

from ..errors import InputError, MissingDataError, OutOfRangeError, PassedError

#: Fee years the toolkit accepts; WeGO was founded in 2010.
FIRST_FEE_YEAR, LAST_FEE_YEAR = 2010, 2200

EXCEL_ERRORS = (
    "#N/A",
    "#VALUE!",
    "#NUM!",
    "#DIV/0!",
    "#NAME?",
    "#NULL!",
    "#REF!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
)
_NUMBER_TEXT = re.compile(r"^[+-]?(\d{1,3}([,' \u00a0\u202f]\d{3})+|\d+)(\.\d+)?([eE][+-]?\d+)?$")
_SEPARATORS = str.maketrans("", "", ",' \u00a0\u202f")


def error_code(value: object) -> str | None:
    """The Excel error code if ``value`` is an error value's text ("#N/A"), else None."""
    if isinstance(value, str) and value.startswith("#"):
        head = value.split(":", 1)[0].strip().upper()
        if head in EXCEL_ERRORS:
            return head
    return None


def is_blank(value: object) -> bool:
    """True for an empty cell: nothing, or text of spaces only."""
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: str, blank: str) -> str:
    """A text cell stripped; an error value's text is passed on, a blank is missing data."""
    code = error_code(value)
    if code:
        raise PassedError(code)
    text = value.strip()
    if not text:
        raise MissingDataError(blank)
    return text


def _checked_amount(value: object, name: str, kind: str, shown: object = None) -> float:
    """``value`` as a float if it is a usable number (0 or more, finite), else an error
    naming the value (``shown``, as the user typed it) and the rule."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if value is None:
            raise InputError(f"{name} must be {kind}, got nothing (a blank)")
        raise InputError(f"{name} must be {kind}, got {value!r}")
    number = float(value)
    if math.isnan(number):
        raise OutOfRangeError(f"{name} must be {kind}, got NaN (not a number)")
    if math.isinf(number):
        raise OutOfRangeError(f"{name} must be a finite number, got {number}")
    if number < 0:
        raise OutOfRangeError(f"{name} cannot be negative, got {shown if shown is not None else value!r}")
    return number


def read_amount(value: object, name: str, kind: str) -> float:
    """One value (a number, or text such as "970,000") as an amount of 0 or more, or an
    error naming the value and the rule: "population must be a number of persons, got 'abc'"."""
    if isinstance(value, str):
        text = _text(value, f"{name} is blank: type {kind}")
        if _NUMBER_TEXT.match(text):
            return _checked_amount(float(text.translate(_SEPARATORS)), name, kind, shown=value)
        raise InputError(f"{name} must be {kind}, got the text {value!r}")
    if value is None:
        raise MissingDataError(f"{name} is blank: type {kind}")
    if isinstance(value, bool):
        raise InputError(f"{name} must be {kind}, got {str(value).upper()}")
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        raise InputError(f"{name} must be {kind}, got a date ({value}); format the cell as a number")
    if isinstance(value, numbers.Real):
        return _checked_amount(value, name, kind)
    raise InputError(f"{name} must be {kind}, got {value!r}")


def _checked_fee_year(fee_year: object) -> int:
    """``fee_year`` as an int if it is a whole calendar year WeGO could bill, else an error."""
    if isinstance(fee_year, bool) or not isinstance(fee_year, numbers.Real):
        raise InputError(f"fee year must be a year such as 2016, got {fee_year!r}")
    number = float(fee_year)
    if not math.isfinite(number) or number != int(number):
        raise OutOfRangeError(f"fee year must be a whole year such as 2016, got {fee_year!r}")
    year = int(number)
    if not FIRST_FEE_YEAR <= year <= LAST_FEE_YEAR:
        raise OutOfRangeError(f"fee year must be between {FIRST_FEE_YEAR} and {LAST_FEE_YEAR}, got {year}")
    return year


def read_fee_year(value: object) -> int:
    """One value as a fee year WeGO could bill (2016, 2016.0 or the text "2016"), else an
    error: "fee year must be between 2010 and 2200, got 1999"."""
    if isinstance(value, str):
        text = _text(value, "fee year is blank: type a year such as 2016")
        if re.fullmatch(r"\d{4}(\.0+)?", text):
            return _checked_fee_year(float(text))
        raise InputError(f"fee year must be a year such as 2016, got the text {value!r}")
    if value is None:
        raise MissingDataError("fee year is blank: type a year such as 2016")
    if isinstance(value, (dt.date, dt.datetime)):
        raise InputError(f"fee year must be a year such as 2016, got a date ({value}); type the year as a number")
    return _checked_fee_year(value)


def read_name(value: object) -> str:
    """One value as a member name to look up."""
    if isinstance(value, str):
        _text(value, "city is blank: type a member's Korean or English name")
        return value
    if value is None:
        raise MissingDataError("city is blank: type a member's Korean or English name")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raise InputError(f"city must be a member's name, got {value!r}")
