"""Exchange-rate files read into rates, each as units of a currency per 1 USD:

* the European Central Bank's reference-rate history (``eurofxref-hist.csv``: ``Date,USD,
  JPY,...``, units per 1 EUR, ``N/A`` where none), recognised by its header: KRW per USD is
  the cross rate KRW / USD, EUR per USD is 1 / USD. A day with N/A for a currency (or for USD)
  has no rate for it, as the ECB means; a number that cannot be read refuses the file.
* a daily USD/KRW file in the layout the Bank of Korea's ECOS exports (an .xlsx or CSV with
  title rows, a date column and a rate column), read through a TOML mapping::

      [columns]
      date = "날짜"
      rate = "원/미국달러(매매기준율)"
      [rates]
      currency = "KRW"       # the rate is units of this currency ...
      per = "USD"            # ... per 1 USD
      source = "SMBS"        # what the ledger shows as the rate's source
      # date_format = "%Y/%m/%d", sheet = "..." (optional)

  A dated row with a blank rate (a holiday) gives no rate; a row without a date and without
  a rate (a note under the table) is passed over.

A day given twice with different rates refuses the file, naming both lines.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..rules.bank import HOME, Rate, rate_of
from ..rules.inputs import is_blank
from .statements import read_bytes
from .table import find_header, has_date, load_mapping, read_day, read_sheet, section

#: How the ECB writes a rate, and says there is none.
_ECB_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_ECB_NONE = "N/A"
#: A rate as a file may type it: 1207.7, 1,207.70.
_RATE_TEXT = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
RATE_COLUMNS = {"date": True, "rate": True}
RATE_SETTINGS = {"currency": True, "source": True, "per": True, "date_format": False, "sheet": False}


class RateFileError(InputError):
    """A rate file cannot be read for sure: an unknown layout, a rate or date that cannot be
    read, a day given twice with different rates."""


def read_rates(
    path: Path, mapping: Path | dict | None = None, *, currencies: Iterable[str] = ("KRW", "EUR")
) -> list[Rate]:
    """The rates in a file, by currency (in the order asked) and day: the ECB's history, or a
    file read through ``mapping`` (a TOML file or the dict it parses to)."""
    path = Path(path)
    wanted = [c.strip().upper() for c in currencies]
    if HOME in wanted:
        raise RateFileError(f"{HOME} needs no rate (rates are units of a currency per 1 {HOME}): ask for others")
    data = read_bytes(path, RateFileError)
    if mapping is not None:
        found = _read_mapped(path, data, mapping, wanted)
    elif _is_ecb(data):
        found = _read_ecb(path.name, data, wanted)
    else:
        raise RateFileError(
            f"{path.name} is not the ECB's reference-rate file (Date,USD,JPY,...): for another layout give "
            "--mapping FILE naming its date and rate columns"
        )
    rates = _once_a_day(path.name, found)
    return sorted(rates, key=lambda r: (wanted.index(r.currency), r.day))


def _is_ecb(data: bytes) -> bool:
    """True for the ECB's layout: a header of Date then currency codes, USD among them."""
    header = [c.strip() for c in data[:1000].decode("utf-8-sig", "replace").split("\n", 1)[0].split(",")]
    return header[0] == "Date" and "USD" in header and all(re.fullmatch(r"[A-Z]{3}|", c) for c in header[1:])


def _read_ecb(source: str, data: bytes, wanted: list[str]) -> list[tuple[Rate, str]]:
    """Each day's rates per 1 USD from the ECB's rates per 1 EUR, with their lines."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig", "replace"), newline=""))
    header = [c.strip() for c in next(reader)]
    missing = [c for c in wanted if c != "EUR" and c not in header]
    if missing:
        raise RateFileError(f"{source}: the ECB file has no {', '.join(missing)} column: ask for other currencies")
    usd_at = header.index("USD")
    at = {c: header.index(c) for c in wanted if c != "EUR"}
    found: list[tuple[Rate, str]] = []
    for values in reader:
        number = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise RateFileError(
                f"{source}, line {number}: {len(values)} values for {len(header)} columns: download the file again"
            )
        day = _ecb_day(source, number, values[0].strip())
        usd = _ecb_rate(source, number, "USD", values[usd_at])
        if usd is None:
            continue
        for currency in wanted:
            per_eur = Decimal(1) if currency == "EUR" else _ecb_rate(source, number, currency, values[at[currency]])
            if per_eur is not None:
                found.append((Rate(currency, day, rate_of(per_eur / usd), "ECB"), f"line {number}"))
    return found


def _ecb_day(source: str, number: int, text: str) -> dt.date:
    for read in (dt.date.fromisoformat, lambda t: dt.datetime.strptime(t, "%d %B %Y").date()):
        try:
            return read(text)
        except ValueError:
            continue
    raise RateFileError(
        f"{source}, line {number}: the date {text!r} cannot be read: the ECB writes dates such as 2017-01-02; "
        "download the file again"
    )


def _ecb_rate(source: str, number: int, currency: str, text: str) -> Decimal | None:
    """A rate per 1 EUR, or None where the ECB gives none (N/A)."""
    text = text.strip()
    if text == _ECB_NONE:
        return None
    if not _ECB_NUMBER.match(text) or not Decimal(text):
        raise RateFileError(
            f"{source}, line {number}: the {currency} rate {text!r} cannot be read: the ECB writes rates such as "
            "1263.85 (N/A for none); download the file again"
        )
    return Decimal(text)


def _read_mapped(path: Path, data: bytes, mapping: Path | dict, wanted: list[str]) -> list[tuple[Rate, str]]:
    """The rates of a file read through a mapping (the ECOS layout), with their rows."""
    name, parsed = load_mapping(mapping, RateFileError)
    unknown = sorted(set(parsed) - {"columns", "rates"})
    if unknown:
        raise RateFileError(f"{name}: no section [{unknown[0]}]; a rate mapping has [columns] and [rates]")
    columns = {k: [v] for k, v in section(name, parsed, "columns", RATE_COLUMNS, RateFileError).items()}
    settings = section(name, parsed, "rates", RATE_SETTINGS, RateFileError)
    currency, per = settings["currency"].strip().upper(), settings["per"].strip().upper()
    if per != HOME:
        raise RateFileError(f"{name}: in [rates], per must be {HOME} (rates are units per 1 {HOME}), got {per!r}")
    if currency not in wanted:
        raise RateFileError(f"{name} gives {currency} rates, but the rates asked are {', '.join(wanted)}")
    sheet = read_sheet(path, data, RateFileError, settings.get("sheet"))
    header_at, found = find_header(sheet, columns, name, RateFileError)
    (date_at,), (rate_at,) = found["date"], found["rate"]
    rates = []
    for number, values in sheet.rows[header_at + 1 :]:
        day_value = values[date_at] if date_at < len(values) else None
        rate_value = values[rate_at] if rate_at < len(values) else None
        where = sheet.where(number)
        if not has_date(day_value):
            if is_blank(rate_value):
                continue
            raise RateFileError(f"{where}: a rate ({rate_value!r}) without a date: correct the row or delete it")
        day = read_day(day_value, f"{where}: the date", RateFileError, settings.get("date_format"))
        per_usd = _mapped_rate(where, rate_value)
        if per_usd is not None:
            rates.append((Rate(currency, day, rate_of(per_usd), settings["source"].strip()), f"{sheet.unit} {number}"))
    return rates


def _mapped_rate(where: str, value: Any) -> Decimal | None:
    """A rate cell: a number, or text such as 1,207.70; None for a blank (no rate that day)."""
    if is_blank(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    elif isinstance(value, str) and _RATE_TEXT.match(value.strip()):
        number = Decimal(value.strip().replace(",", ""))
    else:
        number = Decimal(0)
    if not number.is_finite() or number <= 0:
        raise RateFileError(
            f"{where}: the rate {value!r} cannot be read: write it as a number such as 1207.70 (units per 1 {HOME})"
        )
    return number


def _once_a_day(source: str, found: list[tuple[Rate, str]]) -> list[Rate]:
    """The rates, each currency's day once; a day given twice with different rates is an error."""
    kept: dict[tuple[str, dt.date], tuple[Rate, str]] = {}
    for rate, place in found:
        key = (rate.currency, rate.day)
        if key in kept and kept[key][0].per_usd != rate.per_usd:
            first, before = kept[key]
            raise RateFileError(
                f"{source}: {rate.day.isoformat()} has two {rate.currency} rates, {first.per_usd} ({before}) "
                f"and {rate.per_usd} ({place}): delete the wrong one"
            )
        kept.setdefault(key, (rate, place))
    return [rate for rate, _ in kept.values()]
