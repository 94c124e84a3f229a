"""One URL, two engines: the embedded SQLite file and PostgreSQL.

This module and its siblings are the only places SQLAlchemy appears in
``ledger/``. Driver errors are translated here into the ledger's own tree
(``ledger.errors``) with ``raise ... from``, so nothing from SQLAlchemy or a
driver escapes.

SQLite write transactions start with ``BEGIN IMMEDIATE`` so that a second
process waits for the write lock instead of failing half-way with "database
is locked"; the file runs in WAL mode with ``synchronous=FULL`` (a committed
event survives a power cut). PostgreSQL serialises appends on the one head row
with ``SELECT ... FOR UPDATE``.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from ledger.errors import AppendOnlyViolation, ConflictError, InvalidInputError, StorageError
from ledger.storage import schema

DEFAULT_URL = "sqlite:///scrutiny.sqlite3"
SQLITE_BUSY_TIMEOUT_SECONDS = 60


def normalise_url(url: str) -> str:
    """Accept a bare file path or a plain ``postgresql://`` URL as well."""
    url = url.strip()
    if not url:
        raise InvalidInputError("the database URL is empty")
    if "://" not in url:
        return f"sqlite:///{url}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def describe_url(url: str) -> str:
    """The URL without a password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return url


class Database:
    """An engine plus the dialect facts the ledger needs."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        try:
            parsed = make_url(self.url)
        except sa_exc.ArgumentError as exc:
            raise InvalidInputError(f"not a database URL: {url!r}") from exc
        self.dialect = parsed.get_backend_name()
        self.sqlite_path: Path | None = None
        if self.dialect == "sqlite":
            self.sqlite_path = Path(parsed.database or "").expanduser()
            self.engine = _sqlite_engine(self.url, parsed.database)
        elif self.dialect == "postgresql":
            if parsed.get_driver_name() != "psycopg":
                parsed = parsed.set(drivername="postgresql+psycopg")
                self.url = parsed.render_as_string(hide_password=False)
            self.engine = _postgresql_engine(self.url)
        else:
            raise InvalidInputError(
                f"unsupported database {self.dialect!r}: use a sqlite:/// file or postgresql:// URL"
            )

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def describe(self) -> str:
        return describe_url(self.url)

    def dispose(self) -> None:
        self.engine.dispose()

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        with translate_errors(self.driver_error), self.engine.connect() as conn:
            yield conn

    @contextlib.contextmanager
    def read_cursor(self) -> Iterator[Any]:
        """One read transaction on a pooled driver connection, for whole-log reads.

        Like :meth:`read` (one transaction; driver errors are translated) but
        rows come back as the driver's own tuples, without SQLAlchemy's result
        wrapping. On PostgreSQL results travel in binary format (``bytea`` is
        not hex-decoded; the Python types are the same). Nothing is written:
        the transaction is rolled back when the block ends.
        """
        with translate_errors(self.driver_error):
            connection = self.engine.raw_connection()
            try:
                cursor = connection.cursor() if self.is_sqlite else connection.cursor(binary=True)
                try:
                    if self.is_sqlite:
                        cursor.execute("BEGIN")
                    yield cursor
                finally:
                    cursor.close()
                    connection.rollback()
            finally:
                connection.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: committed on success, rolled back on any error."""
        with translate_errors(self.driver_error), self.engine.connect() as conn:
            conn = conn.execution_options(scrutiny_write=True)
            with conn.begin():
                yield conn

    @contextlib.contextmanager
    def write_cursor(self, *, begin_in_pipeline: bool = False) -> Iterator[Any]:
        """One write transaction on a pooled driver connection, for the append path.

        Same guarantees as :meth:`write` (``BEGIN IMMEDIATE`` on SQLite, commit
        on success, rollback on any error, driver errors translated), without
        SQLAlchemy's per-statement machinery.

        ``begin_in_pipeline`` (PostgreSQL): psycopg begins a transaction by
        sending ``BEGIN`` and waiting for it, a round trip of its own. With
        this flag the connection is put in autocommit mode, so psycopg sends
        none, and the block's first statements must be a :meth:`pipeline`
        opened with ``begin=True``, which sends ``BEGIN`` in the same round
        trip as them. The connection goes back to the pool as it came.
        """
        with translate_errors(self.driver_error):
            connection = self.engine.raw_connection()
            driver: Any = connection.driver_connection
            own_begin = begin_in_pipeline and not self.is_sqlite
            try:
                cursor = connection.cursor()
                if self.is_sqlite:
                    cursor.execute("BEGIN IMMEDIATE")
                elif own_begin:
                    driver.autocommit = True
                try:
                    yield cursor
                    connection.commit()
                except BaseException:
                    connection.rollback()
                    raise
                finally:
                    cursor.close()
                    if own_begin:
                        try:
                            driver.autocommit = False
                        except self.driver_error as exc:  # still in a transaction, or broken:
                            connection.invalidate(exc)  # never back in the pool like this
            finally:
                connection.close()

    @contextlib.contextmanager
    def pipeline(self, cursor: Any, *, begin: bool = False) -> Iterator[None]:
        """PostgreSQL: send the block's statements without waiting for each
        result (a fetch waits for what was sent before it; leaving the block
        waits for the rest, raising the first error). With ``begin``, the
        block starts the transaction of a :meth:`write_cursor` opened with
        ``begin_in_pipeline``. SQLite: nothing to do.

        When the block itself raises, that error is the one reported: the
        pipeline is closed quietly (psycopg would log the error of closing an
        aborted pipeline as a warning, a second message for one failure).
        """
        if self.is_sqlite:
            yield
            return
        pipeline = cursor.connection.pipeline()
        pipeline.__enter__()
        try:
            if begin:
                cursor.execute("BEGIN")
            yield
        except BaseException:
            with contextlib.suppress(Exception):
                pipeline.__exit__(None, None, None)
            raise
        pipeline.__exit__(None, None, None)

    def row_of(self, cursor: Any) -> Callable[[], Any]:
        """The first row of the statement just run on ``cursor``, as a call.

        SQLite: read at once, which finishes the statement. A write statement
        left unfinished slowed every later statement of the transaction
        (measured: batch appends at 0.34-0.37 of eventsourcing's rate instead
        of 0.46-0.50).
        PostgreSQL: read when called; inside a :meth:`pipeline` that waits
        for the server, so the caller reads it once the block has ended.
        """
        if self.is_sqlite:
            row = cursor.fetchone()
            return lambda: row
        return cursor.fetchone

    def send_commit(self, cursor: Any) -> None:
        """Inside a :meth:`pipeline` block on PostgreSQL: queue the commit
        behind the statements already sent, so that they and the commit travel
        in one round trip. The transaction ends with the block, and the commit
        of :meth:`write_cursor` then has nothing left to do. If a statement
        before it fails, the server skips the commit and the block raises.
        SQLite: nothing to do here; :meth:`write_cursor` commits."""
        if not self.is_sqlite:
            cursor.execute("COMMIT")

    @property
    def driver_error(self) -> type[Exception]:
        """The driver's own error root (statements run on a raw cursor raise it)."""
        error: type[Exception] = self.engine.dialect.loaded_dbapi.Error
        return error

    def create_schema(self) -> None:
        with self.write() as conn:
            schema.metadata.create_all(conn)
            ddl = (
                schema.sqlite_trigger_ddl()
                if self.is_sqlite
                else schema.postgresql_trigger_ddl()
            )
            for statement in ddl:
                conn.exec_driver_sql(statement)
            if conn.execute(schema.head.select()).first() is None:
                conn.execute(
                    schema.head.insert().values(id=1, size=0, last_recorded_at="")
                )

    def missing_tables(self) -> list[str]:
        """The ledger's tables this database lacks (one created by an older version)."""
        from sqlalchemy import inspect

        with self.read() as conn:
            present = set(inspect(conn).get_table_names())
        return [name for name in schema.metadata.tables if name not in present]

    def missing_schema(self) -> list[str]:
        """Tables and triggers of the current schema that this database lacks."""
        ddl = schema.sqlite_trigger_ddl() if self.is_sqlite else schema.postgresql_trigger_ddl()
        wanted = [m.group(1) for m in map(_CREATE_TRIGGER.search, ddl) if m is not None]
        query = (
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            if self.is_sqlite
            else "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND pg_table_is_visible(c.oid)"
        )
        with self.read() as conn:
            present = {str(row[0]) for row in conn.exec_driver_sql(query)}
        triggers = [f"trigger {name}" for name in wanted if name not in present]
        return [f"table {name}" for name in self.missing_tables()] + triggers

    def upgrade_schema(self) -> list[str]:
        """Add what :meth:`missing_schema` names; no recorded row is read or changed."""
        missing = self.missing_schema()
        if missing:
            self.create_schema()
        return missing

    def reclaim_freed_space(self, tables: Sequence[str]) -> str:
        """Leave no copy of deleted rows in the database's files; what was done.

        SQLite zeroes freed pages and cells as it goes (``secure_delete``);
        here the write-ahead log, which still holds the old pages, is copied
        back and truncated to nothing. PostgreSQL keeps dead row versions in
        the table files until they are rewritten: ``VACUUM FULL`` rewrites
        ``tables``. (Its own write-ahead log and any backups keep old pages
        until they are recycled: see docs/security.md.)
        """
        if self.is_sqlite:
            return self._truncate_sqlite_wal()
        with translate_errors(self.driver_error), self.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            # VACUUM keeps every row version an open snapshot may still see.
            holding = 0
            for _ in range(50):
                holding = conn.exec_driver_sql(_OTHER_SNAPSHOTS).scalar_one()
                if not holding:
                    break
                time.sleep(0.1)
            vacuumed: list[str] = []
            skipped: list[str] = []
            for table in tables:
                if conn.execute(_MAY_VACUUM, {"table": table}).scalar_one():
                    conn.exec_driver_sql(f'VACUUM FULL "{table}"')
                    vacuumed.append(table)
                else:
                    skipped.append(table)
        done = "VACUUM FULL of " + ", ".join(vacuumed)
        if skipped:
            done += ("; not vacuumed, being another role's (ask its owner to run VACUUM FULL): "
                     + ", ".join(skipped))
        if holding:
            done += (f"; {holding} other transaction(s) held older snapshots, so row versions "
                     "they could see remain until 'scrutiny subject scrub' runs again")
        return done

    def _truncate_sqlite_wal(self, attempts: int = 50) -> str:
        with translate_errors(self.driver_error):
            connection = self.engine.raw_connection()
            try:
                cursor = connection.cursor()
                for _ in range(attempts):
                    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    row = cursor.fetchone()
                    if row is not None and not row[0]:  # (busy, log frames, checkpointed)
                        return "write-ahead log checkpointed and truncated; freed pages zeroed"
                    time.sleep(0.1)
            finally:
                connection.close()
        raise StorageError(
            "another process kept reading the database, so its write-ahead log could not be "
            "truncated; stop it and run 'scrutiny subject scrub'"
        )

    def has_schema(self) -> bool:
        """Whether the ledger's tables exist (never creates a SQLite file)."""
        from sqlalchemy import inspect

        if self.sqlite_path is not None and not self.sqlite_path.exists():
            return False
        with self.read() as conn:
            return inspect(conn).has_table("ledger_events")


_CREATE_TRIGGER = re.compile(r"CREATE TRIGGER (?:IF NOT EXISTS )?(\w+)")

# VACUUM skips, with a mere warning, a table the session's role does not own.
_MAY_VACUUM = text(
    "SELECT coalesce(pg_has_role(c.relowner, 'MEMBER'), false) "
    "OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
    "FROM pg_class c WHERE c.oid = to_regclass(:table)"
)

# Other sessions of this database whose snapshot keeps dead row versions alive.
_OTHER_SNAPSHOTS = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
    "AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL"
)


# A pooled PostgreSQL connection idle longer than this is pinged before use
# (a server restart or an idle timeout may have closed it); one used more
# recently is taken as it is, which saves a round trip on every busy
# transaction. SQLAlchemy's pool_pre_ping would ping every checkout.
POSTGRESQL_PING_AFTER_IDLE_SECONDS = 10.0


def _postgresql_engine(url: str) -> Engine:
    engine = create_engine(url, pool_size=5, max_overflow=10)
    driver_error = engine.dialect.loaded_dbapi.Error

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record):  # type: ignore[no-untyped-def]
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _alive(dbapi_connection, record, _proxy):  # type: ignore[no-untyped-def]
        # Raising DisconnectionError makes the pool discard this connection
        # and check out a new one.
        if dbapi_connection.closed or dbapi_connection.broken:
            raise sa_exc.DisconnectionError("the pooled connection is closed")
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < POSTGRESQL_PING_AFTER_IDLE_SECONDS:
            return
        try:
            dbapi_connection.execute("SELECT 1")
            dbapi_connection.rollback()
        except driver_error as exc:
            raise sa_exc.DisconnectionError(f"the pooled connection is gone: {exc}") from exc

    return engine


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if not database or database == ":memory:":
        raise InvalidInputError("the ledger needs a SQLite file, not an in-memory database")
    parent = Path(database).expanduser().resolve().parent
    if not parent.is_dir():
        raise InvalidInputError(f"directory {parent} does not exist")
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event decide how each transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        # Freed pages and cells are zeroed, so erased personal data does not
        # linger in the file (see ledger.storage.subject_keys).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        if conn.get_execution_options().get("scrutiny_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


_UNIQUE_STREAM = re.compile(r"ledger_events_stream_version|ledger_events\.stream_id", re.I)


@contextlib.contextmanager
def translate_errors(driver_error: type[Exception] | None = None) -> Iterator[None]:
    """Map SQLAlchemy and driver errors onto the ledger's error tree."""
    try:
        yield
    except sa_exc.DBAPIError as exc:
        raise _translate(exc.orig, isinstance(exc, sa_exc.IntegrityError)) from exc
    except sa_exc.SQLAlchemyError as exc:
        raise StorageError(f"database error: {_first_line(str(exc))}") from exc
    except Exception as exc:
        if driver_error is None or not isinstance(exc, driver_error):
            raise
        integrity = type(exc).__name__ in ("IntegrityError", "UniqueViolation")
        raise _translate(exc, integrity) from exc


def _translate(orig: BaseException | None, integrity: bool) -> StorageError | ConflictError:
    message = str(orig)
    if schema.APPEND_ONLY_MESSAGE in message or schema.SUBJECT_KEYS_MESSAGE in message:
        return AppendOnlyViolation(_first_line(message))
    if integrity and _UNIQUE_STREAM.search(message):
        return ConflictError("another writer recorded this stream version first; reload and retry")
    return StorageError(f"database error: {_first_line(message)}")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unknown error"
