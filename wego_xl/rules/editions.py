"""IMF World Economic Outlook editions: "April 2016", read one way and ordered by date.

The IMF publishes the WEO database twice a year, in April and October. An edition is
written in many ways ("April 2016", "WEO April 2016", "Apr 2016", "WEOApr2016",
"2016 April"); all read as the same :class:`Edition`. Text that names no April or
October edition is an error, never a guess; so is an edition later than today.

A GDP figure entered by hand (one the IMF does not publish) carries the edition
``MANUAL`` instead; it is used only where no IMF edition has the figure.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..errors import InputError

MANUAL = "Manual"
_MONTHS = {"apr": 4, "april": 4, "oct": 10, "october": 10}
_NAMES = {4: "April", 10: "October"}
_PATTERNS = (
    re.compile(r"^(?:imf\s*)?(?:weo\s*)?(?P<month>apr(?:il)?|oct(?:ober)?)\.?\s*(?P<year>\d{4})$"),
    re.compile(r"^(?:imf\s*)?(?:weo\s*)?(?P<year>\d{4})\s*(?P<month>apr(?:il)?|oct(?:ober)?)$"),
)


@dataclass(frozen=True, order=True)
class Edition:
    """One WEO edition; sorts by date, oldest first."""

    year: int
    month: int

    def __str__(self) -> str:
        return f"{_NAMES[self.month]} {self.year}"

    @property
    def published(self) -> dt.date:
        """The first day of the month the edition came out."""
        return dt.date(self.year, self.month, 1)


def parse_edition(text: object, today: dt.date | None = None) -> Edition:
    """``text`` as an :class:`Edition` ("WEO April 2016" -> April 2016), or an error saying
    what an edition looks like; an edition after ``today`` is an error too."""
    key = " ".join(str(text or "").replace("_", " ").replace("-", " ").split()).lower()
    for pattern in _PATTERNS:
        match = pattern.match(key)
        if match:
            edition = Edition(int(match["year"]), _MONTHS[match["month"]])
            break
    else:
        raise InputError(
            f'{text!r} is not a WEO edition: write the month (April or October) and the year, e.g. "April 2016"'
        )
    today = today or dt.date.today()
    if edition.published > today:
        raise InputError(f"WEO edition {edition} is later than today ({today:%Y-%m-%d}): check the edition")
    return edition


def is_manual(text: object) -> bool:
    """True for the edition of a figure entered by hand."""
    return str(text or "").strip().casefold() == MANUAL.casefold()
