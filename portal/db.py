"""Declarative base, naming convention and SQLite connection settings."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so that Alembic migrations are identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def sql_list(values) -> str:
    """``'a', 'b'`` for a check constraint ``column IN (...)`` over a tuple of known keys."""
    return ", ".join(f"'{value}'" for value in values)


def utcnow() -> datetime:
    """Timezone-aware now, for staff-side timestamps (anonymous data stores days only)."""
    return datetime.now(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL for concurrent readers during writes; foreign keys are off by default in SQLite."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


@event.listens_for(Engine, "savepoint")
def _savepoint_inside_a_transaction(connection, _name) -> None:
    """Open the transaction before a SAVEPOINT on SQLite.

    pysqlite begins a transaction only before INSERT/UPDATE/DELETE, so a SAVEPOINT issued
    first (``session.begin_nested()`` around the first write of a request) became the outermost
    transaction, and its RELEASE committed on the spot: a grievance was stored before its
    acknowledgement, and a crash in between kept the one without the other. With BEGIN first,
    the savepoint nests and the whole request commits or rolls back as one. The transaction
    is still deferred (it takes the write lock at the first write, as before), and PostgreSQL
    has real transactions already.
    """
    dbapi_connection = connection.connection.dbapi_connection
    if (
        isinstance(dbapi_connection, sqlite3.Connection)
        and dbapi_connection.isolation_level is not None  # AUTOCOMMIT asked for no transaction
        and not dbapi_connection.in_transaction
    ):
        dbapi_connection.execute("BEGIN")
