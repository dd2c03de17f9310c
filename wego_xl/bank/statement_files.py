"""Importing bank statement files as ``wego-xl bank import`` does: every file read before
anything is imported (a file that is not there stops it), then the new lines imported and the
sure matches posted (see :func:`.service.import_statements`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import FileError
from ..ledger.store import Actor, LedgerStore
from ..store.roster import Roster
from .service import Imported, import_statements
from .statements import read_statements


def import_statement_files(
    store: LedgerStore, roster: Roster, files: Iterable[Path], mapping: Path | None, *, by: Actor
) -> Imported:
    """Read every statement of ``files`` (camt.053/054, MT940, or a CSV/Excel export read by
    ``mapping``), then import them all."""
    statements = []
    for file in files:
        if not file.is_file():
            raise FileError(f"no file {file}")
        statements += read_statements(file, mapping)
    return import_statements(store, roster, statements, by=by)
