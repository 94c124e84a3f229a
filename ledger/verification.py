"""Verify the whole stored history, trusting nothing that is stored.

One streaming pass over the event table, in position order:

* every leaf is recomputed from the stored columns (``ledger.records``);
* positions must run 0, 1, 2, ... with no gap (a deleted row is a gap);
* every complete Merkle subtree is recomputed and compared with the stored
  ``ledger_tree`` row (catches edited, missing or extra tree rows);
* at each checkpoint's size the recomputed root must equal the signed root,
  and every checkpoint's signature must verify with the ledger's key;
* with a checkpoint kept outside the database (``--against``), the stored
  history must still contain that tree: same root at that size (rewriting),
  at least that many events (truncation).
* given the dated key history (``ledger.key_history``), each checkpoint must
  be signed by the key in force at its size, and the first checkpoint after
  each key rotation by both the retiring and the new key.

Memory stays O(log n) plus one page of rows: the log is streamed, never
loaded. The report names the first bad position when one can be named.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ledger.checkpoints import Checkpoint, open_checkpoint
from ledger.errors import IntegrityFailure, LedgerError
from ledger.key_history import (
    KeyHistory,
    OpenedCheckpoint,
    check_handovers,
    open_log_checkpoint,
    pending_rotation,
)
from ledger.notes import NoteVerifier
from ledger.records import leaf_input
from ledger.storage.recorder import LedgerRecorder

PAGE_SIZE = 5000


@dataclass
class VerificationReport:
    """What a verification pass found; ``ok`` only when nothing failed."""

    size: int = 0
    root: bytes = b""
    checkpoints_checked: int = 0
    against_checked: bool = False
    key_rotations: int = 0
    witnesses: list[str] = field(default_factory=list)
    problem: str | None = None
    first_bad_position: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None

    def fail(self, problem: str, position: int | None = None) -> None:
        if self.problem is None:
            self.problem = problem
            self.first_bad_position = position

    def as_dict(self) -> dict[str, object]:
        import base64

        return {
            "ok": self.ok,
            "tree_size": self.size,
            "root_hash": base64.b64encode(self.root).decode("ascii"),
            "checkpoints_checked": self.checkpoints_checked,
            "against_checked": self.against_checked,
            "key_rotations": self.key_rotations,
            "witnesses": list(self.witnesses),
            "problem": self.problem,
            "first_bad_position": self.first_bad_position,
            "notes": list(self.notes),
        }


_EMPTY_ROOT = hashlib.sha256(b"").digest()


def _root_of(stack_hashes: list[bytes]) -> bytes:
    """Fold a stack of complete subtrees (left to right) into the RFC 9162 root."""
    if not stack_hashes:
        return _EMPTY_ROOT
    digest = stack_hashes[-1]
    for left in reversed(stack_hashes[:-1]):
        digest = hashlib.sha256(b"\x01" + left + digest).digest()
    return digest


def verify_ledger(
    recorder: LedgerRecorder,
    verifiers: Sequence[NoteVerifier],
    *,
    against: str | None = None,
    progress: Callable[[int], None] | None = None,
    key_history: KeyHistory | None = None,
    page_size: int = PAGE_SIZE,
) -> VerificationReport:
    """Verify every event, tree node and checkpoint; see the module docstring.

    Without ``key_history`` every checkpoint may be signed by any of
    ``verifiers``; with it, ``verifiers`` is ignored and the dated rules of
    ``ledger.key_history`` apply. The log is read ``page_size`` positions at
    a time (``progress`` is called after each page).
    """
    report = VerificationReport()
    if key_history is None:
        targets = _checkpoint_targets(recorder, verifiers, against, report)
    else:
        targets = _dated_checkpoint_targets(recorder, key_history, against, report)
    if not report.ok:
        return report
    pending = sorted(targets, key=lambda target: target[0])
    # The tree is rebuilt leaf by leaf with a stack of complete subtrees, which
    # is all RFC 9162 needs for any root. Positions are dense (checked first),
    # so the leaf at ``position`` completes one subtree per trailing 1 bit of
    # ``position``: the stack's shape never needs storing.
    hashes: list[bytes] = []
    size = 0
    last_good_size = 0
    last_recorded_at = ""
    sha256 = hashlib.sha256

    def check_targets() -> bool:
        nonlocal last_good_size
        while pending and pending[0][0] == size:
            target_size, target_root, label = pending.pop(0)
            if _root_of(hashes) != target_root:
                report.fail(
                    f"the root of the first {target_size} events does not match {label}: "
                    f"history in positions {last_good_size}..{target_size - 1} was changed",
                    last_good_size if target_size else None,
                )
                return False
            last_good_size = target_size
        return True

    if not check_targets():
        return report
    # Events appended while this runs are not part of this verification: the
    # checkpoints were read first, so every one of them lies within the bound.
    bound = recorder.size()
    for rows, leaf_hashes, inner in recorder.iter_leaf_pages(page_size, stop=bound):
        for position, stream_id, version, topic, recorded_at, state in rows:
            if position != size:
                report.fail(f"event at position {size} is missing (next stored is {position})", size)
                return report
            try:
                leaf = leaf_input(position, stream_id, version, topic, recorded_at, state)
            except (TypeError, ValueError) as exc:  # TypeError: a column of the wrong type
                report.fail(f"event at position {position} cannot be encoded: {exc}", position)
                return report
            if recorded_at < last_recorded_at:
                report.fail(
                    f"event at position {position} was recorded at {recorded_at}, before the "
                    f"event before it ({last_recorded_at}): recorded_at never goes back",
                    position,
                )
                return report
            last_recorded_at = recorded_at
            digest = sha256(b"\x00" + leaf).digest()
            stored = leaf_hashes.get(position)
            if stored != digest:
                detail = "is missing" if stored is None else "does not match the stored columns"
                report.fail(f"event at position {position}: stored leaf hash {detail}", position)
                return report
            level = 0
            idx = position
            while idx & 1:
                idx >>= 1
                level += 1
                digest = sha256(b"\x01" + hashes.pop() + digest).digest()
                stored = inner.get((level, idx))
                if stored != digest:
                    first = idx << level
                    detail = "is missing" if stored is None else "does not match"
                    report.fail(
                        f"tree node ({level}, {idx}) covering positions {first}.."
                        f"{((idx + 1) << level) - 1} {detail} the recomputed hash",
                        first,
                    )
                    return report
            hashes.append(digest)
            size += 1
            if pending and pending[0][0] == size and not check_targets():
                return report
        if progress is not None:
            progress(size)
    report.size = size
    report.root = _root_of(hashes)
    if pending:
        target_size, _, label = pending[0]
        report.fail(
            f"{label} covers {target_size} events but only {size} are stored: "
            f"events from position {size} were removed",
            size,
        )
        return report
    _check_counts(recorder, size, bound, report)
    return report


def _checkpoint_targets(
    recorder: LedgerRecorder,
    verifiers: Sequence[NoteVerifier],
    against: str | None,
    report: VerificationReport,
) -> list[tuple[int, bytes, str]]:
    targets: list[tuple[int, bytes, str]] = []
    origin = recorder.get_meta("origin")
    for checkpoint_id, tree_size, _, signed in recorder.checkpoints():
        label = f"checkpoint #{checkpoint_id}"
        checkpoint = _open(signed, verifiers, label, report)
        if checkpoint is None:
            return targets
        if checkpoint.size != tree_size:
            report.fail(f"{label} is stored for size {tree_size} but signs size {checkpoint.size}")
            return targets
        if origin is not None and checkpoint.origin != origin:
            report.fail(f"{label} names origin {checkpoint.origin!r}, not this ledger's {origin!r}")
            return targets
        targets.append((checkpoint.size, checkpoint.root_hash, label))
        report.checkpoints_checked += 1
    if against is not None:
        checkpoint = _open(against, verifiers, "the checkpoint given with --against", report)
        if checkpoint is None:
            return targets
        if origin is not None and checkpoint.origin != origin:
            report.fail(
                f"the checkpoint given with --against is for {checkpoint.origin!r}, "
                f"not this ledger ({origin!r})"
            )
            return targets
        targets.append((checkpoint.size, checkpoint.root_hash, "the checkpoint given with --against"))
        report.against_checked = True
    return targets


def _dated_checkpoint_targets(
    recorder: LedgerRecorder,
    history: KeyHistory,
    against: str | None,
    report: VerificationReport,
) -> list[tuple[int, bytes, str]]:
    """Like ``_checkpoint_targets``, with the key in force at each size."""
    targets: list[tuple[int, bytes, str]] = []
    opened: list[tuple[str, OpenedCheckpoint]] = []
    origin = recorder.get_meta("origin")
    report.key_rotations = len(history.rotations)
    for position in history.ignored:
        report.notes.append(
            f"ignored: the key rotation recorded at position {position} is not signed by the "
            "keys it names, so someone without the signing key wrote it; it changes nothing"
        )
    for checkpoint_id, tree_size, _, signed in recorder.checkpoints():
        label = f"checkpoint #{checkpoint_id}"
        item = _open_dated(signed, history, label, report)
        if item is None:
            return targets
        checkpoint = item.checkpoint
        if checkpoint.size != tree_size:
            report.fail(f"{label} is stored for size {tree_size} but signs size {checkpoint.size}")
            return targets
        if origin is not None and checkpoint.origin != origin:
            report.fail(f"{label} names origin {checkpoint.origin!r}, not this ledger's {origin!r}")
            return targets
        opened.append((label, item))
        targets.append((checkpoint.size, checkpoint.root_hash, label))
        report.checkpoints_checked += 1
    try:
        check_handovers(history, opened)
    except IntegrityFailure as exc:
        report.fail(str(exc), exc.position)
        return targets
    pending = pending_rotation(history, (item.checkpoint.size for _, item in opened))
    if pending is not None:
        report.notes.append(
            f"the key rotation at position {pending.position} has no checkpoint yet; "
            "its handover is signed by the next checkpoint (scrutiny key rotate --resume)"
        )
    if against is not None:
        label = "the checkpoint given with --against"
        item = _open_dated(against, history, label, report)
        if item is None:
            return targets
        if origin is not None and item.checkpoint.origin != origin:
            report.fail(f"{label} is for {item.checkpoint.origin!r}, not this ledger ({origin!r})")
            return targets
        targets.append((item.checkpoint.size, item.checkpoint.root_hash, label))
        report.against_checked = True
    return targets


def _open_dated(
    signed: str, history: KeyHistory, label: str, report: VerificationReport
) -> OpenedCheckpoint | None:
    try:
        return open_log_checkpoint(signed, history, label)
    except IntegrityFailure as exc:
        report.fail(str(exc))
    except LedgerError as exc:
        report.fail(f"{label} is malformed: {exc}")
    return None


def _open(
    signed: str, verifiers: Sequence[NoteVerifier], label: str, report: VerificationReport
) -> Checkpoint | None:
    try:
        return open_checkpoint(signed, verifiers)
    except IntegrityFailure as exc:
        report.fail(f"{label}: {exc}")
    except LedgerError as exc:
        report.fail(f"{label} is malformed: {exc}")
    return None


def _check_counts(recorder: LedgerRecorder, size: int, bound: int, report: VerificationReport) -> None:
    """Rows the streaming pass cannot see: missing tail, rows beyond the head, stray nodes."""
    if size < bound:
        report.fail(
            f"event at position {size} is missing (the head row says {bound} events were recorded)",
            size,
        )
        return
    head, highest, nodes_within, nodes_beyond = recorder.bounds_check(bound)
    if highest >= head:
        report.fail(
            f"events are stored at positions {head}..{highest}, beyond the {head} the head row "
            "records: rows were added behind the ledger's back",
            head,
        )
        return
    expected_nodes = 2 * size - bin(size).count("1")
    if nodes_within != expected_nodes or nodes_beyond:
        report.fail(
            f"the tree table holds {nodes_within + nodes_beyond} nodes where a tree of "
            f"{size} events has {expected_nodes}"
        )


__all__ = ["VerificationReport", "verify_ledger"]
