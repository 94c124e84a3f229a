"""eventsourcing's own recorder contract, run against the ledger's recorder.

The library's abstract test cases (``ApplicationRecorderTestCase`` and the
non-interleaving case) run unchanged on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from eventsourcing.tests.persistence import (
    ApplicationRecorderTestCase,
    NonInterleavingNotificationIDsBaseCase,
)

from ledger.storage.database import Database
from ledger.storage.recorder import LedgerRecorder
from tests.conftest import drop_pg_schema, new_pg_schema_url


class _SQLiteRecorderFactory:
    def create_recorder(self) -> LedgerRecorder:
        directory = Path(tempfile.mkdtemp(prefix="scrutiny-contract-"))
        self.addCleanup(shutil.rmtree, directory, True)  # type: ignore[attr-defined]
        database = Database(f"sqlite:///{directory / 'ledger.sqlite3'}")
        self.addCleanup(database.dispose)  # type: ignore[attr-defined]
        database.create_schema()
        return LedgerRecorder(database, uuid_ids=True)


class _PostgresRecorderFactory:
    def create_recorder(self) -> LedgerRecorder:
        url, schema = new_pg_schema_url()
        self.addCleanup(drop_pg_schema, schema)  # type: ignore[attr-defined]
        database = Database(url)
        self.addCleanup(database.dispose)  # type: ignore[attr-defined]
        database.create_schema()
        return LedgerRecorder(database, uuid_ids=True)


class TestSQLiteApplicationRecorder(_SQLiteRecorderFactory, ApplicationRecorderTestCase[LedgerRecorder]):
    pass


class TestPostgresApplicationRecorder(_PostgresRecorderFactory, ApplicationRecorderTestCase[LedgerRecorder]):
    pass


class TestSQLiteNonInterleaving(_SQLiteRecorderFactory, NonInterleavingNotificationIDsBaseCase):
    pass


class TestPostgresNonInterleaving(_PostgresRecorderFactory, NonInterleavingNotificationIDsBaseCase):
    pass


del ApplicationRecorderTestCase, NonInterleavingNotificationIDsBaseCase
