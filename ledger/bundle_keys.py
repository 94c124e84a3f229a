"""Which keys a bundle's reader may trust, and checkpoints checked against them.

The anchors are the keys the inspector gave (or the bundle's own
``verifier.key``, with a loud warning). A key rotation line of events.jsonl
*counts* when its statement is signed by both keys it names
(``ledger.domain.signing_keys``). Starting from the anchors, a counted
rotation whose old or new key is trusted makes both trusted (each vouches for
the other), until nothing changes. A trusted key retired by a counted rotation
at position ``p`` signs no tree of more than ``p`` events. Each counted
rotation of a trusted key needs its handover in rotations.json: a checkpoint
signed by both keys, between the rotation and the bundle's checkpoint, with a
consistency proof to it. Rotation lines that do not count (someone without
the keys wrote them) link nothing and retire nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.bundles import ROTATIONS, fail, is_count, parse_hashes
from ledger.bundle_events import RotationLine
from ledger.checkpoints import Checkpoint, parse_checkpoint
from ledger.domain.signing_keys import statement_is_valid
from ledger.errors import InvalidInputError
from ledger.integrity import verify_consistency
from ledger.notes import NoteVerifier, Signature, parse_note


@dataclass(frozen=True)
class CountedRotation:
    """A rotation line whose statement verifies."""

    position: int
    old: NoteVerifier
    new: NoteVerifier
    line: int


def counted_rotation(number: int, position: int, event: Any) -> CountedRotation | None:
    """The rotation on this line if its statement is signed by both its keys, else None."""
    try:
        old, new = event["old_vkey"], event["new_vkey"]
        if not statement_is_valid(old, new, event["valid_from"], event["statement"]):
            return None
        return CountedRotation(
            position, NoteVerifier.from_vkey(old), NoteVerifier.from_vkey(new), number
        )
    except (InvalidInputError, KeyError, TypeError):
        return None


class Trust:
    """The trusted keys, when each was retired, and the rotations that link them."""

    def __init__(self, anchors: Sequence[NoteVerifier], found: Sequence[RotationLine]) -> None:
        counted = [r for r in (counted_rotation(*item) for item in found) if r is not None]
        trusted = list(anchors)
        changed = True
        while changed:
            changed = False
            for rotation in counted:
                if rotation.old in trusted or rotation.new in trusted:
                    for key in (rotation.old, rotation.new):
                        if key not in trusted:
                            trusted.append(key)
                            changed = True
        self.trusted = trusted
        self.rotations = [r for r in counted if r.old in trusted]
        self.retired: dict[NoteVerifier, int] = {}
        for rotation in self.rotations:
            self.retired.setdefault(rotation.old, rotation.position)

    def check_handovers(self, load_entries: Callable[[], Any], checkpoint: Checkpoint) -> None:
        """Each rotation of a trusted key has a valid handover in rotations.json."""
        if not self.rotations:
            return
        first = self.rotations[0]
        entries = load_entries()
        if entries is None:
            fail(
                "key-history",
                f"the log rotated its key at position {first.position} but the bundle has no {ROTATIONS}",
                first.line,
                first.position,
            )
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            fail("key-history", f"{ROTATIONS} is not a list of objects")
        by_position: dict[int, dict[str, Any]] = {}
        for entry in entries:
            if is_count(entry.get("position")):
                by_position.setdefault(entry["position"], entry)
        for rotation in self.rotations:
            entry = by_position.get(rotation.position)
            if entry is None:
                fail(
                    "key-history",
                    f"{ROTATIONS} has no handover for the key rotation at position {rotation.position}",
                    rotation.line,
                    rotation.position,
                )
            _check_handover(rotation, entry, checkpoint)

    def check_signed(
        self, text: str, signatures: list[Signature], size: int, check: str, what: str
    ) -> None:
        """A trusted key not retired at ``size`` signed; every trusted key's line verifies."""
        valid = valid_signers(text, signatures, self.trusted, check, what)
        if any(self.retired.get(key, size) >= size for key in valid):
            return
        if valid:
            fail(
                check,
                f"{what} (size {size}) is signed only by {', '.join(k.label for k in valid)}, "
                f"retired by the key rotation at position {self.retired[valid[0]]}",
            )
        fail(
            check,
            f"{what} is not signed by any key you trust ({', '.join(k.label for k in self.trusted)})",
        )


def _check_handover(rotation: CountedRotation, entry: dict[str, Any], bundle: Checkpoint) -> None:
    where = f"the handover checkpoint of the key rotation at position {rotation.position}"
    note = entry.get("checkpoint")
    try:
        if not isinstance(note, str):
            raise InvalidInputError("not a string")
        text, signatures = parse_note(note)
        checkpoint = parse_checkpoint(text)
    except InvalidInputError as exc:
        fail("key-history", f"{where} is malformed: {exc}")
    if checkpoint.origin != bundle.origin:
        fail("key-history", f"{where} is for another log ({checkpoint.origin!r})")
    if not rotation.position < checkpoint.size <= bundle.size:
        fail(
            "key-history",
            f"{where} (size {checkpoint.size}) does not lie between the rotation and the "
            f"bundle's checkpoint (size {bundle.size})",
        )
    valid = valid_signers(text, signatures, [rotation.old, rotation.new], "key-history", where)
    missing = [k.label for k in (rotation.old, rotation.new) if k not in valid]
    if missing:
        fail("key-history", f"{where} is not signed by both keys (missing: {', '.join(missing)})")
    proof = parse_hashes(
        entry.get("consistency_proof"), "key-history", f"{where}: consistency_proof"
    )
    if checkpoint.size == bundle.size:
        consistent = not proof and checkpoint.root_hash == bundle.root_hash
    else:
        consistent = verify_consistency(
            checkpoint.size, bundle.size, checkpoint.root_hash, bundle.root_hash, proof
        )
    if not consistent:
        fail(
            "key-history",
            f"{where} (size {checkpoint.size}) is not consistent with the bundle's checkpoint",
        )


def valid_signers(
    text: str, signatures: list[Signature], keys: list[NoteVerifier], check: str, what: str
) -> list[NoteVerifier]:
    """The keys among ``keys`` with a signature line on the note; each such line must verify."""
    valid = []
    for key in keys:
        lines = [s for s in signatures if (s.name, s.key_id) == (key.name, key.key_id)]
        if len(lines) > 1:
            fail(check, f"{what} carries two signatures by {key.label}")
        if lines and not key.verify(text, lines[0].signature):
            fail(check, f"the signature by {key.label} on {what} does not verify")
        if lines:
            valid.append(key)
    return valid


__all__ = ["CountedRotation", "Trust", "counted_rotation", "valid_signers"]
