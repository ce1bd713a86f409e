"""Declarative base, naming convention and SQLite connection settings."""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager

try:
    import fcntl
except ImportError:  # not on Windows: threads still queue, processes meet at the file
    fcntl = None
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


#: One writing transaction per process at a time on SQLite (see ``serialised_writes``).
_SQLITE_WRITER = threading.Lock()
#: (process id, database file) → the open lock file beside it; per process, because a lock
#: taken through a descriptor inherited across fork would be shared, not exclusive.
_LOCK_FILES: dict[tuple[int, str], int] = {}


def _lock_file(database: str | None) -> int | None:
    if not database or database == ":memory:" or fcntl is None:
        return None
    key = (os.getpid(), database)
    descriptor = _LOCK_FILES.get(key)
    if descriptor is None:
        descriptor = os.open(database + ".writer", os.O_RDWR | os.O_CREAT, 0o600)
        _LOCK_FILES[key] = descriptor
    return descriptor


@contextmanager
def serialised_writes(session):
    """Around the writes and commit of a hot anonymous submission, on SQLite: one writer at a
    time, queued on a lock that wakes the next one at once. SQLite allows one writer; one that
    finds the file locked sleeps in SQLite's busy handler (1, 2, 5, 10 … 100 ms) and tries
    again, so at 32 phones submitting at once most of a submission was spent asleep
    (docs/benchmarks.md). Threads of a process queue on a mutex, processes on an advisory lock
    file beside the database (``<database>.writer``, ``flock``), so the busy handler is left
    for the rare writer that does not take this path. PostgreSQL locks rows and wakes a
    waiter at once: nothing to do there."""
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    with _SQLITE_WRITER:
        descriptor = _lock_file(bind.url.database)
        if descriptor is not None:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if descriptor is not None:
                fcntl.flock(descriptor, fcntl.LOCK_UN)
