"""Checking events.jsonl of a bundle, line by line (the ``events`` check).

Each line must be strict JSON with the documented keys; its ``leaf_input``
must be the canonical encoding (RFC 8785) of a ledger record; the readable
fields must say what the record says; and the lines must be in order: a full
bundle holds positions 0..n-1 on lines 1..n, a partial bundle increasing
positions with each stream's versions contiguous from 1. The scan computes
the Merkle root of a full bundle (and of its first ``m`` leaves, for
``--against``) and checks each inclusion proof of a partial one; the first
proof that fails is remembered, not raised, because the signature checks come
first in the report order (see ``ledger.bundle_check``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledger.bundles import (
    EVENTS,
    FULL,
    LINE_KEYS,
    MANIFEST,
    REQUIRED_LINE_KEYS,
    decoded_state,
    fail,
    is_count,
    parse_hashes,
    same_json,
    strict_json,
)
from ledger.checkpoints import Checkpoint
from ledger.domain.signing_keys import SIGNING_KEYS_STREAM
from ledger.errors import InvalidInputError
from ledger.integrity import EMPTY_ROOT, leaf_hash, node_hash, verify_inclusion
from ledger.key_history import ROTATION_TOPIC
from ledger.proofs import unb64
from ledger.records import StoredRecord

_RECORD_KEYS = frozenset(
    {"position", "recorded_at", "state", "stream_id", "stream_version", "topic"}
)

RotationLine = tuple[int, int, Any]
"""(line number, position, the line's ``event`` field) of a key rotation line."""


@dataclass
class EventScan:
    """What the scan of events.jsonl found."""

    count: int = 0
    root: bytes = EMPTY_ROOT
    root_at_against: bytes | None = None
    rotations: list[RotationLine] = field(default_factory=list)
    inclusion_failure: tuple[int, int] | None = None  # (line, position)
    streams: dict[str, int] = field(default_factory=dict)


def _open(path: Path) -> Any:
    try:
        return path.open("rb")
    except OSError as exc:
        fail("layout", f"cannot read {EVENTS}: {exc.strerror}")


def rotation_lines(path: Path) -> list[RotationLine]:
    """A first look for key rotation lines, before the lines are checked.

    The signatures are checked before the events, and which key may sign
    depends on the rotations; the full scan must then find exactly these.
    """
    found: list[RotationLine] = []
    marker = SIGNING_KEYS_STREAM.encode("utf-8")
    with _open(path) as handle:
        for number, raw in enumerate(handle, start=1):
            if marker not in raw:
                continue
            try:
                obj = strict_json(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError):
                continue
            if (
                isinstance(obj, dict)
                and obj.get("stream") == SIGNING_KEYS_STREAM
                and obj.get("topic") == ROTATION_TOPIC
                and is_count(obj.get("position"))
            ):
                found.append((number, obj["position"], obj.get("event")))
    return found


def scan_events(
    path: Path, kind: str, checkpoint: Checkpoint, against_size: int | None
) -> EventScan:
    """Check every line; see the module docstring."""
    scan = EventScan()
    size, root = checkpoint.size, checkpoint.root_hash
    stack = _RootStack()
    previous: int | None = None
    versions: dict[str, int] = {}
    with _open(path) as handle:
        for number, raw in enumerate(handle, start=1):
            record, obj = _check_line(number, raw)
            position = record.position
            if position >= size:
                fail(
                    "events",
                    f"{EVENTS} line {number} holds position {position}, outside the "
                    f"checkpoint's tree of {size} events",
                    number,
                    position,
                )
            digest = leaf_hash(record.leaf_input())
            if kind == FULL:
                _check_full_line(number, obj, position, scan.count)
                stack.push(digest)
            else:
                _check_partial_line(number, obj, record, previous, versions)
                proof = parse_hashes(
                    obj["inclusion_proof"],
                    "events",
                    f"{EVENTS} line {number} (position {position}): inclusion_proof",
                    number,
                    position,
                )
                if scan.inclusion_failure is None and not verify_inclusion(
                    digest, position, size, proof, root
                ):
                    scan.inclusion_failure = (number, position)
                scan.streams[record.stream_id] = scan.streams.get(record.stream_id, 0) + 1
                previous = position
            scan.count += 1
            if kind == FULL and scan.count == against_size:
                scan.root_at_against = stack.root()
            if record.stream_id == SIGNING_KEYS_STREAM and record.topic == ROTATION_TOPIC:
                scan.rotations.append((number, position, obj.get("event")))
    if kind == FULL:
        if scan.count != size:
            fail(
                "events",
                f"{EVENTS} holds {scan.count} events but the checkpoint covers {size}: "
                f"events from position {scan.count} are missing",
                None,
                scan.count,
            )
        scan.root = stack.root()
    return scan


def _check_line(number: int, raw: bytes) -> tuple[StoredRecord, dict[str, Any]]:
    where = f"{EVENTS} line {number}"
    if not raw.endswith(b"\n"):
        fail("events", f"{where} does not end with a newline: the file was cut short", number)
    try:
        obj = strict_json(raw[:-1].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        fail("events", f"{where} is not valid JSON", number)
    if not isinstance(obj, dict):
        fail("events", f"{where} is not a JSON object", number)
    unknown = sorted(set(obj) - set(LINE_KEYS))
    if unknown:
        fail("events", f"{where} has unknown field(s): {', '.join(unknown)}", number)
    missing = sorted(REQUIRED_LINE_KEYS - set(obj))
    if missing:
        fail("events", f"{where} lacks field(s): {', '.join(missing)}", number)
    position = obj["position"]
    if not is_count(position):
        fail("events", f"{where}: position is not a non-negative integer", number)
    where = f"{where} (position {position})"
    try:
        record = _parse_leaf(unb64(obj["leaf_input"], "leaf_input"))
    except (InvalidInputError, ValueError) as exc:
        fail(
            "events",
            f"{where}: leaf_input is not a canonical ledger record: {exc}",
            number,
            position,
        )
    if record.position != position:
        fail(
            "events",
            f"{where}: position disagrees with leaf_input (position {record.position})",
            number,
            position,
        )
    for name, value in (
        ("stream", record.stream_id),
        ("version", record.stream_version),
        ("topic", record.topic),
        ("recorded_at", record.recorded_at),
    ):
        if type(obj[name]) is not type(value) or obj[name] != value:
            fail("events", f"{where}: field {name!r} disagrees with leaf_input", number, position)
    event = decoded_state(record.state)
    if event is None and "event" in obj:
        fail(
            "events",
            f"{where}: field 'event' is present but the stored state is not a JSON object",
            number,
            position,
        )
    if event is not None and ("event" not in obj or not same_json(obj["event"], event)):
        fail("events", f"{where}: field 'event' disagrees with leaf_input", number, position)
    return record, obj


def _check_full_line(number: int, obj: dict[str, Any], position: int, expected: int) -> None:
    if "inclusion_proof" in obj:
        fail(
            "events",
            f"{EVENTS} line {number} has an inclusion proof, but {MANIFEST} says the bundle is full",
            number,
            position,
        )
    if position != expected:
        fail(
            "events",
            f"{EVENTS} line {number} holds position {position} where position {expected} was "
            "expected: a line was removed, added or reordered",
            number,
            position,
        )


def _check_partial_line(
    number: int,
    obj: dict[str, Any],
    record: StoredRecord,
    previous: int | None,
    versions: dict[str, int],
) -> None:
    position = record.position
    where = f"{EVENTS} line {number} (position {position})"
    if "inclusion_proof" not in obj:
        fail(
            "events", f"{where} has no inclusion proof, but the bundle is partial", number, position
        )
    if previous is not None and position <= previous:
        fail(
            "events",
            f"{where} does not follow position {previous}: lines were reordered or repeated",
            number,
            position,
        )
    last = versions.get(record.stream_id, 0)
    if record.stream_version != last + 1:
        fail(
            "events",
            f"{where}: stream {record.stream_id} goes from version {last} to "
            f"{record.stream_version}: an event of this stream is missing",
            number,
            position,
        )
    versions[record.stream_id] = record.stream_version


def _parse_leaf(raw: bytes) -> StoredRecord:
    """The record a leaf input encodes; ValueError unless it is its canonical encoding."""
    try:
        obj = strict_json(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ValueError("not JSON") from exc
    if not isinstance(obj, dict) or set(obj) != _RECORD_KEYS:
        raise ValueError("not an object with exactly the six record fields")
    position, version = obj["position"], obj["stream_version"]
    if not (is_count(position) and is_count(version)):
        raise ValueError("position and stream_version must be non-negative integers")
    if not all(isinstance(obj[k], str) for k in ("recorded_at", "state", "stream_id", "topic")):
        raise ValueError("recorded_at, state, stream_id and topic must be strings")
    state = unb64(obj["state"], "state")
    record = StoredRecord(
        position, obj["stream_id"], version, obj["topic"], obj["recorded_at"], state
    )
    if record.leaf_input() != raw:
        raise ValueError("its bytes are not the RFC 8785 encoding of its fields")
    return record


class _RootStack:
    """The RFC 9162 root of leaves pushed one by one, in O(log n) memory."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, bytes]] = []

    def push(self, digest: bytes) -> None:
        level = 0
        while self.stack and self.stack[-1][0] == level:
            digest = node_hash(self.stack.pop()[1], digest)
            level += 1
        self.stack.append((level, digest))

    def root(self) -> bytes:
        if not self.stack:
            return EMPTY_ROOT
        root = self.stack[-1][1]
        for _, left in reversed(self.stack[:-1]):
            root = node_hash(left, root)
        return root


__all__ = ["EventScan", "RotationLine", "rotation_lines", "scan_events"]
