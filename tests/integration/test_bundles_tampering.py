"""Every way of tampering with a bundle fails, naming what failed, in both verifiers.

Each case copies an intact bundle, changes it as someone between the
partnership and the inspector might, and runs ``scrutiny verify-bundle`` and
the standalone ``tools/verify_bundle.py`` on it: both must exit 3 with the
same check, line and position (``verdicts`` asserts the agreement).
"""

from __future__ import annotations

import base64
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.admin import init_ledger, make_checkpoint
from commands.bundles import export
from ledger.checkpoints import Checkpoint, parse_checkpoint, sign_checkpoint
from ledger.integrity import merkle_root
from ledger.bundle_check import check_bundle
from ledger.notes import NoteSigner, NoteVerifier, parse_note
from ledger.records import leaf_input
from tests.integration.test_bundles import (
    AGREEMENT_FIELDS,
    CASE,
    ORIGIN,
    record_events,
    stored_note,
    verdicts,
    vkey_of,
)
from tests.unit.test_proofs import tool

Tamper = Callable[[Path, "World"], None]


@dataclass(frozen=True)
class World:
    """Intact bundles and the files around them, built once for the module."""

    root: Path
    key_path: Path
    full: Path
    partial: Path
    kept: Path  # the inspector's checkpoint at 8 events
    fork: Path  # a checkpoint at 8 events of another history, signed by the same key

    @property
    def vkey(self) -> str:
        return vkey_of(self.key_path)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("tampering")
    key_path = root / "ledger.key"
    db_url = f"sqlite:///{root / 'ledger.sqlite3'}"
    init_ledger(db_url, key_path, ORIGIN)
    record_events(db_url, 8)
    make_checkpoint(db_url, key_path)
    kept = root / "kept.checkpoint"
    kept.write_text(stored_note(db_url, 0), encoding="utf-8")
    record_events(db_url, 12, start=8)
    make_checkpoint(db_url, key_path)
    export(db_url, key_path, root / "full")
    export(db_url, key_path, root / "partial", case=CASE, since_file=str(kept))
    other = f"sqlite:///{root / 'other.sqlite3'}"
    init_ledger(other, key_path, ORIGIN)  # the same key signs a different history
    record_events(other, 3)
    record_events(other, 5, start=10)
    make_checkpoint(other, key_path)
    fork = root / "fork.checkpoint"
    fork.write_text(stored_note(other, 0), encoding="utf-8")
    return World(root, key_path, root / "full", root / "partial", kept, fork)


def lines(bundle: Path) -> list[str]:
    return (bundle / "events.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)


def write_lines(bundle: Path, new: list[str]) -> None:
    (bundle / "events.jsonl").write_text("".join(new), encoding="utf-8")


def edit_line(bundle: Path, index: int, change: Callable[[dict], None]) -> None:
    all_lines = lines(bundle)
    data = json.loads(all_lines[index])
    change(data)
    all_lines[index] = json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
    write_lines(bundle, all_lines)


def rewrite_event(data: dict, field: str, value: object) -> None:
    """Change an event consistently: its readable copy and its leaf input."""
    record = json.loads(base64.b64decode(data["leaf_input"]))
    event = json.loads(base64.b64decode(record["state"]))
    event[field] = value
    state = json.dumps(event, sort_keys=True, separators=(",", ":")).encode()
    data["event"] = event
    data["leaf_input"] = base64.b64encode(
        leaf_input(
            record["position"],
            record["stream_id"],
            record["stream_version"],
            record["topic"],
            record["recorded_at"],
            state,
        )
    ).decode()


def change_leaf_only(data: dict) -> None:
    event = dict(data["event"])
    rewrite_event(data, "n", 999)
    data["event"] = event  # the readable copy still shows the original


def swap(index_a: int, index_b: int) -> Tamper:
    def tamper(bundle: Path, world: World) -> None:
        all_lines = lines(bundle)
        all_lines[index_a], all_lines[index_b] = all_lines[index_b], all_lines[index_a]
        write_lines(bundle, all_lines)

    return tamper


def drop(index: int) -> Tamper:
    def tamper(bundle: Path, world: World) -> None:
        all_lines = lines(bundle)
        del all_lines[index]
        write_lines(bundle, all_lines)

    return tamper


def forged_checkpoint(bundle: Path, world: World) -> None:
    """Re-sign the bundle's tree head with an impostor key under the same name."""
    text, _ = parse_note((bundle / "checkpoint").read_text(encoding="utf-8"))
    checkpoint = parse_checkpoint(text)
    impostor = NoteSigner.generate(ORIGIN)
    (bundle / "checkpoint").write_text(sign_checkpoint(checkpoint, impostor), encoding="utf-8")
    (world.root / "impostor.pub").write_text(impostor.vkey + "\n", encoding="utf-8")


def swap_key_and_resign(bundle: Path, world: World) -> None:
    """The full attack: new history, new key in verifier.key, checkpoint signed by it."""
    edit_line(bundle, 4, lambda d: rewrite_event(d, "note", "rewritten"))
    leaves = [base64.b64decode(json.loads(line)["leaf_input"]) for line in lines(bundle)]
    root = merkle_root(leaves)
    impostor = NoteSigner.generate(ORIGIN)
    (bundle / "checkpoint").write_text(
        sign_checkpoint(Checkpoint(ORIGIN, 20, root), impostor), encoding="utf-8"
    )
    (bundle / "verifier.key").write_text(impostor.vkey + "\n", encoding="utf-8")
    manifest_says("root", base64.b64encode(root).decode())(bundle, world)


def older_genuine_checkpoint(bundle: Path, world: World) -> None:
    shutil.copy(world.kept, bundle / "checkpoint")


def altered_size(bundle: Path, world: World) -> None:
    path = bundle / "checkpoint"
    path.write_text(
        path.read_text(encoding="utf-8").replace("\n20\n", "\n19\n", 1), encoding="utf-8"
    )


def impostor_verifier_key(bundle: Path, world: World) -> None:
    (bundle / "verifier.key").write_text(NoteSigner.generate(ORIGIN).vkey + "\n", encoding="utf-8")


def truncate(name: str, keep: int) -> Tamper:
    def tamper(bundle: Path, world: World) -> None:
        path = bundle / name
        path.write_bytes(path.read_bytes()[:keep])

    return tamper


def manifest_says(key: str, value: object) -> Tamper:
    def tamper(bundle: Path, world: World) -> None:
        path = bundle / "bundle.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        data[key] = value
        path.write_text(json.dumps(data), encoding="utf-8")

    return tamper


def break_inclusion_proof(index: int) -> Tamper:
    def tamper(bundle: Path, world: World) -> None:
        def change(data: dict) -> None:
            first = bytearray(base64.b64decode(data["inclusion_proof"][0]))
            first[0] ^= 1
            data["inclusion_proof"][0] = base64.b64encode(bytes(first)).decode()

        edit_line(bundle, index, change)

    return tamper


def break_consistency_proof(bundle: Path, world: World) -> None:
    path = bundle / "consistency.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["proof"] = list(reversed(data["proof"]))
    path.write_text(json.dumps(data), encoding="utf-8")


# (name, which bundle, tamper, extra arguments, expected (check, line, position))
CASES: list[tuple[str, str, Tamper, tuple[str, ...], tuple[str, int | None, int | None]]] = [
    ("edit a leaf", "full", lambda b, w: edit_line(b, 6, change_leaf_only), (), ("events", 7, 6)),
    (
        "edit a leaf and its readable copy",
        "full",
        lambda b, w: edit_line(b, 6, lambda d: rewrite_event(d, "n", 999)),
        (),
        ("root", None, None),
    ),
    (
        "edit a readable field",
        "full",
        lambda b, w: edit_line(b, 9, lambda d: d.update(topic="tests:Forged")),
        (),
        ("events", 10, 9),
    ),
    (
        "edit the readable event",
        "full",
        lambda b, w: edit_line(b, 2, lambda d: d["event"].update(stage="other")),
        (),
        ("events", 3, 2),
    ),
    (
        "add a field",
        "full",
        lambda b, w: edit_line(b, 1, lambda d: d.update(note="trust me")),
        (),
        ("events", 2, None),
    ),
    ("drop a line", "full", drop(5), (), ("events", 6, 6)),
    ("drop the last line", "full", drop(19), (), ("events", None, 19)),
    ("reorder two lines", "full", swap(3, 11), (), ("events", 4, 11)),
    (
        "repeat a line",
        "full",
        lambda b, w: write_lines(b, lines(b)[:4] + lines(b)[3:19]),
        (),
        ("events", 5, 3),
    ),
    (
        "replace the checkpoint with a forged one",
        "full",
        forged_checkpoint,
        (),
        ("checkpoint", None, None),
    ),
    (
        "replace the checkpoint with an older genuine one",
        "full",
        older_genuine_checkpoint,
        (),
        ("events", 9, 8),
    ),
    ("change the checkpoint's size", "full", altered_size, (), ("checkpoint", None, None)),
    (
        "swap the key (the inspector has the real one)",
        "full",
        impostor_verifier_key,
        ("--key", "REAL"),
        ("key", None, None),
    ),
    (
        "swap the key (the inspector relies on the bundle)",
        "full",
        impostor_verifier_key,
        (),
        ("checkpoint", None, None),
    ),
    (
        "swap the key and re-sign a rewritten history",
        "full",
        swap_key_and_resign,
        ("--key", "REAL"),
        ("checkpoint", None, None),
    ),
    (
        "truncate events.jsonl mid-line",
        "full",
        lambda b, w: truncate("events.jsonl", (b / "events.jsonl").stat().st_size - 7)(b, w),
        (),
        ("events", 20, None),
    ),
    (
        "truncate events.jsonl to nothing",
        "full",
        truncate("events.jsonl", 0),
        (),
        ("events", None, 0),
    ),
    ("truncate the checkpoint", "full", truncate("checkpoint", 40), (), ("checkpoint", None, None)),
    (
        "remove events.jsonl",
        "full",
        lambda b, w: (b / "events.jsonl").unlink(),
        (),
        ("layout", None, None),
    ),
    (
        "change the manifest's count",
        "full",
        manifest_says("events", 19),
        (),
        ("manifest", None, None),
    ),
    ("call a full bundle partial", "full", manifest_says("kind", "partial"), (), ("events", 1, 0)),
    (
        "a checkpoint of another history, kept by the inspector",
        "full",
        lambda b, w: None,
        ("--against", "FORK"),
        ("against", None, None),
    ),
    ("break an inclusion proof", "partial", break_inclusion_proof(3), (), ("inclusion", 4, 5)),
    ("drop a line inside a stream", "partial", drop(4), (), ("events", 7, 12)),
    ("reorder a partial bundle", "partial", swap(0, 2), (), ("events", 2, 2)),
    (
        "strip an inclusion proof",
        "partial",
        lambda b, w: edit_line(b, 1, lambda d: d.pop("inclusion_proof")),
        (),
        ("events", 2, 2),
    ),
    (
        "break the consistency proof",
        "partial",
        break_consistency_proof,
        (),
        ("consistency", None, None),
    ),
    (
        "a partial bundle when a complete one is required",
        "partial",
        lambda b, w: None,
        ("--require-complete",),
        ("complete", None, None),
    ),
]


def _arguments(args: tuple[str, ...], world: World) -> list[str]:
    replace = {"REAL": world.vkey, "FORK": str(world.fork)}
    return [replace.get(arg, arg) for arg in args]


@pytest.mark.parametrize("name, which, tamper, args, expected", CASES, ids=[c[0] for c in CASES])
def test_tampering_fails_and_both_verifiers_name_the_same_thing(
    world: World,
    tmp_path: Path,
    name: str,
    which: str,
    tamper: Tamper,
    args: tuple[str, ...],
    expected: tuple,
) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(getattr(world, which), bundle)
    tamper(bundle, world)
    code, report, stderr = verdicts(bundle, *_arguments(args, world))
    assert code == 3, (name, report)
    assert report is not None
    assert (report["check"], report["line"], report["position"]) == expected, report["problem"]
    assert stderr.startswith(f"Error: {expected[0]}: ")


INTACT: list[tuple[str, str, tuple[str, ...]]] = [
    ("full, with the key", "full", ("--key", "REAL")),
    ("full, with the bundle's key", "full", ()),
    ("full, against the kept checkpoint", "full", ("--key", "REAL", "--against", "KEPT")),
    ("full, complete required", "full", ("--key", "REAL", "--require-complete")),
    ("partial, with the key", "partial", ("--key", "REAL")),
    ("partial, against the kept checkpoint", "partial", ("--key", "REAL", "--against", "KEPT")),
]


@pytest.mark.parametrize("name, which, args", INTACT, ids=[c[0] for c in INTACT])
def test_intact_bundles_pass_and_both_verifiers_agree(
    world: World, name: str, which: str, args: tuple[str, ...]
) -> None:
    replace = {"REAL": world.vkey, "KEPT": str(world.kept)}
    code, report, _ = verdicts(getattr(world, which), *[replace.get(a, a) for a in args])
    assert code == 0 and report is not None and report["ok"], report


BAD_USAGE: list[tuple[str, tuple[str, ...]]] = [
    ("a malformed key", ("--key", "not+a+key")),
    ("a private key file", ("--key", "PRIVATE")),
    ("a missing against file", ("--against", "MISSING")),
    ("more witnesses required than given", ("--witness", "WITNESS", "--witnesses-required", "2")),
    ("witnesses required without witnesses", ("--witnesses-required", "1")),
]


@pytest.mark.parametrize("name, args", BAD_USAGE, ids=[c[0] for c in BAD_USAGE])
def test_bad_usage_exits_2_in_both_verifiers(
    world: World, tmp_path: Path, name: str, args: tuple[str, ...]
) -> None:
    from ledger.witness import WitnessSigner

    witness = WitnessSigner.generate("w.example/one")
    replace = {
        "PRIVATE": str(world.key_path),
        "MISSING": str(tmp_path / "none"),
        "WITNESS": witness.vkey,
    }
    code, report, _ = verdicts(world.full, *[replace.get(a, a) for a in args])
    assert code == 2 and report is None


def test_without_an_independent_key_only_the_warning_stands_between_the_inspector_and_a_re_signed_bundle(
    world: World, tmp_path: Path
) -> None:
    """Why --key matters: a bundle re-signed by an impostor is self-consistent."""
    bundle = tmp_path / "bundle"
    shutil.copytree(world.full, bundle)
    swap_key_and_resign(bundle, world)
    code, report, stderr = verdicts(bundle)
    assert code == 0 and report is not None and report["key_source"] == "bundle"
    assert "proves nothing unless you compare it" in stderr
    assert verdicts(bundle, "--key", world.vkey)[0] == 3


def test_a_missing_bundle_directory_is_bad_usage(tmp_path: Path) -> None:
    code, report, stderr = verdicts(tmp_path / "nowhere")
    assert (code, report) == (2, None)
    assert "not a bundle directory" in stderr


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_single_byte_change_to_the_events_fails_both_verifiers_alike(
    world: World, data
) -> None:
    """A property over the whole file: no one-byte edit of events.jsonl goes unnoticed.

    Both verifiers run in-process here (the subprocess agreement is pinned by
    the cases above), so that many random edits stay fast.
    """
    which = data.draw(st.sampled_from(["full", "partial"]))
    original = (getattr(world, which) / "events.jsonl").read_bytes()
    offset = data.draw(st.integers(0, len(original) - 1))
    value = data.draw(st.integers(0, 255).filter(lambda b: b != original[offset]))
    with tempfile.TemporaryDirectory() as scratch:
        bundle = Path(scratch) / "bundle"
        shutil.copytree(getattr(world, which), bundle)
        (bundle / "events.jsonl").write_bytes(
            original[:offset] + bytes([value]) + original[offset + 1 :]
        )
        mine = check_bundle(bundle, keys=[NoteVerifier.from_vkey(world.vkey)]).as_dict()
        key = tool.Key.parse(world.vkey, tool.LOG_KEY_TYPE)
        theirs = tool.Bundle(str(bundle), [key], None, [], 0, False).run()
    assert not mine["ok"], (offset, value)
    for name in AGREEMENT_FIELDS:
        assert mine[name] == theirs[name], (name, mine, theirs)
