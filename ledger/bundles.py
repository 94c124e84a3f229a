"""The export bundle: its files, its event lines and what a selection takes.

A bundle is a directory an inspector takes away (ARCHITECTURE.md, "Export
bundle"; byte by byte in docs/formats.md, "Export bundle")::

    bundle.json        what this bundle is: format, kind (full | partial), origin,
                       tree size, root, number of events, the selection
    checkpoint         the signed note, exactly as stored (with any cosignatures)
    verifier.key       the vkey of the key in force at the checkpoint's size
    events.jsonl       one JSON object per line, in position order
    rotations.json     only if the log rotated its key: each handover checkpoint
                       and its consistency proof to ``checkpoint``
    consistency.json   only with ``--since``: the inspector's earlier checkpoint
                       and the consistency proof from it to ``checkpoint``
    README.md          how to verify, in plain words

An event line holds ``position`` and ``leaf_input`` (base64 of the exact bytes
hashed) and, for people, ``stream``, ``version``, ``topic``, ``recorded_at``
and, when the stored state is a JSON object, ``event`` (that object). A
**full** bundle holds every event of the checkpoint's tree, lines 1..n being
positions 0..n-1. A **partial** bundle holds whole streams only (the selected
ones and ``ledger:signing-keys``), each line with its ``inclusion_proof``
against the checkpoint.

This module is the format (and the failure type of the checks);
``ledger.bundle_export`` writes bundles; ``ledger.bundle_check`` checks them,
with ``ledger.bundle_events`` (events.jsonl) and ``ledger.bundle_keys``
(signatures and key rotations). ``tools/verify_bundle.py`` checks them
again with the standard library and ``cryptography`` only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from ledger.errors import InvalidInputError
from ledger.proofs import b64, unb64
from ledger.records import StoredRecord

FORMAT = "scrutiny-ledger-bundle/1"
MANIFEST = "bundle.json"
CHECKPOINT = "checkpoint"
VERIFIER_KEY = "verifier.key"
EVENTS = "events.jsonl"
ROTATIONS = "rotations.json"
CONSISTENCY = "consistency.json"
README = "README.md"
REQUIRED_FILES = (MANIFEST, CHECKPOINT, VERIFIER_KEY, EVENTS)

FULL = "full"
PARTIAL = "partial"

LINE_KEYS = (
    "position",
    "stream",
    "version",
    "topic",
    "recorded_at",
    "event",
    "leaf_input",
    "inclusion_proof",
)
REQUIRED_LINE_KEYS = frozenset(
    {"position", "leaf_input", "stream", "version", "topic", "recorded_at"}
)


class BundleFailure(Exception):
    """A bundle failed a check: which check, why, and where (line, position)."""

    def __init__(
        self, check: str, problem: str, line: int | None = None, position: int | None = None
    ) -> None:
        super().__init__(problem)
        self.check, self.problem, self.line, self.position = check, problem, line, position


def fail(
    check: str, problem: str, line: int | None = None, position: int | None = None
) -> NoReturn:
    raise BundleFailure(check, problem, line, position)


def is_count(value: Any) -> bool:
    """A non-negative int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def parse_hashes(
    value: Any, check: str, what: str, line: int | None = None, position: int | None = None
) -> list[bytes]:
    """A JSON list of base64 32-byte hashes, or a failure of ``check``."""
    if not isinstance(value, list):
        fail(check, f"{what} is not a list of hashes", line, position)
    hashes = []
    for item in value:
        try:
            digest = unb64(item, what)
        except InvalidInputError:
            fail(check, f"{what} holds something that is not base64", line, position)
        if len(digest) != 32:
            fail(check, f"{what} holds a hash that is not 32 bytes", line, position)
        hashes.append(digest)
    return hashes


class StrictJSONError(ValueError):
    """JSON that a bundle may not hold: duplicate keys, NaN or Infinity."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise StrictJSONError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise StrictJSONError(f"{name} is not JSON")


def strict_json(text: str | bytes) -> Any:
    """``json.loads`` refusing duplicate keys, NaN and Infinity (raises ValueError)."""
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)


def decoded_state(state: bytes) -> dict[str, Any] | None:
    """The stored state as a JSON object, or None if it is not one (then no ``event``)."""
    try:
        value = strict_json(state.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def same_json(left: Any, right: Any) -> bool:
    """Equal as JSON values (``1``, ``1.0`` and ``true`` all differ)."""
    return _normal(left) == _normal(right)


def _normal(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_line(
    record: StoredRecord, inclusion_proof: Iterable[bytes] | None = None
) -> dict[str, Any]:
    """The JSON object of one event line (keys in the documented order)."""
    line: dict[str, Any] = {
        "position": record.position,
        "stream": record.stream_id,
        "version": record.stream_version,
        "topic": record.topic,
        "recorded_at": record.recorded_at,
    }
    event = decoded_state(record.state)
    if event is not None:
        line["event"] = event
    line["leaf_input"] = b64(record.leaf_input())
    if inclusion_proof is not None:
        line["inclusion_proof"] = [b64(h) for h in inclusion_proof]
    return line


def encode_line(line: Mapping[str, Any]) -> bytes:
    """One line of events.jsonl: compact JSON, UTF-8, ending in a newline."""
    return json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def encode_json_file(data: Any) -> bytes:
    """bundle.json, rotations.json, consistency.json: indented JSON, UTF-8."""
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


_REF_CHARS = r"A-Za-z0-9_-"


@dataclass(frozen=True)
class Selection:
    """Which streams a partial bundle takes: named streams and/or one case.

    A case reference selects every stream that *is* the case (the stream id,
    or the part after its ``prefix:``, equals the reference) and every stream
    with an event whose fields mention the reference: a string value equal to
    it, or holding it as a whole word (not next to letters, digits, '_' or
    '-'). Whole streams are taken, so a challenge raised about a case comes
    with its responses, escalations and outcome. Encrypted fields cannot match.
    """

    streams: tuple[str, ...] = ()
    case: str | None = None
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.case is not None:
            pattern = re.compile(rf"(?<![{_REF_CHARS}]){re.escape(self.case)}(?![{_REF_CHARS}])")
            object.__setattr__(self, "_pattern", pattern)

    @property
    def empty(self) -> bool:
        return not self.streams and self.case is None

    def stream_is_selected(self, stream_id: str) -> bool:
        if stream_id in self.streams:
            return True
        if self.case is None:
            return False
        return stream_id == self.case or stream_id.split(":", 1)[-1] == self.case

    def mentions_case(self, value: Any) -> bool:
        """True if a decoded event (any nested string) refers to the case."""
        if self._pattern is None:
            return False
        if isinstance(value, str):
            return value == self.case or self._pattern.search(value) is not None
        if isinstance(value, dict):
            return any(self.mentions_case(item) for item in value.values())
        if isinstance(value, list):
            return any(self.mentions_case(item) for item in value)
        return False

    def as_dict(self) -> dict[str, Any]:
        return {"streams": list(self.streams), "case": self.case}


__all__ = [
    "BundleFailure",
    "CHECKPOINT",
    "CONSISTENCY",
    "EVENTS",
    "FORMAT",
    "FULL",
    "MANIFEST",
    "PARTIAL",
    "README",
    "REQUIRED_FILES",
    "ROTATIONS",
    "Selection",
    "VERIFIER_KEY",
    "decoded_state",
    "encode_json_file",
    "encode_line",
    "event_line",
    "fail",
    "is_count",
    "parse_hashes",
    "same_json",
    "strict_json",
]
