"""The ledger's tables. Posted entries (invoices, credit notes, payments, voids, and the chain
of entries they hang on) are insert-only: the database itself refuses UPDATE and DELETE on
them (triggers, on SQLite and PostgreSQL). Money is in integer cents; constraints hold the
rules a database can hold (unique numbers, one live invoice per member and fee year, a bank
reference once, positive amounts under a bound, dates from WeGO's founding)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

#: The Alembic revision these tables are (``migrations/versions``): a ledger of another one is
#: refused until ``wego-xl ledger upgrade``. Kept here so that reading needs no Alembic (Lite).
SCHEMA_VERSION = "0005"

#: Money bound in cents (10,000,000.00 USD), as :data:`wego_xl.rules.inputs.MONEY_LIMIT`.
CENTS_LIMIT = 1_000_000_000
FOUNDED = "2010-01-01"
KINDS = ("invoice", "credit_note", "payment", "void", "write_off")
#: The entry kinds as the database's check names them (0003 added write_off).
KIND_CHECK = "kind IN ('invoice', 'credit_note', 'payment', 'void', 'write_off')"

entries = Table(
    "entries",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),
    Column("number", String(40), nullable=False, unique=True),
    Column("member_id", String(40), nullable=False),
    Column("posted_at", String(40), nullable=False),
    Column("posted_by", String(200), nullable=False),
    Column("command", String(200), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
    CheckConstraint(KIND_CHECK, name="entry_kind"),
    CheckConstraint("seq > 0", name="entry_seq"),
)

invoices = Table(
    "invoices",
    metadata,
    Column("number", String(40), primary_key=True),
    Column("seq", Integer, ForeignKey("entries.seq"), nullable=False, unique=True),
    Column("member_id", String(40), nullable=False, index=True),
    Column("fee_year", Integer, nullable=False, index=True),
    Column("issue_date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("basis", Text, nullable=False),
    CheckConstraint(f"amount_cents > 0 AND amount_cents < {CENTS_LIMIT}", name="invoice_amount"),
    CheckConstraint("fee_year BETWEEN 2010 AND 2200", name="invoice_fee_year"),
    CheckConstraint(f"issue_date >= '{FOUNDED}' AND due_date >= issue_date", name="invoice_dates"),
)

#: Which invoice stands for a member and fee year: one at most (not an entry: a credit note
#: that cancels an invoice in full frees its place for a new invoice).
live_invoices = Table(
    "live_invoices",
    metadata,
    Column("member_id", String(40), primary_key=True),
    Column("fee_year", Integer, primary_key=True),
    Column("invoice_number", String(40), ForeignKey("invoices.number"), nullable=False, unique=True),
)

credit_notes = Table(
    "credit_notes",
    metadata,
    Column("number", String(40), primary_key=True),
    Column("seq", Integer, ForeignKey("entries.seq"), nullable=False, unique=True),
    Column("invoice_number", String(40), ForeignKey("invoices.number"), nullable=False, index=True),
    Column("amount_cents", BigInteger, nullable=False),
    Column("date", Date, nullable=False),
    Column("reason", Text, nullable=False),
    CheckConstraint(f"amount_cents > 0 AND amount_cents < {CENTS_LIMIT}", name="credit_amount"),
    CheckConstraint(f"date >= '{FOUNDED}'", name="credit_date"),
    CheckConstraint("length(trim(reason)) > 0", name="credit_reason"),
)

payments = Table(
    "payments",
    metadata,
    Column("receipt", String(40), primary_key=True),
    Column("seq", Integer, ForeignKey("entries.seq"), nullable=False, unique=True),
    Column("member_id", String(40), nullable=False, index=True),
    Column("date_received", Date, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("bank_charges_cents", BigInteger, nullable=False),
    Column("bank_reference", Text, nullable=True),
    Column("bank_reference_key", String(200), nullable=True, unique=True),
    Column("invoice_number", String(40), ForeignKey("invoices.number"), nullable=True),
    Column("note", Text, nullable=False),
    Column("source_key", String(64), nullable=True, unique=True),
    # since 0002: a receipt in another currency (NULL: USD), its rate frozen, and the realised
    # exchange difference (credited - value received - bank charges; positive is a loss)
    Column("currency", String(3), nullable=True),
    Column("amount_received", Text, nullable=True),
    Column("rate", Text, nullable=True),
    Column("rate_date", Date, nullable=True),
    Column("rate_source", String(40), nullable=True),
    Column("exchange_difference_cents", BigInteger, nullable=True),
    CheckConstraint(f"amount_cents > 0 AND amount_cents < {CENTS_LIMIT}", name="payment_amount"),
    CheckConstraint(f"bank_charges_cents >= 0 AND bank_charges_cents < {CENTS_LIMIT}", name="payment_charges"),
    CheckConstraint(f"date_received >= '{FOUNDED}'", name="payment_date"),
)

voids = Table(
    "voids",
    metadata,
    Column("number", String(40), primary_key=True),
    Column("seq", Integer, ForeignKey("entries.seq"), nullable=False, unique=True),
    Column("receipt", String(40), ForeignKey("payments.receipt"), nullable=False, unique=True),
    Column("date", Date, nullable=False),
    Column("reason", Text, nullable=False),
    CheckConstraint(f"date >= '{FOUNDED}'", name="void_date"),
    CheckConstraint("length(trim(reason)) > 0", name="void_reason"),
)

#: Bad debt written off by a decision (since 0003): an entry, never a credit note.
write_offs = Table(
    "write_offs",
    metadata,
    Column("number", String(40), primary_key=True),
    Column("seq", Integer, ForeignKey("entries.seq"), nullable=False, unique=True),
    Column("invoice_number", String(40), ForeignKey("invoices.number"), nullable=False, index=True),
    Column("amount_cents", BigInteger, nullable=False),
    Column("date", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("decision", Text, nullable=False),
    CheckConstraint(f"amount_cents > 0 AND amount_cents < {CENTS_LIMIT}", name="write_off_amount"),
    CheckConstraint(f"date >= '{FOUNDED}'", name="write_off_date"),
    CheckConstraint("length(trim(reason)) > 0 AND length(trim(decision)) > 0", name="write_off_why"),
)

#: The last number given in each series ("WEGO-2017" -> 53): numbers come from here, never
#: reused, not even after a void or a credit note.
number_series = Table(
    "number_series",
    metadata,
    Column("series", String(40), primary_key=True),
    Column("last", Integer, nullable=False),
    Column("imported_through", Integer, nullable=False, server_default="0"),
    CheckConstraint("last >= 0", name="series_last"),
)

#: Columns added after the chain began: hashed only when they hold a value, so that the
#: entries posted before them keep their hash.
ADDED_COLUMNS = frozenset(
    {"currency", "amount_received", "rate", "rate_date", "rate_source", "exchange_difference_cents"}
)

# -- the bank (since 0002) -----------------------------------------------------------------

#: One statement (or notification) as imported: its account, number and balances.
bank_statements = Table(
    "bank_statements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account", String(80), nullable=False),
    Column("number", String(80), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("opening_cents", BigInteger, nullable=True),
    Column("opening_date", Date, nullable=True),
    Column("closing_cents", BigInteger, nullable=True),
    Column("closing_date", Date, nullable=True),
    Column("source", Text, nullable=False),
    Column("digest", String(64), nullable=False, unique=True),
    Column("imported_at", String(40), nullable=False),
    Column("imported_by", String(200), nullable=False),
)

#: A booked line of a statement, once (its key: the bank's reference, else a digest).
bank_lines = Table(
    "bank_lines",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("statement_id", Integer, ForeignKey("bank_statements.id"), nullable=False, index=True),
    Column("account", String(80), nullable=False),
    Column("source", Text, nullable=False),
    Column("line", Integer, nullable=False),
    Column("booked", Date, nullable=False),
    Column("value_date", Date, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("text", Text, nullable=False),
    Column("counterparty", Text, nullable=False),
    Column("reference", Text, nullable=False),
    Column("balance_cents", BigInteger, nullable=True),
    Column("instructed", Text, nullable=True),
    CheckConstraint("amount_cents <> 0", name="bank_line_amount"),
)

#: Which payment a bank line is (posted from it, or recorded by hand before it was imported);
#: a line is matched again only after its payment was voided.
bank_matches = Table(
    "bank_matches",
    metadata,
    Column("line_key", String(64), ForeignKey("bank_lines.key"), primary_key=True),
    Column("receipt", String(40), ForeignKey("payments.receipt"), primary_key=True, unique=True),
    Column("how", Text, nullable=False),
    Column("matched_at", String(40), nullable=False),
    Column("matched_by", String(200), nullable=False),
)

#: A bank line that is not a member's payment (interest, a refund...), set aside by a person.
bank_dismissals = Table(
    "bank_dismissals",
    metadata,
    Column("line_key", String(64), ForeignKey("bank_lines.key"), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("dismissed_at", String(40), nullable=False),
    Column("dismissed_by", String(200), nullable=False),
    CheckConstraint("length(trim(reason)) > 0", name="dismissal_reason"),
)

#: A payer's name a person taught to be a member (the next import knows it).
payer_names = Table(
    "payer_names",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("name", Text, nullable=False),
    Column("member_id", String(40), nullable=False),
    Column("taught_at", String(40), nullable=False),
    Column("taught_by", String(200), nullable=False),
)

#: Units of a currency per 1 USD on a day, from a source.
rates = Table(
    "rates",
    metadata,
    Column("currency", String(3), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("source", String(40), primary_key=True),
    Column("per_usd", Text, nullable=False),
    Column("imported_at", String(40), nullable=False),
)

# -- closing a year (since 0003) ------------------------------------------------------------

#: A period closed: no entry dated on or before ``through`` is posted after it (the latest wins).
period_locks = Table(
    "period_locks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("through", Date, nullable=False),
    Column("closed_at", String(40), nullable=False),
    Column("closed_by", String(200), nullable=False),
    Column("note", Text, nullable=False),
)

#: A journal export, numbered; the events it holds are never exported again.
journal_batches = Table(
    "journal_batches",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("date_from", Date, nullable=False),
    Column("date_to", Date, nullable=False),
    Column("exported_at", String(40), nullable=False),
    Column("exported_by", String(200), nullable=False),
)

#: Which batch took each event ("entry 17", "line <key>", "opening <account>").
journal_events = Table(
    "journal_events",
    metadata,
    Column("event", String(120), primary_key=True),
    Column("batch", Integer, ForeignKey("journal_batches.number"), nullable=False, index=True),
)

# -- the journal as exported (since 0004) -------------------------------------------------------

#: Each posting of each exported batch, as it was written: a batch printed again is the same, and
#: the next batch books the difference between the ledger as it stands and what was exported.
journal_postings = Table(
    "journal_postings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch", Integer, ForeignKey("journal_batches.number"), nullable=False, index=True),
    Column("tx", Integer, nullable=False),  # the transaction's place in its batch, from 1
    Column("kind", String(12), nullable=False),  # "event" or "adjustment"
    Column("event", String(120), nullable=False, index=True),
    Column("booked", Date, nullable=False),
    Column("dated", Date, nullable=False),  # the event's own date
    Column("reference", String(200), nullable=False),
    Column("member", String(40), nullable=False),
    Column("narration", Text, nullable=False),
    Column("account_code", String(40), nullable=False),
    Column("account", String(200), nullable=False),
    Column("usd_cents", BigInteger, nullable=False),
    Column("krw", BigInteger, nullable=False),
    Column("rate", String(40), nullable=False),
    CheckConstraint("kind IN ('event', 'adjustment')", name="journal_posting_kind"),
)

#: The balance assertions each batch closed with, as written.
journal_assertions = Table(
    "journal_assertions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch", Integer, ForeignKey("journal_batches.number"), nullable=False, index=True),
    Column("date", Date, nullable=False),
    Column("account_code", String(40), nullable=False),
    Column("account", String(200), nullable=False),
    Column("usd_cents", BigInteger, nullable=False),
)

# -- documents as issued, reminders and mail (since 0005) ---------------------------------------

#: A document as issued (an invoice, a credit note), kept with its SHA-256: printed again, the
#: same bytes.
issued_documents = Table(
    "issued_documents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("number", String(40), nullable=False),
    Column("format", String(8), nullable=False),
    Column("member_id", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("issued_at", String(40), nullable=False),
    Column("issued_by", String(200), nullable=False),
    UniqueConstraint("kind", "number", "format", name="issued_once"),
)

#: Each reminder made: the member, its level (1 first, 2 second, 3 final), the day and amount.
reminders = Table(
    "reminders",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("member_id", String(40), nullable=False, index=True),
    Column("level", Integer, nullable=False),
    Column("date", Date, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("invoices", Text, nullable=False),
    Column("document", String(200), nullable=False),
    Column("made_at", String(40), nullable=False),
    Column("made_by", String(200), nullable=False),
    CheckConstraint("level IN (1, 2, 3)", name="reminder_level"),
)

#: Each message sent (or refused by the mail server), per member.
mail_log = Table(
    "mail_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("member_id", String(40), nullable=False, index=True),
    Column("address", String(320), nullable=False),
    Column("subject", Text, nullable=False),
    Column("message_id", String(200), nullable=False),
    Column("attachments", Text, nullable=False),  # file names and SHA-256s, one per line
    Column("digest", String(64), nullable=False),  # of the attachments: the same message is sent once
    Column("server", String(200), nullable=False),
    Column("outcome", String(12), nullable=False),
    Column("detail", Text, nullable=False),
    Column("sent_at", String(40), nullable=False),
    Column("sent_by", String(200), nullable=False),
    CheckConstraint("outcome IN ('sent', 'refused')", name="mail_outcome"),
)

#: The tables of posted entries, which never change.
POSTED_0001 = ("entries", "invoices", "credit_notes", "payments", "voids")
POSTED_0002 = ("bank_statements", "bank_lines", "bank_matches", "bank_dismissals", "payer_names", "rates")
POSTED_0003 = ("write_offs", "period_locks", "journal_batches", "journal_events")
POSTED_0004 = ("journal_postings", "journal_assertions")
POSTED_0005 = ("issued_documents", "reminders", "mail_log")
POSTED = (*POSTED_0001, *POSTED_0002, *POSTED_0003, *POSTED_0004, *POSTED_0005)


def trigger_ddl(dialect: str, tables: tuple[str, ...] = POSTED) -> list[str]:
    """The statements that make the posted tables refuse UPDATE and DELETE."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_never_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'wego-xl: a posted entry never changes ({table}: {verb} refused)'); END"
            for table in tables
            for verb in ("UPDATE", "DELETE")
        ]
    function = (
        "CREATE OR REPLACE FUNCTION wego_posted_never_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'wego-xl: a posted entry never changes (%: % refused)', TG_TABLE_NAME, TG_OP; END $$"
    )
    return (
        [function]
        + [
            f"CREATE TRIGGER {table}_never_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION wego_posted_never_change()"
            for table in tables
        ]
        + [
            f"CREATE TRIGGER {table}_never_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION wego_posted_never_change()"
            for table in tables
        ]
    )
