"""The journal as exported: every posting of every batch and the balance assertions it closed
with, so that a batch printed again is the same file and the next batch books what changed
since (adjustments), never the whole event again. The new tables refuse UPDATE and DELETE.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NEW = ("journal_postings", "journal_assertions")


def upgrade() -> None:
    from wego_xl.ledger.schema import trigger_ddl

    op.create_table(
        "journal_postings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("batch", sa.Integer, sa.ForeignKey("journal_batches.number"), nullable=False, index=True),
        sa.Column("tx", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("event", sa.String(120), nullable=False, index=True),
        sa.Column("booked", sa.Date, nullable=False),
        sa.Column("dated", sa.Date, nullable=False),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.Column("member", sa.String(40), nullable=False),
        sa.Column("narration", sa.Text, nullable=False),
        sa.Column("account_code", sa.String(40), nullable=False),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("usd_cents", sa.BigInteger, nullable=False),
        sa.Column("krw", sa.BigInteger, nullable=False),
        sa.Column("rate", sa.String(40), nullable=False),
        sa.CheckConstraint("kind IN ('event', 'adjustment')", name="journal_posting_kind"),
    )
    op.create_table(
        "journal_assertions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("batch", sa.Integer, sa.ForeignKey("journal_batches.number"), nullable=False, index=True),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("account_code", sa.String(40), nullable=False),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("usd_cents", sa.BigInteger, nullable=False),
    )
    for statement in trigger_ddl(op.get_bind().dialect.name, NEW):
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the book of record is never dropped by a migration")
