"""The declarative base, shared column types, and how write transactions begin.

SQLite: WAL so that readers never wait for a writer, a busy timeout so that writers queue, and write
transactions that take the write lock up front (``BEGIN IMMEDIATE``). A deferred transaction that reads
first and writes later cannot wait its turn: SQLite refuses the upgrade at once with "database is locked".
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Annotated, Any, Iterator

from sqlalchemy import DateTime, Engine, MetaData, String, event
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, registry, scoped_session
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 30_000


_clock: ContextVar[datetime | None] = ContextVar("policyhub_clock", default=None)


def utcnow() -> datetime:
    return _clock.get() or datetime.now(timezone.utc)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Make ``utcnow`` answer ``moment`` inside the block: the demo's histories span weeks, not seconds."""
    token = _clock.set(moment)
    try:
        yield
    finally:
        _clock.reset(token)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database (SQLite forgets the zone; we store naive UTC and restore it)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    # Every datetime column is an aware UTC one (one registry: Flask-SQLAlchemy rejects a per-base map).
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


intpk = Annotated[int, mapped_column(primary_key=True)]
created_at = Annotated[datetime, mapped_column(UTCDateTime(), default=utcnow, nullable=False)]
slug_str = Annotated[str, mapped_column(String(80), unique=True, nullable=False)]


_write_depth: ContextVar[int] = ContextVar("policyhub_write_depth", default=0)


def configure_engine(engine: Engine) -> None:
    """Install the SQLite connection settings; other databases need none."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not pysqlite, decide how a transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_depth.get() else "BEGIN")


@contextmanager
def write_transaction(session: Session | scoped_session[Session]) -> Iterator[Session]:
    """Run the block as one write transaction: committed at the end, rolled back on any error.

    A read transaction left open by the view is ended first, so that the write starts from a fresh
    snapshot holding the write lock. Nested use joins the outer transaction.
    """
    if isinstance(session, scoped_session):
        session = session()
    depth = _write_depth.get()
    if depth:
        token = _write_depth.set(depth + 1)
        try:
            yield session
        finally:
            _write_depth.reset(token)
        return
    if session.in_transaction():
        session.rollback()
    token = _write_depth.set(1)
    try:
        with session.begin():
            yield session
    finally:
        _write_depth.reset(token)


def in_write_transaction() -> bool:
    """Whether the caller runs inside ``write_transaction``, where it may read rows not committed yet."""
    return _write_depth.get() > 0
