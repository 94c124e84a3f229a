"""Handlers for ``scrutiny witness``: witness keys, cosigning, and collecting cosignatures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commands.admin import ledger_keys
from commands.bundles import read_text_file
from ledger.application import open_ledger
from ledger.bundle_check import load_log_verifier
from ledger.bundles import strict_json
from ledger.errors import InvalidInputError, NotFoundError
from ledger.key_history import open_log_checkpoint
from ledger.notes import MAX_SIGNATURES, parse_note
from ledger.proofs import ConsistencyProof, prove_consistency
from ledger.witness import WitnessPolicy, create_witness_key, load_witness_signer
from ledger.witnessing import WitnessState, cosign_checkpoint


def new_witness_key(name: str, path: Path) -> dict[str, Any]:
    """Create a witness key named ``name`` at ``path`` (and ``path.pub``)."""
    signer = create_witness_key(path, name)
    return {
        "name": name,
        "key_file": str(path),
        "public_key_file": f"{path}.pub",
        "verifier_key": signer.vkey,
    }


@dataclass(frozen=True)
class _FileProof:
    """A consistency proof given with --proof FILE (JSON of 'scrutiny prove consistency')."""

    proof: ConsistencyProof

    def __call__(self, old_size: int, new_size: int) -> Sequence[bytes]:
        if (self.proof.old_size, self.proof.new_size) != (old_size, new_size):
            raise InvalidInputError(
                f"the proof file goes from size {self.proof.old_size} to {self.proof.new_size}; "
                f"this witness needs one from {old_size} to {new_size}"
            )
        return self.proof.proof


class _LedgerProof:
    """A consistency proof computed from the ledger's database (--db); checked, not trusted."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url

    def __call__(self, old_size: int, new_size: int) -> Sequence[bytes]:
        app = open_ledger(self.db_url)
        try:
            return prove_consistency(app.ledger_recorder, old_size, new_size).proof
        finally:
            app.close()


def cosign(
    checkpoint_file: str,
    key_path: Path,
    state_dir: Path,
    *,
    log_keys: Sequence[str] = (),
    proof_file: str | None = None,
    db_url: str | None = None,
) -> dict[str, Any]:
    """Cosign the checkpoint in ``checkpoint_file`` as the witness whose key is ``key_path``."""
    note = read_text_file(checkpoint_file, "checkpoint file")
    signer = load_witness_signer(key_path)
    keys = [load_log_verifier(value) for value in log_keys]
    if proof_file is not None:
        try:
            data = strict_json(read_text_file(proof_file, "proof file"))
        except ValueError as exc:
            raise InvalidInputError(f"proof file {proof_file} is not JSON: {exc}") from exc
        source: Any = _FileProof(ConsistencyProof.from_dict(data))
    else:
        source = None if db_url is None else _LedgerProof(db_url)
    result = cosign_checkpoint(
        WitnessState(state_dir), signer, note, log_keys=keys, proof_source=source
    )
    return {
        "witness": signer.verifier.label,
        "origin": result.checkpoint.origin,
        "tree_size": result.checkpoint.size,
        "previous_size": result.old_size,
        "cosignature": result.line,
        "checkpoint": result.note,
    }


def collect(
    db_url: str, key_path: Path, files: Sequence[str], witnesses: Sequence[str] = ()
) -> dict[str, Any]:
    """Store a stored checkpoint again with the cosignatures found in ``files`` added.

    Each file is that checkpoint as a witness returned it (the note with its
    cosignature line). The log's own signatures are checked; with
    ``--witness`` keys, their cosignatures must verify too. Lines of keys the
    ledger does not know are carried over as they are (C2SP: clients ignore them).
    """
    notes = [read_text_file(name, "cosigned checkpoint") for name in files]
    policy = WitnessPolicy.build(witnesses, None)
    app = open_ledger(db_url)
    try:
        history, _ = ledger_keys(app, key_path)
        recorder = app.ledger_recorder
        first = open_log_checkpoint(notes[0], history, files[0])
        text = parse_note(notes[0])[0]
        stored = [c for c in recorder.checkpoints() if parse_note(c[3])[0] == text]
        if not stored:
            raise NotFoundError(f"{files[0]} is not a checkpoint this ledger has stored")
        base = stored[-1][3]
        lines = {(s.name, s.key_id): s for s in parse_note(base)[1]}
        for name, note in zip(files, notes, strict=True):
            open_log_checkpoint(note, history, name)
            body, signatures = parse_note(note)
            if body != text:
                raise InvalidInputError(f"{name} is another checkpoint than {files[0]}")
            for signature in signatures:
                lines.setdefault((signature.name, signature.key_id), signature)
        if len(lines) > MAX_SIGNATURES:
            raise InvalidInputError(f"a checkpoint may carry at most {MAX_SIGNATURES} signatures")
        merged = text + "\n" + "".join(s.line for s in lines.values())
        verified = [] if policy is None else policy.check(merged)
        checkpoint_id = recorder.append_checkpoint(first.checkpoint.size, merged)
        return {
            "checkpoint_id": checkpoint_id,
            "tree_size": first.checkpoint.size,
            "signatures": len(lines),
            "witnesses_verified": [w.label for w, _ in verified],
            "checkpoint": merged,
        }
    finally:
        app.close()
