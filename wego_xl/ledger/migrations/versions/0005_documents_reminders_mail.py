"""Documents as issued (an invoice's and a credit note's files, with their SHA-256), the
reminders made, and the mail sent. The new tables refuse UPDATE and DELETE.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

NEW = ("issued_documents", "reminders", "mail_log")


def upgrade() -> None:
    from wego_xl.ledger.schema import trigger_ddl

    op.create_table(
        "issued_documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("member_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("issued_at", sa.String(40), nullable=False),
        sa.Column("issued_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("kind", "number", "format", name="issued_once"),
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("member_id", sa.String(40), nullable=False, index=True),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("invoices", sa.Text, nullable=False),
        sa.Column("document", sa.String(200), nullable=False),
        sa.Column("made_at", sa.String(40), nullable=False),
        sa.Column("made_by", sa.String(200), nullable=False),
        sa.CheckConstraint("level IN (1, 2, 3)", name="reminder_level"),
    )
    op.create_table(
        "mail_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("member_id", sa.String(40), nullable=False, index=True),
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.Column("attachments", sa.Text, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("server", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("sent_at", sa.String(40), nullable=False),
        sa.Column("sent_by", sa.String(200), nullable=False),
        sa.CheckConstraint("outcome IN ('sent', 'refused')", name="mail_outcome"),
    )
    for statement in trigger_ddl(op.get_bind().dialect.name, NEW):
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the book of record is never dropped by a migration")
