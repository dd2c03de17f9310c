"""What the bank credits: statements and their lines, which payment each line is, lines set
aside, payer names people taught, exchange rates; payments in another currency keep their
rate and the realised exchange difference. The new tables refuse UPDATE and DELETE.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NEW = ("bank_statements", "bank_lines", "bank_matches", "bank_dismissals", "payer_names", "rates")


def _stamp(name: str) -> list[sa.Column]:
    return [
        sa.Column(f"{name}_at", sa.String(40), nullable=False),
        sa.Column(f"{name}_by", sa.String(200), nullable=False),
    ]


def _matches_and_what_was_learnt() -> None:
    """What became of bank lines (matched to a receipt, set aside), payer names taught, and rates."""
    op.create_table(
        "bank_matches",
        sa.Column("line_key", sa.String(64), sa.ForeignKey("bank_lines.key"), primary_key=True),
        sa.Column("receipt", sa.String(40), sa.ForeignKey("payments.receipt"), primary_key=True, unique=True),
        sa.Column("how", sa.Text, nullable=False),
        *_stamp("matched"),
    )
    op.create_table(
        "bank_dismissals",
        sa.Column("line_key", sa.String(64), sa.ForeignKey("bank_lines.key"), primary_key=True),
        sa.Column("reason", sa.Text, nullable=False),
        *_stamp("dismissed"),
        sa.CheckConstraint("length(trim(reason)) > 0", name="dismissal_reason"),
    )
    op.create_table(
        "payer_names",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        *_stamp("taught"),
    )
    op.create_table(
        "rates",
        sa.Column("currency", sa.String(3), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("source", sa.String(40), primary_key=True),
        sa.Column("per_usd", sa.Text, nullable=False),
        sa.Column("imported_at", sa.String(40), nullable=False),
    )


def upgrade() -> None:
    from wego_xl.ledger.schema import trigger_ddl

    for column in (
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("amount_received", sa.Text, nullable=True),
        sa.Column("rate", sa.Text, nullable=True),
        sa.Column("rate_date", sa.Date, nullable=True),
        sa.Column("rate_source", sa.String(40), nullable=True),
        sa.Column("exchange_difference_cents", sa.BigInteger, nullable=True),
    ):
        op.add_column("payments", column)
    op.create_table(
        "bank_statements",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account", sa.String(80), nullable=False),
        sa.Column("number", sa.String(80), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("opening_cents", sa.BigInteger, nullable=True),
        sa.Column("opening_date", sa.Date, nullable=True),
        sa.Column("closing_cents", sa.BigInteger, nullable=True),
        sa.Column("closing_date", sa.Date, nullable=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        *_stamp("imported"),
    )
    op.create_table(
        "bank_lines",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("statement_id", sa.Integer, sa.ForeignKey("bank_statements.id"), nullable=False, index=True),
        sa.Column("account", sa.String(80), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("booked", sa.Date, nullable=False),
        sa.Column("value_date", sa.Date, nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("counterparty", sa.Text, nullable=False),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("balance_cents", sa.BigInteger, nullable=True),
        sa.Column("instructed", sa.Text, nullable=True),
        sa.CheckConstraint("amount_cents <> 0", name="bank_line_amount"),
    )
    _matches_and_what_was_learnt()
    for statement in trigger_ddl(op.get_bind().dialect.name, NEW):
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the book of record is never dropped by a migration")
