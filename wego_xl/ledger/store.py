"""Where the ledger lives and how it is written: one database (a SQLite file, or a PostgreSQL
database for a team), opened by path or URL, written one transaction per command.

* Only :func:`create_ledger` makes a ledger; :func:`open_ledger` refuses a missing one,
  naming where it looked.
* :meth:`LedgerStore.writing` is the one way to write: SQLite ``BEGIN IMMEDIATE``, PostgreSQL
  a transaction-wide advisory lock, so two commands never read, number and write at once.
* :meth:`LedgerStore.post` appends an entry: its typed row and its place in the chain
  (SHA-256 of the entry, its record and the hash before it). Nothing is ever updated.

Its parts: :mod:`.location` (where the ledger lives, its engine), :mod:`.chain` (the typed
rows and their hashes), :mod:`.rows` (rows read back as records).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from ..rules.ledger import CreditNote, Invoice, LedgerBook, Payment, Void, WriteOff, numbered, series
from . import schema as t
from .chain import GENESIS as GENESIS
from .chain import cents as cents
from .chain import chain_hash as chain_hash
from .chain import reference_key as reference_key
from .chain import typed_row as typed_row
from .location import LEDGER_ENV as LEDGER_ENV
from .location import LEDGER_NAME as LEDGER_NAME
from .location import LedgerError as LedgerError
from .location import _engine
from .location import is_url as is_url
from .location import ledger_location as ledger_location
from .location import shown_location as shown_location
from .rows import credit_of as credit_of
from .rows import invoice_of as invoice_of
from .rows import money as money
from .rows import payment_of as payment_of
from .rows import read_book
from .rows import stored_day as stored_day
from .rows import void_of as void_of
from .rows import write_off_of as write_off_of

#: The key of PostgreSQL's advisory lock that serialises the ledger's writers.
_PG_LOCK = 0x5745474F  # "WEGO"
_MIGRATIONS = Path(__file__).with_name("migrations")


@dataclass(frozen=True)
class Actor:
    """Who posts an entry and through what: the OS user or the signed-in user on xlwings
    Server, and the command or script ("wego-xl pay", "Excel script post_payments")."""

    user: str
    via: str


def stamp() -> str:
    """When a row other than an entry is written: UTC, to the second (an entry keeps microseconds)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class LedgerStore:
    """One ledger database: read it, write it one transaction at a time, append entries."""

    def __init__(self, location: str):
        self.location = location
        self.shown = shown_location(location)
        self.engine = _engine(location)
        self.dialect = self.engine.dialect.name

    # -- transactions ------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One transaction that no other writer runs beside: read, check, number and write
        inside it; committed at the end, rolled back whole on any error."""
        if not is_url(self.location) and not os.access(self.location, os.W_OK):
            self.engine.dispose()  # what was opened meanwhile is read-only for its life: opened anew next time
            raise LedgerError(f"the ledger {self.shown} is read-only: nothing was written; ask for write access")
        with self._translated(), self.engine.connect() as conn:
            conn.info["writing"] = True  # kept with the pooled connection: always set back
            try:
                with conn.begin():
                    if self.dialect == "postgresql":  # wait for another writer at most a minute, as SQLite does
                        conn.execute(text("SET LOCAL lock_timeout = '60s'"))
                        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
                    yield conn
            finally:
                conn.info["writing"] = False

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A consistent read: one transaction that sees one state of the ledger throughout
        (SQLite's deferred transaction; PostgreSQL's REPEATABLE READ, where each statement
        of a plain transaction would see the commits made meanwhile)."""
        with self._translated(), self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """Database errors as one line naming the ledger."""
        try:
            yield
        except IntegrityError as exc:
            raise LedgerError(f"the ledger {self.shown} refused the entry ({_why(exc)}); nothing was written") from None
        except OperationalError as exc:
            why = _why(exc)
            if "readonly" in why.replace("-", "").replace(" ", "").lower():
                self.engine.dispose()  # a connection opened while the file was read-only stays so: open anew next time
                raise LedgerError(f"the ledger {self.shown} is read-only: nothing was written") from None
            if "locked" in why or "busy" in why or "lock timeout" in why:
                raise LedgerError(f"the ledger {self.shown} is busy (another command is writing): try again") from None
            raise LedgerError(f"the ledger {self.shown} cannot be used ({why})") from None
        except DBAPIError as exc:
            why = _why(exc)
            if "malformed" in why or "not a database" in why:
                raise LedgerError(
                    f"the ledger {self.shown} is damaged ({why}): restore it from a backup copy"
                ) from None
            if "lock timeout" in why:
                raise LedgerError(f"the ledger {self.shown} is busy (another command is writing): try again") from None
            raise LedgerError(f"the ledger {self.shown} cannot be used ({why}); nothing was written") from None

    def revision(self) -> tuple[Any, ...]:
        """Changes whenever an entry is posted (for caches): for a SQLite file, its identity,
        size, time and the change counter SQLite keeps in its header (bytes 24-27, one more
        at every commit), read without a query; for a server, the last entry."""
        if not is_url(self.location):
            with open(self.location, "rb") as file:
                st = os.fstat(file.fileno())
                header = file.read(28)
            return (st.st_ino, st.st_mtime_ns, st.st_size, header[24:28])
        with self.reading() as conn:
            return _last_entry(conn) or ()

    # -- numbers and entries -----------------------------------------------------------

    def next_number(self, conn: Connection, prefix: str, year: int) -> str:
        """The next number of a series, taken in this transaction (never given twice)."""
        name = series(prefix, year)
        row = conn.execute(select(t.number_series.c.last).where(t.number_series.c.series == name)).first()
        if row is None:
            conn.execute(t.number_series.insert().values(series=name, last=1))
            return numbered(prefix, year, 1)
        conn.execute(t.number_series.update().where(t.number_series.c.series == name).values(last=row[0] + 1))
        return numbered(prefix, year, row[0] + 1)

    def post(
        self, conn: Connection, record: Invoice | CreditNote | Payment | Void | WriteOff, actor: Actor, **extra: Any
    ) -> int:
        """Append one entry (its typed row and its link in the chain); returns its sequence.
        An entry dated in a closed period is refused, whoever posts it (command, script, row)."""
        check_open(conn, entry_date(record))
        seq, prev = _last_entry(conn) or (0, GENESIS)
        seq += 1
        kind, number, member, table, row = typed_row(record, **extra)
        row["seq"] = seq
        entry = {"seq": seq, "kind": kind, "number": number, "member_id": member,
                 "posted_at": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
                 "posted_by": actor.user[:200], "command": actor.via[:200], "prev_hash": prev}  # fmt: skip
        entry["hash"] = chain_hash(entry, row)
        conn.execute(t.entries.insert().values(**entry))
        conn.execute(table.insert().values(**row))
        return seq

    # -- reading -----------------------------------------------------------------------

    def load(
        self, conn: Connection | None = None, *, member_id: str | None = None, fee_year: int | None = None
    ) -> LedgerBook:
        """The ledger's records (all, or one member's, or one fee year's invoices with their
        credit notes), as the rules replay them."""
        if conn is None:
            with self.reading() as fresh:
                return self.load(fresh, member_id=member_id, fee_year=fee_year)
        return read_book(conn, self.shown, member_id=member_id, fee_year=fee_year)

    def has_tables(self) -> bool:
        with self._translated(), self.engine.connect() as conn:
            return inspect(conn).has_table("entries")


def entry_date(record: Invoice | CreditNote | Payment | Void | WriteOff) -> dt.date:
    """The day an entry counts from: an invoice's issue date, the others' own date."""
    return record.issue_date if isinstance(record, Invoice) else record.date


def closed_through(conn: Connection) -> tuple[dt.date, str, str] | None:
    """The latest period lock: (through, who closed it, when), or None."""
    row = conn.execute(select(t.period_locks.c.through, t.period_locks.c.closed_by, t.period_locks.c.closed_at)
                       .order_by(t.period_locks.c.through.desc()).limit(1)).first()  # fmt: skip
    return (stored_day(row[0]), row[1], row[2]) if row else None


def check_open(conn: Connection, day: dt.date) -> None:
    """Refuse a day in a closed period, naming the lock and what to do instead."""
    lock = closed_through(conn)
    if lock is not None and day <= lock[0]:
        raise LedgerError(
            f"the period through {lock[0]} is closed (closed by {lock[1]} on {lock[2][:10]}): nothing dated "
            f"{day} can be posted; date it {lock[0] + dt.timedelta(days=1)} or later (a correction goes into the "
            "open period)"
        )


def _last_entry(conn: Connection) -> tuple[int, str] | None:
    """The last entry's sequence and hash, or None in an empty ledger."""
    row = conn.execute(select(t.entries.c.seq, t.entries.c.hash).order_by(t.entries.c.seq.desc()).limit(1)).first()
    return (row[0], row[1]) if row else None


def _why(exc: DBAPIError) -> str:
    return " ".join(str(exc.orig).split()) if exc.orig is not None else type(exc).__name__


# -- making and opening ---------------------------------------------------------------------


def _alembic_config(conn: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def _migrate(store: LedgerStore, *, new: bool = False) -> None:
    """Run the migrations up to the head; ``new``: only on a database without a ledger yet
    (checked under PostgreSQL's lock, so two makers at once make one ledger)."""
    from alembic import command

    with store.engine.connect() as conn:
        if store.dialect == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
        if new and inspect(conn).has_table("entries"):
            raise LedgerError(f"the database {store.shown} holds a ledger already: a ledger is made once")
        command.upgrade(_alembic_config(conn), "head")
        conn.commit()


def create_ledger(location: str) -> LedgerStore:
    """Make a new, empty ledger at ``location`` (a path or a URL); refuse one that exists."""
    if not is_url(location):
        path = Path(location)
        if path.exists():
            raise LedgerError(f"{location} exists already: a ledger is made once (nothing was changed)")
        if not path.parent.is_dir():
            raise LedgerError(f"no folder {path.parent} for the ledger: make it first, or give another path")
    store = LedgerStore(location)
    try:
        _migrate(store, new=True)
    except DBAPIError as exc:
        raise LedgerError(f"the ledger {store.shown} cannot be made ({_why(exc)})") from None
    return store


def upgrade_ledger(location: str) -> LedgerStore:
    """Bring an existing ledger's tables to this version's (Alembic migrations)."""
    store = open_ledger(location, check_version=False)
    _migrate(store)
    return store


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def open_ledger(location: str, *, check_version: bool = True) -> LedgerStore:
    """The ledger at ``location``; a missing ledger, a file that is not one, or one of another
    version is an error naming the location and what to do (never a new, empty ledger)."""
    if not is_url(location):
        path = Path(location)
        if path.is_dir():
            raise LedgerError(f"{location} is a folder: give the ledger file (wego_ledger.db) or a database URL")
        if not path.exists():
            raise LedgerError(
                f"no ledger at {location}: make it once with 'wego-xl ledger init' (or 'wego-xl ledger init "
                f"--from wego_ledger.xlsx' to bring an earlier workbook ledger), or set {LEDGER_ENV}"
            )
        if not os.access(path, os.R_OK):
            raise LedgerError(f"the ledger {location} cannot be read (no permission)")
        with open(path, "rb") as head:
            if head.read(16) != b"SQLite format 3\x00":
                raise LedgerError(f"{location} is not a ledger database (not SQLite): check {LEDGER_ENV} or --ledger")
    store = LedgerStore(location)
    if not store.has_tables():
        raise LedgerError(f"{store.shown} holds no ledger: make it once with 'wego-xl ledger init'")
    if check_version:
        with store.reading() as conn:
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if found != t.SCHEMA_VERSION:
            raise LedgerError(
                f"the ledger {store.shown} is of version {found}, this wego-xl expects {t.SCHEMA_VERSION}: "
                "run 'wego-xl ledger upgrade'"
            )
    return store


class BookCache:
    """The whole ledger as read, per location, kept warm while no entry is posted: each
    use costs one look at the ledger's last entry (and, for a file, its size and time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[str, tuple[LedgerStore, tuple[Any, ...], LedgerBook]] = {}
        self._generations = itertools.count(1)

    def book(self, location: str) -> LedgerBook:
        with self._lock:
            held = self._held.get(location)
        store = held[0] if held else open_ledger(location)
        try:
            revision = store.revision()
        except FileNotFoundError:
            with self._lock:
                self._held.pop(location, None)
            raise LedgerError(f"no ledger at {location} any more: was it moved or deleted?") from None
        if held and held[1] == revision:
            return held[2]
        book = store.load()
        book.generation = next(self._generations)
        with self._lock:
            self._held[location] = (store, revision, book)
        return book

    def clear(self) -> None:
        with self._lock:
            self._held.clear()


#: The warm ledgers of this process (the worksheet functions read through it).
books = BookCache()
