"""Export bundles from a real ledger (SQLite and PostgreSQL), checked by both verifiers.

The helpers at the top (``record_events``, ``verdicts`` ...) are shared by the
other integrity tests: ``verdicts`` runs the project's ``scrutiny
verify-bundle`` in-process and the standalone ``tools/verify_bundle.py`` as a
subprocess, asserts that they agree, and returns the verdict.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from eventsourcing.persistence import StoredEvent

from commands.admin import init_ledger, make_checkpoint
from commands.bundles import export
from commands.cli.main import cli
from ledger.bundle_check import check_bundle
from ledger.errors import IntegrityFailure, NotFoundError, RefusedError
from ledger.notes import NoteVerifier
from tests.conftest import drop_pg_schema, make_db_url
from tests.ledger_helpers import drop_append_only_triggers, execute, open_recorder

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "verify_bundle.py"
ORIGIN = "test.scrutiny-ledger/ledger"
CASE = "SSCP-CSPR-2020-03"

#: Engine-independent behaviour runs on SQLite only, to keep the suite fast; the
#: tests without this mark run on both engines.
SQLITE_ONLY = pytest.mark.parametrize("engine_name", ["sqlite"])
AGREEMENT_FIELDS = (
    "ok",
    "check",
    "line",
    "position",
    "kind",
    "origin",
    "tree_size",
    "root",
    "events",
    "streams",
    "key_source",
    "trusted_keys",
    "key_rotations",
    "consistency_from",
    "against_size",
    "witnesses",
)


# -- helpers shared by the integrity tests ----------------------------------------------


def event_specs(count: int) -> list[tuple[str, dict[str, Any]]]:
    """(stream, fields) of ``count`` events: three challenge streams, one of them about
    CASE, a stream named after CASE, a mention of it in free text, and a near miss."""
    specs: list[tuple[str, dict[str, Any]]] = []
    for i in range(count):
        kind = i % 5
        if kind == 0:
            specs.append(("challenge:CH-2020-001", {"case_ref": CASE if i == 0 else None, "n": i}))
        elif kind == 1:
            specs.append(("challenge:CH-2020-002", {"subject": "unrelated", "n": i}))
        elif kind == 2:
            specs.append((f"case:{CASE}", {"stage": f"step {i}"}))
        elif kind == 3:
            specs.append(
                ("org:somerset-cc", {"note": f"minutes mention {CASE}." if i == 3 else "x", "n": i})
            )
        else:
            specs.append(("org:other", {"note": f"ref {CASE}1 is another case", "n": i}))
    return specs


def record_events(db_url: str, count: int, start: int = 0) -> None:
    """Append events ``start .. start + count - 1`` of ``event_specs`` (canonical JSON
    states, versions counted per stream) in one transaction."""
    recorder = open_recorder(db_url)
    specs = event_specs(start + count)
    versions: dict[str, int] = {}
    batch = []
    for i, (stream, fields) in enumerate(specs):
        versions[stream] = versions.get(stream, 0) + 1
        if i >= start:
            state = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
            batch.append(
                StoredEvent(
                    originator_id=stream,
                    originator_version=versions[stream],
                    topic="tests:Happened",
                    state=state,
                )
            )
    recorder.insert_events(batch)
    recorder.database.dispose()


def stored_note(db_url: str, index: int = -1) -> str:
    recorder = open_recorder(db_url)
    try:
        return recorder.checkpoints()[index][3]
    finally:
        recorder.database.dispose()


def standalone(bundle: Path, *args: str) -> tuple[int, dict[str, Any] | None, str]:
    """Run tools/verify_bundle.py as an inspector would: (exit code, JSON report, stderr)."""
    done = subprocess.run(
        [sys.executable, str(TOOL), str(bundle), *args, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=bundle.parent,
    )
    report = json.loads(done.stdout) if done.stdout.strip() else None
    return done.returncode, report, done.stderr


def project(bundle: Path, *args: str) -> tuple[int, dict[str, Any] | None, str]:
    """Run 'scrutiny verify-bundle --json' in-process."""
    result = CliRunner().invoke(cli, ["verify-bundle", str(bundle), *args, "--json"])
    report = json.loads(result.stdout) if result.stdout.strip() else None
    return result.exit_code, report, result.stderr


def verdicts(bundle: Path, *args: str) -> tuple[int, dict[str, Any] | None, str]:
    """Both verifiers on the same bundle; they must agree. Returns the project's verdict."""
    mine = project(bundle, *args)
    theirs = standalone(bundle, *args)
    assert mine[0] == theirs[0], (mine, theirs)
    if mine[1] is None or theirs[1] is None:
        assert mine[1] is None and theirs[1] is None, (mine, theirs)
        assert mine[2].startswith("Error: ") and theirs[2].startswith("Error: ")
    else:
        for name in AGREEMENT_FIELDS:
            assert mine[1][name] == theirs[1][name], (name, mine[1], theirs[1])
        assert bool(mine[1]["warnings"]) == bool(theirs[1]["warnings"])
    if mine[0] == 3:
        assert mine[2].startswith("Error: ") and len(mine[2].strip().splitlines()) == 1
        assert theirs[2].startswith("Error: ") and len(theirs[2].strip().splitlines()) == 1
    return mine


def vkey_of(key_path: Path) -> str:
    return Path(str(key_path) + ".pub").read_text(encoding="utf-8").strip()


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def ledger(initialised: tuple[str, Path]) -> tuple[str, Path]:
    """20 events, a checkpoint at 8 (kept by the inspector) and one at 20."""
    db_url, key_path = initialised
    record_events(db_url, 8)
    make_checkpoint(db_url, key_path)
    record_events(db_url, 12, start=8)
    make_checkpoint(db_url, key_path)
    return db_url, key_path


# -- tests ----------------------------------------------------------------------------------


def test_a_full_export_holds_every_event_and_verifies_with_both_verifiers(
    ledger, tmp_path: Path
) -> None:
    db_url, key_path = ledger
    result = export(db_url, key_path, tmp_path / "bundle")
    assert (result.kind, result.events, result.tree_size) == ("full", 20, 20)
    bundle = tmp_path / "bundle"
    assert sorted(p.name for p in bundle.iterdir()) == [
        "README.md",
        "bundle.json",
        "checkpoint",
        "events.jsonl",
        "verifier.key",
    ]
    assert (bundle / "checkpoint").read_text(encoding="utf-8") == stored_note(db_url)
    assert (bundle / "verifier.key").read_text(encoding="utf-8").strip() == vkey_of(key_path)
    lines = [
        json.loads(line)
        for line in (bundle / "events.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [line["position"] for line in lines] == list(range(20))
    assert lines[0]["event"] == {"case_ref": CASE, "n": 0}
    assert list(lines[0]) == [
        "position",
        "stream",
        "version",
        "topic",
        "recorded_at",
        "event",
        "leaf_input",
    ]
    code, report, _ = verdicts(bundle, "--key", vkey_of(key_path))
    assert code == 0 and report is not None
    assert (report["ok"], report["kind"], report["events"], report["warnings"]) == (
        True,
        "full",
        20,
        [],
    )


def test_the_leaf_input_in_a_bundle_is_exactly_what_the_ledger_hashed(
    ledger, tmp_path: Path
) -> None:
    import base64

    db_url, key_path = ledger
    export(db_url, key_path, tmp_path / "bundle")
    recorder = open_recorder(db_url)
    stored = {r.position: r.leaf_input() for r in recorder.iter_records()}
    for line in (tmp_path / "bundle" / "events.jsonl").read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        assert base64.b64decode(data["leaf_input"]) == stored[data["position"]]


@SQLITE_ONLY
def test_without_a_key_the_bundle_key_is_used_with_a_loud_warning(ledger, tmp_path: Path) -> None:
    db_url, key_path = ledger
    export(db_url, key_path, tmp_path / "bundle")
    code, report, stderr = verdicts(tmp_path / "bundle")
    assert code == 0 and report is not None
    assert report["key_source"] == "bundle"
    assert "WARNING" in stderr and "proves nothing" in stderr and vkey_of(key_path) in stderr


def test_a_case_export_holds_whole_streams_of_the_case_with_inclusion_proofs(
    ledger, tmp_path: Path
) -> None:
    db_url, key_path = ledger
    result = export(db_url, key_path, tmp_path / "case", case=CASE)
    assert result.kind == "partial"
    lines = [
        json.loads(l)
        for l in (tmp_path / "case" / "events.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    streams = {line["stream"] for line in lines}
    # the challenge whose first event names the case (all of it), the case's own stream,
    # the organisation whose minutes mention it; not the near miss "SSCP-CSPR-2020-031".
    assert streams == {"challenge:CH-2020-001", f"case:{CASE}", "org:somerset-cc"}
    assert all("inclusion_proof" in line for line in lines)
    assert [line["position"] for line in lines] == sorted(line["position"] for line in lines)
    code, report, _ = verdicts(tmp_path / "case", "--key", vkey_of(key_path))
    assert code == 0 and report is not None
    assert report["streams"] == {
        "challenge:CH-2020-001": 4,
        f"case:{CASE}": 4,
        "org:somerset-cc": 4,
    }


@SQLITE_ONLY
def test_a_stream_export_holds_only_that_stream(ledger, tmp_path: Path) -> None:
    db_url, key_path = ledger
    export(db_url, key_path, tmp_path / "one", streams=["challenge:CH-2020-002"])
    report = check_bundle(tmp_path / "one", keys=[NoteVerifier.from_vkey(vkey_of(key_path))])
    assert report.ok, report.problem
    assert report.streams == {"challenge:CH-2020-002": 4}


@SQLITE_ONLY
def test_a_selection_that_matches_nothing_is_not_found_and_writes_nothing(
    ledger, tmp_path: Path
) -> None:
    db_url, key_path = ledger
    before = sorted(tmp_path.iterdir())
    with pytest.raises(NotFoundError, match="--case NOPE-1"):
        export(db_url, key_path, tmp_path / "none", case="NOPE-1")
    assert sorted(tmp_path.iterdir()) == before


def test_since_adds_a_consistency_proof_from_the_inspectors_checkpoint(
    ledger, tmp_path: Path
) -> None:
    db_url, key_path = ledger
    kept = tmp_path / "kept.checkpoint"
    kept.write_text(stored_note(db_url, 0), encoding="utf-8")
    export(db_url, key_path, tmp_path / "case", case=CASE, since_file=str(kept))
    data = json.loads((tmp_path / "case" / "consistency.json").read_text(encoding="utf-8"))
    assert (data["old_size"], data["new_size"]) == (8, 20)
    code, report, _ = verdicts(
        tmp_path / "case", "--key", vkey_of(key_path), "--against", str(kept)
    )
    assert code == 0 and report is not None
    assert (report["consistency_from"], report["against_size"]) == (8, 8)
    # Without the proof a partial bundle cannot show consistency with the kept checkpoint.
    export(db_url, key_path, tmp_path / "case2", case=CASE)
    code, report, _ = verdicts(
        tmp_path / "case2", "--key", vkey_of(key_path), "--against", str(kept)
    )
    assert code == 3 and report is not None and report["check"] == "against"
    # A full bundle needs no proof: the verifier recomputes the old root from the leaves.
    export(db_url, key_path, tmp_path / "full")
    assert verdicts(tmp_path / "full", "--key", vkey_of(key_path), "--against", str(kept))[0] == 0


@SQLITE_ONLY
def test_export_with_checkpoint_signs_a_fresh_one_first(ledger, tmp_path: Path) -> None:
    db_url, key_path = ledger
    record_events(db_url, 3, start=20)
    result = export(db_url, key_path, tmp_path / "fresh", fresh_checkpoint=True)
    assert result.tree_size == 23
    assert len(open_recorder(db_url).checkpoints()) == 3


@SQLITE_ONLY
def test_export_refuses_a_non_empty_directory_and_changes_nothing_in_it(
    ledger, tmp_path: Path
) -> None:
    db_url, key_path = ledger
    target = tmp_path / "busy"
    target.mkdir()
    (target / "mine.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(RefusedError, match="not empty"):
        export(db_url, key_path, target)
    assert [p.name for p in target.iterdir()] == ["mine.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert export(db_url, key_path, empty).events == 20  # an empty directory is fine


def test_export_of_a_tampered_ledger_fails_and_leaves_nothing_behind(
    ledger, tmp_path: Path
) -> None:
    db_url, key_path = ledger
    recorder = open_recorder(db_url)
    drop_append_only_triggers(recorder.database)
    execute(recorder.database, "UPDATE ledger_events SET topic = 'forged' WHERE position = 5")
    with pytest.raises(IntegrityFailure):
        export(db_url, key_path, tmp_path / "out")
    with pytest.raises(IntegrityFailure, match="position 5"):
        export(db_url, key_path, tmp_path / "out", streams=["challenge:CH-2020-001"])
    assert not (tmp_path / "out").exists()
    assert not any(p.name.startswith(".out") for p in tmp_path.iterdir())


def test_bundles_from_sqlite_and_postgresql_with_the_same_acts_verify_with_the_same_verifier(
    tmp_path: Path,
) -> None:
    key_path = tmp_path / "shared.key"
    bundles = []
    for engine in ("sqlite", "postgresql"):
        url, schema = make_db_url(engine, tmp_path)
        try:
            init_ledger(url, key_path, ORIGIN)  # the second init reuses the key file
            record_events(url, 13)
            make_checkpoint(url, key_path)
            export(url, key_path, tmp_path / engine)
            export(url, key_path, tmp_path / f"{engine}-case", case=CASE)
        finally:
            if schema is not None:
                drop_pg_schema(schema)
        bundles.append(tmp_path / engine)
    for bundle in (*bundles, tmp_path / "sqlite-case", tmp_path / "postgresql-case"):
        code, report, _ = verdicts(bundle, "--key", vkey_of(key_path))
        assert code == 0 and report is not None, report

    # Same acts, same readable content: only the recording times (and so the hashes) differ.
    def readable(bundle: Path) -> list[tuple[Any, ...]]:
        lines = (bundle / "events.jsonl").read_text(encoding="utf-8").splitlines()
        return [
            (d["position"], d["stream"], d["version"], d["topic"], d["event"])
            for d in map(json.loads, lines)
        ]

    assert readable(bundles[0]) == readable(bundles[1])


@SQLITE_ONLY
def test_progress_goes_to_stderr_only_on_a_terminal(ledger, tmp_path: Path) -> None:
    db_url, key_path = ledger
    from commands.admin import ledger_keys
    from ledger.application import open_ledger
    from ledger.bundle_export import export_bundle

    seen: list[int] = []
    app = open_ledger(db_url)
    try:
        history, _ = ledger_keys(app, key_path)
        note = app.ledger_recorder.checkpoints()[-1][3]
        export_bundle(
            app.ledger_recorder,
            history,
            note,
            tmp_path / "b",
            progress=seen.append,
            progress_every=5,
        )
    finally:
        app.close()
    assert seen == [5, 10, 15, 20]
    result = CliRunner().invoke(
        cli, ["--db", db_url, "--key", str(key_path), "export", str(tmp_path / "c")]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # CliRunner's stderr is not a terminal


@SQLITE_ONLY
def test_a_copied_bundle_still_verifies(ledger, tmp_path: Path) -> None:
    db_url, key_path = ledger
    export(db_url, key_path, tmp_path / "b")
    shutil.copytree(tmp_path / "b", tmp_path / "elsewhere" / "b")
    assert verdicts(tmp_path / "elsewhere" / "b", "--key", vkey_of(key_path))[0] == 0
