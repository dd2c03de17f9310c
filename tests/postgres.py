"""A real PostgreSQL server for the dues-ledger tests: its URL from ``WEGO_TEST_POSTGRES`` (set by
.ci/run, which starts the server) and a private database per test, made and dropped with psycopg."""

from __future__ import annotations

import os
import re
from typing import LiteralString

import pytest

#: The environment variable holding the SQLAlchemy URL of the test database.
POSTGRES_ENV = "WEGO_TEST_POSTGRES"
#: The driver suffix in SQLAlchemy's URL scheme, which psycopg.connect does not take.
_DRIVER = "+psycopg"
#: Database names the helpers accept (lower case, so the quoted name is the one psql shows).
_NAME = re.compile(r"[a-z0-9_]+")
#: Drops a database, closing its connections first.
_DROP: LiteralString = "DROP DATABASE IF EXISTS {} WITH (FORCE)"
#: How to start the server and make the role and database on Debian, as .ci/run does.
START_LOCALLY = (
    "sudo pg_ctlcluster 15 main start; "
    "sudo runuser -u postgres -- psql -c \"CREATE ROLE wego LOGIN CREATEDB PASSWORD 'wego'\" "
    '-c "CREATE DATABASE wego_test OWNER wego"; '
    f"export {POSTGRES_ENV}=postgresql+psycopg://wego:wego@127.0.0.1:5432/wego_test "
    "(or run the PostgreSQL part of .ci/run)"
)


def postgres_url() -> str | None:
    """The test database's URL from the environment, or None when it is not set."""
    return os.environ.get(POSTGRES_ENV) or None


def _psycopg_url(url: str) -> str:
    """The URL without SQLAlchemy's driver suffix, as psycopg.connect takes it."""
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme.startswith("postgresql"):
        raise ValueError(f"not a PostgreSQL URL: {url!r}")
    return scheme.removesuffix(_DRIVER) + "://" + rest


def _with_database(url: str, name: str) -> str:
    """The same URL (credentials, host, port, query) naming database ``name``."""
    head, query_sep, query = url.partition("?")
    scheme, _, rest = head.partition("://")
    netloc = rest.split("/", 1)[0]
    return f"{scheme}://{netloc}/{name}{query_sep}{query}"


def _checked(name: str) -> str:
    """``name`` when it is a safe database name, else ValueError."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"database name must match [a-z0-9_]+: {name!r}")
    return name


def _execute(base_url: str, name: str, *statements: LiteralString) -> None:
    """Run ``statements``, each naming database ``name`` as ``{}``, in the base database with
    autocommit (CREATE and DROP DATABASE need it)."""
    import psycopg
    from psycopg import sql

    database = sql.Identifier(_checked(name))
    with psycopg.connect(_psycopg_url(base_url), autocommit=True) as conn:
        for statement in statements:
            conn.execute(sql.SQL(statement).format(database))


def fresh_database(base_url: str, name: str) -> str:
    """Drop database ``name`` if it exists, create it empty and return its SQLAlchemy URL."""
    _execute(base_url, name, _DROP, "CREATE DATABASE {}")
    return _with_database(base_url, name)


def drop_database(base_url: str, name: str) -> None:
    """Drop database ``name`` if it exists, closing its connections."""
    _execute(base_url, name, _DROP)


def require_postgres() -> str:
    """The test database's URL; without one the test fails in CI and is skipped elsewhere."""
    url = postgres_url()
    if url is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not running: .ci/run starts it and sets WEGO_TEST_POSTGRES")
        pytest.skip(f"PostgreSQL is not running; to start it: {START_LOCALLY}")
    return url
