"""Handlers for looking after the ledger itself: init, checkpoint, verify.

Checkpoints are checked against the ledger's dated key history
(``ledger.key_history``): the key file named by ``--key`` must be one of the
keys that have been in force, each checkpoint must be signed by the key in
force at its size, and only that key may sign a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ledger.application import ScrutinyLedger, open_ledger
from ledger.checkpoints import Checkpoint, sign_checkpoint
from ledger.errors import IntegrityFailure, InvalidInputError, NotFoundError, RefusedError
from ledger.key_history import KeyHistory, pending_rotation, read_key_history
from ledger.keys import create_key_file, load_signer, load_verifier
from ledger.notes import NoteSigner, NoteVerifier, add_signature
from ledger.storage.database import Database
from ledger.storage.recorder import LedgerRecorder
from ledger.verification import VerificationReport, verify_ledger
from ledger.witness import WitnessPolicy

DEFAULT_ORIGIN = "scrutiny-ledger.local/ledger"


@dataclass(frozen=True)
class InitResult:
    database: str
    origin: str
    key_path: Path
    vkey: str
    key_created: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "database": self.database,
            "origin": self.origin,
            "key_file": str(self.key_path),
            "verifier_key": self.vkey,
            "key_created": self.key_created,
        }


def init_ledger(db_url: str, key_path: Path, origin: str | None) -> InitResult:
    """Create the tables and triggers, and the signing key file if there is none."""
    database = Database(db_url)
    try:
        if database.has_schema():
            existing = LedgerRecorder(database).get_meta("origin")
            raise RefusedError(
                f"a ledger already exists at {database.describe()} (origin {existing!r}); "
                "nothing was changed"
            )
        try:
            key_created = not key_path.exists()
        except OSError as exc:
            raise InvalidInputError(f"cannot use key file {key_path}: {exc.strerror}") from exc
        if key_created:
            signer = create_key_file(key_path, origin or DEFAULT_ORIGIN)
        else:
            signer = load_signer(key_path)
            if origin is not None and origin != signer.name:
                raise RefusedError(
                    f"key file {key_path} signs for {signer.name!r}, not {origin!r}; "
                    "choose another --key path or drop --origin"
                )
        database.create_schema()
        recorder = LedgerRecorder(database)
        recorder.put_meta("origin", signer.name)
        recorder.put_meta("vkey", signer.vkey)
        return InitResult(database.describe(), signer.name, key_path, signer.vkey, key_created)
    finally:
        database.dispose()


def upgrade_ledger(db_url: str) -> list[str]:
    """Add the tables and triggers an older ledger lacks; what was added."""
    database = Database(db_url)
    try:
        if not database.has_schema():
            raise NotFoundError(f"no ledger at {database.describe()}; run 'scrutiny init' first")
        return database.upgrade_schema()
    finally:
        database.dispose()


def ledger_keys(app: ScrutinyLedger, key_path: Path) -> tuple[KeyHistory, str]:
    """The dated history of the keys checkpoints are signed with, and the trust anchor.

    The key file (or its ``.pub``) is the anchor: a verifier key read from the
    database could have been replaced by whoever can write to the database, so
    the file's key must be the ledger's first key or one that a recorded
    rotation put in force (each handover being signed by both keys).
    """
    recorder = app.ledger_recorder
    stored_vkey = recorder.get_meta("vkey")
    public = Path(str(key_path) + ".pub")
    try:
        source = key_path if key_path.exists() else public if public.exists() else None
    except OSError as exc:
        raise InvalidInputError(f"cannot read key file {key_path}: {exc.strerror}") from exc
    if source is None:
        if stored_vkey is None:
            raise IntegrityFailure("the ledger has no verifier key and no key file was found")
        genesis = NoteVerifier.from_vkey(stored_vkey)
        return read_key_history(recorder, genesis), "the database (no key file found)"
    verifier = load_verifier(source)
    genesis = verifier if stored_vkey is None else NoteVerifier.from_vkey(stored_vkey)
    history = read_key_history(recorder, genesis)
    if verifier not in history.keys():
        raise IntegrityFailure(
            f"the verifier key stored in the database differs from {source}, and no recorded "
            "key rotation leads to it: the database may have been tampered with, or this is "
            "another ledger's key"
        )
    return history, str(source)


def ledger_verifiers(app: ScrutinyLedger, key_path: Path) -> tuple[list[NoteVerifier], str]:
    """Every key checkpoints may be signed with (oldest first), and where they came from.

    See :func:`ledger_keys`; which of them must sign a given checkpoint depends
    on its size (``KeyHistory.key_for_size``).
    """
    history, source = ledger_keys(app, key_path)
    return history.keys(), source


def sign_tree_head(
    app: ScrutinyLedger,
    signers: list[NoteSigner],
    history: KeyHistory,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, str]:
    """Verify the log, then sign its tree head with ``signers`` (the first must be
    the key in force) and store the checkpoint. Returns (id, note)."""
    recorder = app.ledger_recorder
    report = verify_ledger(recorder, history.keys(), progress=progress, key_history=history)
    if not report.ok:
        raise IntegrityFailure(
            f"refusing to sign a tree head that does not verify: {report.problem}",
            report.first_bad_position,
        )
    required = history.key_for_size(report.size)
    if signers[0].verifier != required:
        rotation = history.retired_by(signers[0].verifier)
        why = (
            f"was retired by the key rotation at position {rotation.position}"
            if rotation is not None
            else "is not the key in force"
        )
        raise RefusedError(
            f"the key {signers[0].label} {why}; sign with the key in force, "
            f"{required.label} (--key PATH of that key)"
        )
    checkpoint = Checkpoint(origin=signers[0].name, size=report.size, root_hash=report.root)
    note = sign_checkpoint(checkpoint, signers[0])
    for signer in signers[1:]:
        note = add_signature(note, signer)
    checkpoint_id = recorder.append_checkpoint(report.size, note)
    return checkpoint_id, note


def make_checkpoint(
    db_url: str, key_path: Path, progress: Callable[[int], None] | None = None
) -> tuple[int, str]:
    """Verify the log, then sign and store its tree head. Returns (id, note)."""
    app = open_ledger(db_url)
    try:
        signer: NoteSigner = load_signer(key_path)
        history, _ = ledger_keys(app, key_path)
        sizes = [size for _, size, _, _ in app.ledger_recorder.checkpoints()]
        pending = pending_rotation(history, sizes)
        if pending is not None:
            raise RefusedError(
                f"the key rotation at position {pending.position} has not been handed over: "
                "its checkpoint must be signed by both keys; run 'scrutiny key rotate "
                "--resume --new-key PATH' with --key naming the old key"
            )
        return sign_tree_head(app, [signer], history, progress)
    finally:
        app.close()


def verify(
    db_url: str,
    key_path: Path,
    against: str | None = None,
    progress: Callable[[int], None] | None = None,
    witness_policy: WitnessPolicy | None = None,
) -> tuple[VerificationReport, str]:
    """Verify the stored history; returns the report and the key's source.

    With a witness policy, the latest stored checkpoint must also carry valid
    cosignatures of at least the required number of the listed witnesses.
    """
    app = open_ledger(db_url)
    try:
        history, key_source = ledger_keys(app, key_path)
        recorder = app.ledger_recorder
        report = verify_ledger(
            recorder, history.keys(), against=against, progress=progress, key_history=history
        )
        if report.ok and witness_policy is not None:
            _check_witnesses(recorder, witness_policy, report)
        return report, key_source
    finally:
        app.close()


def _check_witnesses(
    recorder: LedgerRecorder, policy: WitnessPolicy, report: VerificationReport
) -> None:
    checkpoints = recorder.checkpoints()
    if not checkpoints:
        report.fail("witness policy not met: the ledger has no checkpoint yet")
        return
    checkpoint_id, _, _, note = checkpoints[-1]
    try:
        verified = policy.check(note)
    except IntegrityFailure as exc:
        report.fail(f"checkpoint #{checkpoint_id}: {exc}")
        return
    report.witnesses = [witness.label for witness, _ in verified]
