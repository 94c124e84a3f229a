"""The current state of every stream (organisation, person, challenge, case ...)
and the deadlines it carries.

Each event is applied to the write side's own aggregate class; the view keeps
a summary of the resulting state. Aggregates are cached while a run lasts; a
stream met for the first time in a run, part-way through its history, is
rebuilt from its earlier events in the log (never from the view's own rows).

Corrections: a correction's values are kept (``view_stream_corrections``) and
the corrected stream is re-derived from its stored events with every known
correction applied, so the view shows the corrected value.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from ledger.domain.base import Aggregate, DomainEvent
from ledger.domain.corrections import EventCorrected, corrected
from ledger.errors import LedgerError
from projections.feed import Item
from projections.store import ViewWriter, dumps, schema
from projections.summaries import closed_on_of, deadlines_of, state_of, status_of, tier_of

# The events of a stream up to a version, as stored (not yet corrected).
Replay = Callable[[str, int], "list[DomainEvent]"]

CACHE_SIZE = 5_000


@dataclass
class _Entry:
    aggregate: Aggregate
    opened_on: str | None
    last_position: int


class StreamsView:
    name = "streams"

    def __init__(self, replay: Replay | None = None) -> None:
        self._replay = replay
        self._cache: OrderedDict[str, _Entry] = OrderedDict()
        # Streams changed in the current transaction: summarised once, in finish().
        self._dirty: set[str] = set()

    def apply(self, writer: ViewWriter, item: Item) -> None:
        event = item.event
        if event is None:
            return
        stream_id = item.record.stream_id
        if isinstance(event, EventCorrected):
            self._record_correction(writer, event)
        entry = self._entry(writer, stream_id, item.record.stream_version - 1)
        if entry is None:
            try:
                aggregate = event.creates()(stream_id)
            except LedgerError:  # an event that cannot start a stream, seen alone
                return
            entry = _Entry(aggregate, event.occurred_on.isoformat(), item.position)
        entry.aggregate.apply(event)
        entry.aggregate.version = event.originator_version
        entry.last_position = item.position
        self._keep(stream_id, entry)

    def _entry(self, writer: ViewWriter, stream_id: str, version: int) -> _Entry | None:
        """The stream's state at ``version``: cached, or rebuilt from the log."""
        entry = self._cache.pop(stream_id, None)
        if entry is not None or version < 1 or self._replay is None:
            return entry
        row = writer.get(schema.streams, stream_id)
        if row is None:
            return None
        aggregate = self._rebuild(writer, stream_id, version)
        if aggregate is None:
            return None
        return _Entry(aggregate, row["opened_on"], int(row["last_position"]))

    def _keep(self, stream_id: str, entry: _Entry) -> None:
        self._cache[stream_id] = entry
        self._dirty.add(stream_id)
        while len(self._cache) > CACHE_SIZE:
            oldest = next(iter(self._cache))
            if oldest in self._dirty:
                break  # never evict a stream still to be written in this transaction
            self._cache.popitem(last=False)

    def _record_correction(self, writer: ViewWriter, event: EventCorrected) -> None:
        """Keep the corrected values, then re-derive the corrected stream's state."""
        target, version = event.target_stream_id, event.target_version
        earlier = writer.get(schema.stream_corrections, target, version)
        values = dict(json.loads(earlier["corrected_values"])) if earlier else {}
        values.update(event.corrected_values)
        writer.upsert(
            schema.stream_corrections,
            {"stream_id": target, "stream_version": version, "corrected_values": dumps(values)},
        )
        entry = self._cache.pop(target, None)
        row = writer.get(schema.streams, target)
        if self._replay is None or (entry is None and row is None):
            return
        upto = entry.aggregate.version if entry is not None else int(row["version"])  # type: ignore[index]
        aggregate = self._rebuild(writer, target, upto)
        if aggregate is None:
            return
        if entry is None:
            entry = _Entry(aggregate, row["opened_on"], int(row["last_position"]))  # type: ignore[index]
        else:
            entry.aggregate = aggregate
        self._keep(target, entry)

    def _rebuild(self, writer: ViewWriter, stream_id: str, upto_version: int) -> Aggregate | None:
        """A stream's state from its stored events, with every known correction applied."""
        assert self._replay is not None
        aggregate: Aggregate | None = None
        for stored_event in self._replay(stream_id, upto_version):
            fix = writer.get(schema.stream_corrections, stream_id, stored_event.originator_version)
            event = corrected(stored_event, json.loads(fix["corrected_values"])) if fix else stored_event
            if aggregate is None:
                try:
                    aggregate = event.creates()(stream_id)
                except LedgerError:
                    return None
            aggregate.apply(event)
            aggregate.version = event.originator_version
        return aggregate

    def finish(self, writer: ViewWriter) -> None:
        for stream_id in self._dirty:
            entry = self._cache[stream_id]
            aggregate = entry.aggregate
            closed = closed_on_of(aggregate)
            writer.upsert(
                schema.streams,
                {
                    "stream_id": stream_id,
                    "kind": stream_id.split(":", 1)[0],
                    "key": stream_id.split(":", 1)[1] if ":" in stream_id else stream_id,
                    "status": status_of(aggregate),
                    "tier": tier_of(aggregate),
                    "opened_on": entry.opened_on,
                    "closed_on": closed.isoformat() if closed else None,
                    "version": aggregate.version,
                    "last_position": entry.last_position,
                    "data": dumps(state_of(aggregate)),
                },
            )
            for deadline in deadlines_of(aggregate):
                writer.upsert(
                    schema.deadlines,
                    {
                        "stream_id": stream_id,
                        "name": deadline.name,
                        "due": deadline.due.isoformat(),
                        "rule": deadline.rule,
                        "met_on": deadline.met_on.isoformat() if deadline.met_on else None,
                        "description": deadline.description,
                    },
                )
        self._dirty.clear()
