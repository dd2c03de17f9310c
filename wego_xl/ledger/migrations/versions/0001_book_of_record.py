"""The book of record: entries chained by SHA-256, invoices, credit notes, payments, voids,
live invoices and number series; posted tables refuse UPDATE and DELETE.

Revision ID: 0001
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

CENTS_LIMIT = 1_000_000_000
FOUNDED = "2010-01-01"
POSTED = ("entries", "invoices", "credit_notes", "payments", "voids")


def _amount(name: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"amount_cents > 0 AND amount_cents < {CENTS_LIMIT}", name=name)


def _credit_notes_payments_voids() -> None:
    """The entries that follow an invoice: credit notes, payments and their voids."""
    op.create_table(
        "credit_notes",
        sa.Column("number", sa.String(40), primary_key=True),
        sa.Column("seq", sa.Integer, sa.ForeignKey("entries.seq"), nullable=False, unique=True),
        sa.Column("invoice_number", sa.String(40), sa.ForeignKey("invoices.number"), nullable=False, index=True),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        _amount("credit_amount"),
        sa.CheckConstraint(f"date >= '{FOUNDED}'", name="credit_date"),
        sa.CheckConstraint("length(trim(reason)) > 0", name="credit_reason"),
    )
    op.create_table(
        "payments",
        sa.Column("receipt", sa.String(40), primary_key=True),
        sa.Column("seq", sa.Integer, sa.ForeignKey("entries.seq"), nullable=False, unique=True),
        sa.Column("member_id", sa.String(40), nullable=False, index=True),
        sa.Column("date_received", sa.Date, nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("bank_charges_cents", sa.BigInteger, nullable=False),
        sa.Column("bank_reference", sa.Text, nullable=True),
        sa.Column("bank_reference_key", sa.String(200), nullable=True, unique=True),
        sa.Column("invoice_number", sa.String(40), sa.ForeignKey("invoices.number"), nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("source_key", sa.String(64), nullable=True, unique=True),
        _amount("payment_amount"),
        sa.CheckConstraint(f"bank_charges_cents >= 0 AND bank_charges_cents < {CENTS_LIMIT}", name="payment_charges"),
        sa.CheckConstraint(f"date_received >= '{FOUNDED}'", name="payment_date"),
    )
    op.create_table(
        "voids",
        sa.Column("number", sa.String(40), primary_key=True),
        sa.Column("seq", sa.Integer, sa.ForeignKey("entries.seq"), nullable=False, unique=True),
        sa.Column("receipt", sa.String(40), sa.ForeignKey("payments.receipt"), nullable=False, unique=True),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.CheckConstraint(f"date >= '{FOUNDED}'", name="void_date"),
        sa.CheckConstraint("length(trim(reason)) > 0", name="void_reason"),
    )


def upgrade() -> None:
    from wego_xl.ledger.schema import POSTED_0001, trigger_ddl

    op.create_table(
        "entries",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("number", sa.String(40), nullable=False, unique=True),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("posted_at", sa.String(40), nullable=False),
        sa.Column("posted_by", sa.String(200), nullable=False),
        sa.Column("command", sa.String(200), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
        sa.CheckConstraint("kind IN ('invoice', 'credit_note', 'payment', 'void')", name="entry_kind"),
        sa.CheckConstraint("seq > 0", name="entry_seq"),
    )
    op.create_table(
        "invoices",
        sa.Column("number", sa.String(40), primary_key=True),
        sa.Column("seq", sa.Integer, sa.ForeignKey("entries.seq"), nullable=False, unique=True),
        sa.Column("member_id", sa.String(40), nullable=False, index=True),
        sa.Column("fee_year", sa.Integer, nullable=False, index=True),
        sa.Column("issue_date", sa.Date, nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("basis", sa.Text, nullable=False),
        _amount("invoice_amount"),
        sa.CheckConstraint("fee_year BETWEEN 2010 AND 2200", name="invoice_fee_year"),
        sa.CheckConstraint(f"issue_date >= '{FOUNDED}' AND due_date >= issue_date", name="invoice_dates"),
    )
    op.create_table(
        "live_invoices",
        sa.Column("member_id", sa.String(40), primary_key=True),
        sa.Column("fee_year", sa.Integer, primary_key=True),
        sa.Column("invoice_number", sa.String(40), sa.ForeignKey("invoices.number"), nullable=False, unique=True),
    )
    _credit_notes_payments_voids()
    op.create_table(
        "number_series",
        sa.Column("series", sa.String(40), primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
        sa.Column("imported_through", sa.Integer, nullable=False, server_default="0"),
        sa.CheckConstraint("last >= 0", name="series_last"),
    )
    for statement in trigger_ddl(op.get_bind().dialect.name, POSTED_0001):
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the book of record is never dropped by a migration")
