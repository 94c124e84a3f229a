"""Who may read the web app and JSON API, and what they read: tokens and the access log.

Two tables beside the ledger's own, never part of the hashed log:

``web_tokens``      one row per issued bearer token: its id, the SHA-256 of its
                    secret (never the secret), the person it was issued to, the
                    role it is limited to (NULL: any role the person holds on the
                    day of the request), when it was issued and by whom, and
                    when it was revoked. Revocation is the one update allowed.
``web_access_log``  one row per read by an inspector or the moderation role
                    (and per refused attempt of theirs): when, token, person,
                    role, method, path, query, outcome. Append-only: UPDATE and
                    DELETE (and TRUNCATE on PostgreSQL) are refused by trigger on
                    both engines, with the same message as the ledger's own
                    append-only tables, so the refusal surfaces as
                    ``AppendOnlyViolation``.

``ensure_schema`` creates both (idempotently); the server and ``scrutiny token``
call it, so a ledger created before the web app existed gains them on first use.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    func,
    inspect,
    select,
    update,
)

from ledger.storage.database import Database
from ledger.storage.schema import APPEND_ONLY_MESSAGE

access_metadata = MetaData()

tokens = Table(
    "web_tokens",
    access_metadata,
    Column("token_id", Text, primary_key=True),
    Column("secret_sha256", LargeBinary, nullable=False),
    Column("person_id", Text, nullable=False),
    Column("role", Text),
    Column("issued_at", Text, nullable=False),
    Column("issued_by", Text),
    Column("revoked_at", Text),
)

_Id = BigInteger().with_variant(Integer(), "sqlite")

access_log = Table(
    "web_access_log",
    access_metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("accessed_at", Text, nullable=False),
    Column("token_id", Text, nullable=False),
    Column("person_id", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("method", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("query", Text, nullable=False),
    Column("outcome", Text, nullable=False),
)

APPEND_ONLY_ACCESS_TABLES = ("web_access_log",)


@dataclass(frozen=True)
class TokenRow:
    token_id: str
    secret_sha256: bytes
    person_id: str
    role: str | None
    issued_at: str
    issued_by: str | None
    revoked_at: str | None


@dataclass(frozen=True)
class AccessEntry:
    id: int
    accessed_at: str
    token_id: str
    person_id: str
    role: str
    method: str
    path: str
    query: str
    outcome: str


def _sqlite_triggers() -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_refuse_{action.lower()} "
        f"BEFORE {action} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE} ({table})'); END"
        for table in APPEND_ONLY_ACCESS_TABLES
        for action in ("UPDATE", "DELETE")
    ]


def _postgresql_triggers() -> list[str]:
    statements = [
        # Same function as the ledger's own tables (ledger.storage.schema).
        "CREATE OR REPLACE FUNCTION scrutiny_refuse_change() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"RAISE EXCEPTION USING MESSAGE = '{APPEND_ONLY_MESSAGE} (' || TG_TABLE_NAME || ')', "
        "ERRCODE = 'SL001'; END $$"
    ]
    for table in APPEND_ONLY_ACCESS_TABLES:
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_refuse_change ON {table}",
            f"CREATE TRIGGER {table}_refuse_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION scrutiny_refuse_change()",
            f"DROP TRIGGER IF EXISTS {table}_refuse_truncate ON {table}",
            f"CREATE TRIGGER {table}_refuse_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION scrutiny_refuse_change()",
        ]
    return statements


def ensure_schema(database: Database) -> None:
    """Create the token and access-log tables and the log's triggers, once."""
    with database.read() as conn:
        present = inspect(conn).has_table(access_log.name) and inspect(conn).has_table(tokens.name)
    if present:
        return
    with database.write() as conn:
        access_metadata.create_all(conn)
        for statement in _sqlite_triggers() if database.is_sqlite else _postgresql_triggers():
            conn.exec_driver_sql(statement)


# -- tokens ---------------------------------------------------------------------------


def insert_token(database: Database, row: TokenRow) -> None:
    with database.write() as conn:
        conn.execute(tokens.insert().values(**row.__dict__))


def find_token(database: Database, token_id: str) -> TokenRow | None:
    with database.read() as conn:
        found = conn.execute(select(tokens).where(tokens.c.token_id == token_id)).first()
    return None if found is None else _token(found)


def revoke_token(database: Database, token_id: str, at: str) -> bool:
    """Mark a token revoked; False if there is no such unrevoked token."""
    with database.write() as conn:
        result = conn.execute(
            update(tokens)
            .where(tokens.c.token_id == token_id, tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return bool(result.rowcount)


def list_tokens(database: Database) -> list[TokenRow]:
    with database.read() as conn:
        rows = conn.execute(select(tokens).order_by(tokens.c.issued_at, tokens.c.token_id)).all()
    return [_token(row) for row in rows]


def _token(row: object) -> TokenRow:
    mapping = row._mapping  # type: ignore[attr-defined]
    return TokenRow(
        token_id=mapping["token_id"],
        secret_sha256=bytes(mapping["secret_sha256"]),
        person_id=mapping["person_id"],
        role=mapping["role"],
        issued_at=mapping["issued_at"],
        issued_by=mapping["issued_by"],
        revoked_at=mapping["revoked_at"],
    )


# -- the access log ---------------------------------------------------------------------


def append_access(
    database: Database,
    *,
    accessed_at: str,
    token_id: str,
    person_id: str,
    role: str,
    method: str,
    path: str,
    query: str,
    outcome: str,
) -> None:
    with database.write() as conn:
        conn.execute(
            access_log.insert().values(
                accessed_at=accessed_at,
                token_id=token_id,
                person_id=person_id,
                role=role,
                method=method,
                path=path,
                query=query,
                outcome=outcome,
            )
        )


def access_entries(
    database: Database, person_id: str | None = None, since: str | None = None
) -> list[AccessEntry]:
    """The access log in the order it was written (optionally one person, from a time)."""
    c = access_log.c
    query = select(access_log)
    if person_id is not None:
        query = query.where(c.person_id == person_id)
    if since is not None:
        query = query.where(c.accessed_at >= since)
    with database.read() as conn:
        rows = conn.execute(query.order_by(c.id)).all()
    return [AccessEntry(**{k: row._mapping[k] for k in AccessEntry.__dataclass_fields__}) for row in rows]


def count_access(database: Database) -> int:
    with database.read() as conn:
        return int(conn.execute(select(func.count()).select_from(access_log)).scalar_one())

