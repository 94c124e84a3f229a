"""Witness cosigning (C2SP tlog-witness / tlog-cosignature) and k-of-n witness policies."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from commands.admin import init_ledger, make_checkpoint, verify
from commands.bundles import export
from commands.proofs import consistency
from commands.witness import collect, cosign, new_witness_key
from ledger.errors import IntegrityFailure, InvalidInputError, RefusedError
from ledger.notes import NoteSigner, parse_note
from ledger.witness import WitnessPolicy, WitnessSigner, WitnessVerifier, add_cosignature
from ledger.witnessing import WitnessState
from tests.integration.test_bundles import ORIGIN, record_events, stored_note, verdicts, vkey_of

#: Engine-independent behaviour runs on SQLite only, to keep the suite fast; the
#: tests without this mark run on both engines.
SQLITE_ONLY = pytest.mark.parametrize("engine_name", ["sqlite"])


def test_a_cosignature_is_what_c2sp_tlog_cosignature_v1_says_byte_for_byte() -> None:
    signer = WitnessSigner.generate("witness.example/w1")
    note = (
        "example.org/log\n5\n"
        + base64.b64encode(b"\x07" * 32).decode()
        + "\n\n\u2014 example.org/log AAAAAAAA\n"
    )
    text = note.split("\n\n")[0] + "\n"
    cosigned = add_cosignature(note, signer, timestamp=1_700_000_000)
    line = cosigned.splitlines()[-1]
    name, encoded = line.removeprefix("\u2014 ").split(" ")
    raw = base64.b64decode(encoded)
    public = base64.b64decode(signer.vkey.split("+", 2)[2])
    assert public[0] == 0x04 and len(public) == 33
    assert raw[:4] == hashlib.sha256(name.encode() + b"\n\x04" + public[1:]).digest()[:4]
    assert int.from_bytes(raw[4:12], "big") == 1_700_000_000
    message = b"cosignature/v1\ntime 1700000000\n" + text.encode()
    Ed25519PublicKey.from_public_bytes(public[1:]).verify(raw[12:], message)  # raises if wrong
    assert WitnessVerifier.from_vkey(signer.vkey).timestamp_if_valid(text, raw[4:]) == 1_700_000_000
    assert cosigned.startswith(note)  # the log's own line is kept, the cosignature appended


@pytest.fixture
def log(initialised: tuple[str, Path], tmp_path: Path) -> dict[str, object]:
    """Checkpoints at 5 and 9 events, saved as files; a witness key and state directory."""
    db_url, key_path = initialised
    files = {}
    for start, size in ((0, 5), (5, 9)):
        record_events(db_url, size - start, start=start)
        make_checkpoint(db_url, key_path)
        files[size] = tmp_path / f"cp{size}"
        files[size].write_text(stored_note(db_url), encoding="utf-8")
    new_witness_key("regional.example/witness", tmp_path / "w.key")
    return {
        "db": db_url,
        "key": key_path,
        "cp": files,
        "wkey": tmp_path / "w.key",
        "state": tmp_path / "state",
    }


def test_a_witness_cosigns_consistent_growth_and_refuses_a_rollback(log) -> None:
    db, cp, wkey, state = log["db"], log["cp"], log["wkey"], log["state"]
    first = cosign(str(cp[5]), wkey, state, log_keys=[vkey_of(log["key"])])
    assert (first["tree_size"], first["previous_size"]) == (5, 0)
    assert first["checkpoint"].startswith(cp[5].read_text(encoding="utf-8"))
    second = cosign(
        str(cp[9]), wkey, state, db_url=db
    )  # the log key is remembered; proof from --db
    assert (second["tree_size"], second["previous_size"]) == (9, 5)
    latest = WitnessState(state).latest(ORIGIN)
    assert latest == second["checkpoint"]
    with pytest.raises(RefusedError, match="already cosigned size 9"):
        cosign(str(cp[5]), wkey, state, db_url=db)
    assert WitnessState(state).latest(ORIGIN) == latest
    again = cosign(str(cp[9]), wkey, state)  # same size, same root: no proof needed
    assert again["tree_size"] == 9


@SQLITE_ONLY
def test_a_fork_and_a_bad_proof_are_integrity_failures_and_record_nothing(
    log, tmp_path: Path
) -> None:
    db, cp, wkey, state, key = log["db"], log["cp"], log["wkey"], log["state"], log["key"]
    cosign(str(cp[5]), wkey, state, log_keys=[vkey_of(key)])
    before = WitnessState(state).latest(ORIGIN)
    # Another history of 9 events signed by the same key: a split view.
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    init_ledger(other, key, ORIGIN)
    record_events(other, 9)
    make_checkpoint(other, key)
    forked = tmp_path / "forked"
    forked.write_text(stored_note(other), encoding="utf-8")
    with pytest.raises(IntegrityFailure, match="does not verify: the log was rewritten"):
        cosign(str(forked), wkey, state, db_url=other)
    proof = tmp_path / "proof.json"
    proof.write_text(json.dumps(consistency(db, "5", "9")), encoding="utf-8")
    with pytest.raises(IntegrityFailure, match="does not verify"):
        cosign(str(forked), wkey, state, proof_file=str(proof))
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(consistency(db, "4", "9")), encoding="utf-8")
    with pytest.raises(InvalidInputError, match="needs one from 5 to 9"):
        cosign(str(cp[9]), wkey, state, proof_file=str(wrong))
    assert WitnessState(state).latest(ORIGIN) == before
    assert cosign(str(cp[9]), wkey, state, proof_file=str(proof))["tree_size"] == 9


@SQLITE_ONLY
def test_same_size_with_another_root_is_a_fork(log, tmp_path: Path) -> None:
    cp, wkey, state, key = log["cp"], log["wkey"], log["state"], log["key"]
    cosign(str(cp[9]), wkey, state, log_keys=[vkey_of(key)])
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    init_ledger(other, key, ORIGIN)
    record_events(other, 9, start=1)
    make_checkpoint(other, key)
    (tmp_path / "forked").write_text(stored_note(other), encoding="utf-8")
    with pytest.raises(IntegrityFailure, match="forked"):
        cosign(str(tmp_path / "forked"), wkey, state)


@SQLITE_ONLY
def test_a_witness_needs_the_logs_key_and_a_valid_log_signature(log, tmp_path: Path) -> None:
    cp, wkey, state = log["cp"], log["wkey"], log["state"]
    with pytest.raises(RefusedError, match="--log-key"):
        cosign(str(cp[5]), wkey, state)
    with pytest.raises(IntegrityFailure, match="not signed by any known key"):
        cosign(str(cp[5]), wkey, state, log_keys=[NoteSigner.generate(ORIGIN).vkey])
    assert WitnessState(state).latest(ORIGIN) is None


def witnessed(log, tmp_path: Path, how_many: int) -> tuple[list[str], Path]:
    """Three witnesses; the first ``how_many`` cosign checkpoint 9, collected into the ledger."""
    vkeys, files = [], []
    for i in range(3):
        key = tmp_path / f"w{i}.key"
        vkeys.append(new_witness_key(f"agency{i}.example/witness", key)["verifier_key"])
        if i < how_many:
            out = tmp_path / f"cosigned{i}"
            out.write_text(
                cosign(
                    str(log["cp"][9]), key, tmp_path / f"state{i}", log_keys=[vkey_of(log["key"])]
                )["checkpoint"],
                encoding="utf-8",
            )
            files.append(str(out))
    if files:
        collect(log["db"], log["key"], files, witnesses=[vkeys[i] for i in range(how_many)])
    export(log["db"], log["key"], tmp_path / "bundle")
    return vkeys, tmp_path / "bundle"


@SQLITE_ONLY
def test_k_of_n_accepts_k_valid_cosignatures(log, tmp_path: Path) -> None:
    vkeys, bundle = witnessed(log, tmp_path, 2)
    policy = WitnessPolicy.build(vkeys, 2)
    report, _ = verify(log["db"], log["key"], witness_policy=policy)
    assert report.ok, report.problem
    assert len(report.witnesses) == 2
    args = [arg for vkey in vkeys for arg in ("--witness", vkey)]
    code, data, _ = verdicts(
        bundle, "--key", vkey_of(log["key"]), *args, "--witnesses-required", "2"
    )
    assert code == 0 and data is not None and len(data["witnesses"]) == 2


@SQLITE_ONLY
def test_k_of_n_refuses_k_minus_one(log, tmp_path: Path) -> None:
    vkeys, bundle = witnessed(log, tmp_path, 1)
    report, _ = verify(log["db"], log["key"], witness_policy=WitnessPolicy.build(vkeys, 2))
    assert not report.ok
    assert "1 of the 2 required cosignatures verify" in (report.problem or "")
    args = [arg for vkey in vkeys for arg in ("--witness", vkey)]
    code, data, _ = verdicts(
        bundle, "--key", vkey_of(log["key"]), *args, "--witnesses-required", "2"
    )
    assert code == 3 and data is not None and data["check"] == "witnesses"
    assert (
        verdicts(bundle, "--key", vkey_of(log["key"]), *args, "--witnesses-required", "1")[0] == 0
    )


@SQLITE_ONLY
def test_a_forged_cosignature_of_a_listed_witness_fails(log, tmp_path: Path) -> None:
    vkeys, bundle = witnessed(log, tmp_path, 2)
    tampered = tmp_path / "tampered"
    shutil.copytree(bundle, tampered)
    path = tampered / "checkpoint"
    note = path.read_text(encoding="utf-8")
    last = note.splitlines()[-1]
    name, encoded = last.removeprefix("\u2014 ").split(" ")
    raw = bytearray(base64.b64decode(encoded))
    raw[8] ^= 1  # the timestamp changes: the signature no longer matches
    path.write_text(
        note.replace(last, f"\u2014 {name} {base64.b64encode(bytes(raw)).decode()}"),
        encoding="utf-8",
    )
    args = [arg for vkey in vkeys for arg in ("--witness", vkey)]
    code, data, _ = verdicts(
        tampered, "--key", vkey_of(log["key"]), *args, "--witnesses-required", "1"
    )
    assert code == 3 and data is not None
    assert data["check"] == "witnesses" and "does not verify" in data["problem"]


@SQLITE_ONLY
def test_collect_keeps_the_log_signature_and_appends_a_checkpoint_row(log, tmp_path: Path) -> None:
    vkeys, _ = witnessed(log, tmp_path, 2)
    from tests.ledger_helpers import open_recorder

    stored = open_recorder(log["db"]).checkpoints()
    assert [size for _, size, _, _ in stored] == [5, 9, 9]
    text, signatures = parse_note(stored[-1][3])
    assert text == parse_note(stored[-2][3])[0] and len(signatures) == 3
    assert verify(log["db"], log["key"])[0].ok
    with pytest.raises(InvalidInputError):
        WitnessPolicy.build(vkeys, 4)
    with pytest.raises(InvalidInputError):
        WitnessPolicy.build([vkeys[0], vkeys[0]], 1)
