"""The dated history of the checkpoint signing keys, and checkpoints checked against it.

The history is the ledger's first key (``ledger_meta.vkey``, written by
``scrutiny init``) followed by every ``SigningKeyRotated`` event of the stream
``ledger:signing-keys`` in position order (``ledger.domain.signing_keys``).

Rules (ARCHITECTURE.md, "Integrity"; docs/formats.md, "Key rotation"):

* the key **in force** for a tree of ``n`` events is the new key of the last
  rotation at a position ``< n``, else the first key;
* a checkpoint of size ``n`` must carry a valid signature by the key in force
  at ``n``; signatures by the other keys of the history must verify too, and
  do not replace it (a retired key cannot sign a later tree on its own);
* the first checkpoint after a rotation (the smallest stored size above the
  rotation's position) must be signed by both the retiring and the new key:
  that is the handover, which lets someone who trusts either key trust the other;
* the chain is continuous: each rotation retires the key the previous one
  put in force;
* a rotation event counts only if its ``statement`` is signed by both keys
  (``ledger.domain.signing_keys``) and it retires the key in force; any other
  was written by someone without that key and is ignored (its position is
  kept in ``ignored`` so that verification can report it). So nobody who can
  merely append to the database can change which key must sign.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from eventsourcing.utils import get_topic

from ledger.checkpoints import Checkpoint, parse_checkpoint
from ledger.domain.signing_keys import SIGNING_KEYS_STREAM, SigningKeyRotated, statement_is_valid
from ledger.errors import IntegrityFailure, InvalidInputError
from ledger.notes import NoteVerifier, open_note
from ledger.storage.recorder import NOTIFICATION_ID_OFFSET, LedgerRecorder

ROTATION_TOPIC = get_topic(SigningKeyRotated)
_PAGE = 500


@dataclass(frozen=True)
class Rotation:
    """One rotation: at ``position`` the key ``old`` gave way to ``new``."""

    position: int
    old: NoteVerifier
    new: NoteVerifier
    valid_from: str

    def as_dict(self) -> dict[str, object]:
        return {
            "position": self.position,
            "old_vkey": self.old.vkey,
            "new_vkey": self.new.vkey,
            "valid_from": self.valid_from,
        }


@dataclass(frozen=True)
class KeyHistory:
    """The first key and the rotations after it, in position order."""

    genesis: NoteVerifier
    rotations: tuple[Rotation, ...] = ()
    ignored: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        previous, last_position = self.genesis, -1
        for rotation in self.rotations:
            if rotation.position <= last_position:
                raise IntegrityFailure("key history: rotations are not in position order")
            if rotation.old != previous:
                raise IntegrityFailure(
                    f"key history: the rotation at position {rotation.position} retires "
                    f"{rotation.old.label}, but the key in force was {previous.label}",
                    rotation.position,
                )
            previous, last_position = rotation.new, rotation.position

    def key_for_size(self, size: int) -> NoteVerifier:
        """The key in force for a tree of ``size`` events."""
        key = self.genesis
        for rotation in self.rotations:
            if rotation.position >= size:
                break
            key = rotation.new
        return key

    @property
    def current(self) -> NoteVerifier:
        """The key in force for any tree that includes every rotation."""
        return self.rotations[-1].new if self.rotations else self.genesis

    def keys(self) -> list[NoteVerifier]:
        """Every key that has been in force, oldest first."""
        return [self.genesis, *(rotation.new for rotation in self.rotations)]

    def retired_by(self, key: NoteVerifier) -> Rotation | None:
        """The rotation that retired ``key``, if any."""
        for rotation in self.rotations:
            if rotation.old == key:
                return rotation
        return None

    def check_signed_in_force(
        self, size: int, verified: Iterable[NoteVerifier], label: str
    ) -> None:
        """``IntegrityFailure`` unless the key in force at ``size`` is among ``verified``."""
        verified = list(verified)
        required = self.key_for_size(size)
        if required in verified:
            return
        signers = ", ".join(key.label for key in verified) or "no key of this ledger"
        detail = ""
        for key in verified:
            rotation = self.retired_by(key)
            if rotation is not None and rotation.position < size:
                detail = (
                    f"; {key.label} was retired by the key rotation at position "
                    f"{rotation.position}"
                )
                break
        raise IntegrityFailure(
            f"{label} (size {size}) is not signed by the key in force at that size, "
            f"{required.label}; it is signed by {signers}{detail}"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "first_vkey": self.genesis.vkey,
            "rotations": [rotation.as_dict() for rotation in self.rotations],
        }


@dataclass(frozen=True)
class OpenedCheckpoint:
    """A checkpoint whose log signatures were checked against a key history."""

    checkpoint: Checkpoint
    verified: tuple[NoteVerifier, ...]
    note: str


def open_log_checkpoint(note: str, history: KeyHistory, label: str) -> OpenedCheckpoint:
    """Verify ``note`` against every key of ``history`` and the key-in-force rule.

    ``IntegrityFailure`` names ``label`` when a signature does not verify or
    the key in force did not sign; ``InvalidInputError`` when it is malformed.
    """
    try:
        opened = open_note(note, history.keys())
    except IntegrityFailure as exc:
        raise IntegrityFailure(f"{label}: {exc}") from exc
    checkpoint = parse_checkpoint(opened.text)
    history.check_signed_in_force(checkpoint.size, opened.verified, label)
    return OpenedCheckpoint(checkpoint, opened.verified, note)


def check_handovers(history: KeyHistory, opened: Sequence[tuple[str, OpenedCheckpoint]]) -> None:
    """Each rotation's first later checkpoint must be signed by both keys.

    ``opened`` holds (label, checkpoint) pairs; a rotation with no later
    checkpoint yet is pending, not a failure (see :func:`pending_rotation`).
    """
    for rotation in history.rotations:
        later = [item for item in opened if item[1].checkpoint.size > rotation.position]
        if not later:
            continue
        label, first = min(later, key=lambda item: item[1].checkpoint.size)
        missing = [key.label for key in (rotation.old, rotation.new) if key not in first.verified]
        if missing:
            raise IntegrityFailure(
                f"{label}, the first checkpoint after the key rotation at position "
                f"{rotation.position}, is not signed by both the retiring and the new key "
                f"(missing: {', '.join(missing)})",
                rotation.position,
            )


def pending_rotation(history: KeyHistory, checkpoint_sizes: Iterable[int]) -> Rotation | None:
    """The last rotation if no checkpoint covers it yet (its handover is unsigned)."""
    if not history.rotations:
        return None
    last = history.rotations[-1]
    if any(size > last.position for size in checkpoint_sizes):
        return None
    return last


def read_key_history(recorder: LedgerRecorder, genesis: NoteVerifier) -> KeyHistory:
    """The history recorded in the log, starting from ``genesis``.

    Reads only the rotation events (by topic), not the whole log. What is read
    is not trusted: ``verify_ledger`` recomputes every leaf, and a rotation
    that was never handed over fails the checkpoint rules above.
    """
    rotations: list[Rotation] = []
    ignored: list[int] = []
    start: int | None = None
    while True:
        page = recorder.select_notifications(
            start, limit=_PAGE, topics=[ROTATION_TOPIC], inclusive_of_start=start is None
        )
        for item in page:
            if str(item.originator_id) != SIGNING_KEYS_STREAM:
                continue
            position = item.id - NOTIFICATION_ID_OFFSET
            rotation = _rotation(position, item.state)
            current = rotations[-1].new if rotations else genesis
            if rotation is None or rotation.old != current:
                ignored.append(position)
            else:
                rotations.append(rotation)
        if len(page) < _PAGE:
            break
        start = page[-1].id
    return KeyHistory(genesis, tuple(rotations), tuple(ignored))


def _rotation(position: int, state: bytes) -> Rotation | None:
    """The rotation recorded at ``position``; None if it is malformed or its
    statement does not verify (then someone without the key wrote it)."""
    try:
        fields = json.loads(state)
        old, new, valid_from = fields["old_vkey"], fields["new_vkey"], fields["valid_from"]
        if not statement_is_valid(old, new, valid_from, fields["statement"]):
            return None
        return Rotation(
            position, NoteVerifier.from_vkey(old), NoteVerifier.from_vkey(new), valid_from
        )
    except (ValueError, KeyError, TypeError, InvalidInputError):
        return None


__all__ = [
    "ROTATION_TOPIC",
    "KeyHistory",
    "OpenedCheckpoint",
    "Rotation",
    "check_handovers",
    "open_log_checkpoint",
    "pending_rotation",
    "read_key_history",
]
