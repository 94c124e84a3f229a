"""Handlers for looking after the ledger itself: init, checkpoint, verify."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ledger.application import ScrutinyLedger, open_ledger
from ledger.checkpoints import Checkpoint, sign_checkpoint
from ledger.errors import IntegrityFailure, RefusedError
from ledger.keys import create_key_file, load_signer, load_verifier
from ledger.notes import NoteSigner, NoteVerifier
from ledger.storage.database import Database
from ledger.storage.recorder import LedgerRecorder
from ledger.verification import VerificationReport, verify_ledger

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
        key_created = not key_path.exists()
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


def ledger_verifiers(app: ScrutinyLedger, key_path: Path) -> tuple[list[NoteVerifier], str]:
    """The keys checkpoints must be signed with, and where they came from.

    The key file (or its ``.pub``) is preferred: a verifier key read from the
    database could have been replaced by whoever can write to the database.
    """
    recorder = app.ledger_recorder
    stored_vkey = recorder.get_meta("vkey")
    public = Path(str(key_path) + ".pub")
    source = key_path if key_path.exists() else public if public.exists() else None
    if source is not None:
        verifier = load_verifier(source)
        if stored_vkey is not None and stored_vkey != verifier.vkey:
            raise IntegrityFailure(
                f"the verifier key stored in the database differs from {source}: "
                "the database may have been tampered with, or this is another ledger's key"
            )
        return [verifier], str(source)
    if stored_vkey is None:
        raise IntegrityFailure("the ledger has no verifier key and no key file was found")
    return [NoteVerifier.from_vkey(stored_vkey)], "the database (no key file found)"


def make_checkpoint(
    db_url: str, key_path: Path, progress: Callable[[int], None] | None = None
) -> tuple[int, str]:
    """Verify the log, then sign and store its tree head. Returns (id, note)."""
    app = open_ledger(db_url)
    try:
        signer: NoteSigner = load_signer(key_path)
        verifiers, _ = ledger_verifiers(app, key_path)
        recorder = app.ledger_recorder
        report = verify_ledger(recorder, verifiers, progress=progress)
        if not report.ok:
            raise IntegrityFailure(
                f"refusing to sign a tree head that does not verify: {report.problem}",
                report.first_bad_position,
            )
        checkpoint = Checkpoint(origin=signer.name, size=report.size, root_hash=report.root)
        note = sign_checkpoint(checkpoint, signer)
        checkpoint_id = recorder.append_checkpoint(report.size, note)
        return checkpoint_id, note
    finally:
        app.close()


def verify(
    db_url: str,
    key_path: Path,
    against: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[VerificationReport, str]:
    """Verify the stored history; returns the report and the key's source."""
    app = open_ledger(db_url)
    try:
        verifiers, key_source = ledger_verifiers(app, key_path)
        report = verify_ledger(app.ledger_recorder, verifiers, against=against, progress=progress)
        return report, key_source
    finally:
        app.close()
