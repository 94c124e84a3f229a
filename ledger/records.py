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

import binascii
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

    The common case -- integers, and three texts that need no escaping -- is
    one bytes format of the whole object; anything else (text to escape, a
    column of another type) takes the general path, which escapes, or raises
    ``TypeError`` or ``ValueError`` as before.
    """
    if not (0 <= position <= MAX_SAFE_INTEGER and 0 <= stream_version <= MAX_SAFE_INTEGER):
        raise ValueError("position and stream version must be safe non-negative integers")
    if (
        position.__class__ is int
        and stream_version.__class__ is int
        and stream_id.__class__ is str
        and topic.__class__ is str
        and recorded_at.__class__ is str
    ):
        texts = recorded_at + stream_id + topic
        # Printable text holds no control character and no lone surrogate.
        if texts.isprintable() and '"' not in texts and "\\" not in texts:
            return _LEAF_INPUT % (
                position,
                recorded_at.encode("utf-8"),
                _base64(state, newline=False),
                stream_id.encode("utf-8"),
                stream_version,
                topic.encode("utf-8"),
            )
    text = (
        f'{{"position":{position:d},'
        f'"recorded_at":{_jcs_string(recorded_at)},'
        f'"state":"{_base64(state, newline=False).decode("ascii")}",'
        f'"stream_id":{_jcs_string(stream_id)},'
        f'"stream_version":{stream_version:d},'
        f'"topic":{_jcs_string(topic)}}}'
    )
    return text.encode("utf-8")


MAX_SAFE_INTEGER = 2**53 - 1

_base64 = binascii.b2a_base64

_LEAF_INPUT = (
    b'{"position":%d,"recorded_at":"%b","state":"%b",'
    b'"stream_id":"%b","stream_version":%d,"topic":"%b"}'
)

_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\\ud800-\udfff]')
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _jcs_string(value: str) -> str:
    if _NEEDS_ESCAPE.search(value) is None:
        return f'"{value}"'
    if _SURROGATE.search(value):
        raise ValueError("text holds a lone surrogate, which RFC 8785 cannot encode")
    return json.dumps(value, ensure_ascii=False)


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical JSON of a JSON-compatible value.

    Objects with ASCII keys, lists, text, integers, booleans and nulls (every
    event state the ledger writes, each sealed value and the associated data
    of each envelope) are written directly; anything else (a float, a key
    beyond ASCII, text with a lone surrogate, an unsafe integer) sends the
    whole value to ``rfc8785.dumps``, which writes or refuses it. A property
    test pins the two together.
    """
    text = _simple_jcs(value)
    return rfc8785.dumps(value) if text is None else text.encode("utf-8")


def _simple_jcs(value: Any) -> str | None:
    """JCS text of ``value`` if it is built only of the simple cases, else None.

    Text is escaped as JCS escapes it (see ``leaf_input``); object members are
    sorted by key, which for ASCII keys is JCS's UTF-16 code unit order.
    """
    kind = value.__class__
    if kind is str:
        if _NEEDS_ESCAPE.search(value) is not None and _SURROGATE.search(value) is not None:
            return None  # rfc8785 refuses it, with its own error
        return _jcs_string(value)
    if kind is int:
        return str(value) if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER else None
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is list:
        parts = []
        for item in value:
            part = _simple_jcs(item)
            if part is None:
                return None
            parts.append(part)
        return "[" + ",".join(parts) + "]"
    if kind is dict:
        members = []
        for key in value:
            if key.__class__ is not str or not key.isascii():
                return None
        for key in sorted(value):
            part = _simple_jcs(value[key])
            if part is None:
                return None
            members.append(_jcs_string(key) + ":" + part)
        return "{" + ",".join(members) + "}"
    return None
