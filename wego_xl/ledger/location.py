"""Where the ledger lives: a SQLite file or a database URL (shown without its password),
chosen by ``--ledger``, ``$WEGO_LEDGER`` or beside the roster in use; one engine per
database, made once per process."""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ..errors import WegoError

LEDGER_ENV = "WEGO_LEDGER"
LEDGER_NAME = "wego_ledger.db"


class LedgerError(WegoError):
    """The ledger cannot be used as asked: missing, not a ledger, busy, read-only, refused."""

    excel_code = "#N/A"


def is_url(location: str | os.PathLike) -> bool:
    return "://" in str(location)


def shown_location(location: str | os.PathLike) -> str:
    """A ledger's location as messages show it: a path, or a URL without its password."""
    if is_url(location):
        try:
            return make_url(str(location)).render_as_string(hide_password=True)
        except (ArgumentError, ValueError):  # not a URL SQLAlchemy can read: never show what may be a password
            return str(location).split("://", 1)[0] + "://…"
    return str(location)


def ledger_location(roster_file: Path | None, given: str | os.PathLike | None = None) -> str:
    """The ledger to use: ``given`` (``--ledger``), else ``$WEGO_LEDGER``, else
    ``wego_ledger.db`` beside the roster in use (never inside the installed package)."""
    chosen = given or os.environ.get(LEDGER_ENV)
    if chosen:
        chosen = str(chosen)
        if not is_url(chosen) and Path(chosen).suffix.lower() in (".xlsx", ".xlsm"):
            raise LedgerError(
                f"{chosen} is a workbook: the ledger is a database now; import it once with "
                f"'wego-xl ledger init --from {chosen}', then use wego_ledger.db"
            )
        return chosen if is_url(chosen) else str(Path(chosen).expanduser())
    if roster_file is None or _packaged(str(roster_file)):
        raise LedgerError(
            "the ledger is kept beside your roster, and the roster in use is the one shipped in the package: "
            f"run 'wego-xl init FOLDER' and set WEGO_ROSTER, or set {LEDGER_ENV} to the ledger's path or URL"
        )
    return str(Path(roster_file).with_name(LEDGER_NAME))


@functools.lru_cache(maxsize=64)
def _packaged(path: str) -> bool:
    """Whether a roster path is the packaged one (resolved once per path: a function's call
    asks this for every range)."""
    from ..store.package import is_packaged

    return is_packaged(path)


def _url(location: str) -> str:
    return location if is_url(location) else f"sqlite:///{Path(location).resolve()}"


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def _engine(location: str) -> Engine:
    url = _url(location)
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            try:
                engine = _make_engine(url)
            except (ArgumentError, ImportError, ValueError) as exc:
                raise LedgerError(f"{shown_location(location)} is not a ledger location ({exc})") from None
            _engines[url] = engine
        return engine


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # transactions begin where we say (BEGIN IMMEDIATE)
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA busy_timeout = 60000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("writing") else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
