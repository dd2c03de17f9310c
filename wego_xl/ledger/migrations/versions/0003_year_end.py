"""Closing a year: write-offs (a new kind of entry), period locks, journal batches and the
events each took. The new tables refuse UPDATE and DELETE.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CENTS_LIMIT = 1_000_000_000
FOUNDED = "2010-01-01"
NEW = ("write_offs", "period_locks", "journal_batches", "journal_events")
OLD_KINDS = "kind IN ('invoice', 'credit_note', 'payment', 'void')"
NEW_KINDS = "kind IN ('invoice', 'credit_note', 'payment', 'void', 'write_off')"


def _widen_entry_kinds() -> None:
    """Let entries be write-offs. On SQLite a CHECK constraint is loosened in the stored schema,
    the way SQLite documents for changes that leave the stored rows as they are (no table is
    copied, so the guards on it stay); on PostgreSQL the constraint is replaced."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_constraint("entry_kind", "entries", type_="check")
        op.create_check_constraint("entry_kind", "entries", NEW_KINDS)
        return
    sql = str(bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'entries'").scalar())
    if NEW_KINDS in sql:
        return
    if OLD_KINDS not in sql:
        raise RuntimeError("the entries table is not as revision 0001 made it: restore the ledger from a backup")
    version = int(str(bind.exec_driver_sql("PRAGMA schema_version").scalar()))
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'entries'",
        (sql.replace(OLD_KINDS, NEW_KINDS),),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    from wego_xl.ledger.schema import trigger_ddl

    _widen_entry_kinds()
    op.create_table(
        "write_offs",
        sa.Column("number", sa.String(40), primary_key=True),
        sa.Column("seq", sa.Integer, sa.ForeignKey("entries.seq"), nullable=False, unique=True),
        sa.Column("invoice_number", sa.String(40), sa.ForeignKey("invoices.number"), nullable=False, index=True),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("decision", sa.Text, nullable=False),
        sa.CheckConstraint(f"amount_cents > 0 AND amount_cents < {CENTS_LIMIT}", name="write_off_amount"),
        sa.CheckConstraint(f"date >= '{FOUNDED}'", name="write_off_date"),
        sa.CheckConstraint("length(trim(reason)) > 0 AND length(trim(decision)) > 0", name="write_off_why"),
    )
    op.create_table(
        "period_locks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("through", sa.Date, nullable=False),
        sa.Column("closed_at", sa.String(40), nullable=False),
        sa.Column("closed_by", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_table(
        "journal_batches",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("date_from", sa.Date, nullable=False),
        sa.Column("date_to", sa.Date, nullable=False),
        sa.Column("exported_at", sa.String(40), nullable=False),
        sa.Column("exported_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "journal_events",
        sa.Column("event", sa.String(120), primary_key=True),
        sa.Column("batch", sa.Integer, sa.ForeignKey("journal_batches.number"), nullable=False, index=True),
    )
    for statement in trigger_ddl(op.get_bind().dialect.name, NEW):
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the book of record is never dropped by a migration")
