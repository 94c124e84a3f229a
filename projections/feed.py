"""The log as the read side sees it: stored records with their decoded events.

Pages of the log after a position, optionally cut at a position (transaction
time: "as known at") or filtered by the business date (valid time: "as of").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from ledger.domain.base import DomainEvent, decode_event
from ledger.records import StoredRecord
from ledger.storage.recorder import LedgerRecorder


@dataclass(frozen=True)
class Cut:
    """Which part of the log a projection sees.

    ``stop``: only positions below it (as known at a tree size or a time);
    ``as_of``: only events that had occurred by that date.
    """

    stop: int | None = None
    as_of: date | None = None

    def admits(self, event: DomainEvent | None) -> bool:
        if self.as_of is None or event is None:
            return True
        return event.occurred_on <= self.as_of


@dataclass(frozen=True)
class Item:
    record: StoredRecord
    event: DomainEvent | None

    @property
    def position(self) -> int:
        return self.record.position


def decode(record: StoredRecord) -> DomainEvent | None:
    """The ledger's event in a record, or None for a record of another kind."""
    if ":" not in record.topic or not record.topic.startswith("ledger."):
        return None
    return decode_event(record.stream_id, record.stream_version, record.topic, record.state)


def pages(
    recorder: LedgerRecorder, after: int, cut: Cut = Cut(), page_size: int = 2000
) -> Iterator[list[Item]]:
    """Pages of items with positions greater than ``after``, in order."""
    page: list[Item] = []
    for record in recorder.iter_records(start=after + 1, stop=cut.stop, page_size=page_size):
        page.append(Item(record, decode(record)))
        if len(page) == page_size:
            yield page
            page = []
    if page:
        yield page
