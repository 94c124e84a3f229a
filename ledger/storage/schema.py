"""Tables of the ledger, and the triggers that make history append-only.

``ledger_events``       one row per event, the stored record (see ledger.records)
``ledger_tree``         hashes of complete Merkle subtrees, (level, idx) -> hash;
                        level 0 holds the leaf hashes
``ledger_checkpoints``  signed tree heads, exactly as signed
``ledger_meta``         facts about the ledger written once (origin, verifier key)
``ledger_head``         one row: the tree size and the last recorded_at. It is the
                        lock that serialises appends; verification never trusts it.
``ledger_subject_keys`` one AES-256 key per data subject (see ledger.sealing),
                        outside the hashed record. A row is never deleted; its
                        one permitted change is erasure: the key becomes NULL,
                        with when and at which position the erasure was recorded.

The first four refuse UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) by
trigger, on both engines; the subject keys refuse every change but erasure.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# On SQLite only "INTEGER PRIMARY KEY" makes the position the rowid itself (one
# b-tree instead of a table plus an index); elsewhere positions are BIGINT.
Position = BigInteger().with_variant(Integer(), "sqlite")

events = Table(
    "ledger_events",
    metadata,
    Column("position", Position, primary_key=True, autoincrement=False),
    Column("stream_id", Text, nullable=False),
    Column("stream_version", BigInteger, nullable=False),
    Column("topic", Text, nullable=False),
    Column("recorded_at", Text, nullable=False),
    Column("state", LargeBinary, nullable=False),
    UniqueConstraint("stream_id", "stream_version", name="ledger_events_stream_version"),
)

tree = Table(
    "ledger_tree",
    metadata,
    Column("level", SmallInteger, nullable=False),
    Column("idx", BigInteger, nullable=False),
    Column("hash", LargeBinary, nullable=False),
    PrimaryKeyConstraint("level", "idx", name="ledger_tree_pk"),
    sqlite_with_rowid=False,
)

checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("tree_size", BigInteger, nullable=False),
    Column("recorded_at", Text, nullable=False),
    Column("signed_note", Text, nullable=False),
)

meta = Table(
    "ledger_meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

head = Table(
    "ledger_head",
    metadata,
    Column("id", SmallInteger, primary_key=True, autoincrement=False),
    Column("size", BigInteger, nullable=False),
    Column("last_recorded_at", Text, nullable=False),
)

subject_keys = Table(
    "ledger_subject_keys",
    metadata,
    Column("subject_id", Text, primary_key=True),
    Column("key", LargeBinary),
    Column("created_at", Text, nullable=False),
    Column("erased_at", Text),
    Column("erased_position", BigInteger),
)

APPEND_ONLY_TABLES = ("ledger_events", "ledger_tree", "ledger_checkpoints", "ledger_meta")

APPEND_ONLY_MESSAGE = "scrutiny ledger: recorded history is append-only"


# The key of each append-only table: an INSERT over an existing key is refused,
# because SQLite's REPLACE deletes the old row without firing DELETE triggers.
APPEND_ONLY_KEYS = {
    "ledger_events": ("position",),
    "ledger_tree": ("level", "idx"),
    "ledger_checkpoints": ("id",),
    "ledger_meta": ("key",),
}


SUBJECT_KEYS_MESSAGE = "scrutiny ledger: a subject key can only be erased"

# The one change a subject key row may undergo: a live key becomes NULL.
_ERASURE_ONLY = (
    "OLD.key IS NOT NULL AND NEW.key IS NULL AND NEW.subject_id = OLD.subject_id "
    "AND NEW.created_at = OLD.created_at AND NEW.erased_at IS NOT NULL"
)


def sqlite_trigger_ddl() -> list[str]:
    statements = [
        "CREATE TRIGGER IF NOT EXISTS ledger_subject_keys_erase_only "
        f"BEFORE UPDATE ON ledger_subject_keys WHEN NOT ({_ERASURE_ONLY}) "
        f"BEGIN SELECT RAISE(ABORT, '{SUBJECT_KEYS_MESSAGE}'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_subject_keys_refuse_delete "
        "BEFORE DELETE ON ledger_subject_keys "
        f"BEGIN SELECT RAISE(ABORT, '{SUBJECT_KEYS_MESSAGE}'); END",
        "CREATE TRIGGER IF NOT EXISTS ledger_subject_keys_refuse_replace "
        "BEFORE INSERT ON ledger_subject_keys WHEN EXISTS "
        "(SELECT 1 FROM ledger_subject_keys WHERE subject_id = NEW.subject_id) "
        f"BEGIN SELECT RAISE(ABORT, '{SUBJECT_KEYS_MESSAGE}'); END",
    ]
    for table in APPEND_ONLY_TABLES:
        for action in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_refuse_{action.lower()} "
                f"BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE} ({table})'); END"
            )
        same_key = " AND ".join(f"{column} = NEW.{column}" for column in APPEND_ONLY_KEYS[table])
        statements.append(
            f"CREATE TRIGGER IF NOT EXISTS {table}_refuse_replace BEFORE INSERT ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {same_key}) "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE} ({table})'); END"
        )
    return statements


def postgresql_trigger_ddl() -> list[str]:
    statements = [
        "CREATE OR REPLACE FUNCTION scrutiny_refuse_change() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"RAISE EXCEPTION USING MESSAGE = '{APPEND_ONLY_MESSAGE} (' || TG_TABLE_NAME || ')', "
        "ERRCODE = 'SL001'; END $$"
    ]
    for table in APPEND_ONLY_TABLES:
        statements.append(f"DROP TRIGGER IF EXISTS {table}_refuse_change ON {table}")
        statements.append(
            f"CREATE TRIGGER {table}_refuse_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION scrutiny_refuse_change()"
        )
        statements.append(f"DROP TRIGGER IF EXISTS {table}_refuse_truncate ON {table}")
        statements.append(
            f"CREATE TRIGGER {table}_refuse_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION scrutiny_refuse_change()"
        )
    statements += [
        "CREATE OR REPLACE FUNCTION scrutiny_erase_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'UPDATE' THEN "
        f"IF {_ERASURE_ONLY} THEN RETURN NEW; END IF; END IF; "
        f"RAISE EXCEPTION USING MESSAGE = '{SUBJECT_KEYS_MESSAGE}', ERRCODE = 'SL001'; "
        "END $$",
        "DROP TRIGGER IF EXISTS ledger_subject_keys_erase_only ON ledger_subject_keys",
        "CREATE TRIGGER ledger_subject_keys_erase_only BEFORE UPDATE OR DELETE "
        "ON ledger_subject_keys FOR EACH ROW EXECUTE FUNCTION scrutiny_erase_only()",
        "DROP TRIGGER IF EXISTS ledger_subject_keys_refuse_truncate ON ledger_subject_keys",
        "CREATE TRIGGER ledger_subject_keys_refuse_truncate BEFORE TRUNCATE "
        "ON ledger_subject_keys FOR EACH STATEMENT EXECUTE FUNCTION scrutiny_erase_only()",
    ]
    return statements
