"""The dues ledger: the book of record on SQLite and PostgreSQL, its sheets and views."""
