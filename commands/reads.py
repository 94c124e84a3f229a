"""Handlers of the read commands: open the views (caught up, or as they were)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone

from ledger.application import ScrutinyLedger, open_ledger
from ledger.domain.base import today_in_london
from ledger.errors import InvalidInputError, NotFoundError
from ledger.records import format_recorded_at
from ledger.storage.recorder import LedgerRecorder
from projections import runner
from projections.feed import Cut
from projections.store import ProjectionStore

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Scope:
    """``--as-known-at`` (transaction time) and ``--as-of`` (valid time)."""

    known_at: str | None = None
    as_of: date | None = None

    @property
    def is_now(self) -> bool:
        return self.known_at is None and self.as_of is None

    def today(self) -> date:
        return self.as_of or today_in_london()


def parse_as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInputError(f"--as-of must be a date YYYY-MM-DD, not {text!r}") from exc


def stop_position(recorder: LedgerRecorder, known_at: str) -> int:
    """The first position NOT known at ``known_at`` (a tree size or a time)."""
    size = recorder.size()
    if re.fullmatch(r"\d+", known_at):
        tree_size = int(known_at)
        if tree_size > size:
            raise NotFoundError(f"the log holds {size} events; there is no tree size {tree_size}")
        return tree_size
    try:
        moment = datetime.fromisoformat(known_at.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInputError(
            f"--as-known-at takes a tree size or a time (e.g. 2020-03-31T17:00:00Z), not {known_at!r}"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return recorder.first_position_recorded_after(format_recorded_at(moment))


@contextlib.contextmanager
def views(db_url: str, scope: Scope, progress: Progress | None = None) -> Iterator[ProjectionStore]:
    """The view store to read: the ledger's own, caught up, or a time-travel copy."""
    app: ScrutinyLedger = open_ledger(db_url)
    try:
        recorder = app.ledger_recorder
        if scope.is_now:
            store = ProjectionStore.for_database(app.database, log=app.ledger_recorder)
            store.create_all()
            runner.catch_up(recorder, store, progress=progress)
            yield store
            return
        stop = stop_position(recorder, scope.known_at) if scope.known_at else None
        store = runner.project_cut(recorder, Cut(stop=stop, as_of=scope.as_of), progress)
        try:
            yield store
        finally:
            store.close()
    finally:
        app.close()


def rebuild_views(db_url: str, names: list[str], progress: Progress | None = None) -> int:
    app = open_ledger(db_url)
    try:
        store = ProjectionStore.for_database(app.database, log=app.ledger_recorder)
        store.create_all()
        return runner.rebuild(app.ledger_recorder, store, names, progress)
    finally:
        app.close()


def view_status(db_url: str) -> list[runner.ViewStatus]:
    app = open_ledger(db_url)
    try:
        store = ProjectionStore.for_database(app.database, log=app.ledger_recorder)
        store.create_all()
        return runner.status(app.ledger_recorder, store)
    finally:
        app.close()
