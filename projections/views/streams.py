"""The current state of every stream (organisation, person, challenge, case ...)
and the deadlines it carries.

Each event is applied to the write side's own aggregate class; the view keeps
a summary of the resulting state. Aggregates are cached while a run lasts; a
stream met for the first time in a run, part-way through its history, is
rebuilt from its earlier events in the log (never from the view's own rows).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from ledger.domain.base import Aggregate
from ledger.errors import LedgerError
from projections.feed import Item
from projections.store import ViewWriter, dumps, schema
from projections.summaries import closed_on_of, deadlines_of, state_of, status_of, tier_of

Replay = Callable[[str, int], "Aggregate | None"]

CACHE_SIZE = 5_000


class StreamsView:
    name = "streams"

    def __init__(self, replay: Replay | None = None) -> None:
        self._replay = replay
        self._cache: OrderedDict[str, tuple[Aggregate, str | None]] = OrderedDict()
        # Streams changed in the current transaction, and their last position:
        # each is summarised once per transaction, in finish().
        self._dirty: dict[str, int] = {}

    def apply(self, writer: ViewWriter, item: Item) -> None:
        event = item.event
        if event is None:
            return
        stream_id = item.record.stream_id
        cached = self._cache.pop(stream_id, None)
        if cached is not None:
            aggregate, opened_on = cached
        elif item.record.stream_version == 1 or self._replay is None:
            aggregate, opened_on = None, None
        else:
            aggregate = self._replay(stream_id, item.record.stream_version - 1)
            row = writer.get(schema.streams, stream_id)
            opened_on = None if row is None else row["opened_on"]
        if aggregate is None:
            try:
                aggregate = event.creates()(stream_id)
            except LedgerError:  # an event that cannot start a stream, seen alone
                return
            opened_on = event.occurred_on.isoformat()
        aggregate.apply(event)
        aggregate.version = event.originator_version
        self._cache[stream_id] = (aggregate, opened_on)
        while len(self._cache) > CACHE_SIZE:
            oldest = next(iter(self._cache))
            if oldest in self._dirty:
                break  # never evict a stream still to be written in this transaction
            self._cache.popitem(last=False)
        self._dirty[stream_id] = item.position

    def finish(self, writer: ViewWriter) -> None:
        for stream_id, last_position in self._dirty.items():
            aggregate, opened_on = self._cache[stream_id]
            closed = closed_on_of(aggregate)
            writer.upsert(
                schema.streams,
                {
                    "stream_id": stream_id,
                    "kind": stream_id.split(":", 1)[0],
                    "key": stream_id.split(":", 1)[1] if ":" in stream_id else stream_id,
                    "status": status_of(aggregate),
                    "tier": tier_of(aggregate),
                    "opened_on": opened_on,
                    "closed_on": closed.isoformat() if closed else None,
                    "last_position": last_position,
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
