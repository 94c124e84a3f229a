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
from ledger.sealing import KeyRing, open_state
from ledger.storage.recorder import LedgerRecorder


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


class Item:
    """One record of the log, its stored fields, and (on demand) its event.

    ``data`` is the event's stored JSON object with its personal fields
    opened (``[erased]`` once their subject is erased), empty for a record
    that is not one of the ledger's own events; views that only need fields
    read it directly, and only views that apply events to aggregates pay for
    ``event`` (pydantic validation).
    """

    __slots__ = ("_event", "data", "opened", "record")

    def __init__(self, record: StoredRecord, keys: KeyRing) -> None:
        self.record = record
        self.data: dict[str, Any]
        self.opened: bool  # True when ``data`` differs from the stored state: fields opened
        self.data, self.opened = _load(record, keys)
        self._event: DomainEvent | None | bool = False

    @property
    def position(self) -> int:
        return self.record.position

    @property
    def event_type(self) -> str:
        return self.record.topic.rsplit(":", 1)[-1] if self.data else self.record.topic

    @property
    def event(self) -> DomainEvent | None:
        if self._event is False:
            self._event = _validate(self.record, self.data) if self.data else None
        return self._event  # type: ignore[return-value]


def _load(record: StoredRecord, keys: KeyRing) -> tuple[dict[str, Any], bool]:
    if not record.topic.startswith("ledger.") or ":" not in record.topic:
        return {}, False
    try:
        data = json.loads(record.state)
    except ValueError:
        return {}, False
    if not isinstance(data, dict):
        return {}, False
    paths = resolve_topic(record.topic).personal_paths(data)
    if not paths:
        return data, False
    open_state(data, paths, stream_id=record.stream_id, version=record.stream_version, keys=keys)
    return data, True


def _validate(record: StoredRecord, data: dict[str, Any]) -> DomainEvent:
    event_class = resolve_topic(record.topic)
    fields = dict(data, originator_id=record.stream_id, originator_version=record.stream_version)
    event: DomainEvent = event_class.model_validate(fields, context={"replay": True})
    return event


def pages(
    recorder: LedgerRecorder, after: int, cut: Cut = Cut(), page_size: int = 2000
) -> Iterator[list[Item]]:
    """Pages of items with positions greater than ``after``, in order.

    The subject keys are read afresh first, so an erasure recorded by another
    process is honoured by every projection from then on.
    """
    keys = recorder.subject_keys
    keys.preload()
    page: list[Item] = []
    for record in recorder.iter_records(start=after + 1, stop=cut.stop, page_size=page_size):
        page.append(Item(record, keys))
        if len(page) == page_size:
            yield page
            page = []
    if page:
        yield page
