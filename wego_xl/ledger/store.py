"""Where the ledger lives and how it is written: one database (a SQLite file, or a PostgreSQL
database for a team), opened by path or URL, written one transaction per command.

* Only :func:`create_ledger` makes a ledger; :func:`open_ledger` refuses a missing one,
  naming where it looked.
* :meth:`LedgerStore.writing` is the one way to write: SQLite ``BEGIN IMMEDIATE``, PostgreSQL
  a transaction-wide advisory lock, so two commands never read, number and write at once.
* :meth:`LedgerStore.post` appends an entry: its typed row and its place in the chain
  (SHA-256 of the entry, its record and the hash before it). Nothing is ever updated.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import json
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError

from ..errors import WegoError
from ..rules.ledger import CreditNote, Invoice, LedgerBook, Payment, Void, WriteOff, numbered, series
from . import schema as t

LEDGER_ENV = "WEGO_LEDGER"
LEDGER_NAME = "wego_ledger.db"
GENESIS = "0" * 64
#: The key of PostgreSQL's advisory lock that serialises the ledger's writers.
_PG_LOCK = 0x5745474F  # "WEGO"
_MIGRATIONS = Path(__file__).with_name("migrations")


class LedgerError(WegoError):
    """The ledger cannot be used as asked: missing, not a ledger, busy, read-only, refused."""

    excel_code = "#N/A"


@dataclass(frozen=True)
class Actor:
    """Who posts an entry and through what: the OS user or the signed-in user on xlwings
    Server, and the command or script ("wego-xl pay", "Excel script post_payments")."""

    user: str
    via: str


def stamp() -> str:
    """When a row other than an entry is written: UTC, to the second (an entry keeps microseconds)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def cents(amount: Decimal) -> int:
    return int(amount * 100)


def money(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


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
        book = LedgerBook(self.shown)
        inv = select(t.invoices)
        if member_id is not None:
            inv = inv.where(t.invoices.c.member_id == member_id)
        if fee_year is not None:
            inv = inv.where(t.invoices.c.fee_year == fee_year)
        for r in conn.execute(inv.order_by(t.invoices.c.seq)).mappings():
            book.invoices.append(invoice_of(r))
            book.invoice_basis[r["number"]] = json.loads(r["basis"])
        cn = _on_these_invoices(t.credit_notes, member_id, fee_year)
        book.credits = [credit_of(r) for r in conn.execute(cn).mappings()]
        wo = _on_these_invoices(t.write_offs, member_id, fee_year)
        book.write_offs = [write_off_of(r) for r in conn.execute(wo).mappings()]
        if fee_year is None:
            pay = select(t.payments).order_by(t.payments.c.seq)
            vo = select(t.voids).order_by(t.voids.c.seq)
            if member_id is not None:
                pay = pay.where(t.payments.c.member_id == member_id)
                vo = vo.join(t.payments, t.payments.c.receipt == t.voids.c.receipt).where(
                    t.payments.c.member_id == member_id
                )
            book.payments = [payment_of(r) for r in conn.execute(pay).mappings()]
            book.voids = [void_of(r) for r in conn.execute(vo).mappings()]
        return book

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


def _on_these_invoices(table: Any, member_id: str | None, fee_year: int | None) -> Any:
    """The rows of ``table`` (credit notes, write-offs) on the invoices a load reads: all, or
    one member's, or one fee year's (the join keeps them to those invoices)."""
    query = select(table).order_by(table.c.seq)
    if member_id is None and fee_year is None:
        return query
    query = query.join(t.invoices, t.invoices.c.number == table.c.invoice_number)
    if member_id is not None:
        query = query.where(t.invoices.c.member_id == member_id)
    if fee_year is not None:
        query = query.where(t.invoices.c.fee_year == fee_year)
    return query


def _last_entry(conn: Connection) -> tuple[int, str] | None:
    """The last entry's sequence and hash, or None in an empty ledger."""
    row = conn.execute(select(t.entries.c.seq, t.entries.c.hash).order_by(t.entries.c.seq.desc()).limit(1)).first()
    return (row[0], row[1]) if row else None


def _why(exc: DBAPIError) -> str:
    return " ".join(str(exc.orig).split()) if exc.orig is not None else type(exc).__name__


# -- the chain ------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def chain_hash(entry: Mapping[str, Any], row: Mapping[str, Any]) -> str:
    """SHA-256 of an entry (without its own hash) and its typed row, in canonical JSON."""
    body = {k: _plain(v) for k, v in entry.items() if k != "hash"}
    body["record"] = {k: _plain(v) for k, v in row.items() if not (v is None and k in t.ADDED_COLUMNS)}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def reference_key(reference: str) -> str:
    """A bank reference as the duplicate guard compares it: Unicode NFKC, case, spaces and
    invisible format characters ignored, every kind of dash a hyphen ("ＲＥＦ 12", "ref12" and
    "REF\u200b12" are the same transfer; so are "KEB-1" and "KEB\u20101")."""
    import unicodedata

    text = unicodedata.normalize("NFKC", reference).casefold()
    text = "".join("-" if unicodedata.category(c) == "Pd" else c for c in text if unicodedata.category(c) != "Cf")
    return "".join(text.split())


def typed_row(record: Any, **extra: Any) -> tuple[str, str, str, Any, dict[str, Any]]:
    """(kind, number, member, table, row) of a record."""
    if isinstance(record, Invoice):
        basis = json.dumps(extra.get("basis") or {}, sort_keys=True, ensure_ascii=False, default=str)
        row = {"number": record.number, "member_id": record.member_id, "fee_year": record.fee_year,
               "issue_date": record.issue_date, "due_date": record.due_date, "amount_cents": cents(record.amount),
               "currency": "USD", "basis": basis}  # fmt: skip
        return "invoice", record.number, record.member_id, t.invoices, row
    if isinstance(record, CreditNote):
        row = {"number": record.number, "invoice_number": record.invoice, "amount_cents": cents(record.amount),
               "date": record.date, "reason": record.reason}  # fmt: skip
        return "credit_note", record.number, extra["member_id"], t.credit_notes, row
    if isinstance(record, Payment):
        reference = extra.get("bank_reference") or None
        row = {"receipt": record.receipt, "member_id": record.member_id, "date_received": record.date,
               "amount_cents": cents(record.amount), "bank_charges_cents": cents(record.bank_charges),
               "bank_reference": reference, "bank_reference_key": reference_key(reference) if reference else None,
               "invoice_number": record.invoice or None, "note": extra.get("note") or "",
               "source_key": extra.get("source_key")}  # fmt: skip
        if record.currency != "USD" or record.exchange_difference:
            row |= {"currency": record.currency, "amount_received": str(record.received),
                    "rate": None if record.rate is None else str(record.rate), "rate_date": record.rate_date,
                    "rate_source": record.rate_source or None,
                    "exchange_difference_cents": cents(record.exchange_difference)}  # fmt: skip
        return "payment", record.receipt, record.member_id, t.payments, row
    if isinstance(record, WriteOff):
        row = {"number": record.number, "invoice_number": record.invoice, "amount_cents": cents(record.amount),
               "date": record.date, "reason": record.reason, "decision": record.decision}  # fmt: skip
        return "write_off", record.number, extra["member_id"], t.write_offs, row
    row = {"number": record.number, "receipt": record.receipt, "date": record.date, "reason": record.reason}
    return "void", record.number, extra["member_id"], t.voids, row


def stored_day(value: Any) -> dt.date:
    """A date as the database gives it back (a date, or ISO text from SQLite)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def invoice_of(r: Any) -> Invoice:
    return Invoice(r["number"], r["member_id"], r["fee_year"], stored_day(r["issue_date"]), stored_day(r["due_date"]),
                   money(r["amount_cents"]))  # fmt: skip


def credit_of(r: Any) -> CreditNote:
    return CreditNote(r["number"], r["invoice_number"], money(r["amount_cents"]), stored_day(r["date"]), r["reason"])


def payment_of(r: Any) -> Payment:
    if r.get("currency") is None:
        return Payment(r["receipt"], r["member_id"], stored_day(r["date_received"]), money(r["amount_cents"]),
                       r["invoice_number"] or "", money(r["bank_charges_cents"]))  # fmt: skip
    return Payment(r["receipt"], r["member_id"], stored_day(r["date_received"]), money(r["amount_cents"]),
                   r["invoice_number"] or "", money(r["bank_charges_cents"]),
                   money(r["exchange_difference_cents"] or 0), r["currency"],
                   Decimal(r["amount_received"]) if r["amount_received"] else None,
                   Decimal(r["rate"]) if r["rate"] else None,
                   stored_day(r["rate_date"]) if r["rate_date"] else None, r["rate_source"] or "")  # fmt: skip


def write_off_of(r: Any) -> WriteOff:
    return WriteOff(r["number"], r["invoice_number"], money(r["amount_cents"]), stored_day(r["date"]), r["reason"],
                    r["decision"])  # fmt: skip


def void_of(r: Any) -> Void:
    return Void(r["number"], r["receipt"], stored_day(r["date"]), r["reason"])


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
