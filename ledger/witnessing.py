"""A witness's side: its state directory and the add-checkpoint rules of C2SP tlog-witness.

A witness (https://c2sp.org/tlog-witness) keeps, for each log it follows
(identified by the checkpoint's origin), the log's verifier keys and the
latest checkpoint it cosigned. Before cosigning a new checkpoint it checks:

1. the checkpoint is signed by a log key it trusts (unknown keys are ignored;
   if none verifies: ``IntegrityFailure``; an origin it has no key for:
   ``RefusedError``, like the protocol's 404);
2. the size is not below the one it last cosigned (``RefusedError``, 409);
3. at the same size the root is identical (else ``IntegrityFailure``: a fork);
4. otherwise a consistency proof from its last size verifies against its own
   last root and the new root (``IntegrityFailure``, 422). The proof itself
   may come from anyone (the ledger's database, a file): it is checked, never
   trusted.

Only then does it record the new checkpoint and return the cosigned note;
checking and recording happen under an exclusive lock on the state directory,
so two cosignings cannot roll each other back. The state layout::

    STATE/lock                          the lock file (flock)
    STATE/logs/<origin-slug>/log.keys   trusted log verifier keys, one per line
    STATE/logs/<origin-slug>/latest.checkpoint
                                        the latest cosigned checkpoint (with cosignature)

``<origin-slug>`` is the origin with every character outside
``[A-Za-z0-9._-]`` replaced by ``_``, then ``-`` and the first 8 hex digits of
SHA-256(origin), so distinct origins never share a directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ledger.checkpoints import Checkpoint, parse_checkpoint
from ledger.errors import IntegrityFailure, InvalidInputError, RefusedError
from ledger.integrity import verify_consistency
from ledger.notes import NoteVerifier, open_note, parse_note
from ledger.witness import WitnessSigner, add_cosignature

ProofSource = Callable[[int, int], Sequence[bytes]]
"""``proof_source(old_size, new_size)`` returns the consistency proof's hashes."""


def origin_slug(origin: str) -> str:
    readable = re.sub(r"[^A-Za-z0-9._-]", "_", origin)[:80]
    return f"{readable}-{hashlib.sha256(origin.encode('utf-8')).hexdigest()[:8]}"


class WitnessState:
    """The witness's own records, in a directory only it writes."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle = (self.directory / "lock").open("a")
        except OSError as exc:
            raise InvalidInputError(
                f"cannot use the witness state directory {self.directory}: {exc.strerror}"
            ) from exc
        with handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _log_dir(self, origin: str) -> Path:
        return self.directory / "logs" / origin_slug(origin)

    def log_keys(self, origin: str) -> list[NoteVerifier]:
        path = self._log_dir(origin) / "log.keys"
        if not path.exists():
            return []
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        return [NoteVerifier.from_vkey(line) for line in lines if line]

    def latest(self, origin: str) -> str | None:
        path = self._log_dir(origin) / "latest.checkpoint"
        return path.read_text(encoding="utf-8") if path.exists() else None

    def record(self, origin: str, keys: Sequence[NoteVerifier], cosigned_note: str) -> None:
        directory = self._log_dir(origin)
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        _replace(directory / "log.keys", "".join(f"{key.vkey}\n" for key in keys))
        _replace(directory / "latest.checkpoint", cosigned_note)


def _replace(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` atomically (a temporary file, fsync, rename)."""
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Cosigned:
    """The outcome of a cosigning: the note with the new line, and what was checked."""

    note: str
    line: str
    checkpoint: Checkpoint
    old_size: int


def cosign_checkpoint(
    state: WitnessState,
    signer: WitnessSigner,
    signed_note: str,
    *,
    log_keys: Sequence[NoteVerifier] = (),
    proof_source: ProofSource | None = None,
    timestamp: int | None = None,
) -> Cosigned:
    """Check ``signed_note`` against the witness's state, cosign it and record it."""
    text, _ = parse_note(signed_note)
    checkpoint = parse_checkpoint(text)
    with state.locked():
        known = state.log_keys(checkpoint.origin)
        trusted = known + [key for key in log_keys if key not in known]
        if not trusted:
            raise RefusedError(
                f"this witness follows no log {checkpoint.origin!r} yet; give the log's verifier "
                "key with --log-key (obtained from the partnership, independently)"
            )
        try:
            open_note(signed_note, trusted)
        except IntegrityFailure as exc:
            raise IntegrityFailure(
                f"refusing to cosign: the checkpoint's signature: {exc}"
            ) from exc
        previous = state.latest(checkpoint.origin)
        old = None if previous is None else parse_checkpoint(parse_note(previous)[0])
        _check_consistent(old, checkpoint, proof_source)
        cosigned = add_cosignature(signed_note, signer, timestamp)
        state.record(checkpoint.origin, trusted, cosigned)
    line = cosigned.split("\n")[-2] + "\n"  # add_cosignature appends the new line last
    return Cosigned(cosigned, line, checkpoint, 0 if old is None else old.size)


def _check_consistent(
    old: Checkpoint | None, new: Checkpoint, proof_source: ProofSource | None
) -> None:
    if old is None:
        return
    if new.size < old.size:
        raise RefusedError(
            f"refusing to cosign size {new.size}: this witness already cosigned size {old.size} "
            "of this log (a smaller tree would roll it back)"
        )
    if new.size == old.size:
        if new.root_hash != old.root_hash:
            raise IntegrityFailure(
                f"refusing to cosign: this witness cosigned another root for size {new.size}: "
                "the log has forked"
            )
        return
    if proof_source is None:
        raise InvalidInputError(
            f"a consistency proof from size {old.size} to {new.size} is needed (--proof FILE or --db URL)"
        )
    proof = list(proof_source(old.size, new.size))
    if not verify_consistency(old.size, new.size, old.root_hash, new.root_hash, proof):
        raise IntegrityFailure(
            f"refusing to cosign: the consistency proof from size {old.size} (the last checkpoint "
            f"this witness cosigned) to {new.size} does not verify: the log was rewritten"
        )


__all__ = ["Cosigned", "ProofSource", "WitnessState", "cosign_checkpoint", "origin_slug"]
