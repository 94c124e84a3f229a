"""Tampering: what the database refuses, what verification catches, what it cannot.

Complements tests/integration/test_append_only.py (UPDATE, DELETE, TRUNCATE
refused by trigger) and tests/integration/test_verification.py (edited,
deleted, swapped rows named by position). Here: statements that overwrite a
row without saying UPDATE or DELETE; rows appended behind the ledger's back;
reordering with the tree rows moved too; the limit of what a log alone can
prove; and, on PostgreSQL, the role set-up of docs/operations.md, which
refuses all of it by privilege even when no trigger exists.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from commands.admin import init_ledger, make_checkpoint, verify
from ledger.errors import AppendOnlyViolation, StorageError
from ledger.integrity import complete_subtrees_after_append, leaf_hash, subtree_plan
from ledger.records import leaf_input
from ledger.storage import schema
from ledger.storage.database import Database
from ledger.storage.recorder import LedgerRecorder
from tests.conftest import PG_URL
from tests.ledger_helpers import append, drop_append_only_triggers, execute, fetch_one, open_recorder
from tests.reliability.support import ROOT

# -- overwriting without UPDATE or DELETE, reordering in one statement -------------------------

ROW = "(position, stream_id, stream_version, topic, recorded_at, state)"
FORGED = "'test:s', 99, 'tests:Forged', '2020-01-01T00:00:00.000000Z'"
SQLITE_OVERWRITES = {
    "replace an event": f"INSERT OR REPLACE INTO ledger_events {ROW} VALUES (0, {FORGED}, X'00')",
    "replace a tree node": "REPLACE INTO ledger_tree (level, idx, hash) VALUES (0, 0, zeroblob(32))",
    "replace a checkpoint": "INSERT OR REPLACE INTO ledger_checkpoints (id, tree_size, recorded_at, "
                            "signed_note) VALUES (1, 1, 'x', 'forged')",
    "replace the verifier key": "INSERT OR REPLACE INTO ledger_meta (key, value) VALUES ('vkey', 'forged')",
    "upsert an event": f"INSERT INTO ledger_events {ROW} VALUES (0, {FORGED}, X'00') "
                       "ON CONFLICT (position) DO UPDATE SET topic = excluded.topic",
    "swap two positions": "UPDATE ledger_events SET position = 3 - position WHERE position IN (1, 2)",
}
POSTGRESQL_OVERWRITES = {
    "upsert an event": f"INSERT INTO ledger_events {ROW} VALUES (0, {FORGED}, '\\x00') "
                       "ON CONFLICT (position) DO UPDATE SET topic = excluded.topic",
    "upsert a tree node": "INSERT INTO ledger_tree (level, idx, hash) VALUES (0, 0, '\\x00') "
                          "ON CONFLICT (level, idx) DO UPDATE SET hash = excluded.hash",
    "upsert a checkpoint": "INSERT INTO ledger_checkpoints (id, tree_size, recorded_at, signed_note) "
                           "VALUES (1, 1, 'x', 'forged') ON CONFLICT (id) DO UPDATE SET "
                           "signed_note = excluded.signed_note",
    "upsert the verifier key": "INSERT INTO ledger_meta (key, value) VALUES ('vkey', 'forged') "
                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    "swap two positions": "UPDATE ledger_events SET position = 3 - position WHERE position IN (1, 2)",
}
SNAPSHOT_SQL = {
    "ledger_events": "SELECT position, stream_id, stream_version, topic FROM ledger_events ORDER BY position",
    "ledger_tree": "SELECT level, idx, hash FROM ledger_tree ORDER BY level, idx",
    "ledger_checkpoints": "SELECT id, tree_size, signed_note FROM ledger_checkpoints ORDER BY id",
    "ledger_meta": "SELECT key, value FROM ledger_meta ORDER BY key",
}


def table_rows(database: Database) -> dict[str, list[tuple[object, ...]]]:
    with database.read() as conn:
        return {table: [tuple(row) for row in conn.exec_driver_sql(sql)] for table, sql in SNAPSHOT_SQL.items()}


OVERWRITES = [("sqlite", what, sql) for what, sql in SQLITE_OVERWRITES.items()] + [
    ("postgresql", what, sql) for what, sql in POSTGRESQL_OVERWRITES.items()]


@pytest.mark.parametrize("engine_name, statement", [(engine, sql) for engine, _, sql in OVERWRITES],
                         ids=[f"{engine}-{what}" for engine, what, _ in OVERWRITES])
def test_no_statement_overwrites_or_reorders_recorded_history(initialised, statement: str) -> None:
    """SQLite's REPLACE removes the old row without a DELETE statement; upserts
    change it without an UPDATE statement. Both must be refused like them."""
    db_url, key_path = initialised
    recorder = open_recorder(db_url)
    append(recorder, 4)
    make_checkpoint(db_url, key_path)
    before = table_rows(recorder.database)
    with pytest.raises(AppendOnlyViolation, match="append-only"):
        execute(recorder.database, statement)
    assert table_rows(recorder.database) == before
    report, _ = verify(db_url, key_path)
    assert report.ok, report.problem


# -- rows appended or moved behind the ledger's back ---------------------------------------------


@pytest.fixture
def history(initialised) -> tuple[str, Path, LedgerRecorder]:
    """13 events and a checkpoint at 13; nothing dropped (appending needs no trigger dropped)."""
    db_url, key_path = initialised
    recorder = open_recorder(db_url)
    append(recorder, 13, batch=4)
    make_checkpoint(db_url, key_path)
    return db_url, key_path, recorder


def insert_event(database: Database, position: int, version: int) -> bytes:
    """A well-formed row, as an insider would write it with plain SQL; its leaf input."""
    recorded_at = "2030-01-01T00:00:00.000000Z"
    state = b'{"n": "forged"}'
    execute(database, f"INSERT INTO ledger_events {ROW} VALUES (:p, 'test:s', :v, 'tests:Happened', :t, :s)",
            p=position, v=version, t=recorded_at, s=state)
    return leaf_input(position, "test:s", version, "tests:Happened", recorded_at, state)


def insert_tree_rows(database: Database, recorder: LedgerRecorder, size: int, leaves: list[bytes]) -> None:
    """The tree rows a real append of ``leaves`` after ``size`` events would write."""
    frontier = recorder.tree_nodes(list(subtree_plan(0, size)))
    nodes = complete_subtrees_after_append(size, [leaf_hash(leaf) for leaf in leaves],
                                           lambda level, idx: frontier[(level, idx)])
    with database.write() as conn:
        conn.execute(schema.tree.insert(), [{"level": l, "idx": i, "hash": h} for l, i, h in nodes])


def test_a_row_appended_behind_the_ledgers_back_is_named_by_position(history) -> None:
    db_url, key_path, recorder = history
    insert_event(recorder.database, 13, 14)
    report, _ = verify(db_url, key_path)
    assert (report.ok, report.first_bad_position) == (False, 13)
    assert re.search(r"\bpositions? 13\b", report.problem or ""), report.problem


def test_a_row_appended_with_its_tree_rows_but_no_head_update_is_caught(history) -> None:
    db_url, key_path, recorder = history
    leaf = insert_event(recorder.database, 13, 14)
    insert_tree_rows(recorder.database, recorder, 13, [leaf])
    report, _ = verify(db_url, key_path)
    assert (report.ok, report.first_bad_position) == (False, 13)
    assert "head row" in (report.problem or "") and re.search(r"\b13\b", report.problem or "")


def test_a_row_appended_after_a_gap_is_caught_at_the_gap(history) -> None:
    db_url, key_path, recorder = history
    insert_event(recorder.database, 20, 14)
    report, _ = verify(db_url, key_path)
    assert (report.ok, report.first_bad_position) == (False, 13)
    assert re.search(r"\b13\b", report.problem or ""), report.problem


def test_a_complete_forged_append_is_not_detectable_from_the_log_alone(history) -> None:
    """The honest limit (docs/security.md): whoever may INSERT into the log and
    UPDATE its head can append a well-formed event; every hash and checkpoint
    still verifies, because a checkpoint proves only what came before it.
    Only the PostgreSQL privileges (test below) keep such a writer out."""
    db_url, key_path, recorder = history
    kept = recorder.checkpoints()[-1][3]
    leaf = insert_event(recorder.database, 13, 14)
    insert_tree_rows(recorder.database, recorder, 13, [leaf])
    execute(recorder.database, "UPDATE ledger_head SET size = 14")
    report, _ = verify(db_url, key_path, kept)
    assert report.ok, report.problem
    assert (report.size, report.against_checked) == (14, True)


def test_two_events_swapped_with_their_leaf_hashes_are_named_at_the_first(history) -> None:
    db_url, key_path, recorder = history
    drop_append_only_triggers(recorder.database)
    for sql in (
        "UPDATE ledger_events SET position = -1 WHERE position = 3",
        "UPDATE ledger_events SET position = 3 WHERE position = 10",
        "UPDATE ledger_events SET position = 10 WHERE position = -1",
        "UPDATE ledger_tree SET idx = -1 WHERE level = 0 AND idx = 3",
        "UPDATE ledger_tree SET idx = 3 WHERE level = 0 AND idx = 10",
        "UPDATE ledger_tree SET idx = 10 WHERE level = 0 AND idx = -1",
    ):
        execute(recorder.database, sql)
    report, _ = verify(db_url, key_path)
    assert (report.ok, report.first_bad_position) == (False, 3)
    assert "position 3" in (report.problem or "")


def test_a_reordering_with_every_hash_recomputed_is_caught_by_a_kept_checkpoint(history) -> None:
    db_url, key_path, recorder = history
    kept = recorder.checkpoints()[-1][3]
    drop_append_only_triggers(recorder.database)
    # The insider swaps the contents of positions 3 and 10 (same stream, so versions
    # stay consistent per position) but leaves each position's recorded_at, so time
    # still runs forward; rebuilds the whole tree and removes the checkpoints.
    rows = {r.position: r for r in recorder.iter_records()}
    for position, source in ((3, rows[10]), (10, rows[3])):
        execute(recorder.database, "UPDATE ledger_events SET stream_version = :v, state = :s "
                "WHERE position = :p", v=-position, s=source.state, p=position)
    for position, source in ((3, rows[10]), (10, rows[3])):
        execute(recorder.database, "UPDATE ledger_events SET stream_version = :v WHERE position = :p",
                v=source.stream_version, p=position)
    execute(recorder.database, "DELETE FROM ledger_tree")
    execute(recorder.database, "DELETE FROM ledger_checkpoints")
    insert_tree_rows(recorder.database, recorder, 0, [r.leaf_input() for r in recorder.iter_records()])
    inside, _ = verify(db_url, key_path)
    assert inside.ok, inside.problem  # nothing left inside the database shows it
    report, _ = verify(db_url, key_path, kept)
    assert not report.ok
    assert report.first_bad_position == 0 and "0..12" in (report.problem or "")


def test_a_reordering_that_moves_recorded_times_is_named_inside_the_database(history) -> None:
    db_url, key_path, recorder = history
    drop_append_only_triggers(recorder.database)
    rows = {r.position: r for r in recorder.iter_records()}
    assert rows[3].recorded_at < rows[10].recorded_at  # appended in different transactions
    for position, source in ((3, rows[10]), (10, rows[3])):
        execute(recorder.database, "UPDATE ledger_events SET stream_version = :v, state = :s, recorded_at = :t "
                "WHERE position = :p", v=-position, s=source.state, t=source.recorded_at, p=position)
    for position, source in ((3, rows[10]), (10, rows[3])):
        execute(recorder.database, "UPDATE ledger_events SET stream_version = :v WHERE position = :p",
                v=source.stream_version, p=position)
    execute(recorder.database, "DELETE FROM ledger_tree")
    execute(recorder.database, "DELETE FROM ledger_checkpoints")
    insert_tree_rows(recorder.database, recorder, 0, [r.leaf_input() for r in recorder.iter_records()])
    report, _ = verify(db_url, key_path)
    assert not report.ok
    assert report.first_bad_position == 4 and "never goes back" in (report.problem or "")


def test_without_the_key_file_verify_trusts_the_database_and_says_so(history, tmp_path: Path) -> None:
    """The honest limit of verifying with no key file at hand: an insider who
    replaces the stored verifier key and re-signs every checkpoint with their
    own key passes. The report names where the key came from; with the key
    file (or only its .pub) the substitution is refused."""
    from ledger.checkpoints import Checkpoint, sign_checkpoint
    from ledger.errors import IntegrityFailure
    from ledger.notes import NoteSigner

    db_url, key_path, recorder = history
    drop_append_only_triggers(recorder.database)
    impostor = NoteSigner.generate("test.scrutiny-ledger/ledger")
    execute(recorder.database, "UPDATE ledger_meta SET value = :v WHERE key = 'vkey'", v=impostor.vkey)
    execute(recorder.database, "DELETE FROM ledger_checkpoints")
    forged = sign_checkpoint(Checkpoint("test.scrutiny-ledger/ledger", 13, recorder.root(13)), impostor)
    recorder.append_checkpoint(13, forged)
    nowhere = tmp_path / "no-such-key"
    report, source = verify(db_url, nowhere)
    assert report.ok and report.checkpoints_checked == 1
    assert "database" in source and "no key file" in source
    public_only = tmp_path / "inspector" / "scrutiny.key"
    public_only.parent.mkdir()
    public_only.with_name("scrutiny.key.pub").write_bytes(Path(f"{key_path}.pub").read_bytes())
    for anchor in (key_path, public_only):
        with pytest.raises(IntegrityFailure, match="verifier key"):
            verify(db_url, anchor)


# -- PostgreSQL: the application role of docs/operations.md may only append ----------------------

OPERATIONS = ROOT / "docs" / "operations.md"


def documented_role_sql() -> tuple[str, str]:
    """The two SQL blocks of docs/operations.md's role set-up: before and after init."""
    text = OPERATIONS.read_text(encoding="utf-8")
    section = text[text.index("### Roles: the application may only append"):text.index("### Backups")]
    blocks = re.findall(r"```sql\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 2, "docs/operations.md: the role set-up is two SQL blocks"
    return blocks[0], blocks[1]


def plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def run_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(plain(PG_URL), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def url_as(user: str | None, role: str | None, schema_name: str) -> str:
    base = PG_URL.split("?")[0]
    if user is not None:
        base = re.sub(r"://[^@/]*@", f"://{user}@", base)
    options = f"-csearch_path%3D{schema_name}"
    if role is not None:
        options = f"-crole%3D{role}%20" + options
    return f"{base}?options={options}"


@pytest.fixture
def roles(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Unique owner and application roles and a schema, set up as documented; removed after."""
    suffix = uuid.uuid4().hex[:10]
    names = {"scrutiny_owner": f"scrutiny_owner_{suffix}", "scrutiny_app": f"scrutiny_app_{suffix}",
             "scrutiny": f"scrutiny_{suffix}"}

    def named(sql: str) -> str:
        for generic, unique in names.items():
            sql = re.sub(rf"\b{generic}\b", unique, sql)
        return sql

    before, after = documented_role_sql()
    try:
        run_sql(named(before))
        owner_url = url_as(None, names["scrutiny_owner"], names["scrutiny"])
        key_path = tmp_path / "scrutiny.key"
        init_ledger(owner_url, key_path, "test.scrutiny-ledger/ledger")
        run_sql(named(after))
        yield {"owner_url": owner_url, "app_url": url_as(names["scrutiny_app"], None, names["scrutiny"]),
               "key_path": str(key_path), **names}
    finally:
        run_sql(f'DROP SCHEMA IF EXISTS "{names["scrutiny"]}" CASCADE')
        for role in (names["scrutiny_app"], names["scrutiny_owner"]):
            run_sql(f'DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = \'{role}\') THEN '
                    f'EXECUTE \'DROP OWNED BY "{role}"\'; EXECUTE \'DROP ROLE "{role}"\'; END IF; END $$')


FORBIDDEN_TO_THE_APPLICATION = [
    *(f"UPDATE {table} SET {column} = {column}" for table, column in (
        ("ledger_events", "topic"), ("ledger_tree", "hash"), ("ledger_checkpoints", "signed_note"),
        ("ledger_meta", "value"))),
    *(f"DELETE FROM {table}" for table in (*schema.APPEND_ONLY_TABLES, "ledger_head")),
    *(f"TRUNCATE {table}" for table in (*schema.APPEND_ONLY_TABLES, "ledger_head")),
    f"INSERT INTO ledger_events {ROW} VALUES (0, {FORGED}, '\\x00') "
    "ON CONFLICT (position) DO UPDATE SET topic = excluded.topic",
    "DROP TRIGGER ledger_events_refuse_change ON ledger_events",
    "ALTER TABLE ledger_events DISABLE TRIGGER ALL",
    "ALTER TABLE ledger_tree DISABLE TRIGGER USER",
    "CREATE TRIGGER sneak BEFORE INSERT ON ledger_events FOR EACH ROW EXECUTE FUNCTION scrutiny_refuse_change()",
    "DROP TABLE ledger_checkpoints",
    "ALTER TABLE ledger_events RENAME TO old_events",
    "DROP FUNCTION scrutiny_refuse_change() CASCADE",
]


def refusals(app_url: str, statements: list[str]) -> dict[str, str]:
    """Each forbidden statement run as the application role: what the database said."""
    database = Database(app_url)
    said: dict[str, str] = {}
    try:
        for statement in statements:
            try:
                with database.write() as conn:
                    conn.exec_driver_sql(statement)
            except StorageError as exc:
                said[statement] = str(exc)
            else:
                said[statement] = "ACCEPTED"
    finally:
        database.dispose()
    return said


def test_postgresql_roles_the_application_can_append_but_never_change_history(roles) -> None:
    import psycopg

    app_url, owner_url, key_path = roles["app_url"], roles["owner_url"], Path(roles["key_path"])
    # The application works: it appends, checkpoints, verifies and keeps its views.
    app = LedgerRecorder(Database(app_url))
    try:
        append(app, 9, batch=4)
    finally:
        app.database.dispose()
    make_checkpoint(app_url, key_path)
    from commands.reads import Scope, rebuild_views, views

    with views(app_url, Scope()):
        pass
    rebuild_views(app_url, ["history"])

    def check_everything_refused(statements: list[str]) -> None:
        said = refusals(app_url, statements)
        accepted = [statement for statement, answer in said.items()
                    if not re.search(r"permission denied|must be owner", answer)]
        assert not accepted, {statement: said[statement] for statement in accepted}

    check_everything_refused(FORBIDDEN_TO_THE_APPLICATION)
    # Nor can it hand itself (or anyone) more: a GRANT of what it lacks grants nothing.
    database = Database(app_url)
    try:
        with database.write() as conn:
            conn.exec_driver_sql("GRANT UPDATE, DELETE, TRUNCATE ON ledger_events TO PUBLIC")
        with database.read() as conn:
            granted = conn.exec_driver_sql(
                "SELECT has_table_privilege('ledger_events', 'UPDATE'), "
                "has_table_privilege('ledger_events', 'DELETE'), "
                "has_table_privilege('ledger_events', 'TRUNCATE')").one()
    finally:
        database.dispose()
    assert tuple(granted) == (False, False, False)
    # Privileges alone refuse it: the owner drops every trigger, the refusals stand.
    drop_append_only_triggers(Database(owner_url))
    with psycopg.connect(plain(owner_url)) as conn:
        triggers = conn.execute("SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                "WHERE n.nspname = %s AND NOT t.tgisinternal", (roles["scrutiny"],)).fetchone()
    assert triggers == (0,)
    # (With no trigger left, DROP TRIGGER has nothing to refuse; the rest is refused as before.)
    check_everything_refused([s for s in FORBIDDEN_TO_THE_APPLICATION if not s.startswith("DROP TRIGGER")])

    app = LedgerRecorder(Database(app_url))
    try:
        append(app, 3, stream="test:after", batch=3)
    finally:
        app.database.dispose()
    report, _ = verify(app_url, key_path)
    assert report.ok, report.problem
    assert (report.size, report.checkpoints_checked) == (12, 1)
    assert fetch_one(Database(owner_url), "SELECT count(*) FROM ledger_events") == (12,)


def test_postgresql_roles_the_application_can_erase_a_subject_and_says_what_it_could_not_vacuum(
    roles,
) -> None:
    from commands.acts import EraseSubject
    from commands.acts.base import record_in_batches
    from commands.demo import command_of
    from commands.demo_script import set_up
    from commands.erasure import erase_subject, subject_status
    from ledger.application import open_ledger

    app_url, key_path = roles["app_url"], Path(roles["key_path"])
    ledger = open_ledger(app_url)
    try:  # people's names are sealed: the application creates their keys
        record_in_batches(ledger, [command_of(row) for row in set_up()], 500)
    finally:
        ledger.close()
    _, scrubbed = erase_subject(app_url, EraseSubject.build(
        actor="jane-porter", occurred_on="2020-01-06", subject_id="person:grace-patel",
        reason="Erasure request upheld."))
    assert subject_status(app_url, "person:grace-patel").erased
    assert "VACUUM FULL of view_history" in scrubbed.files
    assert "not vacuumed, being another role's" in scrubbed.files
    assert scrubbed.files.endswith("ledger_subject_keys") or "ledger_subject_keys;" in scrubbed.files
    database = Database(app_url)
    try:  # the owner's trigger allows no update but erasure; no grant allows a delete
        with pytest.raises(AppendOnlyViolation):
            with database.write() as conn:
                conn.exec_driver_sql("UPDATE ledger_subject_keys SET key = 'k'::bytea")
        with pytest.raises(StorageError, match="permission denied"):
            with database.write() as conn:
                conn.exec_driver_sql("DELETE FROM ledger_subject_keys")
    finally:
        database.dispose()
    report, _ = verify(app_url, key_path)
    assert report.ok, report.problem
