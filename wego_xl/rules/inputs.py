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
from decimal import Decimal

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
#: "970.000", "1.970.000": a dot between groups of three reads as 970 or as 970,000.
_DOT_GROUPS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")
#: "35.379,000", "35379,5": a comma for decimals (European style).
_COMMA_DECIMALS = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+,\d+|\d+,(\d{1,2}|\d{4,}))$")
#: How much of a value an error message repeats.
SHOWN_LENGTH = 60


def shown(value: object) -> str:
    """A value as an error message repeats it: its repr, cut to ``SHOWN_LENGTH`` characters;
    a huge whole number is given by its number of digits."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**30:
        return f"a number of {len(str(abs(value)))} digits"
    text = repr(value)
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"


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


def _checked_amount(value: object, name: str, kind: str, typed: object = None) -> float:
    """``value`` as a float if it is a usable number (0 or more, finite), else an error
    naming the value (``typed``, as the user typed it) and the rule."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if value is None:
            raise InputError(f"{name} must be {kind}, got nothing (a blank)")
        raise InputError(f"{name} must be {kind}, got {shown(value)}")
    try:
        number = float(value)
    except OverflowError:
        raise OutOfRangeError(f"{name} is too large to be {kind}, got {shown(value)}") from None
    if math.isnan(number):
        raise OutOfRangeError(f"{name} must be {kind}, got NaN (not a number)")
    if math.isinf(number):
        raise OutOfRangeError(f"{name} must be a finite number, got {number}")
    if number < 0:
        raise OutOfRangeError(f"{name} cannot be negative, got {shown(typed if typed is not None else value)}")
    return number


def number_from_text(text: str, name: str, kind: str) -> float:
    """A number typed as text: "970,000", " 970000 ", "970 000", "35379.5", "1e6".

    Text that reads two ways is an error, never a guess: "970.000" (970 or 970,000?) and
    comma decimals ("35.379,000", "35379,5") name the value and how to type it.
    """
    compact = text.strip()
    if _DOT_GROUPS.match(compact):
        whole = compact.replace(".", "")
        raise InputError(
            f"{name} must be {kind}, got the text {shown(text)}, which reads both as {compact.split('.')[0]} and as "
            f"{int(whole):,}: type it without dots ({whole}) or with commas ({int(whole):,})"
        )
    if _COMMA_DECIMALS.match(compact):
        raise InputError(
            f"{name} must be {kind}, got the text {shown(text)}, written with a comma for decimals: "
            "type the number with a dot for decimals and commas (or nothing) between thousands, e.g. 35,379.5"
        )
    if _NUMBER_TEXT.match(compact):
        return float(compact.translate(_SEPARATORS))
    raise InputError(f"{name} must be {kind}, got the text {shown(text)}")


def read_amount(value: object, name: str, kind: str) -> float:
    """One value (a number, or text such as "970,000") as an amount of 0 or more, or an
    error naming the value and the rule: "population must be a number of persons, got 'abc'"."""
    if isinstance(value, str):
        text = _text(value, f"{name} is blank: type {kind}")
        return _checked_amount(number_from_text(text, name, kind), name, kind, typed=value)
    _refuse_non_numbers(value, name, kind)
    if isinstance(value, numbers.Real):
        return _checked_amount(value, name, kind)
    raise InputError(f"{name} must be {kind}, got {shown(value)}")


def _refuse_non_numbers(value: object, name: str, kind: str) -> None:
    """A blank, TRUE/FALSE or a date is no amount: the error for each, naming the value."""
    if value is None:
        raise MissingDataError(f"{name} is blank: type {kind}")
    if isinstance(value, bool):
        raise InputError(f"{name} must be {kind}, got {str(value).upper()}")
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        raise InputError(f"{name} must be {kind}, got a date ({value}); format the cell as a number")


def _whole_number(number: numbers.Real) -> int | None:
    """``number`` as an int if it is finite and whole (2016 or 2016.0), else None."""
    try:
        as_float = float(number)
    except OverflowError:  # an int too large for a float is no year
        return None
    return int(as_float) if math.isfinite(as_float) and as_float.is_integer() else None


def _checked_fee_year(fee_year: object) -> int:
    """``fee_year`` as an int if it is a whole calendar year WeGO could bill, else an error."""
    if isinstance(fee_year, bool) or not isinstance(fee_year, numbers.Real):
        raise InputError(f"fee year must be a year such as 2016, got {shown(fee_year)}")
    year = _whole_number(fee_year)
    if year is None:
        raise OutOfRangeError(f"fee year must be a whole year such as 2016, got {shown(fee_year)}")
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
        raise InputError(f"fee year must be a year such as 2016, got the text {shown(value)}")
    if value is None:
        raise MissingDataError("fee year is blank: type a year such as 2016")
    if isinstance(value, (dt.date, dt.datetime)):
        raise InputError(f"fee year must be a year such as 2016, got a date ({value}); type the year as a number")
    return _checked_fee_year(value)


#: Years a roster may hold (founding dates, population years); the rules check tighter ranges.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def read_year(value: object, name: str) -> int | None:
    """One value as a calendar year (2016, 2016.0, the text "2016", or a date's year);
    None for a blank; otherwise an error naming the value.

    A date before 1910 is refused with its likely cause: Excel shows the number 2016 typed
    into a date-formatted cell as 1905-07-08.
    """
    if is_blank(value):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        if value.year < 1910:
            raise InputError(
                f"{name} must be a year such as 2016, got the date {value:%Y-%m-%d}; Excel shows a year typed "
                "into a date-formatted cell that way: format the cell as a number and type the year"
            )
        return value.year
    if isinstance(value, str):
        text = _text(value, f"{name} is blank")
        if not re.fullmatch(r"\d{4}(\.0+)?", text):
            raise InputError(f"{name} must be a four-digit year such as 2016, got the text {shown(value)}")
        number: object = float(text)
    else:
        number = value
    if isinstance(number, bool) or not isinstance(number, numbers.Real):
        raise InputError(f"{name} must be a four-digit year such as 2016, got {shown(value)}")
    year = _whole_number(number)
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        raise OutOfRangeError(f"{name} must be a four-digit year such as 2016, got {shown(value)}")
    return year


def read_name(value: object) -> str:
    """One value as a member name to look up."""
    if isinstance(value, str):
        _text(value, "city is blank: type a member's Korean or English name")
        return value
    if value is None:
        raise MissingDataError("city is blank: type a member's Korean or English name")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raise InputError(f"city must be a member's name, got {shown(value)}")


#: The largest amount of money the ledger takes, in USD (a year's fees are ~250,000 in all).
MONEY_LIMIT = 10_000_000
_MONEY_TEXT = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def read_money(value: object, name: str = "the amount", *, currency: str = "USD") -> Decimal:
    """One value as an exact amount of money to the cent (a Decimal), read with the same
    rules as fees: "7,000.50", 7000.5 and Decimal("7000.50") are 7000.50; text that reads two
    ways ("7.000", "7000,50", "1.234,50"), a third decimal ("1,000.005"), an exponent, a date,
    TRUE/FALSE, NaN, infinity or more than 10,000,000 USD is an error naming the value and
    saying how to type it, never a guess or a rounding. Negative amounts are read (a rule
    decides). In another ``currency`` (won: a fee is millions) the bound is checked once the
    amount is converted."""
    number = _decimal(value, name)
    if not number.is_finite():
        raise OutOfRangeError(f"{name} must be a finite amount, got {shown(value)}")
    if abs(number) >= (MONEY_LIMIT if currency == "USD" else MONEY_LIMIT * 10**6):
        raise OutOfRangeError(
            f"{name} must be less than {MONEY_LIMIT:,} USD, got {shown(value)}: check the number typed"
        )
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise InputError(
            f"{name} has more than two decimals ({shown(value)}): money is kept to the cent; type it to the cent"
        )
    return number.quantize(Decimal("0.01"))


def _decimal(value: object, name: str) -> Decimal:
    """An amount as typed, as an exact Decimal (not yet checked against the rules of money)."""
    if isinstance(value, str):
        text = _text(value, f"{name} is blank: type an amount such as 1234.50")
        compact = text.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
        cents_first = compact.lstrip("+-").startswith("0.")  # "0.001" is a fraction, never 1 in thousands
        if (_DOT_GROUPS.match(compact) and not cents_first) or _COMMA_DECIMALS.match(compact):
            number_from_text(compact, name, "an amount such as 7,000.50")  # raises, saying how to type it
        if not _MONEY_TEXT.match(compact):
            raise InputError(
                f"{name} must be an amount such as 7,000.50 (a dot for decimals, commas or nothing between "
                f"thousands), got the text {shown(value)}"
            )
        return Decimal(compact.replace(",", ""))
    _refuse_non_numbers(value, name, "an amount such as 1234.50")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise OutOfRangeError(f"{name} must be a finite amount, got {value}")
        return Decimal(repr(value))  # the shortest decimal that is this float: 1234.5, never 1234.49999…
    raise InputError(f"{name} must be an amount such as 1234.50, got {shown(value)}")


def control_character(text: str, allowed: str = "") -> str | None:
    """The first character of ``text`` a one-line text cannot keep, in words ("U+0007",
    "undecodable bytes", "a line separator (U+2028)"), or None: control characters (C0, DEL,
    C1) other than those in ``allowed``, undecodable bytes (surrogates, as a command line
    under a non-UTF-8 locale hands them over), and Unicode's line and paragraph separators."""
    import unicodedata

    if text.isascii() and text.isprintable():  # the usual text
        return None
    for c in text:
        category = unicodedata.category(c)
        if category == "Cs":
            return "undecodable bytes"
        if category in ("Zl", "Zp") and c not in allowed:
            return f"a line break (U+{ord(c):04X})"
        if category == "Cc" and c not in allowed:
            return f"U+{ord(c):04X}"
    return None


def refuse_control_characters(text: str, what: str) -> str:
    """``text`` unchanged, or an error naming ``what`` and the value when it holds control
    characters (other than tab and line breaks) or undecodable bytes, which a workbook
    cannot keep."""
    found = control_character(text, "\t\n\r\u2028\u2029")
    if found is not None:
        kind = found if not found.startswith("U+") else f"a control character ({found})"
        raise InputError(f"{what} holds {kind} in {shown(text)}: type it again as plain text; nothing was changed")
    return text


def refuse_in_free_text(value: str, what: str) -> str:
    """One line of free text as a book of record keeps it (a reason, a reference, a payer's
    or a person's name, a decision): ``value`` unchanged, or an error naming ``what`` and the
    value when it holds any control character (tab and line breaks too), undecodable bytes
    or a line separator."""
    found = control_character(value)
    if found is not None:
        raise InputError(
            f"{what} holds control characters ({found} in {shown(value)}): type it again as plain text on one line; "
            "nothing was changed"
        )
    return value


def _words(text: str) -> list[str]:
    return [w.casefold() for w in re.findall(r"\w[\w-]*", text)]


def _said_by(clause: str, other: str) -> bool:
    """True when every word of ``clause`` (two or more) is in ``other``, as a word or the start
    of one (Korean adds endings: 입력 is said by 입력하십시오; "it" by "its")."""
    words, others = _words(clause), _words(other)
    return len(words) >= 2 and all(any(o.startswith(w) for o in others) for w in words)


def say_once(parts: list[str]) -> list[str]:
    """The parts of one message (where, the problem, what to do), each thing said once: a
    clause of a part (after ": ", or in parentheses) that another part says already is left
    out, and that other part kept whole. "population is blank (Members sheet, row 6): type
    it in persons" beside "sheet 'Members', row 6" and "type the population in persons, with
    its year and source" becomes "population is blank"."""
    said = list(parts)
    whole: set[int] = set()  # parts that say what a left-out clause said: kept as they are

    def elsewhere(i: int, clause: str) -> int | None:
        return next((j for j in range(len(said)) if j != i and _said_by(clause, said[j])), None)

    for i, part in enumerate(parts):
        if i in whole or not part:
            continue
        head, *clauses = part.split(": ")
        kept = [head]
        for clause in clauses:
            j = elsewhere(i, clause)
            if j is None:
                kept.append(clause)
            else:
                whole.add(j)

        def aside(match: re.Match[str], i: int = i) -> str:
            j = elsewhere(i, match.group(1))
            if j is None:
                return match.group(0)
            whole.add(j)
            return ""

        said[i] = re.sub(r"\s*\(([^()]*)\)", aside, ": ".join(kept))
    return said
