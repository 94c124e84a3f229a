"""The log as the read side sees it: stored records with their decoded events.

Pages of the log after a position, optionally cut at a position (transaction
time: "as known at") or filtered by the business date (valid time: "as of").
"""

from __future__ import annotations

from collections.abc import Iterator
import json
from dataclasses import dataclass
from typing import Any
from datetime import date

from eventsourcing.utils import resolve_topic

from ledger.domain.base import DomainEvent
from ledger.records import StoredRecord
from ledger.sealing import FieldPath, open_state, subjects_at
from ledger.storage.recorder import LedgerRecorder
from ledger.storage.subject_keys import SubjectKeyStore


@dataclass(frozen=True)
class Cut:
    """Which part of the log a projection sees.

    ``stop``: only positions below it (as known at a tree size or a time);
    ``as_of``: only events that had occurred by that date.
    """

    stop: int | None = None
    as_of: date | None = None

    def admits(self, item: Item) -> bool:
        if self.as_of is None:
            return True
        occurred = item.data.get("occurred_on")
        return occurred is None or str(occurred) <= self.as_of.isoformat()


class _Topic:
    """What the feed needs of one event topic, worked out once per process:
    the event class, its type name, and where its personal fields sit when
    that does not depend on the stored state (every event but a correction)."""

    __slots__ = ("event_class", "event_type", "paths")

    def __init__(self, topic: str, event_class: Any) -> None:
        self.event_class = event_class
        self.event_type = topic.rsplit(":", 1)[-1]
        method = getattr(getattr(event_class, "personal_paths", None), "__func__", None)
        self.paths: tuple[FieldPath, ...] | None = (
            tuple(event_class.personal_paths({})) if method is _FIXED_PATHS else None
        )


# DomainEvent's own personal_paths reads only the class's personal_fields.
_FIXED_PATHS = DomainEvent.personal_paths.__func__  # type: ignore[attr-defined]

_TOPICS: dict[str, _Topic] = {}


class Item:
    """One record of the log, its stored fields, and (on demand) its event.

    ``data`` is the event's stored JSON object with its personal fields
    opened (``[erased]`` once their subject is erased), empty for a record
    that is not one of the ledger's own events; views that only need fields
    read it directly, and only views that apply events to aggregates pay for
    ``event`` (pydantic validation).
    """

    __slots__ = ("_event", "_topic", "data", "position", "record")

    def __init__(self, record: StoredRecord, data: dict[str, Any], topic: _Topic | None) -> None:
        self.record = record
        self.position: int = record.position
        self.data = data
        self._topic = topic
        self._event: DomainEvent | None | bool = False

    @property
    def event_type(self) -> str:
        if self.data and self._topic is not None:
            return self._topic.event_type
        return self.record.topic

    @property
    def event(self) -> DomainEvent | None:
        if self._event is False:
            self._event = _validate(self.record, self.data, self._topic) if self.data else None
        return self._event  # type: ignore[return-value]


# A stored record read: its JSON object (still sealed), its topic, and the
# paths of its personal fields.
_Read = tuple[StoredRecord, dict[str, Any], "_Topic | None", "tuple[FieldPath, ...]"]


def _read(record: StoredRecord) -> _Read:
    topic = record.topic
    if not topic.startswith("ledger.") or ":" not in topic:
        return record, {}, None, ()
    try:
        data = _parse(record.state.decode("utf-8"))
    except ValueError:
        return record, {}, None, ()
    if not isinstance(data, dict):
        return record, {}, None, ()
    kind = _TOPICS.get(topic)
    if kind is None:
        kind = _TOPICS[topic] = _Topic(topic, resolve_topic(topic))
    paths = kind.paths if kind.paths is not None else tuple(kind.event_class.personal_paths(data))
    return record, data, kind, paths


_DECODER = json.JSONDecoder()


def _parse(text: str) -> Any:
    """``json.loads`` of a stored state, minus its per-call overhead: canonical
    JSON has no surrounding whitespace, so the decoder is called directly, and
    anything else (whitespace, trailing text) goes to ``json.loads`` itself."""
    try:
        value, end = _DECODER.raw_decode(text)
    except ValueError:
        return json.loads(text)
    return value if end == len(text) else json.loads(text)


def _validate(record: StoredRecord, data: dict[str, Any], kind: _Topic | None) -> DomainEvent:
    event_class = kind.event_class if kind is not None else resolve_topic(record.topic)
    fields = dict(data, originator_id=record.stream_id, originator_version=record.stream_version)
    event: DomainEvent = event_class.model_validate(fields, context={"replay": True})
    return event


def opened_fields(recorder: LedgerRecorder, positions: list[int]) -> dict[int, dict[str, Any]]:
    """Each event's stored fields, personal ones opened (``[erased]`` once their
    subject is erased), by position: what the history view shows, read from
    the log itself so that no view keeps a copy of personal data."""
    items = _opened(recorder.records_at(positions), recorder.subject_keys, forget_others=False)
    return {item.position: item.data for item in items}


def pages(
    recorder: LedgerRecorder, after: int, cut: Cut = Cut(), page_size: int = 2000
) -> Iterator[list[Item]]:
    """Pages of items with positions greater than ``after``, in order.

    Before a page is opened, the keys of the subjects its records seal are
    read afresh (one query per 500 subjects), and only they are kept: an
    erasure recorded by another process is honoured from the next page on,
    and a replay's memory does not grow with the number of subjects in the log.
    """
    keys = recorder.subject_keys
    records: list[StoredRecord] = []
    for record in recorder.iter_records(start=after + 1, stop=cut.stop, page_size=page_size):
        records.append(record)
        if len(records) == page_size:
            yield _opened(records, keys, forget_others=True)
            records = []
    if records:
        yield _opened(records, keys, forget_others=True)


def _opened(records: list[StoredRecord], keys: SubjectKeyStore, *,
            forget_others: bool) -> list[Item]:
    """The records as items: parsed, the keys of the subjects they seal read
    in bulk (their envelopes name them), then opened."""
    read = [_read(record) for record in records]
    subjects = {subject for _, data, _, paths in read if paths
                for subject in subjects_at(data, paths)}
    keys.prefetch(subjects, forget_others=forget_others)
    items = []
    for record, data, kind, paths in read:
        if paths:
            open_state(data, paths, stream_id=record.stream_id,
                       version=record.stream_version, keys=keys)
        items.append(Item(record, data, kind))
    return items
