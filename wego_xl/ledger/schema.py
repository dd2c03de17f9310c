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
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

#: The Alembic revision these tables are (``migrations/versions``): a ledger of another one is
#: refused until ``wego-xl ledger upgrade``. Kept here so that reading needs no Alembic (Lite).
SCHEMA_VERSION = "0001"

#: Money bound in cents (10,000,000.00 USD), as :data:`wego_xl.rules.inputs.MONEY_LIMIT`.
CENTS_LIMIT = 1_000_000_000
FOUNDED = "2010-01-01"
KINDS = ("invoice", "credit_note", "payment", "void")

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
    CheckConstraint("kind IN ('invoice', 'credit_note', 'payment', 'void')", name="entry_kind"),
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

#: The tables of posted entries, which never change.
POSTED = ("entries", "invoices", "credit_notes", "payments", "voids")


def trigger_ddl(dialect: str) -> list[str]:
    """The statements that make the posted tables refuse UPDATE and DELETE."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_never_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'wego-xl: a posted entry never changes ({table}: {verb} refused)'); END"
            for table in POSTED
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
            for table in POSTED
        ]
        + [
            f"CREATE TRIGGER {table}_never_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION wego_posted_never_change()"
            for table in POSTED
        ]
    )
