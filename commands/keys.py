"""Handler for ``scrutiny key rotate``: a new signing key, recorded and handed over.

A rotation is three steps: create the new key file (never overwriting
anything), record ``SigningKeyRotated`` in the log, and sign the next
checkpoint with both keys (the handover). If the last step is interrupted,
``--resume`` signs the handover with the two key files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from commands.admin import ledger_keys, sign_tree_head
from ledger.application import ScrutinyLedger, open_ledger
from ledger.domain.base import today_in_london
from ledger.domain.signing_keys import SIGNING_KEYS_KEY, SigningKeys, rotation_statement_text
from ledger.errors import IntegrityFailure, RefusedError
from ledger.key_history import KeyHistory, pending_rotation, read_key_history
from ledger.keys import create_key_file, load_signer, public_key_path
from ledger.notes import NoteSigner, add_signature
from ledger.records import format_recorded_at
from ledger.verification import verify_ledger

DEFAULT_ACTOR = "key-holder"


@dataclass(frozen=True)
class RotationResult:
    old_key_file: Path
    new_key_file: Path
    old_vkey: str
    new_vkey: str
    position: int
    checkpoint_id: int
    checkpoint: str
    resumed: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "old_key_file": str(self.old_key_file),
            "new_key_file": str(self.new_key_file),
            "new_public_key_file": str(public_key_path(self.new_key_file)),
            "old_verifier_key": self.old_vkey,
            "new_verifier_key": self.new_vkey,
            "position": self.position,
            "checkpoint_id": self.checkpoint_id,
            "checkpoint": self.checkpoint,
            "resumed": self.resumed,
        }


def rotate_key(
    db_url: str,
    key_path: Path,
    new_key_path: Path,
    *,
    actor: str | None = None,
    reason: str | None = None,
    resume: bool = False,
) -> RotationResult:
    """Replace the signing key ``key_path`` by a new one at ``new_key_path``."""
    app = open_ledger(db_url)
    try:
        history, _ = ledger_keys(app, key_path)
        old = load_signer(key_path)
        sizes = [size for _, size, _, _ in app.ledger_recorder.checkpoints()]
        pending = pending_rotation(history, sizes)
        if resume:
            if pending is None:
                raise RefusedError("no key rotation is waiting for its handover checkpoint")
            new = load_signer(new_key_path)
            if (pending.old, pending.new) != (old.verifier, new.verifier):
                raise RefusedError(
                    f"the pending rotation at position {pending.position} replaces "
                    f"{pending.old.label} by {pending.new.label}; give those two key files "
                    "with --key and --new-key"
                )
            position = pending.position
        else:
            if pending is not None:
                raise RefusedError(
                    f"the key rotation at position {pending.position} awaits its handover "
                    "checkpoint; finish it with --resume first"
                )
            new, position = _record_rotation(
                app, history, old, key_path, new_key_path, actor, reason
            )
            history = read_key_history(app.ledger_recorder, history.genesis)
        checkpoint_id, note = sign_tree_head(app, [new, old], history)
        return RotationResult(
            key_path, new_key_path, old.vkey, new.vkey, position, checkpoint_id, note, resume
        )
    finally:
        app.close()


def _record_rotation(
    app: ScrutinyLedger,
    history: KeyHistory,
    old: NoteSigner,
    key_path: Path,
    new_key_path: Path,
    actor: str | None,
    reason: str | None,
) -> tuple[NoteSigner, int]:
    if old.verifier != history.current:
        raise RefusedError(
            f"the key {old.label} is not the key in force ({history.current.label}); "
            "--key must name the current signing key"
        )
    if Path(new_key_path).resolve() == Path(key_path).resolve():
        raise RefusedError("--new-key must be a new file, not the current key file")
    recorder = app.ledger_recorder
    report = verify_ledger(recorder, history.keys(), key_history=history)
    if not report.ok:
        raise IntegrityFailure(
            f"refusing to rotate the key of a log that does not verify: {report.problem}",
            report.first_bad_position,
        )
    new = create_key_file(new_key_path, old.name)
    try:
        keys = (
            app.load(SigningKeys, SIGNING_KEYS_KEY)
            if app.exists(SigningKeys, SIGNING_KEYS_KEY)
            else SigningKeys.new()
        )
        valid_from = format_recorded_at(datetime.now(timezone.utc))
        statement = add_signature(
            old.sign(rotation_statement_text(old.vkey, new.vkey, valid_from)), new
        )
        keys.rotate(
            first_key=history.genesis.vkey,
            old_vkey=old.vkey,
            new_vkey=new.vkey,
            valid_from=valid_from,
            statement=statement,
            actor_id=actor or DEFAULT_ACTOR,
            occurred_on=today_in_london(),
            reason=reason,
        )
        position = app.record(keys)[-1]
    except BaseException:
        # Nothing refers to the new key yet: remove the two files created above.
        Path(new_key_path).unlink(missing_ok=True)
        public_key_path(Path(new_key_path)).unlink(missing_ok=True)
        raise
    return new, position
