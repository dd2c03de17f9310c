"""Alembic's environment for the ledger: run on the connection :mod:`wego_xl.ledger.store`
hands over (never a URL from a config file)."""

from __future__ import annotations

from alembic import context

from wego_xl.ledger.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
