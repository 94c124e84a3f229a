"""What the web app holds for its lifetime: one open ledger, its views, a lock.

The server reads; it never records an event. Catching the views up writes
only to the view tables (``view_*``), as every read command does, and the
access log writes only to ``web_access_log``; the event log, the tree and
the checkpoints are only read.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from commands.admin import verify
from commands.reads import Scope, parse_as_of, stop_position
from ledger.application import ScrutinyLedger, open_ledger
from ledger.storage import access
from ledger.storage.recorder import LedgerRecorder
from ledger.verification import VerificationReport
from projections import runner
from projections.feed import Cut
from projections.store import ProjectionStore

# How long a verification result is reused for the same tree size.
VERIFICATION_TTL_SECONDS = 30.0


@dataclass(frozen=True)
class Verified:
    report: VerificationReport
    key_source: str
    checked_at: float


class WebState:
    """The open ledger behind one app; shared by every request thread."""

    def __init__(self, db_url: str, key_path: Path) -> None:
        self.db_url = db_url
        self.key_path = key_path
        self.ledger: ScrutinyLedger = open_ledger(db_url)
        access.ensure_schema(self.ledger.database)
        self._store = ProjectionStore.for_database(self.ledger.database, log=self.ledger.ledger_recorder)
        self._store.create_all()
        self._catch_up_lock = threading.Lock()
        self._verify_lock = threading.Lock()
        self._verified: dict[int, Verified] = {}

    def close(self) -> None:
        self.ledger.close()

    @property
    def recorder(self) -> LedgerRecorder:
        return self.ledger.ledger_recorder

    @staticmethod
    def scope(as_known_at: str | None, as_of: str | None) -> Scope:
        return Scope(known_at=as_known_at or None, as_of=parse_as_of(as_of or None))

    @contextlib.contextmanager
    def views(self, scope: Scope) -> Iterator[ProjectionStore]:
        """The ledger's own views caught up, or a time-travel copy (as ``commands.reads.views``)."""
        if scope.is_now:
            with self._catch_up_lock:
                runner.catch_up(self.recorder, self._store)
            yield self._store
            return
        stop = stop_position(self.recorder, scope.known_at) if scope.known_at else None
        store = runner.project_cut(self.recorder, Cut(stop=stop, as_of=scope.as_of))
        try:
            yield store
        finally:
            store.close()

    def verification(self) -> Verified:
        """Verify the whole log (reused for a short while at the same size)."""
        size = self.recorder.size()
        with self._verify_lock:
            cached = self._verified.get(size)
            if cached is not None and time.monotonic() - cached.checked_at < VERIFICATION_TTL_SECONDS:
                return cached
            report, source = verify(self.db_url, self.key_path)
            result = Verified(report, source, time.monotonic())
            self._verified = {size: result}
            return result

