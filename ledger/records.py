"""The stored record and its leaf input: exactly what is hashed.

Each event the ledger stores is one row with these columns, and the Merkle
leaf input is the RFC 8785 (JCS) canonical JSON of exactly those columns::

    {"position":     0,                                  dense, from 0
     "recorded_at":  "2026-11-26T22:34:13.123456Z",      UTC, microseconds
     "state":        "<base64 of the stored state bytes>",
     "stream_id":    "challenge:CH-2019-0001",
     "stream_version": 1,
     "topic":        "ledger.domain.challenges:ChallengeRaised"}

The state is base64 because the recorder interface carries opaque bytes. The
project's own events put canonical JSON in those bytes (see
``ledger.domain.mapper``), so a reader decodes twice and gets the event.
Nothing about an event lives outside this record except integrity columns
(the leaf hash and tree nodes), which verification recomputes and never trusts.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import rfc8785

RECORDED_AT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def format_recorded_at(moment: datetime) -> str:
    """RFC 3339, UTC, always six fractional digits, ``Z`` suffix."""
    if moment.tzinfo is None:
        raise ValueError("recorded_at must be timezone-aware")
    return moment.astimezone(timezone.utc).strftime(RECORDED_AT_FORMAT)


def parse_recorded_at(text: str) -> datetime:
    """Inverse of :func:`format_recorded_at`; strict."""
    return datetime.strptime(text, RECORDED_AT_FORMAT).replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class StoredRecord:
    """One row of the event table, as stored and as hashed."""

    position: int
    stream_id: str
    stream_version: int
    topic: str
    recorded_at: str
    state: bytes

    def leaf_input(self) -> bytes:
        return leaf_input(
            self.position,
            self.stream_id,
            self.stream_version,
            self.topic,
            self.recorded_at,
            self.state,
        )


def leaf_input(
    position: int,
    stream_id: str,
    stream_version: int,
    topic: str,
    recorded_at: str,
    state: bytes,
) -> bytes:
    """The exact bytes whose leaf hash is the event's Merkle leaf.

    This is ``rfc8785.dumps`` of the six-key object, written out by hand
    because it runs once per appended event and per verified event: the keys
    are fixed and already in JCS order, the integers are safe integers, and
    ``json.dumps(..., ensure_ascii=False)`` escapes a string exactly as JCS
    does (quote, backslash, and U+0000..U+001F, lower-case hex). A property
    test pins this function to ``rfc8785.dumps`` for arbitrary text.
    """
    if not (0 <= position <= _MAX_SAFE_INTEGER and 0 <= stream_version <= _MAX_SAFE_INTEGER):
        raise ValueError("position and stream version must be safe non-negative integers")
    text = (
        f'{{"position":{position:d},'
        f'"recorded_at":{_jcs_string(recorded_at)},'
        f'"state":"{base64.b64encode(state).decode("ascii")}",'
        f'"stream_id":{_jcs_string(stream_id)},'
        f'"stream_version":{stream_version:d},'
        f'"topic":{_jcs_string(topic)}}}'
    )
    return text.encode("utf-8")


_MAX_SAFE_INTEGER = 2**53 - 1


_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\\ud800-\udfff]')


def _jcs_string(value: str) -> str:
    if _NEEDS_ESCAPE.search(value) is None:
        return f'"{value}"'
    if re.search(r"[\ud800-\udfff]", value):
        raise ValueError("text holds a lone surrogate, which RFC 8785 cannot encode")
    return json.dumps(value, ensure_ascii=False)


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical JSON of a JSON-compatible value."""
    return rfc8785.dumps(value)
