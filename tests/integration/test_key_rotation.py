"""Key rotation: a dated key history in the log, handed over by a checkpoint signed twice.

On both engines: old checkpoints keep verifying, the retired key can sign
nothing more, a checkpoint forged with it fails, and inspectors holding
either key can follow the handover in a bundle.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from datetime import date
from pathlib import Path

import pytest

from eventsourcing.persistence import StoredEvent

from commands.admin import ledger_keys, make_checkpoint, verify
from commands.bundles import export
from commands.keys import rotate_key
from ledger.application import open_ledger
from ledger.checkpoints import Checkpoint, sign_checkpoint
from ledger.domain.signing_keys import (
    SIGNING_KEYS_KEY,
    SIGNING_KEYS_STREAM,
    SigningKeys,
    rotation_statement_text,
)
from ledger.errors import RefusedError
from ledger.keys import create_key_file, load_signer
from ledger.key_history import ROTATION_TOPIC
from ledger.notes import NoteSigner, add_signature, open_note
from ledger.proofs import stored_root
from tests.integration.test_bundles import (
    CASE,
    ORIGIN,
    record_events,
    stored_note,
    verdicts,
    vkey_of,
)
from tests.ledger_helpers import open_recorder

#: Engine-independent behaviour runs on SQLite only, to keep the suite fast; the
#: tests without this mark run on both engines.
SQLITE_ONLY = pytest.mark.parametrize("engine_name", ["sqlite"])


@pytest.fixture
def rotated(initialised: tuple[str, Path], tmp_path: Path) -> tuple[str, Path, Path, Path]:
    """6 events, checkpoint (kept), rotation at position 6, 4 more events, checkpoint by the new key."""
    db_url, old_key = initialised
    record_events(db_url, 6)
    make_checkpoint(db_url, old_key)
    kept = tmp_path / "kept.checkpoint"
    kept.write_text(stored_note(db_url), encoding="utf-8")
    new_key = tmp_path / "keys" / "new.key"
    rotate_key(db_url, old_key, new_key, actor="jane-porter", reason="annual rotation")
    record_events(db_url, 4, start=6)
    make_checkpoint(db_url, new_key)
    return db_url, old_key, new_key, kept


def test_a_rotation_is_an_event_and_a_checkpoint_signed_by_both_keys(
    initialised, tmp_path: Path
) -> None:
    db_url, old_key = initialised
    record_events(db_url, 3)
    make_checkpoint(db_url, old_key)
    old_bytes = old_key.read_bytes()
    new_key = tmp_path / "keys" / "new.key"
    result = rotate_key(db_url, old_key, new_key, actor="jane-porter")
    assert stat.S_IMODE(os.stat(new_key).st_mode) == 0o600
    assert old_key.read_bytes() == old_bytes
    old, new = load_signer(old_key), load_signer(new_key)
    assert (result.old_vkey, result.new_vkey, result.position) == (old.vkey, new.vkey, 3)
    recorder = open_recorder(db_url)
    (event,) = recorder.select_events(SIGNING_KEYS_STREAM)
    fields = json.loads(event.state)
    assert (fields["old_vkey"], fields["new_vkey"], fields["actor_id"]) == (
        old.vkey,
        new.vkey,
        "jane-porter",
    )
    assert fields["valid_from"].endswith("Z") and fields["actor_role"] == "key_holder"
    _, size, _, note = recorder.checkpoints()[-1]
    assert size == 4 and note == result.checkpoint
    opened = open_note(note, [old.verifier, new.verifier])
    assert set(opened.verified) == {old.verifier, new.verifier}


def test_old_checkpoints_keep_verifying_with_either_key_file(rotated) -> None:
    db_url, old_key, new_key, kept = rotated
    for key in (old_key, new_key):
        report, _ = verify(db_url, key, kept.read_text(encoding="utf-8"))
        assert report.ok, report.problem
        assert (report.size, report.checkpoints_checked, report.key_rotations) == (11, 3, 1)


def test_the_retired_key_can_sign_nothing_more(rotated) -> None:
    db_url, old_key, _, _ = rotated
    before = len(open_recorder(db_url).checkpoints())
    with pytest.raises(RefusedError, match="retired by the key rotation at position 6"):
        make_checkpoint(db_url, old_key)
    assert len(open_recorder(db_url).checkpoints()) == before


def test_a_checkpoint_forged_with_the_retired_key_after_rotation_fails(rotated) -> None:
    db_url, old_key, new_key, _ = rotated
    recorder = open_recorder(db_url)
    forged = sign_checkpoint(
        Checkpoint(ORIGIN, 11, stored_root(recorder, 11)), load_signer(old_key)
    )
    recorder.append_checkpoint(11, forged)
    for key in (old_key, new_key):
        report, _ = verify(db_url, key)
        assert not report.ok
        assert "checkpoint #4" in (report.problem or "")
        assert "not signed by the key in force" in (report.problem or "")
        assert "retired by the key rotation at position 6" in (report.problem or "")


def insider_rotation(db_url: str, key: Path, impostor: NoteSigner) -> None:
    """What someone with database rights but not the key can do: append a rotation
    to a key of their own, its statement signed by that key only."""
    genuine = load_signer(key).vkey
    when = "2024-01-01T00:00:00.000000Z"
    fields = {
        "actor_id": "insider",
        "actor_role": "key_holder",
        "evidence": [],
        "occurred_on": "2024-01-01",
        "old_vkey": genuine,
        "new_vkey": impostor.vkey,
        "reason": None,
        "tier": None,
        "valid_from": when,
        "statement": impostor.sign(rotation_statement_text(genuine, impostor.vkey, when)),
    }
    recorder = open_recorder(db_url)
    recorder.insert_events(
        [
            StoredEvent(
                originator_id=SIGNING_KEYS_STREAM,
                originator_version=1,
                topic=ROTATION_TOPIC,
                state=json.dumps(fields, sort_keys=True).encode(),
            )
        ]
    )
    recorder.database.dispose()


def test_a_rotation_recorded_by_an_insider_without_the_old_key_changes_nothing(initialised) -> None:
    db_url, key = initialised
    record_events(db_url, 3)
    make_checkpoint(db_url, key)
    impostor = NoteSigner.generate(ORIGIN)
    insider_rotation(db_url, key, impostor)
    recorder = open_recorder(db_url)
    recorder.append_checkpoint(
        4, sign_checkpoint(Checkpoint(ORIGIN, 4, stored_root(recorder, 4)), impostor)
    )
    report, _ = verify(db_url, key)
    assert not report.ok
    assert "checkpoint #2" in (report.problem or "") and "not signed by any known key" in (
        report.problem or ""
    )
    assert report.key_rotations == 0
    assert any("ignored: the key rotation recorded at position 3" in note for note in report.notes)
    app = open_ledger(db_url)
    try:
        history, _ = ledger_keys(app, key)
    finally:
        app.close()
    assert history.current == load_signer(key).verifier and history.ignored == (3,)


@SQLITE_ONLY
def test_an_insiders_rotation_neither_blocks_the_partnership_nor_fools_an_inspector(
    initialised, tmp_path: Path
) -> None:
    db_url, key = initialised
    record_events(db_url, 3)
    impostor = NoteSigner.generate(ORIGIN)
    insider_rotation(db_url, key, impostor)
    record_events(db_url, 2, start=3)
    make_checkpoint(db_url, key)  # the genuine key is still in force
    export(db_url, key, tmp_path / "b")
    code, report, _ = verdicts(tmp_path / "b", "--key", vkey_of(key))
    assert code == 0 and report is not None and report["key_rotations"] == 0
    # The partnership can still rotate its key.
    new_key = tmp_path / "new.key"
    assert rotate_key(db_url, key, new_key).position == 6
    assert verify(db_url, new_key)[0].ok
    # The impostor re-signs the tree of the bundle: their rotation does not count, so
    # their key is not trusted.
    recorder = open_recorder(db_url)
    forged = sign_checkpoint(Checkpoint(ORIGIN, 6, stored_root(recorder, 6)), impostor)
    (tmp_path / "b" / "checkpoint").write_text(forged, encoding="utf-8")
    code, report, _ = verdicts(tmp_path / "b", "--key", vkey_of(key))
    assert code == 3 and report is not None and report["check"] == "checkpoint"


@SQLITE_ONLY
def test_rotate_never_overwrites_and_records_nothing_when_refused(
    initialised, tmp_path: Path
) -> None:
    db_url, key = initialised
    record_events(db_url, 2)
    existing = tmp_path / "existing.key"
    existing.write_text("precious\n", encoding="utf-8")
    with pytest.raises(RefusedError, match="already exists"):
        rotate_key(db_url, key, existing)
    assert existing.read_text(encoding="utf-8") == "precious\n"
    with pytest.raises(RefusedError, match="new file"):
        rotate_key(db_url, key, key)
    recorder = open_recorder(db_url)
    assert recorder.size() == 2 and recorder.checkpoints() == []


@SQLITE_ONLY
def test_only_the_key_in_force_can_be_rotated(rotated, tmp_path: Path) -> None:
    db_url, old_key, _, _ = rotated
    size = open_recorder(db_url).size()
    with pytest.raises(RefusedError, match="not the key in force"):
        rotate_key(db_url, old_key, tmp_path / "again.key")
    assert not (tmp_path / "again.key").exists()
    assert open_recorder(db_url).size() == size


@SQLITE_ONLY
def test_an_interrupted_rotation_is_finished_with_resume(initialised, tmp_path: Path) -> None:
    db_url, key = initialised
    record_events(db_url, 2)
    new_key = tmp_path / "new.key"
    new = create_key_file(new_key, ORIGIN)
    old = load_signer(key)
    app = open_ledger(db_url)
    try:  # the event is recorded, then the process dies before the handover checkpoint
        valid_from = "2024-01-01T00:00:00.000000Z"
        statement = add_signature(
            old.sign(rotation_statement_text(old.vkey, new.vkey, valid_from)), new
        )
        keys = SigningKeys.new()
        keys.rotate(
            first_key=old.vkey,
            old_vkey=old.vkey,
            new_vkey=new.vkey,
            valid_from=valid_from,
            statement=statement,
            actor_id="key-holder",
            occurred_on=date(2024, 1, 1),
        )
        app.record(keys)
    finally:
        app.close()
    report, _ = verify(db_url, key)
    assert report.ok and any("no checkpoint yet" in note for note in report.notes)
    with pytest.raises(RefusedError, match="has not been handed over"):
        make_checkpoint(db_url, new_key)
    result = rotate_key(db_url, key, new_key, resume=True)
    assert result.resumed and result.position == 2
    assert verify(db_url, new_key)[0].ok
    with pytest.raises(RefusedError, match="no key rotation is waiting"):
        rotate_key(db_url, key, new_key, resume=True)


@SQLITE_ONLY
def test_an_inspector_holding_either_key_can_check_a_bundle_made_after_rotation(
    rotated, tmp_path: Path
) -> None:
    db_url, old_key, new_key, kept = rotated
    export(db_url, new_key, tmp_path / "full")
    export(db_url, new_key, tmp_path / "case", case=CASE, since_file=str(kept))
    assert (tmp_path / "full" / "verifier.key").read_text(encoding="utf-8").strip() == vkey_of(
        new_key
    )
    for bundle in (tmp_path / "full", tmp_path / "case"):
        for key in (old_key, new_key):
            code, report, _ = verdicts(bundle, "--key", vkey_of(key), "--against", str(kept))
            assert code == 0 and report is not None, report
            assert report["key_rotations"] == 1
            assert len(report["trusted_keys"]) == 2
    lines = (tmp_path / "case" / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert any(json.loads(line)["stream"] == SIGNING_KEYS_STREAM for line in lines)


@SQLITE_ONLY
def test_a_bundle_whose_checkpoint_is_signed_by_the_retired_key_fails(
    rotated, tmp_path: Path
) -> None:
    db_url, old_key, new_key, _ = rotated
    export(db_url, new_key, tmp_path / "b")
    recorder = open_recorder(db_url)
    forged = sign_checkpoint(
        Checkpoint(ORIGIN, 11, stored_root(recorder, 11)), load_signer(old_key)
    )
    (tmp_path / "b" / "checkpoint").write_text(forged, encoding="utf-8")
    code, report, _ = verdicts(tmp_path / "b", "--key", vkey_of(old_key))
    assert code == 3 and report is not None
    assert (
        report["check"] == "checkpoint"
        and "retired by the key rotation at position 6" in report["problem"]
    )


@SQLITE_ONLY
def test_a_bundle_with_a_broken_handover_fails(rotated, tmp_path: Path) -> None:
    db_url, _, new_key, _ = rotated
    export(db_url, new_key, tmp_path / "b")
    shutil.copytree(tmp_path / "b", tmp_path / "c")
    path = tmp_path / "b" / "rotations.json"
    entries = json.loads(path.read_text(encoding="utf-8"))
    note = entries[0]["checkpoint"]
    entries[0]["checkpoint"] = note[: note.rindex("\u2014")]  # drop the old key's signature line
    path.write_text(json.dumps(entries), encoding="utf-8")
    code, report, _ = verdicts(tmp_path / "b", "--key", vkey_of(new_key))
    assert code == 3 and report is not None
    assert report["check"] == "key-history" and "not signed by both keys" in report["problem"]
    (tmp_path / "c" / "rotations.json").unlink()
    code, report, _ = verdicts(tmp_path / "c", "--key", vkey_of(new_key))
    assert code == 3 and report is not None and report["check"] == "key-history"
    assert (report["line"], report["position"]) == (7, 6)


@SQLITE_ONLY
def test_two_rotations_chain_back_to_the_first_key(rotated, tmp_path: Path) -> None:
    db_url, first_key, second_key, kept = rotated
    third_key = tmp_path / "third.key"
    rotate_key(db_url, second_key, third_key)
    record_events(db_url, 2, start=10)
    make_checkpoint(db_url, third_key)
    for key in (first_key, second_key, third_key):
        assert verify(db_url, key, kept.read_text(encoding="utf-8"))[0].ok
    export(db_url, third_key, tmp_path / "b")
    code, report, _ = verdicts(tmp_path / "b", "--key", vkey_of(first_key), "--against", str(kept))
    assert code == 0 and report is not None and report["key_rotations"] == 2


def test_the_aggregate_refuses_a_rotation_of_a_key_not_in_force_and_changes_nothing() -> None:
    first, second, third = (NoteSigner.generate(ORIGIN) for _ in range(3))
    other = NoteSigner.generate("other.origin/log")
    keys = SigningKeys(SigningKeys.stream_id_for(SIGNING_KEYS_KEY))
    when = "2024-01-01T00:00:00.000000Z"

    def rotate(
        old: NoteSigner, new: NoteSigner, signers: tuple[NoteSigner, ...] | None = None
    ) -> None:
        text = rotation_statement_text(old.vkey, new.vkey, when)
        first_signer, *others = signers if signers is not None else (old, new)
        statement = first_signer.sign(text)
        for signer in others:
            statement = add_signature(statement, signer)
        keys.rotate(
            first_key=first.vkey,
            old_vkey=old.vkey,
            new_vkey=new.vkey,
            actor_id="k",
            valid_from=when,
            statement=statement,
            occurred_on=date(2024, 1, 1),
        )

    rotate(first, second)
    for old, new, signers, message in [
        (first, third, None, "not the key in force"),
        (second, first, None, "has been in force before"),
        (second, other, None, "same name"),
        (second, third, (third,), "not signed by both"),
    ]:
        with pytest.raises(RefusedError, match=message):
            rotate(old, new, signers)
        assert keys.version == 1 and len(keys.rotations) == 1
