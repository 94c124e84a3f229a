"""Keeping views up to date: catch up, rebuild, status, time travel.

Catching up reads the log in pages after the lowest position any view has
applied. Each page is one transaction of the view store: every view applies
the items it has not seen yet, and records its new position in that same
transaction, so a crash loses or repeats nothing (exactly once). Redelivering
an item a view has already applied changes nothing: it is skipped by position.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ledger.domain.base import DomainEvent, decode_event
from ledger.storage.recorder import LedgerRecorder
from projections.feed import Cut, Item, pages
from projections.store import ProjectionStore
from projections.views import VIEW_NAMES, View
from projections.views.history import HistoryView
from projections.views.names import NamesView
from projections.views.scrutineers import ScrutineersView
from projections.views.streams import StreamsView

Progress = Callable[[int], None]

# A rebuild replays the whole log: pages of 4,000 items halve its commits (and
# the statements of each flush) against catching up's 2,000, for ~12 MiB more
# at the peak (measured at 100,000 events; the peak does not grow with the log).
REBUILD_PAGE_SIZE = 4000


def make_views(recorder: LedgerRecorder, names: Sequence[str] = VIEW_NAMES,
               cut: Cut = Cut()) -> list[View]:
    """The named views; the streams view may re-read a stream's events from the log."""
    replay = _replayer(recorder, cut)
    built: dict[str, View] = {
        "history": HistoryView(),
        "names": NamesView(),
        "streams": StreamsView(replay),
        "scrutineers": ScrutineersView(),
    }
    return [built[name] for name in names]


def _replayer(recorder: LedgerRecorder, cut: Cut) -> Callable[[str, int], list[DomainEvent]]:
    """A stream's stored events up to a version, as the cut admits them."""

    def replay(stream_id: str, upto_version: int) -> list[DomainEvent]:
        events = []
        for stored in recorder.select_events(stream_id, lte=upto_version):
            event = decode_event(str(stored.originator_id), stored.originator_version,
                                 stored.topic, stored.state, recorder.subject_keys)
            if cut.as_of is None or event.occurred_on <= cut.as_of:
                events.append(event)
        return events

    return replay


def apply_page(store: ProjectionStore, views: Sequence[View], page: Sequence[Item],
               positions: dict[str, int], cut: Cut = Cut()) -> None:
    """Apply one page to every view that has not seen it, in one transaction."""
    admitted = page if cut.as_of is None else [item for item in page if cut.admits(item)]
    first, last = page[0].position, page[-1].position
    with store.transaction() as writer:
        for view in views:
            seen = positions.get(view.name, -1)
            apply = view.apply
            for item in admitted if seen < first else [i for i in admitted if i.position > seen]:
                apply(writer, item)
            view.finish(writer)
            if last > seen:
                writer.set_position(view.name, last)
                positions[view.name] = last


def catch_up(recorder: LedgerRecorder, store: ProjectionStore, views: Sequence[View] | None = None,
             progress: Progress | None = None, page_size: int = 2000) -> int:
    """Bring views up to the head of the log; returns the number of items applied."""
    views = list(views) if views is not None else make_views(recorder)
    positions = store.positions()
    start = min(positions.get(view.name, -1) for view in views)
    applied = 0
    with _fewer_collections():
        for page in pages(recorder, start, page_size=page_size):
            apply_page(store, views, page, positions)
            applied += len(page)
            if progress is not None:
                progress(page[-1].position + 1)
    return applied


def rebuild(recorder: LedgerRecorder, store: ProjectionStore, names: Sequence[str] = VIEW_NAMES,
            progress: Progress | None = None) -> int:
    """Drop the named views and replay the whole log into them."""
    store.reset_views(names)
    return catch_up(recorder, store, make_views(recorder, names), progress, page_size=REBUILD_PAGE_SIZE)


@dataclass(frozen=True)
class ViewStatus:
    view: str
    position: int
    head: int

    @property
    def behind(self) -> int:
        return max(self.head - (self.position + 1), 0)


def status(recorder: LedgerRecorder, store: ProjectionStore) -> list[ViewStatus]:
    head = recorder.size()
    positions = store.positions()
    return [ViewStatus(name, positions.get(name, -1), head) for name in VIEW_NAMES]


def project_cut(recorder: LedgerRecorder, cut: Cut, progress: Progress | None = None) -> ProjectionStore:
    """A fresh in-memory store holding the views of part of the log (time travel).

    The same projector code runs, into a temporary database, over the
    positions below ``cut.stop`` and the events that had occurred by
    ``cut.as_of``.
    """
    store = ProjectionStore.in_memory(log=recorder)
    views = make_views(recorder, cut=cut)
    positions: dict[str, int] = {}
    with _fewer_collections():
        for page in pages(recorder, -1, cut):
            apply_page(store, views, page, positions, cut)
            if progress is not None:
                progress(page[-1].position + 1)
    return store


# Replaying keeps a page of items and the streams view's aggregates alive, so
# with the default threshold (700 allocations) the cycle collector keeps
# promoting them and walking every live object again: 15 % of a rebuild's
# time, for garbage that reference counting frees anyway. While views are
# replayed the first generation waits for more allocations; the thresholds
# are restored when the last replay in the process ends.
_REPLAY_THRESHOLD = 50_000
_collections_lock = threading.Lock()
_replays = 0
_saved_thresholds: tuple[int, ...] = ()


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    global _replays, _saved_thresholds
    with _collections_lock:
        if _replays == 0:
            _saved_thresholds = gc.get_threshold()
            first, *rest = _saved_thresholds
            if first:  # 0: automatic collection is off, and stays off
                gc.set_threshold(max(first, _REPLAY_THRESHOLD), *rest)
        _replays += 1
    try:
        yield
    finally:
        with _collections_lock:
            _replays -= 1
            if _replays == 0:
                gc.set_threshold(*_saved_thresholds)
