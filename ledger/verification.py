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

Memory stays O(log n) plus one page of rows: the log is streamed, never
loaded. The report names the first bad position when one can be named.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from ledger.checkpoints import Checkpoint, open_checkpoint
from ledger.errors import IntegrityFailure, LedgerError
from ledger.integrity import leaf_hash, node_hash
from ledger.notes import NoteVerifier
from ledger.records import StoredRecord
from ledger.storage.recorder import LedgerRecorder

PAGE_SIZE = 5000


@dataclass
class VerificationReport:
    """What a verification pass found; ``ok`` only when nothing failed."""

    size: int = 0
    root: bytes = b""
    checkpoints_checked: int = 0
    against_checked: bool = False
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
            "problem": self.problem,
            "first_bad_position": self.first_bad_position,
            "notes": list(self.notes),
        }


class _StreamingTree:
    """RFC 9162 tree built leaf by leaf with a stack of complete subtrees."""

    def __init__(self) -> None:
        self.size = 0
        self.stack: list[tuple[int, bytes]] = []

    def append(self, digest: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf hash; return (level, idx, hash) of each subtree it completes."""
        position = self.size
        completed = [(0, position, digest)]
        self.stack.append((0, digest))
        while len(self.stack) >= 2 and self.stack[-1][0] == self.stack[-2][0]:
            level, right = self.stack.pop()
            _, left = self.stack.pop()
            merged = node_hash(left, right)
            self.stack.append((level + 1, merged))
            completed.append((level + 1, position >> (level + 1), merged))
        self.size += 1
        return completed

    def root(self) -> bytes:
        if not self.stack:
            return _EMPTY_ROOT
        digest = self.stack[-1][1]
        for _, left in reversed(self.stack[:-1]):
            digest = node_hash(left, digest)
        return digest


_EMPTY_ROOT = hashlib.sha256(b"").digest()


def verify_ledger(
    recorder: LedgerRecorder,
    verifiers: Sequence[NoteVerifier],
    *,
    against: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> VerificationReport:
    """Verify every event, tree node and checkpoint; see the module docstring."""
    report = VerificationReport()
    targets = _checkpoint_targets(recorder, verifiers, against, report)
    if not report.ok:
        return report
    tree = _StreamingTree()
    pending = sorted(targets, key=lambda target: target[0])
    last_good_size = 0

    def check_targets_at(size: int) -> bool:
        nonlocal last_good_size
        while pending and pending[0][0] == size:
            target_size, target_root, label = pending.pop(0)
            if tree.root() != target_root:
                report.fail(
                    f"the root of the first {target_size} events does not match {label}: "
                    f"history in positions {last_good_size}..{target_size - 1} was changed",
                    last_good_size if target_size else None,
                )
                return False
            last_good_size = target_size
        return True

    if not check_targets_at(0):
        return report
    for page in _pages(recorder):
        stored_nodes = _stored_nodes_for(recorder, page[0].position, page[-1].position + 1)
        for record in page:
            expected = tree.size
            if record.position != expected:
                report.fail(
                    f"event at position {expected} is missing (next stored is {record.position})",
                    expected,
                )
                return report
            digest = leaf_hash(record.leaf_input())
            for level, idx, node in tree.append(digest):
                stored = stored_nodes.pop((level, idx), None)
                if stored != node:
                    what = "leaf hash" if level == 0 else f"tree node ({level}, {idx})"
                    detail = "is missing" if stored is None else "does not match the stored columns"
                    first = idx << level
                    report.fail(
                        f"event at position {record.position}: stored {what} {detail}"
                        if level == 0
                        else f"{what} covering positions {first}..{((idx + 1) << level) - 1} {detail}",
                        record.position if level == 0 else first,
                    )
                    return report
            if not check_targets_at(tree.size):
                return report
        if progress is not None:
            progress(tree.size)
    report.size = tree.size
    report.root = tree.root()
    if pending:
        target_size, _, label = pending[0]
        report.fail(
            f"{label} covers {target_size} events but only {tree.size} are stored: "
            f"events from position {tree.size} were removed",
            tree.size,
        )
        return report
    _check_counts(recorder, tree.size, report)
    return report


def _pages(recorder: LedgerRecorder) -> Iterator[list[StoredRecord]]:
    page: list[StoredRecord] = []
    for record in recorder.iter_records(page_size=PAGE_SIZE):
        page.append(record)
        if len(page) == PAGE_SIZE:
            yield page
            page = []
    if page:
        yield page


def _stored_nodes_for(recorder: LedgerRecorder, start: int, stop: int) -> dict[tuple[int, int], bytes]:
    """Tree rows of every subtree that completes with a leaf in [start, stop)."""
    keys: list[tuple[int, int]] = []
    level = 0
    while (1 << level) <= stop:
        first = (start + 1 + (1 << level) - 1) // (1 << level) - 1
        last = stop // (1 << level) - 1
        keys.extend((level, idx) for idx in range(max(first, 0), last + 1))
        level += 1
    found: dict[tuple[int, int], bytes] = {}
    for chunk_start in range(0, len(keys), 2000):
        found.update(recorder.tree_nodes(keys[chunk_start : chunk_start + 2000]))
    return found


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


def _check_counts(recorder: LedgerRecorder, size: int, report: VerificationReport) -> None:
    head = recorder.size()
    if head != size:
        report.fail(f"the head row says {head} events but {size} are stored", min(head, size))
        return
    expected_nodes = 2 * size - bin(size).count("1")
    stored_nodes = recorder.count_tree_nodes()
    if stored_nodes != expected_nodes:
        report.fail(
            f"the tree table holds {stored_nodes} nodes; a tree of {size} events has {expected_nodes}"
        )


__all__ = ["VerificationReport", "verify_ledger"]
