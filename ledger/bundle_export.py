"""Write an export bundle (layout in ``ledger.bundles``) from the ledger.

The bundle is written into a fresh hidden directory beside the target,
checked with ``ledger.bundle_check`` exactly as an inspector would check it
(with the key in force at the checkpoint's size), and only then renamed into
place, so a failed export leaves nothing behind and a bundle that exists
always verifies. The target must not exist or be an empty directory.

A full export streams the log once (O(n) reads, O(log n) memory for the
root). A partial export streams it once per pass (two for ``--case``: find
the streams, then write them) and proves each selected event from the stored
tree in O(log n) reads.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ledger.bundle_check import check_bundle
from ledger.bundle_readme import render_readme
from ledger.bundles import (
    CHECKPOINT,
    CONSISTENCY,
    EVENTS,
    FORMAT,
    FULL,
    MANIFEST,
    PARTIAL,
    README,
    ROTATIONS,
    VERIFIER_KEY,
    Selection,
    decoded_state,
    encode_json_file,
    encode_line,
    event_line,
)
from ledger.checkpoints import Checkpoint
from ledger.domain.signing_keys import SIGNING_KEYS_STREAM
from ledger.errors import IntegrityFailure, InvalidInputError, NotFoundError, RefusedError
from ledger.integrity import (
    inclusion_proof_from_store,
    leaf_hash,
    nodes_needed_for_inclusion,
    root_from_leaf_hashes,
    verify_inclusion,
)
from ledger.key_history import KeyHistory, OpenedCheckpoint, open_log_checkpoint
from ledger.proofs import b64, prove_consistency
from ledger.records import StoredRecord, format_recorded_at
from ledger.storage.recorder import LedgerRecorder

Progress = Callable[[int], None]


@dataclass
class ExportResult:
    """What was written, for the command line."""

    directory: str
    kind: str
    origin: str
    tree_size: int
    root: str
    events: int
    since_size: int | None = None
    key_rotations: int = 0
    files: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def export_bundle(
    recorder: LedgerRecorder,
    history: KeyHistory,
    checkpoint_note: str,
    target: Path,
    *,
    selection: Selection | None = None,
    since_note: str | None = None,
    progress: Progress | None = None,
    progress_every: int = 5000,
) -> ExportResult:
    """Write the bundle for ``checkpoint_note`` (a stored checkpoint) into ``target``.

    ``progress(count)`` is called every ``progress_every`` events read.
    """
    target = Path(target)
    _refuse_non_empty(target)
    opened = open_log_checkpoint(checkpoint_note, history, "the checkpoint to export")
    checkpoint = opened.checkpoint
    selection = selection if selection is not None and not selection.empty else None
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.export-", dir=target.parent))
    try:
        writer = _Writer(recorder, history, opened, work, progress, progress_every)
        result = writer.write(selection, since_note)
        report = check_bundle(work, keys=[history.key_for_size(checkpoint.size)])
        if not report.ok:
            raise IntegrityFailure(
                f"the bundle written does not verify: {report.problem}", report.position
            )
        _sync_directory(work)
        _move_into_place(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    result.directory = str(target)
    return result


def _refuse_non_empty(target: Path) -> None:
    try:
        parent_ok = target.parent.is_dir()
        exists, is_dir = target.exists(), target.is_dir()
        busy = is_dir and any(target.iterdir())
    except OSError as exc:
        raise InvalidInputError(f"cannot export into {target}: {exc.strerror}") from exc
    if not parent_ok:
        raise InvalidInputError(f"cannot export into {target}: {target.parent} is not a directory")
    if exists and not is_dir:
        raise InvalidInputError(f"{target} exists and is not a directory")
    if busy:
        raise RefusedError(
            f"{target} is not empty; refusing to export into it (choose a new directory)"
        )


def _move_into_place(work: Path, target: Path) -> None:
    try:
        os.rename(work, target)  # replaces an empty directory atomically (POSIX)
    except OSError as exc:
        raise RefusedError(f"cannot move the bundle into {target}: {exc.strerror}") from exc


def _sync_directory(directory: Path) -> None:
    for path in directory.iterdir():
        with path.open("rb") as handle:
            os.fsync(handle.fileno())


class _Writer:
    def __init__(
        self,
        recorder: LedgerRecorder,
        history: KeyHistory,
        opened: OpenedCheckpoint,
        work: Path,
        progress: Progress | None,
        progress_every: int,
    ) -> None:
        self.recorder = recorder
        self.history = history
        self.note = opened.note
        self.checkpoint: Checkpoint = opened.checkpoint
        self.work = work
        self.progress = progress
        self.progress_every = max(1, progress_every)
        self.files: list[str] = []

    def _write(self, name: str, data: bytes) -> None:
        (self.work / name).write_bytes(data)
        self.files.append(name)

    def write(self, selection: Selection | None, since_note: str | None) -> ExportResult:
        cp = self.checkpoint
        self._write(CHECKPOINT, self.note.encode("utf-8"))
        self._write(VERIFIER_KEY, (self.history.key_for_size(cp.size).vkey + "\n").encode("ascii"))
        count = self._write_events(selection)
        rotations = self._write_rotations()
        since_size = None if since_note is None else self._write_consistency(since_note)
        kind = FULL if selection is None else PARTIAL
        manifest = {
            "format": FORMAT,
            "kind": kind,
            "origin": cp.origin,
            "tree_size": cp.size,
            "root": b64(cp.root_hash),
            "events": count,
            "selection": None if selection is None else selection.as_dict(),
            "since_size": since_size,
            "key_rotations": rotations,
            "exported_at": format_recorded_at(datetime.now(timezone.utc)),
        }
        self._write(MANIFEST, encode_json_file(manifest))
        vkey = self.history.key_for_size(cp.size).vkey
        self._write(README, render_readme(manifest, vkey).encode("utf-8"))
        return ExportResult(
            "",
            kind,
            cp.origin,
            cp.size,
            b64(cp.root_hash),
            count,
            since_size,
            rotations,
            sorted(self.files),
        )

    # -- events.jsonl --------------------------------------------------------------------

    def _records(self) -> Iterator[StoredRecord]:
        for count, record in enumerate(self.recorder.iter_records(stop=self.checkpoint.size), 1):
            if self.progress is not None and count % self.progress_every == 0:
                self.progress(count)
            yield record

    def _write_events(self, selection: Selection | None) -> int:
        path = self.work / EVENTS
        self.files.append(EVENTS)
        with path.open("wb") as handle:
            if selection is None:
                return self._write_full(handle)
            return self._write_partial(handle, selection)

    def _write_full(self, handle: Any) -> int:
        count = 0

        def hashes() -> Iterator[bytes]:
            nonlocal count
            for record in self._records():
                if record.position != count:
                    raise IntegrityFailure(f"event at position {count} is missing", count)
                handle.write(encode_line(event_line(record)))
                count += 1
                yield leaf_hash(record.leaf_input())

        root = root_from_leaf_hashes(hashes())
        if count != self.checkpoint.size or root != self.checkpoint.root_hash:
            raise IntegrityFailure(
                f"the stored events do not have the root of the checkpoint being exported "
                f"(size {self.checkpoint.size}); run 'scrutiny verify'"
            )
        return count

    def _write_partial(self, handle: Any, selection: Selection) -> int:
        streams = set(selection.streams)
        if selection.case is not None:
            for record in self._records():
                if selection.stream_is_selected(record.stream_id) or selection.mentions_case(
                    decoded_state(record.state)
                ):
                    streams.add(record.stream_id)
        wanted = streams | {SIGNING_KEYS_STREAM}
        count = selected = 0
        for record in self._records():
            if record.stream_id not in wanted:
                continue
            handle.write(encode_line(event_line(record, self._inclusion(record))))
            count += 1
            selected += record.stream_id in streams
        if not selected:
            what = f"--case {selection.case}" if selection.case is not None else "--stream"
            raise NotFoundError(f"no event of the first {self.checkpoint.size} matches {what}")
        return count

    def _inclusion(self, record: StoredRecord) -> list[bytes]:
        size = self.checkpoint.size
        keys = sorted(nodes_needed_for_inclusion(record.position, size))
        nodes = self.recorder.tree_nodes(keys)
        try:
            proof = inclusion_proof_from_store(
                record.position, size, lambda level, idx: nodes[(level, idx)]
            )
        except KeyError as exc:
            raise IntegrityFailure(
                f"tree node {exc.args[0]} is missing; run 'scrutiny verify'"
            ) from exc
        digest = leaf_hash(record.leaf_input())
        if not verify_inclusion(digest, record.position, size, proof, self.checkpoint.root_hash):
            raise IntegrityFailure(
                f"event at position {record.position} is not proved by the stored tree to be in "
                "the checkpoint; run 'scrutiny verify'",
                record.position,
            )
        return proof

    # -- rotations.json and consistency.json -------------------------------------------

    def _write_rotations(self) -> int:
        size = self.checkpoint.size
        rotations = [r for r in self.history.rotations if r.position < size]
        if not rotations:
            return 0
        stored = self.recorder.checkpoints()
        entries = []
        for rotation in rotations:
            handover = self._handover(rotation.position, stored)
            proof = (
                []
                if handover.checkpoint.size == size
                else list(prove_consistency(self.recorder, handover.checkpoint.size, size).proof)
            )
            entries.append(
                {
                    "position": rotation.position,
                    "old_vkey": rotation.old.vkey,
                    "new_vkey": rotation.new.vkey,
                    "checkpoint": handover.note,
                    "consistency_proof": [b64(h) for h in proof],
                }
            )
        self._write(ROTATIONS, encode_json_file(entries))
        return len(entries)

    def _handover(self, position: int, stored: list[tuple[int, int, str, str]]) -> OpenedCheckpoint:
        later = sorted(
            (s for s in stored if position < s[1] <= self.checkpoint.size),
            key=lambda s: (s[1], s[0]),
        )
        if later:
            opened = open_log_checkpoint(later[0][3], self.history, f"checkpoint #{later[0][0]}")
            rotation = next(r for r in self.history.rotations if r.position == position)
            if rotation.old in opened.verified and rotation.new in opened.verified:
                return opened
        raise RefusedError(
            f"the key rotation at position {position} has no checkpoint signed by both keys "
            "within this export; run 'scrutiny key rotate --resume'"
        )

    def _write_consistency(self, since_note: str) -> int:
        cp = self.checkpoint
        old = open_log_checkpoint(
            since_note, self.history, "the checkpoint given with --since"
        ).checkpoint
        if old.origin != cp.origin:
            raise IntegrityFailure(
                f"the checkpoint given with --since is for {old.origin!r}, not {cp.origin!r}"
            )
        if old.size == 0:
            raise InvalidInputError(
                "the checkpoint given with --since is of the empty tree: it proves nothing"
            )
        if old.size > cp.size:
            raise RefusedError(
                f"the checkpoint given with --since covers {old.size} events, more than the "
                f"{cp.size} of the checkpoint being exported; export with --checkpoint"
            )
        proof: list[bytes] = []
        if old.size < cp.size:
            proved = prove_consistency(self.recorder, old.size, cp.size)
            proof = list(proved.proof)
            consistent = proved.old_root == old.root_hash and proved.new_root == cp.root_hash
        else:
            consistent = old.root_hash == cp.root_hash
        if not consistent:
            raise IntegrityFailure(
                f"the ledger is NOT consistent with the checkpoint given with --since (size "
                f"{old.size}): the history it covers has been rewritten"
            )
        data = {
            "old_checkpoint": since_note,
            "old_size": old.size,
            "old_root": b64(old.root_hash),
            "new_size": cp.size,
            "new_root": b64(cp.root_hash),
            "proof": [b64(h) for h in proof],
        }
        self._write(CONSISTENCY, encode_json_file(data))
        return old.size


__all__ = ["ExportResult", "export_bundle"]
