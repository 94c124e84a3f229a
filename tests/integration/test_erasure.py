"""Erasing a data subject, on SQLite and PostgreSQL.

A case's personal text is recorded, shown by the views, then the case is
erased: afterwards the text cannot be found anywhere in the database (on
SQLite: not in any byte of the database's files; on PostgreSQL: not in any
row, nor in the tables' files on disk), every checkpoint still verifies, the
views and history say ``[erased]``, and nothing more can be recorded about
the subject. Text of other subjects stays readable throughout.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from commands.acts import EraseSubject, command_for, handle
from commands.acts.base import record_in_batches
from commands.admin import make_checkpoint, verify
from commands.bundles import export
from commands.demo import command_of
from commands.demo_script import set_up
from commands.erasure import erase_subject, subject_status
from commands.reads import Scope, views
from ledger.application import ScrutinyLedger, open_ledger
from ledger.errors import AppendOnlyViolation, NotFoundError, RefusedError, StorageError
from ledger.sealing import ERASED
from ledger.storage.schema import subject_keys
from projections.history import HistoryQuery, history_rows
from projections.reports import case_view
from ledger.domain.organisations import Organisation

TOOL = Path(__file__).resolve().parents[2] / "tools" / "verify_bundle.py"
BU, SCRUTINEER, CASE = "jane-porter", "helen-morgan", "SSCP-2019-01"
SCC = "somerset-county-council"
CHILD_TEXT = "Quillon Marchbanks-Ferreira, aged 7"
FINDING_TEXT = "Spoke with Mrs Ottoline Varga-Pennycook at the school gate"
OTHER_TEXT = "Threshold document Zanzibar-4471 was never circulated"


def act(ledger: ScrutinyLedger, name: str, actor: str, on: str, **fields: Any) -> dict[str, Any]:
    return handle(command_for(name).build(actor=actor, occurred_on=on, **fields), ledger)


def erase(db_url: str, subject: str, actor: str = BU, on: str = "2020-06-01") -> dict[str, Any]:
    command = EraseSubject.build(actor=actor, occurred_on=on, subject_id=subject,
                                 reason="Erasure request upheld by the data protection officer.")
    recorded, _ = erase_subject(db_url, command)
    return recorded


@pytest.fixture
def ledger(initialised: tuple[str, Path]) -> Iterator[ScrutinyLedger]:
    """The demo's partnership, a case with personal text, and another subject's text."""
    app = open_ledger(initialised[0])
    record_in_batches(app, [command_of(row) for row in set_up()], 500)
    act(app, "case.notify", "sam-hughes", "2019-09-09", case_id=CASE, local_authority_id=SCC,
        children=["Child A"], became_aware_on="2019-09-04",
        summary=f"Serious injury to {CHILD_TEXT}.")
    act(app, "activity.record", SCRUTINEER, "2019-09-20", activity_id="ACT-2019-09",
        kind="practitioner_contact", tier=3, title="Visit about the case",
        organisations=[SCC], findings=[FINDING_TEXT, "Records were complete."], case_id=CASE)
    act(app, "challenge.raise", SCRUTINEER, "2019-10-14", challenge_id="CH-2019-0d0d01",
        to_partners=[SCC], tier=1, respond_within_working_days=10, subject=OTHER_TEXT)
    yield app
    app.close()


def history_of(db_url: str, stream: str) -> list[dict[str, Any]]:
    with views(db_url, Scope()) as store:
        return history_rows(store, HistoryQuery(stream=stream))


def database_bytes(db_url: str) -> bytes:
    """Every byte of a SQLite ledger's files: the database, its WAL and shared memory."""
    path = Path(db_url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))


def postgres_table_files(ledger: ScrutinyLedger, tables: list[str]) -> bytes:
    """The on-disk files of the named tables (and their TOAST), after a CHECKPOINT."""
    with ledger.database.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("CHECKPOINT")
        data_dir = Path(conn.exec_driver_sql("SHOW data_directory").scalar_one())
        found = b""
        for table in tables:
            paths = conn.execute(text(
                "SELECT pg_relation_filepath(c.oid), pg_relation_filepath(c.reltoastrelid) "
                "FROM pg_class c WHERE c.oid = to_regclass(:t)"), {"t": table}).one()
            for relative in paths:
                if relative is not None:
                    found += b"".join(p.read_bytes() for p in data_dir.glob(relative + "*"))
        return found


def test_erasure_removes_the_plaintext_everywhere_and_history_still_verifies(
    ledger: ScrutinyLedger, initialised: tuple[str, Path], engine_name: str
) -> None:
    db_url, key_path = initialised
    before = history_of(db_url, f"case:{CASE}")  # the views now hold the text in clear
    assert CHILD_TEXT in before[0]["fields"]["summary"]
    make_checkpoint(db_url, key_path)
    with ledger.database.read() as conn:
        [old_key] = conn.execute(select(subject_keys.c.key).where(
            subject_keys.c.subject_id == f"case:{CASE}")).one()
    view_tables = ["view_history", "view_streams", "ledger_subject_keys"]
    if engine_name == "sqlite":
        assert CHILD_TEXT.encode() in database_bytes(db_url)  # the scan can see it
    else:
        assert CHILD_TEXT.encode() in postgres_table_files(ledger, view_tables)

    recorded, scrubbed = erase_subject(db_url, EraseSubject.build(
        actor=BU, occurred_on="2020-06-01", subject_id=f"case:{CASE}",
        reason="Erasure request upheld by the data protection officer."))

    assert recorded["event_type"] == "SubjectErased"
    # (On PostgreSQL, another session's open snapshot would keep old row versions.)
    assert "held older snapshots" not in scrubbed.files, scrubbed.files
    status = subject_status(db_url, f"case:{CASE}")
    assert status.erased and status.erased_position == recorded["position"]
    report, _ = verify(db_url, key_path)
    assert report.ok and report.checkpoints_checked == 1, report.problem
    [notified] = history_of(db_url, f"case:{CASE}")
    assert notified["fields"]["summary"] == ERASED
    [activity] = history_of(db_url, "activity:ACT-2019-09")
    assert activity["fields"]["findings"] == [ERASED, ERASED]
    [challenge] = history_of(db_url, "challenge:CH-2019-0d0d01")
    assert challenge["fields"]["subject"] == OTHER_TEXT  # another subject's text is untouched
    with views(db_url, Scope()) as store:
        shown = case_view(store, CASE, date(2020, 6, 1))
    assert CHILD_TEXT not in repr(shown) and ERASED in repr(shown)
    with views(db_url, Scope(known_at=str(recorded["position"]))) as store:  # time travel too
        then = history_rows(store, HistoryQuery(stream=f"case:{CASE}"))
    assert then[0]["fields"]["summary"] == ERASED

    for secret in (CHILD_TEXT.encode(), FINDING_TEXT.encode(), bytes(old_key)):
        if engine_name == "sqlite":
            assert secret not in database_bytes(db_url)
        else:
            assert secret not in postgres_table_files(ledger, view_tables)
    if engine_name == "sqlite":
        assert OTHER_TEXT.encode() in database_bytes(db_url)
    with ledger.database.read() as conn:
        for table in ("view_history", "view_streams", "ledger_events"):
            rows = conn.exec_driver_sql(f"SELECT * FROM {table}").all()
            assert not any(CHILD_TEXT in str(row) for row in rows), table


def test_after_erasure_no_personal_data_about_the_subject_can_be_recorded(
    ledger: ScrutinyLedger, initialised: tuple[str, Path]
) -> None:
    db_url = initialised[0]
    erase(db_url, f"case:{CASE}")
    app = open_ledger(db_url)
    try:
        size = app.ledger_recorder.size()
        with pytest.raises(RefusedError, match=f"case:{CASE} has been erased"):
            act(app, "case.inform-partners", "sam-hughes", "2019-09-10", case_id=CASE,
                partners=["avon-and-somerset-constabulary", "somerset-ccg"])
            act(app, "activity.record", SCRUTINEER, "2019-09-21", activity_id="ACT-2019-10",
                kind="practitioner_contact", tier=3, title="Second visit",
                organisations=[SCC], findings=["More about the child."], case_id=CASE)
        # The act without personal text was recorded; the one with text was refused.
        assert app.ledger_recorder.size() == size + 1
        with pytest.raises(RefusedError, match="already erased"):
            erase(db_url, f"case:{CASE}", on="2020-06-02")
        assert app.ledger_recorder.size() == size + 1
    finally:
        app.close()


def test_erasure_is_for_the_business_unit_and_for_a_stream_of_the_ledger(
    ledger: ScrutinyLedger, initialised: tuple[str, Path]
) -> None:
    db_url = initialised[0]
    size = ledger.ledger_recorder.size()
    with pytest.raises(RefusedError, match="business_unit"):
        erase(db_url, f"case:{CASE}", actor=SCRUTINEER)
    with pytest.raises(NotFoundError, match="no stream 'case:SSCP-2099-99'"):
        erase(db_url, "case:SSCP-2099-99")
    with pytest.raises(RefusedError, match="no personal data of its own"):
        erase(db_url, "correction:case:SSCP-2019-01@1")
    assert ledger.ledger_recorder.size() == size
    assert not subject_status(db_url, f"case:{CASE}").erased


def test_an_act_sealed_with_a_key_erased_meanwhile_is_refused_whole(
    ledger: ScrutinyLedger, initialised: tuple[str, Path]
) -> None:
    db_url = initialised[0]
    ledger.subject_keys.sealing_key(f"case:{CASE}")  # this writer holds the live key
    erase(db_url, f"case:{CASE}")  # another process erases the case
    size = ledger.ledger_recorder.size()
    with pytest.raises(RefusedError, match="erased while this act was being recorded"):
        act(ledger, "activity.record", SCRUTINEER, "2019-09-21", activity_id="ACT-2019-10",
            kind="practitioner_contact", tier=3, title="Second visit",
            organisations=[SCC], findings=["More about the child."], case_id=CASE)
    assert ledger.ledger_recorder.size() == size


def test_a_subject_key_can_only_be_erased_never_changed_restored_or_deleted(
    ledger: ScrutinyLedger, initialised: tuple[str, Path]
) -> None:
    db_url = initialised[0]
    live, gone = f"case:{CASE}", "challenge:CH-2019-0d0d01"
    erase(db_url, gone)
    table = subject_keys
    refused = [
        table.update().where(table.c.subject_id == live).values(key=b"k" * 32),
        table.update().where(table.c.subject_id == gone).values(key=b"k" * 32),
        table.update().where(table.c.subject_id == gone).values(erased_at=None),
        table.delete().where(table.c.subject_id == gone),
    ]
    for statement in refused:
        with pytest.raises(AppendOnlyViolation):
            with ledger.database.write() as conn:
                conn.execute(statement)
    with pytest.raises(StorageError):  # a second key for a subject: trigger or primary key
        with ledger.database.write() as conn:
            conn.execute(table.insert().values(subject_id=live, key=b"k" * 32, created_at="x"))
    assert not subject_status(db_url, live).erased
    assert subject_status(db_url, gone).erased


def test_a_bundle_exported_after_erasure_verifies_standalone_and_holds_no_plaintext(
    ledger: ScrutinyLedger, initialised: tuple[str, Path], tmp_path: Path
) -> None:
    db_url, key_path = initialised
    make_checkpoint(db_url, key_path)
    erase(db_url, f"case:{CASE}")
    export(db_url, key_path, tmp_path / "bundle", fresh_checkpoint=True)
    bundle_bytes = b"".join(p.read_bytes() for p in (tmp_path / "bundle").rglob("*") if p.is_file())
    assert CHILD_TEXT.encode() not in bundle_bytes and OTHER_TEXT.encode() not in bundle_bytes
    done = subprocess.run(
        [sys.executable, str(TOOL), str(tmp_path / "bundle"), "--key", f"{key_path}.pub",
         "--json"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True


def test_a_new_subject_key_is_stored_with_the_first_append_and_a_rival_key_is_a_conflict(
    ledger: ScrutinyLedger, initialised: tuple[str, Path]
) -> None:
    from ledger.errors import ConflictError
    from ledger.storage.subject_keys import SubjectKeyStore

    database = ledger.database
    first, rival = SubjectKeyStore(database), SubjectKeyStore(database)
    subject = "audit:AUD-2020-99"
    ours, theirs = first.sealing_key(subject), rival.sealing_key(subject)
    assert ours != theirs and first.status(subject) is None  # nothing stored before an append
    with database.write_cursor() as cursor:
        rival.settle(cursor, [subject])
    rival.stored([subject])
    assert rival.opening_key(subject) == theirs
    with pytest.raises(ConflictError, match="stored the key of audit:AUD-2020-99 first"):
        with database.write_cursor() as cursor:
            first.settle(cursor, [subject])
    assert first.sealing_key(subject) == theirs  # the retry seals with the stored key


def test_an_event_sealed_with_a_key_its_ledger_does_not_hold_is_never_stored(
    ledger: ScrutinyLedger, initialised: tuple[str, Path]
) -> None:
    from eventsourcing.persistence import JSONTranscoder

    from ledger.domain.base import CanonicalJSONMapper
    from ledger.domain.challenges import Challenge
    from tests.memory_keys import MemoryKeys

    challenge = Challenge.new("CH-2020-0f0f01")
    event = challenge.raise_challenge(
        raised_by=SCRUTINEER, partners=[ledger.load(Organisation, SCC)], subject="Text.",
        tier=1, respond_within_working_days=10, occurred_on=date(2020, 1, 6),
        actor_id=SCRUTINEER, actor_role="independent_scrutineer")
    foreign = CanonicalJSONMapper(MemoryKeys(), transcoder=JSONTranscoder())
    size = ledger.ledger_recorder.size()
    with pytest.raises(StorageError, match="a key this ledger does not hold"):
        ledger.ledger_recorder.insert_events([foreign.to_stored_event(event)])
    assert ledger.ledger_recorder.size() == size


def test_the_history_view_keeps_no_copy_of_personal_text_and_shows_it_from_the_log(
    ledger: ScrutinyLedger, initialised: tuple[str, Path]
) -> None:
    db_url = initialised[0]
    notified = history_of(db_url, f"case:{CASE}")[0]
    assert CHILD_TEXT in notified["fields"]["summary"]  # shown, read from the log
    with ledger.database.read_cursor() as cursor:
        for table in ("view_history", "view_history_organisations", "view_history_corrections"):
            cursor.execute(f"SELECT * FROM {table}")
            stored = repr(cursor.fetchall())
            assert "Quillon" not in stored and "Ottoline" not in stored and "Zanzibar" not in stored


def test_a_history_view_made_by_an_older_version_is_made_anew(
    ledger: ScrutinyLedger, initialised: tuple[str, Path]
) -> None:
    """The older history view copied each event's fields into a column; the
    first read drops it and rebuilds the view from the log."""
    db_url = initialised[0]
    before = history_of(db_url, f"case:{CASE}")
    with ledger.database.write() as conn:
        conn.exec_driver_sql("DROP TABLE view_history")
        conn.exec_driver_sql(
            "CREATE TABLE view_history (position BIGINT PRIMARY KEY, stream_id TEXT NOT NULL, "
            "stream_kind TEXT NOT NULL, stream_version BIGINT NOT NULL, event_type TEXT NOT NULL, "
            "actor_id TEXT, actor_role TEXT, tier INTEGER, occurred_on TEXT, "
            "recorded_at TEXT NOT NULL, fields TEXT NOT NULL)")
    after = history_of(db_url, f"case:{CASE}")
    assert after == before and CHILD_TEXT in after[0]["fields"]["summary"]
    with ledger.database.read_cursor() as cursor:
        cursor.execute("SELECT * FROM view_history WHERE stream_id = 'case:' || 'SSCP-2019-01'")
        assert len(cursor.fetchall()) == len(before)


def test_an_opener_kept_for_a_subject_is_forgotten_with_its_key(
    ledger: ScrutinyLedger, initialised: tuple[str, Path]
) -> None:
    from ledger.storage.subject_keys import SubjectKeyStore

    reader = SubjectKeyStore(ledger.database)
    subject = f"case:{CASE}"
    opener = reader.opening_cipher(subject)
    assert opener is not None and reader.opening_cipher(subject) is opener  # kept
    erase(initialised[0], subject)  # by another process's store
    reader.prefetch([subject])  # what every read of the log starts with
    assert subject not in reader._ciphers  # the destroyed key is not kept in the process
    assert reader.opening_cipher(subject) is None and reader.opening_key(subject) is None
    with pytest.raises(StorageError, match="no key for subject case:NOBODY"):
        reader.opening_cipher("case:NOBODY")


def test_a_replay_reads_each_pages_keys_afresh_and_keeps_no_others(
    ledger: ScrutinyLedger, initialised: tuple[str, Path]
) -> None:
    from ledger.sealing import subjects_in
    from projections.feed import pages

    recorder = ledger.ledger_recorder
    subject = f"case:{CASE}"
    opened: list[dict[str, Any]] = []
    for page in pages(recorder, -1, page_size=1):
        item = page[0]
        # Memory follows the page, not the log: only this page's subjects are cached.
        assert set(recorder.subject_keys._cache) == subjects_in(item.record.state)
        if item.record.stream_id == subject:
            assert CHILD_TEXT in item.data["summary"]
            erase(initialised[0], subject)  # by another process, while the replay goes on
        if item.record.stream_id == "activity:ACT-2019-09":
            opened.append(item.data)
    assert opened == [opened[0]] and opened[0]["findings"] == [ERASED, ERASED]
