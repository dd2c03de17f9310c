"""The auditor's pack as ``wego-xl year-end`` makes it: a calendar year WeGO has books for
(from its founding in 2010 to this year), the pack written into its folder (default: ``year-end-YEAR``), and, if
asked, the letters and the workbook also as PDF."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..app.documents import to_pdf
from ..errors import OutOfRangeError
from ..ledger.store import LedgerStore
from ..rules.dates import FIRST_DAY
from ..store.roster import Roster
from .yearend import Pack, year_end


def check_pack_year(year: int, what: str = "YEAR") -> None:
    """Refuse a year (``what``) before WeGO's books or after this one."""
    this_year = dt.date.today().year
    if not FIRST_DAY.year <= year <= this_year:
        raise OutOfRangeError(f"{what} must be a year from {FIRST_DAY.year} to {this_year}, got {year}")


@dataclass
class YearEndRun:
    """The pack written, the folder it is in, and its PDFs (none unless asked)."""

    pack: Pack
    folder: Path
    pdfs: list[Path] = field(default_factory=list)


def year_end_pack(
    store: LedgerStore, roster: Roster, year: int, out: Path | None = None, *, language: str,
    templates: Path | None = None, pdf: bool = False,
) -> YearEndRun:  # fmt: skip
    """The auditor's pack of ``year`` (see :func:`.yearend.year_end`) written into ``out``
    (default: ``year-end-YEAR``); with ``pdf``, the letters and the workbook as PDF too."""
    folder = out or Path(f"year-end-{year}")
    pack = year_end(store, roster, year, folder, language=language, templates=templates)
    pdfs = to_pdf([*pack.letters, pack.workbook], folder) if pdf else []
    return YearEndRun(pack, folder, pdfs)
